//! Replaying the change log against the tables: for every logged row
//! (`store::logged`), the image hash of its latest record in the log must
//! be the hash of the row as it stands, and a row the log says was deleted
//! must be gone. What differs was written by another tool (or the log was
//! cut). Also reported: rows noted by the triggers that no entry has taken
//! yet, entries that took in such rows, logging triggers that were dropped
//! or changed, and values of the wrong type in logged tables.

use super::StoreError;
use super::changelog::{UNLOGGED, kind_of, stale_triggers};
use super::db::Connection;
use super::db::Value;
use super::logged::{self, LOGGED, Logged, show_value, sql_cmp};
use std::cmp::Ordering;

/// Lines reported per table and kind of problem; the rest are counted.
const SHOWN: usize = 20;

/// Every difference between the log and the tables, one line each.
pub fn problems(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    let stale = stale_triggers(conn)?;
    if !stale.is_empty() {
        out.push(format!(
            "记录数据变更的触发器缺失或被改动：{}（其后用其他工具做的修改不再留下痕迹，但仍会在下面与操作记录比对时发现）",
            stale.join("、")
        ));
    }
    out.extend(pending(conn)?);
    out.extend(unlogged_entries(conn)?);
    out.extend(compare(conn)?);
    Ok(out)
}

/// `table（label）`.
fn name(t: &Logged) -> String {
    format!("{}（{}）", t.label, t.table)
}

fn table_name(tbl: &str) -> String {
    logged::find(tbl).map_or_else(|| format!("未知的表 {tbl}"), name)
}

fn show_key(tbl: &str, k1: &Value, k2: &Value) -> String {
    match logged::find(tbl) {
        Some(t) => t.show_key(k1, k2),
        None => format!("{}, {}", show_value(k1), show_value(k2)),
    }
}

/// Collects lines under a cap, counting the rest.
struct Capped {
    what: String,
    lines: Vec<String>,
    more: usize,
}

impl Capped {
    fn new(what: String) -> Self {
        Capped {
            what,
            lines: Vec::new(),
            more: 0,
        }
    }

    fn push(&mut self, line: String) {
        if self.lines.len() < SHOWN {
            self.lines.push(line);
        } else {
            self.more += 1;
        }
    }

    fn finish(self, out: &mut Vec<String>) {
        out.extend(self.lines);
        if self.more > 0 {
            out.push(format!("{}：另有 {} 处，未逐一列出", self.what, self.more));
        }
    }
}

/// Rows noted by the triggers that no entry has taken: written since the
/// last jianguan write by another tool (the next write will take them into
/// an entry that `check` keeps reporting).
fn pending(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT DISTINCT tbl, k1, k2 FROM pending_rows ORDER BY tbl, k1, k2")?;
    let mut rows = stmt.query([])?;
    let mut lines = Capped::new("未经 jianguan 写入的行".into());
    while let Some(r) = rows.next()? {
        let tbl = logged::value(&r, 0)?;
        let tbl = match tbl {
            Value::Text(s) => s,
            other => show_value(&other),
        };
        let (k1, k2) = (logged::value(&r, 1)?, logged::value(&r, 2)?);
        lines.push(format!(
            "{} {}：被 jianguan 以外的工具写入（没有操作记录）",
            table_name(&tbl),
            show_key(&tbl, &k1, &k2)
        ));
    }
    let mut out = Vec::new();
    lines.finish(&mut out);
    Ok(out)
}

/// Entries that took in rows written by another tool.
fn unlogged_entries(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT l.id, r.tbl, r.k1, r.k2 FROM change_log l
           JOIN change_log_rows r ON r.log_id = l.id
          WHERE l.action = ?1 ORDER BY l.id, r.tbl, r.k1, r.k2",
    )?;
    let mut rows = stmt.query([UNLOGGED])?;
    let mut lines = Capped::new("jianguan 以外写入的行".into());
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let tbl = match logged::value(&r, 1)? {
            Value::Text(s) => s,
            other => show_value(&other),
        };
        let (k1, k2) = (logged::value(&r, 2)?, logged::value(&r, 3)?);
        lines.push(format!(
            "{} {}：被 jianguan 以外的工具写入（操作记录第 {id} 条在下一次写入时记下了它）",
            table_name(&tbl),
            show_key(&tbl, &k1, &k2)
        ));
    }
    let mut out = Vec::new();
    lines.finish(&mut out);
    Ok(out)
}

/// The latest record of one row in the log.
struct Expected {
    tbl: String,
    k1: Value,
    k2: Value,
    /// None: the log says the row was deleted.
    hash: Option<Vec<u8>>,
}

/// What a declared column type admits.
struct ColumnType {
    name: String,
    integer: bool,
    nullable: bool,
}

fn column_types(conn: &Connection, t: &Logged) -> Result<Vec<ColumnType>, StoreError> {
    // PostgreSQL marks a primary key's columns NOT NULL itself.
    let mut stmt = conn.prepare(if conn.is_postgres() {
        "SELECT column_name, upper(data_type), is_nullable = 'NO', 0
           FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?1"
    } else {
        "SELECT name, upper(type), \"notnull\", pk FROM pragma_table_info(?1)"
    })?;
    let all: Vec<(String, String, bool, i64)> = stmt
        .query_map([t.table], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(t.image
        .iter()
        .map(|c| {
            let found = all.iter().find(|(n, ..)| n == c);
            ColumnType {
                name: c.to_string(),
                integer: found.is_some_and(|(_, ty, ..)| ty.contains("INT")),
                nullable: found.is_some_and(|(_, _, notnull, pk)| !notnull && *pk == 0),
            }
        })
        .collect())
}

/// The log's state of every row against the tables, merged in key order.
fn compare(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    // Each row's last record: SQLite takes the bare columns from the row
    // that has the max(); PostgreSQL says it with DISTINCT ON.
    let mut stmt = conn.prepare(if conn.is_postgres() {
        "SELECT DISTINCT ON (tbl, k1, k2) tbl, k1, k2, hash, log_id FROM change_log_rows
          WHERE log_id IN (SELECT id FROM change_log)
          ORDER BY tbl, k1, k2, log_id DESC"
    } else {
        "SELECT tbl, k1, k2, hash, max(log_id) FROM change_log_rows
          WHERE log_id IN (SELECT id FROM change_log)
          GROUP BY tbl, k1, k2 ORDER BY tbl, k1, k2"
    })?;
    let mut log = stmt.query([])?;
    let mut unknown = Capped::new("操作记录中未知的表".into());
    let mut next_expected = || -> Result<Option<Expected>, StoreError> {
        while let Some(r) = log.next()? {
            let (tbl, k1, k2, hash) = (
                logged::value(&r, 0)?,
                logged::value(&r, 1)?,
                logged::value(&r, 2)?,
                logged::value(&r, 3)?,
            );
            // Malformed records are reported by the chain's walk.
            let (Value::Text(tbl), hash) = (tbl, hash) else {
                continue;
            };
            let hash = match hash {
                Value::Blob(b) => Some(b),
                Value::Null => None,
                _ => continue,
            };
            return Ok(Some(Expected { tbl, k1, k2, hash }));
        }
        Ok(None)
    };
    let mut exp = next_expected()?;
    for t in LOGGED {
        // Records of tables the list does not know sort before this one.
        while let Some(e) = &exp
            && e.tbl.as_bytes() < t.table.as_bytes()
        {
            unknown.push(format!(
                "操作记录中有未知的表 {} 的行 {}, {}",
                e.tbl,
                show_value(&e.k1),
                show_value(&e.k2)
            ));
            exp = next_expected()?;
        }
        let types = column_types(conn, t)?;
        let mut buf = Vec::new();
        let mut diffs = Capped::new(format!("{}与操作记录不符", name(t)));
        let mut malformed = Capped::new(format!("{}格式有误", name(t)));
        let mut cur_stmt = conn.prepare(&t.select_all())?;
        let mut cur = cur_stmt.query([])?;
        let mut row = cur.next()?;
        loop {
            let mine = exp.as_ref().filter(|e| e.tbl == t.table);
            let order = match (mine, &row) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(e), Some(r)) => {
                    let (k1, k2) = (logged::value(r, 0)?, logged::value(r, 1)?);
                    sql_cmp(&e.k1, &k1).then_with(|| sql_cmp(&e.k2, &k2))
                }
            };
            match order {
                Ordering::Less => {
                    // In the log only.
                    if let Some(e) = mine
                        && e.hash.is_some()
                    {
                        diffs.push(format!(
                            "{} {}：缺少（已被删除，但操作记录中存在）",
                            name(t),
                            t.show_key(&e.k1, &e.k2)
                        ));
                    }
                    exp = next_expected()?;
                }
                Ordering::Greater | Ordering::Equal => {
                    let Some(r) = row else { break };
                    let (k1, k2) = (logged::value(&r, 0)?, logged::value(&r, 1)?);
                    let mut values = Vec::with_capacity(t.image.len());
                    for i in 0..t.image.len() {
                        values.push(r.get_ref(2 + i)?);
                    }
                    for (ty, v) in types.iter().zip(&values) {
                        let v = logged::owned(*v);
                        let fits = match v {
                            Value::Null => ty.nullable,
                            Value::Integer(_) => ty.integer,
                            Value::Text(_) => !ty.integer,
                            _ => false,
                        };
                        if !fits {
                            malformed.push(format!(
                                "{} {} 的 {} 列应为{}，实为{} {}",
                                name(t),
                                t.show_key(&k1, &k2),
                                ty.name,
                                if ty.integer { "整数" } else { "文本" },
                                kind_of(&v),
                                show_value(&v)
                            ));
                        }
                    }
                    let hash = logged::image_hash(&mut buf, values);
                    if order == Ordering::Greater {
                        diffs.push(format!(
                            "{} {}：多出（不在操作记录中）",
                            name(t),
                            t.show_key(&k1, &k2)
                        ));
                    } else {
                        match mine.and_then(|e| e.hash.as_deref()) {
                            None => diffs.push(format!(
                                "{} {}：多出（操作记录中已删除）",
                                name(t),
                                t.show_key(&k1, &k2)
                            )),
                            Some(h) if h != hash => diffs.push(format!(
                                "{} {}：改动（与操作记录不符）",
                                name(t),
                                t.show_key(&k1, &k2)
                            )),
                            Some(_) => {}
                        }
                        exp = next_expected()?;
                    }
                    row = cur.next()?;
                }
            }
        }
        diffs.finish(&mut out);
        malformed.finish(&mut out);
    }
    while let Some(e) = &exp {
        unknown.push(format!(
            "操作记录中有未知的表 {} 的行 {}, {}",
            e.tbl,
            show_value(&e.k1),
            show_value(&e.k2)
        ));
        exp = next_expected()?;
    }
    unknown.finish(&mut out);
    Ok(out)
}
