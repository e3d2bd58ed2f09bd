//! Regions (区划) and units (单位).

use super::db::{Connection, OptionalExtension, params};
use super::{StoreError, key};
use crate::domain::permission::UnitRef;
use crate::domain::{Id, Level, Region, Unit, UnitCategory};

pub fn insert_region(
    conn: &Connection,
    code: &str,
    name: &str,
    level: Level,
    parent_id: Option<Id>,
) -> Result<Id, StoreError> {
    Ok(conn.insert(
        "INSERT INTO regions (code, name, level, parent_id) VALUES (?1, ?2, ?3, ?4)",
        params![code, name, level.key(), parent_id],
    )?)
}

fn region_from_row(r: &super::db::Row<'_>) -> super::db::Result<Region> {
    Ok(Region {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        level: key(r, 3)?,
        parent_id: r.get(4)?,
    })
}

pub fn list_regions(conn: &Connection) -> Result<Vec<Region>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT id, code, name, level, parent_id FROM regions ORDER BY code")?;
    let rows = stmt.query_map([], region_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A region by its 6-digit code or its name.
pub fn find_region(conn: &Connection, code_or_name: &str) -> Result<Option<Region>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, code, name, level, parent_id FROM regions WHERE code = ?1 OR name = ?1",
            [code_or_name.trim()],
            region_from_row,
        )
        .optional()?)
}

pub struct NewUnit<'a> {
    pub name: &'a str,
    pub category: UnitCategory,
    pub region_id: Id,
    pub uscc: Option<&'a str>,
    pub counterparts: &'a [String],
}

pub fn insert_unit(conn: &Connection, u: &NewUnit<'_>) -> Result<Id, StoreError> {
    Ok(conn.insert(
        "INSERT INTO units (name, category, region_id, uscc, counterparts) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            u.name,
            u.category.key(),
            u.region_id,
            u.uscc,
            u.counterparts.join("\n")
        ])?)
}

const UNIT_COLUMNS: &str =
    "u.id, u.name, u.category, u.region_id, r.name, r.level, u.uscc, u.counterparts, u.version
     FROM units u JOIN regions r ON r.id = u.region_id";

fn unit_from_row(r: &super::db::Row<'_>) -> super::db::Result<Unit> {
    let counterparts: String = r.get(7)?;
    Ok(Unit {
        id: r.get(0)?,
        name: r.get(1)?,
        category: key(r, 2)?,
        region_id: r.get(3)?,
        region_name: r.get(4)?,
        region_level: key(r, 5)?,
        uscc: r.get(6)?,
        counterparts: counterparts
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        version: r.get(8)?,
    })
}

pub fn unit(conn: &Connection, id: Id) -> Result<Unit, StoreError> {
    conn.query_row(
        &format!("SELECT {UNIT_COLUMNS} WHERE u.id = ?1"),
        [id],
        unit_from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("单位（编号 {id}）")))
}

pub fn unit_ref(conn: &Connection, id: Id) -> Result<UnitRef, StoreError> {
    let u = unit(conn, id)?;
    Ok(UnitRef {
        id: u.id,
        region_id: u.region_id,
        level: u.region_level,
    })
}

/// Units whose name, or region name + name, is `name` (e.g. “市场监督管理局”
/// at the city, or “金水区市场监督管理局”).
pub fn find_units(conn: &Connection, name: &str) -> Result<Vec<Unit>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {UNIT_COLUMNS} WHERE u.name = ?1 OR r.name || u.name = ?1 ORDER BY r.code, u.id"
    ))?;
    let rows = stmt.query_map([name.trim()], unit_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn list_units(conn: &Connection) -> Result<Vec<Unit>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {UNIT_COLUMNS} ORDER BY r.code, u.id"))?;
    let rows = stmt.query_map([], unit_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The unit that carries a 统一社会信用代码, if any.
pub fn by_uscc(conn: &Connection, uscc: &str) -> Result<Option<Unit>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {UNIT_COLUMNS} WHERE u.uscc = ?1"),
            [uscc],
            unit_from_row,
        )
        .optional()?)
}

/// The units of one region, by id.
pub fn units_of_region(conn: &Connection, region_id: Id) -> Result<Vec<Unit>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {UNIT_COLUMNS} WHERE u.region_id = ?1 ORDER BY u.id"
    ))?;
    let rows = stmt.query_map([region_id], unit_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What `update_unit` writes.
pub struct UnitChange<'a> {
    pub name: &'a str,
    pub category: UnitCategory,
    pub uscc: Option<&'a str>,
    pub counterparts: &'a [String],
}

/// Changes a unit's name, code and counterparts, compare-and-swap on its
/// version; returns the unit as saved.
pub fn update_unit(
    conn: &Connection,
    id: Id,
    change: &UnitChange<'_>,
    expected_version: i64,
) -> Result<Unit, StoreError> {
    let n = conn.execute(
        "UPDATE units SET name = ?2, uscc = ?3, counterparts = ?4, category = ?6,
                          version = version + 1
         WHERE id = ?1 AND version = ?5",
        params![
            id,
            change.name,
            change.uscc,
            change.counterparts.join("\n"),
            expected_version,
            change.category.key()
        ],
    )?;
    if n == 0 {
        let current = unit(conn, id)?;
        return Err(StoreError::NotFound(format!(
            "单位“{}”的版本 {expected_version}（当前为 {}，已被他人修改）",
            current.full_name(),
            current.version
        )));
    }
    unit(conn, id)
}

/// A fact about the database (the `meta` table).
pub fn meta(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

pub fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

/// True when `init --demo` made this database.
pub fn is_demo(conn: &Connection) -> Result<bool, StoreError> {
    Ok(meta(conn, "demo")?.as_deref() == Some("1"))
}

pub fn count_units(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM units", [], |r| r.get(0))?)
}

/// The regions above a region (its city, its province …), nearest first.
pub fn ancestor_regions(conn: &Connection, region_id: Id) -> Result<Vec<Id>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE up(id, depth) AS (
             SELECT parent_id, 1 FROM regions WHERE id = ?1 AND parent_id IS NOT NULL
             UNION ALL
             SELECT r.parent_id, depth + 1 FROM regions r JOIN up ON r.id = up.id
             WHERE r.parent_id IS NOT NULL
         )
         SELECT id FROM up ORDER BY depth",
    )?;
    let rows = stmt.query_map([region_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
