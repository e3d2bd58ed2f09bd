//! The legal-basis lookup in the TUI: this article, or (w) the whole law
//! grouped by article, at 80×24; Enter still jumps to the sub-item.

mod common;

use common::*;
use jianguan::tui::app::App;
use jianguan::tui::draw::draw;
use jianguan::tui::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn app(dir: &std::path::Path, login: Option<&str>) -> App {
    let db = demo_db(dir, "tui.db");
    let store = open(&db);
    let actor = login.map(|l| actor(&store, l));
    let mut app = App::new(store, actor, Keymap::defaults(), String::new()).unwrap();
    app.finish_loading();
    app
}

/// The screen as lines of text, wide characters counted once.
fn screen(app: &mut App, width: u16, height: u16) -> Vec<String> {
    jianguan::tui::theme::set(jianguan::tui::theme::Theme::new(false, false));
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..height)
        .map(|y| {
            let mut line = String::new();
            let mut x = 0;
            while x < width {
                let symbol = buf[(x, y)].symbol();
                line.push_str(symbol);
                x += unicode_width::UnicodeWidthStr::width(symbol).max(1) as u16;
            }
            line
        })
        .collect()
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn shows(s: &[String], what: &str) -> bool {
    s.iter().any(|l| l.contains(what))
}

fn basis_id(app: &App, citation: &str) -> i64 {
    app.store
        .conn()
        .query_row(
            "SELECT id FROM legal_bases WHERE title || article = ?1",
            [citation],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn w_switches_between_this_article_and_the_whole_law_grouped_by_article() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("zhangwei"));
    let id = basis_id(&a, "《中华人民共和国食品安全法》第一百一十条");
    a.open_basis(id);
    let s = screen(&mut a, 80, 24);
    assert!(shows(&s, "引用此依据的子项（9 个）"), "{s:#?}");
    assert!(shows(&s, "w 看整部"), "the key in the title: {s:#?}");
    assert!(!shows(&s, "第八十七条"), "{s:#?}");
    // On the third sub-item, then the whole law.
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Char('w'));
    assert!(a.basis.as_ref().unwrap().whole);
    let s = screen(&mut a, 80, 24);
    for line in &s {
        assert_eq!(
            unicode_width::UnicodeWidthStr::width(line.as_str()),
            80,
            "{line}"
        );
    }
    assert!(shows(&s, "《中华人民共和国食品安全法》（整部）"), "{s:#?}");
    assert!(shows(&s, "3 条依据，共 14 个子项"), "{s:#?}");
    assert!(shows(&s, "设定依据·整部（w 只看本条"), "{s:#?}");
    // The articles in order, each with its count, this one marked.
    let heading = |s: &[String], what: &str| s.iter().position(|l| l.contains(what));
    let a87 = heading(&s, "第八十七条  现行有效，2 个子项").expect("87");
    let a110 = heading(&s, "第一百一十条（本条）  现行有效，9 个子项").expect("110");
    assert!(a87 < a110);
    assert!(s[a87 + 1].contains("10100100300000"), "{s:#?}");
    // The cursor stayed on the same sub-item: Enter jumps to it.
    key(&mut a, KeyCode::Enter);
    assert!(a.basis.is_none());
    assert_eq!(a.tree.selected_sub().unwrap().code, "10100100400000");

    // Down to the last article: it scrolls into view, its heading too.
    a.open_basis(id);
    key(&mut a, KeyCode::Char('w'));
    key(&mut a, KeyCode::End);
    let s = screen(&mut a, 80, 24);
    assert!(shows(&s, "第一百二十二条  现行有效，3 个子项"), "{s:#?}");
    assert!(shows(&s, "10100300300000"), "{s:#?}");
    // Back to this article.
    key(&mut a, KeyCode::Char('w'));
    let s = screen(&mut a, 80, 24);
    assert!(shows(&s, "引用此依据的子项（9 个）"), "{s:#?}");
    key(&mut a, KeyCode::Esc);
    assert!(a.basis.is_none());
}

#[test]
fn the_whole_document_comes_first_and_the_help_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), None);
    let id = basis_id(&a, "《中华人民共和国特种设备安全法》第五十七条");
    a.open_basis(id);
    let h: String = jianguan::tui::help::lines(&a, 100)
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(h.contains("看整部法律法规"), "{h}");
    key(&mut a, KeyCode::Char('w'));
    let s = screen(&mut a, 80, 24);
    let whole = s
        .iter()
        .position(|l| l.contains("全文  现行有效，4 个子项"))
        .expect("whole document");
    let art = s
        .iter()
        .position(|l| l.contains("第五十七条（本条）  现行有效，4 个子项"))
        .expect("57");
    assert!(whole < art, "{s:#?}");
    assert!(shows(&s, "共 8 个子项"), "{s:#?}");
    // The cursor is on this article's first sub-item.
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.tree.selected_sub().unwrap().code, "10100700100000");
}

#[test]
fn an_article_no_sub_item_cites_shows_a_line_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "tui.db");
    open(&db)
        .conn()
        .execute(
            "INSERT INTO legal_bases (title, kind, article) VALUES
             ('《中华人民共和国食品安全法》', 'law', '第一百条')",
            [],
        )
        .unwrap();
    let store = open(&db);
    let mut a = App::new(store, None, Keymap::defaults(), String::new()).unwrap();
    a.finish_loading();
    let id = basis_id(&a, "《中华人民共和国食品安全法》第一百条");
    a.open_basis(id);
    let s = screen(&mut a, 80, 24);
    assert!(shows(&s, "引用此依据的子项（0 个）"), "{s:#?}");
    assert!(shows(&s, "（没有你可见的子项引用它）"), "{s:#?}");
    key(&mut a, KeyCode::Char('w'));
    let s = screen(&mut a, 80, 24);
    let at = s
        .iter()
        .position(|l| l.contains("第一百条（本条）  现行有效，0 个子项"))
        .unwrap_or_else(|| panic!("{s:#?}"));
    assert!(s[at + 1].contains("（没有你可见的子项引用它）"), "{s:#?}");
    assert!(
        s[at + 2].contains("第一百一十条  现行有效，9 个子项"),
        "{s:#?}"
    );
    // The cursor is on the first sub-item there is; Enter jumps to it.
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.tree.selected_sub().unwrap().code, "10100100300000");
}
