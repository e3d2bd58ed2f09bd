//! The look, kept as snapshots: the main screen, the help over pane 1 and
//! pane 4, and a checklist form, at 80×24 and 160×45, rendered into
//! ratatui's TestBackend with the default theme (colour, Unicode borders).
//! The expected screens are in tests/snapshots/*.txt; after an intended
//! change, write them again with
//!
//!     JIANGUAN_BLESS=1 cargo test --locked --test tui_look
//!
//! and read the diff before committing it.

mod common;

use common::*;
use jianguan::tui::app::App;
use jianguan::tui::draw::draw;
use jianguan::tui::keymap::Keymap;
use jianguan::tui::theme::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::{Path, PathBuf};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];

fn render(app: &mut App, width: u16, height: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| draw(f, app)).unwrap();
    t.backend().buffer().clone()
}

/// The buffer as lines of text, a wide character once.
fn lines(buf: &Buffer) -> Vec<String> {
    let area = buf.area;
    (0..area.height)
        .map(|y| {
            let mut line = String::new();
            let mut x = 0;
            while x < area.width {
                let s = buf[(x, y)].symbol();
                line.push_str(s);
                x += unicode_width::UnicodeWidthStr::width(s).max(1) as u16;
            }
            line.trim_end().to_string()
        })
        .collect()
}

fn snapshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"))
}

/// Compares the screen with its snapshot, or writes it when blessing.
/// Returns the differences, to report them all at once.
fn check(name: &str, screen: &[String]) -> Option<String> {
    let path = snapshot_path(name);
    let text = screen.join("\n") + "\n";
    if std::env::var_os("JIANGUAN_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        return None;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want == text {
        return None;
    }
    let mut diff = format!("{name} ({}) differs:\n", path.display());
    let want: Vec<&str> = want.lines().collect();
    for (i, got) in screen.iter().enumerate() {
        let w = want.get(i).copied().unwrap_or("<missing>");
        if w != got {
            diff.push_str(&format!("  line {i}\n    want: {w}\n    got:  {got}\n"));
        }
    }
    Some(diff)
}

fn press(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// An operator of the demo with claimed 行政检查 items and a deadline.
fn operator(dir: &Path) -> App {
    let db = demo_db(dir, "look.db");
    let store = open(&db);
    let who = actor(&store, "zhangwei");
    let mut a = App::new(store, Some(who), Keymap::defaults(), String::new()).unwrap();
    a.drafts_dir = None;
    a.finish_loading();
    a
}

// One test: the clock is set once, before any thread reads it.
#[test]
fn the_main_screen_the_help_and_a_form_look_as_kept() {
    if only_on_sqlite("the kept screens show the file’s name") {
        return;
    }
    // SAFETY: set before this test starts any thread; it is the only test
    // in this binary.
    unsafe {
        std::env::set_var("JIANGUAN_NOW", "2026-11-20 10:00");
        // The help names the config directory: the same on every machine.
        std::env::set_var("XDG_CONFIG_HOME", "/home/op/.config");
    }
    theme::set(Theme::new(true, true));
    let dir = tempfile::tempdir().unwrap();
    let mut a = operator(dir.path());
    let mut failures = Vec::new();
    let mut shot = |a: &mut App, name: &str| {
        for (w, h) in SIZES {
            let buf = render(a, w, h);
            let screen = lines(&buf);
            // Nothing wider than the screen, nothing cut mid-character.
            for line in &screen {
                assert!(
                    unicode_width::UnicodeWidthStr::width(line.as_str()) <= w as usize,
                    "{name} {w}x{h}: {line}"
                );
            }
            failures.extend(check(&format!("{name}_{w}x{h}"), &screen));
        }
    };

    // The main screen: who (login, acting) and the file in the title,
    // Unicode borders, the tree's keys on the status line.
    {
        let s = lines(&render(&mut a, 80, 24));
        assert!(s[0].contains("演示数据"), "{}", s[0]);
        assert!(
            s[0].contains("zhangwei") && s[0].contains("look.db"),
            "{}",
            s[0]
        );
        assert!(s[2].starts_with("┌ 事项目录"), "{}", s[2]);
        assert!(s[23].starts_with("?/F1 帮助"), "{}", s[23]);
    }
    shot(&mut a, "main");

    // The help over pane 1: the tree's keys first, then the global ones.
    press(&mut a, '?');
    {
        let s = lines(&render(&mut a, 160, 45));
        let tree = s.iter().position(|l| l.contains("事项目录（1）")).unwrap();
        let global = s
            .iter()
            .position(|l| l.contains("全局（任何窗格）"))
            .unwrap();
        assert!(tree < global, "{s:#?}");
        // M is pane 4's: not listed for pane 1.
        assert!(!s.iter().any(|l| l.contains("时间节点")), "{s:#?}");
    }
    shot(&mut a, "help_pane1");
    key(&mut a, KeyCode::Esc);

    // M outside pane 4 says where it belongs.
    press(&mut a, 'M');
    assert_eq!(a.status, "时间节点在进度窗格（4）中查看和调整");

    // Pane 4 and its help: its own keys (o, O, z, M, Enter), the rule.
    press(&mut a, '4');
    assert!(a.status.is_empty(), "a message lasts until the next key");
    shot(&mut a, "progress");
    press(&mut a, '?');
    {
        let s = lines(&render(&mut a, 160, 45));
        for want in [
            "进度（4）",
            "换一列排序",
            "倒过来排序",
            "时间节点（协调员可调整截止时间）",
        ] {
            assert!(s.iter().any(|l| l.contains(want)), "{want}: {s:#?}");
        }
    }
    shot(&mut a, "help_pane4");
    key(&mut a, KeyCode::Esc);

    // A checklist form, with an unsaved change: 未保存 stays whole.
    press(&mut a, '3');
    if a.form.is_none() {
        key(&mut a, KeyCode::Enter);
    }
    assert!(a.form.is_some(), "the operator has a checklist to fill");
    // 检查类别, a choice: Right takes its next value.
    key(&mut a, KeyCode::Home);
    for _ in 0..8 {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Right);
    {
        let s = lines(&render(&mut a, 80, 24));
        assert!(s[2].contains("未保存"), "{}", s[2]);
    }
    shot(&mut a, "form");

    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Without colour (NO_COLOR, --no-color) nothing is coloured, and what
    // colour said is still there: the selection reversed, 演示数据 marked.
    theme::set(Theme::new(false, true));
    let buf = render(&mut a, 160, 45);
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset),
        "a colour under NO_COLOR"
    );
    assert!(lines(&buf)[0].contains("演示数据"));

    // ASCII borders (config or locale): no box drawing, bars or blocks.
    theme::set(Theme::new(true, false));
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('d'));
    press(&mut a, '4');
    for (w, h) in SIZES {
        for line in lines(&render(&mut a, w, h)) {
            assert!(
                !line
                    .chars()
                    .any(|c| ('\u{2500}'..='\u{259F}').contains(&c) || c == '…'),
                "{line}"
            );
        }
    }
}
