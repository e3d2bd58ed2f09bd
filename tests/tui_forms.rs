//! Nothing typed is lost by one key, marks and questions are honest, and a
//! new checklist starts from what the catalogue says: the TUI driven key by
//! key and rendered into ratatui's TestBackend.

mod common;

use common::*;
use jianguan::domain::{ChecklistField, ChecklistState, InspectionKind};
use jianguan::tui::app::{App, Pane};
use jianguan::tui::draw::draw;
use jianguan::tui::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn app(dir: &std::path::Path, login: &str) -> App {
    let db = demo_db(dir, "forms.db");
    let store = open(&db);
    let actor = actor(&store, login);
    let mut app = App::new(store, Some(actor), Keymap::defaults(), login.into()).unwrap();
    app.finish_loading();
    app.drafts_dir = Some(dir.join("drafts"));
    app
}

fn screen(app: &mut App, width: u16, height: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..height {
        let mut x = 0;
        while x < width {
            let symbol = buf[(x, y)].symbol();
            out.push_str(symbol);
            x += unicode_width::UnicodeWidthStr::width(symbol).max(1) as u16;
        }
        out.push('\n');
    }
    out
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

/// The first of the unit's required checklists in this state (None: not
/// started).
fn row_in(a: &mut App, state: Option<ChecklistState>) -> i64 {
    press(a, '3');
    a.checklists
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .find(|r| r.checklist.as_ref().map(|c| c.state) == state)
        .unwrap_or_else(|| panic!("a checklist in state {state:?}"))
        .sub_item_id
}

/// Opens a checklist's form from the list (3, then Enter).
fn open_form(a: &mut App, sub_item_id: i64) {
    press(a, '3');
    if a.form.is_some() {
        key(a, KeyCode::Esc);
    }
    assert!(a.form.is_none(), "{}", a.status);
    assert!(a.checklists.as_mut().unwrap().select(sub_item_id));
    key(a, KeyCode::Enter);
    assert_eq!(a.form.as_ref().map(|f| f.sub_item_id), Some(sub_item_id));
}

fn go_to_field(a: &mut App, field: ChecklistField) {
    let target = ChecklistField::ALL
        .iter()
        .position(|f| *f == field)
        .unwrap();
    key(a, KeyCode::Home);
    for _ in 0..target {
        press(a, 'j');
    }
    assert_eq!(a.form.as_ref().unwrap().field(), field);
}

/// Types into a one-line field and ends editing.
fn type_into(a: &mut App, field: ChecklistField, text: &str) {
    go_to_field(a, field);
    key(a, KeyCode::Enter);
    a.on_paste(text);
    key(a, KeyCode::Enter);
    assert!(a.form.as_ref().unwrap().dirty);
}

fn saved_fields(a: &App, sub_item_id: i64) -> Option<jianguan::domain::Checklist> {
    let other = open(a.store.path());
    let unit = a.actor.as_ref().unwrap().effective().unit_id;
    jianguan::store::checklists::find(other.conn(), sub_item_id, unit).unwrap()
}

fn draft_offered(a: &mut App) -> bool {
    a.confirm = None;
    a.offer_draft();
    let offered = a.confirm.is_some();
    a.confirm = None;
    offered
}

#[test]
fn q_esc_and_leaving_the_pane_ask_save_discard_or_stay() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "zhangwei");
    let sub = row_in(&mut a, Some(ChecklistState::Draft));
    open_form(&mut a, sub);
    type_into(&mut a, ChecklistField::TargetSub, "未保存的子项");

    // q: asked, not quit; any other key stays with the edit kept.
    press(&mut a, 'q');
    assert!(!a.quit);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("有未保存的修改"), "{s}");
    assert!(s.contains("按 s 保存后退出"), "{s}");
    press(&mut a, 'j');
    assert!(a.confirm.is_none() && !a.quit);
    assert_eq!(a.status, "留在表单：修改尚未保存");
    let f = a.form.as_ref().expect("the form stays");
    assert!(f.dirty && f.fields.target_sub.ends_with("未保存的子项"));
    assert!(draft_offered(&mut a), "the draft is still kept");

    // Ctrl-c from inside a field asks too.
    go_to_field(&mut a, ChecklistField::TargetSub);
    key(&mut a, KeyCode::Enter);
    ctrl(&mut a, 'c');
    assert!(!a.quit);
    assert!(
        a.confirm
            .as_ref()
            .is_some_and(|c| c.question.contains("按 s 保存后退出，d 放弃修改后退出"))
    );
    key(&mut a, KeyCode::Esc);
    assert!(a.form.as_ref().is_some_and(|f| f.dirty && !f.editing()));

    // Esc asks; d discards the edit and its draft.
    key(&mut a, KeyCode::Esc);
    assert!(
        a.confirm
            .as_ref()
            .is_some_and(|c| c.question.contains("按 s 保存后回到列表"))
    );
    press(&mut a, 'd');
    assert!(a.form.is_none());
    assert_eq!(a.status, "已放弃未保存的修改");
    assert!(!draft_offered(&mut a), "the draft went with the edit");
    assert!(
        !saved_fields(&a, sub)
            .unwrap()
            .fields
            .target_sub
            .contains("未保存的子项")
    );

    // Tab away from the form asks; s saves, then the next pane shows.
    open_form(&mut a, sub);
    type_into(&mut a, ChecklistField::TargetSub, "保存的子项");
    key(&mut a, KeyCode::Tab);
    assert_eq!(a.focus, Pane::Checklist, "not yet: asked first");
    assert!(
        a.confirm
            .as_ref()
            .is_some_and(|c| c.question.contains("按 s 保存后离开表单"))
    );
    press(&mut a, 's');
    assert!(a.status.starts_with("已保存"), "{}", a.status);
    assert_eq!(a.focus, Pane::Progress);
    assert!(
        saved_fields(&a, sub)
            .unwrap()
            .fields
            .target_sub
            .ends_with("保存的子项")
    );
    assert!(!draft_offered(&mut a));
    // Nothing unsaved: q quits at once.
    press(&mut a, 'q');
    assert!(a.quit);
}

#[test]
fn the_draft_question_needs_y_or_d_and_a_stray_key_keeps_the_draft() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "zhangwei");
    let sub = row_in(&mut a, None);
    open_form(&mut a, sub);
    type_into(&mut a, ChecklistField::TargetSub, "断线前的输入");
    let path = a.store.path().to_path_buf();
    drop(a); // the connection drops: nothing saved

    let store = open(&path);
    let zhangwei = actor(&store, "zhangwei");
    let mut b = App::new(store, Some(zhangwei), Keymap::defaults(), "张伟".into()).unwrap();
    b.drafts_dir = Some(dir.path().join("drafts"));
    b.offer_draft();
    let s = screen(&mut b, 80, 24);
    assert!(s.contains("按 y 恢复到表单，按 d 丢弃草稿"), "{s}");
    for stray in ['j', 'q', 'n'] {
        press(&mut b, stray);
        assert!(b.confirm.is_some(), "{stray} asks again");
        assert!(!b.quit);
        assert_eq!(b.status, "请回答：按 y 恢复草稿，按 d 丢弃草稿");
    }
    key(&mut b, KeyCode::Enter);
    key(&mut b, KeyCode::Esc);
    assert!(b.confirm.is_some() && b.form.is_none());
    press(&mut b, 'd');
    assert!(b.confirm.is_none());
    assert_eq!(b.status, "已丢弃草稿");
    assert!(!draft_offered(&mut b));
}

#[test]
fn saving_a_change_to_a_filed_checklist_says_it_must_be_filed_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "zhangwei");
    let sub = row_in(&mut a, Some(ChecklistState::Filed));
    open_form(&mut a, sub);
    // Unchanged: nothing to save, and it stays filed.
    ctrl(&mut a, 's');
    assert_eq!(a.status, "已填报，没有需要保存的修改");
    assert!(a.confirm.is_none());
    type_into(&mut a, ChecklistField::TargetSub, "（补充）");
    ctrl(&mut a, 's');
    let q = a.confirm.as_ref().expect("asked first").question.clone();
    assert!(
        q.contains("已填报。保存修改后它回到“完整”，需要再次填报（Ctrl-t）"),
        "{q}"
    );
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("按 y 保存并需重新填报"), "{s}");
    press(&mut a, 'n');
    assert_eq!(a.status, "已取消，未做任何改动");
    assert_eq!(saved_fields(&a, sub).unwrap().state, ChecklistState::Filed);
    assert!(a.form.as_ref().unwrap().dirty, "the edit is still there");

    ctrl(&mut a, 's');
    press(&mut a, 'y');
    assert!(
        a.status.starts_with("已保存：完整") && a.status.contains("需要再次填报（Ctrl-t）"),
        "{}",
        a.status
    );
    let row = saved_fields(&a, sub).unwrap();
    assert_eq!(row.state, ChecklistState::Complete);
    assert!(row.fields.target_sub.ends_with("（补充）"));
    // Filing again is one key, with no question.
    ctrl(&mut a, 't');
    assert_eq!(a.status, "已填报");
    assert_eq!(saved_fields(&a, sub).unwrap().state, ChecklistState::Filed);

    // Leaving a changed filed checklist says so in the question as well.
    type_into(&mut a, ChecklistField::TargetSub, "再改");
    key(&mut a, KeyCode::Esc);
    assert!(
        a.confirm
            .as_ref()
            .is_some_and(|c| c.question.contains("这份清单已填报：保存后回到“完整”")),
        "{:?}",
        a.confirm
    );
}

#[test]
fn ctrl_a_marks_only_what_the_filters_show_and_bulk_questions_count_the_unseen() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "zhangwei");
    let search = |a: &mut App| {
        press(a, '/');
        settle(a);
        // The box keeps the last query.
        if a.search.as_ref().unwrap().input.value().is_empty() {
            a.on_paste("监督检查");
        }
        settle(a);
        ctrl(a, 'a');
        assert!(!a.search_open);
    };
    // No filter: every match is marked, all under collapsed rows.
    search(&mut a);
    let all = a.tree.picked_count();
    assert!(all > 1, "{}", a.status);
    assert!(
        a.status
            .starts_with(&format!("搜索“监督检查”匹配 {all} 个子项；新标记 {all} 项")),
        "{}",
        a.status
    );
    press(&mut a, 'e');
    let q = a
        .confirm
        .as_ref()
        .expect("more than one row: asked")
        .question
        .clone();
    assert!(q.contains(&format!("已标记的 {all} 个子项")), "{q}");
    assert!(
        q.contains(&format!(
            "其中 {all} 项目录中现在看不到（{all} 项在收起的行下）"
        )),
        "{q}"
    );
    press(&mut a, 'n');
    assert_eq!(a.status, "已取消，未做任何改动");

    // 本单位已认领 on: the claimed matches show, the rest are filtered out.
    let claimed: Vec<i64> = a.tree.marks.claims.keys().copied().collect();
    press(&mut a, 'm');
    press(&mut a, 'C');
    let q = a.confirm.as_ref().unwrap().question.clone();
    let (shown, _) = a.tree.passing(&a.tree.targets().0);
    let hidden = all - shown.len();
    assert!(hidden > 0 && !shown.is_empty(), "{q}");
    assert!(q.contains(&format!("{hidden} 项被筛选隐藏")), "{q}");
    press(&mut a, 'n');

    // Ctrl-A with the filter on marks only the shown matches.
    press(&mut a, 'A');
    search(&mut a);
    let n = a.tree.picked_count();
    assert_eq!(n, shown.len());
    assert!(
        a.status.starts_with(&format!(
            "搜索“监督检查”匹配 {all} 个子项，其中 {hidden} 个被筛选隐藏、未标记；新标记 {n} 项"
        )),
        "{}",
        a.status
    );
    assert!(a.tree.targets().0.iter().all(|id| claimed.contains(id)));
    press(&mut a, 'C');
    let q = a.confirm.as_ref().unwrap().question.clone();
    assert!(
        q.contains(&format!("这 {n} 项都在目录当前显示的行中")),
        "{q}"
    );
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("按 y 确认"), "{s}");
}

/// Lets the search worker answer.
fn settle(app: &mut App) {
    for _ in 0..300 {
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
fn the_methods_picker_moves_with_j_and_k_and_space_ticks_different_boxes() {
    use jianguan::domain::enums::INSPECTION_METHODS as M;
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "zhangwei");
    let sub = row_in(&mut a, Some(ChecklistState::Draft));
    open_form(&mut a, sub);
    go_to_field(&mut a, ChecklistField::Methods);
    let before = a.form.as_ref().unwrap().fields.methods.clone();
    key(&mut a, KeyCode::Enter);
    assert!(screen(&mut a, 80, 24).contains("j/k 移动，Space 勾选"));
    // Space j j j Space: the first and the fourth box change.
    press(&mut a, ' ');
    for _ in 0..3 {
        press(&mut a, 'j');
    }
    press(&mut a, ' ');
    let toggled = |list: &[String], i: usize| list.iter().any(|m| m == M[i]);
    let after = a.form.as_ref().unwrap().fields.methods.clone();
    assert_ne!(toggled(&after, 0), toggled(&before, 0), "{after:?}");
    assert_ne!(toggled(&after, 3), toggled(&before, 3), "{after:?}");
    assert_eq!(toggled(&after, 1), toggled(&before, 1), "{after:?}");
    // k and the arrows move the same way.
    press(&mut a, 'k');
    key(&mut a, KeyCode::Up);
    press(&mut a, ' ');
    let again = a.form.as_ref().unwrap().fields.methods.clone();
    assert_ne!(toggled(&again, 1), toggled(&after, 1), "{again:?}");
    // On the check boxes `?` is the help, as the footer says; on the 其他
    // line it is typed, and the footer offers F1 alone.
    assert!(screen(&mut a, 80, 24).contains("?/F1 帮助"));
    press(&mut a, '?');
    assert!(a.help);
    key(&mut a, KeyCode::Esc);
    assert!(!a.help && a.form.as_ref().unwrap().editing());
    for _ in 0..M.len() {
        key(&mut a, KeyCode::Down);
    }
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("F1 帮助") && !s.contains("?/F1"), "{s}");
    press(&mut a, '?');
    assert!(!a.help);
    assert!(
        a.form
            .as_ref()
            .unwrap()
            .fields
            .methods
            .iter()
            .any(|m| m.contains('?')),
        "typed into 其他"
    );
    key(&mut a, KeyCode::Esc);
    assert!(!a.form.as_ref().unwrap().editing());
}

#[test]
fn a_new_checklist_starts_from_the_catalogue_marked_until_looked_at() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "zhangwei");
    let sub = row_in(&mut a, None);
    let item = jianguan::app::views::item(&a.store, sub).unwrap().sub;
    assert_eq!(item.measures, "现场检查、书面检查、抽样检测", "the demo's");
    open_form(&mut a, sub);
    let f = a.form.as_ref().unwrap();
    assert_eq!(f.fields.target_main, item.target);
    assert_eq!(f.fields.inspection_kind, Some(InspectionKind::OnSite));
    assert_eq!(f.fields.methods, vec!["书面检查", "抽样检测"]);
    assert_eq!(f.fields.subject_name, "郑州市市场监督管理局");
    assert_eq!(
        f.from_catalogue,
        vec![
            ChecklistField::TargetMain,
            ChecklistField::InspectionKind,
            ChecklistField::Methods
        ]
    );
    assert!(!f.dirty, "a prefill is not an edit");
    let s = screen(&mut a, 120, 60);
    assert_eq!(s.matches("来自目录，请确认").count(), 3, "{s}");
    assert!(s.contains("- 未开始"), "{s}");
    assert!(!s.contains("草稿"), "{s}");

    // The cursor (on 委托部门名称) goes down past 监管对象主项 only.
    for _ in 0..3 {
        press(&mut a, 'j');
    }
    assert_eq!(a.form.as_ref().unwrap().field(), ChecklistField::TargetSub);
    let s = screen(&mut a, 120, 60);
    assert_eq!(s.matches("来自目录，请确认").count(), 2, "{s}");
    assert_eq!(
        a.form.as_ref().unwrap().from_catalogue,
        vec![ChecklistField::InspectionKind, ChecklistField::Methods]
    );
    // Opening and looking is not a change: no draft, no question, still 未开始.
    assert!(!draft_offered(&mut a));
    key(&mut a, KeyCode::Esc);
    assert!(a.form.is_none() && a.confirm.is_none());
    assert!(saved_fields(&a, sub).is_none());

    // A change keeps a draft that remembers what is still to confirm.
    open_form(&mut a, sub);
    type_into(&mut a, ChecklistField::TargetSub, "乳制品生产企业");
    let path = a.store.path().to_path_buf();
    drop(a);
    let store = open(&path);
    let zhangwei = actor(&store, "zhangwei");
    let mut b = App::new(store, Some(zhangwei), Keymap::defaults(), "张伟".into()).unwrap();
    b.drafts_dir = Some(dir.path().join("drafts"));
    b.offer_draft();
    press(&mut b, 'y');
    let f = b.form.as_ref().unwrap();
    assert_eq!(f.fields.target_sub, "乳制品生产企业");
    assert_eq!(
        f.from_catalogue,
        vec![ChecklistField::InspectionKind, ChecklistField::Methods]
    );
    // Saved: the values are the operator's now, the marks gone.
    ctrl(&mut b, 's');
    assert!(
        b.status.contains("其中 2 项取自目录，未逐项确认"),
        "{}",
        b.status
    );
    assert!(b.form.as_ref().unwrap().from_catalogue.is_empty());
    let row = saved_fields(&b, sub).unwrap();
    assert_eq!(row.fields.methods, vec!["书面检查", "抽样检测"]);
    assert_eq!(row.fields.inspection_kind, Some(InspectionKind::OnSite));
}

#[test]
fn next_stops_at_unstarted_and_drafts_before_complete_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "zhangwei");
    press(&mut a, '3');
    let rows = a.checklists.as_ref().unwrap().rows.clone();
    let todo = rows
        .iter()
        .filter(|r| {
            matches!(
                r.checklist.as_ref().map(|c| c.state),
                None | Some(ChecklistState::Draft)
            )
        })
        .count();
    assert!(todo > 1);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..todo {
        press(&mut a, ']');
        let id = a.form.as_ref().unwrap().sub_item_id;
        let row = rows.iter().find(|r| r.sub_item_id == id).unwrap();
        let state = row.checklist.as_ref().map(|c| c.state);
        assert!(
            matches!(state, None | Some(ChecklistState::Draft)),
            "{state:?}: {}",
            a.status
        );
        assert_eq!(
            a.status,
            format!("下一份：{}", ChecklistState::label_of(state))
        );
        seen.insert(id);
    }
    assert_eq!(seen.len(), todo, "each one once");
}

#[test]
fn the_local_item_editor_asks_before_unsaved_edits_go() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "lina");
    press(&mut a, 'L');
    press(&mut a, 'n');
    // Nothing typed: Esc closes at once.
    key(&mut a, KeyCode::Esc);
    assert!(a.editor.is_none());
    press(&mut a, 'n');
    key(&mut a, KeyCode::Enter);
    a.on_paste("对户外招牌设置的行政检查");
    key(&mut a, KeyCode::Enter);
    for leave in [KeyCode::Esc, KeyCode::Char('q')] {
        key(&mut a, leave);
        assert!(a.editor.as_ref().is_some_and(|e| e.asking()));
        let s = screen(&mut a, 80, 24);
        assert!(s.contains("按 s 保存，d 放弃修改"), "{s}");
        // Anything else stays, the text kept.
        press(&mut a, 'j');
        let e = a.editor.as_ref().expect("still editing");
        assert!(!e.asking() && e.dirty);
        assert_eq!(e.input.name, "对户外招牌设置的行政检查");
        assert!(a.status.starts_with("留在编辑中"), "{}", a.status);
    }
    // s with a save that is refused keeps the editor and says why.
    ctrl(&mut a, 'c');
    press(&mut a, 's');
    assert!(a.status.contains("子项名称不能为空"), "{}", a.status);
    assert!(a.editor.as_ref().is_some_and(|e| e.dirty));
    // Sub-item 1's name (five rows down), then s saves (as a draft with
    // problems still to solve) and closes.
    for _ in 0..5 {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    a.on_paste("对户外招牌设置的监督检查");
    key(&mut a, KeyCode::Enter);
    // The refusal stays on the status line until Esc acknowledges it.
    assert!(a.status.contains("子项名称不能为空"), "{}", a.status);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    press(&mut a, 's');
    assert!(a.editor.is_none(), "{}", a.status);
    assert!(a.status.starts_with("已保存为草稿"), "{}", a.status);
    // d discards.
    press(&mut a, 'n');
    key(&mut a, KeyCode::Enter);
    a.on_paste("不要的事项");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Esc);
    press(&mut a, 'd');
    assert!(a.editor.is_none());
    let names: Vec<String> =
        jianguan::app::views::local_items(&a.store, a.actor.as_ref(), None, None)
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
    assert!(
        names.iter().any(|n| n == "对户外招牌设置的行政检查"),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n == "不要的事项"), "{names:?}");
}

#[test]
fn with_nothing_left_to_fill_next_goes_to_a_complete_one_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "next.db");
    let store = open(&db);
    let zhangwei = actor(&store, "zhangwei");
    let unit = zhangwei.effective().unit_id;
    // As if every checklist were filled in: the unstarted ones not
    // exercised, the drafts completed.
    store
        .conn()
        .execute_batch(&format!(
            "UPDATE claims SET exercised = 0 WHERE unit_id = {unit} AND NOT EXISTS
               (SELECT 1 FROM checklists c WHERE c.unit_id = {unit}
                  AND c.sub_item_id = claims.sub_item_id);
             UPDATE checklists SET state = 'complete' WHERE unit_id = {unit} AND state = 'draft';"
        ))
        .unwrap();
    let mut a = App::new(store, Some(zhangwei), Keymap::defaults(), "张伟".into()).unwrap();
    a.finish_loading();
    a.drafts_dir = None;
    press(&mut a, '3');
    press(&mut a, ']');
    let id = a.form.as_ref().expect("a complete one opens").sub_item_id;
    let row = a
        .checklists
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .find(|r| r.sub_item_id == id)
        .unwrap();
    assert_eq!(
        row.checklist.as_ref().map(|c| c.state),
        Some(ChecklistState::Complete)
    );
    assert_eq!(
        a.status,
        "下一份：完整（未开始和草稿的都已填完；按 Ctrl-t 填报）"
    );
}

#[test]
fn drafts_are_written_at_most_once_a_second_and_whole_at_exit() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "zhangwei");
    let sub = row_in(&mut a, None);
    open_form(&mut a, sub);
    let draft_text = || {
        let files: Vec<_> = std::fs::read_dir(dir.path().join("drafts"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        std::fs::read_to_string(&files[0]).unwrap()
    };
    // The first change is written at once; one right after it waits.
    type_into(&mut a, ChecklistField::TargetSub, "第一次");
    assert!(draft_text().contains("第一次"));
    type_into(&mut a, ChecklistField::TargetSub, "第二次");
    assert!(!draft_text().contains("第二次"));
    // The loop's exit (quit, hang-up, signal) writes what is pending.
    a.flush_draft(true);
    assert!(draft_text().contains("第二次"));
}

#[test]
fn a_second_session_of_the_account_neither_offers_nor_overwrites_the_first_ones_draft() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), "zhangwei");
    a.offer_draft();
    let sub = row_in(&mut a, None);
    open_form(&mut a, sub);
    type_into(&mut a, ChecklistField::TargetSub, "第一个会话正在输入");
    let path = a.store.path().to_path_buf();

    // The same account starts again while the first session still runs.
    let store = open(&path);
    let zhangwei = actor(&store, "zhangwei");
    let mut b = App::new(store, Some(zhangwei), Keymap::defaults(), "张伟".into()).unwrap();
    b.drafts_dir = Some(dir.path().join("drafts"));
    b.offer_draft();
    assert!(
        b.confirm.is_none(),
        "the running session's draft is not offered"
    );
    assert!(b.status.contains("另一个会话正在使用"), "{}", b.status);
    assert!(b.drafts_dir.is_none());

    // Once the first session has gone, its draft is offered.
    drop(a);
    drop(b);
    let store = open(&path);
    let zhangwei = actor(&store, "zhangwei");
    let mut c = App::new(store, Some(zhangwei), Keymap::defaults(), "张伟".into()).unwrap();
    c.drafts_dir = Some(dir.path().join("drafts"));
    c.offer_draft();
    assert!(c.confirm.is_some(), "{}", c.status);
}
