//! The change log (操作记录), hash-chained: each row stores the SHA-256 of
//! the previous row's hash and its own content, so a row edited or deleted
//! with another tool breaks the chain and `jianguan check` finds it.

use super::StoreError;
use crate::domain::{ChangeLogEntry, Id, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// The hash of the (empty) chain before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a write records about itself.
pub struct NewEntry<'a> {
    pub at: Timestamp,
    pub account_id: Option<Id>,
    pub acting_as: Option<Id>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

fn opt(v: Option<Id>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// SHA-256 over the previous hash and every field, separated by a unit
/// separator and tagged so that a missing value differs from an empty one.
fn content_hash(prev: &str, e: &NewEntry<'_>) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update(s.as_bytes());
        h.update([0x1f]);
    };
    field(prev);
    field(&e.at.to_string());
    field(&opt(e.account_id));
    field(&opt(e.acting_as));
    field(e.action);
    field(e.entity);
    field(e.entity_id);
    for v in [e.before, e.after] {
        match v {
            Some(s) => {
                field("1");
                field(s);
            }
            None => field("0"),
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn last_hash(conn: &Connection) -> Result<String, StoreError> {
    Ok(conn
        .prepare_cached("SELECT hash FROM change_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string()))
}

/// Appends one row. Must run inside the write transaction it describes, so
/// the chain is extended by one writer at a time.
pub fn append(conn: &Connection, e: &NewEntry<'_>) -> Result<Id, StoreError> {
    let prev = last_hash(conn)?;
    let hash = content_hash(&prev, e);
    conn.prepare_cached(
        "INSERT INTO change_log (at, account_id, acting_as, action, entity, entity_id, before, after,
                                 prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        e.at,
        e.account_id,
        e.acting_as,
        e.action,
        e.entity,
        e.entity_id,
        e.before,
        e.after,
        prev,
        hash
    ])?;
    Ok(conn.last_insert_rowid())
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChangeLogEntry> {
    Ok(ChangeLogEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        account_id: r.get(2)?,
        acting_as: r.get(3)?,
        action: r.get(4)?,
        entity: r.get(5)?,
        entity_id: r.get(6)?,
        before: r.get(7)?,
        after: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

const COLUMNS: &str =
    "id, at, account_id, acting_as, action, entity, entity_id, before, after, prev_hash, hash";

/// The most recent rows, newest first.
pub fn recent(conn: &Connection, limit: i64) -> Result<Vec<ChangeLogEntry>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM change_log ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = stmt.query_map([limit], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One row by id.
pub fn entry(conn: &Connection, id: Id) -> Result<Option<ChangeLogEntry>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM change_log WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?)
}

/// Whether a later row records the undoing of row `id` (its `after` holds
/// `"undoes": id`).
pub fn is_undone(conn: &Connection, id: Id) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM change_log
                        WHERE id > ?1 AND action LIKE 'undo%'
                          AND json_extract(after, '$.undoes') = ?1)",
        [id],
        |r| r.get(0),
    )?)
}

pub fn count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))?)
}

/// Walks the whole chain; returns one line per broken link.
pub fn verify(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut problems = Vec::new();
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM change_log ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut prev_id: Option<Id> = None;
    while let Some(row) = rows.next()? {
        let e = from_row(row)?;
        if let Some(p) = prev_id
            && e.id != p + 1
        {
            problems.push(format!(
                "操作记录第 {} 至 {} 条缺失（被删除）",
                p + 1,
                e.id - 1
            ));
        }
        if e.prev_hash != prev {
            problems.push(format!(
                "操作记录第 {} 条的前序哈希与上一条不符：链条在此断开",
                e.id
            ));
        }
        let expected = content_hash(
            &e.prev_hash,
            &NewEntry {
                at: e.at,
                account_id: e.account_id,
                acting_as: e.acting_as,
                action: &e.action,
                entity: &e.entity,
                entity_id: &e.entity_id,
                before: e.before.as_deref(),
                after: e.after.as_deref(),
            },
        );
        if expected != e.hash {
            problems.push(format!(
                "操作记录第 {} 条（{} {} {}）的内容被 jianguan 以外的工具修改过",
                e.id, e.action, e.entity, e.entity_id
            ));
        }
        prev = e.hash;
        prev_id = Some(e.id);
    }
    Ok(problems)
}

/// The rows written after `at`, oldest first.
pub fn after(conn: &Connection, at: Timestamp) -> Result<Vec<ChangeLogEntry>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM change_log WHERE at > ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([at], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every row about one kind of entity, oldest first.
/// The log rows of one row of an entity (a unit, a checklist…), oldest first.
pub fn of_row(
    conn: &Connection,
    entity: &str,
    entity_id: &str,
) -> Result<Vec<ChangeLogEntry>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM change_log WHERE entity = ?1 AND entity_id = ?2 ORDER BY id"
    ))?;
    let rows = stmt.query_map([entity, entity_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn of_entity(conn: &Connection, entity: &str) -> Result<Vec<ChangeLogEntry>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM change_log WHERE entity = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([entity], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
