//! The command line's words: one JSON vocabulary across every `--json`
//! command, `--as` with an unknown login, and usage errors in Chinese.

mod common;

use common::bin;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn jianguan(db: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("JIANGUAN_DB")
        .env("JIANGUAN_NOW", "2026-11-20 10:00")
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

fn json(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = jianguan(db, &all);
    assert!(o.status.success(), "{args:?}: {}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", text(&o)))
}

/// Keys that hold a state (an enumeration's value): each must be a key
/// with its `_label` beside it.
const STATE_KEYS: &[&str] = &[
    "state",
    "claim_state",
    "checklist_state",
    "claims_state",
    "checklists_state",
    "previous_status",
    "role",
    "level",
    "unit_level",
    "category",
    "kind",
    "status",
    "audience",
    "matched_by",
    "field",
    "from",
    "to",
];

fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

fn is_iso_time(s: &str) -> bool {
    // 2019-05-14T17:00:00+08:00
    let b = s.as_bytes();
    b.len() == 25
        && s.ends_with("+08:00")
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
}

/// Walks a JSON value and returns every breach of the vocabulary, each
/// with where it is.
fn breaches(v: &Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                breaches(item, &format!("{at}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, value) in map {
                let here = format!("{at}.{k}");
                if let Some(state) = k.strip_suffix("_label") {
                    match map.get(state) {
                        None => out.push(format!("{here}: no “{state}” beside it")),
                        Some(Value::String(key)) if !is_key(key) => {
                            out.push(format!("{at}.{state}: “{key}” is not an English key"))
                        }
                        Some(Value::String(_)) if !value.is_string() => {
                            out.push(format!("{here}: a key without its label"))
                        }
                        Some(Value::Null) if !value.is_null() => {
                            out.push(format!("{here}: a label without its key"))
                        }
                        _ => {}
                    }
                }
                if STATE_KEYS.contains(&k.as_str())
                    && (value.is_string() || value.is_null())
                    && !map.contains_key(&format!("{k}_label"))
                {
                    out.push(format!("{here}: a state without “{k}_label”"));
                }
                if k == "at" || k.ends_with("_at") || k == "as_of" {
                    match value {
                        Value::Null => {}
                        Value::String(s) if is_iso_time(s) => {}
                        other => out.push(format!("{here}: {other} is not an ISO 8601 time")),
                    }
                }
                for old in [
                    "uscc",
                    "sub_code",
                    "sub_name",
                    "total",
                    "acting_for",
                    "since",
                ] {
                    if k == old {
                        out.push(format!("{here}: the old key “{old}”"));
                    }
                }
                breaches(value, &here, out);
            }
        }
        _ => {}
    }
}

fn assert_vocabulary(what: &str, v: &Value) {
    let mut out = Vec::new();
    breaches(v, "", &mut out);
    assert!(out.is_empty(), "{what}:\n{}\n{v:#}", out.join("\n"));
}

/// Every state key found anywhere, with its label: (key name, value, label).
fn states(v: &Value, out: &mut Vec<(String, String, String)>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| states(i, out)),
        Value::Object(map) => {
            for (k, value) in map {
                if let (Some(state), Value::String(label)) = (k.strip_suffix("_label"), value)
                    && let Some(Value::String(key)) = map.get(state)
                {
                    out.push((state.to_string(), key.clone(), label.clone()));
                }
                states(value, out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_json_output_speaks_one_vocabulary() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let o = jianguan(&db, &["init", "--demo"]);
    assert!(o.status.success(), "{}", text(&o));
    let list = json(&db, &["--as", "zhangwei", "checklist", "list"]);
    let rows = list["checklists"].as_array().unwrap();
    assert_eq!(list["count"].as_u64(), Some(rows.len() as u64));
    let code_in = |state: &str| {
        rows.iter()
            .find(|r| r["state"] == state)
            .unwrap_or_else(|| panic!("no {state} checklist: {list}"))["sub_item_code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (filed, not_started) = (code_in("filed"), code_in("not_started"));
    let review = json(&db, &["--as", "wangfang", "review", "list"]);
    let waiting = review[0]["code"].as_str().unwrap().to_string();

    let reads: Vec<Vec<&str>> = vec![
        vec![],
        vec!["whoami"],
        vec!["--as", "zhangwei", "whoami"],
        vec!["account", "list"],
        vec!["unit", "list"],
        vec!["milestone", "list"],
        vec!["--as", "zhangwei", "checklist", "list"],
        vec!["--as", "zhangwei", "checklist", "show", &filed],
        vec!["--as", "zhangwei", "checklist", "show", &not_started],
        vec![
            "--as",
            "lina",
            "claim",
            "--department",
            "国家市场监督管理总局",
            "--dry-run",
        ],
        vec!["--as", "zhaolei", "claim", "--suggested", "--dry-run"],
        vec!["search", "spaq"],
        vec!["search", "食品安全法"],
        vec!["basis", "impact", "《中华人民共和国食品安全法》第八十七条"],
        vec!["basis", "impact", "食品安全法"],
        vec!["local", "list"],
        vec!["--as", "wangfang", "review", "list"],
        vec!["review", "show", &waiting],
        vec!["progress"],
        vec!["progress", "--county"],
    ];
    let mut seen = Vec::new();
    for args in &reads {
        let v = json(&db, args);
        assert_vocabulary(&format!("{args:?}"), &v);
        states(&v, &mut seen);
    }
    // Writes answer in the same words.
    let export = dir.path().join("mine.xlsx");
    let o = jianguan(
        &db,
        &[
            "--as",
            "zhangwei",
            "export",
            "checklists",
            "-o",
            export.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let writes: Vec<Vec<&str>> = vec![
        vec![
            "--as",
            "zhangwei",
            "import",
            "checklists",
            export.to_str().unwrap(),
            "--dry-run",
        ],
        vec!["milestone", "set", "accounts", "2026-12-10"],
        vec!["unit", "set", "园林局", "--name", "园林局"],
        vec!["--as", "wangfang", "review", "approve", &waiting],
        vec![
            "basis",
            "set-status",
            "《中华人民共和国食品安全法》第八十七条",
            "修订中",
        ],
        vec!["--as", "lina", "claim", "--finished"],
    ];
    for args in &writes {
        let v = json(&db, args);
        assert_vocabulary(&format!("{args:?}"), &v);
        states(&v, &mut seen);
    }

    // The states the issue named, as keys beside their labels.
    for want in [
        ("state", "filed", "已填报"),
        ("state", "not_started", "未开始"),
        ("state", "submitted", "待审核"),
        ("state", "approved", "审核通过"),
        ("claim_state", "exercised", "行使"),
        ("state", "overdue", "已逾期未完成"),
        ("state", "not_asked", "—"),
        ("role", "operator", "部门管理员"),
        ("role", "legal_reviewer", "合法性审核员"),
        ("category", "inspection", "行政检查"),
        ("category", "government_department", "政府工作部门"),
        ("level", "city", "市级"),
        ("kind", "law", "法律"),
        ("status", "in_force", "现行有效"),
        ("previous_status", "in_force", "现行有效"),
        ("status", "under_revision", "修订中"),
        ("audience", "all", "全部"),
        ("matched_by", "pinyin", "拼音"),
        ("field", "item_code", "监管事项目录编码"),
        ("to", "draft", "草稿"),
    ] {
        assert!(
            seen.iter()
                .any(|(k, v, l)| (k.as_str(), v.as_str(), l.as_str()) == want),
            "{want:?} not in any output"
        );
    }
    // One key, one label: never the same key with two labels.
    for (k, v, l) in &seen {
        for (k2, v2, l2) in &seen {
            if v == v2 && k == k2 {
                assert_eq!(l, l2, "{k} {v}");
            }
        }
    }
}

#[test]
fn the_same_thing_has_the_same_key_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(jianguan(&db, &["init", "--demo"]).status.success());
    // A unit: `unit` (its full name) and `unit_code` beside an account; its
    // own `name` and `code` in the list of units.
    let me = json(&db, &["--as", "zhangwei", "whoami"]);
    assert_eq!(me["account"]["unit"], "郑州市市场监督管理局");
    let units = json(&db, &["unit", "list"]);
    let samr = units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "郑州市市场监督管理局")
        .unwrap();
    assert_eq!(samr["code"], me["account"]["unit_code"]);
    assert!(samr["code"].as_str().is_some_and(|c| c.len() == 18));
    // A checklist is named by its sub-item in the list and in full.
    let list = json(&db, &["--as", "zhangwei", "checklist", "list"]);
    let first = &list["checklists"][0];
    let code = first["sub_item_code"].as_str().unwrap();
    let one = json(&db, &["--as", "zhangwei", "checklist", "show", code]);
    assert_eq!(one["sub_item_code"], first["sub_item_code"]);
    assert_eq!(one["sub_item_name"], first["sub_item_name"]);
    assert_eq!(one["unit"], list["unit"]);
    // Search names a hit's code and name as the catalogue does.
    let hits = json(&db, &["search", code]);
    assert_eq!(hits["hits"][0]["code"], code);
    assert_eq!(hits["hits"][0]["name"], first["sub_item_name"]);
    assert_eq!(hits["hits"][0]["department"], "国家市场监督管理总局");
    // Progress figures count local items under the review states' keys.
    let progress = json(&db, &["progress"]);
    let local = &progress["units"][0]["figures"]["local"];
    let keys: Vec<&str> = local
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        keys,
        ["approved", "draft", "entered", "returned", "submitted"],
        "{local}"
    );
}

#[test]
fn an_unknown_login_after_as_is_a_usage_error_naming_the_closest() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(jianguan(&db, &["init", "--demo"]).status.success());
    for args in [
        vec!["--as", "zhangw", "whoami"],
        vec!["--as", "zhangw", "search", "spaq"],
        vec!["--as", "zhangw", "checklist", "list"],
        // Plain jianguan (the TUI on a terminal) stops before it opens.
        vec!["--as", "zhangw"],
    ] {
        let o = jianguan(&db, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("没有登录名为“zhangw”的账号")
                && err.contains("zhangwei（张伟，郑州市市场监督管理局，部门管理员）"),
            "{args:?}: {err}"
        );
        assert!(o.stdout.is_empty(), "{args:?}: nothing else is done");
        assert!(!err.contains("可以浏览和搜索"), "{err}");
    }
    // By the holder's name too.
    let o = jianguan(&db, &["--as", "王芳", "whoami"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("wangfang（王芳"), "{}", text(&o));
    // Nothing close: said so.
    let o = jianguan(&db, &["--as", "qqqqqqqq", "whoami"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("也没有相近的登录名"), "{}", text(&o));
    // A known login still works.
    let o = jianguan(&db, &["--as", "zhangwei", "whoami"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("张伟"), "{}", text(&o));
}

#[test]
fn usage_errors_are_chinese_with_exit_code_2_and_help_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let o = jianguan(&db, &["claim", "--departmnt", "国家市场监督管理总局"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("用法错误：不认识的参数“--departmnt”；是不是要写 --department？"),
        "{err}"
    );
    assert!(err.contains("用法：jianguan claim "), "{err}");
    assert!(
        err.trim_end()
            .ends_with("用 jianguan claim --help 查看用法"),
        "{err}"
    );
    for english in ["error:", "Usage:", "For more information", "tip:"] {
        assert!(!err.contains(english), "{english}: {err}");
    }
    for (args, want) in [
        (vec!["search"], "缺少必需的参数：<QUERY>"),
        (vec!["search", "x", "--limit"], "--limit <LIMIT> 后面缺少值"),
        (
            vec!["search", "x", "--kind", "law"],
            "“law”不是 --kind <KIND> 可用的值；可用的值：department、main-item、item、local-item、basis",
        ),
        (vec!["chekc"], "没有子命令“chekc”"),
        (vec!["claim", "--unclaim", "--finished"], "不能与"),
    ] {
        let o = jianguan(&db, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(want) && err.contains("--help 查看用法"),
            "{args:?}: {err}"
        );
    }
    // A command without its subcommand shows its help, in Chinese, exit 2.
    let o = jianguan(&db, &["unit"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("用法错误：缺少子命令") && text(&o).contains("命令："),
        "{}",
        text(&o)
    );
    // --help and --version keep working.
    for args in [
        vec!["--help"],
        vec!["claim", "--help"],
        vec!["-h"],
        vec!["help", "claim"],
    ] {
        let o = jianguan(&db, &args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains("用法：jianguan") && out.contains("选项："),
            "{args:?}: {out}"
        );
        assert!(
            !out.contains("Usage:") && !out.contains("Options:"),
            "{out}"
        );
    }
    let o = jianguan(&db, &["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("jianguan "));
    assert!(!db.exists(), "usage errors and help touch no database");
}
