//! What a TUI user feels on the province-scale database:
//! `cargo bench --bench tui`. Prints figures; asserts nothing.
//!
//! - keystroke-to-results latency (p50, p95) while typing 食品安全监督检查
//!   and spjdjc one character at a time (target p95 ≤ 16 ms);
//! - time from start to the first frame (target ≤ 300 ms);
//! - peak RSS of the real binary with search open (target ≤ 200 MB).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use common::{admin, open, percentile, province_db};
use jianguan::app::{Actor, views};
use jianguan::search::engine::Index;
use jianguan::search::worker::{Message, SearchWorker};
use jianguan::tui::app::App;
use jianguan::tui::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::process::Command;
use std::time::{Duration, Instant};

const QUERIES: [&str; 2] = ["食品安全监督检查", "spjdjc"];
const ROUNDS: usize = 10;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = province_db(dir.path());

    // Keystroke to results, through the same worker the TUI uses.
    let s = open(&db);
    let actor = Actor::resolve(&s, &admin(), None).unwrap();
    let build_path = db.clone();
    let mut worker = SearchWorker::spawn(move || {
        let s = open(&build_path);
        let entries = views::search_entries(&s, Some(&actor)).map_err(|e| e.to_string())?;
        Ok((Index::new(entries), Some(s)))
    });
    let (size, took) = match worker.wait(Duration::from_secs(120)) {
        Some(Message::Ready(index, took)) => (index.len(), took),
        _ => panic!("the index was not built"),
    };
    println!(
        "search index: {size} searchable strings, built in {} ms (on the worker thread)",
        took.as_millis()
    );
    let mut latencies = Vec::new();
    for _ in 0..ROUNDS {
        for q in QUERIES {
            let mut typed = String::new();
            for c in q.chars() {
                typed.push(c);
                let t = Instant::now();
                let g = worker.ask(&typed);
                loop {
                    match worker.wait(Duration::from_secs(10)) {
                        Some(Message::Results(r)) if r.generation == g => break,
                        Some(_) => {}
                        None => panic!("no answer to {typed}"),
                    }
                }
                latencies.push(t.elapsed().as_secs_f64() * 1e3);
                if std::env::var_os("BENCH_DETAIL").is_some() {
                    eprintln!("  {typed}: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
                }
            }
        }
    }
    let n = latencies.len();
    println!(
        "keystroke to results ({n} keystrokes typing {} and {}, {ROUNDS} rounds): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms  (target p95 ≤ 16 ms)",
        QUERIES[0],
        QUERIES[1],
        percentile(&mut latencies.clone(), 0.5),
        percentile(&mut latencies.clone(), 0.95),
        percentile(&mut latencies, 1.0),
    );

    // Start to first frame: open, find the account, build the app, draw.
    let mut frames = Vec::new();
    let mut loaded = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let s = open(&db);
        let actor = Actor::resolve(&s, &admin(), None).ok();
        let mut app = App::new(s, actor, Keymap::defaults(), "基准".into()).unwrap();
        let mut term = Terminal::new(TestBackend::new(140, 40)).unwrap();
        term.draw(|f| jianguan::tui::draw::draw(f, &mut app))
            .unwrap();
        frames.push(t.elapsed().as_secs_f64() * 1e3);
        app.finish_loading();
        loaded.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "start to first frame: median {:.0} ms (target ≤ 300 ms); whole tree read in the background by {:.0} ms",
        percentile(&mut frames, 0.5),
        percentile(&mut loaded, 0.5)
    );

    // Peak RSS of the real binary, searching on this database.
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("peak RSS: skipped (tmux is not installed)");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_jianguan");
    let socket = dir.path().join("tmux.sock");
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args(args)
            .output()
            .unwrap()
    };
    let cmd = format!("{bin} --db {}", db.display());
    tmux(&[
        "new-session",
        "-d",
        "-s",
        "rss",
        "-x",
        "140",
        "-y",
        "40",
        &cmd,
    ]);
    let pid = String::from_utf8_lossy(&tmux(&["display", "-p", "-t", "rss", "#{pane_pid}"]).stdout)
        .trim()
        .to_string();
    let screen =
        || String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", "rss"]).stdout).to_string();
    let wait_for = |what: &str| {
        for _ in 0..600 {
            if screen().contains(what) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    };
    wait_for("事项目录");
    tmux(&["send-keys", "-t", "rss", "/"]);
    wait_for("条可搜索");
    tmux(&["send-keys", "-t", "rss", "-l", "食品安全监督检查"]);
    wait_for("条，");
    tmux(&["send-keys", "-t", "rss", "Escape", "+"]);
    std::thread::sleep(Duration::from_millis(500));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    tmux(&["send-keys", "-t", "rss", "q"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux(&["kill-server"]);
    match hwm {
        Some(mb) => println!(
            "peak RSS of the TUI (tree loaded, search index built, all expanded): {mb:.0} MB (target ≤ 200 MB)"
        ),
        None => println!("peak RSS: could not read /proc/{pid}/status"),
    }
}
