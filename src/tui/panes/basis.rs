//! Legal-basis lookup: every sub-item that cites a basis; Enter jumps to it.

use crate::domain::{Id, LegalBasis, SubItem};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

pub struct BasisView {
    pub basis: LegalBasis,
    pub items: Vec<SubItem>,
    cursor: usize,
}

pub enum Outcome {
    Stay,
    Close,
    Jump(Id),
}

impl BasisView {
    pub fn new(basis: LegalBasis, items: Vec<SubItem>) -> Self {
        BasisView {
            basis,
            items,
            cursor: 0,
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Esc => Outcome::Close,
            KeyCode::Down => {
                self.cursor = (self.cursor + 1).min(self.items.len().saturating_sub(1));
                Outcome::Stay
            }
            KeyCode::Up => {
                self.cursor = self.cursor.saturating_sub(1);
                Outcome::Stay
            }
            KeyCode::Enter => self
                .items
                .get(self.cursor)
                .map_or(Outcome::Stay, |s| Outcome::Jump(s.id)),
            _ => Outcome::Stay,
        }
    }

    pub fn draw(&mut self, frame: &mut Frame, area: Rect) {
        let rect = crate::tui::draw::overlay(frame, area);
        let b = &self.basis;
        let mut lines = vec![
            Line::styled(b.citation(), crate::tui::theme::current().heading()),
            Line::from(format!("{}，{}", b.kind.label(), b.status.label())),
        ];
        if !b.excerpt.is_empty() {
            lines.push(Line::from(b.excerpt.clone()));
        }
        lines.push(Line::from(""));
        lines.push(Line::styled(
            format!("引用此依据的子项（{} 个）", self.items.len()),
            crate::tui::theme::current().heading(),
        ));
        let head = lines.len();
        for (i, s) in self.items.iter().enumerate() {
            let line = Line::from(format!(
                "  {}  {}（{}）",
                s.code,
                s.name,
                s.category.label()
            ));
            lines.push(crate::tui::draw::row(line, i == self.cursor));
        }
        let visible = rect.height.saturating_sub(2) as usize;
        let scroll = (head + self.cursor + 1).saturating_sub(visible) as u16;
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0))
                .block(crate::tui::draw::block(
                    " 设定依据（Enter 跳转到子项，Esc 关闭） ".into(),
                    true,
                )),
            rect,
        );
    }
}

impl BasisView {
    /// The overlay's keys, as `on_key` reads them.
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
    ) -> Vec<crate::tui::commands::Command> {
        crate::tui::commands::Commands::new(keymap)
            .key(KeyCode::Enter, "跳转到所选子项", "跳转")
            .text("Up  Down", "上移、下移", false)
            .key(KeyCode::Esc, "关闭", "关闭")
            .build()
    }
}
