//! The search overlay (`/`): one box over departments, items, local items
//! and legal bases, answered by the search worker while typing goes on;
//! one list in the engine's rank order, each row tagged with its kind, the
//! matched characters highlighted (computed for visible rows only), and
//! the hits one character away under a line of their own.

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
    /// Go to this hit: its kind, id and text (a department is found by
    /// its name: its id is only its place in the search's list).
    Open(Kind, Id, String),
    /// Mark these sub-items in the tree: every item matching the query,
    /// of which the tree marks those its filters show.
    /// The query, the sub-items, and how many near hits (近似结果, never
    /// marked) the box shows.
    Pick(String, Vec<Id>, usize),
}

pub struct SearchBox {
    pub input: Input,
    worker: SearchWorker,
    index: Option<Arc<Index>>,
    hits: Vec<Hit>,
    /// The query the shown hits answer.
    answered: String,
    /// A second answer to it, adding the near hits, is on its way.
    looking: bool,
    /// Which hit is selected (the 近似结果 line is not one).
    cursor: usize,
    /// First row shown.
    offset: usize,
    pub note: String,
    /// The box was opened again on the last query: the next character
    /// typed starts a new one (editing keys keep it).
    fresh: bool,
}

/// A row of the result list: the line above the near hits, or a hit.
enum Row<'a> {
    Near(usize),
    Hit(&'a Hit),
}

/// What may be typed, shown while the box is empty.
const HINT: [&str; 7] = [
    "可以输入：",
    "  名称或其中几个字            食品经营、特种设备",
    "  拼音首字母或全拼，可不连续  spjdjc、shipin",
    "  空格分开的几个词，都要匹配  食品 jc",
    "  条款号，数字或汉字          食品安全法 87、第八十七条",
    "  编码开头                    1010",
    "没有完全匹配时，错一个字的结果列在“近似结果”下",
];

/// A kind's tag at the start of a row: two characters each, so the rest
/// of the rows line up.
fn tag(kind: Kind) -> &'static str {
    match kind {
        Kind::Department => "部门",
        Kind::MainItem => "主项",
        Kind::Item => "子项",
        Kind::LocalItem => "地方",
        Kind::Basis => "依据",
    }
}

impl SearchBox {
    pub fn new(worker: SearchWorker) -> Self {
        SearchBox {
            input: Input::default(),
            worker,
            index: None,
            hits: Vec::new(),
            answered: String::new(),
            looking: false,
            cursor: 0,
            offset: 0,
            note: "正在建立索引…".into(),
            fresh: false,
        }
    }

    /// Opened again: the last query and its results stay on screen, and
    /// typing replaces the query (←, →, Backspace, Home, End edit it).
    pub fn reopen(&mut self) {
        if !self.input.value().is_empty() {
            self.fresh = true;
            self.note = "上次的查询：直接输入即替换；←/→、退格可修改它".into();
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
                        self.ask();
                    }
                }
                Message::Failed(e) => self.note = format!("无法建立索引：{e}"),
                Message::Results(r) if r.generation == self.worker.generation() => {
                    let mut note = format!("{} 条", r.total);
                    if r.total > r.hits.len() {
                        note.push_str(&format!("（列出最相关的 {} 条）", r.hits.len()));
                    }
                    if r.near > 0 {
                        note.push_str(&format!("，其中近似结果 {} 条", r.near));
                    }
                    if r.complete {
                        note.push_str(&format!("，{} ms", r.elapsed.as_millis()));
                    } else {
                        note.push_str("，正在查找近似结果…");
                    }
                    self.note = note;
                    // The near hits come after the others: the second
                    // answer leaves the cursor on the hit it was on.
                    let more = self.looking && r.query == self.answered;
                    self.hits = r.hits;
                    self.answered = r.query;
                    self.looking = !r.complete;
                    if !more {
                        self.cursor = 0;
                        self.offset = 0;
                    }
                    self.cursor = self.cursor.min(self.hits.len().saturating_sub(1));
                }
                Message::Results(_) => {}
            }
        }
        changed
    }

    /// The hits in order, with the 近似结果 line before the first near one.
    fn rows(&self) -> Vec<Row<'_>> {
        let near = self.hits.iter().filter(|h| h.is_near()).count();
        let mut rows = Vec::with_capacity(self.hits.len() + 1);
        for (i, h) in self.hits.iter().enumerate() {
            if h.is_near() && (i == 0 || !self.hits[i - 1].is_near()) {
                rows.push(Row::Near(near));
            }
            rows.push(Row::Hit(h));
        }
        rows
    }

    /// The row the selected hit is on.
    fn row_of(&self, hit: usize) -> usize {
        let below_line = self.hits.get(hit).is_some_and(Hit::is_near);
        hit + below_line as usize
    }

    /// Whether the hits shown answer what is typed, near hits included
    /// (tests and the benchmark wait for it).
    pub fn settled(&self) -> bool {
        self.index.is_some()
            && !self.looking
            && (self.input.value().is_empty() || self.answered == self.input.value())
    }

    /// Asks the worker for what the box holds; until the answer comes the
    /// note says so (the list still shows the previous query's hits).
    fn ask(&mut self) {
        let q = self.input.value().to_string();
        self.worker.ask(&q);
        if self.index.is_some() && q.trim() != self.answered.trim() {
            self.note = format!("正在查找“{}”…", crate::tui::widgets::fit(q.trim(), 30));
        }
    }

    /// Starts with a query already typed (a jump from elsewhere).
    pub fn set_query(&mut self, q: &str) {
        self.input = Input::new(q.to_string());
        self.worker.ask(q);
    }

    /// Every sub-item matching the query, not only the hits listed, and
    /// none of those one character away (a claim must match what was typed).
    fn all_items(&mut self) -> Outcome {
        let query = self.input.value().trim().to_string();
        let Some(index) = &self.index else {
            self.note = "索引尚未建好，稍后再试".into();
            return Outcome::Stay;
        };
        if query.is_empty() {
            self.note = "先输入要查找的内容，再按 Ctrl-A 标记匹配的子项".into();
            return Outcome::Stay;
        }
        let ids = index
            .matches(&query, None)
            .iter()
            .filter(|h| !h.is_near())
            .map(|h| index.entry(h.entry))
            .filter(|e| e.kind == Kind::Item)
            .map(|e| e.id)
            .collect();
        let near = self.hits.iter().filter(|h| h.is_near()).count();
        Outcome::Pick(query, ids, near)
    }

    pub fn on_paste(&mut self, text: &str) {
        if std::mem::take(&mut self.fresh) {
            self.input = Input::default();
        }
        // Tabs and line breaks part words, as spaces do.
        for c in text.chars().map(|c| if c.is_control() { ' ' } else { c }) {
            self.input.handle(tui_input::InputRequest::InsertChar(c));
        }
        self.ask();
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Outcome {
        let last = self.hits.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Char('a') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return self.all_items();
            }
            KeyCode::Down => self.cursor = (self.cursor + 1).min(last),
            KeyCode::Up => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::PageDown => self.cursor = (self.cursor + 10).min(last),
            KeyCode::PageUp => self.cursor = self.cursor.saturating_sub(10),
            KeyCode::Enter => {
                if let (Some(index), Some(h)) = (&self.index, self.hits.get(self.cursor)) {
                    let e = index.entry(h.entry);
                    return Outcome::Open(e.kind, e.id, e.text.to_string());
                }
            }
            _ => {
                let typed = matches!(key.code, KeyCode::Char(_))
                    && !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
                if std::mem::take(&mut self.fresh) && typed {
                    self.input = Input::default();
                }
                if self
                    .input
                    .handle_event(&Event::Key(key))
                    .is_some_and(|c| c.value)
                {
                    self.ask();
                }
            }
        }
        Outcome::Stay
    }

    /// A hit in `width` columns: its kind, the code (and the other code a
    /// local item is found by) whole, then the name and the detail, each
    /// cut with an ellipsis when the row is too narrow (the detail keeps
    /// at least a few characters so it shows).
    fn hit_line(&self, index: &Index, hit: &Hit, selected: bool, width: usize) -> Line<'static> {
        use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
        let theme = crate::tui::theme::current();
        let e = index.entry(hit.entry);
        let marked = index.highlight(hit, &self.answered);
        let head = format!(" {} ", tag(e.kind));
        let mut code = String::new();
        for c in [&e.code, &e.alt_code] {
            if !c.is_empty() {
                code.push_str(c);
                code.push(' ');
            }
        }
        let room = width.saturating_sub(head.width() + code.width());
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
        let ellipsis = theme.ellipsis();
        let cut = e.text.width() > text_room;
        let keep = if cut {
            text_room.saturating_sub(ellipsis.width())
        } else {
            text_room
        };
        let mut spans = vec![Span::styled(head, theme.dim()), Span::raw(code)];
        let mut used = 0;
        for (i, c) in e.text.chars().enumerate() {
            let w = c.width().unwrap_or(0);
            if used + w > keep {
                break;
            }
            used += w;
            let style = if marked.contains(&i) {
                theme.matched()
            } else {
                Style::new()
            };
            spans.push(Span::styled(c.to_string(), style));
        }
        if cut {
            spans.push(Span::raw(ellipsis));
        }
        spans.push(Span::raw(crate::tui::widgets::fit(&detail, detail_room)));
        crate::tui::widgets::row(Line::from(spans), selected)
    }

    pub fn draw(&mut self, frame: &mut Frame, area: Rect) {
        let rect = crate::tui::widgets::overlay(frame, area);
        let block = crate::tui::widgets::block(
            " 搜索（Enter 前往  Ctrl-A 标记匹配的子项  Esc 关闭） ".into(),
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
        let width = note_area.width as usize;
        frame.render_widget(
            Paragraph::new(crate::tui::widgets::fit(&self.note, width)),
            note_area,
        );
        let Some(index) = self.index.clone() else {
            return;
        };
        if self.input.value().trim().is_empty() {
            let lines: Vec<Line> = HINT
                .iter()
                .map(|l| Line::raw(crate::tui::widgets::fit(l, list.width as usize)))
                .collect();
            frame.render_widget(Paragraph::new(lines), list);
            return;
        }
        if self.hits.is_empty() {
            let msg = if self.answered.trim() != self.input.value().trim() {
                "正在查找…"
            } else if self.looking {
                "没有完全匹配的，正在查找错一个字的…"
            } else {
                "没有找到"
            };
            frame.render_widget(Paragraph::new(msg), list);
            return;
        }
        let selected_row = self.row_of(self.cursor);
        let height = list.height as usize;
        // The 近似结果 line above the first near hit shows with it.
        let first_near = self.hits.iter().position(Hit::is_near);
        let top = if first_near == Some(self.cursor) {
            selected_row - 1
        } else {
            selected_row
        };
        if top < self.offset {
            self.offset = top;
        } else if selected_row >= self.offset + height {
            self.offset = selected_row + 1 - height;
        }
        let theme = crate::tui::theme::current();
        let rows = self.rows();
        let lines: Vec<Line> = rows
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(height)
            .map(|(i, r)| match r {
                Row::Near(n) => Line::styled(
                    crate::tui::widgets::fit(
                        &format!("近似结果（错一个字，{n} 条）"),
                        list.width as usize,
                    ),
                    theme.heading(),
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
            .text(
                "字符",
                "输入名称、拼音首字母或全拼（可不连续，如 spjdjc）、空格分开的几个词（都要匹配，如“食品 jc”）、条款号（87、第八十七条）或编码开头；没有完全匹配时，错一个字的列在“近似结果”下",
                false,
            )
            .key(
                KeyCode::Enter,
                "前往所选：部门、主项在目录中展开；子项在目录中选中；地方事项审核通过后在目录中，之前在地方监管事项中；依据列出引用它的子项",
                "前往",
            )
            .key_with(
                KeyCode::Char('a'),
                KeyModifiers::CONTROL,
                "标记匹配的子项：只标记子项本身，不含部门、主项下的子项和近似结果；目录筛选隐藏的不标记；回到目录后可批量认领",
                "标记子项",
            )
            .text("Up  Down", "上移、下移（跳过“近似结果”一行）", false)
            .text("PageUp  PageDown", "上翻页、下翻页", false)
            .key(KeyCode::Esc, "关闭", "关闭")
            .build()
    }
}
