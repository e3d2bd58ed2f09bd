//! Claims (认领) and “claiming finished” (认领完成).

use super::StoreError;
use super::db::{Connection, OptionalExtension, params};
use crate::domain::{Claim, Id, Timestamp};

/// Claims each in-use sub-item for the unit; returns the ids that were not
/// yet claimed (and now are). Already claimed ones are left as they were;
/// unknown or cancelled ones are skipped (the caller says why). One
/// statement for the whole set: bulk claims run to ten thousand rows, and
/// each sub-item's page is read once for the status and the foreign key.
pub fn claim(
    conn: &Connection,
    unit_id: Id,
    sub_item_ids: &[Id],
    exercised: bool,
    by: Id,
    at: Timestamp,
) -> Result<Vec<Id>, StoreError> {
    // Only what the unit may claim goes in: in use, its level among the
    // item's 监管层级 (none given: any), not a local item awaiting review.
    // The caller asks why when fewer went in than were asked.
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT OR IGNORE INTO claims
             (unit_id, sub_item_id, exercised, claimed_by, claimed_at, inspection)
         SELECT ?1, s.id, ?3, ?4, ?5, CASE WHEN s.category = 'inspection' THEN 1 ELSE 0 END
         FROM json_each(?2) j JOIN sub_items s ON s.id = j.value AND s.status = 'in_use'
         WHERE {}
           AND NOT EXISTS (SELECT 1 FROM local_items l
                            WHERE l.main_item_id = s.main_item_id
                              AND l.state NOT IN ('approved', 'entered'))
         RETURNING sub_item_id, inspection",
        super::catalogue::admits_level_sql(
            "(SELECT r.level FROM units u JOIN regions r ON r.id = u.region_id WHERE u.id = ?1)"
        )
    ))?;
    let ids = serde_json::to_string(sub_item_ids).unwrap_or_default();
    let rows = stmt.query_map(params![unit_id, ids, exercised, by, at], |r| {
        Ok((r.get::<_, Id>(0)?, r.get::<_, bool>(1)?))
    })?;
    let added: Vec<(Id, bool)> = rows.collect::<Result<_, _>>()?;
    if !added.is_empty() {
        let inspections = added.iter().filter(|(_, i)| *i).count() as i64;
        let n = added.len() as i64;
        let e = if exercised { 1 } else { 0 };
        count(conn, unit_id, n, n * e, inspections * e)?;
        recount(conn, unit_id)?;
    }
    Ok(added.into_iter().map(|(id, _)| id).collect())
}

/// Removes the unit's claims on these sub-items; returns the removed claims.
pub fn unclaim(
    conn: &Connection,
    unit_id: Id,
    sub_item_ids: &[Id],
) -> Result<Vec<Claim>, StoreError> {
    // One statement for the whole set (on PostgreSQL one round trip, not
    // one an item), in the order the ids were given.
    let ids = serde_json::to_string(sub_item_ids).unwrap_or_default();
    let mut del = conn.prepare_cached(
        "DELETE FROM claims WHERE unit_id = ?1
            AND sub_item_id IN (SELECT j.value FROM json_each(?2) j)
         RETURNING unit_id, sub_item_id, exercised, note, claimed_by, claimed_at, inspection",
    )?;
    let mut found: Vec<(Claim, bool)> = del
        .query_map(params![unit_id, ids], |r| {
            Ok((from_row(r)?, r.get::<_, bool>(6)?))
        })?
        .collect::<Result<_, _>>()?;
    in_given_order(&mut found, sub_item_ids, |(c, _)| c.sub_item_id);
    let (mut exercised, mut required) = (0, 0);
    let mut removed = Vec::with_capacity(found.len());
    for (c, inspection) in found {
        exercised += c.exercised as i64;
        required += (c.exercised && inspection) as i64;
        removed.push(c);
    }
    if !removed.is_empty() {
        count(
            conn,
            unit_id,
            -(removed.len() as i64),
            -exercised,
            -required,
        )?;
        recount(conn, unit_id)?;
    }
    Ok(removed)
}

/// Sets 是否行使 on the unit's claims; returns the ids whose value changed.
pub fn set_exercised(
    conn: &Connection,
    unit_id: Id,
    sub_item_ids: &[Id],
    exercised: bool,
) -> Result<Vec<Id>, StoreError> {
    let ids = serde_json::to_string(sub_item_ids).unwrap_or_default();
    let mut stmt = conn.prepare_cached(
        "UPDATE claims SET exercised = ?3
          WHERE unit_id = ?1 AND sub_item_id IN (SELECT j.value FROM json_each(?2) j)
            AND exercised <> ?3
         RETURNING sub_item_id, inspection",
    )?;
    let mut found: Vec<(Id, bool)> = stmt
        .query_map(params![unit_id, ids, exercised], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    in_given_order(&mut found, sub_item_ids, |(id, _)| *id);
    let inspections = found.iter().filter(|(_, i)| *i).count() as i64;
    let changed: Vec<Id> = found.into_iter().map(|(id, _)| id).collect();
    if !changed.is_empty() {
        let sign = if exercised { 1 } else { -1 };
        count(
            conn,
            unit_id,
            0,
            sign * changed.len() as i64,
            sign * inspections,
        )?;
        recount(conn, unit_id)?;
    }
    Ok(changed)
}

/// Sorts rows by where their sub-item stands in `given`.
fn in_given_order<T>(rows: &mut [T], given: &[Id], id: impl Fn(&T) -> Id) {
    let place: std::collections::HashMap<Id, usize> =
        given.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| place.get(&id(r)).copied().unwrap_or(usize::MAX));
}

/// Inserts claims exactly as given (who, when, 是否行使): undoing an unclaim,
/// and the demo and scale generators. Returns the sub-items inserted; ones
/// already claimed are left as they are. One cheap statement per row, for
/// millions of rows in one transaction.
pub fn insert_claims(conn: &Connection, claims: &[Claim]) -> Result<Vec<Id>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO claims
             (unit_id, sub_item_id, exercised, note, claimed_by, claimed_at, inspection)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6,
                 coalesce((SELECT CASE WHEN category = 'inspection' THEN 1 ELSE 0 END
                           FROM sub_items WHERE id = ?2), 0))
         RETURNING inspection",
    )?;
    let mut restored = Vec::new();
    // Unit → (claimed, exercised, required) added.
    let mut deltas: std::collections::HashMap<Id, (i64, i64, i64)> = Default::default();
    for c in claims {
        let params = params![
            c.unit_id,
            c.sub_item_id,
            c.exercised,
            c.note,
            c.claimed_by,
            c.claimed_at
        ];
        if let Some(inspection) = stmt.query_row(params, |r| r.get::<_, bool>(0)).optional()? {
            restored.push(c.sub_item_id);
            let d = deltas.entry(c.unit_id).or_default();
            d.0 += 1;
            d.1 += c.exercised as i64;
            d.2 += (c.exercised && inspection) as i64;
        }
    }
    for (unit, (n, e, r)) in deltas {
        count(conn, unit, n, e, r)?;
    }
    // Checklists of these claims keep their “counted” flag only if the
    // caller recounts (undo does; generators write checklists after).
    Ok(restored)
}

/// Claims by the other units of the unit's region (共同实施 at the same
/// level): (sub-item, unit name), grouped by sub-item.
pub fn co_claimers(conn: &Connection, unit_id: Id) -> Result<Vec<(Id, String)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT c.sub_item_id, u.name
         FROM units me
         JOIN units u ON u.region_id = me.region_id AND u.id <> me.id
         JOIN claims c ON c.unit_id = u.id
         WHERE me.id = ?1
         ORDER BY c.sub_item_id, u.id",
    )?;
    let rows = stmt.query_map([unit_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn from_row(r: &super::db::Row<'_>) -> super::db::Result<Claim> {
    Ok(Claim {
        unit_id: r.get(0)?,
        sub_item_id: r.get(1)?,
        exercised: r.get(2)?,
        note: r.get(3)?,
        claimed_by: r.get(4)?,
        claimed_at: r.get(5)?,
    })
}

pub fn claim_of(
    conn: &Connection,
    unit_id: Id,
    sub_item_id: Id,
) -> Result<Option<Claim>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT unit_id, sub_item_id, exercised, note, claimed_by, claimed_at FROM claims
             WHERE unit_id = ?1 AND sub_item_id = ?2",
            [unit_id, sub_item_id],
            from_row,
        )
        .optional()?)
}

pub fn claims_of_unit(conn: &Connection, unit_id: Id) -> Result<Vec<Claim>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT unit_id, sub_item_id, exercised, note, claimed_by, claimed_at FROM claims
         WHERE unit_id = ?1 ORDER BY sub_item_id",
    )?;
    let rows = stmt.query_map([unit_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn count_claims(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM claims", [], |r| r.get(0))?)
}

/// Records 认领完成; false if it was already recorded.
pub fn finish(conn: &Connection, unit_id: Id, by: Id, at: Timestamp) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "INSERT OR IGNORE INTO claim_finished (unit_id, finished_at, finished_by) VALUES (?1, ?2, ?3)",
        params![unit_id, at, by],
    )? == 1)
}

/// Removes 认领完成; returns the time it had, if any.
pub fn unfinish(conn: &Connection, unit_id: Id) -> Result<Option<Timestamp>, StoreError> {
    Ok(conn
        .query_row(
            "DELETE FROM claim_finished WHERE unit_id = ?1 RETURNING finished_at",
            [unit_id],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn finished_at(conn: &Connection, unit_id: Id) -> Result<Option<Timestamp>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT finished_at FROM claim_finished WHERE unit_id = ?1",
            [unit_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The units that claim a sub-item (共同实施), with whether they exercise it.
pub fn claimers(conn: &Connection, sub_item_id: Id) -> Result<Vec<(Id, bool)>, StoreError> {
    let mut stmt = conn
        .prepare("SELECT unit_id, exercised FROM claims WHERE sub_item_id = ?1 ORDER BY unit_id")?;
    let rows = stmt.query_map([sub_item_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Figures of one unit for the progress table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnitFigures {
    pub unit_id: Id,
    pub claimed: i64,
    pub exercised: i64,
    pub finished_at: Option<Timestamp>,
    /// Claimed and exercised 行政检查 sub-items: each needs a checklist
    /// (a claim marked 不行使 needs none). The checklist counts below are
    /// of these only.
    pub required: i64,
    pub draft: i64,
    pub complete: i64,
    pub filed: i64,
    /// When the last checklist was filed (with all filed: when they were done).
    pub last_filed_at: Option<Timestamp>,
}

/// Claim and checklist figures for every unit: the counts kept as the
/// rows change (`unit_progress`), and for a unit that has filed, when its
/// last checklist was (an index seek).
pub fn unit_figures(conn: &Connection) -> Result<Vec<UnitFigures>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT u.id,
                coalesce(p.claimed, 0), coalesce(p.exercised, 0), f.finished_at,
                coalesce(p.required, 0), coalesce(p.draft, 0), coalesce(p.complete, 0),
                coalesce(p.filed, 0),
                CASE WHEN p.filed > 0 THEN
                    (SELECT max(k.updated_at) FROM checklists k
                      WHERE k.unit_id = u.id AND k.counted = 1 AND k.state = 'filed')
                END
         FROM units u
         LEFT JOIN unit_progress p ON p.unit_id = u.id
         LEFT JOIN claim_finished f ON f.unit_id = u.id
         ORDER BY u.region_id, u.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(UnitFigures {
            unit_id: r.get(0)?,
            claimed: r.get(1)?,
            exercised: r.get(2)?,
            finished_at: r.get(3)?,
            required: r.get(4)?,
            draft: r.get(5)?,
            complete: r.get(6)?,
            filed: r.get(7)?,
            last_filed_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Units whose kept progress counts differ from their rows (none in a
/// sound file).
pub fn progress_count_mismatches(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM units u
         LEFT JOIN unit_progress p ON p.unit_id = u.id
         LEFT JOIN (SELECT unit_id, count(*) AS claimed, sum(exercised) AS exercised,
                           sum(exercised * inspection) AS required
                      FROM claims GROUP BY unit_id) c ON c.unit_id = u.id
         LEFT JOIN (SELECT unit_id, sum(CASE WHEN state = 'draft' THEN 1 ELSE 0 END) AS draft,
                           sum(CASE WHEN state = 'complete' THEN 1 ELSE 0 END) AS complete,
                           sum(CASE WHEN state = 'filed' THEN 1 ELSE 0 END) AS filed
                      FROM checklists WHERE counted <> 0 GROUP BY unit_id) k ON k.unit_id = u.id
         WHERE coalesce(p.claimed, 0) <> coalesce(c.claimed, 0)
            OR coalesce(p.exercised, 0) <> coalesce(c.exercised, 0)
            OR coalesce(p.required, 0) <> coalesce(c.required, 0)
            OR coalesce(p.draft, 0) <> coalesce(k.draft, 0)
            OR coalesce(p.complete, 0) <> coalesce(k.complete, 0)
            OR coalesce(p.filed, 0) <> coalesce(k.filed, 0)",
        [],
        |r| r.get(0),
    )?)
}

/// Adds a claim write's deltas to the unit's kept counts (`unit_progress`).
fn count(
    conn: &Connection,
    unit_id: Id,
    claimed: i64,
    exercised: i64,
    required: i64,
) -> Result<(), StoreError> {
    // PostgreSQL keeps these by trigger, as the tables' owner: an
    // operator's role may not write them (`store::postgres::roles`).
    if conn.is_postgres() {
        return Ok(());
    }
    conn.prepare_cached("INSERT OR IGNORE INTO unit_progress (unit_id) VALUES (?1)")?
        .execute([unit_id])?;
    conn.prepare_cached(
        "UPDATE unit_progress SET claimed = claimed + ?2, exercised = exercised + ?3,
                required = required + ?4
         WHERE unit_id = ?1",
    )?
    .execute(params![unit_id, claimed, exercised, required])?;
    Ok(())
}

/// Sets the “counted” flag of the unit's checklists from its claims after
/// a claim write (the few checklists of one unit, each one probe).
pub fn recount(conn: &Connection, unit_id: Id) -> Result<(), StoreError> {
    // By trigger on PostgreSQL, as `count`.
    if conn.is_postgres() {
        return Ok(());
    }
    conn.prepare_cached(
        "UPDATE checklists SET counted = 1 - counted
         WHERE unit_id = ?1 AND counted <> CASE WHEN EXISTS (
             SELECT 1 FROM claims c
              WHERE c.unit_id = checklists.unit_id AND c.sub_item_id = checklists.sub_item_id
                AND c.exercised <> 0 AND c.inspection <> 0) THEN 1 ELSE 0 END",
    )?
    .execute([unit_id])?;
    Ok(())
}

/// Checklists whose “counted” flag disagrees with their claim (none in a
/// sound file).
pub fn counted_flag_mismatches(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM checklists k
         WHERE k.counted <> CASE WHEN EXISTS (
             SELECT 1 FROM claims c
              WHERE c.unit_id = k.unit_id AND c.sub_item_id = k.sub_item_id
                AND c.exercised <> 0 AND c.inspection <> 0) THEN 1 ELSE 0 END",
        [],
        |r| r.get(0),
    )?)
}

/// Claims whose 行政检查 flag disagrees with their item's category (none
/// in a sound file).
pub fn inspection_flag_mismatches(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM claims c JOIN sub_items s ON s.id = c.sub_item_id
         WHERE c.inspection <> CASE WHEN s.category = 'inspection' THEN 1 ELSE 0 END",
        [],
        |r| r.get(0),
    )?)
}

/// A claim as the progress of a past day needs it: (unit, sub-item,
/// exercised, claimed at, 行政检查).
pub type ClaimFacts = (Id, Id, bool, Timestamp, bool);

/// Every claim's facts.
pub fn all_for_progress(conn: &Connection) -> Result<Vec<ClaimFacts>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT unit_id, sub_item_id, exercised, claimed_at, inspection FROM claims")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every 认领完成: (unit, when).
pub fn all_finished(conn: &Connection) -> Result<Vec<(Id, Timestamp)>, StoreError> {
    let mut stmt = conn.prepare("SELECT unit_id, finished_at FROM claim_finished")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Claims of sub-items whose 监管层级 leaves out the claiming unit's level
/// (made before the rule, or by other tools): (unit, sub-item code).
pub fn outside_level(conn: &Connection) -> Result<Vec<(Id, String)>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT c.unit_id, s.code
         FROM claims c JOIN sub_items s ON s.id = c.sub_item_id
         JOIN units u ON u.id = c.unit_id JOIN regions r ON r.id = u.region_id
         WHERE NOT {}
         ORDER BY s.code, c.unit_id",
        super::catalogue::admits_level_sql("r.level")
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
