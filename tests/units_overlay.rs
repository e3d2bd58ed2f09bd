//! 单位与账号 (`U`): the units and accounts a platform_admin, coordinator
//! or county_admin looks after, rendered into ratatui's TestBackend at 80×24.

mod common;

use common::*;
use jianguan::app::views::{self, UnitOverview};
use jianguan::tui::app::App;
use jianguan::tui::draw::draw;
use jianguan::tui::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

/// A demo database in `dir`, with the TUI open as `login`.
fn app(dir: &Path, login: &str) -> App {
    let db = demo_db(dir, "units.db");
    app_on(&db, login)
}

fn app_on(db: &Path, login: &str) -> App {
    let store = open(db);
    let actor = actor(&store, login);
    let who = format!(
        "{}（{}）",
        actor.effective().name,
        actor.effective().role.label()
    );
    let mut app = App::new(store, Some(actor), Keymap::defaults(), who).unwrap();
    app.finish_loading();
    app
}

/// The screen as lines of text, wide characters counted once.
fn screen(app: &mut App) -> Vec<String> {
    // Tall enough for all 50 units of the demo in pinyin order.
    let (width, height) = (80, 70);
    // ASCII borders and “...” (tests/tui_look.rs checks the default look).
    jianguan::tui::theme::set(jianguan::tui::theme::Theme::new(true, false));
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
                x += width_of(symbol).max(1) as u16;
            }
            line
        })
        .collect()
}

fn width_of(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

fn press(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn line_with<'a>(s: &'a [String], text: &str) -> &'a str {
    s.iter()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("no line with {text}: {s:#?}"))
}

/// Rows of the overview as the platform admin of `db` sees them.
fn overview(db: &Path, login: &str) -> Vec<UnitOverview> {
    let store = open(db);
    views::unit_overview(&store, Some(&actor(&store, login))).unwrap()
}

#[test]
fn the_platform_admin_sees_every_unit_its_code_marks_and_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "units.db");
    // One unit without a code, as units are before `unit set --code`.
    open(&db)
        .conn()
        .execute("UPDATE units SET uscc = NULL WHERE name = '教育局'", [])
        .unwrap();
    let rows = overview(&db, ADMIN);
    assert_eq!(
        rows.len(),
        50,
        "42 annex-1 units, 2 offices, 6 county units"
    );
    let building = rows
        .iter()
        .position(|r| r.name == "郑州市城乡建设局")
        .unwrap();
    let code = rows[building].uscc.clone().unwrap();
    assert!(rows[building].has_admin && rows[building].has_liaison);
    let no_admin = rows.iter().filter(|r| !r.has_admin).count();
    let no_liaison = rows.iter().filter(|r| !r.has_liaison).count();

    let mut a = app_on(&db, ADMIN);
    press(&mut a, KeyCode::Char('U'));
    let s = screen(&mut a);
    for line in &s {
        assert_eq!(width_of(line), 80, "{line}");
    }
    let head = format!(
        "共 50 个单位：1 个未设置统一社会信用代码，{no_admin} 个无管理员，{no_liaison} 个无联络人"
    );
    assert!(s.iter().any(|l| l.contains(&head)), "{head}\n{s:#?}");
    assert!(
        line_with(&s, "区划").contains("统一社会信用代码   管理员 联络人 账号"),
        "{s:#?}"
    );
    let education = line_with(&s, "郑州市教育局");
    assert!(education.contains("未设置"), "{education}");
    let row = line_with(&s, "郑州市城乡建设局");
    assert!(
        row.contains(&format!("郑州市   {code} 有     有        1")),
        "{row}"
    );
    // A name longer than its column is cut, and says so.
    assert!(
        line_with(&s, "郑州市人力资源和社会").contains("社会..."),
        "{s:#?}"
    );
    assert!(
        line_with(&s, "jianguan unit set").contains("account add（见 --help）"),
        "{s:#?}"
    );

    // Down to the unit (rows are shown in pinyin order), Enter: its
    // account below it.
    let header = s
        .iter()
        .position(|l| l.contains("统一社会信用代码   管理员"))
        .unwrap();
    let shown_at = s
        .iter()
        .position(|l| l.contains("郑州市城乡建设局"))
        .unwrap();
    for _ in 0..shown_at - header - 1 {
        press(&mut a, KeyCode::Char('j'));
    }
    press(&mut a, KeyCode::Enter);
    let s = screen(&mut a);
    let at = s
        .iter()
        .position(|l| l.contains("郑州市城乡建设局"))
        .unwrap();
    let account = &s[at + 1];
    assert!(
        account.contains("xutao")
            && account.contains("徐涛")
            && account.contains("部门管理员")
            && account.contains("联络人")
            && account.contains("13838000006"),
        "{account}"
    );
    // Enter again folds it away; the last unit, expanded, fits on screen.
    press(&mut a, KeyCode::Enter);
    assert!(!screen(&mut a).iter().any(|l| l.contains("xutao")));
    press(&mut a, KeyCode::Char('G'));
    press(&mut a, KeyCode::Char('l'));
    let s = screen(&mut a);
    let last = s
        .iter()
        .position(|l| l.contains("巩义市市场监督管理局"))
        .unwrap();
    assert!(s[last + 1].contains("（没有账号）"), "{s:#?}");

    press(&mut a, KeyCode::Esc);
    assert!(a.units.is_none());
    assert!(!a.quit, "Esc closes the overlay, not the program");
    press(&mut a, KeyCode::Char('U'));
    press(&mut a, KeyCode::Char('q'));
    assert!(a.units.is_none() && !a.quit, "q closes the overlay first");
}

#[test]
fn a_county_admin_sees_only_the_units_of_its_county() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "chenjing");
    press(&mut a, KeyCode::Char('U'));
    let s = screen(&mut a);
    assert!(
        s.iter().any(|l| l.contains("共 3 个单位：0 个未设置")),
        "{s:#?}"
    );
    for name in [
        "金水区人民政府办公室",
        "金水区市场监督管理局",
        "金水区城市管理局",
    ] {
        let row = line_with(&s, name);
        assert!(row.contains("金水区   114101"), "{row}");
        assert!(row.contains("有     有        1"), "{row}");
    }
    assert!(
        !s.iter()
            .any(|l| l.contains("郑州市") || l.contains("中牟县") || l.contains("巩义市")),
        "{s:#?}"
    );
    // Its own account, under its own unit (the second in pinyin order).
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Enter);
    let s = screen(&mut a);
    let at = s
        .iter()
        .position(|l| l.contains("金水区人民政府办公室"))
        .unwrap();
    assert!(
        s[at + 1].contains("chenjing") && s[at + 1].contains("县级管理员"),
        "{s:#?}"
    );
}

#[test]
fn an_operator_is_refused_on_the_status_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "zhangwei");
    press(&mut a, KeyCode::Char('U'));
    assert!(a.units.is_none());
    assert!(
        a.status.contains("部门管理员不能查看单位与账号"),
        "{}",
        a.status
    );
    // Whole on the status line at 80 columns (its two lines).
    let s = screen(&mut a);
    let status: String = s[21..].iter().map(|l| l.trim()).collect();
    assert!(
        status.contains("部门管理员不能查看单位与账号（仅平台管理员、协调员、县级管理员可以）"),
        "{s:#?}"
    );
    assert!(!s.iter().any(|l| l.contains("统一社会信用代码")), "{s:#?}");
    // The legal reviewer likewise; a coordinator reads every unit.
    let db = dir.path().join("units.db");
    let store = open(&db);
    let refused = views::unit_overview(&store, Some(&actor(&store, "wangfang")));
    assert!(
        refused.is_err_and(|e| e.to_string().contains("合法性审核员")),
        "legal reviewer"
    );
    assert!(views::unit_overview(&store, None).is_err());
    assert_eq!(overview(&db, "liuyang").len(), 50);
}

#[test]
fn an_admin_is_an_active_operator_or_any_account_of_a_coordinating_office() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "units.db");
    let find = |rows: &[UnitOverview], name: &str| {
        rows.iter()
            .find(|r| r.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name}"))
    };
    let rows = overview(&db, ADMIN);
    // The legal reviewer is the 司法局's liaison, not its 部门管理员.
    let justice = find(&rows, "郑州市司法局");
    assert!(!justice.has_admin && justice.has_liaison);
    // The offices: the platform admin and the coordinator count.
    let data = find(&rows, "郑州市大数据管理局");
    assert!(data.has_admin && !data.has_liaison, "{data:?}");
    assert!(find(&rows, "郑州市人民政府办公厅（政务服务办公室）").has_admin);
    // A stopped account counts for nothing, and is listed as stopped.
    open(&db)
        .conn()
        .execute("UPDATE accounts SET active = 0 WHERE login = 'xutao'", [])
        .unwrap();
    let building = find(&overview(&db, ADMIN), "郑州市城乡建设局");
    assert!(!building.has_admin && !building.has_liaison);
    assert_eq!(building.accounts.len(), 1);
    assert!(!building.accounts[0].active);
    let mut a = app_on(&db, ADMIN);
    press(&mut a, KeyCode::Char('U'));
    // Every unit expanded (`+`), the cursor on the one whose account stopped.
    press(&mut a, KeyCode::Char('+'));
    let rows = overview(&db, ADMIN);
    let at = rows
        .iter()
        .position(|r| r.name == "郑州市城乡建设局")
        .unwrap();
    for _ in 0..at {
        press(&mut a, KeyCode::Char('j'));
    }
    let s = screen(&mut a);
    assert!(line_with(&s, "xutao").contains("已停用"), "{s:#?}");
}

#[test]
fn the_help_lists_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "chenjing");
    press(&mut a, KeyCode::Char('?'));
    // The global keys follow the pane's: further down at 80x24.
    press(&mut a, KeyCode::End);
    let s = screen(&mut a);
    assert!(
        s.iter()
            .any(|l| l.contains(" U ") && l.contains("单位与账号（只读）")),
        "{s:#?}"
    );
}
