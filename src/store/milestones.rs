//! Milestones (时间节点).

use super::db::{Connection, OptionalExtension, params};
use super::{Conflict, ConflictRow, StoreError, key};
use crate::domain::{Audience, Id, Milestone, Timestamp};

pub fn insert(
    conn: &Connection,
    key_: &str,
    name: &str,
    audience: Audience,
    due_at: Timestamp,
    at: Timestamp,
) -> Result<Id, StoreError> {
    Ok(conn.insert(
        "INSERT INTO milestones (key, name, audience, due_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![key_, name, audience.key(), due_at, at])?)
}

const COLUMNS: &str = "id, key, name, audience, due_at, version FROM milestones";

fn from_row(r: &super::db::Row<'_>) -> super::db::Result<Milestone> {
    Ok(Milestone {
        id: r.get(0)?,
        key: r.get(1)?,
        name: r.get(2)?,
        audience: key(r, 3)?,
        due_at: r.get(4)?,
        version: r.get(5)?,
    })
}

pub fn list(conn: &Connection) -> Result<Vec<Milestone>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} ORDER BY due_at, id"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn by_key(conn: &Connection, k: &str) -> Result<Milestone, StoreError> {
    conn.query_row(&format!("SELECT {COLUMNS} WHERE key = ?1"), [k], from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("时间节点“{k}”")))
}

/// Compare-and-swap change of the due time.
pub fn set_due(
    conn: &Connection,
    id: Id,
    due_at: Timestamp,
    expected_version: i64,
    by: Id,
    at: Timestamp,
) -> Result<Milestone, StoreError> {
    let n = conn.execute(
        "UPDATE milestones SET due_at = ?3, updated_at = ?4, updated_by = ?5, version = version + 1
         WHERE id = ?1 AND version = ?2",
        params![id, expected_version, due_at, at, by],
    )?;
    let current = conn.query_row(&format!("SELECT {COLUMNS} WHERE id = ?1"), [id], from_row)?;
    if n == 0 {
        let (saved_at, saved_by): (Timestamp, Option<Id>) = conn.query_row(
            "SELECT updated_at, updated_by FROM milestones WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        return Err(StoreError::Conflict(Box::new(Conflict {
            expected_version,
            saved_by: match saved_by {
                Some(a) => super::accounts::describe(conn, a)?,
                None => "初始设置".into(),
            },
            saved_at,
            current: ConflictRow::Milestone(current),
        })));
    }
    Ok(current)
}
