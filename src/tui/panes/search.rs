//! The search overlay (`/`): one box over items and legal bases, answered
//! by the search worker while typing goes on; results grouped by kind with
//! the matched characters highlighted (computed for visible rows only).

use crate::domain::Id;
use crate::search::engine::{Hit, Index, Kind};
use crate::search::worker::{Message, SearchWorker};
use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::sync::Arc;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// What a key in the box leads to.
pub enum Outcome {
    Stay,
    Close,
    Open(Kind, Id),
    /// Mark these sub-items in the tree: every item matching the query,
    /// of which the tree marks those its filters show.
    Pick(String, Vec<Id>),
}

pub struct SearchBox {
    pub input: Input,
    worker: SearchWorker,
    index: Option<Arc<Index>>,
    hits: Vec<Hit>,
    /// The query the shown hits answer.
    answered: String,
    cursor: usize,
    offset: usize,
    pub note: String,
}

/// A row of the result list: a group title or a hit.
enum Row<'a> {
    Group(Kind, usize),
    Hit(&'a Hit),
}

impl SearchBox {
    pub fn new(worker: SearchWorker) -> Self {
        SearchBox {
            input: Input::default(),
            worker,
            index: None,
            hits: Vec::new(),
            answered: String::new(),
            cursor: 0,
            offset: 0,
            note: "正在建立索引…".into(),
        }
    }

    /// Takes the worker's answers; true when the screen should change.
    pub fn pump(&mut self) -> bool {
        let mut changed = false;
        for m in self.worker.poll() {
            changed = true;
            match m {
                Message::Ready(index, took) => {
                    self.note =
                        format!("{} 条可搜索，索引用时 {} ms", index.len(), took.as_millis());
                    self.index = Some(index);
                    if !self.input.value().is_empty() {
                        self.worker.ask(self.input.value());
                    }
                }
                Message::Failed(e) => self.note = format!("无法建立索引：{e}"),
                Message::Results(r) if r.generation == self.worker.generation() => {
                    self.note = if r.total > r.hits.len() {
                        format!(
                            "{} 条（列出最相关的 {} 条），{} ms",
                            r.total,
                            r.hits.len(),
                            r.elapsed.as_millis()
                        )
                    } else {
                        format!("{} 条，{} ms", r.total, r.elapsed.as_millis())
                    };
                    self.hits = r.hits;
                    self.answered = r.query;
                    self.cursor = 0;
                    self.offset = 0;
                }
                Message::Results(_) => {}
            }
        }
        changed
    }

    fn rows(&self) -> Vec<Row<'_>> {
        let Some(index) = &self.index else {
            return Vec::new();
        };
        let mut rows = Vec::new();
        for kind in [Kind::Item, Kind::Basis] {
            let group: Vec<&Hit> = self
                .hits
                .iter()
                .filter(|h| index.entry(h.entry).kind == kind)
                .collect();
            if !group.is_empty() {
                rows.push(Row::Group(kind, group.len()));
                rows.extend(group.into_iter().map(Row::Hit));
            }
        }
        rows
    }

    fn hit_positions(&self) -> Vec<usize> {
        self.rows()
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Row::Hit(_)))
            .map(|(i, _)| i)
            .collect()
    }

    /// Starts with a query already typed (a jump from elsewhere).
    pub fn set_query(&mut self, q: &str) {
        self.input = Input::new(q.to_string());
        self.worker.ask(q);
    }

    /// Every sub-item matching the query, not only the hits listed.
    fn all_items(&mut self) -> Outcome {
        let query = self.input.value().trim().to_string();
        let Some(index) = &self.index else {
            self.note = "索引尚未建好，稍后再试".into();
            return Outcome::Stay;
        };
        if query.is_empty() {
            self.note = "先输入要查找的内容，再按 Ctrl-A 标记匹配的事项".into();
            return Outcome::Stay;
        }
        let ids = index
            .matches(&query, None)
            .iter()
            .map(|h| index.entry(h.entry))
            .filter(|e| e.kind == Kind::Item)
            .map(|e| e.id)
            .collect();
        Outcome::Pick(query, ids)
    }

    pub fn on_paste(&mut self, text: &str) {
        for c in text.chars().filter(|c| !c.is_control()) {
            self.input.handle(tui_input::InputRequest::InsertChar(c));
        }
        self.worker.ask(self.input.value());
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Outcome {
        let positions = self.hit_positions();
        match key.code {
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Char('a') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return self.all_items();
            }
            KeyCode::Down => self.cursor = (self.cursor + 1).min(positions.len().saturating_sub(1)),
            KeyCode::Up => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::PageDown => {
                self.cursor = (self.cursor + 10).min(positions.len().saturating_sub(1))
            }
            KeyCode::PageUp => self.cursor = self.cursor.saturating_sub(10),
            KeyCode::Enter => {
                let rows = self.rows();
                if let (Some(index), Some(Row::Hit(h))) = (
                    &self.index,
                    positions.get(self.cursor).and_then(|p| rows.get(*p)),
                ) {
                    let e = index.entry(h.entry);
                    return Outcome::Open(e.kind, e.id);
                }
            }
            _ => {
                if self
                    .input
                    .handle_event(&Event::Key(key))
                    .is_some_and(|c| c.value)
                {
                    self.worker.ask(self.input.value());
                }
            }
        }
        Outcome::Stay
    }

    /// A hit in `width` columns: the code whole, then the name and the
    /// department, each cut with an ellipsis when the row is too narrow
    /// (the department keeps at least a few characters so it shows).
    fn hit_line(&self, index: &Index, hit: &Hit, selected: bool, width: usize) -> Line<'static> {
        use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
        let e = index.entry(hit.entry);
        let marked = index.highlight(hit, &self.answered);
        let code = if e.code.is_empty() {
            "  ".to_string()
        } else {
            format!("  {} ", e.code)
        };
        let room = width.saturating_sub(code.width());
        let detail = if e.detail.is_empty() {
            String::new()
        } else {
            format!("  {}", e.detail)
        };
        let (text_room, detail_room) = if e.text.width() + detail.width() <= room {
            (e.text.width(), detail.width())
        } else {
            let least = detail.width().min(12);
            let text_room = e.text.width().min(room.saturating_sub(least));
            (text_room, room - text_room)
        };
        let ellipsis = crate::tui::theme::current().ellipsis();
        let cut = e.text.width() > text_room;
        let keep = if cut {
            text_room.saturating_sub(ellipsis.width())
        } else {
            text_room
        };
        let mut spans = vec![Span::raw(code)];
        let mut used = 0;
        for (i, c) in e.text.chars().enumerate() {
            let w = c.width().unwrap_or(0);
            if used + w > keep {
                break;
            }
            used += w;
            let style = if marked.contains(&i) {
                crate::tui::theme::current().matched()
            } else {
                Style::new()
            };
            spans.push(Span::styled(c.to_string(), style));
        }
        if cut {
            spans.push(Span::raw(ellipsis));
        }
        spans.push(Span::raw(crate::tui::draw::fit(&detail, detail_room)));
        let line = Line::from(spans);
        crate::tui::draw::row(line, selected)
    }

    pub fn draw(&mut self, frame: &mut Frame, area: Rect) {
        let rect = crate::tui::draw::overlay(frame, area);
        let block = crate::tui::draw::block(
            " 搜索（Enter 打开  Ctrl-A 标记筛选下匹配的事项  Esc 关闭） ".into(),
            true,
        );
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let [input_area, note_area, list] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(inner);
        let prompt = "/ ";
        frame.render_widget(
            Paragraph::new(format!("{prompt}{}", self.input.value())),
            input_area,
        );
        // The hardware cursor stands at the caret, so an IME window follows it.
        frame.set_cursor_position((
            input_area.x + prompt.len() as u16 + self.input.visual_cursor() as u16,
            input_area.y,
        ));
        frame.render_widget(Paragraph::new(self.note.clone()), note_area);
        let Some(index) = self.index.clone() else {
            return;
        };
        if self.hits.is_empty() {
            let msg = if self.input.value().trim().is_empty() {
                "输入关键词、拼音首字母（如 spaq）或编码前缀"
            } else {
                "没有找到"
            };
            frame.render_widget(Paragraph::new(msg), list);
            return;
        }
        let positions = self.hit_positions();
        let selected_row = positions.get(self.cursor).copied().unwrap_or(0);
        let height = list.height as usize;
        if selected_row < self.offset {
            self.offset = selected_row.saturating_sub(1);
        } else if selected_row >= self.offset + height {
            self.offset = selected_row + 1 - height;
        }
        let rows = self.rows();
        let lines: Vec<Line> = rows
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(height)
            .map(|(i, r)| match r {
                Row::Group(kind, n) => Line::styled(
                    format!("{}（{} 条）", kind.label(), n),
                    crate::tui::theme::current().heading(),
                ),
                Row::Hit(h) => self.hit_line(&index, h, i == selected_row, list.width as usize),
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list);
    }
}

impl SearchBox {
    /// The box's keys, as `on_key` reads them; characters go to the query.
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
    ) -> Vec<crate::tui::commands::Command> {
        crate::tui::commands::Commands::new(keymap)
            .text("字符", "输入名称、拼音（全拼或首字母）或编码", false)
            .key(
                KeyCode::Enter,
                "打开所选结果（事项在目录中定位，依据显示其事项）",
                "打开",
            )
            .key_with(
                KeyCode::Char('a'),
                KeyModifiers::CONTROL,
                "标记目录筛选下显示的匹配事项（被筛选隐藏的不标记；回到目录后可批量认领）",
                "全部标记",
            )
            .text("Up  Down", "上移、下移", false)
            .text("PageUp  PageDown", "上翻页、下翻页", false)
            .key(KeyCode::Esc, "关闭", "关闭")
            .build()
    }
}
