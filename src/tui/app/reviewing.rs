//! Local items and their review from the TUI: the list (the legal
//! reviewer's queue first), an item read-only, approve / return with a
//! reason, and the operator's submit.

use super::App;
use crate::app::{local_items, views};
use crate::domain::{Id, Role};
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
        match views::local_items(&self.store, unit, None) {
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

    /// Keys while the overlay is open.
    pub(super) fn local_key(&mut self, key: KeyEvent) {
        let Some(view) = &mut self.local else {
            return;
        };
        let outcome = view.on_key(key);
        let Some(actor) = self.actor.clone() else {
            if let Outcome::Close = outcome {
                self.local = None;
            }
            return;
        };
        let (result, id) = match outcome {
            Outcome::Stay => return,
            Outcome::Close => {
                self.local = None;
                return;
            }
            Outcome::Open(id) => {
                match views::local_item(&self.store, id) {
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
        };
        match result {
            Ok(item) => {
                self.status = format!("已{}", item.state.label());
                let (unit, _) = self.local_scope();
                let rows = views::local_items(&self.store, unit, None).unwrap_or_default();
                let detail = views::local_item(&self.store, id).ok();
                if let Some(view) = &mut self.local {
                    view.reload(rows, detail);
                }
            }
            Err(e) => self.status = format!("未做任何改动：{e}"),
        }
    }

    pub(super) fn local_paste(&mut self, text: &str) -> bool {
        match &mut self.local {
            Some(v) if v.typing() => {
                v.on_paste(text);
                true
            }
            _ => false,
        }
    }
}
