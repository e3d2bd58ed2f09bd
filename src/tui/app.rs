//! The TUI's state and `update`: actions in, state changes (and service
//! calls) out. Drawing is in `draw.rs`.

use super::action::Action;
use super::keymap::Keymap;
use super::panes::basis::{self, BasisView};
use super::panes::progress::{self, ProgressView};
use super::panes::search::{self, SearchBox};
use super::panes::tree::CatalogueTree;
use crate::app::views::{self, ItemDetails};
use crate::app::{Actor, AppError};
use crate::domain::{Checklist, Id, Role};
use crate::store::Store;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

mod claiming;
mod filling;
mod locate;
mod reviewing;
pub use claiming::{Op, Pending};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Tree,
    Item,
    Checklist,
    Progress,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Tree, Pane::Item, Pane::Checklist, Pane::Progress];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Tree => "事项目录",
            Pane::Item => "事项详情",
            Pane::Checklist => "检查实施清单",
            Pane::Progress => "进度",
        }
    }

    pub fn focus_action(self) -> Action {
        match self {
            Pane::Tree => Action::FocusTree,
            Pane::Item => Action::FocusItem,
            Pane::Checklist => Action::FocusChecklist,
            Pane::Progress => Action::FocusProgress,
        }
    }
}

pub struct App {
    pub store: Store,
    pub actor: Option<Actor>,
    pub keymap: Keymap,
    pub tree: CatalogueTree,
    pub progress: Option<ProgressView>,
    /// The search overlay, once opened (its worker keeps the index).
    pub search: Option<SearchBox>,
    pub search_open: bool,
    /// The legal-basis lookup overlay.
    pub basis: Option<BasisView>,
    pub focus: Pane,
    pub status: String,
    pub help: bool,
    /// First row of the help shown (a help taller than the screen scrolls).
    pub help_scroll: usize,
    pub quit: bool,
    pub mouse: bool,
    /// Scroll of the item and checklist panes.
    pub detail_scroll: u16,
    /// The title line's account description.
    pub who: String,
    /// `init --demo` made the database: the title line says 演示数据.
    pub demo: bool,
    /// The unit's 认领完成 and claiming deadline, for the title line.
    pub claiming: Option<views::ClaimingState>,
    /// A bulk action waiting for the user's yes.
    pub confirm: Option<Pending>,
    /// This session's undoable claim actions, newest last.
    undo: Vec<claiming::Done>,
    /// The unit's required checklists (the checklist pane's list).
    pub checklists: Option<super::panes::checklists::ChecklistList>,
    /// The checklist being filled.
    pub form: Option<super::form::ChecklistForm>,
    /// Field-by-field choice after a lost race or an upper-level change.
    pub choose: Option<super::form::choose::Choose>,
    pub reuse: Option<super::form::pickers::ReusePicker>,
    pub bulk: Option<super::form::pickers::BulkPrompt>,
    /// Local items and their review (overlay).
    pub local: Option<super::panes::local::LocalView>,
    /// A local item being compiled (over the local items overlay).
    pub editor: Option<super::form::local_editor::LocalEditor>,
    /// 单位与账号 (overlay, read-only).
    pub units: Option<super::panes::units::UnitsView>,
    /// Where drafts of the form are kept (None: not kept).
    pub drafts_dir: Option<std::path::PathBuf>,
    /// The form changed since its draft was last written, and when that
    /// was: drafts are written at most once a second (a paste of thousands
    /// of characters must not be thousands of synced files), and at exit.
    draft_pending: bool,
    draft_written: Option<std::time::Instant>,
    /// This session's hold on its draft file (see `draft::lock`).
    draft_lock: Option<super::form::draft::DraftLock>,
    details: Option<(Id, ItemDetails)>,
    checklist: Option<(Id, Option<Checklist>)>,
    data_version: i64,
    /// The catalogue as last read, to tell whether it must be read again.
    catalogue_stamp: Option<(i64, i64, i64)>,
    /// The whole tree being read on another thread.
    loading: Option<std::sync::mpsc::Receiver<Loaded>>,
    /// Wakes the event loop when background work is done.
    waker: super::wake::Waker,
}

fn tree_of(store: &Store, actor: Option<&Actor>) -> Result<CatalogueTree, AppError> {
    let data = views::tree(store, actor)?;
    Ok(CatalogueTree::new(
        data.rows,
        data.marks,
        data.show_classified,
    ))
}

/// A catalogue read on another thread: None when its stamp was still the
/// one the caller had.
type Loaded = Result<Option<((i64, i64, i64), CatalogueTree)>, String>;

/// Reads the catalogue stamp and, when it differs from `known`, the whole
/// tree, on a connection of its own, off the UI thread.
fn load_tree(
    store: &Store,
    actor: Option<&Actor>,
    known: Option<(i64, i64, i64)>,
    waker: super::wake::Waker,
) -> std::sync::mpsc::Receiver<Loaded> {
    let (send, receive) = std::sync::mpsc::channel();
    let second = views::another_connection(store);
    let actor = actor.cloned();
    std::thread::spawn(move || {
        let load = || -> Result<_, AppError> {
            let s = second?;
            let stamp = views::catalogue_stamp(&s)?;
            if Some(stamp) == known {
                return Ok(None);
            }
            Ok(Some((stamp, tree_of(&s, actor.as_ref())?)))
        };
        let _ = send.send(load().map_err(|e| e.to_string()));
        waker.wake();
    });
    receive
}

impl App {
    /// Ready to draw at once: the departments come from one small query,
    /// the items are read on another thread (see `pump`).
    pub fn new(
        store: Store,
        actor: Option<Actor>,
        keymap: Keymap,
        who: String,
    ) -> Result<App, AppError> {
        let tree = CatalogueTree::departments_only(views::departments(&store)?);
        let waker = super::wake::Waker::default();
        let loading = Some(load_tree(&store, actor.as_ref(), None, waker.clone()));
        let data_version = store.data_version()?;
        let demo = views::is_demo(&store)?;
        let claiming = match &actor {
            Some(a) => Some(views::claiming_state(&store, a.effective().unit_id)?),
            None => None,
        };
        let mut app = App {
            store,
            actor,
            keymap,
            tree,
            progress: None,
            search: None,
            search_open: false,
            basis: None,
            focus: Pane::Tree,
            status: String::new(),
            help: false,
            help_scroll: 0,
            quit: false,
            mouse: false,
            detail_scroll: 0,
            who,
            demo,
            claiming,
            confirm: None,
            undo: Vec::new(),
            checklists: None,
            form: None,
            choose: None,
            reuse: None,
            bulk: None,
            local: None,
            editor: None,
            units: None,
            drafts_dir: super::form::draft::default_dir(),
            draft_pending: false,
            draft_written: None,
            draft_lock: None,
            details: None,
            checklist: None,
            data_version,
            catalogue_stamp: None,
            loading,
            waker,
        };
        // A config.toml the look could not use says so.
        if let Some(w) = &super::theme::config().warning {
            app.status = w.clone();
        }
        // A draft left by a dropped session is offered before anything else.
        app.offer_draft();
        Ok(app)
    }

    /// What the event loop polls to hear that background work is done
    /// (the catalogue read, search answers); once per app.
    pub fn alarm(&self) -> std::io::Result<super::wake::Alarm> {
        self.waker.bind()
    }

    /// Waits until the tree is read (tests, benchmarks).
    pub fn finish_loading(&mut self) {
        if let Some(rx) = self.loading.take() {
            match rx.recv() {
                Ok(result) => {
                    self.take_loaded(result);
                }
                Err(_) => self.status = "读取事项目录的线程意外结束".into(),
            }
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        if self.confirm.is_some() {
            self.answer_key(key);
            return;
        }
        if self.help {
            self.help_key(key);
            return;
        }
        // An error stays until acknowledged: Esc does only that.
        if key.code == KeyCode::Esc
            && super::theme::Tone::of(&self.status) == super::theme::Tone::Error
        {
            self.status.clear();
            return;
        }
        // The help shows the message in full: opening it keeps it.
        if super::help::opens_help(self, key) {
            self.help = true;
            return;
        }
        // A message lasts until the next key; an error until Esc (or a new
        // message) — the key still does its own work.
        if super::theme::Tone::of(&self.status) != super::theme::Tone::Error {
            self.status.clear();
        }
        if let Some(view) = &mut self.units {
            // Read-only: keys move and expand; Esc, q or its own key close.
            match (key.code, self.keymap.action_for(key)) {
                (KeyCode::Esc, _) | (_, Some(Action::Quit | Action::Units)) => self.units = None,
                (_, Some(action)) => view.handle(action),
                (_, None) => {}
            }
            return;
        }
        if let Some(view) = &mut self.basis {
            match view.on_key(key) {
                basis::Outcome::Stay => {}
                basis::Outcome::Close => self.basis = None,
                basis::Outcome::Jump(id) => {
                    self.basis = None;
                    self.jump_to(id);
                }
            }
            return;
        }
        if self.editor.is_some() {
            self.editor_key(key);
            return;
        }
        if self.local.is_some() {
            self.local_key(key);
            return;
        }
        if self.checklist_key(key) {
            return;
        }
        if self.focus == Pane::Progress
            && let Some(p) = &mut self.progress
        {
            let may_edit = self.actor.as_ref().is_some_and(|a| {
                matches!(a.effective().role, Role::Coordinator | Role::PlatformAdmin)
            });
            let (taken, outcome) = p.on_key(key, may_edit);
            if taken {
                self.progress_outcome(outcome);
                return;
            }
        }
        if self.search_open
            && let Some(search) = &mut self.search
        {
            match search.on_key(key) {
                search::Outcome::Stay => {}
                search::Outcome::Close => self.search_open = false,
                search::Outcome::Open(kind, id, text) => self.go_to_hit(kind, id, &text),
                search::Outcome::Pick(query, ids, near) => {
                    self.search_open = false;
                    self.focus = Pane::Tree;
                    // Only what the tree's filters show: a mark the
                    // operator cannot see is a claim they did not mean.
                    let (shown, hidden) = self.tree.passing(&ids);
                    let matched = shown.len() + hidden;
                    let added = self.tree.pick_ids(shown);
                    let left = if hidden > 0 {
                        format!("，其中 {hidden} 个被筛选隐藏、未标记")
                    } else {
                        String::new()
                    };
                    let near = if near > 0 {
                        format!("（另有近似结果 {near} 条，不标记）")
                    } else {
                        String::new()
                    };
                    self.status = format!(
                        "搜索“{query}”匹配 {matched} 个子项{left}{near}；新标记 {added} 项，共标记 {} 项",
                        self.tree.picked_count()
                    );
                }
            }
            return;
        }
        match self.keymap.action_for(key) {
            Some(action) => self.update(action),
            None => {
                self.status = format!(
                    "没有绑定这个按键（按 {} 查看本窗格可用的按键）",
                    self.keymap.keys_of(Action::Help)
                )
            }
        }
    }

    pub fn update(&mut self, action: Action) {
        // What the focused pane does not answer is explained, not ignored.
        if let Some(why) = super::help::why_not(self, action) {
            self.status = why;
            return;
        }
        match action {
            Action::Quit => self.request_quit(),
            Action::Help => self.help = true,
            Action::NextPane | Action::PrevPane => {
                let i = Pane::ALL.iter().position(|p| *p == self.focus).unwrap_or(0);
                let next = if action == Action::NextPane {
                    i + 1
                } else {
                    i + Pane::ALL.len() - 1
                };
                self.focus_on(Pane::ALL[next % Pane::ALL.len()]);
            }
            Action::FocusTree => self.focus_on(Pane::Tree),
            Action::FocusItem => self.focus_on(Pane::Item),
            Action::FocusChecklist => {
                self.focus_on(Pane::Checklist);
                self.enter_checklists();
            }
            Action::FocusProgress => self.focus_on(Pane::Progress),
            Action::Search => self.open_search(),
            Action::Claim | Action::Unclaim | Action::ToggleExercised
                if self.focus != Pane::Checklist =>
            {
                self.bulk(action)
            }
            Action::FinishClaiming => self.finish(),
            Action::LocalItems => self.open_local(),
            Action::Units => self.open_units(),
            Action::FilterSuggested if self.focus == Pane::Tree => self.filter_suggested(),
            Action::Undo => self.undo_last(),
            Action::ToggleMouse => {
                self.mouse = !self.mouse;
                self.status = if self.mouse {
                    "鼠标已开启".into()
                } else {
                    "鼠标已关闭（可用终端复制文字）".into()
                };
            }
            other => match self.focus {
                Pane::Tree => {
                    if let Some(msg) = self.tree.handle(other) {
                        self.status = msg;
                    }
                    self.detail_scroll = 0;
                }
                Pane::Checklist if self.actor.is_some() => self.checklist_action(other),
                Pane::Item if other == Action::Toggle => self.edit_selected_local(),
                Pane::Item | Pane::Checklist => match other {
                    Action::Up => self.detail_scroll = self.detail_scroll.saturating_sub(1),
                    Action::Down => self.detail_scroll = self.detail_scroll.saturating_add(1),
                    Action::PageUp => self.detail_scroll = self.detail_scroll.saturating_sub(10),
                    Action::PageDown => self.detail_scroll = self.detail_scroll.saturating_add(10),
                    Action::Top => self.detail_scroll = 0,
                    _ => {}
                },
                Pane::Progress => {
                    if other == Action::Milestones {
                        match views::milestones(&self.store) {
                            Ok(items) => {
                                if let Some(p) = &mut self.progress {
                                    p.open_milestones(items);
                                }
                            }
                            Err(e) => self.status = format!("无法读取时间节点：{e}"),
                        }
                    } else if let Some(p) = &mut self.progress {
                        let outcome = p.handle(other);
                        self.progress_outcome(outcome);
                    }
                }
            },
        }
    }

    /// Opens the search box; the first time, its worker starts building the
    /// index on its own connection.
    pub(super) fn open_search(&mut self) {
        if self.search.is_none() {
            let second = views::another_connection(&self.store);
            let actor = self.actor.clone();
            let waker = self.waker.clone();
            let worker = crate::search::worker::SearchWorker::spawn_waking(
                move || {
                    let s = second.map_err(|e| e.to_string())?;
                    let index =
                        views::search_index(&s, actor.as_ref()).map_err(|e| e.to_string())?;
                    Ok((index, Some(s)))
                },
                move || waker.wake(),
            );
            self.search = Some(SearchBox::new(worker));
        } else if let Some(s) = &mut self.search {
            s.reopen();
        }
        self.search_open = true;
    }

    /// Pasted text goes into the open search box or the field being edited.
    pub fn on_paste(&mut self, text: &str) {
        if self.local_paste(text) {
            return;
        }
        if self.focus == Pane::Progress && self.progress.as_mut().is_some_and(|p| p.on_paste(text))
        {
            return;
        }
        if !self.search_open && self.checklist_paste(text) {
            return;
        }
        match &mut self.search {
            Some(s) if self.search_open => s.on_paste(text),
            _ => {
                self.status = format!(
                    "已粘贴 {} 个字符（当前窗格没有输入框）",
                    text.chars().count()
                )
            }
        }
    }

    /// Puts a freshly read catalogue in place; true when it changed.
    fn take_loaded(&mut self, result: Loaded) -> bool {
        match result {
            Ok(None) => false,
            Ok(Some((stamp, tree))) => {
                self.catalogue_stamp = Some(stamp);
                self.tree.reload(tree);
                self.details = None;
                self.checklist = None;
                true
            }
            Err(e) => {
                self.status = format!("无法读取事项目录：{e}");
                true
            }
        }
    }

    /// Takes what background work has finished; true when the screen changes.
    pub fn pump(&mut self) -> bool {
        let mut changed = self.search.as_mut().is_some_and(|s| s.pump());
        if let Some(rx) = &self.loading {
            match rx.try_recv() {
                Ok(result) => {
                    self.loading = None;
                    changed |= self.take_loaded(result);
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.loading = None;
                    self.status = "读取事项目录的线程意外结束".into();
                    changed = true;
                }
            }
        }
        changed
    }

    /// Shows a sub-item in the tree, clearing filters that would hide it.
    pub fn jump_to(&mut self, sub_id: Id) {
        let found = self.select_in_tree(|t| t.select_sub(sub_id));
        self.focus = Pane::Tree;
        self.status = match (found, self.tree.selected_sub()) {
            (Some(cleared), Some(s)) => {
                format!(
                    "已定位：{} {}{}",
                    s.code,
                    s.name,
                    locate::cleared_note(&cleared)
                )
            }
            _ => "该事项不在目录中（可能为涉密事项）".into(),
        };
    }

    /// `U`: the units and accounts the account looks after; a role that
    /// may not see them is told so on the status line.
    fn open_units(&mut self) {
        match views::unit_overview(&self.store, self.actor.as_ref()) {
            Ok(rows) => {
                let view = super::panes::units::UnitsView::new(rows);
                self.status = view.summary();
                self.units = Some(view);
            }
            Err(e) => self.status = e.to_string(),
        }
    }

    /// `g`: the 建议认领 filter, with the suggestions read now; again: off.
    fn filter_suggested(&mut self) {
        if self.tree.filter.suggested {
            self.status = self.tree.filter_suggested(None);
            return;
        }
        if self.actor.is_none() {
            self.status = "只能浏览：没有账号，没有建议认领的事项".into();
            return;
        }
        match crate::app::suggest::for_actor(&self.store, self.actor.as_ref()) {
            Ok(list) => {
                let n = list.len();
                let map = list
                    .into_iter()
                    .map(|s| (s.sub_item_id, s.reason))
                    .collect();
                self.status = self.tree.filter_suggested(Some(map));
                if n == 0 {
                    self.status =
                        "没有建议认领的事项（对口部门、本单位审批的事项都已认领，或未设对口部门）"
                            .into();
                }
            }
            Err(e) => self.status = format!("无法读取建议认领：{e}"),
        }
    }

    /// The legal-basis lookup on one basis, its whole law a key away (w).
    pub fn open_basis(&mut self, basis_id: Id) {
        let read =
            views::basis(&self.store, self.actor.as_ref(), basis_id).and_then(|(b, items)| {
                let law =
                    crate::app::bases::law_sub_items(&self.store, self.actor.as_ref(), basis_id)?;
                Ok((b, items, law))
            });
        match read {
            Ok((b, items, law)) => self.basis = Some(BasisView::new(b, items, law)),
            Err(e) => self.status = format!("无法读取设定依据：{e}"),
        }
    }

    fn focus_on(&mut self, pane: Pane) {
        if self.asks_before_leaving(pane) {
            return;
        }
        self.focus = pane;
        self.detail_scroll = 0;
        if pane == Pane::Progress {
            match &self.progress {
                None => match Self::read_progress(&self.store) {
                    Ok((rows, trend)) => self.progress = Some(ProgressView::new(rows, trend)),
                    Err(e) => self.status = format!("无法读取进度：{e}"),
                },
                Some(p) if p.stale => self.reread_progress(),
                Some(_) => {}
            }
        }
    }

    /// The selected sub-item's details, read once per selection.
    pub fn details(&mut self) -> Option<&ItemDetails> {
        let id = self.tree.selected_sub()?.id;
        if self.details.as_ref().is_none_or(|(d, _)| *d != id) {
            match views::item(&self.store, id) {
                Ok(d) => self.details = Some((id, d)),
                Err(e) => {
                    self.status = format!("无法读取事项：{e}");
                    return None;
                }
            }
        }
        self.details.as_ref().map(|(_, d)| d)
    }

    /// The unit's checklist of the selected sub-item.
    pub fn checklist(&mut self) -> Option<&Checklist> {
        let id = self.tree.selected_sub()?.id;
        let unit = self.actor.as_ref()?.effective().unit_id;
        if self.checklist.as_ref().is_none_or(|(c, _)| *c != id) {
            match views::checklist(&self.store, unit, id) {
                Ok(c) => self.checklist = Some((id, c)),
                Err(e) => {
                    self.status = format!("无法读取检查实施清单：{e}");
                    return None;
                }
            }
        }
        self.checklist.as_ref().and_then(|(_, c)| c.as_ref())
    }

    /// Picks up what other operators committed (`PRAGMA data_version`),
    /// keeping selection and scroll. True when something changed.
    pub fn refresh_if_changed(&mut self) -> bool {
        let Ok(v) = self.store.data_version() else {
            return false;
        };
        if v == self.data_version {
            return false;
        }
        self.data_version = v;
        // The unit's own marks are few: read them now. The catalogue only
        // when it changed, and then off the UI thread.
        if self.actor.is_some() {
            match views::marks(&self.store, self.actor.as_ref()) {
                Ok(marks) => self.tree.set_marks(marks),
                Err(e) => self.status = format!("刷新失败：{e}"),
            }
        }
        if self.loading.is_none() {
            self.loading = Some(load_tree(
                &self.store,
                self.actor.as_ref(),
                self.catalogue_stamp,
                self.waker.clone(),
            ));
        }
        if let Some(a) = &self.actor {
            self.claiming = views::claiming_state(&self.store, a.effective().unit_id).ok();
        }
        self.forget_cached_item();
        self.reread_progress();
        // Kept while a reason is written: the reviewer's queue keeps up.
        if let Some(view) = &self.local {
            let shown = view.detail.as_ref().map(|d| d.row.main_item_id);
            self.reload_local_view(shown);
        }
        if let Some(view) = &mut self.units
            && let Ok(rows) = views::unit_overview(&self.store, self.actor.as_ref())
        {
            view.reload(rows);
        }
        true
    }

    /// The item and checklist panes read their data again when next drawn.
    fn forget_cached_item(&mut self) {
        self.details = None;
        self.checklist = None;
    }

    /// The progress table read again if it is on screen; otherwise marked
    /// stale and read when next shown (the whole table is too costly to
    /// read at every commit nobody is looking at).
    fn reread_progress(&mut self) {
        let shown = self.focus == Pane::Progress;
        let Some(p) = &mut self.progress else {
            return;
        };
        if !shown {
            p.stale = true;
            return;
        }
        if let Ok((rows, trend)) = Self::read_progress(&self.store) {
            p.refresh(rows, trend);
        }
    }

    /// The standings now and the city's last 14 days.
    fn read_progress(
        store: &Store,
    ) -> Result<(Vec<crate::app::progress::Standing>, Vec<u32>), AppError> {
        let now = crate::app::now();
        let rows = crate::app::progress::standings(store, now)?;
        let required = rows.iter().map(|r| r.figures.required).sum();
        let trend = crate::app::progress::daily_completion(store, now, 14, required)?;
        Ok((rows, trend))
    }

    /// An outcome of the progress pane.
    fn progress_outcome(&mut self, outcome: progress::Outcome) {
        match outcome {
            progress::Outcome::Stay => {}
            progress::Outcome::Say(msg) => self.status = msg,
            progress::Outcome::Drill(unit, name) => {
                match crate::app::progress::missing(&self.store, self.actor.as_ref(), unit) {
                    Ok(m) => {
                        if let Some(p) = &mut self.progress {
                            p.drill = Some((name, m));
                        }
                    }
                    Err(e) => self.status = format!("无法读取：{e}"),
                }
            }
            progress::Outcome::SetDue(key, due, version) => {
                let Some(actor) = self.actor.clone() else {
                    return;
                };
                match crate::app::milestones::set_due(&mut self.store, &actor, &key, due, version) {
                    Ok(m) => {
                        self.status = format!(
                            "“{}”已改为 {}",
                            m.name,
                            crate::domain::format_time(m.due_at)
                        );
                        if let (Some(p), Ok(items)) =
                            (&mut self.progress, views::milestones(&self.store))
                        {
                            p.open_milestones(items);
                        }
                        self.reread_progress();
                    }
                    Err(e) => self.status = format!("未做任何改动：{e}"),
                }
            }
        }
    }
}
