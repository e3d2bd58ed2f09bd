//! Inspection checklists (检查实施清单).

use super::db::Value;
use super::db::{Connection, OptionalExtension, params_from_iter};
use super::{Conflict, ConflictRow, StoreError, key, opt_key};
use crate::domain::{Checklist, ChecklistFields, ChecklistState, Id, Level, Timestamp};

/// Where a new checklist's text came from (共享复用).
#[derive(Debug, Clone, Copy, Default)]
pub struct Source {
    pub id: Option<Id>,
    pub version: Option<i64>,
}

/// The columns of the eleven items (after 行使层级), in the order of
/// `field_values`.
const FIELD_COLUMNS: &str = "item_code, subject_name, subject_code, entrust_name, entrust_code,
    target_main, target_sub, inspection_kind, methods, random_included, random_ratio,
    random_frequency, content, sampling, sampling_content, cooperation, cooperation_org";

fn field_values(f: &ChecklistFields) -> [Value; 17] {
    [
        f.item_code.clone().into(),
        f.subject_name.clone().into(),
        f.subject_code.clone().into(),
        f.entrust_name.clone().into(),
        f.entrust_code.clone().into(),
        f.target_main.clone().into(),
        f.target_sub.clone().into(),
        f.inspection_kind.map(|k| k.key().to_string()).into(),
        serde_json::to_string(&f.methods)
            .unwrap_or_else(|_| "[]".into())
            .into(),
        f.random_included.into(),
        f.random_ratio.clone().into(),
        f.random_frequency.clone().into(),
        f.content.clone().into(),
        f.sampling.into(),
        f.sampling_content.clone().into(),
        f.cooperation.into(),
        f.cooperation_org.clone().into(),
    ]
}

/// A checklist to insert.
pub struct NewChecklist<'a> {
    pub sub_item_id: Id,
    pub unit_id: Id,
    pub level: Level,
    pub fields: &'a ChecklistFields,
    pub state: ChecklistState,
    pub source: Source,
    pub by: Id,
    pub at: Timestamp,
}

pub fn insert(conn: &Connection, c: &NewChecklist<'_>) -> Result<Id, StoreError> {
    let head: [Value; 3] = [
        c.sub_item_id.into(),
        c.unit_id.into(),
        c.level.key().to_string().into(),
    ];
    let tail: [Value; 5] = [
        c.state.key().to_string().into(),
        c.source.id.into(),
        c.source.version.into(),
        c.at.into(),
        c.by.into(),
    ];
    let placeholders = vec!["?"; 3 + 17 + 5].join(", ");
    Ok(conn.insert(
        &format!(
        "INSERT INTO checklists (sub_item_id, unit_id, level, {FIELD_COLUMNS}, state, source_id,
                                 source_version, updated_at, updated_by)
         VALUES ({placeholders})"
    ),
        params_from_iter(head.into_iter().chain(field_values(c.fields)).chain(tail)),
    )?)
}

const COLUMNS: &str = "id, sub_item_id, unit_id, level, item_code, subject_name, subject_code,
    entrust_name, entrust_code, target_main, target_sub, inspection_kind, methods,
    random_included, random_ratio, random_frequency, content, sampling, sampling_content,
    cooperation, cooperation_org, state, source_id, source_version, version, updated_at,
    updated_by FROM checklists";

fn from_row(r: &super::db::Row<'_>) -> super::db::Result<Checklist> {
    from_row_at(r, 0)
}

/// A checklist whose columns (as `COLUMNS` lists them) start at `b`.
fn from_row_at(r: &super::db::Row<'_>, b: usize) -> super::db::Result<Checklist> {
    let methods: String = r.get(b + 12)?;
    Ok(Checklist {
        id: r.get(b)?,
        sub_item_id: r.get(b + 1)?,
        unit_id: r.get(b + 2)?,
        fields: ChecklistFields {
            level: Some(key(r, b + 3)?),
            item_code: r.get(b + 4)?,
            subject_name: r.get(b + 5)?,
            subject_code: r.get(b + 6)?,
            entrust_name: r.get(b + 7)?,
            entrust_code: r.get(b + 8)?,
            target_main: r.get(b + 9)?,
            target_sub: r.get(b + 10)?,
            inspection_kind: opt_key(r, b + 11)?,
            methods: serde_json::from_str(&methods).unwrap_or_default(),
            random_included: r.get(b + 13)?,
            random_ratio: r.get(b + 14)?,
            random_frequency: r.get(b + 15)?,
            content: r.get(b + 16)?,
            sampling: r.get(b + 17)?,
            sampling_content: r.get(b + 18)?,
            cooperation: r.get(b + 19)?,
            cooperation_org: r.get(b + 20)?,
        },
        state: key(r, b + 21)?,
        source_id: r.get(b + 22)?,
        source_version: r.get(b + 23)?,
        version: r.get(b + 24)?,
        updated_at: r.get(b + 25)?,
        updated_by: r.get(b + 26)?,
    })
}

pub fn get(conn: &Connection, id: Id) -> Result<Checklist, StoreError> {
    conn.query_row(&format!("SELECT {COLUMNS} WHERE id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("检查实施清单（编号 {id}）")))
}

pub fn find(
    conn: &Connection,
    sub_item_id: Id,
    unit_id: Id,
) -> Result<Option<Checklist>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} WHERE sub_item_id = ?1 AND unit_id = ?2"),
            [sub_item_id, unit_id],
            from_row,
        )
        .optional()?)
}

pub fn list_for_unit(conn: &Connection, unit_id: Id) -> Result<Vec<Checklist>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} WHERE unit_id = ?1 ORDER BY id"))?;
    let rows = stmt.query_map([unit_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM checklists", [], |r| r.get(0))?)
}

/// Compare-and-swap save: writes only if the row is still at
/// `expected_version`; otherwise returns a conflict with the current row and
/// who saved it. `source`: the upper-level checklist the text now follows (共享复用), or
/// the one it had when None.
#[allow(clippy::too_many_arguments)]
pub fn update(
    conn: &Connection,
    id: Id,
    f: &ChecklistFields,
    state: ChecklistState,
    source: Option<Source>,
    expected_version: i64,
    by: Id,
    at: Timestamp,
) -> Result<Checklist, StoreError> {
    let assignments: Vec<String> = FIELD_COLUMNS
        .split(',')
        .map(|c| format!("{} = ?", c.trim()))
        .collect();
    let (source_sql, source_values): (&str, Vec<Value>) = match source {
        Some(src) => (
            "source_id = ?, source_version = ?,",
            vec![src.id.into(), src.version.into()],
        ),
        None => ("", vec![]),
    };
    let state: Value = state.key().to_string().into();
    let tail: [Value; 4] = [at.into(), by.into(), id.into(), expected_version.into()];
    let n = conn
        .prepare_cached(&format!(
            "UPDATE checklists SET {}, state = ?, {source_sql}
                 updated_at = ?, updated_by = ?, version = version + 1
             WHERE id = ? AND version = ?",
            assignments.join(", ")
        ))?
        .execute(params_from_iter(
            field_values(f)
                .into_iter()
                .chain([state])
                .chain(source_values)
                .chain(tail),
        ))?;
    let current = get(conn, id)?;
    if n == 0 {
        return Err(StoreError::Conflict(Box::new(Conflict {
            expected_version,
            saved_by: super::accounts::describe(conn, current.updated_by)?,
            saved_at: current.updated_at,
            current: ConflictRow::Checklist(Box::new(current)),
        })));
    }
    Ok(current)
}

/// Which units a listing covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Unit(Id),
    /// Every unit of a region (a county, or the city's own units).
    Region(Id),
    All,
}

impl Scope {
    fn condition(self, column: &str) -> (String, Option<Id>) {
        match self {
            Scope::Unit(id) => (format!("{column} = ?1"), Some(id)),
            Scope::Region(id) => (
                format!("{column} IN (SELECT id FROM units WHERE region_id = ?1)"),
                Some(id),
            ),
            Scope::All => ("CAST(?1 AS BIGINT) IS NULL".into(), None),
        }
    }
}

/// A checklist a unit needs: a claimed 行政检查 sub-item that the unit
/// exercises (不行使 needs none), with the checklist
/// if one has been started.
#[derive(Debug, Clone)]
pub struct Required {
    pub unit_id: Id,
    pub sub_item_id: Id,
    pub sub_code: String,
    pub sub_name: String,
    pub target: String,
    pub classified: bool,
    pub checklist: Option<Checklist>,
}

/// Every required checklist of the scope, by unit and sub-item code.
pub fn required(conn: &Connection, scope: Scope) -> Result<Vec<Required>, StoreError> {
    let mut out = Vec::new();
    for_each_required(conn, scope, &mut |r| {
        out.push(r);
        true
    })?;
    Ok(out)
}

/// Hands every required checklist of the scope to `f`, by unit and
/// sub-item code, in one read; `f` returns false to stop.
pub fn for_each_required(
    conn: &Connection,
    scope: Scope,
    f: &mut dyn FnMut(Required) -> bool,
) -> Result<(), StoreError> {
    let (cond, param) = scope.condition("c.unit_id");
    let columns = COLUMNS
        .trim_end_matches(" FROM checklists")
        .split(',')
        .map(|c| format!("k.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn.prepare(&format!(
        "SELECT c.unit_id, s.id, s.code, s.target, s.classified, s.name, {columns}
         FROM claims c JOIN sub_items s ON s.id = c.sub_item_id
         LEFT JOIN checklists k ON k.sub_item_id = c.sub_item_id AND k.unit_id = c.unit_id
         WHERE s.category = 'inspection' AND c.exercised <> 0 AND {cond}
         ORDER BY c.unit_id, s.code"
    ))?;
    let mut rows = stmt.query([param])?;
    while let Some(r) = rows.next()? {
        let started: Option<Id> = r.get(6)?;
        let req = Required {
            unit_id: r.get(0)?,
            sub_item_id: r.get(1)?,
            sub_code: r.get(2)?,
            sub_name: r.get(5)?,
            target: r.get(3)?,
            classified: r.get(4)?,
            checklist: match started {
                Some(_) => Some(from_row_at(&r, 6)?),
                None => None,
            },
        };
        if !f(req) {
            break;
        }
    }
    Ok(())
}

/// The state of each of a unit's checklists, by sub-item.
pub fn states_of_unit(
    conn: &Connection,
    unit_id: Id,
) -> Result<std::collections::HashMap<Id, ChecklistState>, StoreError> {
    let mut stmt = conn.prepare("SELECT sub_item_id, state FROM checklists WHERE unit_id = ?1")?;
    let rows = stmt.query_map([unit_id], |r| Ok((r.get(0)?, key(r, 1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The checklists of a sub-item kept by units of the given regions (the
/// upper levels of a county: its city, the province), complete or filed:
/// what a lower level may reuse (共享复用).
pub fn reusable(
    conn: &Connection,
    sub_item_id: Id,
    region_ids: &[Id],
) -> Result<Vec<Checklist>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}
         WHERE sub_item_id = ?1 AND state IN ('complete', 'filed')
           AND unit_id IN (SELECT u.id FROM units u, json_each(?2) j WHERE u.region_id = j.value)
         ORDER BY level, unit_id"
    ))?;
    let regions = serde_json::to_string(region_ids).unwrap_or_default();
    let rows = stmt.query_map(super::db::params![sub_item_id, regions], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Checklists filed per day (Beijing time, “2019-05-20”), oldest first: the
/// city's trend. A checklist counts on the day of its last save as filed.
pub fn filed_per_day(conn: &Connection) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} AS day, count(*)
         FROM checklists WHERE state = 'filed' GROUP BY day ORDER BY day",
        conn.local_day("updated_at")
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A checklist's facts for progress: (id, unit, sub-item, state, last saved).
pub type ChecklistFacts = (Id, Id, Id, ChecklistState, Timestamp);

/// Every checklist's facts.
pub fn all_states(conn: &Connection) -> Result<Vec<ChecklistFacts>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT id, unit_id, sub_item_id, state, updated_at FROM checklists")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, key(r, 3)?, r.get(4)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Puts a unit's new name and code into one of its checklists' 实施主体,
/// with the state they earn, keeping the version: 实施主体 is the unit's,
/// re-applied at every save, so a form or an exported file based on the
/// version before still saves what its operator wrote.
pub fn set_subject(
    conn: &Connection,
    id: Id,
    name: &str,
    code: &str,
    state: ChecklistState,
) -> Result<Checklist, StoreError> {
    conn.execute(
        "UPDATE checklists SET subject_name = ?2, subject_code = ?3, state = ?4 WHERE id = ?1",
        super::db::params![id, name, code, state.key()],
    )?;
    get(conn, id)
}
