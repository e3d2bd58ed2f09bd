//! The TUI rendered into ratatui's TestBackend, and the real binary in tmux.

mod common;

use common::*;
use jianguan::tui::action::Action;
use jianguan::tui::app::App;
use jianguan::tui::draw::draw;
use jianguan::tui::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn app(dir: &std::path::Path, login: Option<&str>, keymap: Keymap) -> App {
    let db = demo_db(dir, "tui.db");
    let store = open(&db);
    let actor = login.map(|l| actor(&store, l));
    let who = match &actor {
        Some(a) => format!("{}（{}）", a.effective().name, a.effective().role.label()),
        None => "只能浏览".into(),
    };
    let mut app = App::new(store, actor, keymap, who).unwrap();
    app.finish_loading();
    app
}

/// The screen as lines of text, wide characters counted once.
fn screen(app: &mut App, width: u16, height: u16) -> Vec<String> {
    // These tests are about behaviour: ASCII borders, colour as the
    // environment says (tests/tui_look.rs checks the look itself).
    let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    jianguan::tui::theme::set(jianguan::tui::theme::Theme::new(colour, false));
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
                // A wide character covers the next cell too.
                x += width_of(symbol).max(1) as u16;
            }
            line
        })
        .collect()
}

fn press(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
}

fn width_of(line: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(line)
}

#[test]
fn the_first_frame_shows_the_departments_while_the_items_load() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "first.db");
    let store = open(&db);
    let actor = Some(actor(&store, "zhangwei"));
    let mut a = App::new(store, actor, Keymap::defaults(), "张伟".into()).unwrap();
    let s = screen(&mut a, 80, 24);
    assert!(s[2].contains("正在读取事项"), "{}", s[2]);
    assert!(
        s.iter().any(|l| l.contains("+ 国家市场监督管理总局  0/39")),
        "{s:#?}"
    );
    a.finish_loading();
    let s = screen(&mut a, 80, 24);
    assert!(!s[2].contains("正在读取"), "{}", s[2]);
    assert!(
        s.iter()
            .any(|l| l.contains("+ 国家市场监督管理总局  33/39")),
        "{s:#?}"
    );
}

#[test]
fn narrow_shows_one_pane_with_a_switcher_title_and_hints() {
    if only_on_sqlite("the title shows the file’s name") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("zhangwei"), Keymap::defaults());
    let s = screen(&mut a, 80, 24);
    assert!(
        s[0].contains("张伟（zhangwei，部门管理员）") && s[0].contains("tui.db"),
        "{}",
        s[0]
    );
    assert!(
        s[1].contains("1 事项目录") && s[1].contains("4 进度"),
        "{}",
        s[1]
    );
    assert!(s[2].contains("事项目录"), "{}", s[2]);
    assert!(
        s.iter()
            .any(|l| l.contains("+ 国家市场监督管理总局  33/39")),
        "{s:#?}"
    );
    assert!(
        s[23].starts_with("?/F1 帮助  / 搜索") && s[23].contains("Space 标记  c 认领"),
        "{}",
        s[23]
    );
    // Every row is exactly as wide as the screen: wide characters align.
    for line in &s {
        assert_eq!(width_of(line), 80, "{line}");
        // No box-drawing characters: their width is ambiguous in CJK terminals.
        assert!(
            !line.chars().any(|c| ('\u{2500}'..='\u{257F}').contains(&c)),
            "{line}"
        );
    }
}

#[test]
fn navigating_into_an_item_shows_its_fields_and_bases() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("zhangwei"), Keymap::defaults());
    // Filter to the unit's claims and open the first sub-item.
    press(&mut a, 'm');
    assert!(a.status.contains("本单位已认领"), "{}", a.status);
    for _ in 0..2 {
        press(&mut a, 'j');
    }
    let sub = a
        .tree
        .selected_sub()
        .expect("a sub-item under the cursor")
        .name
        .clone();
    let s = screen(&mut a, 140, 40);
    // Wide: the tree and the item pane side by side.
    assert!(
        s[2].contains("事项目录") && s[2].contains("事项详情"),
        "{}",
        s[2]
    );
    assert!(
        s.iter().any(|l| l.contains(&format!("子项名称：{sub}"))),
        "{s:#?}"
    );
    assert!(s.iter().any(|l| l.contains("设定依据")));
    assert!(
        s.iter().any(|l| l.contains("[行政法规，现行有效]")),
        "{s:#?}"
    );
    assert!(
        s.iter().any(|l| l.contains("[*] 检")),
        "claimed marks: {s:#?}"
    );
    // 共同实施: the demo's outdoor-advertising items are claimed by both.
    assert!(
        s.iter()
            .any(|l| l.contains("户外广告") && l.contains("共同实施:城市管理局")),
        "{s:#?}"
    );
    for line in &s {
        assert_eq!(width_of(line), 140, "{line}");
    }
    // 3 on an item with a checklist opens its form.
    let with_list = *a.tree.marks.checklists.keys().min().unwrap();
    assert!(a.tree.select_sub(with_list));
    let name = a.tree.selected_sub().unwrap().name.clone();
    press(&mut a, '3');
    let s = screen(&mut a, 80, 24);
    assert!(s[2].contains(&format!("检查实施清单 - {name}")), "{}", s[2]);
    assert!(s.iter().any(|l| l.contains("监管事项目录编码：")), "{s:#?}");
}

#[test]
fn the_progress_pane_lists_units_with_their_figures() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("liuyang"), Keymap::defaults());
    press(&mut a, '4');
    let s = screen(&mut a, 140, 40);
    let line = s
        .iter()
        .find(|l| l.contains("郑州市市场监督管理局"))
        .expect("the unit is listed");
    assert!(line.contains("%") && line.contains("按时"), "{line}");
    assert!(
        s.iter().any(|l| l.contains("进度（50 个单位，全市已填报")),
        "{s:#?}"
    );
    // Ranked, the best first; overdue rows carry “!” (no colour needed).
    assert!(
        s[4].contains(" 1 ") && s[4].contains("郑州市市场监督管理局"),
        "{}",
        s[4]
    );
    // Overdue rows are red (unless NO_COLOR), and marked “!” either way.
    {
        let mut t = Terminal::new(TestBackend::new(140, 40)).unwrap();
        t.draw(|f| draw(f, &mut a)).unwrap();
        let buf = t.backend().buffer().clone();
        let y = (0..40u16)
            .find(|y| {
                (0..140u16)
                    .map(|x| buf[(x, *y)].symbol().to_string())
                    .collect::<String>()
                    .starts_with("|!")
            })
            .expect("an overdue row");
        let want = if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            ratatui::style::Color::Reset
        } else {
            ratatui::style::Color::Red
        };
        assert_eq!(buf[(3, y)].fg, want);
    }
    // Every milestone has its column; overdue states are marked “!”.
    assert!(
        s[3].contains("账号") && s[3].contains("目录上报") && s[3].contains("清单填报"),
        "{}",
        s[3]
    );
    assert!(s.iter().any(|l| l.contains("!已逾期")), "{s:#?}");
    // Sort by unit name in pinyin order, both ways.
    press(&mut a, 'o');
    assert_eq!(a.status, "按单位（拼音）排序");
    let names: Vec<String> = a
        .progress
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|r| r.unit.clone())
        .collect();
    assert_eq!(
        names.first().map(String::as_str),
        Some("巩义市市场监督管理局")
    );
    press(&mut a, 'O');
    assert_eq!(a.status, "按单位（拼音）倒序排序");
    let back: Vec<String> = a
        .progress
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|r| r.unit.clone())
        .collect();
    assert_eq!(back.first(), names.last());
    // The county sums.
    press(&mut a, 'z');
    let s = screen(&mut a, 140, 40);
    // Each county's sum, its units below it; the counties sorted as the
    // units were (by name, Z→A: zhong before zheng).
    assert!(s[3].contains("区划v") || s[3].contains("区划▼"), "{}", s[3]);
    assert!(s[4].contains(" 中牟县 "), "{}", s[4]);
    assert!(s[5].starts_with("|  中牟县"), "{}", s[5]);
    let zhengzhou = s.iter().position(|l| l.starts_with("|郑州市 ")).unwrap();
    assert!(s[zhengzhou + 1].starts_with("|  郑州市"), "{s:#?}");
    press(&mut a, 'G');
    let s = screen(&mut a, 140, 40);
    // A county's line carries its rank as a region.
    assert!(
        s.iter()
            .any(|l| l.starts_with("|") && l.contains(" 巩义市 ")),
        "{s:#?}"
    );
    key(&mut a, KeyCode::Enter); // the last line is a unit of 巩义市
    assert!(a.progress.as_ref().unwrap().drill.is_some());
    key(&mut a, KeyCode::Esc);
    press(&mut a, 'z');
    // Back through every sort to the rank.
    for _ in 0..10 {
        press(&mut a, 'o');
    }
    assert_eq!(a.status, "按排名排序");
    key(&mut a, KeyCode::Home);
    key(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 140, 40).join("\n");
    assert!(s.contains("郑州市市场监督管理局：未完成的工作"), "{s}");
    assert!(s.contains("份未填报") && s.contains("[草稿]"), "{s}");
    key(&mut a, KeyCode::Esc);
    // The coordinator moves a milestone.
    press(&mut a, 'M');
    let s = screen(&mut a, 140, 40).join("\n");
    assert!(
        s.contains("时间节点（Enter 调整截止时间") && s.contains("市直部门完成事项认领"),
        "{s}"
    );
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Enter);
    for _ in 0..20 {
        key(&mut a, KeyCode::Backspace);
    }
    a.on_paste("2030-01-01 17:00");
    key(&mut a, KeyCode::Enter);
    assert!(
        a.status.ends_with("已改为 2030-01-01 17:00"),
        "{}",
        a.status
    );
    key(&mut a, KeyCode::Esc);
    // A wrong time says why and changes nothing.
    press(&mut a, 'M');
    key(&mut a, KeyCode::Enter);
    for _ in 0..20 {
        key(&mut a, KeyCode::Backspace);
    }
    a.on_paste("下周一");
    key(&mut a, KeyCode::Enter);
    assert!(a.status.contains("下周一"), "{}", a.status);
}

#[test]
fn the_help_overlay_over_chinese_text_keeps_every_row_aligned() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), None, Keymap::defaults());
    press(&mut a, '4');
    press(&mut a, '?');
    assert!(a.help);
    for (w, h) in [(80, 24), (140, 60)] {
        let s = screen(&mut a, w, h);
        // At 80x24 the help is taller than the screen and scrolls.
        let title = if h == 24 {
            "滚动，Esc 关闭）"
        } else {
            "帮助（Esc 关闭）"
        };
        assert!(s.iter().any(|l| l.contains(title)), "{s:#?}");
        // The focused pane's keys first: the progress pane's own.
        assert!(s.iter().any(|l| l.contains("进度（4）")), "{s:#?}");
        assert!(
            s.iter()
                .any(|l| l.contains(" o ") && l.contains("换一列排序")),
            "{s:#?}"
        );
        for line in &s {
            assert_eq!(width_of(line), w as usize, "{line}");
        }
        // The popup's left border stands in the same column on every row.
        let top = s.iter().position(|l| l.contains(title)).unwrap();
        let column = |line: &str, c: char| line.find(c).map(|i| width_of(&line[..i]));
        let col = s[top]
            .find(" 帮助")
            .map(|i| width_of(&s[top][..i]) - 1)
            .unwrap();
        assert!(column(&s[top], '+').is_some());
        let at = |line: &str| {
            line.char_indices()
                .find(|(i, _)| width_of(&line[..*i]) == col)
                .map(|(_, c)| c)
        };
        let mut rows = 0;
        for line in &s[top + 1..] {
            if at(line) == Some('+') {
                break;
            }
            assert_eq!(at(line), Some('|'), "{line}");
            rows += 1;
        }
        assert!(rows > 10, "the popup has its rows");
    }
    // Scrolled down (j, as in every list), the last entries come into view
    // at 80x24; j does not close the help.
    let last = "borders = \"ascii\"";
    assert!(!screen(&mut a, 80, 24).iter().any(|l| l.contains(last)));
    for _ in 0..40 {
        press(&mut a, 'j');
    }
    assert!(a.help, "scrolling keeps help open");
    let s = screen(&mut a, 80, 24);
    assert!(s.iter().any(|l| l.contains(last)), "{s:#?}");
    press(&mut a, 'z');
    assert!(a.help, "a key that is not Esc, ? or q leaves the help open");
    press(&mut a, 'q');
    assert!(!a.help && !a.quit, "q closes the help, and only the help");
    press(&mut a, '?');
    key(&mut a, KeyCode::Esc);
    assert!(!a.help);
}

#[test]
fn a_keymap_override_changes_the_binding_and_the_help_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keymap.toml");
    std::fs::write(&file, "[keys]\nquit = [\"Ctrl-q\"]\nhelp = [\"F2\"]\n").unwrap();
    let (keymap, warning) = Keymap::load(Some(&file));
    assert!(warning.is_none());
    let mut a = app(dir.path(), None, keymap);
    press(&mut a, 'q');
    assert!(!a.quit, "q no longer quits");
    assert!(a.status.contains("F2"), "{}", a.status);
    a.on_key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE));
    let s = screen(&mut a, 100, 50);
    assert!(
        s.iter().any(|l| l.contains("Ctrl-q") && l.contains("退出")),
        "{s:#?}"
    );
    assert!(
        s.iter().any(|l| l.contains("F2") && l.contains("帮助")),
        "{s:#?}"
    );
    a.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    a.on_key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL));
    assert!(a.quit);
}

#[test]
fn commits_by_another_process_appear_and_the_selection_stays() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("sunli"), Keymap::defaults());
    let chosen = a
        .store
        .conn()
        .query_row(
            "SELECT id FROM sub_items WHERE code = '10400100100000'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(a.tree.select_sub(chosen));
    a.update(Action::Down);
    a.update(Action::Up);
    assert_eq!(a.tree.selected_sub().map(|s| s.id), Some(chosen));
    assert!(!a.tree.marks.claims.contains_key(&chosen));
    assert!(!a.refresh_if_changed(), "nothing changed yet");
    // Another connection (another operator's process) claims it.
    let mut other = open(a.store.path());
    let sunli = actor(&other, "sunli");
    jianguan::app::claims::claim_many(&mut other, &sunli, &[chosen], true).unwrap();
    assert!(a.refresh_if_changed());
    assert_eq!(a.tree.marks.claims.get(&chosen), Some(&true));
    assert_eq!(
        a.tree.selected_sub().map(|s| s.id),
        Some(chosen),
        "selection kept"
    );
}

/// Sub-item rows on screen with their claim mark ("[*]", "[-]", "[ ]").
fn claim_marks(screen: &[String]) -> Vec<&str> {
    screen
        .iter()
        .filter_map(|l| ["[*]", "[-]", "[ ]"].into_iter().find(|m| l.contains(m)))
        .collect()
}

#[test]
fn filter_mark_all_claim_then_undo_from_the_keyboard() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("lina"), Keymap::defaults());
    let unit_claims = a.tree.marks.claims.len();
    // 未认领 + 行政检查: every shown sub-item is unclaimed.
    press(&mut a, 'n');
    press(&mut a, 't');
    let s = screen(&mut a, 100, 30);
    assert!(s[2].contains("未认领 + 行政检查"), "{}", s[2]);
    assert!(claim_marks(&s).iter().all(|m| *m == "[ ]"), "{s:#?}");
    press(&mut a, 'a');
    let shown = a.tree.picked_count();
    assert!(shown > 50, "enough to ask first: {shown}");
    assert!(
        a.status.contains(&format!(
            "已标记筛选（未认领 + 行政检查）出的全部 {shown} 个子项"
        )),
        "{}",
        a.status
    );
    let s = screen(&mut a, 100, 30);
    assert!(s[2].contains(&format!("已标记 {shown} 项")), "{}", s[2]);
    assert!(
        s.iter()
            .filter(|l| l.contains("[ ]"))
            .all(|l| l.starts_with("|>")),
        "every row is marked: {s:#?}"
    );
    // Items whose 监管层级 leaves out 市级 are named and left out.
    let lina_unit = a.actor.as_ref().unwrap().effective().unit_id;
    let outside = jianguan::app::claims::left_out(&a.store, lina_unit, &a.tree.targets().0)
        .unwrap()
        .len();
    assert!(outside > 0, "the demo has county-only inspections");
    let rest = shown - outside;
    // Large: a question first; any other key leaves everything as it was.
    press(&mut a, 'c');
    let s = screen(&mut a, 100, 30);
    let asked = s.join("\n");
    assert!(
        asked.contains(&format!("为郑州市城市管理局认领已标记的其余 {rest} 个子项")),
        "{asked}"
    );
    assert!(
        a.confirm.as_ref().is_some_and(|c| c
            .question
            .contains(&format!("{outside} 项不能认领（监管层级不含本单位层级"))),
        "{asked}"
    );
    press(&mut a, 'x');
    assert_eq!(a.status, "已取消，未做任何改动");
    assert_eq!(a.tree.marks.claims.len(), unit_claims);
    assert_eq!(a.tree.picked_count(), shown, "the marks stay");
    press(&mut a, 'c');
    press(&mut a, 'y');
    assert!(
        a.status.starts_with(&format!(
            "已认领 {rest} 项（其中 0 项原已认领）；{outside} 项不能认领"
        )),
        "{}",
        a.status
    );
    assert_eq!(a.tree.marks.claims.len(), unit_claims + rest);
    assert_eq!(a.tree.picked_count(), 0, "marks cleared after the action");
    let s = screen(&mut a, 100, 30);
    // A long message takes the status's two lines, the hints below it.
    assert!(
        s[27..]
            .iter()
            .any(|l| l.contains(&format!("已认领 {rest} 项"))),
        "{s:#?}"
    );
    // The claims are in the file, seen by another connection.
    let other = open(a.store.path());
    let unit = actor(&other, "lina").effective().unit_id;
    assert_eq!(
        jianguan::store::claims::claims_of_unit(other.conn(), unit)
            .unwrap()
            .len(),
        unit_claims + rest
    );
    // u: undone, as a new logged action.
    press(&mut a, 'u');
    assert_eq!(
        a.status,
        format!("已撤销“认领 {rest} 项”：恢复 {rest} 项"),
        "{}",
        a.status
    );
    assert_eq!(a.tree.marks.claims.len(), unit_claims);
    press(&mut a, 'u');
    assert_eq!(a.status, "本次没有可撤销的认领操作");
    let log = jianguan::store::changelog::recent(other.conn(), 1).unwrap();
    assert_eq!(log[0].action, "undo_claim");
}

#[test]
fn a_range_mark_a_search_mark_and_claiming_finished() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("lina"), Keymap::defaults());
    // Open the first department and its first main item; mark a range of
    // three sub-item rows.
    press(&mut a, 'l');
    key(&mut a, KeyCode::Down);
    press(&mut a, 'l');
    key(&mut a, KeyCode::Down);
    press(&mut a, ' ');
    assert!(a.status.contains("标记 1 个子项"), "{}", a.status);
    press(&mut a, 'v');
    assert_eq!(a.tree.picked_count(), 2, "{}", a.status);
    press(&mut a, 'A');
    assert_eq!(a.tree.picked_count(), 0);
    // A main item row marks its sub-items.
    key(&mut a, KeyCode::Up);
    key(&mut a, KeyCode::Up);
    let subs = a.tree.selected_main().unwrap().subs.len();
    press(&mut a, ' ');
    assert_eq!(a.tree.picked_count(), subs);
    press(&mut a, 'A');

    // Ctrl-A in the search box marks every item matching the query.
    press(&mut a, '/');
    settle(&mut a);
    a.on_paste("食品安全标准");
    settle(&mut a);
    a.on_key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL));
    assert!(!a.search_open);
    let n = a.tree.picked_count();
    assert!(n > 0);
    assert!(
        a.status
            .contains(&format!("搜索“食品安全标准”匹配 {n} 个子项")),
        "{}",
        a.status
    );
    // Toggling 是否行使 on unclaimed items says so and changes nothing.
    press(&mut a, 'e');
    assert!(a.status.contains("尚未认领，未改动"), "{}", a.status);
    press(&mut a, 'c');
    assert!(
        a.status.starts_with(&format!("已认领 {n} 项")),
        "{}",
        a.status
    );

    // 认领完成: asked, then stamped in the title line.
    let s = screen(&mut a, 100, 30);
    assert!(s[0].contains("认领截止"), "{}", s[0]);
    press(&mut a, 'F');
    let s = screen(&mut a, 100, 30).join("\n");
    assert!(s.contains("确认郑州市城市管理局认领完成"), "{s}");
    press(&mut a, 'y');
    assert!(a.status.starts_with("已记录认领完成"), "{}", a.status);
    let s = screen(&mut a, 100, 30);
    assert!(s[0].contains("认领完成 "), "{}", s[0]);
    press(&mut a, 'F');
    assert!(
        a.status.contains("如需撤销请联系平台管理员"),
        "{}",
        a.status
    );
}

#[test]
fn the_platform_admin_acting_for_a_unit_can_withdraw_its_claiming_finished() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "admin.db");
    let store = open(&db);
    let actor = jianguan::app::Actor::resolve(&store, ADMIN, Some("zhangwei")).unwrap();
    let mut a = App::new(store, Some(actor), Keymap::defaults(), "代张伟".into()).unwrap();
    a.finish_loading();
    let s = screen(&mut a, 100, 30);
    assert!(
        s[0].contains("认领完成 "),
        "the demo's 市场监督管理局 finished: {}",
        s[0]
    );
    press(&mut a, 'F');
    let s = screen(&mut a, 100, 30).join("\n");
    assert!(s.contains("撤销郑州市市场监督管理局于"), "{s}");
    press(&mut a, 'y');
    assert_eq!(a.status, "已撤销郑州市市场监督管理局的认领完成");
    let s = screen(&mut a, 100, 30);
    assert!(s[0].contains("认领截止"), "{}", s[0]);
}

#[test]
fn a_bulk_claim_leaves_out_cancelled_items_and_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "cancelled.db");
    let store = open(&db);
    // As a catalogue re-import leaves an item that vanished from the list.
    let (id, name): (i64, String) = store
        .conn()
        .query_row(
            "SELECT id, name FROM sub_items WHERE code = '10700100200000'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    store
        .conn()
        .execute(
            "UPDATE sub_items SET status = 'cancelled' WHERE id = ?1",
            [id],
        )
        .unwrap();
    let lina = actor(&store, "lina");
    let mut a = App::new(store, Some(lina), Keymap::defaults(), "李娜".into()).unwrap();
    a.finish_loading();
    assert!(a.tree.select_sub(id));
    // The main item row: its sub-items, one of them cancelled.
    key(&mut a, KeyCode::Left);
    let subs = a.tree.selected_main().unwrap().subs.len();
    press(&mut a, ' ');
    press(&mut a, 'c');
    // More than one row: asked first.
    press(&mut a, 'y');
    assert!(
        a.status
            .contains(&format!("1 项不在用，未认领：{name}（已取消）")),
        "{}",
        a.status
    );
    assert!(!a.tree.marks.claims.contains_key(&id));
    assert!(
        a.status.starts_with(&format!("已认领 {} 项", subs - 1)),
        "{}",
        a.status
    );
}

#[test]
fn a_coordinator_is_told_why_it_cannot_claim() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("liuyang"), Keymap::defaults());
    let before = content_dump(&a.store);
    press(&mut a, 'c');
    // Told at once, not asked first.
    assert!(a.confirm.is_none());
    assert!(
        a.status
            .starts_with("不能认领：认领由各单位的部门管理员操作"),
        "{}",
        a.status
    );
    assert_eq!(content_dump(&a.store), before);
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// Lets the search worker answer.
fn settle(app: &mut App) {
    for _ in 0..500 {
        app.pump();
        if app.search.as_ref().is_some_and(|s| s.settled()) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The search box's result rows on screen: those starting with a kind's
/// tag, and the 近似结果 line, as they are listed.
fn result_rows(s: &[String]) -> Vec<String> {
    s.iter()
        .filter_map(|l| {
            let tags = [
                "| 部门 ",
                "| 主项 ",
                "| 子项 ",
                "| 地方 ",
                "| 依据 ",
                "|近似结果",
            ];
            let at = tags.iter().filter_map(|t| l.find(t)).min()?;
            Some(l[at + 1..].trim_matches([' ', '|']).to_string())
        })
        .collect()
}

/// Types a query into the open search box and lets the worker answer.
fn search_for(a: &mut App, q: &str) {
    if !a.search_open {
        press(a, '/');
    }
    settle(a);
    while !a.search.as_ref().unwrap().input.value().is_empty() {
        key(a, KeyCode::Backspace);
    }
    a.on_paste(q);
    settle(a);
}

/// Moves the search box's cursor down to the hit whose row holds `what`
/// (rows as `result_rows` lists them; the 近似结果 line is no hit).
fn down_to(a: &mut App, what: &str) {
    let rows = result_rows(&screen(a, 120, 40));
    let hits: Vec<&String> = rows.iter().filter(|r| !r.starts_with("近似结果")).collect();
    let n = hits
        .iter()
        .position(|r| r.contains(what))
        .unwrap_or_else(|| panic!("{what} not in {rows:#?}"));
    for _ in 0..n {
        key(a, KeyCode::Down);
    }
}

#[test]
fn search_lists_every_kind_in_one_ranked_list_and_jumps_to_items_and_bases() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("zhangwei"), Keymap::defaults());
    press(&mut a, '/');
    assert!(a.search_open);
    settle(&mut a);
    // The empty box says what may be typed.
    let s = screen(&mut a, 80, 24).join("\n");
    for want in ["拼音首字母或全拼，可不连续", "食品安全法 87", "近似结果"] {
        assert!(s.contains(want), "{want}: {s}");
    }
    for c in "spaq".chars() {
        press(&mut a, c);
    }
    settle(&mut a);
    for (w, h) in [(80, 24), (140, 40)] {
        let s = screen(&mut a, w, h);
        assert!(s.iter().any(|l| l.contains("/ spaq")), "{s:#?}");
        for line in &s {
            assert_eq!(width_of(line), w as usize, "{line}");
        }
    }
    // One list, no groups: each row says its kind; the law's articles,
    // short exact matches, come first.
    let s = screen(&mut a, 120, 40);
    assert!(!s.iter().any(|l| l.contains("设定依据（")), "{s:#?}");
    let rows = result_rows(&s);
    assert!(
        rows[0].starts_with("依据 《中华人民共和国食品安全法》第八十七条"),
        "{rows:#?}"
    );
    for tag in ["依据 ", "主项 1010", "子项 1010"] {
        assert!(rows.iter().any(|r| r.starts_with(tag)), "{tag}: {rows:#?}");
    }
    // Enter on a sub-item: the tree selects it.
    down_to(&mut a, "10100400100000");
    key(&mut a, KeyCode::Enter);
    assert!(!a.search_open);
    assert_eq!(a.tree.selected_sub().unwrap().code, "10100400100000");
    assert!(a.status.starts_with("已定位"), "{}", a.status);
    // Again, up to the first basis: the lookup lists who cites it.
    press(&mut a, '/');
    settle(&mut a);
    key(&mut a, KeyCode::PageUp);
    key(&mut a, KeyCode::Enter);
    let view = a.basis.as_ref().expect("basis lookup open");
    assert_eq!(
        view.basis.citation(),
        "《中华人民共和国食品安全法》第八十七条"
    );
    assert_eq!(view.items.len(), 2);
    let s = screen(&mut a, 100, 30);
    assert!(
        s.iter().any(|l| l.contains("引用此依据的子项（2 个）")),
        "{s:#?}"
    );
    key(&mut a, KeyCode::Enter);
    assert!(a.basis.is_none());
    assert_eq!(a.tree.selected_sub().unwrap().code, "10100100300000");
}

#[test]
fn enter_on_a_department_or_a_main_item_opens_it_expanded_in_the_tree() {
    use jianguan::tui::panes::tree::Node;
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("zhangwei"), Keymap::defaults());
    // Only the unit's claims show: 教育部 has none, so the filter goes.
    press(&mut a, 'm');
    search_for(&mut a, "教育部");
    let rows = result_rows(&screen(&mut a, 120, 40));
    assert!(rows[0].starts_with("部门 教育部"), "{rows:#?}");
    key(&mut a, KeyCode::Enter);
    assert!(!a.search_open);
    assert!(
        matches!(a.tree.selected(), Some(Node::Department(_))),
        "{:?}",
        a.tree.selected()
    );
    assert_eq!(a.tree.selected_department().unwrap().name, "教育部");
    assert!(a.tree.filter.describe().is_empty());
    assert!(
        a.status.starts_with("已定位：部门 教育部，2 个主项")
            && a.status.contains("筛选“本单位已认领”隐藏了它，已清除筛选"),
        "{}",
        a.status
    );
    // Expanded, its main items on screen under it.
    let s = screen(&mut a, 80, 24).join("\n");
    for main in [
        "11300100000000 对民办教育的行政检查",
        "11300200000000 对学校安全的行政检查",
    ] {
        assert!(s.contains(main), "{main}: {s}");
    }

    // A main item: selected, its sub-items shown.
    search_for(&mut a, "食品经营活动");
    let rows = result_rows(&screen(&mut a, 120, 40));
    assert!(
        rows[0].starts_with("主项 10100200000000 对食品经营活动的行政检查"),
        "{rows:#?}"
    );
    key(&mut a, KeyCode::Enter);
    assert!(matches!(a.tree.selected(), Some(Node::Main(..))));
    assert_eq!(a.tree.selected_main().unwrap().code, "10100200000000");
    assert_eq!(
        a.status,
        "已定位：主项 10100200000000 对食品经营活动的行政检查，5 个子项"
    );
    let s = screen(&mut a, 80, 24).join("\n");
    for sub in ["对食品销售者的监督检查", "对食品经营者的监督抽检"] {
        assert!(s.contains(sub), "{sub}: {s}");
    }
}

#[test]
fn near_hits_come_under_their_own_line_and_the_cursor_skips_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("zhangwei"), Keymap::defaults());
    search_for(&mut a, "食品经管");
    let note = a.search.as_ref().unwrap().note.clone();
    // 食品…经…管 strewn over a law's title is no better than one wrong
    // character: it goes below the line too, after the near runs.
    assert!(note.starts_with("9 条，其中近似结果 9 条，"), "{note}");
    let s = screen(&mut a, 80, 24);
    assert!(s.iter().any(|l| l.contains(&note)), "{s:#?}");
    let rows = result_rows(&s);
    assert!(
        rows[0].starts_with("近似结果（错一个字，9 条）"),
        "{rows:#?}"
    );
    assert!(
        rows[1].starts_with("子项 10100200500000 对食品经营者的监督抽检"),
        "{rows:#?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("依据 《河南省食品小作坊")),
        "{rows:#?}"
    );
    assert_eq!(rows.iter().filter(|r| r.starts_with("近似结果")).count(), 1);
    // The cursor starts below the line; Up stays there, Down and Up move.
    key(&mut a, KeyCode::Up);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Up);
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.tree.selected_sub().unwrap().code, "10100200500000");

    // A hit above the line when one matches as typed.
    search_for(&mut a, "食品经营者");
    let rows = result_rows(&screen(&mut a, 80, 24));
    assert!(
        rows[0].starts_with("子项 10100200500000 对食品经营者的监督抽检"),
        "{rows:#?}"
    );
    assert!(!rows.iter().any(|r| r.starts_with("近似结果")), "{rows:#?}");

    // Nothing but near hits: the line comes first, the cursor below it.
    search_for(&mut a, "餐钦服务");
    let rows = result_rows(&screen(&mut a, 80, 24));
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(rows[0].starts_with("近似结果"), "{rows:#?}");
    assert!(rows[1].contains("对餐饮服务提供者的监督检查"), "{rows:#?}");
    // Ctrl-A marks what matches as typed, not what is one character away.
    a.on_key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL));
    assert_eq!(a.tree.picked_count(), 0);
    assert!(a.status.contains("匹配 0 个子项"), "{}", a.status);
    press(&mut a, '/');
    settle(&mut a);
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.tree.selected_sub().unwrap().code, "10100200200000");
}

#[test]
fn enter_on_a_local_item_goes_to_the_tree_once_approved_else_to_the_local_items() {
    use jianguan::tui::panes::tree::Node;
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("zhangwei"), Keymap::defaults());
    // The unit's own draft: in the local items, selected.
    search_for(&mut a, "文明经营");
    let rows = result_rows(&screen(&mut a, 120, 40));
    assert!(
        rows[0].starts_with("地方 DF410100-0007 对文明经营行为的行政检查"),
        "{rows:#?}"
    );
    key(&mut a, KeyCode::Enter);
    assert!(!a.search_open);
    let view = a.local.as_ref().expect("local items open");
    assert!(view.detail.is_none());
    assert!(
        a.status
            .starts_with("已选中地方监管事项 DF410100-0007 对文明经营行为的行政检查（草稿）"),
        "{}",
        a.status
    );
    key(&mut a, KeyCode::Enter);
    let view = a.local.as_ref().unwrap();
    assert_eq!(view.detail.as_ref().unwrap().row.code, "DF410100-0007");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    assert!(a.local.is_none());
    // 已录入: in the tree, found by its DF code too, both codes shown.
    search_for(&mut a, "DF410100-0005");
    let rows = result_rows(&screen(&mut a, 120, 40));
    assert!(
        rows[0].starts_with("地方 41100100000001 DF410100-0005 对嵩山历史建筑群保护"),
        "{rows:#?}"
    );
    key(&mut a, KeyCode::Enter);
    assert!(a.local.is_none());
    assert!(matches!(a.tree.selected(), Some(Node::Main(..))));
    assert_eq!(a.tree.selected_main().unwrap().code, "41100100000001");
    assert!(a.status.contains("（已录入）"), "{}", a.status);
}

/// A tmux server of its own (its own socket), for driving the real binary.
struct Tmux {
    socket: std::path::PathBuf,
    session: &'static str,
}

impl Tmux {
    fn new(dir: &std::path::Path, session: &'static str) -> Tmux {
        Tmux {
            socket: dir.join(format!("{session}.sock")),
            session,
        }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap()
    }

    /// Starts `cmd` in a 100x30 window.
    fn start(&self, cmd: &str) {
        let o = self.run(&[
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            "100",
            "-y",
            "30",
            cmd,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", self.session]).stdout)
            .to_string()
    }

    fn display(&self, format: &str) -> String {
        String::from_utf8_lossy(
            &self
                .run(&["display", "-p", "-t", self.session, format])
                .stdout,
        )
        .trim()
        .to_string()
    }

    fn wait_for(&self, what: &str) {
        for _ in 0..100 {
            if self.screen().contains(what) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("never saw {what:?} on screen:\n{}", self.screen());
    }

    fn installed() -> bool {
        std::process::Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok()
    }
}

#[test]
fn the_real_binary_in_tmux_opens_navigates_quits_and_restores_the_terminal() {
    if !Tmux::installed() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "e2e.db");
    let t = Tmux::new(dir.path(), "e2e");
    t.start(&format!(
        "{} --db {} --as zhangwei; echo EXITED:$?; sleep 30",
        bin(),
        db.display()
    ));
    t.wait_for("事项目录");
    t.keys(&["m"]);
    t.wait_for("筛选：本单位已认领");
    t.keys(&["j", "j", "2"]);
    t.wait_for("子项名称：");
    // Search by pinyin, jump to the item.
    t.keys(&["1", "/"]);
    t.wait_for("条可搜索");
    t.keys(&["-l", "cfkybfh"]);
    t.wait_for("子项 10100400100000 查封、扣押不符合食品安全标准的食品");
    t.keys(&["Enter"]);
    t.wait_for("已定位：10100400100000");
    assert_eq!(
        t.display("#{alternate_on}"),
        "1",
        "full screen while running"
    );
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    assert_eq!(
        t.display("#{alternate_on}"),
        "0",
        "the normal screen is back after quitting"
    );
    t.run(&["kill-server"]);

    // An SSH session that drops: the terminal goes away under the program,
    // which must end instead of spinning on a dead terminal.
    let t = Tmux::new(dir.path(), "drop");
    t.start(&format!("{} --db {} --as zhangwei", bin(), db.display()));
    t.wait_for("事项目录");
    let pid = t.display("#{pane_pid}");
    let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    assert!(
        cmdline.contains("jianguan"),
        "the pane runs jianguan itself: {cmdline:?}"
    );
    t.run(&["kill-server"]);
    let gone = (0..50).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.split_whitespace().nth(2) == Some("Z"))
            .unwrap_or(true)
    });
    assert!(gone, "jianguan {pid} still runs after its terminal hung up");
}

#[test]
fn every_pane_renders_at_80x24_and_140x40() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("zhangwei"), Keymap::defaults());
    press(&mut a, 'm');
    press(&mut a, 'j');
    press(&mut a, 'j');
    for (key, title) in [
        ('1', "事项目录"),
        ('2', "事项详情"),
        ('3', "检查实施清单"),
        ('4', "进度"),
    ] {
        press(&mut a, key);
        for (w, h) in [(80, 24), (140, 40)] {
            let s = screen(&mut a, w, h);
            assert!(s[2].contains(title), "{title} at {w}x{h}: {}", s[2]);
            assert!(
                s[(h - 1) as usize].contains("?/F1 帮助"),
                "{}",
                s[(h - 1) as usize]
            );
            for line in &s {
                assert_eq!(width_of(line), w as usize, "{title} at {w}x{h}: {line}");
            }
        }
    }
}

fn ctrl(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

/// Opens the checklist form of a sub-item through the list (3, then Enter).
fn open_form(a: &mut App, sub_item_id: i64) {
    key(a, KeyCode::Esc);
    press(a, '3');
    if a.form.is_some() {
        key(a, KeyCode::Esc);
    }
    assert!(a.checklists.as_mut().unwrap().select(sub_item_id));
    key(a, KeyCode::Enter);
    assert_eq!(a.form.as_ref().map(|f| f.sub_item_id), Some(sub_item_id));
}

fn go_to_field(a: &mut App, field: jianguan::domain::ChecklistField) {
    let target = jianguan::domain::ChecklistField::ALL
        .iter()
        .position(|f| *f == field)
        .unwrap();
    key(a, KeyCode::Home);
    for _ in 0..target {
        press(a, 'j');
    }
    assert_eq!(a.form.as_ref().unwrap().field(), field);
}

#[test]
fn the_form_validates_as_you_type_saves_and_merges_after_a_lost_race() {
    use jianguan::domain::{ChecklistField, ChecklistState};
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("zhangwei"), Keymap::defaults());
    a.drafts_dir = Some(dir.path().join("drafts"));
    press(&mut a, '3');
    let list = a.checklists.as_ref().unwrap();
    let row = list
        .rows
        .iter()
        .find(|r| r.checklist.as_ref().map(|c| c.state) == Some(ChecklistState::Draft))
        .unwrap()
        .clone();
    open_form(&mut a, row.sub_item_id);
    let s = screen(&mut a, 100, 30);
    assert!(s[2].contains("草稿"), "{}", s[2]);

    // 检查内容: typed into the text area; the error beside it goes.
    go_to_field(&mut a, ChecklistField::Content);
    key(&mut a, KeyCode::Enter);
    for c in "一、资质".chars() {
        press(&mut a, c);
    }
    key(&mut a, KeyCode::Enter);
    for c in "二、记录".chars() {
        press(&mut a, c);
    }
    key(&mut a, KeyCode::Esc);
    let f = a.form.as_ref().unwrap();
    assert!(
        f.fields.content.ends_with("一、资质\n二、记录"),
        "{:?}",
        f.fields.content
    );
    assert!(f.dirty);
    assert!(
        f.errors.iter().all(|e| e.field != ChecklistField::Content),
        "{:?}",
        f.errors
    );
    ctrl(&mut a, 's');
    assert!(a.status.starts_with("已保存"), "{}", a.status);
    let saved_version = a.form.as_ref().unwrap().expected_version.unwrap();

    // Another operator saves the same checklist meanwhile.
    let mut other = open(a.store.path());
    let zhangwei = actor(&other, "zhangwei");
    let unit = zhangwei.effective().unit_id;
    let current = jianguan::store::checklists::find(other.conn(), row.sub_item_id, unit)
        .unwrap()
        .unwrap();
    let mut theirs = current.fields.clone();
    theirs.target_sub = "他人填写的子项".into();
    theirs.content = "他人的检查内容".into();
    jianguan::app::checklists::save_checklist(
        &mut other,
        &zhangwei,
        jianguan::app::checklists::SaveRequest {
            sub_item_id: row.sub_item_id,
            fields: theirs,
            expected_version: Some(saved_version),
            submit: false,
        },
    )
    .unwrap();
    // Mine: a change of 监管对象主项; saving now is a conflict.
    go_to_field(&mut a, ChecklistField::TargetMain);
    key(&mut a, KeyCode::Enter);
    a.on_paste("（本人补充）");
    key(&mut a, KeyCode::Enter);
    ctrl(&mut a, 's');
    assert!(a.status.starts_with("保存冲突"), "{}", a.status);
    let s = screen(&mut a, 100, 30).join("\n");
    assert!(s.contains("保存冲突：逐项选择保留哪一方"), "{s}");
    assert!(s.contains("他人的检查内容"), "{s}");
    // Rows in annex order: 监管对象主项 (mine), 监管对象子项, 检查内容.
    // What only they changed (子项, 检查内容) is theirs by default; keep
    // mine for 检查内容, so theirs is taken for 子项 only.
    assert!(s.contains("默认取对方 2 项"), "{s}");
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    press(&mut a, ' ');
    key(&mut a, KeyCode::Enter);
    assert!(
        a.status.starts_with("已合并（取对方 1 项）"),
        "{}",
        a.status
    );
    ctrl(&mut a, 's');
    assert!(a.status.starts_with("已保存"), "{}", a.status);
    let final_row = jianguan::store::checklists::find(other.conn(), row.sub_item_id, unit)
        .unwrap()
        .unwrap();
    assert_eq!(final_row.version, saved_version + 2);
    assert_eq!(final_row.fields.target_sub, "他人填写的子项");
    assert!(final_row.fields.target_main.ends_with("（本人补充）"));
    assert!(final_row.fields.content.ends_with("一、资质\n二、记录"));
}

#[test]
fn submit_needs_a_complete_form_and_next_jumps_to_the_unfinished() {
    use jianguan::domain::{ChecklistField, ChecklistState};
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("zhangwei"), Keymap::defaults());
    a.drafts_dir = None;
    press(&mut a, '3');
    let row = a
        .checklists
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .find(|r| r.checklist.as_ref().map(|c| c.state) == Some(ChecklistState::Complete))
        .unwrap()
        .clone();
    open_form(&mut a, row.sub_item_id);
    // Emptying a required field: 提交 is refused, naming it.
    go_to_field(&mut a, ChecklistField::TargetMain);
    key(&mut a, KeyCode::Enter);
    for _ in 0..40 {
        key(&mut a, KeyCode::Backspace);
    }
    key(&mut a, KeyCode::Enter);
    ctrl(&mut a, 't');
    assert!(
        a.status
            .starts_with("不能填报：1 项未通过（监管对象主项：必填）"),
        "{}",
        a.status
    );
    // Esc acknowledges the error; Esc again asks; d leaves the form,
    // discarding the edit.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    assert!(a.confirm.is_some() && a.form.is_some());
    press(&mut a, 'd');
    assert!(a.form.is_none());
    open_form(&mut a, row.sub_item_id);
    ctrl(&mut a, 't');
    assert_eq!(a.status, "已填报");
    // ] goes on to a checklist not yet filed.
    press(&mut a, ']');
    let f = a.form.as_ref().unwrap();
    let next = a
        .checklists
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .find(|r| r.sub_item_id == f.sub_item_id)
        .unwrap();
    assert_ne!(
        next.checklist.as_ref().map(|c| c.state),
        Some(ChecklistState::Filed)
    );
}

#[test]
fn a_county_reuses_the_city_list_and_bulk_sets_a_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("zhaolei"), Keymap::defaults());
    a.drafts_dir = None;
    press(&mut a, '3');
    let unit = a.actor.as_ref().unwrap().effective().unit_id;
    let rows = a.checklists.as_ref().unwrap().rows.clone();
    let reusable = rows
        .iter()
        .find(|r| {
            r.checklist.is_none()
                && !jianguan::app::checklists::reusable(&a.store, unit, r.sub_item_id)
                    .unwrap()
                    .is_empty()
        })
        .expect("an unstarted county checklist with a city one to reuse");
    open_form(&mut a, reusable.sub_item_id);
    press(&mut a, 'r');
    let s = screen(&mut a, 100, 30).join("\n");
    assert!(s.contains("复用上级清单"), "{s}");
    assert!(s.contains("郑州市市场监督管理局"), "{s}");
    key(&mut a, KeyCode::Enter);
    assert!(a.status.starts_with("已复用上级清单"), "{}", a.status);
    let f = a.form.as_ref().unwrap();
    assert_eq!(f.fields.subject_name, "金水区市场监督管理局");
    assert!(!f.fields.content.is_empty());

    // Back to the list: mark two, set 检查类别 on both.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Home);
    press(&mut a, ' ');
    press(&mut a, ' ');
    press(&mut a, 'b');
    let s = screen(&mut a, 100, 30).join("\n");
    assert!(s.contains("为 2 份清单设置同一字段"), "{s}");
    // Down to 检查类别 (after the two entrust and two target fields; 实施主体
    // is the unit's own and not offered).
    for _ in 0..4 {
        key(&mut a, KeyCode::Down);
    }
    a.on_paste("非现场检查");
    key(&mut a, KeyCode::Enter);
    assert!(
        a.status.starts_with("已为 2 份清单设置“检查类别”"),
        "{}",
        a.status
    );
    let first_two: Vec<_> = a.checklists.as_ref().unwrap().rows[..2].to_vec();
    for r in first_two {
        assert_eq!(
            r.checklist
                .unwrap()
                .fields
                .text_of(jianguan::domain::ChecklistField::InspectionKind),
            "非现场检查"
        );
    }
}

#[test]
fn a_draft_left_by_a_crash_is_offered_and_restored() {
    use jianguan::domain::ChecklistField;
    let dir = tempfile::tempdir().unwrap();
    let drafts = dir.path().join("drafts");
    let mut a = app(dir.path(), Some("zhangwei"), Keymap::defaults());
    a.drafts_dir = Some(drafts.clone());
    press(&mut a, '3');
    let sub = a.checklists.as_ref().unwrap().rows[4].sub_item_id;
    open_form(&mut a, sub);
    go_to_field(&mut a, ChecklistField::TargetSub);
    key(&mut a, KeyCode::Enter);
    a.on_paste("断线前输入的内容");
    let path = a.store.path().to_path_buf();
    drop(a); // the process dies here: nothing saved

    let store = open(&path);
    let zhangwei = actor(&store, "zhangwei");
    let mut b = App::new(store, Some(zhangwei), Keymap::defaults(), "张伟".into()).unwrap();
    b.drafts_dir = Some(drafts);
    b.offer_draft();
    let s = screen(&mut b, 100, 30).join("\n");
    assert!(s.contains("发现上次未保存的草稿"), "{s}");
    press(&mut b, 'y');
    let f = b.form.as_ref().expect("the form is open again");
    assert_eq!(f.sub_item_id, sub);
    assert!(f.fields.target_sub.ends_with("断线前输入的内容"));
    assert!(f.dirty, "restored, not yet saved");
    ctrl(&mut b, 's');
    assert!(b.status.starts_with("已保存"), "{}", b.status);
    b.offer_draft();
    assert!(b.confirm.is_none(), "the draft is gone once saved");
}

#[test]
fn the_real_binary_keeps_a_draft_through_a_hangup() {
    if !Tmux::installed() {
        eprintln!("skipped: tmux is not installed, so no terminal to hang up");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "hup.db");
    let data = dir.path().join("xdg");
    let t = Tmux::new(dir.path(), "hup");
    let cmd = format!(
        "XDG_DATA_HOME={} {} --db {} --as zhangwei",
        data.display(),
        bin(),
        db.display()
    );
    t.start(&cmd);
    t.wait_for("事项目录");
    // The list, the fifth checklist, its 监管对象子项; type into it.
    t.keys(&["3"]);
    t.wait_for("份：未开始");
    t.keys(&["j", "j", "j", "j", "Enter"]);
    t.wait_for("监管事项目录编码");
    // The form opens on 委托部门名称, the first field the operator fills.
    t.keys(&["j", "j", "j", "Enter"]);
    t.wait_for("编辑 监管对象子项");
    t.keys(&["-l", "挂断前的输入"]);
    t.wait_for("挂断前的输入");
    // The SSH connection drops: the program gets SIGHUP.
    let pid = t.display("#{pane_pid}");
    std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap();
    t.run(&["kill-server"]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    // Next start: offered, restored.
    t.start(&cmd);
    t.wait_for("发现上次未保存的草稿");
    t.keys(&["y"]);
    t.wait_for("已恢复草稿");
    assert!(t.screen().contains("挂断前的输入"), "{}", t.screen());
    t.run(&["kill-server"]);
}

#[test]
fn the_legal_reviewer_works_the_queue_and_the_operator_resubmits() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "review.db");
    let store = open(&db);
    let reviewer = actor(&store, "wangfang");
    let mut a = App::new(store, Some(reviewer), Keymap::defaults(), "王芳".into()).unwrap();
    a.finish_loading();
    press(&mut a, 'L');
    assert_eq!(a.status, "待审核 1 项，先提交的在前");
    let s = screen(&mut a, 100, 30);
    // The queue first.
    let first = s.iter().position(|l| l.contains("[待审核]")).unwrap();
    assert!(
        s[first].contains("郑州市城市管理局") && s[first].contains("第 2 版"),
        "{}",
        s[first]
    );
    assert!(s[..first].iter().all(|l| !l.contains("[草稿]")), "{s:#?}");
    key(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 100, 30).join("\n");
    assert!(s.contains("a 审核通过  x 退回修改"), "{s}");
    assert!(s.contains("（地方性法规，现行有效）"), "{s}");
    // A return needs a reason: Enter on an empty one does nothing.
    press(&mut a, 'x');
    ctrl(&mut a, 's');
    let s = screen(&mut a, 100, 30).join("\n");
    assert!(s.contains("退回理由（Ctrl-S 退回"), "{s}");
    a.on_paste("设定依据请写到条");
    ctrl(&mut a, 's');
    assert_eq!(a.status, "已退回修改");
    let s = screen(&mut a, 100, 30).join("\n");
    assert!(s.contains("退回理由：设定依据请写到条"), "{s}");
    assert!(
        s.contains("待审核 -> 退回修改（第 3 版）郑州市司法局 王芳：设定依据请写到条"),
        "{s}"
    );
    // Not in the queue any more: approving it now is not offered.
    press(&mut a, 'a');
    press(&mut a, 'y');
    assert_eq!(
        a.local.as_ref().unwrap().detail.as_ref().unwrap().row.state,
        jianguan::domain::ReviewState::Returned
    );

    // The operator sees the reason and resubmits.
    let store = open(&db);
    let lina = actor(&store, "lina");
    let mut b = App::new(store, Some(lina), Keymap::defaults(), "李娜".into()).unwrap();
    b.finish_loading();
    press(&mut b, 'L');
    assert_eq!(
        b.local.as_ref().unwrap().rows.len(),
        2,
        "only the unit's own"
    );
    let returned = b
        .local
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .position(|r| r.state == jianguan::domain::ReviewState::Returned)
        .unwrap();
    for _ in 0..returned {
        key(&mut b, KeyCode::Down);
    }
    key(&mut b, KeyCode::Enter);
    let s = screen(&mut b, 100, 30).join("\n");
    assert!(s.contains("s 提交审核"), "{s}");
    press(&mut b, 's');
    assert_eq!(b.status, "已提交审核");
    key(&mut b, KeyCode::Esc);
    key(&mut b, KeyCode::Esc);
    assert!(b.local.is_none());
}

#[test]
fn an_operator_compiles_a_local_item_with_a_local_basis_and_its_power_entry() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "compile.db");
    let store = open(&db);
    let lina = actor(&store, "lina");
    let mut a = App::new(store, Some(lina), Keymap::defaults(), "李娜".into()).unwrap();
    a.finish_loading();
    press(&mut a, 'L');
    press(&mut a, 'n');
    assert!(a.editor.is_some());
    let s = screen(&mut a, 100, 30).join("\n");
    assert!(s.contains("新建地方监管事项"), "{s}");
    assert!(s.contains("至少需要一项设定依据"), "{s}");
    assert!(s.contains("须关联本单位权责清单事项"), "{s}");
    // 主项名称.
    key(&mut a, KeyCode::Enter);
    a.on_paste("对户外招牌设置的行政检查");
    key(&mut a, KeyCode::Enter);
    // 权责清单事项: the unit's entries, filtered.
    for _ in 0..4 {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 100, 30).join("\n");
    assert!(s.contains("选择本单位权责清单事项"), "{s}");
    key(&mut a, KeyCode::Enter);
    // Sub-item 1: name, then 设定依据 (eight rows down from its name).
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Enter);
    a.on_paste("对户外招牌设置的监督检查");
    key(&mut a, KeyCode::Enter);
    for _ in 0..7 {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    // A national law first: refused with 应从国家目录认领.
    a.on_paste("食品安全法");
    key(&mut a, KeyCode::Char(' '));
    key(&mut a, KeyCode::Esc);
    let s = screen(&mut a, 100, 30).join("\n");
    assert!(s.contains("应从国家目录认领"), "{s}");
    assert!(s.contains("按 / 查找国家目录中的事项"), "{s}");
    press(&mut a, '/');
    assert!(a.status.contains("先保存"), "{}", a.status);
    // Take it out again, add a new local regulation instead.
    key(&mut a, KeyCode::Enter);
    a.on_paste("食品安全法");
    key(&mut a, KeyCode::Char(' '));
    for _ in 0..5 {
        key(&mut a, KeyCode::Backspace);
    }
    a.on_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL));
    // The title starts from what was typed in the filter.
    for _ in 0..10 {
        key(&mut a, KeyCode::Backspace);
    }
    a.on_paste("郑州市户外广告设置管理办法");
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Tab);
    a.on_paste("第十条");
    key(&mut a, KeyCode::Enter);
    assert!(
        a.status
            .contains("已添加依据 《郑州市户外广告设置管理办法》第十条"),
        "{}",
        a.status
    );
    let s = screen(&mut a, 100, 30).join("\n");
    assert!(s.contains("符合地方事项的规则"), "{s}");
    assert!(s.contains("（地方政府规章）"), "{s}");
    a.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert_eq!(a.status, "已保存：可按 s 提交审核");
    assert!(a.editor.is_none());
    // The new item, with a provisional code, can be submitted at once.
    let d = a.local.as_ref().unwrap().detail.as_ref().unwrap();
    assert!(d.row.code.starts_with("DF410100-"), "{}", d.row.code);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    press(&mut a, 's');
    assert_eq!(a.status, "已提交审核");
}

#[test]
fn enter_in_the_item_pane_edits_the_units_own_local_item_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Some("zhangwei"), Keymap::defaults());
    let (local_sub, name): (i64, String) = a
        .store
        .conn()
        .query_row(
            "SELECT s.id, m.name FROM sub_items s JOIN main_items m ON m.id = s.main_item_id
             WHERE m.code = 'DF410100-0007' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(a.tree.select_sub(local_sub));
    press(&mut a, '2');
    key(&mut a, KeyCode::Enter);
    let e = a.editor.as_ref().expect("the editor opens");
    assert_eq!(e.input.name, name);
    key(&mut a, KeyCode::Esc);
    assert!(a.editor.is_none());
    // A national item is read-only here.
    press(&mut a, '1');
    key(&mut a, KeyCode::Home);
    press(&mut a, 'l');
    press(&mut a, 'j');
    press(&mut a, 'l');
    press(&mut a, 'j');
    press(&mut a, '2');
    key(&mut a, KeyCode::Enter);
    assert!(a.editor.is_none());
    assert!(a.status.contains("只读"), "{}", a.status);
}

#[test]
fn a_national_basis_jumps_to_the_national_catalogue() {
    use jianguan::app::local_items::{LocalItemInput, LocalSubItemInput};
    use jianguan::domain::{BasisKind, Category, Level};
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "jump.db");
    let mut store = open(&db);
    let lina = actor(&store, "lina");
    let law = jianguan::app::views::local_item_choices(&store, lina.effective().unit_id)
        .unwrap()
        .0
        .into_iter()
        .find(|b| b.kind == BasisKind::Law && b.title.contains("食品安全法"))
        .unwrap();
    let id = jianguan::app::local_items::create_local_item(
        &mut store,
        &lina,
        &LocalItemInput {
            name: "对食品摊贩的行政检查".into(),
            permit_name: String::new(),
            permit_type: None,
            permit_code: String::new(),
            power_entry_id: None,
            sub_items: vec![LocalSubItemInput {
                id: None,
                name: "对食品摊贩的监督检查".into(),
                category: Category::Inspection,
                target: String::new(),
                measures: String::new(),
                process: String::new(),
                result: String::new(),
                levels: vec![Level::City],
                basis_ids: vec![law.id],
            }],
        },
    )
    .unwrap();
    let mut a = App::new(store, Some(lina), Keymap::defaults(), "李娜".into()).unwrap();
    a.finish_loading();
    press(&mut a, 'L');
    let pos = a
        .local
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .position(|r| r.main_item_id == id)
        .unwrap();
    for _ in 0..pos {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    press(&mut a, 'e');
    assert!(a.editor.is_some());
    press(&mut a, '/');
    assert!(a.editor.is_none() && a.local.is_none());
    assert!(a.search_open);
    assert_eq!(
        a.search.as_ref().unwrap().input.value(),
        "中华人民共和国食品安全法"
    );
    assert!(a.status.contains("请在国家目录中认领"), "{}", a.status);
}

/// The help's text for the context now, as lines.
fn help_text(a: &App) -> String {
    jianguan::tui::help::lines(a, 100)
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn each_pane_and_overlay_lists_its_own_keys_and_others_say_where_they_belong() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "help.db");
    let store = open(&db);
    let reviewer = actor(&store, "wangfang");
    let mut a = App::new(store, Some(reviewer), Keymap::defaults(), String::new()).unwrap();
    a.finish_loading();
    // Pane 1: the tree's keys, not the progress pane's.
    let h = help_text(&a);
    assert!(h.starts_with("事项目录（1）"), "{h}");
    assert!(
        h.contains("只看未认领") && h.contains("全局（任何窗格）"),
        "{h}"
    );
    assert!(!h.contains("换一列排序") && !h.contains("时间节点"), "{h}");
    // A key of another pane says where it is used, and the message goes
    // with the next key.
    press(&mut a, 'M');
    assert_eq!(a.status, "时间节点在进度窗格（4）中查看和调整");
    press(&mut a, 'o');
    assert_eq!(a.status, "“排序”在进度窗格（4）中使用");
    press(&mut a, 'j');
    assert_eq!(a.status, "", "a message lasts until the next key");
    // Pane 4: its own keys.
    press(&mut a, '4');
    let h = help_text(&a);
    assert!(h.starts_with("进度（4）"), "{h}");
    for want in [
        "换一列排序",
        "倒过来排序",
        "按单位/按区划汇总",
        "时间节点",
        "排名规则",
    ] {
        assert!(h.contains(want), "{want}: {h}");
    }
    // The search box: its keys, Ctrl-a among them; ? is typed there.
    press(&mut a, '/');
    assert!(help_text(&a).starts_with("搜索"));
    assert!(help_text(&a).contains("Ctrl-a"));
    press(&mut a, '?');
    assert!(!a.help, "? is a character in the search box");
    a.on_key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE));
    assert!(a.help, "F1 opens the help from the search box");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    // The reviewer's queue: a and x on an item waiting for review, the
    // same keys the title shows.
    press(&mut a, 'L');
    key(&mut a, KeyCode::Enter);
    let h = help_text(&a);
    assert!(h.starts_with("地方监管事项（查看）"), "{h}");
    assert!(h.contains(" a ") && h.contains("审核通过"), "{h}");
    assert!(h.contains(" x ") && h.contains("退回修改"), "{h}");
    assert!(
        !h.contains("全局（任何窗格）"),
        "global keys do not work under it"
    );
    let s = screen(&mut a, 100, 30);
    assert!(
        s.iter().any(|l| l.contains("a 审核通过  x 退回修改")),
        "{s:#?}"
    );
    // An error stays until Esc acknowledges it; that Esc does nothing else.
    a.status = "保存失败，未做任何改动：磁盘已满".into();
    key(&mut a, KeyCode::Esc);
    assert!(a.status.is_empty());
    assert!(
        a.local.as_ref().is_some_and(|l| l.detail.is_some()),
        "still on the item"
    );
}
