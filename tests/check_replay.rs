//! `jianguan check` replays the change log against the tables: rows edited,
//! added or deleted with sqlite3-style SQL on the file, a cut or re-hashed
//! log, times that go backwards and malformed rows are each reported (by
//! table and key), and a database written only through jianguan is ok.

mod common;

use common::{bin, demo_by_binary, run_on};
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Command;

/// `check` on `db`: (exit code, stdout).
fn check(db: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["check"];
    args.extend_from_slice(extra);
    let (code, out, err) = run_on(db, &args);
    (code, format!("{out}{err}"))
}

/// The head `check` prints on its second line, as `COUNT:HASH`.
fn head(db: &Path) -> String {
    let (code, out) = check(db, &[]);
    assert_eq!(code, 0, "{out}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("ok"), "{out}");
    let line = lines.next().unwrap_or_default();
    let start = line.find("链头 ").expect("a head") + "链头 ".len();
    line[start..]
        .split(|c: char| !(c.is_ascii_hexdigit() || c == ':'))
        .next()
        .unwrap()
        .to_string()
}

fn write(db: &Path, args: &[&str]) -> String {
    let (code, out, err) = run_on(db, args);
    assert_eq!(code, 0, "jianguan {args:?}: {out}{err}");
    out
}

fn add_account(db: &Path, login: &str) {
    write(
        db,
        &[
            "account",
            "add",
            "--login",
            login,
            "--name",
            "测试",
            "--unit",
            "金水区城市管理局",
            "--role",
            "operator",
            "--mobile",
            "13912345678",
        ],
    );
}

fn one<T: rusqlite::types::FromSql>(conn: &Connection, sql: &str) -> T {
    conn.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn assert_has(out: &str, wanted: &str) {
    assert!(out.contains(wanted), "wanted “{wanted}” in:\n{out}");
}

#[test]
fn rows_edited_added_and_deleted_with_sql_are_reported_by_table_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "edit.db");
    head(&db);
    let conn = Connection::open(&db).unwrap();
    let (unit, sub): (i64, i64) = conn
        .query_row(
            "SELECT unit_id, sub_item_id FROM claims ORDER BY unit_id, sub_item_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute(
        "UPDATE claims SET note = '改过' WHERE unit_id = ?1 AND sub_item_id = ?2",
        [unit, sub],
    )
    .unwrap();
    let checklist: i64 = one(
        &conn,
        "SELECT max(id) FROM checklists
          WHERE id NOT IN (SELECT source_id FROM checklists WHERE source_id IS NOT NULL)",
    );
    conn.execute("DELETE FROM checklists WHERE id = ?1", [checklist])
        .unwrap();
    conn.execute(
        "INSERT INTO accounts (login, name, unit_id, role, created_at, updated_at)
         SELECT 'intruder', '外人', unit_id, 'platform_admin', 0, 0 FROM accounts WHERE login = 'lina'",
        [],
    )
    .unwrap();
    let intruder: i64 = one(&conn, "SELECT id FROM accounts WHERE login = 'intruder'");
    conn.execute(
        "UPDATE accounts SET role = 'platform_admin' WHERE login = 'lina'",
        [],
    )
    .unwrap();
    let lina: i64 = one(&conn, "SELECT id FROM accounts WHERE login = 'lina'");
    conn.execute(
        "UPDATE milestones SET due_at = due_at + 86400 WHERE key = 'checklists'",
        [],
    )
    .unwrap();
    let milestone: i64 = one(&conn, "SELECT id FROM milestones WHERE key = 'checklists'");

    let (code, out) = check(&db, &[]);
    assert_eq!(code, 1, "{out}");
    assert_has(
        &out,
        &format!("认领（claims） unit_id={unit}, sub_item_id={sub}：改动（与操作记录不符）"),
    );
    assert_has(
        &out,
        &format!("检查实施清单（checklists） id={checklist}：缺少（已被删除，但操作记录中存在）"),
    );
    assert_has(
        &out,
        &format!("账号（accounts） id={intruder}：多出（不在操作记录中）"),
    );
    assert_has(
        &out,
        &format!("账号（accounts） id={lina}：改动（与操作记录不符）"),
    );
    assert_has(
        &out,
        &format!("时间节点（milestones） id={milestone}：改动（与操作记录不符）"),
    );
    // The triggers noted each of them as written without an entry.
    assert_has(
        &out,
        &format!("账号（accounts） id={lina}：被 jianguan 以外的工具写入（没有操作记录）"),
    );

    // Wiping the triggers' notes hides nothing: the replay still differs.
    conn.execute("DELETE FROM pending_rows", []).unwrap();
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("没有操作记录"), "{out}");
    assert_has(
        &out,
        &format!("账号（accounts） id={lina}：改动（与操作记录不符）"),
    );

    // Setting the role back makes that row agree with the log again.
    conn.execute(
        "UPDATE accounts SET role = 'operator' WHERE login = 'lina'",
        [],
    )
    .unwrap();
    let (_, out) = check(&db, &[]);
    assert!(
        !out.contains(&format!("账号（accounts） id={lina}：改动")),
        "{out}"
    );
}

#[test]
fn an_edit_followed_by_a_jianguan_write_is_still_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "later.db");
    let conn = Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE accounts SET role = 'platform_admin' WHERE login = 'lina'",
        [],
    )
    .unwrap();
    let lina: i64 = one(&conn, "SELECT id FROM accounts WHERE login = 'lina'");
    // The next write takes the edit into an entry of its own, not its own.
    add_account(&db, "later1");
    conn.execute(
        "UPDATE accounts SET role = 'operator' WHERE login = 'lina'",
        [],
    )
    .unwrap();
    add_account(&db, "later2");
    let entries: Vec<(i64, String)> = conn
        .prepare("SELECT id, action FROM change_log WHERE id > 1 ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        entries,
        [
            (2, "unlogged_rows".to_string()),
            (3, "create_account".to_string()),
            (4, "unlogged_rows".to_string()),
            (5, "create_account".to_string()),
        ]
    );
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 1, "{out}");
    for entry in [2, 4] {
        assert_has(
            &out,
            &format!(
                "账号（accounts） id={lina}：被 jianguan 以外的工具写入（操作记录第 {entry} 条在下一次写入时记下了它）"
            ),
        );
    }
}

#[test]
fn a_cut_log_is_found_and_a_recorded_head_proves_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "cut.db");
    for login in ["cut1", "cut2", "cut3", "cut4"] {
        add_account(&db, login);
    }
    let recorded = head(&db);
    assert!(recorded.starts_with("5:"), "{recorded}");
    let conn = Connection::open(&db).unwrap();
    let last3: Vec<i64> = conn
        .prepare("SELECT id FROM accounts WHERE login IN ('cut2', 'cut3', 'cut4') ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    conn.execute("DELETE FROM change_log WHERE id > 2", [])
        .unwrap();
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 1, "{out}");
    for id in 3..=5 {
        assert_has(
            &out,
            &format!("操作记录中没有第 {id} 条，却有它所记的 1 行数据：该条被删除"),
        );
    }
    // Its row records gone too: the accounts those entries added stand
    // outside the log.
    conn.execute("DELETE FROM change_log_rows WHERE log_id > 2", [])
        .unwrap();
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 1, "{out}");
    for id in &last3 {
        assert_has(
            &out,
            &format!("账号（accounts） id={id}：多出（不在操作记录中）"),
        );
    }
    // And the accounts deleted as well: the triggers noted the deletes …
    conn.execute(
        "DELETE FROM accounts WHERE login IN ('cut2', 'cut3', 'cut4')",
        [],
    )
    .unwrap();
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 1, "{out}");
    assert_has(
        &out,
        &format!(
            "账号（accounts） id={}：被 jianguan 以外的工具写入（没有操作记录）",
            last3[0]
        ),
    );
    // … and with their notes gone, only the head recorded earlier sees it.
    conn.execute("DELETE FROM pending_rows", []).unwrap();
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 0, "a log cut cleanly at its end looks whole: {out}");
    let (code, out) = check(&db, &["--head", &recorded]);
    assert_eq!(code, 1, "{out}");
    assert_has(
        &out,
        &format!("链头 {recorded} 不在操作记录中：操作记录已不足 5 条（被截断）"),
    );
}

/// The chain's formula, as `store::changelog` writes it.
fn entry_hash(prev: &str, row: &rusqlite::Row<'_>) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update(s.as_bytes());
        h.update([0x1f]);
    };
    field(prev);
    field(&row.get::<_, i64>("at").unwrap().to_string());
    for col in ["account_id", "acting_as"] {
        field(
            &row.get::<_, Option<i64>>(col)
                .unwrap()
                .map(|v| v.to_string())
                .unwrap_or_default(),
        );
    }
    for col in ["action", "entity", "entity_id"] {
        field(&row.get::<_, String>(col).unwrap());
    }
    for col in ["before", "after"] {
        match row.get::<_, Option<String>>(col).unwrap() {
            Some(s) => {
                field("1");
                field(&s);
            }
            None => field("0"),
        }
    }
    if let Some(d) = row.get::<_, Option<String>>("rows_digest").unwrap() {
        field("rows");
        field(&d);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What someone with the file and the source can do: rewrite every hash.
fn rehash(conn: &Connection) {
    let rows: Vec<(i64, String)> = {
        let mut stmt = conn
            .prepare("SELECT * FROM change_log ORDER BY id")
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        let mut prev = "0".repeat(64);
        let mut out = Vec::new();
        while let Some(r) = rows.next().unwrap() {
            let hash = entry_hash(&prev, r);
            out.push((r.get(0).unwrap(), prev.clone()));
            out.push((-r.get::<_, i64>(0).unwrap(), hash.clone()));
            prev = hash;
        }
        out
    };
    for (id, value) in rows {
        if id > 0 {
            conn.execute(
                "UPDATE change_log SET prev_hash = ?2 WHERE id = ?1",
                (id, value),
            )
            .unwrap();
        } else {
            conn.execute(
                "UPDATE change_log SET hash = ?2 WHERE id = ?1",
                (-id, value),
            )
            .unwrap();
        }
    }
}

#[test]
fn a_log_edited_and_rehashed_passes_check_but_not_a_head_recorded_before() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "rehash.db");
    add_account(&db, "re1");
    add_account(&db, "re2");
    let recorded = head(&db);
    let conn = Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE change_log SET after = replace(after, '\"re1\"', '\"someone\"') WHERE id = 2",
        [],
    )
    .unwrap();
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 1, "{out}");
    assert_has(&out, "操作记录第 2 条（create_account account");
    rehash(&conn);
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 0, "check alone cannot tell: {out}");
    let (code, out) = check(&db, &["--head", &recorded]);
    assert_eq!(code, 1, "{out}");
    assert_has(
        &out,
        &format!("链头 {recorded} 与操作记录不符：第 3 条的哈希现为"),
    );
    // A head recorded before the edited row still holds.
    let first = one::<String>(&conn, "SELECT '1:' || hash FROM change_log WHERE id = 1");
    let (code, out) = check(&db, &["--head", &first]);
    assert_eq!(code, 0, "{out}");
    // A malformed head is a usage error that names the form.
    let (code, out) = check(&db, &["--head", "3-abc"]);
    assert_eq!(code, 2, "{out}");
    assert_has(&out, "应为“条数:哈希”");
}

#[test]
fn log_times_that_go_backwards_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "clock.db");
    let o = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args([
            "account",
            "add",
            "--login",
            "early",
            "--name",
            "测试",
            "--unit",
            "金水区城市管理局",
            "--role",
            "operator",
            "--mobile",
            "13912345678",
        ])
        .env("JIANGUAN_NOW", "2019-05-16 09:00")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 1, "{out}");
    assert_has(&out, "操作记录第 2 条的时间 2019-05-16 09:00 早于第 1 条的");
    assert_has(&out, "允许 2 秒");

    // Within the tolerance, a clock a second behind is no problem.
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "second.db");
    add_account(&db, "soon");
    let conn = Connection::open(&db).unwrap();
    conn.execute("UPDATE change_log SET at = at - 1 WHERE id = 2", [])
        .unwrap();
    rehash(&conn);
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn malformed_rows_are_reported_and_check_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "malformed.db");
    add_account(&db, "m1");
    let conn = Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE change_log SET account_id = 'admin', at = '昨天' WHERE id = 2",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE accounts SET is_liaison = 'yes' WHERE login = 'lina'",
        [],
    )
    .unwrap();
    let lina: i64 = one(&conn, "SELECT id FROM accounts WHERE login = 'lina'");
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 1, "{out}");
    assert_has(
        &out,
        "操作记录第 2 条格式有误（at 应为整数，实为文本 “昨天”；account_id 应为整数或空，实为文本 “admin”），无法核对",
    );
    // The walk and the replay went on past it.
    assert_has(
        &out,
        &format!("账号（accounts） id={lina}：改动（与操作记录不符）"),
    );
    assert_has(
        &out,
        &format!("账号（accounts） id={lina} 的 is_liaison 列应为整数，实为文本 “yes”"),
    );
    // Writes go on too (the malformed row is check's to report).
    add_account(&db, "m2");
    let (code, out) = check(&db, &["--json"]);
    assert_eq!(code, 1, "{out}");
}

/// Copies a workbook's first sheet cell by cell as text, with one cell
/// changed: what an operator's spreadsheet program gives back.
fn edit_workbook(from: &Path, to: &Path, header: &str, append: &str) {
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(from).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let (header_row, col) = rows
        .iter()
        .enumerate()
        .find_map(|(i, r)| r.iter().position(|c| c.starts_with(header)).map(|c| (i, c)))
        .expect("the column");
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet().set_name(&name).unwrap();
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut changed = false;
    for (i, row) in rows.iter().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            let mut text = cell.clone();
            if i > header_row && j == col && !changed && !text.is_empty() {
                text.push_str(append);
                changed = true;
            }
            if !text.is_empty() {
                ws.write_string(r0 + i as u32, c0 as u16 + j as u16, &text)
                    .unwrap();
            }
        }
    }
    assert!(changed);
    out.save(to).unwrap();
}

#[test]
fn a_database_written_only_through_jianguan_checks_ok() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "clean.db");
    let first = head(&db);
    write(
        &db,
        &[
            "--as",
            "zhangwei",
            "claim",
            "--department",
            "国家市场监督管理总局",
        ],
    );
    write(
        &db,
        &[
            "--as",
            "zhangwei",
            "claim",
            "--search",
            "政府定价",
            "--unclaim",
        ],
    );
    write(&db, &["--as", "lina", "claim", "--finished"]);
    write(&db, &["claim", "--reopen", "郑州市城市管理局"]);
    write(
        &db,
        &["--as", "wangfang", "review", "approve", "DF410100-0002"],
    );
    write(
        &db,
        &[
            "--as",
            "xutao",
            "local",
            "enter",
            "DF410100-0006",
            "--official",
            "41100100000006",
            "--sub",
            "01=41100100100006",
            "--sub",
            "02=41100100200006",
        ],
    );
    add_account(&db, "clean1");
    write(
        &db,
        &["milestone", "set", "claims_city", "2026-12-20 17:00"],
    );
    write(
        &db,
        &[
            "unit",
            "set",
            "市场监督管理局",
            "--code",
            "11410100MB1234567W",
        ],
    );
    write(
        &db,
        &["basis", "set-status", "食品安全法", "修订中", "--id", "1"],
    );
    let exported = dir.path().join("清单.xlsx");
    let filled = dir.path().join("清单-已填.xlsx");
    write(
        &db,
        &[
            "--as",
            "zhangwei",
            "export",
            "checklists",
            "-o",
            exported.to_str().unwrap(),
        ],
    );
    edit_workbook(&exported, &filled, "检查内容", "（补充）");
    let out = write(
        &db,
        &[
            "--as",
            "zhangwei",
            "import",
            "checklists",
            filled.to_str().unwrap(),
        ],
    );
    assert_has(&out, "已修改 1");
    let report = dir.path().join("通报.xlsx");
    let out = write(&db, &["export", "progress", "-o", report.to_str().unwrap()]);
    let printed = head(&db);
    assert_has(&out, &format!("链头 {printed}"));

    let (code, out) = check(&db, &["--head", &first, "--head", &printed]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.lines().next(), Some("ok"), "{out}");
    let conn = Connection::open(&db).unwrap();
    assert_eq!(one::<i64>(&conn, "SELECT count(*) FROM pending_rows"), 0);
    // Every write logged its own rows: no entry had to take rows for it.
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM change_log WHERE action IN ('unlogged_rows', 'rows_of_write')"
        ),
        0
    );
    let logged_tables: i64 = one(&conn, "SELECT count(DISTINCT tbl) FROM change_log_rows");
    assert!(logged_tables >= 14, "{logged_tables}");
}

/// A file from before the rows were logged (schema version 7): its chain
/// in the old formula, its rows in no entry.
fn take_back_to_version_7(db: &Path) {
    let conn = Connection::open(db).unwrap();
    for (name, _) in jianguan::store::logged::all_triggers() {
        conn.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
    }
    conn.execute_batch(
        "DROP TABLE pending_rows;
         DROP TABLE change_log_rows;
         ALTER TABLE change_log DROP COLUMN rows_digest;
         PRAGMA user_version = 7;",
    )
    .unwrap();
    conn.execute_batch("ALTER TABLE change_log ADD COLUMN rows_digest TEXT")
        .unwrap();
    rehash(&conn);
    conn.execute_batch("ALTER TABLE change_log DROP COLUMN rows_digest")
        .unwrap();
}

#[test]
fn an_older_database_is_sealed_when_upgraded_and_checked_from_then_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "old.db");
    add_account(&db, "old1");
    take_back_to_version_7(&db);
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 0, "{out}");
    let conn = Connection::open(&db).unwrap();
    assert_eq!(
        one::<String>(&conn, "SELECT action FROM change_log WHERE id = 3"),
        "seal_existing"
    );
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM change_log WHERE rows_digest IS NULL"
        ),
        2,
        "the old entries keep their formula"
    );
    let accounts: i64 = one(&conn, "SELECT count(*) FROM accounts");
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM change_log_rows WHERE log_id = 3 AND tbl = 'accounts'"
        ),
        accounts
    );
    conn.execute(
        "UPDATE accounts SET mobile = '13900000000' WHERE login = 'old1'",
        [],
    )
    .unwrap();
    let id: i64 = one(&conn, "SELECT id FROM accounts WHERE login = 'old1'");
    let (code, out) = check(&db, &[]);
    assert_eq!(code, 1, "{out}");
    assert_has(
        &out,
        &format!("账号（accounts） id={id}：改动（与操作记录不符）"),
    );
}
