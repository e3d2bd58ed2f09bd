//! Legal-basis lookup: every sub-item that cites a basis, or (w) every
//! sub-item citing any article of the same law, grouped by article — when
//! a law goes 修订中, what rests on the whole law is the question. Enter
//! jumps to the sub-item.

use crate::app::bases::article_label;
use crate::domain::{Id, LegalBasis, SubItem};
use crate::tui::widgets::{fit, wrap};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use std::collections::HashSet;

pub struct BasisView {
    pub basis: LegalBasis,
    /// The sub-items citing this basis.
    pub items: Vec<SubItem>,
    /// Every row of the same law (this one among them) with the sub-items
    /// citing it, the whole document first, then by article number.
    pub law: Vec<(LegalBasis, Vec<SubItem>)>,
    /// Showing the whole law rather than this article.
    pub whole: bool,
    /// Among the selectable rows (sub-items) of the list shown.
    cursor: usize,
    /// The first list line shown.
    offset: usize,
}

pub enum Outcome {
    Stay,
    Close,
    Jump(Id),
}

/// A line of the list: an article's heading, or a sub-item under it.
enum Row<'a> {
    Article(&'a LegalBasis, usize),
    Item(&'a SubItem),
}

/// Under an article (or this one) no sub-item the viewer may see cites.
const NONE_HERE: &str = "  （没有你可见的子项引用它）";

/// Rows moved by PageUp / PageDown.
const PAGE: usize = 10;

impl BasisView {
    pub fn new(
        basis: LegalBasis,
        items: Vec<SubItem>,
        law: Vec<(LegalBasis, Vec<SubItem>)>,
    ) -> Self {
        BasisView {
            basis,
            items,
            law,
            whole: false,
            cursor: 0,
            offset: 0,
        }
    }

    /// The list as shown: this article's sub-items, or the law's grouped
    /// by article.
    fn rows(&self) -> Vec<Row<'_>> {
        if !self.whole {
            return self.items.iter().map(Row::Item).collect();
        }
        let mut rows = Vec::new();
        for (b, items) in &self.law {
            rows.push(Row::Article(b, items.len()));
            rows.extend(items.iter().map(Row::Item));
        }
        rows
    }

    fn selectable(&self) -> Vec<&SubItem> {
        self.rows()
            .into_iter()
            .filter_map(|r| match r {
                Row::Item(s) => Some(s),
                Row::Article(..) => None,
            })
            .collect()
    }

    /// Distinct sub-items over the whole law: one citing two of its
    /// articles counts once.
    fn law_sub_items(&self) -> usize {
        self.law
            .iter()
            .flat_map(|(_, items)| items.iter().map(|s| s.id))
            .collect::<HashSet<Id>>()
            .len()
    }

    /// Between this article and the whole law, the cursor staying on the
    /// same sub-item where the other list has it.
    pub fn toggle(&mut self) {
        let on = self.selectable().get(self.cursor).map(|s| s.id);
        self.whole = !self.whole;
        self.offset = 0;
        let list = self.selectable();
        self.cursor = match on {
            // In the whole law, under this article first.
            Some(id) if self.whole => {
                let before: usize = self
                    .law
                    .iter()
                    .take_while(|(b, _)| b.id != self.basis.id)
                    .map(|(_, items)| items.len())
                    .sum();
                list.iter()
                    .enumerate()
                    .skip(before)
                    .chain(list.iter().enumerate())
                    .find(|(_, s)| s.id == id)
                    .map_or(before.min(list.len().saturating_sub(1)), |(i, _)| i)
            }
            Some(id) => list.iter().position(|s| s.id == id).unwrap_or(0),
            None => 0,
        };
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Outcome {
        let last = self.selectable().len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Char('w') => self.toggle(),
            KeyCode::Down => self.cursor = (self.cursor + 1).min(last),
            KeyCode::Up => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::PageDown => self.cursor = (self.cursor + PAGE).min(last),
            KeyCode::PageUp => self.cursor = self.cursor.saturating_sub(PAGE),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = last,
            KeyCode::Enter => {
                return self
                    .selectable()
                    .get(self.cursor)
                    .map_or(Outcome::Stay, |s| Outcome::Jump(s.id));
            }
            _ => {}
        }
        Outcome::Stay
    }

    /// The lines above the list: citation, kind and status, the excerpt
    /// (this article, in at most `excerpt_lines`) or the law's totals, and
    /// the toggle's hint.
    fn header(&self, width: usize, excerpt_lines: usize) -> Vec<Line<'static>> {
        let t = crate::tui::theme::current();
        let b = &self.basis;
        let articles = self.law.len();
        if !self.whole {
            let mut lines = vec![
                Line::styled(fit(&b.citation(), width), t.heading()),
                Line::from(fit(
                    &format!(
                        "{}，{}    w 看整部（{articles} 条依据）",
                        b.kind.label(),
                        b.status.label()
                    ),
                    width,
                )),
            ];
            let excerpt = if b.excerpt.trim().is_empty() {
                Vec::new()
            } else {
                wrap(&b.excerpt, width)
            };
            let room = excerpt_lines.max(1);
            for l in excerpt.iter().take(room - 1) {
                lines.push(Line::styled(l.clone(), t.dim()));
            }
            if excerpt.len() >= room {
                lines.push(Line::styled(
                    fit(&excerpt[room - 1..].concat(), width),
                    t.dim(),
                ));
            }
            lines.push(Line::from(""));
            lines.push(Line::styled(
                fit(
                    &format!("引用此依据的子项（{} 个）", self.items.len()),
                    width,
                ),
                t.heading(),
            ));
            return lines;
        }
        vec![
            Line::styled(fit(&format!("{}（整部）", b.title), width), t.heading()),
            Line::from(fit(
                &format!(
                    "{}，{articles} 条依据，共 {} 个子项（引用多条的只计一次）",
                    b.kind.label(),
                    self.law_sub_items()
                ),
                width,
            )),
            Line::from(fit("w 只看本条", width)),
            Line::from(""),
        ]
    }

    pub fn draw(&mut self, frame: &mut Frame, area: Rect) {
        let rect = crate::tui::draw::overlay(frame, area);
        let t = crate::tui::theme::current();
        let title = if self.whole {
            " 设定依据·整部（w 只看本条，Enter 跳转，Esc 关闭） "
        } else {
            " 设定依据（w 看整部，Enter 跳转，Esc 关闭） "
        };
        let block =
            crate::tui::draw::block(fit(title, rect.width.saturating_sub(2) as usize), true);
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let width = inner.width as usize;
        // The excerpt gets a quarter of the height: the list is what is
        // looked at.
        let header = self.header(width, (inner.height as usize / 4).max(2));
        let [top, list] = Layout::vertical([
            Constraint::Length((header.len() as u16).min(inner.height / 2)),
            Constraint::Min(1),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(header), top);

        let rows = self.rows();
        let mut lines = Vec::with_capacity(rows.len());
        // Which lines are an article's heading (kept with its first item).
        let mut headings: Vec<bool> = Vec::with_capacity(rows.len());
        let mut cursor_line = 0;
        let mut item = 0;
        for row in &rows {
            match row {
                Row::Article(b, n) => {
                    let here = if b.id == self.basis.id {
                        "（本条）"
                    } else {
                        ""
                    };
                    let text = format!(
                        "{}{here}  {}，{n} 个子项",
                        article_label(b),
                        b.status.label()
                    );
                    lines.push(Line::styled(fit(&text, width), t.heading()));
                    headings.push(true);
                    if *n == 0 {
                        lines.push(Line::styled(fit(NONE_HERE, width), t.dim()));
                        headings.push(false);
                    }
                }
                Row::Item(s) => {
                    let text = format!("  {}  {}（{}）", s.code, s.name, s.category.label());
                    if item == self.cursor {
                        cursor_line = lines.len();
                    }
                    lines.push(crate::tui::draw::row(
                        Line::from(fit(&text, width)),
                        item == self.cursor,
                    ));
                    headings.push(false);
                    item += 1;
                }
            }
        }
        if item == 0 && !self.whole {
            lines.push(Line::styled(fit(NONE_HERE, width), t.dim()));
        }
        let height = list.height as usize;
        // The cursor kept in view; on the first sub-item of an article,
        // its heading with it.
        let first = if cursor_line > 0 && headings.get(cursor_line - 1) == Some(&true) {
            cursor_line - 1
        } else {
            cursor_line
        };
        if first < self.offset {
            self.offset = first;
        } else if cursor_line >= self.offset + height {
            self.offset = cursor_line + 1 - height.max(1);
        }
        self.offset = self.offset.min(lines.len().saturating_sub(1));
        let shown: Vec<Line> = lines.into_iter().skip(self.offset).take(height).collect();
        frame.render_widget(Paragraph::new(shown), list);
    }
}

impl BasisView {
    /// The overlay's keys, as `on_key` reads them.
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
    ) -> Vec<crate::tui::commands::Command> {
        let toggle = if self.whole {
            "只看本条"
        } else {
            "看整部法律法规（各条依据分组）"
        };
        crate::tui::commands::Commands::new(keymap)
            .key(KeyCode::Enter, "跳转到所选子项", "跳转")
            .key(
                KeyCode::Char('w'),
                toggle,
                if self.whole { "本条" } else { "整部" },
            )
            .text("Up  Down", "上移、下移", false)
            .text("PgUp  PgDn  Home  End", "翻页、到顶、到底", false)
            .key(KeyCode::Esc, "关闭", "关闭")
            .build()
    }
}
