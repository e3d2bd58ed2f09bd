//! The tables whose rows the change log vouches for, in one list: the
//! triggers that note each written row, the row images the log stores and
//! the images `jianguan check` computes now all come from it, so they cannot
//! drift apart.
//!
//! A trigger notes only the table and key of a row written (`pending_rows`);
//! the image — every data column, typed — is read and hashed in Rust when
//! the write's log entry is appended (`changelog::append`). Images are not
//! built in SQL (`json_array`) because a bulk write would then copy every
//! row's text into `pending_rows` (the province's 600k checklists alone are
//! hundreds of MB), and because SQLite's JSON text may change between
//! versions where the typed encoding below cannot.

use super::StoreError;
use super::db::Connection;
use super::db::{Value, ValueRef};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;

/// A table whose rows are logged.
pub struct Logged {
    pub table: &'static str,
    /// What operators call it, in `check`'s report.
    pub label: &'static str,
    /// The primary key's columns (one or two), in the key's order.
    pub key: &'static [&'static str],
    /// Every column that holds data, the key's included. Left out: columns
    /// kept by triggers and counters, which `check` verifies on its own
    /// (`claims.inspection`, `checklists.counted`), so that their upkeep
    /// does not log rows.
    pub image: &'static [&'static str],
}

/// Columns of logged tables that are derived, not data (see `image`).
/// Tables not logged: the log itself, `unit_progress` (counts `check`
/// verifies against the rows), `basis_fts` (an index of `legal_bases`) and
/// `meta` (facts the migration runner and `init` keep about the file).
pub const DERIVED: &[(&str, &str)] = &[("claims", "inspection"), ("checklists", "counted")];

/// Sorted by table name (as SQLite sorts text), the order of the log's rows.
pub const LOGGED: &[Logged] = &[
    Logged {
        table: "accounts",
        label: "账号",
        key: &["id"],
        image: &[
            "id",
            "login",
            "name",
            "unit_id",
            "office_post",
            "mobile",
            "role",
            "is_liaison",
            "active",
            "version",
            "created_at",
            "updated_at",
            "updated_by",
        ],
    },
    Logged {
        table: "checklists",
        label: "检查实施清单",
        key: &["id"],
        image: &[
            "id",
            "sub_item_id",
            "unit_id",
            "level",
            "item_code",
            "subject_name",
            "subject_code",
            "entrust_name",
            "entrust_code",
            "target_main",
            "target_sub",
            "inspection_kind",
            "methods",
            "random_included",
            "random_ratio",
            "random_frequency",
            "content",
            "sampling",
            "sampling_content",
            "cooperation",
            "cooperation_org",
            "state",
            "source_id",
            "source_version",
            "version",
            "updated_at",
            "updated_by",
        ],
    },
    Logged {
        table: "claim_finished",
        label: "认领完成",
        key: &["unit_id"],
        image: &["unit_id", "finished_at", "finished_by"],
    },
    Logged {
        table: "claims",
        label: "认领",
        key: &["unit_id", "sub_item_id"],
        image: &[
            "unit_id",
            "sub_item_id",
            "exercised",
            "note",
            "claimed_by",
            "claimed_at",
        ],
    },
    Logged {
        table: "legal_bases",
        label: "法律依据",
        key: &["id"],
        image: &[
            "id", "title", "kind", "article", "excerpt", "status", "version",
        ],
    },
    Logged {
        table: "local_item_history",
        label: "地方事项审核记录",
        key: &["id"],
        image: &[
            "id",
            "main_item_id",
            "at",
            "account_id",
            "from_state",
            "to_state",
            "reason",
            "item_version",
        ],
    },
    Logged {
        table: "local_items",
        label: "地方监管事项",
        key: &["main_item_id"],
        image: &[
            "main_item_id",
            "unit_id",
            "state",
            "power_entry_id",
            "official_code",
            "return_reason",
            "version",
            "updated_at",
            "updated_by",
        ],
    },
    Logged {
        table: "main_items",
        label: "监管事项主项",
        key: &["id"],
        image: &[
            "id",
            "code",
            "name",
            "department",
            "permit_name",
            "permit_type",
            "permit_code",
            "source",
            "status",
            "owner_unit_id",
            "version",
            "updated_at",
            "provisional_code",
        ],
    },
    Logged {
        table: "milestones",
        label: "时间节点",
        key: &["id"],
        image: &[
            "id",
            "key",
            "name",
            "audience",
            "due_at",
            "version",
            "updated_at",
            "updated_by",
        ],
    },
    Logged {
        table: "power_list",
        label: "权力清单",
        key: &["id"],
        image: &["id", "code", "name", "unit_id", "kind"],
    },
    Logged {
        table: "progress_report_rows",
        label: "通报排名",
        key: &["report_id", "unit_id"],
        image: &["report_id", "unit_id", "rank", "per_mille"],
    },
    Logged {
        table: "progress_reports",
        label: "通报",
        key: &["id"],
        image: &["id", "as_of", "taken_at", "taken_by"],
    },
    Logged {
        table: "regions",
        label: "行政区划",
        key: &["id"],
        image: &["id", "code", "name", "level", "parent_id"],
    },
    Logged {
        table: "sub_item_bases",
        label: "子项的依据",
        key: &["sub_item_id", "basis_id"],
        image: &["sub_item_id", "basis_id"],
    },
    Logged {
        table: "sub_items",
        label: "监管事项子项",
        key: &["id"],
        image: &[
            "id",
            "code",
            "main_item_id",
            "name",
            "category",
            "target",
            "measures",
            "basis_text",
            "process",
            "result",
            "levels",
            "classified",
            "status",
            "version",
            "updated_at",
            "provisional_code",
        ],
    },
    Logged {
        table: "units",
        label: "单位",
        key: &["id"],
        image: &[
            "id",
            "name",
            "category",
            "region_id",
            "uscc",
            "counterparts",
            "version",
        ],
    },
];

pub fn find(table: &str) -> Option<&'static Logged> {
    LOGGED.iter().find(|t| t.table == table)
}

/// The value standing for the second part of a one-column key (a key is
/// stored as two columns so that both kinds sort by the table's own order).
pub const NO_SECOND: i64 = 0;

impl Logged {
    /// `+new.a`, `+new.b` (or `0`): the key as the triggers note it. The
    /// `+` strips the column's affinity, so `k1 = +new.a` compares values
    /// as they are and can search `pending_rows`' key (with the affinity,
    /// SQLite would convert each `k1` and scan: quadratic in a bulk write).
    fn key_values(&self, row: &str) -> (String, String) {
        match self.key {
            [a] => (format!("+{row}.{a}"), NO_SECOND.to_string()),
            [a, b] => (format!("+{row}.{a}"), format!("+{row}.{b}")),
            _ => unreachable!("keys have one or two columns"),
        }
    }

    /// Trigger names and their DDL, exactly as stored in `sqlite_master`.
    pub fn triggers(&self) -> Vec<(String, String)> {
        let t = self.table;
        let note = |row: &str| {
            let (k1, k2) = self.key_values(row);
            format!(
                "INSERT INTO pending_rows (tbl, k1, k2) SELECT '{t}', {k1}, {k2} WHERE NOT EXISTS \
                 (SELECT 1 FROM pending_rows WHERE tbl = '{t}' AND k1 = {k1} AND k2 = {k2});"
            )
        };
        let key_changed = self
            .key
            .iter()
            .map(|c| format!("old.{c} IS NOT new.{c}"))
            .collect::<Vec<_>>()
            .join(" OR ");
        vec![
            (
                format!("log_{t}_insert"),
                format!(
                    "CREATE TRIGGER log_{t}_insert AFTER INSERT ON {t} BEGIN {} END",
                    note("new")
                ),
            ),
            (
                format!("log_{t}_update"),
                format!(
                    "CREATE TRIGGER log_{t}_update AFTER UPDATE OF {} ON {t} BEGIN {} END",
                    self.image.join(", "),
                    note("new")
                ),
            ),
            // A key that changes leaves its old key behind: noted too.
            (
                format!("log_{t}_rekey"),
                format!(
                    "CREATE TRIGGER log_{t}_rekey AFTER UPDATE OF {} ON {t} WHEN {key_changed} BEGIN {} END",
                    self.key.join(", "),
                    note("old")
                ),
            ),
            (
                format!("log_{t}_delete"),
                format!(
                    "CREATE TRIGGER log_{t}_delete AFTER DELETE ON {t} BEGIN {} END",
                    note("old")
                ),
            ),
        ]
    }

    /// Every row of the table, key first, in key order.
    pub fn select_all(&self) -> String {
        format!(
            "SELECT {}, {} FROM {} ORDER BY {}",
            self.key_columns(),
            self.image.join(", "),
            self.table,
            self.key.join(", ")
        )
    }

    /// The rows of this table noted in `pending_rows`, in key order: the
    /// key, whether the row exists now, and its image (NULLs when not).
    pub fn select_pending(&self) -> String {
        let on = self.pending_join();
        let image: Vec<String> = self.image.iter().map(|c| format!("t.{c}")).collect();
        format!(
            "SELECT p.k1, p.k2, t.{} IS NOT NULL, {} FROM pending_rows p LEFT JOIN {} t ON {on}
              WHERE p.tbl = '{}' ORDER BY p.k1, p.k2",
            self.key[0],
            image.join(", "),
            self.table,
            self.table
        )
    }

    /// How a row `t` of this table is found from its note `p` in
    /// `pending_rows`.
    pub fn pending_join(&self) -> String {
        match self.key {
            [a] => format!("t.{a} = p.k1"),
            [a, b] => format!("t.{a} = p.k1 AND t.{b} = p.k2"),
            _ => unreachable!("keys have one or two columns"),
        }
    }

    fn key_columns(&self) -> String {
        match self.key {
            [a] => format!("{a}, {NO_SECOND}"),
            [a, b] => format!("{a}, {b}"),
            _ => unreachable!("keys have one or two columns"),
        }
    }

    /// The key as operators read it: `id=5`, `unit_id=3, sub_item_id=7`.
    pub fn show_key(&self, k1: &Value, k2: &Value) -> String {
        let mut parts = vec![format!("{}={}", self.key[0], show_value(k1))];
        if let Some(b) = self.key.get(1) {
            parts.push(format!("{b}={}", show_value(k2)));
        }
        parts.join(", ")
    }
}

/// A stored value as operators read it (text quoted and cut short; the
/// command line escapes control characters in whatever it prints).
pub fn show_value(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(s) => {
            let short: String = s.chars().take(40).collect();
            let more = if s.chars().count() > 40 { "…" } else { "" };
            format!("“{short}{more}”")
        }
        Value::Blob(b) => format!("二进制数据（{} 字节）", b.len()),
    }
}

/// Column `i` of a row, whatever it holds: text that is not UTF-8 (only
/// another tool can write it) is read lossily rather than stopping `check`.
pub fn value(r: &super::db::Row<'_>, i: usize) -> super::db::Result<Value> {
    r.value(i)
}

pub use super::db::owned;

/// The DDL of every logging trigger, by name.
pub fn all_triggers() -> Vec<(String, String)> {
    LOGGED.iter().flat_map(Logged::triggers).collect()
}

/// (Re)creates every logging trigger from the list.
pub fn create_triggers(conn: &Connection) -> Result<(), StoreError> {
    for (name, ddl) in all_triggers() {
        conn.execute_batch(&format!("DROP TRIGGER IF EXISTS {name}; {ddl};"))?;
    }
    Ok(())
}

/// Appends one value to an encoding: tagged with its type, text and blobs
/// with their length, so no two different rows encode alike.
pub fn encode(buf: &mut Vec<u8>, v: ValueRef<'_>) {
    match v {
        ValueRef::Null => buf.push(b'n'),
        ValueRef::Integer(i) => {
            buf.push(b'i');
            buf.extend_from_slice(&i.to_le_bytes());
        }
        ValueRef::Real(f) => {
            buf.push(b'r');
            buf.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        ValueRef::Text(t) => {
            buf.push(b't');
            buf.extend_from_slice(&(t.len() as u64).to_le_bytes());
            buf.extend_from_slice(t);
        }
        ValueRef::Blob(b) => {
            buf.push(b'b');
            buf.extend_from_slice(&(b.len() as u64).to_le_bytes());
            buf.extend_from_slice(b);
        }
    }
}

/// SHA-256 of a row image (its values `encode`d in column order). `buf`
/// is scratch space, reused across rows.
pub fn image_hash<'a>(
    buf: &mut Vec<u8>,
    values: impl IntoIterator<Item = ValueRef<'a>>,
) -> [u8; 32] {
    buf.clear();
    for v in values {
        encode(buf, v);
    }
    Sha256::digest(&buf[..]).into()
}

/// The image in columns `from..from + n` of a row, hashed.
pub fn row_hash(
    buf: &mut Vec<u8>,
    r: &super::db::Row<'_>,
    from: usize,
    n: usize,
) -> super::db::Result<[u8; 32]> {
    buf.clear();
    for i in from..from + n {
        encode(buf, r.get_ref(i)?);
    }
    Ok(Sha256::digest(&buf[..]).into())
}

/// SQLite's order of values (NULL, numbers, text, blobs; text and blobs
/// byte by byte, as the BINARY collation compares them), so that rows read
/// in SQL key order can be merged in Rust.
pub fn sql_cmp(a: &Value, b: &Value) -> Ordering {
    fn class(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) => 2,
            Value::Blob(_) => 3,
        }
    }
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Integer(x), Value::Real(y)) => (*x as f64).total_cmp(y),
        (Value::Real(x), Value::Integer(y)) => x.total_cmp(&(*y as f64)),
        (Value::Real(x), Value::Real(y)) => x.total_cmp(y),
        (Value::Text(x), Value::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_as_sqlite_sorts_and_covers_every_data_column() {
        let names: Vec<&str> = LOGGED.iter().map(|t| t.table).collect();
        let mut sorted = names.clone();
        sorted.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        assert_eq!(names, sorted);

        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in crate::store::schema::MIGRATIONS {
            conn.execute_batch(sql).unwrap();
        }
        for t in LOGGED {
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT name, pk FROM pragma_table_info('{}')",
                    t.table
                ))
                .unwrap();
            let cols: Vec<(String, i64)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let data: Vec<&str> = cols
                .iter()
                .map(|(c, _)| c.as_str())
                .filter(|c| !DERIVED.contains(&(t.table, c)))
                .collect();
            assert_eq!(data, t.image, "{}: every data column, in order", t.table);
            let mut key: Vec<(i64, &str)> = cols
                .iter()
                .filter(|(_, pk)| *pk > 0)
                .map(|(c, pk)| (*pk, c.as_str()))
                .collect();
            key.sort();
            let key: Vec<&str> = key.into_iter().map(|(_, c)| c).collect();
            assert_eq!(key, t.key, "{}: the primary key", t.table);
        }
        // Every table that holds data is logged or derived.
        let mut stmt = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                   AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'basis_fts%' ORDER BY name",
            )
            .unwrap();
        let tables: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let unlogged: Vec<&str> = tables
            .iter()
            .map(String::as_str)
            .filter(|t| find(t).is_none())
            .collect();
        assert_eq!(
            unlogged,
            [
                "change_log",
                "change_log_rows",
                "meta",
                "pending_rows",
                "unit_progress"
            ]
        );
    }

    #[test]
    fn images_differ_by_type_and_by_where_text_ends() {
        let buf = &mut Vec::new();
        let a = image_hash(buf, [ValueRef::Integer(5)]);
        let b = image_hash(buf, [ValueRef::Text(b"5")]);
        assert_ne!(a, b);
        let c = image_hash(buf, [ValueRef::Text(b"ab"), ValueRef::Text(b"c")]);
        let d = image_hash(buf, [ValueRef::Text(b"a"), ValueRef::Text(b"bc")]);
        assert_ne!(c, d);
        assert_eq!(
            sql_cmp(&Value::Integer(10), &Value::Integer(9)),
            Ordering::Greater
        );
        assert_eq!(
            sql_cmp(&Value::Integer(10), &Value::Text("1".into())),
            Ordering::Less
        );
    }
}
