//! Two small overlays of the checklist pane: choosing an upper-level
//! checklist to reuse (with a preview), and the bulk set of one field.

use crate::domain::{Checklist, ChecklistField, FieldKind};
use crate::tui::draw::{block, overlay};
use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// Upper-level checklists of the same sub-item, one to copy.
pub struct ReusePicker {
    /// Each with its unit's name.
    pub items: Vec<(Checklist, String)>,
    cursor: usize,
}

pub enum Picked<T> {
    Stay,
    Cancel,
    Chosen(T),
}

impl ReusePicker {
    pub fn new(items: Vec<(Checklist, String)>) -> Self {
        ReusePicker { items, cursor: 0 }
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Picked<Checklist> {
        match key.code {
            KeyCode::Esc => return Picked::Cancel,
            KeyCode::Up | KeyCode::Char('k') => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                self.cursor = (self.cursor + 1).min(self.items.len().saturating_sub(1))
            }
            KeyCode::Enter => {
                if let Some((c, _)) = self.items.get(self.cursor) {
                    return Picked::Chosen(c.clone());
                }
            }
            _ => {}
        }
        Picked::Stay
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let rect = overlay(frame, area);
        let b = block(
            " 复用上级清单（j/k 选择，Enter 复制到本单位，Esc 取消） ".into(),
            true,
        );
        let inner = b.inner(rect);
        frame.render_widget(b, rect);
        let n = self.items.len().min(5) as u16;
        let [list, preview] =
            Layout::vertical([Constraint::Length(n + 1), Constraint::Min(1)]).areas(inner);
        let lines: Vec<Line> = self
            .items
            .iter()
            .enumerate()
            .map(|(i, (c, unit))| {
                let line = Line::from(format!("{unit}  {}  第 {} 版", c.state.label(), c.version));
                crate::tui::draw::row(line, i == self.cursor)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list);
        if let Some((c, _)) = self.items.get(self.cursor) {
            let text: Vec<Line> = ChecklistField::ALL
                .iter()
                .map(|f| Line::from(format!("{}：{}", f.label(), c.fields.text_of(*f))))
                .collect();
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), preview);
        }
    }
}

/// The fields a bulk set may change: everything the operator fills.
fn settable() -> Vec<ChecklistField> {
    ChecklistField::ALL
        .iter()
        .copied()
        .filter(|f| f.kind() != FieldKind::Fixed)
        .collect()
}

/// One field and one value for many checklists.
pub struct BulkPrompt {
    field: usize,
    pub value: Input,
    pub count: usize,
}

impl BulkPrompt {
    pub fn new(count: usize) -> Self {
        BulkPrompt {
            field: 0,
            value: Input::default(),
            count,
        }
    }

    pub fn field(&self) -> ChecklistField {
        settable()[self.field]
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Picked<(ChecklistField, String)> {
        let n = settable().len();
        match key.code {
            KeyCode::Esc => return Picked::Cancel,
            KeyCode::Up => self.field = (self.field + n - 1) % n,
            KeyCode::Down => self.field = (self.field + 1) % n,
            KeyCode::Enter => {
                return Picked::Chosen((self.field(), self.value.value().to_string()));
            }
            _ => {
                self.value.handle_event(&Event::Key(key));
            }
        }
        Picked::Stay
    }

    pub fn on_paste(&mut self, text: &str) {
        for c in text.chars().filter(|c| !c.is_control()) {
            self.value.handle(tui_input::InputRequest::InsertChar(c));
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let rect = overlay(frame, area);
        let b = block(
            format!(
                " 为 {} 份清单设置同一字段（Up/Down 选字段，Enter 设置，Esc 取消） ",
                self.count
            ),
            true,
        );
        let inner = b.inner(rect);
        frame.render_widget(b, rect);
        let field = self.field();
        let choices = field.choices();
        let hint = if choices.is_empty() {
            "输入值（留空则清空该字段）".to_string()
        } else {
            format!("可选：{}", choices.join(" / "))
        };
        let lines = vec![
            Line::from(format!("字段：{}", field.label())),
            Line::from(hint),
            Line::from(format!("值：{}", self.value.value())),
        ];
        frame.render_widget(Paragraph::new(lines), inner);
        let x = inner.x + 4 + self.value.visual_cursor() as u16; // after “值：”
        if inner.height > 2 && x < inner.right() {
            frame.set_cursor_position((x, inner.y + 2));
        }
    }
}

impl ReusePicker {
    /// The picker's keys, as `on_key` reads them.
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
    ) -> Vec<crate::tui::commands::Command> {
        crate::tui::commands::Commands::new(keymap)
            .key(KeyCode::Enter, "把所选上级清单复制到本单位", "复制")
            .key(KeyCode::Esc, "取消", "取消")
            .text("Up/k  Down/j", "上移、下移", false)
            .build()
    }
}

impl BulkPrompt {
    /// The prompt's keys, as `on_key` reads them; characters go to the value.
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
    ) -> Vec<crate::tui::commands::Command> {
        crate::tui::commands::Commands::new(keymap)
            .text("字符", "输入要设置的值", false)
            .text("Up  Down", "选择字段", true)
            .key(KeyCode::Enter, "为标记的清单设置这个值", "设置")
            .key(KeyCode::Esc, "取消", "取消")
            .build()
    }
}
