//! Where Enter on a search hit goes: a department or a main item opens
//! expanded in the tree, a sub-item is selected there, a basis lists who
//! cites it, a local item shows in the tree once 审核通过 and in the local
//! items overlay before. A filter hiding the row is cleared, and said so.

use super::{App, Pane};
use crate::app::views;
use crate::domain::{Id, ReviewState};
use crate::search::engine::Kind;
use crate::tui::action::Action;
use crate::tui::panes::tree::{CatalogueTree, Filter};

/// What the status line adds when filters were cleared to show a row.
pub(super) fn cleared_note(cleared: &str) -> String {
    if cleared.is_empty() {
        String::new()
    } else {
        format!("（筛选“{cleared}”隐藏了它，已清除筛选）")
    }
}

impl App {
    /// Goes to a search hit (its kind, id and text).
    pub(super) fn go_to_hit(&mut self, kind: Kind, id: Id, text: &str) {
        self.search_open = false;
        match kind {
            Kind::Item => self.jump_to(id),
            Kind::Basis => self.open_basis(id),
            Kind::Department => self.show_department(text),
            Kind::MainItem => self.show_main(id, text),
            Kind::LocalItem => self.show_local(id),
        }
    }

    /// Puts the tree's cursor where `select` puts it, clearing the filters
    /// when they hide the row (and putting them back when it is not in the
    /// tree at all). Some(the filters cleared, "" for none) when shown.
    pub(super) fn select_in_tree(
        &mut self,
        select: impl Fn(&mut CatalogueTree) -> bool,
    ) -> Option<String> {
        if select(&mut self.tree) {
            return Some(String::new());
        }
        let was = self.tree.filter.clone();
        if was == Filter::default() {
            return None;
        }
        self.tree.handle(Action::ClearFilters);
        if select(&mut self.tree) {
            return Some(was.describe());
        }
        self.tree.set_filter(was);
        None
    }

    fn show_department(&mut self, name: &str) {
        let shown = self.select_in_tree(|t| t.select_department(name));
        self.status = match shown {
            Some(cleared) => {
                self.focus = Pane::Tree;
                let mains = self.tree.selected_department().map_or(0, |d| d.mains.len());
                format!(
                    "已定位：部门 {name}，{mains} 个主项{}",
                    cleared_note(&cleared)
                )
            }
            None => format!("部门“{name}”在目录中没有可见的事项"),
        };
    }

    fn show_main(&mut self, id: Id, name: &str) {
        if self.tree.loading {
            self.status = "事项目录尚未读完，稍后再试".into();
            return;
        }
        let shown = self.select_in_tree(|t| t.select_main(id));
        self.status = match (shown, self.tree.selected_main()) {
            (Some(cleared), Some(m)) => {
                let line = format!(
                    "已定位：主项 {} {}，{} 个子项{}",
                    m.code,
                    m.name,
                    m.subs.len(),
                    cleared_note(&cleared)
                );
                self.focus = Pane::Tree;
                line
            }
            _ => format!("主项“{name}”不在目录中（没有可见的子项）"),
        };
    }

    /// A local item: in the tree once 审核通过 or 已录入 (where everyone
    /// sees it), else selected in the local items overlay, where it is
    /// worked on.
    fn show_local(&mut self, id: Id) {
        let detail = match views::local_item(&self.store, self.actor.as_ref(), id) {
            Ok(d) => d,
            Err(e) => {
                self.status = format!("无法读取地方监管事项：{e}");
                return;
            }
        };
        let state = detail.row.state;
        if matches!(state, ReviewState::Approved | ReviewState::Entered)
            && !self.tree.loading
            && let Some(cleared) = self.select_in_tree(|t| t.select_main(id))
        {
            self.focus = Pane::Tree;
            self.status = format!(
                "已定位：地方监管事项 {} {}（{}）{}",
                detail.row.code,
                detail.row.name,
                state.label(),
                cleared_note(&cleared)
            );
            return;
        }
        self.open_local();
        let Some(view) = &mut self.local else {
            return;
        };
        let what = format!(
            "{} {}（{}）",
            detail.row.code,
            detail.row.name,
            state.label()
        );
        self.status = if view.select(id) {
            format!("已选中地方监管事项 {what}，按 Enter 查看")
        } else {
            // Not in this account's list (another unit's): shown alone.
            view.detail = Some(detail);
            format!("地方监管事项 {what}")
        };
    }
}
