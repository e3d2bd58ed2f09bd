//! The unit's required checklists: every claimed 行政检查 sub-item, with the
//! state of its checklist (未开始 / 草稿 / 完整 / 已填报), marks for a bulk
//! set, and the next unfinished one a key away.

use crate::domain::{ChecklistState, Id};
use crate::store::checklists::Required;
use crate::tui::action::Action;
use crate::tui::draw::fit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use std::collections::HashSet;

/// “[草稿]  ”: a state in brackets, padded to the widest state's display
/// width so that the codes after it line up.
pub fn tag(state: Option<ChecklistState>) -> String {
    tag_label(ChecklistState::label_of(state))
}

/// `tag` for a state's label as read back (“未开始”, “草稿”…).
pub fn tag_label(label: &str) -> String {
    use unicode_width::UnicodeWidthStr;
    let widest = ChecklistState::ALL
        .iter()
        .map(|s| s.label().width())
        .chain(std::iter::once(crate::domain::NOT_STARTED.width()))
        .max()
        .unwrap_or(0);
    format!(
        "[{label}]{}",
        " ".repeat(widest.saturating_sub(label.width()))
    )
}

pub struct ChecklistList {
    pub rows: Vec<Required>,
    pub cursor: usize,
    pub picked: HashSet<Id>,
    offset: usize,
    page: usize,
}

impl ChecklistList {
    pub fn new(rows: Vec<Required>) -> Self {
        ChecklistList {
            rows,
            cursor: 0,
            picked: HashSet::new(),
            offset: 0,
            page: 10,
        }
    }

    /// Fresh rows (after a save), keeping the cursor on the same item.
    pub fn reload(&mut self, rows: Vec<Required>) {
        let at = self.selected().map(|r| r.sub_item_id);
        self.rows = rows;
        if let Some(id) = at {
            self.select(id);
        }
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    pub fn selected(&self) -> Option<&Required> {
        self.rows.get(self.cursor)
    }

    pub fn select(&mut self, sub_item_id: Id) -> bool {
        match self.rows.iter().position(|r| r.sub_item_id == sub_item_id) {
            Some(i) => {
                self.cursor = i;
                true
            }
            None => false,
        }
    }

    fn state(r: &Required) -> Option<ChecklistState> {
        r.checklist.as_ref().map(|c| c.state)
    }

    /// The next row after the cursor (wrapping) still to be filled in
    /// (未开始 or 草稿); when none is left, the next 完整 one (it still has
    /// to be filed). None when every one is 已填报.
    pub fn next_unfinished(&mut self) -> Option<&Required> {
        let n = self.rows.len();
        let after = |want: fn(Option<ChecklistState>) -> bool| {
            (1..=n)
                .map(|k| (self.cursor + k) % n)
                .find(|i| want(Self::state(&self.rows[*i])))
        };
        let next = after(|s| matches!(s, None | Some(ChecklistState::Draft)))
            .or_else(|| after(|s| s == Some(ChecklistState::Complete)))?;
        self.cursor = next;
        self.rows.get(next)
    }

    /// The marked sub-items, or the one under the cursor.
    pub fn targets(&self) -> Vec<Id> {
        if self.picked.is_empty() {
            self.selected()
                .map(|r| vec![r.sub_item_id])
                .unwrap_or_default()
        } else {
            let mut v: Vec<Id> = self.picked.iter().copied().collect();
            v.sort_unstable();
            v
        }
    }

    pub fn handle(&mut self, action: Action) -> Option<String> {
        if let Some(c) = super::moved(action, self.cursor, self.rows.len(), self.page) {
            self.cursor = c;
            return None;
        }
        match action {
            Action::Pick => {
                let id = self.selected()?.sub_item_id;
                if !self.picked.remove(&id) {
                    self.picked.insert(id);
                }
                self.cursor = (self.cursor + 1).min(self.rows.len().saturating_sub(1));
                Some(format!("已标记 {} 份清单", self.picked.len()))
            }
            Action::PickAll => {
                self.picked = self.rows.iter().map(|r| r.sub_item_id).collect();
                Some(format!("已标记全部 {} 份清单", self.picked.len()))
            }
            Action::ClearPicks => {
                self.picked.clear();
                Some("已清除标记".into())
            }
            _ => None,
        }
    }

    /// Counts by state: 未开始, 草稿, 完整, 已填报.
    fn counts(&self) -> [usize; 4] {
        let mut c = [0; 4];
        for r in &self.rows {
            let i = match Self::state(r) {
                None => 0,
                Some(ChecklistState::Draft) => 1,
                Some(ChecklistState::Complete) => 2,
                Some(ChecklistState::Filed) => 3,
            };
            c[i] += 1;
        }
        c
    }

    pub fn draw(&mut self, frame: &mut Frame, area: Rect, focused: bool) {
        let [n0, n1, n2, n3] = self.counts();
        let mut title = format!(
            " 检查实施清单 {} 份：未开始 {n0}，草稿 {n1}，完整 {n2}，已填报 {n3} ",
            self.rows.len()
        );
        if !self.picked.is_empty() {
            title.push_str(&format!("- 已标记 {} ", self.picked.len()));
        }
        let block = crate::tui::draw::block(title, focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if self.rows.is_empty() {
            frame.render_widget(
                Paragraph::new(
                    "本单位没有需要填报检查实施清单的事项：先在事项目录中认领行政检查事项",
                ),
                inner,
            );
            return;
        }
        let list = inner;
        let width = list.width as usize;
        let height = list.height as usize;
        self.page = height.saturating_sub(1).max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if height > 0 && self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        let lines: Vec<Line> = self
            .rows
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(height)
            .map(|(i, r)| {
                let mark = if self.picked.contains(&r.sub_item_id) {
                    '>'
                } else {
                    ' '
                };
                let theme = crate::tui::theme::current();
                let line = Line::from(fit(
                    &format!(
                        "{mark}{} {} {}",
                        tag(Self::state(r)),
                        r.sub_code,
                        r.sub_name
                    ),
                    width,
                ))
                .style(if mark == ' ' {
                    theme.checklist(Self::state(r))
                } else {
                    theme.marked()
                });
                crate::tui::draw::row(line, i == self.cursor)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list);
    }
}

impl ChecklistList {
    /// The list's keys, for the help and the key hints.
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
    ) -> Vec<crate::tui::commands::Command> {
        crate::tui::commands::Commands::new(keymap)
            .action_as(Action::Toggle, "填写这份清单", "填写")
            .action(Action::NextUnfinished)
            .action_as(Action::Pick, "标记这份清单（批量设置用）", "标记")
            .action_as(Action::PickAll, "标记全部清单", "全部标记")
            .action(Action::ClearPicks)
            .action_as(
                Action::BulkSet,
                "为标记的清单（或这一份）设置同一字段",
                "批量设置",
            )
            .moves()
            .build()
    }
}
