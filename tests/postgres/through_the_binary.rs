//! The real binary against PostgreSQL: `init` raced by 8 processes,
//! `migrate-to`, and roles the database enforces tried with `psql` as an
//! operator and a reviewer would.

use super::Database;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_jianguan")
}

/// The server's socket directory and superuser, from `host=… user=…`.
fn host_and_user(server: &str) -> (String, String) {
    let mut host = String::from("/run/postgresql");
    let mut user = String::from("postgres");
    for part in server.split_whitespace() {
        match part.split_once('=') {
            Some(("host", h)) => host = h.to_string(),
            Some(("user", u)) => user = u.to_string(),
            _ => {}
        }
    }
    (host, user)
}

/// The server's port, from `port=…` (5432 when not given).
fn port_of(server: &str) -> String {
    server
        .split_whitespace()
        .find_map(|p| p.strip_prefix("port="))
        .unwrap_or("5432")
        .to_string()
}

impl Database {
    /// The URL `--db` takes, logged in as `role` (None: the superuser).
    pub fn url_as(&self, role: Option<&str>) -> String {
        let (host, user) = host_and_user(&self.server);
        format!(
            "postgres://{}@/{}?host={host}&port={}",
            role.unwrap_or(&user),
            self.name,
            port_of(&self.server)
        )
    }
}

/// The server's clock as a log time, in SQL.
const SERVER_NOW: &str = "CAST(floor(extract(epoch FROM clock_timestamp())) AS bigint)";

/// `sql` in a transaction with a log entry of its own, as a role would
/// write it with `psql`: the commit is then refused only by the rules.
fn logged(sql: &str) -> String {
    format!(
        "BEGIN; {sql}
         SELECT jg_append_log({SERVER_NOW}, NULL, NULL, 'x', 'x', 'x', NULL, NULL); COMMIT;"
    )
}

/// Runs the binary on `db`. A file and the administrator's session run at a fixed
/// time (the demo's deadlines read alike on both engines); an operator's
/// role cannot: the server holds its writes to the server's clock.
fn jianguan(db: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.arg("--db").arg(db).args(args);
    if !db.starts_with("postgres://") || is_the_superuser(db) {
        cmd.env("JIANGUAN_NOW", "2026-11-20 10:00");
    }
    cmd.output().expect("run jianguan")
}

fn is_the_superuser(url: &str) -> bool {
    let server = std::env::var("JIANGUAN_TEST_PG").unwrap_or_default();
    let (_, user) = host_and_user(&server);
    url.starts_with(&format!("postgres://{user}@"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(db: &str, args: &[&str]) -> String {
    let o = jianguan(db, args);
    assert!(o.status.success(), "jianguan {args:?}: {}", text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `psql` of the installed server (on PATH, or beside the server).
fn psql() -> PathBuf {
    if let Ok(o) = Command::new("psql").arg("--version").output()
        && o.status.success()
    {
        return PathBuf::from("psql");
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path().join("bin/psql")).collect())
        .unwrap_or_default();
    found.retain(|p| p.exists());
    found.sort();
    found.pop().expect("psql from the PostgreSQL packages")
}

/// Runs one statement with `psql` as `role`: Ok(its output) or Err(its error).
fn psql_as(db: &Database, role: &str, sql: &str) -> Result<String, String> {
    let (host, _) = host_and_user(&db.server);
    let o = Command::new(psql())
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            &host,
            "-p",
            &port_of(&db.server),
            "-U",
            role,
            "-d",
            &db.name,
        ])
        .args(["-c", sql])
        .output()
        .expect("run psql");
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    }
}

/// Every row of every table, read as the superuser: what an attempt must
/// leave as it was.
fn dump(db: &Database) -> Vec<String> {
    let mut client = jianguan::store::postgres::connect(&db.url()).unwrap();
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables
              WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let rows = client
            .query(
                &format!("SELECT CAST(x AS text) FROM {t} x ORDER BY 1"),
                &[],
            )
            .unwrap();
        out.extend(
            rows.iter()
                .map(|r| format!("{t}:{}", r.get::<_, String>(0))),
        );
    }
    out
}

/// What a demo database holds, counted as the superuser.
fn counts(db: &Database) -> Vec<(String, i64)> {
    let mut client = jianguan::store::postgres::connect(&db.url()).unwrap();
    [
        "regions",
        "units",
        "accounts",
        "claims",
        "checklists",
        "change_log",
    ]
    .iter()
    .map(|t| {
        let n: i64 = client
            .query_one(&format!("SELECT count(*) FROM {t}"), &[])
            .unwrap()
            .get(0);
        (t.to_string(), n)
    })
    .collect()
}

pub fn init_raced(server: &str) {
    // One database made by one `init`, to compare with.
    let single = Database::new(server, "initone");
    ok(&single.url_as(None), &["init", "--demo"]);
    let db = Database::new(server, "initrace");
    let url = db.url_as(None);
    let spawned: Vec<_> = (0..8)
        .map(|_| {
            Command::new(bin())
                .args(["--db", &url, "init", "--demo"])
                .env("JIANGUAN_NOW", "2026-11-20 10:00")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = spawned
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let won: Vec<&Output> = outputs.iter().filter(|o| o.status.success()).collect();
    assert_eq!(won.len(), 1, "exactly one init fills it");
    assert!(text(won[0]).contains("已创建数据库"), "{}", text(won[0]));
    for o in outputs.iter().filter(|o| !o.status.success()) {
        assert!(
            text(o).contains("已经初始化过"),
            "the others are told: {}",
            text(o)
        );
    }
    assert_eq!(counts(&db), counts(&single), "the same as one init made");
    assert!(ok(&url, &["check"]).starts_with("ok"));
}

/// A SQLite demo with some writes of its own, as a file an office has.
fn sqlite_file(dir: &Path) -> PathBuf {
    let file = dir.join("city.db");
    let f = file.to_str().unwrap();
    ok(f, &["init", "--demo"]);
    ok(f, &["--as", "lina", "claim", "--search", "市容"]);
    ok(f, &["--as", "zhouqiang", "claim", "--search", "取水"]);
    file
}

pub fn migrate_to_moves_a_file_whole(server: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = sqlite_file(dir.path());
    let f = file.to_str().unwrap();
    let db = Database::new(server, "migrate");
    let url = db.url_as(None);
    let moved: serde_json::Value =
        serde_json::from_str(&ok(f, &["--json", "migrate-to", &url, "--from", f])).unwrap();
    // Table by table the same rows, and the same log head, on both sides.
    let source = jianguan::store::open(&file, &jianguan::store::OpenOptions::default()).unwrap();
    let mut client = jianguan::store::postgres::connect(&db.url()).unwrap();
    let tables = moved["tables"].as_object().unwrap();
    assert!(tables.len() >= 20, "{moved}");
    for (t, n) in tables {
        let here: i64 = source
            .conn()
            .query_row(&format!("SELECT count(*) FROM {t}"), (), |r| r.get(0))
            .unwrap();
        let there: i64 = client
            .query_one(&format!("SELECT count(*) FROM {t}"), &[])
            .unwrap()
            .get(0);
        assert_eq!((here, there), (n.as_i64().unwrap(), here), "{t}");
    }
    let head = moved["head"].as_str().unwrap().to_string();
    let checked_there = ok(&url, &["check"]);
    let checked_here = ok(f, &["check"]);
    assert!(
        checked_there.starts_with("ok") && checked_there.contains(&head),
        "{checked_there}"
    );
    assert!(
        checked_here.starts_with("ok") && checked_here.contains(&head),
        "{checked_here}"
    );
    // Work goes on there: new rows take new ids, and check stays ok.
    ok(&url, &["--as", "zhangwei", "claim", "--search", "特种设备"]);
    ok(
        &url,
        &[
            "account",
            "add",
            "--login",
            "newop",
            "--name",
            "新人",
            "--unit",
            "水利局",
            "--role",
            "operator",
            "--mobile",
            "13900000009",
        ],
    );
    assert!(ok(&url, &["check"]).starts_with("ok"));
    // A second move into a database that has data is refused, whole.
    let before = dump(&db);
    let o = jianguan(f, &["migrate-to", &url, "--from", f]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("已有 jianguan 的数据"), "{}", text(&o));
    assert_eq!(dump(&db), before);
}

pub fn a_source_that_fails_check_is_not_moved(server: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = sqlite_file(dir.path());
    let f = file.to_str().unwrap();
    // An edit made with another tool: check reports it, so it stays put.
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.execute(
        "UPDATE claims SET exercised = 0 WHERE sub_item_id = (SELECT min(sub_item_id) FROM claims)",
        [],
    )
    .unwrap();
    drop(conn);
    let db = Database::new(server, "badsource");
    let url = db.url_as(None);
    let o = jianguan(f, &["migrate-to", &url, "--from", f]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("检查未通过"), "{}", text(&o));
    // Refused before the target was touched: not even the schema is there.
    let mut client = jianguan::store::postgres::connect(&db.url()).unwrap();
    let made: bool = client
        .query_one("SELECT to_regclass('change_log') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    assert!(!made, "nothing made in the target");
}

pub fn roles_in_the_database_refuse_what_jianguan_refuses(server: &str) {
    let db = Database::new(server, "roles");
    let admin = db.url_as(None);
    ok(&admin, &["init", "--demo"]);
    let existing = role_names(&db);
    // An account named like the superuser takes over nothing.
    let (host, user) = host_and_user(server);
    ok(
        &admin,
        &[
            "account",
            "add",
            "--login",
            &user,
            "--name",
            "冒名",
            "--unit",
            "水利局",
            "--role",
            "operator",
            "--mobile",
            "13900000008",
        ],
    );
    let script = ok(&admin, &["pg-roles"]);
    assert!(
        script.contains(&format!("未处理账号 \"{user}\"")),
        "{script}"
    );
    assert!(ok(&admin, &["whoami"]).contains("平台管理员"));
    let mut run = Command::new(psql())
        .args([
            "-X",
            "-q",
            "-h",
            &host,
            "-p",
            &port_of(server),
            "-U",
            &user,
            "-d",
            &db.name,
            "-f",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    run.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let run = run.wait_with_output().unwrap();
    assert!(run.status.success(), "{}", text(&run));
    // lina: 部门管理员 of 城市管理局. What jianguan refuses her, and the
    // trust-boundary issue listed, tried straight at the tables.
    let others = "(SELECT unit_id FROM accounts WHERE login = 'zhangwei')";
    let mine = "(SELECT unit_id FROM accounts WHERE login = 'lina')";
    let before = dump(&db);
    let attempts = [
        "UPDATE accounts SET role = 'platform_admin' WHERE login = 'lina'".to_string(),
        "INSERT INTO accounts (login, name, unit_id, role, created_at, updated_at)
         SELECT 'mallory', 'M', unit_id, 'platform_admin', 0, 0 FROM accounts WHERE login = 'lina'"
            .to_string(),
        format!("DELETE FROM claims WHERE unit_id = {others}"),
        format!("UPDATE claims SET exercised = 0 WHERE unit_id = {others}"),
        // (At the server's time: that is not why it is refused.)
        format!(
            "INSERT INTO claims (unit_id, sub_item_id, claimed_by, claimed_at)
             SELECT {others}, id, 1, CAST(floor(extract(epoch FROM clock_timestamp())) AS bigint)
               FROM sub_items LIMIT 1"
        ),
        format!("UPDATE checklists SET content = '改' WHERE unit_id = {others}"),
        format!("DELETE FROM checklists WHERE unit_id = {others}"),
        format!("UPDATE local_items SET state = 'approved' WHERE unit_id = {others}"),
        format!("DELETE FROM claim_finished WHERE unit_id = {others}"),
        format!(
            "INSERT INTO claim_finished (unit_id, finished_at, finished_by) VALUES ({others}, 0, 1)"
        ),
        "UPDATE milestones SET due_at = 0".to_string(),
        format!("UPDATE units SET name = '改名' WHERE id = {others}"),
        // Her own unit's figures are derived, not hers to set.
        "UPDATE unit_progress SET filed = 999".to_string(),
        format!("UPDATE checklists SET counted = 1 - counted WHERE unit_id = {mine}"),
        format!("UPDATE claims SET inspection = 1 - inspection WHERE unit_id = {mine}"),
        "DELETE FROM change_log".to_string(),
        "UPDATE change_log SET action = 'x'".to_string(),
        "DELETE FROM change_log_rows".to_string(),
        "UPDATE change_log_rows SET hash = NULL".to_string(),
        "UPDATE meta SET value = 'x'".to_string(),
        // Her own local items move as the review lets them, not to 审核通过.
        format!("UPDATE local_items SET state = 'approved' WHERE unit_id = {mine}"),
        // Her unit's approved local item stays claimed.
        format!(
            "DELETE FROM claims WHERE unit_id = {mine} AND sub_item_id IN
               (SELECT s.id FROM sub_items s JOIN main_items m ON m.id = s.main_item_id
                 WHERE m.owner_unit_id = {mine})"
        ),
        // 撤销“认领完成” is the admin's.
        format!("DELETE FROM claim_finished WHERE unit_id = {mine}"),
        // A claim or a checklist in another account's name.
        format!(
            "INSERT INTO claims (unit_id, sub_item_id, claimed_by, claimed_at)
             SELECT {mine}, id, 1, 0 FROM sub_items WHERE id NOT IN
               (SELECT sub_item_id FROM claims WHERE unit_id = {mine}) LIMIT 1"
        ),
        // A temporary table named like one of ours must not fool the
        // functions that say who she is.
        "CREATE TEMP TABLE accounts (login text, role text, unit_id bigint, active int);
         INSERT INTO accounts VALUES ('lina', 'platform_admin', 1, 1);
         GRANT SELECT ON accounts TO PUBLIC;
         UPDATE public.accounts SET role = 'platform_admin' WHERE login = 'lina';
         DELETE FROM public.claims WHERE unit_id <> (SELECT unit_id FROM public.accounts WHERE login = 'lina')"
            .to_string(),
    ];
    // The change log is the server's to write: not forged, not emptied of
    // what is to be recorded, and no write of hers commits without its
    // entry — in her own name, at the server's time.
    let lina_id = "(SELECT id FROM accounts WHERE login = 'lina')";
    let zhangwei_id = "(SELECT id FROM accounts WHERE login = 'zhangwei')";
    let now = SERVER_NOW;
    let one_of_mine = format!(
        "unit_id = {mine} AND sub_item_id = (SELECT min(sub_item_id) FROM claims WHERE unit_id = {mine})"
    );
    let logged_as = |account: &str, at: &str| {
        format!(
            "BEGIN; UPDATE claims SET note = '经 psql' WHERE {one_of_mine};
             SELECT jg_append_log({at}, {account}, NULL, 'claim_note', 'claim', '1', NULL, '{{}}');
             COMMIT;"
        )
    };
    let refused = [
        (
            "INSERT INTO change_log (id, at, action, entity, entity_id, prev_hash, hash)
             SELECT max(id) + 1, 0, 'x', 'x', 'x', '', '' FROM change_log"
                .to_string(),
            "permission denied",
        ),
        (
            "INSERT INTO change_log_rows (log_id, tbl, k1, k2) VALUES (1, 'claims', 1, 1)".into(),
            "permission denied",
        ),
        ("DELETE FROM pending_rows".into(), "permission denied"),
        (
            "INSERT INTO pending_rows (tbl, k1, k2) VALUES ('claims', 1, 1)".into(),
            "permission denied",
        ),
        (
            format!("UPDATE claims SET note = '无记录' WHERE {one_of_mine}"),
            "没有记入操作记录",
        ),
        (logged_as(zhangwei_id, now), "他人"),
        (logged_as("NULL", "0"), "当前时间"),
        (
            format!(
                "BEGIN; INSERT INTO claims (unit_id, sub_item_id, claimed_by, claimed_at)
                 SELECT {mine}, id, {lina_id}, 0 FROM sub_items WHERE id NOT IN
                   (SELECT sub_item_id FROM claims WHERE unit_id = {mine}) LIMIT 1;
                 SELECT jg_append_log({now}, NULL, NULL, 'claim', 'claim', '1', NULL, NULL);
                 COMMIT;"
            ),
            "claims.claimed_at 只能是数据库服务器的当前时间",
        ),
        (
            "SELECT jg_append_log(0, NULL, 1, 'x', 'x', 'x', NULL, NULL)".into(),
            "代他人",
        ),
        // Her own write passed off as left by another tool, in nobody's name.
        (
            format!(
                "BEGIN; UPDATE claims SET note = '匿名' WHERE {one_of_mine};
                 SELECT jg_append_log({now}, NULL, NULL, 'unlogged_rows', 'database', 'main', NULL, NULL);
                 COMMIT;"
            ),
            "不能记为他人留下的",
        ),
        // Her approved local item's catalogue rows are past editing.
        (
            logged(&format!(
                "UPDATE main_items SET name = name || '改', source = 'national'
                  WHERE id IN (SELECT main_item_id FROM local_items WHERE unit_id = {mine} AND state = 'approved');"
            )),
            "只能在草稿或退回修改时修改",
        ),
        // Ids are the sequence's.
        ("SELECT nextval('checklists_id_seq')".into(), "permission denied"),
        (
            logged(&format!(
                "INSERT INTO checklists (id, sub_item_id, unit_id, level, state, updated_at, updated_by)
                 SELECT (SELECT max(id) FROM checklists) + 100, sub_item_id, unit_id, 'city', 'draft', {now}, {lina_id}
                   FROM claims WHERE {one_of_mine};"
            )),
            "row-level security",
        ),
        // No text longer than a spreadsheet cell: every export would stop.
        (
            logged(&format!(
                "UPDATE claims SET note = repeat('长', 40000) WHERE {one_of_mine};"
            )),
            "claims_note_cell",
        ),
        // A local item begins as a draft: not inserted approved.
        (
            logged(&format!(
                "INSERT INTO main_items (code, name, department, source, owner_unit_id, updated_at)
                   VALUES ('DF-X1', '伪造', '城市管理局', 'city', {mine}, {now});
                 INSERT INTO local_items (main_item_id, unit_id, state, updated_at, updated_by)
                   SELECT id, {mine}, 'approved', {now}, {lina_id} FROM main_items WHERE code = 'DF-X1';"
            )),
            "row-level security",
        ),
        // Nor a main item of her unit's with no local item to review.
        (
            logged(&format!(
                "INSERT INTO main_items (code, name, department, source, owner_unit_id, updated_at)
                   VALUES ('DF-X2', '无审核', '城市管理局', 'city', {mine}, {now});"
            )),
            "缺少 local_items",
        ),
        // Nor a sub-item of another unit's draft claimed.
        (
            logged(&format!(
                "INSERT INTO claims (unit_id, sub_item_id, claimed_by, claimed_at)
                   SELECT {mine}, s.id, {lina_id}, {now} FROM sub_items s
                     JOIN local_items l ON l.main_item_id = s.main_item_id
                    WHERE l.state = 'draft' LIMIT 1;"
            )),
            "row-level security",
        ),
        // Nor a national item taken over as her unit's draft.
        (
            logged(&format!(
                "INSERT INTO local_items (main_item_id, unit_id, state, updated_at, updated_by)
                   SELECT min(id), {mine}, 'draft', {now}, {lina_id} FROM main_items WHERE owner_unit_id IS NULL;"
            )),
            "row-level security",
        ),
        // Her approved item's power-list entry stays what was reviewed.
        (
            logged(&format!(
                "UPDATE local_items SET power_entry_id = NULL, version = version + 1,
                        updated_at = {now}, updated_by = {lina_id}
                  WHERE unit_id = {mine} AND state = 'approved';"
            )),
            "不是审核流程中的一步",
        ),
        // Which item a local item is stays put (no parking, no swapping).
        (
            format!("UPDATE local_items SET main_item_id = -1 WHERE unit_id = {mine}"),
            "permission denied",
        ),
        // The log entry's words are short, whichever they are.
        (
            format!(
                "SELECT jg_append_log({now}, NULL, NULL, repeat('垃', 100000), 'x', 'x', NULL, NULL)"
            ),
            "过长",
        ),
        (
            logged("INSERT INTO legal_bases (title, kind, article, excerpt)
                   VALUES ('《伪造法》', 'law', '第一条', 'x');"),
            "row-level security",
        ),
        // A flag is 0 or 1.
        (
            logged(&format!(
                "UPDATE claims SET exercised = 2 WHERE {one_of_mine};"
            )),
            "check constraint",
        ),
    ];
    for (sql, why) in &refused {
        let e = psql_as(&db, "lina", sql).expect_err(sql);
        assert!(e.contains(why), "{sql}: {e}");
        assert_eq!(dump(&db), before, "lina: {sql}");
    }
    for sql in &attempts {
        // Refused outright, or allowed to touch no row: either way nothing
        // may change.
        let _ = psql_as(&db, "lina", sql);
        assert_eq!(dump(&db), before, "lina: {sql}");
    }
    for sql in [
        "DELETE FROM change_log",
        "UPDATE change_log SET action = 'x'",
        "UPDATE unit_progress SET filed = 999",
        "UPDATE checklists SET counted = 1",
        "UPDATE claims SET inspection = 0",
    ] {
        let e = psql_as(&db, "lina", sql).unwrap_err();
        assert!(e.contains("permission denied"), "{sql}: {e}");
    }
    // A value jianguan could not read is refused even in one's own rows.
    let e = psql_as(
        &db,
        "zhangwei",
        &format!(
            "UPDATE checklists SET state = 'weird', version = version + 1, updated_at = {now},
                    updated_by = (SELECT id FROM accounts WHERE login = 'zhangwei')
              WHERE unit_id = {others}"
        ),
    )
    .unwrap_err();
    assert!(e.contains("check constraint"), "{e}");
    let e = psql_as(&db, "lina", &attempts[4]).unwrap_err();
    assert!(e.contains("row-level security"), "{e}");
    // A county admin neither files her county's checklists nor changes
    // whose role an account is (its login).
    let county_units = "(SELECT u.id FROM units u JOIN accounts a ON a.unit_id = u.id
                          WHERE a.login = 'zhaolei')";
    let e = psql_as(
        &db,
        "chenjing",
        &logged(&format!(
            "UPDATE checklists SET state = 'filed' WHERE unit_id IN {county_units} AND state <> 'filed';"
        )),
    )
    .unwrap_err();
    assert!(e.contains("只能把单位的新名称和代码带入"), "{e}");
    let e = psql_as(
        &db,
        "chenjing",
        "UPDATE accounts SET login = 'zhoujie2' WHERE login = 'zhaolei'",
    )
    .unwrap_err();
    assert!(e.contains("permission denied"), "{e}");
    // No squatting on the next id by moving a row there.
    let e = psql_as(
        &db,
        "chenjing",
        &logged(
            "UPDATE units SET id = jg_last_id('units_id_seq') + 1
              WHERE id = (SELECT max(id) FROM units WHERE region_id = jg_region());",
        ),
    )
    .unwrap_err();
    assert!(e.contains("row-level security"), "{e}");
    // The reviewer changes a basis's status only, and nobody but the admin
    // adds a national one.
    let e = psql_as(&db, "wangfang", "UPDATE legal_bases SET excerpt = '删'").unwrap_err();
    assert!(e.contains("permission denied"), "{e}");
    // A save without a new version and time files nothing late.
    let e = psql_as(
        &db,
        "zhangwei",
        &logged(&format!(
            "UPDATE checklists SET state = 'filed' WHERE unit_id = {others} AND state <> 'filed';"
        )),
    )
    .unwrap_err();
    assert!(e.contains("版本加一"), "{e}");
    // A coordinator moves deadlines, in her own name, and adds rows only
    // to a 通报 she took.
    let e = psql_as(
        &db,
        "liuyang",
        "UPDATE milestones SET audience = 'county_units'",
    )
    .unwrap_err();
    assert!(e.contains("permission denied"), "{e}");
    let e = psql_as(
        &db,
        "liuyang",
        &logged(&format!(
            "UPDATE milestones SET due_at = due_at + 86400, version = version + 1, updated_at = {now},
                    updated_by = (SELECT id FROM accounts WHERE role = 'platform_admin' LIMIT 1);"
        )),
    )
    .unwrap_err();
    assert!(
        e.contains("milestones的每次修改须使版本加一，并记下操作人"),
        "{e}"
    );
    // An item is entered with its official code, returned with a reason,
    // and a unit keeps the code it was given.
    let step_by = |who: &str, state: &str, main: i64| {
        logged(&format!(
            "UPDATE local_items SET state = '{state}', version = version + 1, updated_at = {now},
                    updated_by = (SELECT id FROM accounts WHERE login = '{who}')
              WHERE main_item_id = {main};"
        ))
    };
    for (who, state, main) in [("xutao", "entered", 90), ("wangfang", "returned", 86)] {
        let e = psql_as(&db, who, &step_by(who, state, main)).unwrap_err();
        assert!(e.contains("不是审核流程中的一步"), "{who}: {e}");
    }
    // Entered with a code its catalogue does not carry.
    let e = psql_as(
        &db,
        "xutao",
        &logged(&format!(
            "UPDATE local_items SET state = 'entered', official_code = '41100100000077',
                    version = version + 1, updated_at = {now},
                    updated_by = (SELECT id FROM accounts WHERE login = 'xutao')
              WHERE main_item_id = 90;"
        )),
    )
    .unwrap_err();
    assert!(e.contains("须带国家系统的14位编码"), "{e}");
    // A login is a plain name: no line of SQL smuggled into pg-roles' script.
    let e = psql_as(
        &db,
        "chenjing",
        &logged(&format!(
            "INSERT INTO accounts (login, name, unit_id, role, created_at, updated_at, updated_by)
               SELECT E'jg_y\nALTER ROLE chenjing SUPERUSER;\n--', '注入', u.id, 'operator', {now}, {now},
                      (SELECT id FROM accounts WHERE login = 'chenjing')
                 FROM units u WHERE u.region_id = jg_region() LIMIT 1;"
        )),
    )
    .unwrap_err();
    assert!(e.contains("accounts_login_plain"), "{e}");
    let e = psql_as(
        &db,
        "chenjing",
        "UPDATE units SET uscc = NULL WHERE region_id = jg_region() AND uscc IS NOT NULL",
    )
    .unwrap_err();
    assert!(e.contains("不能清除"), "{e}");
    assert_eq!(dump(&db), before);
    // A login role with no account reaches nothing.
    jianguan::store::postgres::connect(&db.url())
        .unwrap()
        .batch_execute(
            "DO $$ BEGIN CREATE ROLE jgtest_outsider LOGIN;
             EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        )
        .unwrap();
    let e = psql_as(&db, "jgtest_outsider", "SELECT 1").unwrap_err();
    assert!(e.contains("permission denied"), "{e}");
    assert_eq!(dump(&db), before);
    // A review step is whole: its version moves on and its history is kept.
    let e = psql_as(
        &db,
        "wangfang",
        &logged("UPDATE local_items SET state = 'approved', updated_by = (SELECT id FROM accounts WHERE login = 'wangfang')
              WHERE state = 'submitted';"),
    )
    .unwrap_err();
    assert!(e.contains("版本加一"), "{e}");
    // Its history is the server's: no line of her own making, and no
    // change of words without a step.
    let e = psql_as(
        &db,
        "wangfang",
        &format!(
            "INSERT INTO local_item_history (main_item_id, at, account_id, from_state, to_state, item_version)
             SELECT main_item_id, {now}, updated_by, 'draft', 'approved', version FROM local_items"
        ),
    )
    .unwrap_err();
    assert!(e.contains("permission denied"), "{e}");
    let e = psql_as(
        &db,
        "wangfang",
        &logged(&format!(
            "UPDATE local_items SET return_reason = '撤回', version = version + 1,
                    updated_by = (SELECT id FROM accounts WHERE login = 'wangfang'), updated_at = {now}
              WHERE state = 'returned';"
        )),
    )
    .unwrap_err();
    assert!(e.contains("不是审核流程中的一步"), "{e}");
    assert_eq!(dump(&db), before);
    // The reviewer changes review states and nothing else of a local item,
    // and only as a review does.
    let e = psql_as(&db, "wangfang", "UPDATE local_items SET unit_id = 1").unwrap_err();
    assert!(e.contains("permission denied"), "{e}");
    for (who, sql) in [
        (
            "wangfang",
            "UPDATE local_items SET state = 'approved' WHERE state = 'draft'",
        ),
        (
            "wangfang",
            "UPDATE sub_items SET name = '改' WHERE main_item_id IN (SELECT main_item_id FROM local_items)",
        ),
        ("liuyang", "DELETE FROM milestones"),
        (
            "liuyang",
            "INSERT INTO progress_reports (as_of, taken_at, taken_by) VALUES (0, 0, 1)",
        ),
    ] {
        let _ = psql_as(&db, who, sql);
        assert_eq!(dump(&db), before, "{who}: {sql}");
    }
    // A county admin's change of a unit reaches its checklists.
    ok(
        &db.url_as(Some("chenjing")),
        &[
            "unit",
            "set",
            "金水区市场监督管理局",
            "--code",
            "11410105MB0000000D",
        ],
    );
    // Through jianguan, each works as herself, and only as herself.
    let lina = db.url_as(Some("lina"));
    assert!(ok(&lina, &["whoami"]).contains("李娜"));
    ok(&lina, &["claim", "--search", "市容"]);
    let o = jianguan(&lina, &["--as", "zhangwei", "claim", "--search", "食品"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // The platform admin connected as her own role may act for another;
    // the entry is hers, naming whom she acted for.
    let mut client = jianguan::store::postgres::connect(&db.url()).unwrap();
    let admin_login: String = client
        .query_one(
            "SELECT login FROM accounts WHERE role = 'platform_admin' ORDER BY id LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    let as_admin = db.url_as(Some(&admin_login));
    ok(
        &as_admin,
        &["--as", "zhouqiang", "claim", "--search", "取水"],
    );
    let row = client
        .query_one(
            "SELECT a.login, b.login FROM change_log l JOIN accounts a ON a.id = l.account_id
               JOIN accounts b ON b.id = l.acting_as ORDER BY l.id DESC LIMIT 1",
            &[],
        )
        .unwrap();
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, String>(1)),
        (admin_login, "zhouqiang".to_string())
    );
    // Two changes of one row within a second are two steps, not a late one.
    let liuyang = db.url_as(Some("liuyang"));
    ok(
        &liuyang,
        &["milestone", "set", "checklists", "2026-12-12 17:00"],
    );
    ok(
        &liuyang,
        &["milestone", "set", "checklists", "2026-12-13 17:00"],
    );
    // An entered item's codes corrected by its unit, as jianguan allows.
    ok(
        &db.url_as(Some("wuhui")),
        &[
            "local",
            "enter",
            "DF410100-0005",
            "--official",
            "41100500000093",
            "--sub",
            "01=41100500100093",
            "--sub",
            "02=41100500200093",
        ],
    );
    // And a review step for another (the row names whom she acted for).
    ok(
        &as_admin,
        &[
            "--as",
            "xutao",
            "local",
            "enter",
            "DF410100-0006",
            "--official",
            "41100600000092",
            "--sub",
            "01=41100600100092",
            "--sub",
            "02=41100600200092",
        ],
    );
    let wangfang = db.url_as(Some("wangfang"));
    let listed = ok(&wangfang, &["review", "list"]);
    let code = listed
        .lines()
        .find_map(|l| l.split_whitespace().next().filter(|c| c.starts_with("DF")))
        .expect("an item awaiting review");
    ok(&wangfang, &["review", "approve", code]);
    // Her approved local item entered with its official codes: the one
    // change its catalogue rows take once approved.
    ok(
        &lina,
        &[
            "local",
            "enter",
            "DF410100-0001",
            "--official",
            "41100100000091",
            "--sub",
            "01=41100100100091",
            "--sub",
            "02=41100100200091",
        ],
    );
    // A claim given up and put back (撤销) returns as it was logged, with
    // its first time and claimer; a made-up one would not.
    let row = client
        .query_one(
            &format!(
                "SELECT unit_id, sub_item_id, exercised, note, claimed_by, claimed_at FROM claims
                  WHERE {one_of_mine}"
            ),
            &[],
        )
        .unwrap();
    let (unit, sub, exercised, note, by, at): (i64, i64, i32, String, i64, i64) = (
        row.get(0),
        row.get(1),
        row.get(2),
        row.get(3),
        row.get(4),
        row.get(5),
    );
    psql_as(
        &db,
        "lina",
        &format!(
            "BEGIN; DELETE FROM claims WHERE unit_id = {unit} AND sub_item_id = {sub};
             SELECT jg_append_log({now}, NULL, NULL, 'unclaim', 'unit', '{unit}', NULL, NULL); COMMIT;"
        ),
    )
    .unwrap();
    let put_back = |claimed_at: i64| {
        format!(
            "BEGIN; INSERT INTO claims (unit_id, sub_item_id, exercised, note, claimed_by, claimed_at)
               VALUES ({unit}, {sub}, {exercised}, '{note}', {by}, {claimed_at});
             SELECT jg_append_log({now}, NULL, NULL, 'undo_unclaim', 'unit', '{unit}', NULL, NULL); COMMIT;"
        )
    };
    let e = psql_as(&db, "lina", &put_back(at - 86_400)).unwrap_err();
    assert!(e.contains("只能是数据库服务器的当前时间"), "{e}");
    psql_as(&db, "lina", &put_back(at)).unwrap();
    // What she may write she may write with psql too, if she logs it: the
    // entry is hers, its rows are what she wrote, and `check` agrees.
    psql_as(&db, "lina", &logged_as("NULL", now)).unwrap();
    let row = client
        .query_one(
            "SELECT a.login, (SELECT count(*) FROM change_log_rows r WHERE r.log_id = l.id)
               FROM change_log l JOIN accounts a ON a.id = l.account_id
              ORDER BY l.id DESC LIMIT 1",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "lina");
    assert_eq!(row.get::<_, i64>(1), 1);
    // Her entry's words about rows she did not write move nothing: an
    // entry claiming zhangwei's unit's claims were put back after the
    // time asked about leaves the progress of that time as it was.
    let claimed_then = || -> Vec<(String, i64)> {
        let json: serde_json::Value = serde_json::from_str(&ok(
            &admin,
            &["--json", "progress", "--as-of", "2026-11-25 00:00"],
        ))
        .unwrap();
        json["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                let claimed = u["figures"]["claimed"].as_i64().unwrap();
                (u["unit"].as_str().unwrap().to_string(), claimed)
            })
            .collect()
    };
    let progress_then = claimed_then();
    assert!(progress_then.iter().any(|(_, n)| *n > 0));
    let theirs = format!(
        "SELECT json_build_object('sub_items', json_agg(sub_item_id))::text FROM claims WHERE unit_id = {others}"
    );
    psql_as(
        &db,
        "lina",
        &format!(
            "BEGIN; UPDATE claims SET note = '另一句' WHERE {one_of_mine};
             SELECT jg_append_log({now}, NULL, NULL, 'undo_unclaim', 'unit', {others}::text, NULL, ({theirs}));
             COMMIT;"
        ),
    )
    .unwrap();
    assert_eq!(claimed_then(), progress_then);
    assert!(ok(&lina, &["check"]).starts_with("ok"));
    drop_roles(&db, &existing);
}

fn role_names(db: &Database) -> Vec<String> {
    let mut client = jianguan::store::postgres::connect(&db.url()).unwrap();
    client
        .query("SELECT rolname::text FROM pg_roles", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// The roles `pg-roles` made belong to the cluster: those the test made
/// are dropped again, so that a server of one's own is left as it was.
fn drop_roles(db: &Database, existing: &[String]) {
    let mut client = jianguan::store::postgres::connect(&db.url()).unwrap();
    let roles: Vec<String> = role_names(db)
        .into_iter()
        .filter(|r| !existing.contains(r))
        .collect();
    for r in &roles {
        let _ = client.batch_execute(&format!("DROP OWNED BY \"{r}\""));
    }
    drop(client);
    for r in &roles {
        if let Ok(mut c) =
            jianguan::store::postgres::connect(&format!("{} dbname=postgres", db.server))
        {
            let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS \"{r}\""));
        }
    }
}

/// How many claims the unit of `login` has, read as the superuser.
fn claims_of(db: &Database, login: &str) -> i64 {
    let mut client = jianguan::store::postgres::connect(&db.url()).unwrap();
    client
        .query_one(
            "SELECT count(*) FROM claims WHERE unit_id = (SELECT unit_id FROM accounts WHERE login = $1)",
            &[&login],
        )
        .unwrap()
        .get(0)
}

pub fn a_claim_killed_at_any_point_is_all_or_nothing(server: &str) {
    let db = Database::new(server, "kill");
    let url = db.url_as(None);
    ok(&url, &["init", "--demo"]);
    let claim = ["--as", "zhouqiang", "claim", "--search", "检查"];
    let unclaim = [
        "--as",
        "zhouqiang",
        "claim",
        "--search",
        "检查",
        "--unclaim",
    ];
    // Both ends, and how long a whole action takes here.
    let none = {
        ok(&url, &unclaim);
        claims_of(&db, "zhouqiang")
    };
    let t = std::time::Instant::now();
    ok(&url, &claim);
    let whole = t.elapsed();
    let all = claims_of(&db, "zhouqiang");
    assert!(all > none + 10, "a claim of many items: {none} → {all}");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let (mut all_seen, mut none_seen) = (0, 0);
    for k in 0..16 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = whole.mul_f64((seed % 1000) as f64 / 1000.0 * 1.2);
        let args: &[&str] = if k % 2 == 0 { &unclaim } else { &claim };
        let mut child = Command::new(bin())
            .arg("--db")
            .arg(&url)
            .args(args)
            .env("JIANGUAN_NOW", "2026-11-20 10:00")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        let _ = child.kill();
        let _ = child.wait();
        // The server rolls back a transaction whose client is gone; give it
        // the moment it takes to notice.
        let mut n = claims_of(&db, "zhouqiang");
        for _ in 0..50 {
            if n == all || n == none {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            n = claims_of(&db, "zhouqiang");
        }
        match n {
            n if n == all => all_seen += 1,
            n if n == none => none_seen += 1,
            n => panic!("a killed claim left {n} claims (all {all}, none {none})"),
        }
        // Each kill leaves the database whole: the log replays to it.
        let c = ok(&url, &["check"]);
        assert!(c.starts_with("ok"), "after kill {k}: {c}");
        // Back to a known end before the next.
        if k % 2 == 0 {
            ok(&url, &claim);
        } else {
            ok(&url, &unclaim);
        }
    }
    println!("  (16 kills: {all_seen} times all, {none_seen} times none)");
}

/// A session that holds the write lock (a stuck process, or an operator's
/// `psql` left in a transaction) makes a write wait its 15 s and give up
/// whole, saying which session to end.
pub fn a_write_lock_held_too_long_names_its_holder(server: &str) {
    let db = Database::new(server, "held");
    let admin = db.url_as(None);
    ok(&admin, &["init", "--demo"]);
    let before = claims_of(&db, "zhouqiang");
    let mut holder =
        jianguan::store::postgres::connect(&format!("{} application_name=stuck", db.url()))
            .unwrap();
    let mut tx = holder.transaction().unwrap();
    let pid: i32 = tx.query_one("SELECT pg_backend_pid()", &[]).unwrap().get(0);
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&jianguan::store::WRITE_LOCK],
    )
    .unwrap();
    let o = jianguan(&admin, &["--as", "zhouqiang", "claim", "--search", "取水"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let said = text(&o);
    assert!(said.contains("正在等待其他人的写入完成"), "{said}");
    assert!(said.contains("没有写入任何内容"), "{said}");
    assert!(said.contains(&format!("进程 {pid}，stuck")), "{said}");
    assert!(
        said.contains(&format!("pg_terminate_backend({pid})")),
        "{said}"
    );
    tx.rollback().unwrap();
    assert_eq!(claims_of(&db, "zhouqiang"), before);
    ok(&admin, &["--as", "zhouqiang", "claim", "--search", "取水"]);
    assert!(claims_of(&db, "zhouqiang") > before);
}

/// Over TCP the connection is encrypted and the server's certificate
/// checked: `JIANGUAN_TEST_PG_TLS` names the same server by localhost with
/// the CA of its certificate (`.ci/run` makes both).
pub fn tls_over_tcp_verifies_the_server(_server: &str) {
    let Ok(tls) = std::env::var("JIANGUAN_TEST_PG_TLS") else {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "CI=true but JIANGUAN_TEST_PG_TLS is not set"
        );
        print!("(skipped: JIANGUAN_TEST_PG_TLS is not set) ");
        return;
    };
    let db = Database::new(&tls, "tls");
    let url = db.url();
    ok(&url, &["init", "--demo"]);
    assert!(ok(&url, &["check"]).starts_with("ok"));
    let mut client = jianguan::store::postgres::connect(&url).unwrap();
    let encrypted: bool = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(encrypted);
    // Without the CA the server is not trusted: refused, saying what to add.
    let untrusted: String = url
        .split_whitespace()
        .filter(|p| !p.starts_with("sslrootcert="))
        .collect::<Vec<_>>()
        .join(" ");
    let o = jianguan(&untrusted, &["whoami"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("sslrootcert=CA证书文件"), "{}", text(&o));
    // Turned off on purpose, it connects in clear.
    let mut clear =
        jianguan::store::postgres::connect(&format!("{untrusted} sslmode=disable")).unwrap();
    let encrypted: bool = clear
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(!encrypted);
}
