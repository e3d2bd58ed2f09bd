//! 进度: one row per unit with its claim and checklist figures.

use crate::app::views::ProgressRow;
use crate::domain::format_time;
use crate::tui::action::Action;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Cell, Row, Table};

#[derive(Default)]
pub struct ProgressView {
    pub rows: Vec<ProgressRow>,
    cursor: usize,
    offset: usize,
    page: usize,
}

/// A completion bar drawn with ASCII, so it survives every terminal.
fn bar(done: i64, total: i64, width: usize) -> String {
    if total == 0 {
        return " ".repeat(width);
    }
    let filled = ((done as f64 / total as f64) * width as f64).round() as usize;
    format!(
        "{}{}",
        "#".repeat(filled.min(width)),
        ".".repeat(width - filled.min(width))
    )
}

impl ProgressView {
    pub fn new(rows: Vec<ProgressRow>) -> Self {
        ProgressView {
            rows,
            page: 10,
            ..Default::default()
        }
    }

    pub fn handle(&mut self, action: Action) {
        if let Some(c) = super::moved(action, self.cursor, self.rows.len(), self.page) {
            self.cursor = c;
        }
    }

    pub fn hints() -> &'static [Action] {
        &[Action::Up, Action::Down, Action::PageDown]
    }

    pub fn draw(&mut self, frame: &mut Frame, area: Rect, focused: bool) {
        let block =
            crate::tui::draw::block(format!(" 进度（{} 个单位） ", self.rows.len()), focused);
        let inner_height = block.inner(area).height.saturating_sub(1) as usize;
        self.page = inner_height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if inner_height > 0 && self.cursor >= self.offset + inner_height {
            self.offset = self.cursor + 1 - inner_height;
        }
        let header = Row::new([
            "单位",
            "认领",
            "认领完成",
            "应填",
            "完整",
            "已填报",
            "完成率",
        ])
        .style(Style::new().add_modifier(Modifier::BOLD));
        let rows = self.rows[self.offset..(self.offset + inner_height).min(self.rows.len())]
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let f = &r.figures;
                let done = f.complete + f.filed;
                let pct = if f.required > 0 {
                    done * 100 / f.required
                } else {
                    0
                };
                let row = Row::new([
                    Cell::from(r.unit.full_name()),
                    Cell::from(f.claimed.to_string()),
                    Cell::from(
                        f.finished_at
                            .map(format_time)
                            .unwrap_or_else(|| "未完成".into()),
                    ),
                    Cell::from(f.required.to_string()),
                    Cell::from(f.complete.to_string()),
                    Cell::from(f.filed.to_string()),
                    Cell::from(format!("{} {pct:>3}%", bar(done, f.required, 10))),
                ]);
                if self.offset + i == self.cursor {
                    row.style(Style::new().add_modifier(Modifier::REVERSED))
                } else {
                    row
                }
            });
        let table = Table::new(
            rows,
            [
                Constraint::Min(16),
                Constraint::Length(5),
                Constraint::Length(16),
                Constraint::Length(5),
                Constraint::Length(5),
                Constraint::Length(6),
                Constraint::Length(16),
            ],
        )
        .header(header)
        .block(block);
        frame.render_widget(table, area);
    }
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_are_ascii_and_proportional() {
        assert_eq!(bar(5, 10, 10), "#####.....");
        assert_eq!(bar(0, 0, 4), "    ");
        assert_eq!(bar(10, 10, 4), "####");
    }
}
