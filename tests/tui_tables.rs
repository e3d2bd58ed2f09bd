//! Tables and the reviewer's queue, rendered into ratatui's TestBackend:
//! sorting both ways with ▲/▼ and “—” last, names by pinyin, state tags of
//! one width, names cut with “…”, the queue refreshing on others' commits,
//! approving only after a question, the reason editor and the history
//! wrapped at 80 columns.

mod common;

use common::*;
use jianguan::app::progress::Standing;
use jianguan::app::{local_items, views};
use jianguan::domain::ReviewState;
use jianguan::search::pinyin::sort_key;
use jianguan::tui::app::App;
use jianguan::tui::draw::draw;
use jianguan::tui::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::UnicodeWidthStr;

fn app_on(db: &std::path::Path, login: &str) -> App {
    let store = open(db);
    let actor = actor(&store, login);
    let mut a = App::new(store, Some(actor), Keymap::defaults(), login.into()).unwrap();
    a.finish_loading();
    a.drafts_dir = None;
    a
}

/// The screen as lines of text, wide characters counted once.
fn screen(app: &mut App, width: u16, height: u16) -> Vec<String> {
    // Unicode marks (▲/▼, “…”) whatever the locale running the tests.
    jianguan::tui::theme::set(jianguan::tui::theme::Theme::new(true, true));
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
                x += symbol.width().max(1) as u16;
            }
            line
        })
        .collect()
}

fn press(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn ctrl(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn rows(a: &App) -> Vec<Standing> {
    a.progress.as_ref().unwrap().rows.clone()
}

/// Presses `o` until the status names `label`.
fn sort_by(a: &mut App, label: &str) {
    for _ in 0..12 {
        press(a, 'o');
        if a.status == format!("按{label}排序") {
            return;
        }
    }
    panic!("no sort by {label}: {}", a.status);
}

/// Whether the values (None for “—”) are in order, missing last.
fn ordered<K: Ord + std::fmt::Debug>(values: &[Option<K>], descending: bool) -> bool {
    let present = values.iter().take_while(|v| v.is_some()).count();
    values[present..].iter().all(Option::is_none)
        && values[..present].windows(2).all(|w| {
            let (a, b) = (w[0].as_ref().unwrap(), w[1].as_ref().unwrap());
            if descending { a >= b } else { a <= b }
        })
}

#[test]
fn progress_columns_sort_both_ways_with_arrows_and_dashes_last() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "sort.db");
    let mut a = app_on(&db, "liuyang");
    press(&mut a, '4');
    let s = screen(&mut a, 140, 40);
    assert!(s[3].contains("排名▲"), "{}", s[3]);

    // The unit name by pinyin, A→Z then Z→A, the arrow saying which.
    sort_by(&mut a, "单位（拼音）");
    let s = screen(&mut a, 140, 40);
    assert!(
        s[3].contains("单位▲") && !s[3].contains("排名▲"),
        "{}",
        s[3]
    );
    let keys: Vec<Option<String>> = rows(&a).iter().map(|r| Some(sort_key(&r.unit))).collect();
    assert!(ordered(&keys, false), "{keys:#?}");
    let names: Vec<String> = rows(&a).iter().map(|r| r.unit.clone()).collect();
    let at = |n: &str| names.iter().position(|u| u.starts_with(n)).unwrap();
    // gong < jin < zheng < zhong (code point order puts 郑 before 巩 and 金).
    assert!(at("巩义市") < at("金水区") && at("金水区") < at("郑州市"));
    assert!(at("郑州市") < at("中牟县"), "{names:#?}");
    press(&mut a, 'O');
    assert_eq!(a.status, "按单位（拼音）倒序排序");
    let s = screen(&mut a, 140, 40);
    assert!(s[3].contains("单位▼"), "{}", s[3]);
    let back: Vec<String> = rows(&a).iter().map(|r| r.unit.clone()).collect();
    assert_eq!(back, names.iter().rev().cloned().collect::<Vec<_>>());

    // 完成度: the most first, then the least first; “—” last both ways.
    sort_by(&mut a, "完成度");
    let shares: Vec<Option<u32>> = rows(&a).iter().map(|r| r.share).collect();
    assert!(
        shares.iter().any(Option::is_none),
        "the demo has units asked nothing"
    );
    assert!(ordered(&shares, true), "{shares:?}");
    assert!(screen(&mut a, 140, 40)[3].contains("完成度▼"));
    press(&mut a, 'O');
    let shares: Vec<Option<u32>> = rows(&a).iter().map(|r| r.share).collect();
    assert!(ordered(&shares, false), "{shares:?}");
    let s = screen(&mut a, 140, 40);
    assert!(s[3].contains("完成度▲"), "{}", s[3]);
    assert!(s[4].contains('%'), "no “—” first: {}", s[4]);

    // Every other column, both ways, missing values last.
    for label in ["认领数", "应填", "已填报", "认领", "排名"] {
        sort_by(&mut a, label);
        let first = rows(&a);
        press(&mut a, 'O');
        let second = rows(&a);
        assert_ne!(
            first.iter().map(|r| r.unit_id).collect::<Vec<_>>(),
            second.iter().map(|r| r.unit_id).collect::<Vec<_>>(),
            "{label} sorts both ways"
        );
        if label == "排名" {
            for rs in [&first, &second] {
                let ranks: Vec<Option<usize>> =
                    rs.iter().map(|r| r.rank.filter(|_| r.duty)).collect();
                let present = ranks.iter().take_while(|r| r.is_some()).count();
                assert!(ranks[present..].iter().all(Option::is_none), "{ranks:?}");
            }
        }
    }

    // The county view: 完成率 with “—” last both ways, units cut with “…”.
    press(&mut a, 'z');
    sort_by(&mut a, "完成率");
    let unit_line = |l: &str| {
        let c: Vec<char> = l.chars().take(4).collect();
        c.len() == 4 && c[1] == ' ' && c[2] == ' ' && c[3] != ' '
    };
    let mut dashes = 0;
    for arrow in ['▼', '▲'] {
        let s = screen(&mut a, 80, 120);
        let head = s.iter().position(|l| l.contains("区划")).unwrap();
        assert!(s[head].contains(&format!("完成率{arrow}")), "{}", s[head]);
        // In each county's run of units, nothing with a figure after a “—”.
        let mut seen_dash = false;
        for l in &s[head + 1..] {
            if !unit_line(l) {
                seen_dash = false;
                continue;
            }
            let dash = l.contains(" — ");
            assert!(!seen_dash || dash, "“—” before a figure: {l}\n{s:#?}");
            seen_dash |= dash;
            dashes += dash as usize;
        }
        press(&mut a, 'O');
    }
    assert!(dashes > 0, "the demo has units asked nothing");
    let s = screen(&mut a, 80, 24);
    assert!(
        s.iter().any(|l| unit_line(l) && l.contains('…')),
        "a long unit name is cut with …: {s:#?}"
    );
    for l in &s {
        assert_eq!(l.width(), 80, "{l}");
    }
}

#[test]
fn names_sort_by_pinyin_heteronyms_by_the_reading_names_use() {
    let mut names = vec!["郑州", "北京", "安阳"];
    names.sort_by_cached_key(|n| sort_key(n));
    assert_eq!(names, ["安阳", "北京", "郑州"]);
    // 长葛 is cháng gě: between 安阳 and 登封, not after 郑州 (zhǎng).
    let mut names = vec!["郑州市", "登封市", "长葛市", "安阳市"];
    names.sort_by_cached_key(|n| sort_key(n));
    assert_eq!(names, ["安阳市", "长葛市", "登封市", "郑州市"]);
}

#[test]
fn units_overlay_sorts_by_region_or_by_pinyin_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "units.db");
    let mut a = app_on(&db, "liuyang");
    press(&mut a, 'U');
    let names = |a: &App| -> Vec<String> {
        a.units
            .as_ref()
            .unwrap()
            .rows()
            .iter()
            .map(|r| r.name.clone())
            .collect()
    };
    let s = screen(&mut a, 140, 40).join("\n");
    assert!(s.contains("区划▲"), "{s}");
    press(&mut a, 'o');
    let s = screen(&mut a, 140, 40).join("\n");
    assert!(s.contains("单位▲"), "{s}");
    let by_name = names(&a);
    let keys: Vec<String> = by_name.iter().map(|n| sort_key(n)).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{by_name:#?}");
    press(&mut a, 'O');
    assert!(screen(&mut a, 140, 40).join("\n").contains("单位▼"));
    assert_eq!(names(&a), by_name.iter().rev().cloned().collect::<Vec<_>>());
}

#[test]
fn checklist_state_tags_have_one_width_and_the_tree_tags_not_started() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "tags.db");
    let mut a = app_on(&db, "zhangwei");
    press(&mut a, '3');
    let s = screen(&mut a, 120, 60);
    let list = a.checklists.as_ref().unwrap();
    let mut columns = std::collections::BTreeMap::new();
    for r in &list.rows {
        let line = s
            .iter()
            .find(|l| l.contains(&r.sub_code))
            .unwrap_or_else(|| panic!("{} shown: {s:#?}", r.sub_code));
        let tag = line.find('[').unwrap();
        let at = line.find(&r.sub_code).unwrap();
        let state = &line[tag..line.find(']').unwrap() + 1];
        columns.insert(state.to_string(), line[..at].width());
    }
    assert!(columns.len() >= 3, "several states: {columns:?}");
    let first = *columns.values().next().unwrap();
    assert!(columns.values().all(|c| *c == first), "{columns:?}");

    // The tree tags a required checklist not started as 未开始.
    let missing = list
        .rows
        .iter()
        .find(|r| r.checklist.is_none())
        .expect("a checklist not started")
        .sub_item_id;
    press(&mut a, '1');
    assert!(a.tree.select_sub(missing));
    let name = a.tree.selected_sub().unwrap().name.clone();
    let s = screen(&mut a, 160, 45);
    let line = s
        .iter()
        .find(|l| l.contains(&name[..name.len().min(12)]) && l.contains("[*]"))
        .unwrap_or_else(|| panic!("{name}: {s:#?}"));
    assert!(line.contains("清单:未开始"), "{line}");
}

/// The demo's returned item of the water bureau, and its version.
fn returned_item(db: &std::path::Path) -> (i64, i64) {
    let store = open(db);
    let zhou = actor(&store, "zhouqiang");
    let rows = views::local_items(&store, Some(&zhou), None, None).unwrap();
    let r = rows
        .iter()
        .find(|r| r.state == ReviewState::Returned)
        .unwrap();
    (r.main_item_id, r.version)
}

#[test]
fn the_reviewers_queue_refreshes_when_another_connection_submits() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "queue.db");
    let mut a = app_on(&db, "wangfang");
    press(&mut a, 'L');
    assert_eq!(a.local.as_ref().unwrap().waiting(), 1);
    let s = screen(&mut a, 80, 24).join("\n");
    assert!(s.contains("待审核 1）"), "{s}");
    // The reviewer is writing a reason for the waiting item meanwhile.
    key(&mut a, KeyCode::Enter);
    press(&mut a, 'x');
    a.on_paste("请补充设定依据");

    // Another operator resubmits, on a connection of its own.
    let (id, version) = returned_item(&db);
    let mut other = open(&db);
    let zhou = actor(&other, "zhouqiang");
    local_items::submit(&mut other, &zhou, id, version).unwrap();
    assert!(a.refresh_if_changed());
    assert_eq!(a.local.as_ref().unwrap().waiting(), 2);
    assert_eq!(a.status, "新提交审核 1 项，待审核共 2 项");
    // What was being written is still there.
    let s = screen(&mut a, 80, 24).join("\n");
    assert!(s.contains("请补充设定依据"), "{s}");
    key(&mut a, KeyCode::Esc);
    press(&mut a, 'y');
    key(&mut a, KeyCode::Esc);
    let s = screen(&mut a, 80, 24).join("\n");
    assert!(s.contains("待审核 2）"), "{s}");
    let queued: Vec<&str> = s.lines().filter(|l| l.contains("[待审核]")).collect();
    assert_eq!(queued.len(), 2, "{s}");
    assert!(queued[1].contains("DF410100-0004"), "{s}");
    // The list at 80 columns keeps the item names.
    assert!(queued[1].contains("对城市"), "{}", queued[1]);
}

#[test]
fn approve_asks_first_naming_the_item() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "approve.db");
    let mut a = app_on(&db, "wangfang");
    press(&mut a, 'L');
    key(&mut a, KeyCode::Enter);
    let code = a
        .local
        .as_ref()
        .unwrap()
        .detail
        .as_ref()
        .unwrap()
        .row
        .code
        .clone();
    press(&mut a, 'a');
    let s = screen(&mut a, 80, 24).join("\n");
    assert!(s.contains("审核通过这一事项？y 通过，Esc 取消"), "{s}");
    assert!(
        s.lines().any(|l| l.contains(&code) && l.contains("对门前")),
        "{s}"
    );
    // Nothing but y approves: another key asks again, Esc leaves it.
    press(&mut a, 'j');
    key(&mut a, KeyCode::Enter);
    assert!(screen(&mut a, 80, 24).join("\n").contains("y 通过"));
    key(&mut a, KeyCode::Esc);
    let state = |a: &App| a.local.as_ref().unwrap().detail.as_ref().unwrap().row.state;
    assert_eq!(state(&a), ReviewState::Submitted);
    assert!(!screen(&mut a, 80, 24).join("\n").contains("y 通过"));
    press(&mut a, 'a');
    press(&mut a, 'y');
    assert_eq!(a.status, "已审核通过（编制单位已认领其子项）");
    assert_eq!(state(&a), ReviewState::Approved);
}

#[test]
fn the_reason_editor_wraps_at_80_columns_and_the_history_keeps_names_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "reason.db");
    let mut a = app_on(&db, "wangfang");
    press(&mut a, 'L');
    key(&mut a, KeyCode::Enter);
    press(&mut a, 'x');
    let long = "设定依据须写到条款项，".repeat(8);
    a.on_paste(&long);
    key(&mut a, KeyCode::Enter);
    a.on_paste("第二行");
    let s = screen(&mut a, 80, 24);
    for l in &s {
        assert_eq!(l.width(), 80, "{l}");
    }
    let title = s
        .iter()
        .position(|l| l.contains("退回理由（Ctrl-S 退回，Enter 换行"))
        .unwrap();
    // Wrapped inside the editor's borders: every line of it ends with the
    // editor's border and the overlay's, nothing runs under them.
    let body: Vec<&String> = s[title + 1..]
        .iter()
        .take_while(|l| l.contains("设定") || l.contains("条款") || l.contains("第二行"))
        .collect();
    assert!(body.len() >= 3, "{s:#?}");
    let right = s[title].trim_end().width();
    for l in &body {
        assert_eq!(l.trim_end().width(), right, "{l}");
    }
    assert!(
        body.last().unwrap().contains("第二行"),
        "Enter breaks the line"
    );
    // Enter does not send; Ctrl-S does.
    assert!(
        a.status.is_empty() || !a.status.contains("退回"),
        "{}",
        a.status
    );
    ctrl(&mut a, 's');
    assert_eq!(a.status, "已退回修改");

    // The history at 80 columns: the reviewer's name with what she wrote.
    screen(&mut a, 80, 24);
    for _ in 0..60 {
        press(&mut a, 'j');
    }
    let s = screen(&mut a, 80, 24);
    let line = s
        .iter()
        .find(|l| l.contains("王芳："))
        .unwrap_or_else(|| panic!("{s:#?}"));
    assert!(line.contains("郑州市司法局 王芳：设"), "{line}");
}

/// Lets the search worker answer.
fn settle(app: &mut App) {
    for _ in 0..200 {
        app.pump();
        std::thread::sleep(std::time::Duration::from_millis(10));
        if app.search.as_ref().is_some_and(|s| {
            !s.note.contains("正在") && (s.input.value().is_empty() || s.note.contains("条，"))
        }) {
            app.pump();
            return;
        }
    }
}

#[test]
fn search_hits_and_a_long_file_name_are_cut_with_an_ellipsis_at_80_columns() {
    if only_on_sqlite("it cuts a long file name in the title") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(
        dir.path(),
        "zhengzhou_city_supervision_catalogue_2026_final.db",
    );
    let mut a = app_on(&db, "zhangwei");
    // The file's name is cut in its middle; the unit's name still shows.
    let s = screen(&mut a, 80, 24);
    assert_eq!(s[0].width(), 80, "{}", s[0]);
    let title = s[0].trim_end();
    assert!(title.contains("郑州市"), "{title}");
    assert!(
        title.contains("zhengzhou") && title.ends_with("final.db"),
        "{title}"
    );
    assert!(title.contains('…'), "{title}");

    press(&mut a, '/');
    settle(&mut a);
    a.on_paste("查封");
    settle(&mut a);
    let s = screen(&mut a, 80, 24);
    // The department is cut with “…”, never at the border.
    let line = s
        .iter()
        .find(|l| l.contains("10100400100000"))
        .unwrap_or_else(|| panic!("{s:#?}"));
    assert!(line.contains("食品  国家市场监督…"), "{line}");
    // A long name is cut too, so the department still shows.
    let line = s
        .iter()
        .find(|l| l.contains("10100600100000"))
        .unwrap_or_else(|| panic!("{s:#?}"));
    assert!(line.contains("…  国家市场"), "{line}");
    for l in &s {
        assert_eq!(l.width(), 80, "{l}");
    }
}

#[test]
fn the_local_editor_wraps_the_row_it_is_on_and_cuts_the_others_with_an_ellipsis() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "editor.db");
    let mut a = app_on(&db, "zhangwei");
    press(&mut a, 'L');
    key(&mut a, KeyCode::Enter);
    press(&mut a, 'e');
    assert!(a.editor.is_some(), "{}", a.status);
    // Down to [+ 增加子项], then up to 设定依据.
    for _ in 0..20 {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Up);
    let s = screen(&mut a, 80, 24).join("\n");
    assert!(s.contains("《郑州市文明行为促进条例"), "{s}");
    assert!(s.contains("（地方性法规）"), "wrapped whole: {s}");
    key(&mut a, KeyCode::Up);
    let s = screen(&mut a, 80, 24);
    let line = s
        .iter()
        .find(|l| l.contains("设定依据："))
        .unwrap_or_else(|| panic!("{s:#?}"));
    assert!(
        line.contains("…") && !line.contains("（地方性法规）"),
        "{line}"
    );
}

/// The county view's county lines as (name, the line), below its header.
fn county_lines(s: &[String]) -> Vec<(String, String)> {
    let head = s.iter().position(|l| l.contains("区划")).unwrap();
    s[head + 1..]
        .iter()
        .filter(|l| !l.starts_with("│  ") && l.starts_with('│'))
        .map(|l| {
            let cell: String = l.trim_start_matches('│').chars().take(20).collect();
            // “2 中牟县” carries the county's rank as a region.
            let name = cell
                .trim()
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string();
            (name, l.clone())
        })
        .collect()
}

#[test]
fn the_county_view_sorts_the_counties_and_names_the_column_sorted_by() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "counties.db");
    let mut a = app_on(&db, "liuyang");
    press(&mut a, '4');
    press(&mut a, 'z');
    let percent = |l: &str| -> Option<u32> {
        let at = l.find('%')?;
        let digits: String = l[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .filter(|c| *c != '.')
            .collect();
        digits.parse().ok()
    };
    sort_by(&mut a, "完成率");
    let s = screen(&mut a, 80, 60);
    let head = s.iter().position(|l| l.contains("区划")).unwrap();
    assert!(s[head].contains("完成率▼"), "{}", s[head]);
    let down: Vec<Option<u32>> = county_lines(&s).iter().map(|(_, l)| percent(l)).collect();
    assert!(down.len() >= 3, "{s:#?}");
    assert!(ordered(&down, true), "{down:?}");
    press(&mut a, 'O');
    assert_eq!(a.status, "按完成率倒序排序");
    let s = screen(&mut a, 80, 60);
    assert!(s[head].contains("完成率▲"), "{}", s[head]);
    let up: Vec<Option<u32>> = county_lines(&s).iter().map(|(_, l)| percent(l)).collect();
    assert!(ordered(&up, false), "{up:?}");
    assert_ne!(down, up, "the counties themselves reorder");

    // 区划 by pinyin both ways; each county's units stay under it.
    for (i, descending) in [(0, false), (1, true)] {
        if i == 0 {
            sort_by(&mut a, "区划（拼音）");
        } else {
            press(&mut a, 'O');
        }
        let s = screen(&mut a, 80, 60);
        assert!(s[head].contains(if descending { "区划▼" } else { "区划▲" }));
        let names: Vec<Option<String>> = county_lines(&s)
            .iter()
            .map(|(n, _)| Some(sort_key(n)))
            .collect();
        assert!(ordered(&names, descending), "{names:?}\n{s:#?}");
        let mut county = String::new();
        for l in &s[head + 1..] {
            if let Some(unit) = l.strip_prefix("│  ") {
                assert!(unit.starts_with(&county), "{unit} under {county}");
            } else if let Some((n, _)) = county_lines(&[s[head].clone(), l.clone()]).first() {
                county = n.clone();
            }
        }
    }
    // The counts are columns to sort by as well.
    for label in ["单位", "逾期单位"] {
        sort_by(&mut a, label);
        let s = screen(&mut a, 80, 60);
        assert!(s[head].contains(&format!("{label}▼")), "{}", s[head]);
    }
}

#[test]
fn the_drill_down_tags_have_one_width() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "drill.db");
    let mut a = app_on(&db, "liuyang");
    press(&mut a, '4');
    key(&mut a, KeyCode::Home);
    key(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 80, 24);
    let mut columns = std::collections::BTreeMap::new();
    for l in s
        .iter()
        .filter(|l| l.contains("[未开始]") || l.contains("[完整]") || l.contains("[草稿]"))
    {
        let close = l.find(']').unwrap();
        let at = close + l[close..].find(|c: char| c.is_ascii_digit()).unwrap();
        let state = &l[l.find('[').unwrap()..l.find(']').unwrap() + 1];
        columns.insert(state.to_string(), l[..at].width());
    }
    assert!(columns.len() >= 2, "{s:#?}");
    let first = *columns.values().next().unwrap();
    assert!(columns.values().all(|c| *c == first), "{columns:?}");
}

#[test]
fn keys_that_do_nothing_in_the_local_items_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "keys.db");
    let mut a = app_on(&db, "wangfang");
    press(&mut a, 'L');
    press(&mut a, 'z');
    assert_eq!(a.status, "z 在这里不可用，按 ? 查看可用的键");
    let returned = a
        .local
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .position(|r| r.state == ReviewState::Returned)
        .unwrap();
    for _ in 0..returned {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    press(&mut a, 'a');
    assert_eq!(a.status, "审核通过只用于待审核的事项（此项为退回修改）");
    press(&mut a, 'z');
    assert_eq!(a.status, "z 在这里不可用，按 ? 查看可用的键");
    // Home goes to the top of the item, quietly.
    key(&mut a, KeyCode::Home);
    assert_eq!(a.status, "");
}
