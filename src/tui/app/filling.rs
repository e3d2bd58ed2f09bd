//! Filling checklists from the checklist pane: the list of the unit's
//! required checklists, the form, saving (compare-and-swap, with the
//! field-by-field choice after a lost race), reuse of and re-sync with the
//! upper level, the bulk set of one field, and drafts kept while typing.
//! A new checklist starts from what the catalogue says; nothing typed is
//! lost by one key: leaving a form with unsaved edits asks first.

use super::claiming::{Leave, Op, Pending};
use super::{App, Pane};
use crate::app::checklists::{self, SaveRequest};
use crate::app::views;
use crate::app::{Actor, AppError};
use crate::domain::{ChecklistState, Id, format_time};
use crate::store::ConflictRow;
use crate::tui::action::Action;
use crate::tui::form::choose::{self, Choose, Purpose};
use crate::tui::form::draft::{self, Draft};
use crate::tui::form::pickers::{BulkPrompt, Picked, ReusePicker};
use crate::tui::form::{ChecklistForm, Outcome};
use crate::tui::panes::checklists::ChecklistList;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

impl App {
    /// The unit's required checklists, read when the pane is first shown
    /// and after each save.
    pub(super) fn load_checklists(&mut self) {
        let Some(actor) = &self.actor else {
            return;
        };
        match views::required_checklists(&self.store, actor.effective().unit_id) {
            Ok(rows) => match &mut self.checklists {
                Some(list) => list.reload(rows),
                None => self.checklists = Some(ChecklistList::new(rows)),
            },
            Err(e) => self.status = format!("无法读取检查实施清单：{e}"),
        }
    }

    /// Focus came to the checklist pane: the form of the tree's selected
    /// item when it needs one, else the list.
    pub(super) fn enter_checklists(&mut self) {
        if self.actor.is_none() {
            self.status = "没有账号：只能浏览".into();
            return;
        }
        self.load_checklists();
        if self.form.is_some() {
            return;
        }
        let selected = self.tree.selected_sub().map(|s| s.id);
        if let Some(id) = selected
            && self.checklists.as_mut().is_some_and(|l| l.select(id))
        {
            self.open_form(id);
        }
    }

    /// Opens the form of one of the unit's required checklists.
    pub(super) fn open_form(&mut self, sub_item_id: Id) {
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let Some(row) = self
            .checklists
            .as_ref()
            .and_then(|l| l.rows.iter().find(|r| r.sub_item_id == sub_item_id))
            .cloned()
        else {
            return;
        };
        let unit = match views::unit(&self.store, actor.effective().unit_id) {
            Ok(unit) => unit,
            Err(e) => {
                self.status = format!("无法读取本单位：{e}");
                return;
            }
        };
        let mut form = ChecklistForm::new(
            row.sub_item_id,
            row.sub_code.clone(),
            row.sub_name.clone(),
            unit.clone(),
            row.checklist.clone(),
        );
        match &row.checklist {
            Some(c) => form.upper = checklists::upper_update(&self.store, c).ok().flatten(),
            // Not started: what the catalogue already says, to confirm.
            None => match views::item(&self.store, row.sub_item_id) {
                Ok(d) => form.prefill(crate::domain::prefill::prefill(&d.sub, &unit)),
                Err(e) => self.status = format!("无法读取事项，表单未预填：{e}"),
            },
        }
        self.form = Some(form);
        self.focus = Pane::Checklist;
    }

    /// An action while the checklist pane has focus.
    pub(super) fn checklist_action(&mut self, action: Action) {
        match action {
            Action::Save => return self.save_form(false),
            Action::Submit => return self.save_form(true),
            Action::NextUnfinished => return self.next_unfinished(),
            Action::ReuseUpper => return self.reuse_or_sync(),
            Action::BulkSet => return self.start_bulk(),
            _ => {}
        }
        if let Some(form) = &mut self.form {
            let outcome = form.handle(action);
            self.after_form(outcome);
            return;
        }
        let Some(list) = &mut self.checklists else {
            return;
        };
        if action == Action::Toggle {
            if let Some(id) = list.selected().map(|r| r.sub_item_id) {
                self.open_form(id);
            }
        } else if let Some(msg) = list.handle(action) {
            self.status = msg;
        }
    }

    /// Raw keys the form or its overlays take before the keymap: true
    /// when taken.
    pub(super) fn checklist_key(&mut self, key: KeyEvent) -> bool {
        if let Some(c) = &mut self.choose {
            match c.on_key(key) {
                choose::Outcome::Stay => {}
                choose::Outcome::Cancel => {
                    self.choose = None;
                    self.status = "未作选择，表单保持原样".into();
                }
                choose::Outcome::Apply(taken) => self.apply_choice(taken),
            }
            return true;
        }
        if let Some(p) = &mut self.reuse {
            match p.on_key(key) {
                Picked::Stay => {}
                Picked::Cancel => self.reuse = None,
                Picked::Chosen(source) => {
                    self.reuse = None;
                    self.copy_from(source.id);
                }
            }
            return true;
        }
        if let Some(b) = &mut self.bulk {
            match b.on_key(key) {
                Picked::Stay => {}
                Picked::Cancel => self.bulk = None,
                Picked::Chosen((field, value)) => {
                    self.bulk = None;
                    self.bulk_set(field, &value);
                }
            }
            return true;
        }
        if self.focus != Pane::Checklist {
            return false;
        }
        let Some(form) = &mut self.form else {
            return false;
        };
        // Ctrl-c leaves the program even from inside a field (asking
        // first, like q outside one).
        let ctrl_quit = key.modifiers.contains(KeyModifiers::CONTROL)
            && self.keymap.action_for(key) == Some(Action::Quit);
        if form.editing() && !ctrl_quit {
            let outcome = form.on_key(key);
            self.after_form(outcome);
            return true;
        }
        if ctrl_quit {
            form.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            self.request_quit();
            return true;
        }
        if key.code == KeyCode::Esc {
            if form.dirty {
                self.ask_leave(Leave::Close);
            } else {
                self.form = None;
            }
            return true;
        }
        false
    }

    /// `q` / `Ctrl-c`: out of the program, asking first when the form has
    /// unsaved edits.
    pub(super) fn request_quit(&mut self) {
        if self.form.as_ref().is_some_and(|f| f.dirty) {
            self.ask_leave(Leave::Quit);
        } else {
            self.quit = true;
        }
    }

    /// True when leaving the checklist pane for `pane` must ask first (and
    /// the question is now shown).
    pub(super) fn asks_before_leaving(&mut self, pane: Pane) -> bool {
        let unsaved = self.form.as_ref().is_some_and(|f| f.dirty);
        if self.focus == Pane::Checklist && pane != Pane::Checklist && unsaved {
            self.ask_leave(Leave::Focus(pane));
            return true;
        }
        false
    }

    /// The save / discard / stay question for the open form.
    fn ask_leave(&mut self, to: Leave) {
        let Some(form) = &self.form else {
            return;
        };
        let filed = form
            .base
            .as_ref()
            .is_some_and(|b| b.state == ChecklistState::Filed);
        let refile = if filed {
            format!(
                "\n\n这份清单已填报：保存后回到“完整”，需要再次填报（{}）。",
                self.keymap.keys_of(Action::Submit)
            )
        } else {
            String::new()
        };
        let then = match to {
            Leave::Close => "回到列表",
            Leave::Quit => "退出",
            Leave::Focus(_) => "离开表单",
            Leave::Next => "转到下一份",
        };
        self.confirm = Some(Pending {
            question: format!(
                "“{}”的检查实施清单有未保存的修改。{refile}\n\n按 s 保存后{then}，d 放弃修改后{then}，Esc 或其他键留在表单",
                form.sub_name
            ),
            op: Op::Leave(to),
        });
    }

    /// s to the leave question: saved, then on where the operator was
    /// going; a refused save (a conflict, text that cannot be stored)
    /// keeps the form, saying why.
    pub(super) fn save_and_leave(&mut self, to: Leave) {
        if self.write_form(false) {
            self.leave(to);
        }
    }

    /// d to the leave question: the edits and their draft are dropped.
    pub(super) fn discard_and_leave(&mut self, to: Leave) {
        self.discard_draft();
        self.form = None;
        self.status = "已放弃未保存的修改".into();
        self.leave(to);
    }

    fn leave(&mut self, to: Leave) {
        match to {
            Leave::Close => self.form = None,
            Leave::Quit => self.quit = true,
            Leave::Focus(pane) => {
                self.focus_on(pane);
            }
            Leave::Next => self.next_unfinished(),
        }
    }

    /// Pasted text into the field being edited (or the bulk value).
    pub(super) fn checklist_paste(&mut self, text: &str) -> bool {
        if let Some(b) = &mut self.bulk {
            b.on_paste(text);
            return true;
        }
        match &mut self.form {
            Some(form) if self.focus == Pane::Checklist => {
                let outcome = form.on_paste(text);
                self.after_form(outcome);
                true
            }
            _ => false,
        }
    }

    fn after_form(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Stay => {}
            Outcome::Changed => self.keep_draft(),
            Outcome::Say(msg) => self.status = msg,
            Outcome::Close => self.form = None,
        }
    }

    /// Whose draft: the account, and the one it acts for (`--as`).
    fn login(&self) -> Option<String> {
        self.actor.as_ref().map(|a| match &a.acting_as {
            Some(other) => format!("{}-as-{}", a.real.login, other.login),
            None => a.real.login.clone(),
        })
    }

    /// Notes that the draft file is behind the form, and writes it when
    /// the last write is a second old.
    fn keep_draft(&mut self) {
        self.draft_pending = true;
        self.flush_draft(false);
    }

    /// Writes the draft if the form changed since it was last written:
    /// `now` at exit (quit, hang-up, signal), otherwise at most once a second.
    pub fn flush_draft(&mut self, now: bool) {
        if !self.draft_pending || self.form.is_none() {
            return;
        }
        let due = self
            .draft_written
            .is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(1));
        if !(now || due) {
            return;
        }
        self.draft_pending = false;
        self.draft_written = Some(std::time::Instant::now());
        self.write_draft();
    }

    /// Writes what the form holds to the draft file.
    fn write_draft(&mut self) {
        let (Some(dir), Some(login), Some(form)) = (&self.drafts_dir, self.login(), &self.form)
        else {
            return;
        };
        let d = Draft {
            sub_item_id: form.sub_item_id,
            sub_name: form.sub_name.clone(),
            base_version: form.expected_version,
            fields: form.fields.clone(),
            at: crate::app::now(),
            from_catalogue: form
                .from_catalogue
                .iter()
                .map(|f| f.label().to_string())
                .collect(),
        };
        if let Err(e) = draft::save(dir, self.store.path(), &login, &d) {
            self.status = format!("草稿无法写入 {}：{e}", dir.display());
        }
    }

    fn discard_draft(&mut self) {
        self.draft_pending = false;
        if let (Some(dir), Some(login)) = (&self.drafts_dir, self.login()) {
            draft::discard(dir, self.store.path(), &login);
        }
    }

    /// At start: a draft left by a dropped session.
    pub fn offer_draft(&mut self) {
        let (Some(dir), Some(login)) = (&self.drafts_dir, self.login()) else {
            return;
        };
        match draft::lock(dir, self.store.path(), &login) {
            Some(lock) => self.draft_lock = Some(lock),
            None => {
                // Another session of this account is running: its draft
                // is its own, and this session keeps none.
                self.drafts_dir = None;
                self.status =
                    "同一账号的另一个会话正在使用：本会话不保存草稿（未保存的修改请及时保存）"
                        .into();
                return;
            }
        }
        if let Some(d) = draft::load(dir, self.store.path(), &login) {
            self.confirm = Some(super::Pending {
                question: format!(
                    "发现上次未保存的草稿：“{}”的检查实施清单（{}）。\n\n按 y 恢复到表单，按 d 丢弃草稿",
                    d.sub_name,
                    format_time(d.at)
                ),
                op: super::Op::RestoreDraft(Box::new(d)),
            });
        }
    }

    /// Yes to the draft question: the form with the draft's values, still
    /// expecting the version it was typed over.
    pub(super) fn restore_draft(&mut self, d: Draft) {
        self.load_checklists();
        self.open_form(d.sub_item_id);
        match &mut self.form {
            Some(form) if form.sub_item_id == d.sub_item_id => {
                let unconfirmed = d.unconfirmed();
                form.replace_fields(d.fields);
                form.from_catalogue = unconfirmed;
                form.expected_version = d.base_version;
                self.status = format!("已恢复草稿：{}（尚未保存）", d.sub_name);
            }
            _ => {
                self.status = format!("草稿“{}”无法恢复：本单位已不再需要这份清单", d.sub_name);
                self.discard_draft();
            }
        }
    }

    pub(super) fn drop_draft(&mut self) {
        self.discard_draft();
        self.status = "已丢弃草稿".into();
    }

    /// Ctrl-s / Ctrl-t. A change to an 已填报 checklist returns it to 完整,
    /// so that save asks first.
    fn save_form(&mut self, submit: bool) {
        let Some(form) = &self.form else {
            self.status = "先打开一份清单（Enter）".into();
            return;
        };
        let filed = form
            .base
            .as_ref()
            .is_some_and(|b| b.state == ChecklistState::Filed);
        if filed && !submit {
            if !form.dirty {
                self.status = "已填报，没有需要保存的修改".into();
                return;
            }
            self.confirm = Some(Pending {
                question: format!(
                    "“{}”的检查实施清单已填报。保存修改后它回到“完整”，需要再次填报（{}）。\n\n按 y 保存并需重新填报，其他键取消",
                    form.sub_name,
                    self.keymap.keys_of(Action::Submit)
                ),
                op: Op::SaveFiled,
            });
            return;
        }
        self.write_form(submit);
    }

    /// Saves the form as it is; true when it was saved.
    pub(super) fn write_form(&mut self, submit: bool) -> bool {
        let (Some(actor), Some(form)) = (self.actor.clone(), &self.form) else {
            self.status = "先打开一份清单（Enter）".into();
            return false;
        };
        let was_filed = form
            .base
            .as_ref()
            .is_some_and(|b| b.state == ChecklistState::Filed);
        let unconfirmed = form.from_catalogue.len();
        let req = SaveRequest {
            sub_item_id: form.sub_item_id,
            fields: form.fields.without_inapplicable(),
            expected_version: form.expected_version,
            submit,
        };
        match checklists::save_checklist(&mut self.store, &actor, req) {
            Ok(saved) => {
                let c = saved.checklist;
                self.status = match (c.state, saved.errors.len()) {
                    (ChecklistState::Filed, _) => "已填报".to_string(),
                    (_, 0) => format!("已保存：{}（第 {} 版）", c.state.label(), c.version),
                    (_, n) => format!("已保存为草稿：还有 {n} 项未通过（第 {} 版）", c.version),
                };
                if was_filed && c.state != ChecklistState::Filed {
                    self.status.push_str(&format!(
                        "；需要再次填报（{}）",
                        self.keymap.keys_of(Action::Submit)
                    ));
                }
                if unconfirmed > 0 {
                    self.status
                        .push_str(&format!("；其中 {unconfirmed} 项取自目录，未逐项确认"));
                }
                if let Some(form) = &mut self.form {
                    form.expected_version = Some(c.version);
                    form.replace_fields(c.fields.clone());
                    form.dirty = false;
                    form.from_catalogue.clear();
                    form.base = Some(c);
                }
                self.discard_draft();
                self.after_save(&actor);
                true
            }
            Err(AppError::Conflict(conflict)) => {
                if let ConflictRow::Checklist(theirs) = conflict.current {
                    let label = format!(
                        "{}，{} 保存（第 {} 版）",
                        conflict.saved_by,
                        format_time(conflict.saved_at),
                        theirs.version
                    );
                    let (mine, base) = self
                        .form
                        .as_ref()
                        .map(|f| (f.fields.clone(), f.base.as_ref().map(|b| b.fields.clone())))
                        .unwrap_or_default();
                    self.choose = Some(Choose::conflict(theirs, label, &mine, base.as_ref()));
                    self.status = "保存冲突：别人先保存了这份清单，请逐项选择".into();
                }
                false
            }
            Err(AppError::InvalidFields(errors)) => {
                let first = errors.first().map(|e| e.to_string()).unwrap_or_default();
                let refused = if submit {
                    "不能填报"
                } else {
                    "不能保存"
                };
                self.status = format!("{refused}：{} 项未通过（{first}）", errors.len());
                false
            }
            Err(e) => {
                self.status = format!("保存失败，未做任何改动：{e}");
                false
            }
        }
    }

    /// After a write: the list, the tree's marks and the progress read
    /// again (our own commits do not change `data_version` for us).
    fn after_save(&mut self, actor: &Actor) {
        self.load_checklists();
        if let Ok(m) = views::marks(&self.store, Some(actor)) {
            self.tree.set_marks(m);
        }
        self.forget_cached_item();
        self.reread_progress();
    }

    fn apply_choice(&mut self, taken: Vec<crate::domain::ChecklistField>) {
        let Some(c) = self.choose.take() else {
            return;
        };
        match &c.purpose {
            Purpose::Conflict(theirs) => {
                let merged = c.merged();
                if let Some(form) = &mut self.form {
                    form.replace_fields(merged);
                    form.expected_version = Some(theirs.version);
                    form.base = Some((**theirs).clone());
                }
                self.keep_draft();
                self.status = format!("已合并（取对方 {} 项）：请检查后保存", taken.len());
            }
            Purpose::Upper(_) => self.resync(&taken),
        }
    }

    /// `]`: the next checklist still to fill in (未开始, 草稿), else the
    /// next 完整 one still to file; the status says which.
    fn next_unfinished(&mut self) {
        if self.form.as_ref().is_some_and(|f| f.dirty) {
            self.ask_leave(Leave::Next);
            return;
        }
        self.load_checklists();
        // Past the open form's own row, not the list's cursor.
        if let (Some(f), Some(l)) = (&self.form, &mut self.checklists) {
            l.select(f.sub_item_id);
        }
        let next = self.checklists.as_mut().and_then(|l| {
            l.next_unfinished()
                .map(|r| (r.sub_item_id, r.checklist.as_ref().map(|c| c.state)))
        });
        match next {
            Some((id, state)) => {
                self.form = None;
                self.open_form(id);
                let label = ChecklistState::label_of(state);
                self.status = if state == Some(ChecklistState::Complete) {
                    format!(
                        "下一份：{label}（未开始和草稿的都已填完；按 {} 填报）",
                        self.keymap.keys_of(Action::Submit)
                    )
                } else {
                    format!("下一份：{label}")
                };
            }
            None => self.status = "本单位的检查实施清单都已填报".into(),
        }
    }

    /// `r`: with 上级已更新, compare and re-sync; otherwise pick an upper
    /// level's checklist to copy.
    fn reuse_or_sync(&mut self) {
        let Some(form) = &self.form else {
            self.status = "先打开一份清单（Enter）".into();
            return;
        };
        if form.dirty {
            self.status = "有未保存的修改：先保存，再复用上级".into();
            return;
        }
        if let Some(up) = form.upper.clone() {
            let label = self.describe_checklist(&up);
            self.choose = Some(Choose::new(
                Purpose::Upper(Box::new(up)),
                label,
                &form.fields,
            ));
            return;
        }
        let Some(actor) = &self.actor else {
            return;
        };
        match checklists::reusable(&self.store, actor.effective().unit_id, form.sub_item_id) {
            Ok(found) if found.is_empty() => {
                self.status = "上级还没有完整或已填报的同一事项清单可复用".into()
            }
            Ok(found) => {
                let items = found
                    .into_iter()
                    .map(|c| {
                        let name = self.describe_checklist(&c);
                        (c, name)
                    })
                    .collect();
                self.reuse = Some(ReusePicker::new(items));
            }
            Err(e) => self.status = format!("无法读取上级清单：{e}"),
        }
    }

    fn describe_checklist(&self, c: &crate::domain::Checklist) -> String {
        views::unit_label(&self.store, c.unit_id)
            .map(|(name, _)| format!("{name}（第 {} 版）", c.version))
            .unwrap_or_default()
    }

    fn copy_from(&mut self, source_id: Id) {
        let (Some(actor), Some(form)) = (self.actor.clone(), &self.form) else {
            return;
        };
        let sub = form.sub_item_id;
        match checklists::reuse(
            &mut self.store,
            &actor,
            sub,
            source_id,
            form.expected_version,
        ) {
            Ok(saved) => {
                self.status = format!(
                    "已复用上级清单：{}（第 {} 版），实施主体为本单位",
                    saved.checklist.state.label(),
                    saved.checklist.version
                );
                self.reopen(sub, &actor);
            }
            Err(e) => self.status = format!("复用失败，未做任何改动：{e}"),
        }
    }

    fn resync(&mut self, fields: &[crate::domain::ChecklistField]) {
        let (Some(actor), Some(form)) = (self.actor.clone(), &self.form) else {
            return;
        };
        let sub = form.sub_item_id;
        let Some(expected) = form.expected_version else {
            return;
        };
        match checklists::resync(&mut self.store, &actor, sub, fields, expected) {
            Ok(_) => {
                self.status = format!("已同步上级的 {} 项", fields.len());
                self.reopen(sub, &actor);
            }
            Err(e) => self.status = format!("同步失败，未做任何改动：{e}"),
        }
    }

    /// The form of the same item, read again after a write.
    fn reopen(&mut self, sub: Id, actor: &Actor) {
        let cursor = self.form.as_ref().map_or(2, |f| f.cursor);
        self.after_save(actor);
        self.form = None;
        self.open_form(sub);
        if let Some(f) = &mut self.form {
            f.cursor = cursor;
        }
    }

    fn start_bulk(&mut self) {
        if self.form.is_some() {
            self.status = "批量设置在清单列表中进行：按 Esc 回到列表".into();
            return;
        }
        let n = self.checklists.as_ref().map_or(0, |l| l.targets().len());
        if n == 0 {
            self.status = "没有可设置的清单".into();
            return;
        }
        self.bulk = Some(BulkPrompt::new(n));
    }

    fn bulk_set(&mut self, field: crate::domain::ChecklistField, value: &str) {
        let (Some(actor), Some(list)) = (self.actor.clone(), &self.checklists) else {
            return;
        };
        let ids = list.targets();
        match checklists::set_field_many(&mut self.store, &actor, &ids, field, value) {
            Ok(r) => {
                self.status = format!(
                    "已为 {} 份清单设置“{}”（其中 {} 份原已如此）",
                    ids.len(),
                    field.label(),
                    r.unchanged
                );
                if let Some(l) = &mut self.checklists {
                    l.picked.clear();
                }
                self.after_save(&actor);
            }
            Err(e) => self.status = format!("批量设置失败，未做任何改动：{e}"),
        }
    }

    /// The checklist pane's overlays, drawn over everything.
    pub(crate) fn draw_checklist_overlays(
        &mut self,
        frame: &mut ratatui::Frame,
        area: ratatui::layout::Rect,
    ) {
        if let Some(c) = &self.choose {
            c.draw(frame, area);
        }
        if let Some(p) = &self.reuse {
            p.draw(frame, area);
        }
        if let Some(b) = &self.bulk {
            b.draw(frame, area);
        }
    }
}
