//! Daily progress reports (进度通报): what each said, so the next one can
//! show the change.

use super::StoreError;
use super::db::{Connection, OptionalExtension, params};
use crate::domain::{Id, Timestamp};

/// A report as kept: its time, and each unit's (rank, per mille).
pub type Kept = (Timestamp, std::collections::HashMap<Id, (i64, i64)>);

/// The latest report of a time before `before` (the baseline of a report:
/// the latest of an earlier calendar day).
pub fn last_report_before(
    conn: &Connection,
    before: Timestamp,
) -> Result<Option<Kept>, StoreError> {
    let Some((id, as_of)): Option<(Id, Timestamp)> = conn
        .query_row(
            "SELECT id, as_of FROM progress_reports WHERE as_of < ?1
             ORDER BY as_of DESC, id DESC LIMIT 1",
            [before],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = conn.prepare(
        "SELECT unit_id, rank, per_mille FROM progress_report_rows WHERE report_id = ?1",
    )?;
    let rows = stmt.query_map([id], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(Some((as_of, rows.collect::<Result<_, _>>()?)))
}

/// Records a report: its time and each unit's rank and completion.
pub fn record_report(
    conn: &Connection,
    as_of: Timestamp,
    at: Timestamp,
    by: Id,
    rows: &[(Id, i64, i64)],
) -> Result<Id, StoreError> {
    let id = conn.insert(
        "INSERT INTO progress_reports (as_of, taken_at, taken_by) VALUES (?1, ?2, ?3)",
        params![as_of, at, by],
    )?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO progress_report_rows (report_id, unit_id, rank, per_mille) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (unit, rank, pm) in rows {
        stmt.execute(params![id, unit, rank, pm])?;
    }
    Ok(id)
}
