//! Local items (地方监管事项): review state and its history.

use super::db::{Connection, OptionalExtension, Value, params, params_from_iter};
use super::{Conflict, ConflictRow, StoreError, key, opt_key};
use crate::domain::{Id, LocalItem, ReviewState, Timestamp};
use serde::Serialize;

/// Creates the review record of a local main item, in 草稿.
pub fn insert(
    conn: &Connection,
    main_item_id: Id,
    unit_id: Id,
    power_entry_id: Option<Id>,
    by: Id,
    at: Timestamp,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO local_items (main_item_id, unit_id, state, power_entry_id, updated_at, updated_by)
         VALUES (?1, ?2, 'draft', ?3, ?4, ?5)",
        params![main_item_id, unit_id, power_entry_id, at, by],
    )?;
    add_history(
        conn,
        main_item_id,
        by,
        at,
        None,
        ReviewState::Draft,
        None,
        1,
    )
}

#[allow(clippy::too_many_arguments)]
fn add_history(
    conn: &Connection,
    main_item_id: Id,
    by: Id,
    at: Timestamp,
    from: Option<ReviewState>,
    to: ReviewState,
    reason: Option<&str>,
    item_version: i64,
) -> Result<(), StoreError> {
    // PostgreSQL writes the same row itself, by trigger from the local
    // item's own change (`store::postgres::roles`): there no role may
    // write a history line of its own.
    if conn.is_postgres() {
        return Ok(());
    }
    conn.execute(
        "INSERT INTO local_item_history (main_item_id, at, account_id, from_state, to_state, reason, item_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![main_item_id, at, by, from.map(|s| s.key()), to.key(), reason, item_version],
    )?;
    Ok(())
}

const COLUMNS: &str = "main_item_id, unit_id, state, power_entry_id, official_code, return_reason,
    version, updated_at, updated_by FROM local_items";

fn from_row(r: &super::db::Row<'_>) -> super::db::Result<LocalItem> {
    Ok(LocalItem {
        main_item_id: r.get(0)?,
        unit_id: r.get(1)?,
        state: key(r, 2)?,
        power_entry_id: r.get(3)?,
        official_code: r.get(4)?,
        return_reason: r.get(5)?,
        version: r.get(6)?,
        updated_at: r.get(7)?,
        updated_by: r.get(8)?,
    })
}

/// The local-item side of a main item, if it is a local item.
pub fn find(conn: &Connection, main_item_id: Id) -> Result<Option<LocalItem>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} WHERE main_item_id = ?1"),
            [main_item_id],
            from_row,
        )
        .optional()?)
}

pub fn get(conn: &Connection, main_item_id: Id) -> Result<LocalItem, StoreError> {
    find(conn, main_item_id)?
        .ok_or_else(|| StoreError::NotFound(format!("地方监管事项（编号 {main_item_id}）")))
}

pub fn list(conn: &Connection, state: Option<ReviewState>) -> Result<Vec<LocalItem>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} WHERE CAST(?1 AS TEXT) IS NULL OR state = ?1 ORDER BY updated_at, main_item_id"
    ))?;
    let rows = stmt.query_map([state.map(|s| s.key())], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What a compare-and-swap change of a local item writes.
pub struct Change<'a> {
    pub state: ReviewState,
    pub power_entry_id: Option<Id>,
    pub official_code: Option<&'a str>,
    pub return_reason: Option<&'a str>,
}

/// Compare-and-swap update; a state change is added to the history.
pub fn update(
    conn: &Connection,
    main_item_id: Id,
    change: &Change<'_>,
    expected_version: i64,
    by: Id,
    at: Timestamp,
) -> Result<LocalItem, StoreError> {
    let before = get(conn, main_item_id)?;
    // The power-list entry and the official code are set only when they
    // change: a review changes the review columns alone, all PostgreSQL
    // lets the reviewer's role write (`store::postgres::roles`).
    let mut set = String::from(
        "state = ?3, return_reason = ?4, updated_at = ?5, updated_by = ?6, version = version + 1",
    );
    let mut values: Vec<Value> = vec![
        main_item_id.into(),
        expected_version.into(),
        change.state.key().to_string().into(),
        change.return_reason.map(str::to_string).into(),
        at.into(),
        by.into(),
    ];
    if before.power_entry_id != change.power_entry_id {
        values.push(change.power_entry_id.into());
        set.push_str(&format!(", power_entry_id = ?{}", values.len()));
    }
    if before.official_code.as_deref() != change.official_code {
        values.push(change.official_code.map(str::to_string).into());
        set.push_str(&format!(", official_code = ?{}", values.len()));
    }
    let n = conn.execute(
        &format!("UPDATE local_items SET {set} WHERE main_item_id = ?1 AND version = ?2"),
        params_from_iter(values),
    )?;
    let current = get(conn, main_item_id)?;
    if n == 0 {
        return Err(StoreError::Conflict(Box::new(Conflict {
            expected_version,
            saved_by: super::accounts::describe(conn, current.updated_by)?,
            saved_at: current.updated_at,
            current: ConflictRow::LocalItem(Box::new(current)),
        })));
    }
    if before.state != change.state {
        add_history(
            conn,
            main_item_id,
            by,
            at,
            Some(before.state),
            change.state,
            // A reason belongs to the step that gives it: 退回修改.
            change
                .return_reason
                .filter(|_| change.state == ReviewState::Returned),
            current.version,
        )?;
    }
    Ok(current)
}

/// One step of a local item's review history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryRow {
    pub at: Timestamp,
    pub account_id: Id,
    pub from: Option<ReviewState>,
    pub to: ReviewState,
    pub reason: Option<String>,
    pub item_version: i64,
}

pub fn history(conn: &Connection, main_item_id: Id) -> Result<Vec<HistoryRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT at, account_id, from_state, to_state, reason, item_version FROM local_item_history
         WHERE main_item_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([main_item_id], |r| {
        Ok(HistoryRow {
            at: r.get(0)?,
            account_id: r.get(1)?,
            from: opt_key(r, 2)?,
            to: key(r, 3)?,
            reason: r.get(4)?,
            item_version: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The next free sequence number for provisional codes of a region.
pub fn next_provisional_seq(conn: &Connection, region_code: &str) -> Result<u32, StoreError> {
    let prefix = format!("DF{region_code}-");
    // An entered item keeps its DF code as provisional: never hand it out again.
    let max: Option<String> = conn.query_row(
        "SELECT max(substr(c, length(CAST(?1 AS TEXT)) + 1, 4)) FROM (
             SELECT code AS c FROM main_items WHERE code LIKE ?1 || '%'
             UNION ALL
             SELECT provisional_code FROM main_items WHERE provisional_code LIKE ?1 || '%') AS codes",
        [&prefix],
        |r| r.get(0),
    )?;
    Ok(max.and_then(|m| m.parse::<u32>().ok()).unwrap_or(0) + 1)
}

/// How many local items each unit has in each review state.
pub fn counts_by_unit(conn: &Connection) -> Result<Vec<(Id, ReviewState, i64)>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT unit_id, state, count(*) FROM local_items GROUP BY unit_id, state")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, key(r, 1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every state change of every local item: (unit, item, at, new state).
pub fn all_history(conn: &Connection) -> Result<Vec<(Id, Id, Timestamp, ReviewState)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT l.unit_id, h.main_item_id, h.at, h.to_state
         FROM local_item_history h JOIN local_items l ON l.main_item_id = h.main_item_id
         ORDER BY h.id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, key(r, 3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A sub-item of a local item not yet 审核通过: only its own unit, the
/// reviewer and the coordinators see it, and nobody may claim it yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreleased {
    pub sub_item_id: Id,
    pub owner_unit_id: Id,
    pub code: String,
    pub name: String,
    pub state: ReviewState,
}

/// Every sub-item of a local item in 草稿, 待审核 or 退回修改.
pub fn unreleased_sub_items(conn: &Connection) -> Result<Vec<Unreleased>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, l.unit_id, s.code, s.name, l.state
         FROM local_items l JOIN sub_items s ON s.main_item_id = l.main_item_id
         WHERE l.state NOT IN ('approved', 'entered')
         ORDER BY s.code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Unreleased {
            sub_item_id: r.get(0)?,
            owner_unit_id: r.get(1)?,
            code: r.get(2)?,
            name: r.get(3)?,
            state: key(r, 4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Claims on sub-items of local items not yet 审核通过 (made before the
/// rule, or by other tools): (unit, sub-item code, item state).
pub fn claims_on_unreleased(
    conn: &Connection,
) -> Result<Vec<(Id, String, ReviewState)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT c.unit_id, s.code, l.state
         FROM claims c JOIN sub_items s ON s.id = c.sub_item_id
         JOIN local_items l ON l.main_item_id = s.main_item_id
         WHERE l.state NOT IN ('approved', 'entered')
         ORDER BY s.code, c.unit_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, key(r, 2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Among `ids`, the sub-items of the unit's own approved (or entered)
/// local items: (code, name).
pub fn own_released(
    conn: &Connection,
    unit_id: Id,
    ids: &[Id],
) -> Result<Vec<(String, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.code, s.name
         FROM json_each(?2) j JOIN sub_items s ON s.id = j.value
         JOIN local_items l ON l.main_item_id = s.main_item_id
         WHERE l.unit_id = ?1 AND l.state IN ('approved', 'entered')
         ORDER BY s.code",
    )?;
    let ids = serde_json::to_string(ids).unwrap_or_default();
    let rows = stmt.query_map(params![unit_id, ids], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
