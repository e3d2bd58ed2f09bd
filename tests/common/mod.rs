//! Helpers shared by the integration tests.
#![allow(dead_code)]

use jianguan::app::init::{AdminInput, init};
use jianguan::app::{Actor, now};
use jianguan::store::{self, OpenOptions, Store};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Login of the platform_admin of test databases.
pub const ADMIN: &str = "admin";

/// The PostgreSQL server the suite runs against instead of SQLite files
/// (`JIANGUAN_TEST_BACKEND=postgres` with `JIANGUAN_TEST_PG`, as
/// `.ci/run` sets them for its second pass), as a URL without a database.
pub fn postgres_backend() -> Option<String> {
    if std::env::var("JIANGUAN_TEST_BACKEND").ok()? != "postgres" {
        return None;
    }
    let server =
        std::env::var("JIANGUAN_TEST_PG").expect("JIANGUAN_TEST_PG for the PostgreSQL pass");
    let mut host = String::new();
    let mut user = String::from("postgres");
    let mut port = String::new();
    for part in server.split_whitespace() {
        match part.split_once('=') {
            Some(("host", h)) => host = h.replace('/', "%2F"),
            Some(("user", u)) => user = u.to_string(),
            Some(("port", p)) => port = format!(":{p}"),
            _ => {}
        }
    }
    Some(format!("postgres://{user}@{host}{port}"))
}

/// True (after saying so) on the PostgreSQL pass, for a test about what
/// only a file has — its name on screen, say.
pub fn only_on_sqlite(why: &str) -> bool {
    let skip = postgres_backend().is_some();
    if skip {
        eprintln!("skipped on PostgreSQL: {why}");
    }
    skip
}

/// Where a test's database at `path` lives: the path itself, or on the
/// PostgreSQL pass a new database named after it (created here), as the
/// URL `--db` takes.
pub fn db_at(path: &Path) -> PathBuf {
    let Some(server) = postgres_backend() else {
        return path.to_path_buf();
    };
    if path.starts_with("postgres:") {
        return path.to_path_buf();
    }
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut h);
    // Short, as a file's name is: the TUI's title shows it.
    let name = format!("jgt{:07x}", h.finish() & 0xfff_ffff);
    let mut admin = postgres::Client::connect(&format!("{server}/postgres"), postgres::NoTls)
        .expect("connect to the test server");
    if let Err(e) = admin.batch_execute(&format!("CREATE DATABASE {name}")) {
        let exists = e.code() == Some(&postgres::error::SqlState::DUPLICATE_DATABASE);
        assert!(exists, "CREATE DATABASE {name}: {e}");
    }
    PathBuf::from(format!("{server}/{name}"))
}

pub fn open(path: &Path) -> Store {
    let path = &db_at(path);
    store::open(
        path,
        &OpenOptions {
            create: true,
            allow_network_fs: false,
        },
    )
    .expect("open test database")
}

/// A demo database at `dir/name`, created through the real init service.
pub fn demo_db(dir: &Path, name: &str) -> PathBuf {
    let path = db_at(&dir.join(name));
    let mut store = open(&path);
    init(
        &mut store,
        &AdminInput {
            login: ADMIN.into(),
            name: "测试管理员".into(),
            mobile: "13900000000".into(),
        },
        true,
        now(),
    )
    .expect("init demo");
    path
}

pub fn actor(store: &Store, login: &str) -> Actor {
    Actor::resolve(store, login, None).unwrap_or_else(|e| panic!("{login}: {e}"))
}

/// Waits until the parent creates the `go` file in `dir`, so that worker
/// processes all start together.
pub fn wait_for_go(dir: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !dir.join("go").exists() {
        assert!(std::time::Instant::now() < deadline, "no go signal");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// Starts this test binary again as a worker process: it runs only the
/// ignored test `name`, which reads its orders from the environment.
pub fn spawn_worker(name: &str, env: &[(&str, String)]) -> Child {
    let exe = std::env::current_exe().expect("test binary path");
    let mut cmd = Command::new(exe);
    cmd.args([
        name,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn worker")
}

/// The `RESULT {...}` line a worker printed.
pub fn worker_result(child: Child) -> serde_json::Value {
    let out = child.wait_with_output().expect("worker output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "worker failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("RESULT ").map(|(_, r)| r))
        .unwrap_or_else(|| panic!("no RESULT line in: {stdout}"));
    serde_json::from_str(line).expect("RESULT is JSON")
}

/// Every row of every table, as text: two databases with the same content
/// give the same dump.
pub fn content_dump(store: &Store) -> Vec<String> {
    let conn = store.conn();
    let list = if conn.is_postgres() {
        "SELECT table_name FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    };
    let mut tables: Vec<String> = conn
        .prepare(list)
        .unwrap()
        .query_map((), |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.retain(|t| !t.starts_with("sqlite_"));
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
        let mut rows: Vec<String> = stmt
            .query_map((), |r| {
                let mut s = format!("{t}:");
                for i in 0..r.len() {
                    let v = r.value(i)?;
                    s.push_str(&format!("{v:?}|"));
                }
                Ok(s)
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        out.extend(rows);
    }
    out
}

/// A demo database at `dir/name`, made by the real binary: its OS user
/// becomes the platform admin, as for a person running `init --demo`.
pub fn demo_by_binary(dir: &Path, name: &str) -> PathBuf {
    let db = db_at(&dir.join(name));
    let o = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args(["init", "--demo"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    db
}

/// Path to the built binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_jianguan")
}

/// Runs the binary on `db` as the OS user: (exit code, stdout, stderr).
pub fn run_on(db: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}
