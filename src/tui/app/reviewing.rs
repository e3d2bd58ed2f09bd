//! Local items and their review from the TUI: the list (the legal
//! reviewer's queue first), an item read-only, approve / return with a
//! reason, and the operator's submit.

use super::App;
use crate::app::{bases, local_items, views};
use crate::domain::{Id, Role};
use crate::tui::form::local_editor::{self as editor, LocalEditor};
use crate::tui::panes::local::{self, LocalView, Outcome};
use ratatui::crossterm::event::KeyEvent;

impl App {
    fn local_scope(&self) -> (Option<Id>, local::Role) {
        match self.actor.as_ref().map(|a| a.effective()) {
            Some(a) if a.role == Role::LegalReviewer => (None, local::Role::Reviewer),
            Some(a) if a.role == Role::Operator => (Some(a.unit_id), local::Role::Operator),
            _ => (None, local::Role::Reader),
        }
    }

    /// `L`: the local items overlay.
    pub(super) fn open_local(&mut self) {
        let (unit, role) = self.local_scope();
        match views::local_items(&self.store, self.actor.as_ref(), unit, None) {
            Ok(rows) => {
                let waiting = rows
                    .iter()
                    .filter(|r| r.state == crate::domain::ReviewState::Submitted)
                    .count();
                self.status = match role {
                    local::Role::Reviewer => format!("待审核 {waiting} 项，先提交的在前"),
                    _ => format!("地方监管事项 {} 项", rows.len()),
                };
                self.local = Some(LocalView::new(rows, role));
            }
            Err(e) => self.status = format!("无法读取地方监管事项：{e}"),
        }
    }

    /// The list and the item read again after a write, the item shown.
    fn reload_local(&mut self, id: Id) {
        self.reload_local_view(Some(id));
    }

    /// The open local-items overlay read again (another operator submitted,
    /// returned or approved), keeping the item shown, if any.
    pub(super) fn reload_local_view(&mut self, id: Option<Id>) {
        let (unit, _) = self.local_scope();
        let rows =
            views::local_items(&self.store, self.actor.as_ref(), unit, None).unwrap_or_default();
        let detail = id.and_then(|id| views::local_item(&self.store, self.actor.as_ref(), id).ok());
        if let Some(view) = &mut self.local {
            let before = view.waiting();
            view.reload(rows, detail);
            // Someone submitted: the reviewer hears of it wherever they are.
            let now = view.waiting();
            if view.role == local::Role::Reviewer && now > before {
                self.status = format!("新提交审核 {} 项，待审核共 {now} 项", now - before);
            }
        }
    }

    /// Keys while the overlay is open.
    pub(super) fn local_key(&mut self, key: KeyEvent) {
        let Some(view) = &mut self.local else {
            return;
        };
        let outcome = view.on_key(key);
        let Some(actor) = self.actor.clone() else {
            match outcome {
                Outcome::Close => self.local = None,
                Outcome::Say(why) => self.status = why,
                _ => {}
            }
            return;
        };
        let (result, id) = match outcome {
            Outcome::Stay => return,
            Outcome::Say(why) => {
                self.status = why;
                return;
            }
            Outcome::Close => {
                self.local = None;
                return;
            }
            Outcome::Open(id) => {
                match views::local_item(&self.store, self.actor.as_ref(), id) {
                    Ok(d) => view.detail = Some(d),
                    Err(e) => self.status = format!("无法读取：{e}"),
                }
                return;
            }
            Outcome::Approve(id, v) => (local_items::approve(&mut self.store, &actor, id, v), id),
            Outcome::Return(id, v, reason) => (
                local_items::return_for_changes(&mut self.store, &actor, id, v, &reason),
                id,
            ),
            Outcome::Submit(id, v) => (local_items::submit(&mut self.store, &actor, id, v), id),
            Outcome::MarkEntered(id, v, codes) => (
                local_items::mark_entered(&mut self.store, &actor, id, v, &codes),
                id,
            ),
            Outcome::New => return self.open_editor(None),
            Outcome::Edit(id) => return self.open_editor(Some(id)),
        };
        match result {
            Ok(item) => {
                use crate::domain::ReviewState::*;
                self.status = match item.state {
                    Draft => "已保存",
                    Submitted => "已提交审核",
                    Approved => "已审核通过（编制单位已认领其子项）",
                    Returned => "已退回修改",
                    Entered => "已录入，事项改用国家系统编码",
                }
                .into();
                self.reload_local(id);
                if let Some(view) = &mut self.local {
                    view.done();
                }
            }
            // A refused return keeps the reason written, to send again.
            Err(e) => self.status = format!("未做任何改动：{e}"),
        }
    }

    /// Enter in the item pane: the unit's own local item opens in the
    /// editor; everything else is read-only there.
    pub(super) fn edit_selected_local(&mut self) {
        let Some(main) = self.tree.selected_main().map(|m| m.id) else {
            return;
        };
        let own = self.actor.as_ref().map(|a| a.effective().unit_id);
        match views::local_item_state(&self.store, main) {
            Ok(Some(item)) if Some(item.unit_id) == own => {
                if crate::domain::local_item::editable(item.state) {
                    self.open_editor(Some(main));
                } else {
                    self.status = format!("该事项处于“{}”状态，不能修改", item.state.label());
                }
            }
            Ok(_) => self.status = "国家、省级和其他单位的事项在这里只读".into(),
            Err(e) => self.status = format!("无法读取：{e}"),
        }
    }

    fn open_editor(&mut self, item: Option<Id>) {
        let Some(actor) = &self.actor else {
            return;
        };
        if item.is_none()
            && let Err(e) = crate::app::local_items::may_compile(&self.store, actor)
        {
            self.status = e.to_string();
            return;
        }
        let unit = actor.effective().unit_id;
        let detail = match item
            .map(|id| views::local_item(&self.store, self.actor.as_ref(), id))
            .transpose()
        {
            Ok(d) => d,
            Err(e) => {
                self.status = format!("无法读取：{e}");
                return;
            }
        };
        match views::local_item_choices(&self.store, unit) {
            Ok((bases, powers)) => {
                self.editor = Some(LocalEditor::new(unit, detail.as_ref(), bases, powers));
            }
            Err(e) => self.status = format!("无法读取依据和权责清单：{e}"),
        }
    }

    /// Keys while the editor is open.
    pub(super) fn editor_key(&mut self, key: KeyEvent) {
        let (Some(editor), Some(actor)) = (&mut self.editor, self.actor.clone()) else {
            return;
        };
        match editor.on_key(key) {
            editor::Outcome::Stay => {}
            editor::Outcome::Close => self.editor = None,
            editor::Outcome::Say(msg) => self.status = msg,
            editor::Outcome::AddBasis {
                sub,
                title,
                kind,
                article,
                excerpt,
            } => {
                match bases::add_local(&mut self.store, &actor, &title, kind, &article, &excerpt) {
                    Ok(b) => {
                        self.status = format!("已添加依据 {}", b.citation());
                        editor.add_basis(sub, b);
                    }
                    Err(e) => self.status = format!("未添加：{e}"),
                }
            }
            editor::Outcome::SearchNational(title) => {
                if editor.dirty {
                    self.status = "先保存（Ctrl-s，可存为草稿）再查找国家目录".into();
                    return;
                }
                self.editor = None;
                self.local = None;
                self.open_search();
                if let Some(s) = &mut self.search {
                    s.set_query(&title);
                }
                self.status = format!("依据《{title}》是国家层面的：请在国家目录中认领相应事项");
            }
            editor::Outcome::Save => {
                let result = match editor.main_item_id {
                    None => local_items::create_local_item(&mut self.store, &actor, &editor.input),
                    Some(id) => local_items::edit_local_item(
                        &mut self.store,
                        &actor,
                        id,
                        &editor.input,
                        editor.expected_version.unwrap_or(0),
                    )
                    .map(|_| id),
                };
                match result {
                    Ok(id) => {
                        let problems = editor.problems().len();
                        self.editor = None;
                        self.status = if problems == 0 {
                            "已保存：可按 s 提交审核".into()
                        } else {
                            format!("已保存为草稿：还有 {problems} 个问题，提交审核前须解决")
                        };
                        self.reload_local(id);
                    }
                    Err(e) => self.status = format!("保存失败，未做任何改动：{e}"),
                }
            }
        }
    }

    pub(super) fn local_paste(&mut self, text: &str) -> bool {
        if let Some(e) = &mut self.editor {
            e.on_paste(text);
            return true;
        }
        match &mut self.local {
            Some(v) if v.typing() => {
                v.on_paste(text);
                true
            }
            _ => false,
        }
    }
}
