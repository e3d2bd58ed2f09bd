//! The real binary, as a user runs it.

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

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("demo.db");
    let o = jianguan(&db, &["init", "--demo"]);
    assert!(o.status.success(), "{}", text(&o));
    db
}

#[test]
fn check_is_ok_on_a_fresh_demo_and_finds_a_change_log_row_edited_with_sql() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let o = jianguan(&db, &["check"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).lines().next(),
        Some("ok")
    );

    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE change_log SET after = replace(after, '\"regions\":17', '\"regions\":18') WHERE id = 1",
        [],
    )
    .unwrap();
    drop(conn);
    let o = jianguan(&db, &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("操作记录第 1 条") && out.contains("修改过"),
        "{out}"
    );
}

#[test]
fn check_finds_a_deleted_change_log_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // Make a second and third row through the real CLI.
    for login in ["op1", "op2"] {
        let o = jianguan(
            &db,
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
        assert!(o.status.success(), "{}", text(&o));
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("DELETE FROM change_log WHERE id = 2", [])
        .unwrap();
    drop(conn);
    let o = jianguan(&db, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("缺失"), "{}", text(&o));
}

#[test]
fn init_refuses_an_existing_database_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let before = std::fs::read(&db).unwrap();
    let o = jianguan(&db, &["init", "--demo"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("已存在"), "{}", text(&o));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn a_missing_database_says_how_to_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let o = jianguan(&dir.path().join("none.db"), &["whoami"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("jianguan init"), "{}", text(&o));
    assert!(!dir.path().join("none.db").exists(), "nothing created");
}

#[test]
fn a_newer_schema_and_a_foreign_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let o = jianguan(&db, &["whoami"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("结构版本为 99") && text(&o).contains("升级"),
        "{}",
        text(&o)
    );

    let other = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute("CREATE TABLE notes (x)", []).unwrap();
    drop(conn);
    let o = jianguan(&other, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("不是 jianguan 数据库"), "{}", text(&o));
}

#[test]
fn usage_errors_exit_with_2() {
    let o = Command::new(bin()).arg("--no-such-flag").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn accounts_are_created_by_admins_and_as_acts_for_another_account() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let add = |extra: &[&str], login: &str| {
        let mut args = extra.to_vec();
        args.extend_from_slice(&[
            "account",
            "add",
            "--login",
            login,
            "--name",
            "钱七",
            "--unit",
            "金水区城市管理局",
            "--role",
            "operator",
            "--mobile",
            "13912345678",
            "--post",
            "法规股 科员",
        ]);
        jianguan(&db, &args)
    };
    // The OS user ran init, so it is the platform_admin.
    let o = add(&[], "qianqi");
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("金水区城市管理局"), "{}", text(&o));
    // Acting as an operator, the admin has the operator's rights: none here.
    let o = add(&["--as", "zhangwei"], "qianba");
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("无权操作"), "{}", text(&o));
    // Acting as the county admin of 金水区 is allowed.
    let o = add(&["--as", "chenjing"], "qianjiu");
    assert!(o.status.success(), "{}", text(&o));
    // A bad phone number is named.
    let o = jianguan(
        &db,
        &[
            "account",
            "add",
            "--login",
            "x1",
            "--name",
            "某",
            "--unit",
            "金水区城市管理局",
            "--role",
            "operator",
            "--mobile",
            "2391234567",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("2391234567"), "{}", text(&o));

    let o = jianguan(&db, &["account", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let logins: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["login"].as_str().unwrap())
        .collect();
    assert!(logins.contains(&"qianqi") && logins.contains(&"qianjiu"));
    assert!(!logins.contains(&"qianba") && !logins.contains(&"x1"));
}

#[test]
fn plain_jianguan_creates_the_demo_database_on_first_run() {
    let home = tempfile::tempdir().unwrap();
    let o = Command::new(bin())
        .env_remove("JIANGUAN_DB")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    let path = home.path().join("data/jianguan/jianguan.db");
    assert!(path.exists());
    // Said once, on stderr: a demo, where, and how to make a real one.
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("已创建演示数据库").count(), 1, "{err}");
    assert!(
        err.contains(&format!("已创建演示数据库 {}", path.display()))
            && err.contains("jianguan init --db 路径"),
        "{err}"
    );
    assert!(
        out.contains("（演示数据，不是真实数据）") && out.contains("258 个子项"),
        "{out}"
    );
    // The next run opens it without a word about creating anything, still
    // marked as the demo.
    let o = Command::new(bin())
        .env_remove("JIANGUAN_DB")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains("已创建"), "{}", text(&o));
    assert!(text(&o).contains("演示数据"), "{}", text(&o));
}

#[test]
fn jianguan_db_environment_variable_selects_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let o = Command::new(bin())
        .env("JIANGUAN_DB", &db)
        .arg("check")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn export_then_import_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let file = dir.path().join("mine.xlsx");
    let f = file.to_str().unwrap();
    let o = jianguan(&db, &["--as", "zhangwei", "export", "checklists", "-o", f]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("已导出 28 份检查实施清单"),
        "{}",
        text(&o)
    );
    let o = jianguan(
        &db,
        &["--as", "zhangwei", "import", "checklists", f, "--dry-run"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("共 28 行")
            && text(&o).contains("未变 28")
            && text(&o).contains("试运行"),
        "{}",
        text(&o)
    );
    let o = jianguan(
        &db,
        &["--as", "zhangwei", "import", "checklists", f, "--json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["unchanged"], 28);

    let o = jianguan(
        &db,
        &[
            "export",
            "catalogue",
            "--local",
            "-o",
            dir.path().join("local.xlsx").to_str().unwrap(),
        ],
    );
    // The city's annex 4 shows what has been reported: 待审核 and later
    // (8 of the demo's 12 local sub-items; drafts and returned ones stay out).
    assert!(text(&o).contains("已导出 8 个子项"), "{}", text(&o));
    let o = jianguan(
        &db,
        &[
            "export",
            "accounts",
            "-o",
            dir.path().join("a.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains(".xlsx"), "{}", text(&o));
}

#[test]
fn import_errors_from_the_shell_name_the_cell_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let o = jianguan(
        &db,
        &[
            "import",
            "catalogue",
            data.join("catalogue_bad_rows.xlsx").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("Sheet!3: 子项编码: “3010010010000”不是14位数字的事项编码"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("未导入任何内容"), "{}", text(&o));
    let o = jianguan(
        &db,
        &[
            "import",
            "catalogue",
            data.join("not_a_spreadsheet.xlsx").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("错误：无法读取"), "{}", text(&o));
    let o = jianguan(&db, &["check"]);
    assert!(o.status.success());
}

#[test]
fn search_from_the_shell_groups_items_and_bases() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // One ranked list, each row saying what it is: the law's articles (a
    // run of spaq at the start) before the sub-item that holds it later.
    let o = jianguan(&db, &["search", "spaq"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let basis = out
        .find("设定依据  《中华人民共和国食品安全法》第八十七条")
        .unwrap();
    let item = out
        .find("子项  10100400100000  查封、扣押不符合食品安全标准的食品")
        .unwrap();
    assert!(basis < item, "{out}");
    // One wrong character: below a line.
    let o = jianguan(&db, &["search", "餐钦服务"]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        out.starts_with(
            "—— 近似结果（错一个字）——\n子项  10100200200000  对餐饮服务提供者的监督检查"
        ),
        "{out}"
    );
    let o = jianguan(&db, &["search", "1010010", "--kind", "item", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "10100100100000",
            "10100100200000",
            "10100100300000",
            "10100100400000"
        ]
    );
    let o = jianguan(&db, &["search", "没有这种事项"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("没有找到"));
}

#[test]
fn bulk_claims_from_the_shell_are_idempotent_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let lina = |args: &[&str]| {
        let mut all = vec!["--as", "lina", "claim"];
        all.extend_from_slice(args);
        jianguan(&db, &all)
    };
    // The first open switches init's standalone file to WAL (its header
    // changes); from then on a dry run leaves it as it was, byte for byte.
    assert!(jianguan(&db, &["whoami"]).status.success());
    let before = std::fs::read(&db).unwrap();
    let o = lina(&["--department", "国家市场监督管理总局", "--dry-run"]);
    assert!(
        text(&o).contains("将认领 39 项（其中 0 项原已认领）"),
        "{}",
        text(&o)
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "a dry run writes nothing"
    );
    let o = lina(&["--department", "国家市场监督管理总局", "--not-exercised"]);
    assert!(
        text(&o).contains("已认领 39 项（其中 0 项原已认领）"),
        "{}",
        text(&o)
    );
    let o = lina(&["--department", "国家市场监督管理总局", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["changed"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(39))
    );
    // A search's dry run lists what it matched (never its 近似结果).
    let o = lina(&["--search", "食品安全标准", "--unclaim", "--dry-run"]);
    assert!(
        text(&o).contains("  10100400100000 查封、扣押不符合食品安全标准的食品\n将取消认领 1 项"),
        "{}",
        text(&o)
    );
    let o = lina(&["--search", "餐钦服务", "--unclaim", "--dry-run"]);
    assert!(!o.status.success(), "{}", text(&o));
    let o = lina(&["--search", "食品安全标准", "--unclaim"]);
    assert!(
        text(&o).contains("已取消认领 1 项（其中 0 项原未认领）"),
        "{}",
        text(&o)
    );
    // 认领完成: recorded for the unit, withdrawn by the platform admin (who
    // runs these tests: `--as lina` is the admin acting for lina).
    let o = lina(&["--finished"]);
    assert!(
        o.status.success() && text(&o).starts_with("郑州市城市管理局认领完成："),
        "{}",
        text(&o)
    );
    let o = jianguan(&db, &["claim", "--reopen", "城市管理局"]);
    assert!(
        text(&o).contains("已撤销郑州市城市管理局的认领完成"),
        "{}",
        text(&o)
    );
    let o = jianguan(&db, &["claim", "--reopen", "郑州市城市管理局"]);
    assert!(text(&o).contains("尚未认领完成，无需撤销"), "{}", text(&o));
    let o = jianguan(&db, &["claim", "--reopen", "不存在的局"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("不是已知的单位"), "{}", text(&o));
    // An unknown code stops the whole file, naming its line.
    let codes = dir.path().join("codes.txt");
    std::fs::write(&codes, "10100100100000\n# 注释\n\n99999999999999\n").unwrap();
    let o = lina(&["--codes", codes.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("第4行 99999999999999"), "{}", text(&o));
    // Only an operator claims, for its own unit; the admin must use --as.
    let o = jianguan(&db, &["claim", "--department", "国家市场监督管理总局"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o).matches("无权操作").count(), 1, "{}", text(&o));
    let o = jianguan(&db, &["check"]);
    assert!(o.status.success());
}

#[test]
fn local_items_and_the_review_queue_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let o = jianguan(&db, &["--as", "wangfang", "review", "list"]);
    assert!(o.status.success(), "{}", text(&o));
    let queue = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(
        queue.lines().count(),
        2,
        "header and the one waiting: {queue}"
    );
    let code = queue
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    // Only the legal reviewer reviews; a return needs its reason.
    let o = jianguan(&db, &["--as", "lina", "review", "approve", &code]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("无权"), "{}", text(&o));
    let o = jianguan(
        &db,
        &[
            "--as", "wangfang", "review", "return", &code, "--reason", " ",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("必须填写理由"), "{}", text(&o));
    let o = jianguan(&db, &["--as", "wangfang", "review", "approve", &code]);
    assert!(text(&o).contains("审核通过"), "{}", text(&o));
    let o = jianguan(&db, &["review", "show", &code, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let history = v["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["to"], "approved");
    let o = jianguan(&db, &["--as", "wangfang", "review", "list"]);
    assert!(
        text(&o).contains("没有待审核的地方监管事项"),
        "{}",
        text(&o)
    );
    // An operator lists its own unit's; --state filters.
    let o = jianguan(&db, &["--as", "lina", "local", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| r["unit"] == "郑州市城市管理局")
    );
    let o = jianguan(&db, &["local", "list", "--state", "已录入"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);
    let o = jianguan(&db, &["local", "list", "--state", "完成"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn the_progress_table_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let o = jianguan(&db, &["progress", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let units = v["units"].as_array().unwrap();
    assert_eq!(units.len(), 50);
    // 市直单位 first, ranked among themselves and sorted by rank.
    let city: Vec<u64> = units
        .iter()
        .filter(|u| u["level"] == "city" && u["duty"] == true)
        .map(|u| u["rank"].as_u64().unwrap())
        .collect();
    assert_eq!(city[0], 1);
    assert!(city.windows(2).all(|w| w[0] <= w[1]), "sorted by rank");
    // Offices without duties in the notice are listed, not ranked.
    assert!(
        units
            .iter()
            .filter(|u| u["duty"] == false)
            .all(|u| u["rank"].is_null())
    );
    let samr = units
        .iter()
        .find(|u| u["unit"] == "郑州市市场监督管理局")
        .unwrap();
    assert_eq!(samr["claims_state"], "on_time");
    assert_eq!(samr["milestones"].as_array().unwrap().len(), 5);
    let o = jianguan(&db, &["progress", "--county"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("县（市、区）排名") && out.contains("金水区"),
        "{out}"
    );
    let o = jianguan(&db, &["progress"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("排名") && out.contains("已逾期未完成"),
        "{out}"
    );
}

#[test]
fn check_finds_a_claim_whose_inspection_flag_was_changed_with_sql() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    // Claims have no rowid: one is picked by its key.
    conn.execute(
        "UPDATE claims SET inspection = 1 - inspection
         WHERE (unit_id, sub_item_id) = (SELECT unit_id, sub_item_id FROM claims LIMIT 1)",
        [],
    )
    .unwrap();
    drop(conn);
    let o = jianguan(&db, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("1 条认领的“行政检查”标记与事项类别不一致"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_shared_file_is_made_for_the_whole_group() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let shared_dir = dir.path().join("srv").join("jianguan");
    let db = shared_dir.join("city.db");
    // The group of this test's user: every system has one.
    let group = nix::unistd::Group::from_gid(nix::unistd::getgid())
        .unwrap()
        .unwrap()
        .name;
    let o = jianguan(&db, &["init", "--shared", "--group", &group]);
    assert!(o.status.success(), "{}", text(&o));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode();
    assert_eq!(
        mode(&shared_dir) & 0o7777,
        0o2770,
        "setgid, group rwx, others none"
    );
    assert_eq!(mode(&db) & 0o777, 0o660);
    // Another session writes: the WAL files it makes are the group's too.
    let o = jianguan(&db, &["check"]);
    assert!(o.status.success(), "{}", text(&o));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    conn.execute_batch("BEGIN IMMEDIATE; CREATE TABLE t (x); DROP TABLE t; COMMIT;")
        .unwrap();
    let wal = shared_dir.join("city.db-wal");
    assert!(wal.exists());
    assert_eq!(
        mode(&wal) & 0o060,
        0o060,
        "group may read and write the WAL"
    );
}

#[test]
fn an_empty_file_given_by_mistake_is_not_made_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("名单.xlsx");
    std::fs::write(&file, b"").unwrap();
    let o = jianguan(&file, &["progress"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("不存在（或是空文件）"), "{}", text(&o));
    assert_eq!(std::fs::metadata(&file).unwrap().len(), 0);
    // `init` may claim it.
    let o = jianguan(&file, &["init"]);
    assert!(o.status.success(), "{}", text(&o));
}
