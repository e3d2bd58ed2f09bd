//! Moving a SQLite database into PostgreSQL (`migrate-to`): the tables as
//! SQLite lists them, copied whole with COPY inside the caller's
//! transaction, the PostgreSQL side's triggers held off meanwhile (the
//! kept counts, flags and row notes are copied as they are, not made
//! again) and its foreign keys checked at commit.

use crate::store::{Connection, StoreError};

/// A table and its columns, in SQLite's order.
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
}

/// The tables a SQLite database keeps data in: all but SQLite's own and
/// the full-text index of legal bases (made from `legal_bases`, and not in
/// PostgreSQL).
pub fn tables(sqlite: &Connection) -> Result<Vec<Table>, StoreError> {
    let names: Vec<String> = sqlite
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table'
               AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'basis_fts%' ORDER BY name",
        )?
        .query_map((), |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for name in names {
        let columns = sqlite
            .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?
            .query_map([&name], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        out.push(Table { name, columns });
    }
    Ok(out)
}

/// How many rows `table` has (a name from `tables`).
pub fn count(conn: &Connection, table: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), (), |r| r.get(0))?)
}

/// True when the PostgreSQL database holds no jianguan data yet.
pub fn is_empty(pg: &Connection) -> Result<bool, StoreError> {
    Ok(count(pg, "regions")? == 0 && count(pg, "change_log")? == 0)
}

/// Foreign keys checked at commit for the rest of the transaction.
pub fn defer_foreign_keys(pg: &Connection) -> Result<(), StoreError> {
    Ok(pg.execute_batch("SET CONSTRAINTS ALL DEFERRED")?)
}

/// Runs the foreign-key checks deferred so far.
pub fn check_foreign_keys_now(pg: &Connection) -> Result<(), StoreError> {
    Ok(pg.execute_batch("SET CONSTRAINTS ALL IMMEDIATE")?)
}

/// Holds off (or lets run again) the triggers jianguan put on `table`.
pub fn set_triggers(pg: &Connection, table: &str, enabled: bool) -> Result<(), StoreError> {
    let how = if enabled { "ENABLE" } else { "DISABLE" };
    Ok(pg.execute_batch(&format!("ALTER TABLE {table} {how} TRIGGER USER"))?)
}

/// Copies every row of `t` from SQLite into PostgreSQL; `each` hears the
/// count as it goes. Returns how many rows were copied.
pub fn copy(
    sqlite: &Connection,
    pg: &Connection,
    t: &Table,
    each: &mut dyn FnMut(u64),
) -> Result<u64, StoreError> {
    let mut stmt = sqlite.prepare(&format!("SELECT {} FROM {}", t.columns.join(", "), t.name))?;
    let n = t.columns.len();
    let mut rows = stmt.query_map((), |r| (0..n).map(|i| r.value(i)).collect())?;
    let mut target = pg.postgres().ok_or(StoreError::NotOnPostgres)?;
    Ok(target.copy_in(&t.name, &t.columns, &mut rows, each)?)
}

/// Sets each identity's next value past the ids copied in.
pub fn reset_identities(pg: &Connection, t: &Table) -> Result<(), StoreError> {
    if !t.columns.iter().any(|c| c == "id") {
        return Ok(());
    }
    pg.query_row(
        &format!(
            "SELECT setval(pg_get_serial_sequence('{0}', 'id'), coalesce(max(id), 0) + 1, false)
               FROM {0} WHERE pg_get_serial_sequence('{0}', 'id') IS NOT NULL",
            t.name
        ),
        (),
        |_| Ok(()),
    )
    .or_else(|e| match e {
        crate::store::db::Error::NoRows => Ok(()),
        e => Err(e),
    })?;
    Ok(())
}
