//! The catalogue: main items (主项), sub-items (子项), legal bases (设定依据)
//! and the power list (权责清单).

use super::db::Value;
use super::db::{Connection, OptionalExtension, params, params_from_iter};
use super::{StoreError, key, opt_key};
use crate::domain::{
    BasisKind, BasisStatus, Id, ItemStatus, LegalBasis, Level, MainItem, PowerListEntry, SubItem,
    Timestamp,
};

/// Inserts a main item (its `id` and `version` are ignored).
pub fn insert_main_item(conn: &Connection, m: &MainItem, at: Timestamp) -> Result<Id, StoreError> {
    Ok(conn.insert(
        "INSERT INTO main_items (code, name, department, permit_name, permit_type, permit_code,
                                 source, status, owner_unit_id, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            m.code,
            m.name,
            m.department,
            m.permit_name,
            m.permit_type.map(|t| t.key()),
            m.permit_code,
            m.source.key(),
            m.status.key(),
            m.owner_unit_id,
            at
        ],
    )?)
}

fn levels_text(levels: &[Level]) -> String {
    levels.iter().map(|l| l.key()).collect::<Vec<_>>().join(",")
}

fn parse_levels(text: &str) -> Vec<Level> {
    text.split(',').filter_map(Level::from_key).collect()
}

/// The stored columns of a sub-item, in `SUB_WRITE_COLUMNS` order.
fn sub_values(s: &SubItem, at: Timestamp) -> [Value; 13] {
    [
        s.code.clone().into(),
        s.main_item_id.into(),
        s.name.clone().into(),
        s.category.key().to_string().into(),
        s.target.clone().into(),
        s.measures.clone().into(),
        s.basis_text.clone().into(),
        s.process.clone().into(),
        s.result.clone().into(),
        levels_text(&s.levels).into(),
        s.classified.into(),
        s.status.key().to_string().into(),
        at.into(),
    ]
}

const SUB_WRITE_COLUMNS: &str = "code, main_item_id, name, category, target, measures, basis_text,
    process, result, levels, classified, status, updated_at";

/// Inserts a sub-item (its `id` and `version` are ignored).
pub fn insert_sub_item(conn: &Connection, s: &SubItem, at: Timestamp) -> Result<Id, StoreError> {
    Ok(conn.insert(
        &format!(
            "INSERT INTO sub_items ({SUB_WRITE_COLUMNS}) VALUES ({})",
            vec!["?"; 13].join(", ")
        ),
        params_from_iter(sub_values(s, at)),
    )?)
}

const MAIN_COLUMNS: &str = "id, code, name, department, permit_name, permit_type, permit_code,
     source, status, owner_unit_id, version FROM main_items";

fn main_from_row(r: &super::db::Row<'_>) -> super::db::Result<MainItem> {
    Ok(MainItem {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        department: r.get(3)?,
        permit_name: r.get(4)?,
        permit_type: opt_key(r, 5)?,
        permit_code: r.get(6)?,
        source: key(r, 7)?,
        status: key(r, 8)?,
        owner_unit_id: r.get(9)?,
        version: r.get(10)?,
    })
}

pub fn main_item(conn: &Connection, id: Id) -> Result<MainItem, StoreError> {
    conn.query_row(
        &format!("SELECT {MAIN_COLUMNS} WHERE id = ?1"),
        [id],
        main_from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("监管事项主项（编号 {id}）")))
}

pub fn main_item_by_code(conn: &Connection, code: &str) -> Result<Option<MainItem>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {MAIN_COLUMNS} WHERE code = ?1 OR provisional_code = ?1"),
            [code.trim()],
            main_from_row,
        )
        .optional()?)
}

const SUB_COLUMNS: &str = "id, code, main_item_id, name, category, target, measures, basis_text,
     process, result, levels, classified, status, version FROM sub_items";

fn sub_from_row(r: &super::db::Row<'_>) -> super::db::Result<SubItem> {
    Ok(SubItem {
        id: r.get(0)?,
        code: r.get(1)?,
        main_item_id: r.get(2)?,
        name: r.get(3)?,
        category: key(r, 4)?,
        target: r.get(5)?,
        measures: r.get(6)?,
        basis_text: r.get(7)?,
        process: r.get(8)?,
        result: r.get(9)?,
        levels: parse_levels(&r.get::<_, String>(10)?),
        classified: r.get(11)?,
        status: key(r, 12)?,
        version: r.get(13)?,
    })
}

pub fn sub_item(conn: &Connection, id: Id) -> Result<SubItem, StoreError> {
    conn.query_row(
        &format!("SELECT {SUB_COLUMNS} WHERE id = ?1"),
        [id],
        sub_from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("监管事项子项（编号 {id}）")))
}

pub fn sub_item_by_code(conn: &Connection, code: &str) -> Result<Option<SubItem>, StoreError> {
    // Cached: a codes file asks this for every line.
    // An entered local item's DF code still finds it (old files, habits).
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUB_COLUMNS} WHERE code = ?1 OR provisional_code = ?1"
    ))?;
    Ok(stmt.query_row([code.trim()], sub_from_row).optional()?)
}

pub fn sub_items_of(conn: &Connection, main_item_id: Id) -> Result<Vec<SubItem>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {SUB_COLUMNS} WHERE main_item_id = ?1 ORDER BY code"
    ))?;
    let rows = stmt.query_map([main_item_id], sub_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Ids of the 行政检查 sub-items among `ids`.
pub fn inspection_sub_item_ids(conn: &Connection) -> Result<Vec<Id>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT id FROM sub_items WHERE category = 'inspection' ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Finds a basis by title and article, or inserts it. Returns its id.
pub fn upsert_basis(
    conn: &Connection,
    title: &str,
    kind: BasisKind,
    article: &str,
    excerpt: &str,
) -> Result<Id, StoreError> {
    if let Some(id) = basis_id(conn, title, article)? {
        return Ok(id);
    }
    Ok(conn.insert(
        "INSERT INTO legal_bases (title, kind, article, excerpt) VALUES (?1, ?2, ?3, ?4)",
        params![title, kind.key(), article, excerpt],
    )?)
}

pub fn link_basis(conn: &Connection, sub_item_id: Id, basis_id: Id) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO sub_item_bases (sub_item_id, basis_id) VALUES (?1, ?2)",
    )?
    .execute([sub_item_id, basis_id])?;
    Ok(())
}

const BASIS_COLUMNS: &str = "b.id, b.title, b.kind, b.article, b.excerpt, b.status, b.version";

fn basis_from_row(r: &super::db::Row<'_>) -> super::db::Result<LegalBasis> {
    Ok(LegalBasis {
        id: r.get(0)?,
        title: r.get(1)?,
        kind: key(r, 2)?,
        article: r.get(3)?,
        excerpt: r.get(4)?,
        status: key(r, 5)?,
        version: r.get(6)?,
    })
}

pub fn bases_of_sub_item(
    conn: &Connection,
    sub_item_id: Id,
) -> Result<Vec<LegalBasis>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {BASIS_COLUMNS} FROM legal_bases b JOIN sub_item_bases l ON l.basis_id = b.id
         WHERE l.sub_item_id = ?1 ORDER BY b.id"
    ))?;
    let rows = stmt.query_map([sub_item_id], basis_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn basis(conn: &Connection, id: Id) -> Result<LegalBasis, StoreError> {
    conn.query_row(
        &format!("SELECT {BASIS_COLUMNS} FROM legal_bases b WHERE b.id = ?1"),
        [id],
        basis_from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("设定依据（编号 {id}）")))
}

/// Compare-and-swap: false when the basis is no longer at `expected_version`.
pub fn set_basis_status(
    conn: &Connection,
    id: Id,
    status: BasisStatus,
    expected_version: i64,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE legal_bases SET status = ?2, version = version + 1 WHERE id = ?1 AND version = ?3",
        params![id, status.key(), expected_version],
    )? == 1)
}

/// One row of a basis's impact: a sub-item citing it, with a unit that
/// claims it (None: nobody does), whether it exercises it, and the state
/// of that unit's checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpactRow {
    pub sub_item_id: Id,
    pub sub_code: String,
    pub sub_name: String,
    pub category: crate::domain::Category,
    pub unit_id: Option<Id>,
    pub exercised: Option<bool>,
    pub checklist: Option<crate::domain::ChecklistState>,
    /// A sub-item of a local item (地方监管事项).
    pub local: bool,
}

/// Everything resting on a basis: the sub-items citing it, their claims
/// and the claimers' checklists, by unit then code.
pub fn basis_impact(conn: &Connection, basis_id: Id) -> Result<Vec<ImpactRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.code, s.name, c.unit_id, c.exercised, k.state, s.category,
                EXISTS (SELECT 1 FROM local_items l WHERE l.main_item_id = s.main_item_id)
         FROM sub_item_bases sb JOIN sub_items s ON s.id = sb.sub_item_id
         LEFT JOIN claims c ON c.sub_item_id = s.id
         LEFT JOIN checklists k ON k.sub_item_id = s.id AND k.unit_id = c.unit_id
         WHERE sb.basis_id = ?1
         ORDER BY c.unit_id IS NULL, c.unit_id, s.code",
    )?;
    let rows = stmt.query_map([basis_id], |r| {
        Ok(ImpactRow {
            sub_item_id: r.get(0)?,
            sub_code: r.get(1)?,
            sub_name: r.get(2)?,
            category: key(r, 6)?,
            unit_id: r.get(3)?,
            exercised: r.get(4)?,
            checklist: super::opt_key(r, 5)?,
            local: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn insert_power_entry(
    conn: &Connection,
    code: &str,
    name: &str,
    unit_id: Id,
    kind: &str,
) -> Result<Id, StoreError> {
    Ok(conn.insert(
        "INSERT INTO power_list (code, name, unit_id, kind) VALUES (?1, ?2, ?3, ?4)",
        params![code, name, unit_id, kind],
    )?)
}

/// A unit's power-list entries (权责清单), by code.
pub fn power_entries_of_unit(
    conn: &Connection,
    unit_id: Id,
) -> Result<Vec<PowerListEntry>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, code, name, unit_id, kind FROM power_list WHERE unit_id = ?1 ORDER BY code",
    )?;
    let rows = stmt.query_map([unit_id], power_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn power_from_row(r: &super::db::Row<'_>) -> super::db::Result<PowerListEntry> {
    Ok(PowerListEntry {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        unit_id: r.get(3)?,
        kind: r.get(4)?,
    })
}

pub fn power_entry(conn: &Connection, id: Id) -> Result<PowerListEntry, StoreError> {
    conn.query_row(
        "SELECT id, code, name, unit_id, kind FROM power_list WHERE id = ?1",
        [id],
        power_from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("权责清单事项（编号 {id}）")))
}

/// Row counts of the catalogue, for summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CatalogueCounts {
    pub departments: i64,
    pub main_items: i64,
    pub sub_items: i64,
    pub legal_bases: i64,
    pub power_list: i64,
}

pub fn counts(conn: &Connection) -> Result<CatalogueCounts, StoreError> {
    let one = |sql: &str| -> Result<i64, StoreError> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    Ok(CatalogueCounts {
        departments: one("SELECT count(DISTINCT department) FROM main_items")?,
        main_items: one("SELECT count(*) FROM main_items")?,
        sub_items: one("SELECT count(*) FROM sub_items")?,
        legal_bases: one("SELECT count(*) FROM legal_bases")?,
        power_list: one("SELECT count(*) FROM power_list")?,
    })
}

/// A sub-item that cannot be claimed: its status, name and code.
pub type Unusable = (ItemStatus, String, String);

/// Of these ids, the ones that are not in-use sub-items, with what they
/// are (None: no such sub-item). One statement for a whole bulk claim.
pub fn unusable_sub_items(
    conn: &Connection,
    ids: &[Id],
) -> Result<Vec<(Id, Option<Unusable>)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT j.value, s.status, s.name, s.code
         FROM json_each(?1) j LEFT JOIN sub_items s ON s.id = j.value
         WHERE s.status IS NOT 'in_use'",
    )?;
    let ids = serde_json::to_string(ids).unwrap_or_default();
    let rows = stmt.query_map([ids], |r| {
        let what = match r.get::<_, Option<String>>(1)? {
            None => None,
            Some(_) => Some((key(r, 1)?, r.get(2)?, r.get(3)?)),
        };
        Ok((r.get(0)?, what))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// SQL that is true when sub-item `s` admits a unit of the level `level`
/// (an expression giving a level key): its 监管层级 lists it, or lists
/// nothing. One place for the rule the claims, their check and the
/// explanation of a refusal all apply.
pub(crate) fn admits_level_sql(level: &str) -> String {
    format!("(s.levels = '' OR instr(',' || s.levels || ',', ',' || {level} || ',') > 0)")
}

/// A sub-item whose 监管层级 leaves out a level: (id, code, name, levels).
pub type OutsideLevel = (Id, String, String, Vec<Level>);

/// The sub-items among `ids` whose 监管层级 is given and does not include
/// `level`: a unit of that level may not claim them. An item with no
/// levels recorded is not refused (the catalogue says nothing).
pub fn outside_level(
    conn: &Connection,
    ids: &[Id],
    level: Level,
) -> Result<Vec<OutsideLevel>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.id, s.code, s.name, s.levels
         FROM json_each(?1) j JOIN sub_items s ON s.id = j.value
         WHERE NOT {}
         ORDER BY s.code",
        admits_level_sql("?2")
    ))?;
    let ids = serde_json::to_string(ids).unwrap_or_default();
    let rows = stmt.query_map(super::db::params![ids, level.key()], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            parse_levels(&r.get::<_, String>(3)?),
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Deletes a sub-item nobody claims or has a checklist for; false if it is
/// still referenced.
pub fn delete_unreferenced_sub_item(conn: &Connection, id: Id) -> Result<bool, StoreError> {
    let referenced: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM claims WHERE sub_item_id = ?1)
             OR EXISTS (SELECT 1 FROM checklists WHERE sub_item_id = ?1)",
        [id],
        |r| r.get(0),
    )?;
    if referenced {
        return Ok(false);
    }
    conn.execute("DELETE FROM sub_item_bases WHERE sub_item_id = ?1", [id])?;
    conn.execute("DELETE FROM sub_items WHERE id = ?1", [id])?;
    Ok(true)
}

/// Replaces the bases a sub-item cites.
pub fn set_bases(conn: &Connection, sub_item_id: Id, basis_ids: &[Id]) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM sub_item_bases WHERE sub_item_id = ?1",
        [sub_item_id],
    )?;
    for &b in basis_ids {
        link_basis(conn, sub_item_id, b)?;
    }
    Ok(())
}

/// Main items compiled by the city (source `city`), by code.
pub fn local_main_items(conn: &Connection) -> Result<Vec<MainItem>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {MAIN_COLUMNS} WHERE source = 'city' ORDER BY code"
    ))?;
    let rows = stmt.query_map([], main_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every main item (for imports that compare a whole catalogue).
pub fn all_main_items(conn: &Connection) -> Result<Vec<MainItem>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {MAIN_COLUMNS}"))?;
    let rows = stmt.query_map([], main_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every sub-item.
pub fn all_sub_items(conn: &Connection) -> Result<Vec<SubItem>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {SUB_COLUMNS}"))?;
    let rows = stmt.query_map([], sub_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every (basis id, title, article).
pub fn basis_keys(conn: &Connection) -> Result<Vec<(Id, String, String)>, StoreError> {
    let mut stmt = conn.prepare("SELECT id, title, article FROM legal_bases")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The bases each sub-item cites, sorted.
pub fn all_links(conn: &Connection) -> Result<std::collections::HashMap<Id, Vec<Id>>, StoreError> {
    let mut out: std::collections::HashMap<Id, Vec<Id>> = std::collections::HashMap::new();
    let mut stmt =
        conn.prepare("SELECT sub_item_id, basis_id FROM sub_item_bases ORDER BY 1, 2")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, Id>(0)?, r.get::<_, Id>(1)?)))?;
    for row in rows {
        let (s, b) = row?;
        out.entry(s).or_default().push(b);
    }
    Ok(out)
}

/// Rewrites every field of a main item found by id, bumping its version.
pub fn replace_main_item(conn: &Connection, m: &MainItem, at: Timestamp) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE main_items SET code = ?2, name = ?3, department = ?4, permit_name = ?5,
             permit_type = ?6, permit_code = ?7, source = ?8, status = ?9, updated_at = ?10,
             version = version + 1 WHERE id = ?1",
    )?
    .execute(params![
        m.id,
        m.code,
        m.name,
        m.department,
        m.permit_name,
        m.permit_type.map(|t| t.key()),
        m.permit_code,
        m.source.key(),
        m.status.key(),
        at
    ])?;
    Ok(())
}

/// Rewrites every field of a sub-item found by id, bumping its version.
pub fn replace_sub_item(conn: &Connection, s: &SubItem, at: Timestamp) -> Result<(), StoreError> {
    let assignments: Vec<String> = SUB_WRITE_COLUMNS
        .split(',')
        .map(|c| format!("{} = ?", c.trim()))
        .collect();
    conn.prepare_cached(&format!(
        "UPDATE sub_items SET {}, version = version + 1 WHERE id = ?",
        assignments.join(", ")
    ))?
    .execute(params_from_iter(
        sub_values(s, at).into_iter().chain([Value::from(s.id)]),
    ))?;
    Ok(())
}

/// Claims and checklists that point at these sub-items.
pub fn references(conn: &Connection, sub_item_ids: &[Id]) -> Result<(usize, usize), StoreError> {
    let mut claims = conn.prepare_cached("SELECT count(*) FROM claims WHERE sub_item_id = ?1")?;
    let mut lists =
        conn.prepare_cached("SELECT count(*) FROM checklists WHERE sub_item_id = ?1")?;
    let (mut c, mut l) = (0usize, 0usize);
    for id in sub_item_ids {
        c += claims.query_row([id], |r| r.get::<_, i64>(0))? as usize;
        l += lists.query_row([id], |r| r.get::<_, i64>(0))? as usize;
    }
    Ok((c, l))
}

pub fn power_entry_by_code(
    conn: &Connection,
    unit_id: Id,
    code: &str,
) -> Result<Option<PowerListEntry>, StoreError> {
    let id: Option<Id> = conn
        .query_row(
            "SELECT id FROM power_list WHERE unit_id = ?1 AND code = ?2",
            params![unit_id, code],
            |r| r.get(0),
        )
        .optional()?;
    id.map(|id| power_entry(conn, id)).transpose()
}

pub fn update_power_entry(
    conn: &Connection,
    id: Id,
    name: &str,
    kind: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE power_list SET name = ?2, kind = ?3 WHERE id = ?1",
        params![id, name, kind],
    )?;
    Ok(())
}

/// One sub-item with its main item, as the catalogue tree lists it.
#[derive(Debug, Clone)]
pub struct TreeRow {
    pub department: String,
    pub main_id: Id,
    pub main_code: String,
    pub main_name: String,
    pub source: crate::domain::Source,
    pub sub_id: Id,
    pub sub_code: String,
    pub sub_name: String,
    pub category: crate::domain::Category,
    pub classified: bool,
    pub status: ItemStatus,
    /// 监管层级: which levels' units may claim it.
    pub levels: crate::domain::LevelSet,
}

/// The whole catalogue, by department, main code and sub code. Main items
/// without sub-items are left out: there is nothing to claim in them.
pub fn tree_rows(conn: &Connection) -> Result<Vec<TreeRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT m.department, m.id, m.code, m.name, m.source, s.id, s.code, s.name, s.category,
                s.classified, s.status, s.levels
         FROM sub_items s JOIN main_items m ON m.id = s.main_item_id
         ORDER BY m.department, m.code, s.code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(TreeRow {
            department: r.get(0)?,
            main_id: r.get(1)?,
            main_code: r.get(2)?,
            main_name: r.get(3)?,
            source: key(r, 4)?,
            sub_id: r.get(5)?,
            sub_code: r.get(6)?,
            sub_name: r.get(7)?,
            category: key(r, 8)?,
            classified: r.get(9)?,
            status: key(r, 10)?,
            levels: crate::domain::LevelSet::of(&parse_levels(&r.get::<_, String>(11)?)),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every legal basis.
pub fn all_bases(conn: &Connection) -> Result<Vec<LegalBasis>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {BASIS_COLUMNS} FROM legal_bases b ORDER BY b.id"
    ))?;
    let rows = stmt.query_map([], basis_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The sub-items citing a basis (legal-basis lookup).
pub fn sub_items_citing(conn: &Connection, basis_id: Id) -> Result<Vec<SubItem>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {SUB_COLUMNS} WHERE id IN (SELECT sub_item_id FROM sub_item_bases WHERE basis_id = ?1)
         ORDER BY code"
    ))?;
    let rows = stmt.query_map([basis_id], sub_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Bases whose title, article or excerpt contains `q`: SQLite FTS5 with the
/// trigram tokenizer, or LIKE for queries under three characters.
pub fn bases_containing(conn: &Connection, q: &str) -> Result<Vec<Id>, StoreError> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    // PostgreSQL has no FTS5 table: a scan of the bases (thousands of
    // rows, a province's included) answers as quickly.
    let rows: Vec<Id> = if q.chars().count() >= 3 && !conn.is_postgres() {
        // One phrase: quotes doubled so the query is taken literally.
        let phrase = format!("\"{}\"", q.replace('"', "\"\""));
        let mut stmt = conn
            .prepare_cached("SELECT rowid FROM basis_fts WHERE basis_fts MATCH ?1 ORDER BY rank")?;
        let ids = stmt.query_map([phrase], |r| r.get(0))?;
        ids.collect::<Result<_, _>>()?
    } else {
        let like = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM legal_bases WHERE title LIKE ?1 ESCAPE '\\' OR article LIKE ?1 ESCAPE '\\'
                OR excerpt LIKE ?1 ESCAPE '\\' ORDER BY id",
        )?;
        let ids = stmt.query_map([like], |r| r.get(0))?;
        ids.collect::<Result<_, _>>()?
    };
    Ok(rows)
}

/// Departments and how many sub-items each has: the top of the tree, quick
/// enough for the first frame.
pub fn department_counts(conn: &Connection) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT m.department, count(*) FROM sub_items s JOIN main_items m ON m.id = s.main_item_id
         GROUP BY m.department ORDER BY m.department",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Changes whenever any catalogue row changes, so a reader knows when its
/// copy of the tree is stale.
pub fn catalogue_stamp(conn: &Connection) -> Result<(i64, i64, i64), StoreError> {
    Ok(conn.query_row(
        // Local items' review steps change who sees them and, once entered,
        // their codes: a step bumps the local item's version.
        "SELECT count(*),
                coalesce(sum(version), 0)
                    + (SELECT coalesce(sum(version), 0) FROM local_items),
                coalesce(max(updated_at), 0)
         FROM sub_items",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?)
}

/// Of `ids`, the 涉密 sub-items the unit does not claim (one indexed read
/// per id, not a scan of the catalogue: it runs on every claim).
pub fn classified_unclaimed_among(
    conn: &Connection,
    unit: Id,
    ids: &[Id],
) -> Result<Vec<Id>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id FROM json_each(?1) j JOIN sub_items s ON s.id = j.value
         WHERE s.classified <> 0
           AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.unit_id = ?2 AND c.sub_item_id = s.id)",
    )?;
    let ids = serde_json::to_string(ids).unwrap_or_default();
    let rows = stmt.query_map(super::db::params![ids, unit], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The 涉密 (classified) sub-items.
pub fn classified_sub_items(conn: &Connection) -> Result<Vec<Id>, StoreError> {
    let mut stmt = conn.prepare("SELECT id FROM sub_items WHERE classified <> 0 ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What search indexes of each sub-item: id, code, name, department, 涉密.
pub fn search_rows(conn: &Connection, each: &mut dyn FnMut(SearchRow)) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.code, coalesce(s.provisional_code, ''), s.name, m.department,
                s.classified, m.id
         FROM sub_items s JOIN main_items m ON m.id = s.main_item_id ORDER BY s.code",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        each(SearchRow {
            id: r.get(0)?,
            code: r.get(1)?,
            provisional_code: r.get(2)?,
            name: r.get(3)?,
            department: r.get(4)?,
            classified: r.get(5)?,
            main_item_id: r.get(6)?,
        });
    }
    Ok(())
}

/// Every (local basis, sub-item citing it): 地方性法规 and 地方政府规章, added
/// with local items.
pub fn local_basis_citers(conn: &Connection) -> Result<Vec<(Id, Id)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT b.basis_id, b.sub_item_id FROM sub_item_bases b
         JOIN legal_bases l ON l.id = b.basis_id
         WHERE l.kind IN ('local_regulation', 'local_government_rule')",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many sub-items and main items there are, and the bytes of their
/// names (what a search index of them holds).
pub fn item_counts(conn: &Connection) -> Result<(usize, usize, usize), StoreError> {
    let bytes = conn.byte_length("name");
    Ok(conn.query_row(
        &format!(
            "SELECT (SELECT count(*) FROM sub_items), (SELECT count(*) FROM main_items),
                    (SELECT coalesce(sum({bytes}), 0) FROM sub_items)
                    + (SELECT coalesce(sum({bytes}), 0) FROM main_items)"
        ),
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)? as usize,
                r.get::<_, i64>(1)? as usize,
                r.get::<_, i64>(2)? as usize + 64 * 1024,
            ))
        },
    )?)
}

/// A sub-item or main item as search lists it.
pub struct SearchRow {
    pub id: Id,
    pub code: String,
    /// The DF code a local item had before it was entered, or empty.
    pub provisional_code: String,
    pub name: String,
    pub department: String,
    /// 涉密 (sub-items only).
    pub classified: bool,
    /// The sub-item's main item (a main item's own id).
    pub main_item_id: Id,
}

/// Every main item, in code order, with whether it is a local item.
pub fn search_main_rows(
    conn: &Connection,
    each: &mut dyn FnMut(SearchRow, bool),
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT m.id, m.code, coalesce(m.provisional_code, ''), m.name, m.department,
                EXISTS (SELECT 1 FROM local_items l WHERE l.main_item_id = m.id)
         FROM main_items m ORDER BY m.code",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: Id = r.get(0)?;
        each(
            SearchRow {
                id,
                code: r.get(1)?,
                provisional_code: r.get(2)?,
                name: r.get(3)?,
                department: r.get(4)?,
                classified: false,
                main_item_id: id,
            },
            r.get(5)?,
        );
    }
    Ok(())
}

/// The id of the basis cited as `title` + `article`, if it exists.
pub fn basis_id(conn: &Connection, title: &str, article: &str) -> Result<Option<Id>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM legal_bases WHERE title = ?1 AND article = ?2")?
        .query_row(params![title, article], |r| r.get(0))
        .optional()?)
}

/// What already carries `code` as its code or its provisional code: the
/// item's code, name and main item, if anything does.
pub fn code_in_use(
    conn: &Connection,
    code: &str,
) -> Result<Option<(String, String, Id)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT code, name, id FROM main_items WHERE code = ?1 OR provisional_code = ?1
             UNION ALL
             SELECT code, name, main_item_id FROM sub_items
              WHERE code = ?1 OR provisional_code = ?1
             LIMIT 1",
            [code],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// Gives an entered local item the codes of the national system: each
/// item's code becomes the official one, its DF code kept as provisional.
pub fn set_official_codes(
    conn: &Connection,
    main_item_id: Id,
    main_code: &str,
    subs: &[(Id, String)],
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE main_items SET provisional_code = coalesce(provisional_code, code), code = ?2
         WHERE id = ?1",
        params![main_item_id, main_code],
    )?;
    let mut stmt = conn.prepare_cached(
        "UPDATE sub_items SET provisional_code = coalesce(provisional_code, code), code = ?2
         WHERE id = ?1 AND main_item_id = ?3",
    )?;
    for (id, code) in subs {
        stmt.execute(params![id, code, main_item_id])?;
    }
    Ok(())
}

/// Main items that name a 对应的许可事项: (main item, permit name).
pub fn permits(conn: &Connection) -> Result<Vec<(Id, String)>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT id, permit_name FROM main_items WHERE permit_name <> ''")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
