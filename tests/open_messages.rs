//! What the real binary says when a database cannot be used as it is: each
//! message names the file and what to do.

mod common;

use common::bin;
use std::path::Path;
use std::process::{Command, Output};

fn jianguan(db: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("JIANGUAN_DB")
        .output()
        .expect("run jianguan")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_file_that_is_not_a_database_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("清单.db");
    std::fs::write(&file, "这不是数据库".repeat(400)).unwrap();
    let before = std::fs::read(&file).unwrap();
    let o = jianguan(&file, &["whoami"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).trim_end(),
        format!(
            "错误：{} 不是数据库文件（可能是别的文件，或已严重损坏），未作任何修改：请检查 --db 指定的路径；若它原是 jianguan 数据库，请从备份恢复",
            file.display()
        )
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn a_database_from_a_newer_jianguan_says_which_version_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo_db(dir.path(), "demo.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let written: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_written_by'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        written,
        env!("CARGO_PKG_VERSION"),
        "the migration records it"
    );
    conn.pragma_update(None, "user_version", 99).unwrap();
    conn.execute(
        "UPDATE meta SET value = '9.9.9' WHERE key = 'schema_written_by'",
        [],
    )
    .unwrap();
    drop(conn);
    let o = jianguan(&db, &["whoami"]);
    assert_eq!(o.status.code(), Some(1));
    let latest = jianguan::store::schema::LATEST;
    assert_eq!(
        stderr(&o).trim_end(),
        format!(
            "错误：数据库 {} 的结构版本为 99，是较新的 jianguan 建立或升级的；本程序（jianguan {}）只支持到结构版本 {latest}，未作任何修改：请安装 jianguan 9.9.9 或更新的版本后再打开",
            db.display(),
            env!("CARGO_PKG_VERSION")
        )
    );
    // A file that does not say which version made it.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("DELETE FROM meta WHERE key = 'schema_written_by'", [])
        .unwrap();
    drop(conn);
    let o = jianguan(&db, &["whoami"]);
    assert!(
        stderr(&o).contains("请安装支持结构版本 99 的新版 jianguan 后再打开"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_lock_held_past_the_timeout_names_the_file_and_who_has_it_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo_by_binary(dir.path(), "demo.db");
    // A first open puts the new file in WAL mode, as in daily use.
    assert!(jianguan(&db, &["whoami"]).status.success());
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let o = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args([
            "account",
            "add",
            "--login",
            "lockwait",
            "--name",
            "等锁",
            "--unit",
            "市场监督管理局",
            "--role",
            "operator",
            "--mobile",
            "13800000009",
        ])
        .env_remove("JIANGUAN_DB")
        .output()
        .unwrap();
    let waited = started.elapsed();
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(waited.as_secs() >= 14, "waited {waited:?}: {}", stderr(&o));
    let text = stderr(&o);
    // Said while it waited, not only when it gave up.
    assert!(
        text.starts_with("正在等待其他人的写入完成（最多 15 秒）……\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "数据库 {} 正被另一个进程写入，等了 15 秒仍未释放，这次操作没有写入任何内容；请稍后重试",
            db.display()
        )),
        "{text}"
    );
    // This test's own process holds it, and may see itself in /proc.
    assert!(
        text.contains(&format!("打开着它的进程：{}（", std::process::id())),
        "{text}"
    );
}
