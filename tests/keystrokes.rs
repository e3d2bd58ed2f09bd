//! Issue #18's keystroke budgets, counted on the real binary in a private
//! tmux server: every key sent is counted, text typed is counted apart,
//! each step waits for the screen to show its result, and each task's
//! result is read back from the database through the CLI.
//!
//! `cargo test --locked --test keystrokes -- --nocapture` prints the table.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The clock of the demo database (as in the other TUI tests): between the
/// claim deadline and the checklist deadline.
const NOW: &str = "2026-11-20 10:00";
/// How long one step may take to show on screen (a debug build on a
/// loaded machine).
const STEP: Duration = Duration::from_secs(20);

const DEPARTMENT: &str = "国家市场监督管理总局";
const CITY_UNIT: &str = "郑州市市场监督管理局";
/// Filed by the city: the county reuses it.
const WITH_UPPER: &str = "10100100100000";
/// Not started anywhere above the county: filled from nothing.
const WITHOUT_UPPER: &str = "10100200200000";
const BASIS_QUERY: &str = "食品安全法第八十七条";
const BASIS_CITATION: &str = "《中华人民共和国食品安全法》第八十七条";
const CONTENT: &str = "检查餐饮服务许可、从业人员健康管理、原料进货查验和餐饮具清洗消毒情况";

/// Keys and typed characters of one task.
#[derive(Default)]
struct Count {
    keys: usize,
    text: usize,
    sequence: Vec<String>,
}

/// A tmux server of its own (`-L`, no user config), killed when dropped,
/// also when a step fails.
struct Tmux {
    name: String,
    /// The server's socket, known once it runs: tmux leaves it behind.
    socket: std::cell::OnceCell<PathBuf>,
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
        if let Some(socket) = self.socket.get() {
            let _ = std::fs::remove_file(socket);
        }
    }
}

impl Tmux {
    fn new() -> Tmux {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        Tmux {
            name: format!("jianguan-keys-{}-{nanos}", std::process::id()),
            socket: std::cell::OnceCell::new(),
        }
    }

    fn cmd(&self, args: &[&str]) -> std::io::Result<Output> {
        Command::new("tmux")
            .args(["-u", "-f", "/dev/null", "-L", &self.name])
            .args(args)
            .env_remove("TMUX")
            .env("LANG", "C.UTF-8")
            .output()
    }

    fn run(&self, args: &[&str]) -> Output {
        let o = self
            .cmd(args)
            .unwrap_or_else(|e| panic!("tmux {args:?}: {e}"));
        assert!(
            o.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    }

    /// Why this machine cannot run the test, if it cannot.
    fn missing() -> Option<String> {
        match Command::new("tmux").arg("-V").output() {
            Ok(o) if o.status.success() => None,
            Ok(o) => Some(format!(
                "tmux -V failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            )),
            Err(e) => Some(format!("tmux is not on PATH ({e})")),
        }
    }
}

/// One TUI session: the binary in a 160×45 window, as `login`.
struct Tui<'a> {
    tmux: &'a Tmux,
    session: String,
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl<'a> Tui<'a> {
    fn launch(tmux: &'a Tmux, session: &str, env: &Env, login: &str) -> Tui<'a> {
        // A user's keymap.toml or drafts must not change the counts; a
        // crash leaves its exit code on screen for the failure message.
        let cmd = format!(
            "env TERM=xterm-256color LANG=C.UTF-8 JIANGUAN_NOW={} XDG_CONFIG_HOME={} XDG_DATA_HOME={} {} --db {} --as {login}; echo EXITED:$?; sleep 600",
            quoted(NOW),
            quoted(&env.config.display().to_string()),
            quoted(&env.data.display().to_string()),
            quoted(bin()),
            quoted(&env.db.display().to_string()),
        );
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "160",
            "-y",
            "45",
            &cmd,
        ]);
        tmux.socket.get_or_init(|| {
            let o = tmux.run(&["display-message", "-p", "#{socket_path}"]);
            PathBuf::from(String::from_utf8_lossy(&o.stdout).trim())
        });
        let t = Tui {
            tmux,
            session: session.to_string(),
        };
        // Launched: the catalogue read, the tree with its counts.
        t.wait("the catalogue loaded", |s| {
            s.contains("1 事项目录") && s.contains("/39") && !s.contains("正在读取")
        });
        t
    }

    fn screen(&self) -> String {
        let o = self.tmux.run(&["capture-pane", "-p", "-t", &self.session]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// The text drawn in reverse video (the selected row or field).
    fn selected(&self) -> String {
        let o = self
            .tmux
            .run(&["capture-pane", "-p", "-e", "-t", &self.session]);
        reversed_text(&String::from_utf8_lossy(&o.stdout))
    }

    fn wait(&self, what: &str, done: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + STEP;
        loop {
            let s = self.screen();
            if done(&s) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "[{}] never saw {what} on screen:\n{s}",
                self.session
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    fn wait_for(&self, text: &str) {
        self.wait(&format!("{text:?}"), |s| s.contains(text));
    }

    /// Waits for the selection (reverse video) to include `text`.
    fn wait_selected(&self, text: &str) {
        let deadline = Instant::now() + STEP;
        while !self.selected().contains(text) {
            assert!(
                Instant::now() < deadline,
                "[{}] {text:?} never selected; selected: {:?}\n{}",
                self.session,
                self.selected(),
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Sends one key (a tmux key name) and counts it.
    fn key(&self, count: &mut Count, k: &str) {
        self.tmux.run(&["send-keys", "-t", &self.session, k]);
        count.keys += 1;
        count.sequence.push(k.to_string());
    }

    /// Types text literally; its characters are counted apart from keys.
    fn text(&self, count: &mut Count, s: &str) {
        self.tmux.run(&["send-keys", "-t", &self.session, "-l", s]);
        count.text += s.chars().count();
        count.sequence.push(format!("«{s}»"));
    }
}

/// The parts of a `capture-pane -e` screen drawn with SGR 7 (reverse).
fn reversed_text(screen: &str) -> String {
    let mut out = String::new();
    let mut on = false;
    let mut chars = screen.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            if on {
                out.push(c);
            }
            continue;
        }
        if chars.peek() != Some(&'[') {
            continue;
        }
        chars.next();
        let mut params = String::new();
        let mut end = ' ';
        for p in chars.by_ref() {
            if p.is_ascii_alphabetic() {
                end = p;
                break;
            }
            params.push(p);
        }
        if end != 'm' {
            continue;
        }
        let codes: Vec<&str> = params.split(';').collect();
        let mut i = 0;
        while i < codes.len() {
            match codes[i] {
                "" | "0" => on = false,
                "7" => on = true,
                "27" => on = false,
                // Colours: 38;5;N, 48;5;N, 38;2;R;G;B.
                "38" | "48" | "58" => {
                    i += if codes.get(i + 1) == Some(&"2") { 4 } else { 2 };
                }
                _ => {}
            }
            i += 1;
        }
    }
    out
}

/// The demo database and private config/data directories.
struct Env {
    db: PathBuf,
    config: PathBuf,
    data: PathBuf,
}

fn cli(db: &Path, args: &[&str]) -> Value {
    let o = Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .env("JIANGUAN_NOW", NOW)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "jianguan {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("jianguan {args:?}: not JSON ({e})"))
}

/// Codes of a unit's required checklists, with their state.
fn checklists(db: &Path, login: &str) -> Vec<(String, String)> {
    let v = cli(db, &["--as", login, "checklist", "list", "--json"]);
    v["checklists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["sub_item_code"].as_str().unwrap().to_string(),
                c["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A checklist's state and its fields by key.
fn checklist(db: &Path, args: &[&str]) -> (String, Vec<(String, String)>) {
    let v = cli(db, args);
    let fields = v["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap().to_string(),
                        f["value"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (v["state"].as_str().unwrap().to_string(), fields)
}

fn field<'f>(fields: &'f [(String, String)], key: &str) -> &'f str {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no field {key} in {fields:?}"))
}

/// Sub-items of `department` in 行政检查 that `login`'s unit has not
/// claimed: the ground truth the claim is checked against.
fn unclaimed_inspection(db: &Path, department: &str, login: &str) -> BTreeSet<String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT s.code FROM sub_items s JOIN main_items m ON m.id = s.main_item_id
              WHERE m.department = ?1 AND s.category = 'inspection' AND s.status = 'in_use'
                AND NOT EXISTS (SELECT 1 FROM claims c JOIN accounts a ON a.unit_id = c.unit_id
                                 WHERE a.login = ?2 AND c.sub_item_id = s.id)",
        )
        .unwrap();
    stmt.query_map([department, login], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// `claim --department … --dry-run`: how many of its sub-items a claim
/// would still change.
fn department_unclaimed(db: &Path, login: &str) -> u64 {
    let v = cli(
        db,
        &[
            "--as",
            login,
            "claim",
            "--department",
            DEPARTMENT,
            "--dry-run",
            "--json",
        ],
    );
    v["changed"].as_u64().unwrap()
}

struct Row {
    task: &'static str,
    count: Count,
    limit: usize,
    took: Duration,
}

/// Claim every unclaimed 行政检查 sub-item of one department, as 张伟 of
/// 郑州市市场监督管理局: its counterpart 国家市场监督管理总局 has four.
fn claim_a_department(tmux: &Tmux, env: &Env) -> Count {
    let db = &env.db;
    let wanted = unclaimed_inspection(db, DEPARTMENT, "zhangwei");
    assert_eq!(wanted.len(), 4, "{wanted:?}");
    let before_list: BTreeSet<String> = checklists(db, "zhangwei")
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let before_dept = department_unclaimed(db, "zhangwei");

    let t = Tui::launch(tmux, "claim", env, "zhangwei");
    let mut n = Count::default();
    // 建议认领 brings the counterpart department to the top; d keeps that
    // department, g again drops the suggestion filter (the department's
    // every sub-item, not only the suggested ones).
    t.key(&mut n, "g");
    t.wait_for("筛选：建议认领");
    t.key(&mut n, "d");
    t.wait_for(&format!("筛选：{DEPARTMENT} + 建议认领"));
    t.key(&mut n, "g");
    t.wait_for(&format!("筛选：{DEPARTMENT}（39 个子项）"));
    t.key(&mut n, "t");
    t.wait_for(&format!("筛选：行政检查 + {DEPARTMENT}（22 个子项）"));
    t.key(&mut n, "n");
    t.wait_for(&format!(
        "筛选：未认领 + 行政检查 + {DEPARTMENT}（4 个子项）"
    ));
    t.key(&mut n, "a");
    t.wait_for("出的全部 4 个子项");
    t.key(&mut n, "c");
    t.wait_for("认领已标记的 4 个子项");
    t.key(&mut n, "y");
    t.wait_for("已认领 4 项");

    // In the database: none of the department's 行政检查 left unclaimed,
    // each now a required checklist, and nothing else claimed.
    assert!(
        unclaimed_inspection(db, DEPARTMENT, "zhangwei").is_empty(),
        "still unclaimed"
    );
    let after_list: BTreeSet<String> = checklists(db, "zhangwei")
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let added: BTreeSet<String> = after_list.difference(&before_list).cloned().collect();
    assert_eq!(added, wanted, "new required checklists");
    assert_eq!(department_unclaimed(db, "zhangwei"), before_dept - 4);
    n
}

/// Fill and file a checklist whose upper level exists, as 孙丽 of
/// 中牟县市场监督管理局: the city's is 已填报.
fn reuse_the_upper_level(tmux: &Tmux, env: &Env) -> Count {
    let db = &env.db;
    let city = [
        "checklist",
        "show",
        WITH_UPPER,
        "--unit",
        CITY_UNIT,
        "--json",
    ];
    let (city_state, city_fields) = checklist(db, &city);
    assert_eq!(city_state, "filed");
    let mine = ["--as", "sunli", "checklist", "show", WITH_UPPER, "--json"];
    assert_eq!(checklist(db, &mine).0, "not_started");

    let t = Tui::launch(tmux, "reuse", env, "sunli");
    let mut n = Count::default();
    t.key(&mut n, "3");
    t.wait_for("份：未开始 7");
    // The first row is the one the city filed.
    t.key(&mut n, "Enter");
    t.wait_for("对食品生产企业的监督检查 - 未开始");
    t.key(&mut n, "r");
    t.wait_for(&format!("{CITY_UNIT}（第 1 版）  已填报"));
    t.key(&mut n, "Enter");
    t.wait_for("已复用上级清单：完整");
    t.key(&mut n, "C-t");
    t.wait_for("对食品生产企业的监督检查 - 已填报");

    let (state, fields) = checklist(db, &mine);
    assert_eq!(state, "filed");
    for (key, value) in &city_fields {
        let own = field(&fields, key);
        match key.as_str() {
            // The unit's own, whatever the city's says.
            "level" => assert_eq!(own, "县级"),
            "subject_name" => assert_eq!(own, "中牟县市场监督管理局"),
            "subject_code" => assert_ne!(own, value),
            _ => assert_eq!(own, value, "{key}"),
        }
    }
    n
}

/// Fill and file one with no upper level, from what the catalogue says:
/// 否 for the three switches, 检查内容 typed.
fn fill_from_nothing(tmux: &Tmux, env: &Env) -> Count {
    let db = &env.db;
    let upper = checklists(db, "zhangwei");
    assert!(
        upper
            .iter()
            .any(|(c, s)| c == WITHOUT_UPPER && s == "not_started"),
        "the city has not started {WITHOUT_UPPER}: {upper:?}"
    );
    let mine = [
        "--as",
        "sunli",
        "checklist",
        "show",
        WITHOUT_UPPER,
        "--json",
    ];
    assert_eq!(checklist(db, &mine).0, "not_started");

    let t = Tui::launch(tmux, "fill", env, "sunli");
    let mut n = Count::default();
    t.key(&mut n, "3");
    t.wait_for("检查实施清单 7 份");
    // The next one not filed after the first row (which the previous task filed).
    t.key(&mut n, "]");
    t.wait_for("对餐饮服务提供者的监督检查 - 未开始");
    t.wait_selected("委托部门名称：");
    // Down through the fields, which confirms the catalogue's values on
    // the way (监管对象主项, 检查类别, 检查方式).
    for label in [
        "委托部门编码：",
        "监管对象主项：",
        "监管对象子项：",
        "检查类别：",
        "检查方式：",
        "是否纳入双随机：",
    ] {
        t.key(&mut n, "j");
        t.wait_selected(label);
    }
    t.wait("the catalogue's values confirmed", |s| {
        !s.contains("来自目录，请确认")
    });
    // h: a 是/否 choice from empty goes to 否 in one key.
    t.key(&mut n, "h");
    t.wait_for("是否纳入双随机：否");
    for label in ["检查比例：", "检查频次：", "检查内容（日常）："] {
        t.key(&mut n, "j");
        t.wait_selected(label);
    }
    t.key(&mut n, "Enter");
    t.wait_for("编辑 检查内容（日常）");
    t.text(&mut n, CONTENT);
    t.wait_for(&CONTENT[..CONTENT.char_indices().nth(12).unwrap().0]);
    t.key(&mut n, "Escape");
    t.wait("the editor closed", |s| {
        !s.contains("编辑 检查内容（日常）")
    });
    t.key(&mut n, "j");
    t.wait_selected("是否抽检：");
    t.key(&mut n, "h");
    t.wait_for("是否抽检：否");
    for label in ["监督抽检内容：", "是否协同："] {
        t.key(&mut n, "j");
        t.wait_selected(label);
    }
    t.key(&mut n, "h");
    t.wait_for("是否协同：否");
    t.key(&mut n, "C-t");
    t.wait_for("对餐饮服务提供者的监督检查 - 已填报");

    let (state, fields) = checklist(db, &mine);
    assert_eq!(state, "filed");
    assert_eq!(field(&fields, "content"), CONTENT);
    assert_eq!(field(&fields, "target_main"), "餐饮服务提供者");
    assert_eq!(field(&fields, "inspection_kind"), "现场检查");
    assert_eq!(field(&fields, "methods"), "书面检查、抽样检测");
    assert_eq!(field(&fields, "subject_name"), "中牟县市场监督管理局");
    for key in ["random_included", "sampling", "cooperation"] {
        assert_eq!(field(&fields, key), "否", "{key}");
    }
    n
}

/// From launch to the sub-items resting on 食品安全法第八十七条.
fn look_up_a_basis(tmux: &Tmux, env: &Env) -> Count {
    let impact = cli(&env.db, &["basis", "impact", BASIS_CITATION, "--json"]);
    let codes: BTreeSet<String> = impact["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["sub_item_code"].as_str().unwrap().to_string())
        .collect();
    let count = impact["sub_item_count"].as_u64().unwrap();
    assert_eq!(codes.len() as u64, count);

    let t = Tui::launch(tmux, "basis", env, "zhangwei");
    let mut n = Count::default();
    t.key(&mut n, "/");
    t.wait_for("搜索（Enter 前往");
    t.text(&mut n, BASIS_QUERY);
    // The basis is the only hit: the cursor stands on it.
    t.wait_for("1 条，");
    t.wait_for(&format!("依据 {BASIS_CITATION}  法律"));
    t.key(&mut n, "Enter");
    t.wait_for(&format!("引用此依据的子项（{count} 个）"));
    let s = t.screen();
    for code in &codes {
        assert!(s.contains(code.as_str()), "{code} not listed:\n{s}");
    }
    n
}

#[test]
fn the_four_tasks_of_issue_18_fit_their_keystroke_budgets() {
    if let Some(why) = Tmux::missing() {
        eprintln!("skipped: {why}; the keystroke counts need the real binary in tmux");
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let init = Command::new(bin())
        .arg("--db")
        .arg(dir.path().join("demo.db"))
        .args(["init", "--demo"])
        .env("JIANGUAN_NOW", NOW)
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let env = Env {
        db: dir.path().join("demo.db"),
        config: dir.path().join("config"),
        data: dir.path().join("data"),
    };
    let tmux = Tmux::new();
    let mut rows = Vec::new();
    let mut timed = |task, limit, run: &dyn Fn(&Tmux, &Env) -> Count| {
        let t = Instant::now();
        let count = run(&tmux, &env);
        rows.push(Row {
            task,
            count,
            limit,
            took: t.elapsed(),
        });
    };
    timed("认领某部门全部未认领的行政检查子项", 8, &claim_a_department);
    timed(
        "复用上级清单并填报（不同字段 0 项）",
        6,
        &reuse_the_upper_level,
    );
    timed(
        "无上级清单，填写并填报（另加检查内容）",
        25,
        &fill_from_nothing,
    );
    timed(
        "启动到食品安全法第八十七条的事项列表（另加查询词）",
        2,
        &look_up_a_basis,
    );
    drop(tmux);

    let pad = |s: &str, w: usize| {
        let used = unicode_width::UnicodeWidthStr::width(s);
        format!("{s}{}", " ".repeat(w.saturating_sub(used)))
    };
    let width = rows
        .iter()
        .map(|r| unicode_width::UnicodeWidthStr::width(r.task))
        .max()
        .unwrap_or(0);
    println!();
    println!("{}  按键  上限  输入字数   用时", pad("任务", width));
    for r in &rows {
        println!(
            "{}  {:>4}  {:>4}  {:>8}  {:>5.1}s",
            pad(r.task, width),
            r.count.keys,
            r.limit,
            r.count.text,
            r.took.as_secs_f64(),
        );
        println!("    {}", r.count.sequence.join(" "));
    }
    println!("共用时 {:.1}s", started.elapsed().as_secs_f64());
    for r in &rows {
        assert!(
            r.count.keys <= r.limit,
            "{}: {} keys, the limit is {} ({})",
            r.task,
            r.count.keys,
            r.limit,
            r.count.sequence.join(" ")
        );
    }
}
