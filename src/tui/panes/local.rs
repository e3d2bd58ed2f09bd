//! Local items (地方监管事项) and their review: a list (for the legal
//! reviewer, the queue of 待审核 first, oldest first), an item read-only
//! with its sub-items, bases and their status, power-list entry, rule
//! problems and the history of states and reasons; the reviewer approves
//! or returns with a reason, the operator submits.

use crate::app::views::{LocalDetail, LocalRow};
use crate::domain::{Id, ReviewState, format_time};
use crate::tui::draw::{block, fit, overlay};
use crate::tui::widgets::wrap_words;
use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui_textarea::{TextArea, WrapMode};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;
use unicode_width::UnicodeWidthStr;

/// What the viewer may do with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Reviewer,
    Operator,
    Reader,
}

pub enum Outcome {
    Stay,
    Close,
    /// Read this item's details.
    Open(Id),
    Approve(Id, i64),
    Return(Id, i64, String),
    Submit(Id, i64),
    /// Compile a new local item (the operator).
    New,
    /// Edit this one (草稿 or 退回修改).
    Edit(Id),
    /// 已录入: the codes the national system gave the main item and each
    /// sub-item.
    MarkEntered(Id, i64, crate::app::local_items::EnteredCodes),
    /// A key that does nothing here, and why.
    Say(String),
}

/// What is asked at the bottom of an item.
enum Prompt {
    /// A reason for 退回修改, written for the version then shown (a
    /// resubmitted item is not returned for what it no longer says).
    Reason {
        area: Box<TextArea<'static>>,
        version: i64,
        /// Esc with text written: y discards it, any other key goes on.
        leaving: bool,
    },
    /// The national codes, asked one by one: the main item's, then each
    /// sub-item's; the ones typed so far.
    OfficialCodes(Vec<String>, Input),
    /// `a`: y approves this version.
    Approve(i64),
}

pub struct LocalView {
    pub rows: Vec<LocalRow>,
    pub role: Role,
    cursor: usize,
    pub detail: Option<LocalDetail>,
    prompt: Option<Prompt>,
    scroll: u16,
    /// The furthest the item scrolls, as last drawn.
    last_scroll: std::cell::Cell<u16>,
}

/// The reason editor's height, borders included.
const REASON_ROWS: u16 = 7;

fn reason_editor() -> TextArea<'static> {
    let mut area = TextArea::default();
    area.set_wrap_mode(WrapMode::Glyph);
    area.set_cursor_line_style(Style::new());
    area.set_placeholder_text("写明要改什么、为什么（可写多行）");
    area
}

impl LocalView {
    /// The reviewer's queue comes first: 待审核, oldest first.
    pub fn new(mut rows: Vec<LocalRow>, role: Role) -> Self {
        rows.sort_by_key(|r| (r.state != ReviewState::Submitted, r.since));
        LocalView {
            rows,
            role,
            cursor: 0,
            detail: None,
            prompt: None,
            scroll: 0,
            last_scroll: std::cell::Cell::new(u16::MAX),
        }
    }

    /// Something is being typed or asked at the bottom.
    pub fn typing(&self) -> bool {
        self.prompt.is_some()
    }

    /// How many items wait for review.
    pub fn waiting(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.state == ReviewState::Submitted)
            .count()
    }

    /// The write asked for was done: the reason written is no longer needed.
    pub fn done(&mut self) {
        self.prompt = None;
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Outcome {
        if self.prompt.is_some() {
            return self.prompt_key(key);
        }
        if let Some(d) = &self.detail {
            let (id, version, state) = (d.row.main_item_id, d.row.version, d.row.state);
            match key.code {
                KeyCode::Esc => {
                    self.detail = None;
                    self.scroll = 0;
                }
                KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => {
                    self.scroll = (self.scroll + 1).min(self.last_scroll.get())
                }
                KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
                KeyCode::PageDown => {
                    self.scroll = self.scroll.saturating_add(10).min(self.last_scroll.get())
                }
                keys::APPROVE if self.role == Role::Reviewer && state == ReviewState::Submitted => {
                    self.prompt = Some(Prompt::Approve(version));
                }
                keys::RETURN if self.role == Role::Reviewer && state == ReviewState::Submitted => {
                    self.prompt = Some(Prompt::Reason {
                        area: Box::new(reason_editor()),
                        version,
                        leaving: false,
                    });
                }
                keys::SUBMIT
                    if self.role == Role::Operator
                        && matches!(state, ReviewState::Draft | ReviewState::Returned) =>
                {
                    return Outcome::Submit(id, version);
                }
                keys::EDIT
                    if self.role == Role::Operator
                        && matches!(state, ReviewState::Draft | ReviewState::Returned) =>
                {
                    return Outcome::Edit(id);
                }
                keys::MARK_ENTERED
                    if self.role == Role::Operator && state == ReviewState::Approved =>
                {
                    self.prompt = Some(Prompt::OfficialCodes(Vec::new(), Input::default()));
                }
                KeyCode::Home => self.scroll = 0,
                KeyCode::End => self.scroll = self.last_scroll.get(),
                code => return Outcome::Say(self.why_not(code, Some(state))),
            }
            return Outcome::Stay;
        }
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => return Outcome::Close,
            KeyCode::Up | KeyCode::Char('k') => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                self.cursor = (self.cursor + 1).min(self.rows.len().saturating_sub(1))
            }
            KeyCode::PageUp => self.cursor = self.cursor.saturating_sub(10),
            KeyCode::PageDown => {
                self.cursor = (self.cursor + 10).min(self.rows.len().saturating_sub(1))
            }
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.rows.len().saturating_sub(1),
            KeyCode::Enter => {
                if let Some(r) = self.rows.get(self.cursor) {
                    return Outcome::Open(r.main_item_id);
                }
            }
            keys::NEW if self.role == Role::Operator => return Outcome::New,
            code => return Outcome::Say(self.why_not(code, None)),
        }
        Outcome::Stay
    }

    /// Why a key does nothing in the list (no state) or on an item in
    /// this state, so that no key is silently ignored.
    fn why_not(&self, code: KeyCode, state: Option<ReviewState>) -> String {
        let operator = self.role == Role::Operator;
        let reviewer = self.role == Role::Reviewer;
        let is = state.map_or(String::new(), |s| format!("（此项为{}）", s.label()));
        match (code, state) {
            (keys::NEW, None) => "只有编制单位的操作员可以新建地方监管事项".into(),
            (keys::APPROVE, Some(_)) if !reviewer => "只有审核员可以审核通过".into(),
            (keys::RETURN, Some(_)) if !reviewer => "只有审核员可以退回修改".into(),
            (keys::APPROVE, Some(_)) => format!("审核通过只用于待审核的事项{is}"),
            (keys::RETURN, Some(_)) => format!("退回修改只用于待审核的事项{is}"),
            (keys::EDIT | keys::SUBMIT, Some(_)) if !operator => {
                "只有编制单位的操作员可以修改、提交审核".into()
            }
            (keys::EDIT | keys::SUBMIT, Some(_)) => {
                format!("只有草稿或退回修改的事项可以修改、提交审核{is}")
            }
            (keys::MARK_ENTERED, Some(_)) if !operator => {
                "只有编制单位的操作员可以标记已录入".into()
            }
            (keys::MARK_ENTERED, Some(_)) => format!("只有审核通过的事项可以标记已录入{is}"),
            (
                keys::APPROVE | keys::RETURN | keys::EDIT | keys::SUBMIT | keys::MARK_ENTERED,
                None,
            ) => "先按 Enter 打开事项，再审核、修改或提交".into(),
            _ => {
                let key = crate::tui::keymap::key_name(code, KeyModifiers::NONE);
                format!("{key} 在这里不可用，按 ? 查看可用的键")
            }
        }
    }

    /// Keys while something is asked at the bottom of the item.
    fn prompt_key(&mut self, key: KeyEvent) -> Outcome {
        let Some(d) = &self.detail else {
            self.prompt = None;
            return Outcome::Stay;
        };
        let id = d.row.main_item_id;
        let subs = d.subs.iter().map(|(s, _)| s.id).collect::<Vec<_>>();
        let version = d.row.version;
        match &mut self.prompt {
            None => {}
            Some(Prompt::Approve(v)) => match key.code {
                KeyCode::Char('y' | 'Y') => {
                    let v = *v;
                    self.prompt = None;
                    return Outcome::Approve(id, v);
                }
                KeyCode::Esc | KeyCode::Char('n' | 'N') => self.prompt = None,
                // Anything else asks again: only y approves.
                _ => {}
            },
            Some(Prompt::Reason {
                area,
                version: v,
                leaving,
            }) => {
                let text = area.lines().join("\n").trim().to_string();
                if *leaving {
                    if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                        self.prompt = None;
                    } else {
                        *leaving = false;
                    }
                    return Outcome::Stay;
                }
                let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                match key.code {
                    KeyCode::Esc if text.is_empty() => self.prompt = None,
                    KeyCode::Esc => *leaving = true,
                    // Kept until the return is done: a refused one keeps
                    // what was written.
                    KeyCode::Char('s' | 'S') if ctrl && !text.is_empty() => {
                        return Outcome::Return(id, *v, text);
                    }
                    KeyCode::Char('s' | 'S') if ctrl => {}
                    _ => {
                        area.input(key);
                    }
                }
            }
            Some(Prompt::OfficialCodes(typed, input)) => match key.code {
                KeyCode::Esc => self.prompt = None,
                KeyCode::Enter => {
                    let text = input.value().trim().to_string();
                    // Not 14 digits: stays to be corrected.
                    if !crate::domain::local_item::is_national_code(&text) {
                        return Outcome::Stay;
                    }
                    typed.push(text);
                    if typed.len() <= subs.len() {
                        *input = Input::default();
                        return Outcome::Stay;
                    }
                    let codes = crate::app::local_items::EnteredCodes {
                        main: typed[0].clone(),
                        subs: subs
                            .iter()
                            .copied()
                            .zip(typed[1..].iter().cloned())
                            .collect(),
                    };
                    self.prompt = None;
                    return Outcome::MarkEntered(id, version, codes);
                }
                _ => {
                    input.handle_event(&Event::Key(key));
                }
            },
        }
        Outcome::Stay
    }

    pub fn on_paste(&mut self, text: &str) {
        match &mut self.prompt {
            Some(Prompt::Reason { area, leaving, .. }) => {
                *leaving = false;
                area.insert_str(text.replace("\r\n", "\n"));
            }
            Some(Prompt::OfficialCodes(_, input)) => {
                for c in text.chars().filter(|c| !c.is_control()) {
                    input.handle(tui_input::InputRequest::InsertChar(c));
                }
            }
            _ => {}
        }
    }

    /// Fresh rows (another operator submitted, or a write here), the
    /// cursor on the same item, the item shown read again, and whatever is
    /// being written at the bottom kept.
    pub fn reload(&mut self, rows: Vec<LocalRow>, detail: Option<LocalDetail>) {
        let at = self.rows.get(self.cursor).map(|r| r.main_item_id);
        let fresh = LocalView::new(rows, self.role);
        self.rows = fresh.rows;
        self.cursor = at
            .and_then(|id| self.rows.iter().position(|r| r.main_item_id == id))
            .unwrap_or(self.cursor)
            .min(self.rows.len().saturating_sub(1));
        if detail.is_none() {
            self.prompt = None;
        }
        self.detail = detail;
    }

    /// Puts the cursor on an item (a search's Enter); false when it is not
    /// in the list.
    pub fn select(&mut self, main_item_id: Id) -> bool {
        match self
            .rows
            .iter()
            .position(|r| r.main_item_id == main_item_id)
        {
            Some(i) => {
                self.cursor = i;
                true
            }
            None => false,
        }
    }

    /// The keys for the title, from the same list as the help.
    fn keys(&self) -> String {
        self.key_line()
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let rect = overlay(frame, area);
        let title = match &self.detail {
            None if self.role == Role::Reviewer => format!(
                " 地方监管事项（{} 项，待审核 {}）  {} ",
                self.rows.len(),
                self.waiting(),
                self.keys()
            ),
            None => format!(" 地方监管事项（{} 项）  {} ", self.rows.len(), self.keys()),
            Some(d) => format!(" {} {}  {} ", d.row.code, d.row.state.label(), self.keys()),
        };
        let b = block(fit(&title, rect.width.saturating_sub(2) as usize), true);
        let inner = b.inner(rect);
        frame.render_widget(b, rect);
        let Some(d) = &self.detail else {
            self.draw_list(frame, inner);
            return;
        };
        let rows = match &self.prompt {
            None => 0,
            Some(Prompt::Reason { .. }) => REASON_ROWS.min(inner.height.saturating_sub(2)),
            Some(Prompt::Approve(_)) => 2,
            Some(Prompt::OfficialCodes(..)) => 1,
        };
        let [body, bottom] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(rows)]).areas(inner);
        let lines = detail_lines(d, body.width as usize);
        // Not past the end: the last lines stay in view.
        let last = (lines.len() as u16).saturating_sub(body.height);
        self.last_scroll.set(last);
        frame.render_widget(
            Paragraph::new(lines).scroll((self.scroll.min(last), 0)),
            body,
        );
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let width = bottom.width as usize;
        match &self.prompt {
            None => {}
            Some(Prompt::Approve(_)) => {
                frame.render_widget(
                    Paragraph::new(vec![
                        Line::styled(fit("审核通过这一事项？y 通过，Esc 取消", width), bold),
                        Line::styled(fit(&format!("{} {}", d.row.code, d.row.name), width), bold),
                    ]),
                    bottom,
                );
            }
            Some(Prompt::Reason { area, leaving, .. }) => {
                let title = if *leaving {
                    " 放弃已写的退回理由？y 放弃，其他键继续写 "
                } else {
                    " 退回理由（Ctrl-S 退回，Enter 换行，Esc 取消） "
                };
                let b = block(fit(title, width.saturating_sub(2)), true);
                let text = b.inner(bottom);
                frame.render_widget(b, bottom);
                frame.render_widget(&**area, text);
            }
            Some(Prompt::OfficialCodes(typed, input)) => {
                let which = match typed.len() {
                    0 => format!("主项 {}", d.row.code),
                    i => d
                        .subs
                        .get(i - 1)
                        .map(|(s, _)| format!("子项 {}", s.code))
                        .unwrap_or_default(),
                };
                let prompt = format!(
                    "{which} 14位编码（{}/{}）：",
                    typed.len() + 1,
                    d.subs.len() + 1
                );
                frame.render_widget(
                    Paragraph::new(format!("{prompt}{}", input.value())).style(bold),
                    bottom,
                );
                let x = bottom.x + prompt.width() as u16 + input.visual_cursor() as u16;
                if x < bottom.right() {
                    frame.set_cursor_position((x, bottom.y));
                }
            }
        }
    }

    /// One item a line: state, code, since when, unit and name, each cut
    /// to its column with “…” so that the name is never pushed out.
    fn draw_list(&self, frame: &mut Frame, area: Rect) {
        if self.rows.is_empty() {
            frame.render_widget(Paragraph::new("没有地方监管事项"), area);
            return;
        }
        let width = area.width as usize;
        // The overlay's inside: 70 columns on an 80-column terminal.
        let wide = width >= 84;
        let tag_w = ReviewState::ALL
            .iter()
            .map(|s| s.label().width() + 2)
            .max()
            .unwrap_or(0);
        let code_w = self.rows.iter().map(|r| r.code.width()).max().unwrap_or(0);
        let unit_w = self
            .rows
            .iter()
            .map(|r| r.unit.width())
            .max()
            .unwrap_or(0)
            .min(if wide { 24 } else { 16 });
        let height = area.height as usize;
        let skip = (self.cursor + 1).saturating_sub(height);
        let lines: Vec<Line> = self
            .rows
            .iter()
            .enumerate()
            .skip(skip)
            .take(height)
            .map(|(i, r)| {
                let time = format_time(r.since);
                // The year only where there is room: the queue is this year's.
                let time = if wide {
                    time.as_str()
                } else {
                    time.get(5..).unwrap_or(&time)
                };
                // The version where there is room: 第 2 版 is a resubmission.
                let version = if wide {
                    format!(" 第 {} 版", r.version)
                } else {
                    String::new()
                };
                let head = format!(
                    "{} {}{version} {time} {} ",
                    pad(&format!("[{}]", r.state.label()), tag_w),
                    pad(&r.code, code_w),
                    pad(&r.unit, unit_w),
                );
                let name = if r.basis_repealed {
                    format!("[依据已废止]{}", r.name)
                } else {
                    r.name.clone()
                };
                let name = fit(&name, width.saturating_sub(head.width()));
                crate::tui::draw::row(Line::from(format!("{head}{name}")), i == self.cursor)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
    }
}

/// The text cut or padded with spaces to `width` display columns.
fn pad(text: &str, width: usize) -> String {
    let mut s = fit(text, width);
    let w = s.width();
    s.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    s
}

/// The item's lines, wrapped to `width` by words (a name is never cut, and
/// stays on the line where its words begin).
fn detail_lines(d: &LocalDetail, width: usize) -> Vec<Line<'static>> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let plain = Style::new();
    let r = &d.row;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut put =
        |style: Style, indent: usize, text: &str, keep: Option<std::ops::Range<usize>>| {
            lines.extend(
                wrap_words(text, width, indent, keep)
                    .into_iter()
                    .map(|l| Line::styled(l, style)),
            );
        };
    put(bold, 0, &format!("{} {}", r.code, r.name), None);
    put(plain, 0, &format!("编制单位：{}", r.unit), None);
    put(
        plain,
        0,
        &format!("状态：{}（第 {} 版）", r.state.label(), r.version),
        None,
    );
    if let Some(code) = &r.official_code {
        put(plain, 0, &format!("国家系统编码：{code}"), None);
    }
    if let Some(reason) = &r.return_reason {
        put(bold, 0, &format!("退回理由：{reason}"), None);
    }
    if !d.main.permit_name.is_empty() {
        put(
            plain,
            0,
            &format!("对应的许可事项：{}", d.main.permit_name),
            None,
        );
    }
    // The linked entry beside the item's own name: the reviewer sees at a
    // glance whether they are the same matter.
    match &d.power_entry {
        Some(p) => {
            put(
                plain,
                0,
                &format!(
                    "权责清单：{} {}（{}）",
                    p.code,
                    p.name,
                    if p.kind.is_empty() {
                        "未写事项类型"
                    } else {
                        p.kind.as_str()
                    }
                ),
                None,
            );
            put(plain, 0, &format!("本事项：  {}", r.name), None);
        }
        None => put(plain, 0, "权责清单：（未关联）", None),
    }
    for (s, bases) in &d.subs {
        put(plain, 0, "", None);
        put(
            bold,
            0,
            &format!("子项 {} {}（{}）", s.code, s.name, s.category.label()),
            None,
        );
        if !s.target.is_empty() {
            put(plain, 2, &format!("  监管对象：{}", s.target), None);
        }
        for b in bases {
            put(
                plain,
                2,
                &format!(
                    "  依据：{}（{}，{}）",
                    b.citation(),
                    b.kind.label(),
                    b.status.label()
                ),
                None,
            );
        }
    }
    if !d.problems.is_empty() {
        put(plain, 0, "", None);
        for p in &d.problems {
            put(bold, 2, &format!("! {p}"), None);
        }
    }
    put(plain, 0, "", None);
    put(bold, 0, "审核记录", None);
    for h in &d.history {
        let (text, who) = history_line(h);
        put(plain, 4, &text, Some(who));
    }
    lines
}

/// “  2026-11-20 10:00  待审核 -> 退回修改（第 3 版）郑州市司法局 王芳：理由”,
/// and where the name (with its “：”) lies in it.
fn history_line(h: &crate::app::views::LocalStep) -> (String, std::ops::Range<usize>) {
    let head = format!(
        "  {}  {} -> {}（第 {} 版）",
        format_time(h.at),
        h.from.map_or("新建", |s| s.label()),
        h.to.label(),
        h.item_version,
    );
    let mut text = head.clone();
    text.push_str(&h.who);
    if h.reason.is_some() {
        text.push('：');
    }
    let who = head.len()..text.len();
    if let Some(reason) = &h.reason {
        text.push_str(reason);
    }
    (text, who)
}

/// The overlay's own keys: letters that mean other things in the panes,
/// so they are not in the keymap. `on_key` matches these, and `offered`
/// lists them for the title and the help.
pub mod keys {
    use ratatui::crossterm::event::KeyCode;
    pub const APPROVE: KeyCode = KeyCode::Char('a');
    pub const RETURN: KeyCode = KeyCode::Char('x');
    pub const SUBMIT: KeyCode = KeyCode::Char('s');
    pub const EDIT: KeyCode = KeyCode::Char('e');
    pub const MARK_ENTERED: KeyCode = KeyCode::Char('m');
    pub const NEW: KeyCode = KeyCode::Char('n');
}

impl LocalView {
    /// The keys that act now, as (key, what, short), under the same
    /// conditions as `on_key`.
    fn offered(&self) -> Vec<(String, &'static str, &'static str)> {
        use crate::tui::keymap::key_name;
        let name = |k: KeyCode| key_name(k, KeyModifiers::NONE);
        let mut out = Vec::new();
        match (&self.prompt, &self.detail) {
            (Some(Prompt::Approve(_)), _) => {
                out.push(("y".to_string(), "审核通过", "通过"));
                out.push(("Esc/n".to_string(), "不通过，返回", "取消"));
            }
            (Some(Prompt::Reason { leaving: true, .. }), _) => {
                out.push(("y".to_string(), "放弃写好的理由", "放弃"));
                out.push(("其他键".to_string(), "继续写", "继续"));
            }
            (Some(Prompt::Reason { .. }), _) => {
                out.push(("Ctrl-s".to_string(), "退回修改，附上理由", "退回"));
                out.push(("Enter".to_string(), "换行", "换行"));
                out.push(("Esc".to_string(), "取消（写了理由时先问）", "取消"));
            }
            (Some(Prompt::OfficialCodes(..)), _) => {
                out.push((
                    "Enter".to_string(),
                    "确定这一个编码，接着输入下一个",
                    "确定",
                ));
                out.push(("Esc".to_string(), "取消", "取消"));
            }
            (None, None) => {
                out.push(("Enter".to_string(), "查看所选事项", "查看"));
                if self.role == Role::Operator {
                    out.push((name(keys::NEW), "新建地方监管事项", "新建"));
                }
                out.push(("Esc/q".to_string(), "关闭", "关闭"));
            }
            (None, Some(d)) => {
                let state = d.row.state;
                let open = matches!(state, ReviewState::Draft | ReviewState::Returned);
                if self.role == Role::Reviewer && state == ReviewState::Submitted {
                    out.push((name(keys::APPROVE), "审核通过（先问一次）", "审核通过"));
                    out.push((name(keys::RETURN), "退回修改（写明理由）", "退回修改"));
                }
                if self.role == Role::Operator && open {
                    out.push((name(keys::EDIT), "修改", "修改"));
                    out.push((name(keys::SUBMIT), "提交审核", "提交审核"));
                }
                if self.role == Role::Operator && state == ReviewState::Approved {
                    out.push((
                        name(keys::MARK_ENTERED),
                        "标记已录入国家系统（逐项输入14位编码）",
                        "标记已录入",
                    ));
                }
                out.push(("Esc".to_string(), "返回列表", "返回"));
            }
        }
        out
    }

    /// The keys for the title: “a 审核通过  x 退回修改  Esc 返回”.
    pub fn key_line(&self) -> String {
        self.offered()
            .iter()
            .map(|(k, _, short)| format!("{k} {short}"))
            .collect::<Vec<_>>()
            .join("  ")
    }

    /// The overlay's keys for the help and the key hints.
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
    ) -> Vec<crate::tui::commands::Command> {
        let mut c = crate::tui::commands::Commands::new(keymap);
        let typing = matches!(
            self.prompt,
            Some(Prompt::Reason { leaving: false, .. } | Prompt::OfficialCodes(..))
        );
        if typing {
            c = c.text("字符", "输入", false);
        }
        for (k, what, short) in self.offered() {
            c = c.named(&k, what, short);
        }
        if self.prompt.is_none() {
            c = match self.detail {
                Some(_) => c.text("Up/k  Down/j", "上下滚动", false).text(
                    "PageUp  PageDown",
                    "上下翻页",
                    false,
                ),
                None => c.text("Up/k  Down/j", "上移、下移", false),
            };
        }
        c.build()
    }

    /// The help's heading for the overlay as it is now.
    pub fn help_title(&self) -> &'static str {
        match (&self.detail, &self.prompt) {
            (None, _) => "地方监管事项",
            (Some(_), None) => "地方监管事项（查看）",
            (Some(_), Some(Prompt::Approve(_))) => "审核通过？",
            (Some(_), Some(Prompt::Reason { .. })) => "退回理由",
            (Some(_), Some(Prompt::OfficialCodes(..))) => "国家系统编码",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::widgets::wrap_words as wrap;

    #[test]
    fn chinese_wraps_between_characters_and_latin_words_stay_whole() {
        assert_eq!(wrap("一二三四五", 4, 0, None), ["一二", "三四", "五"]);
        assert_eq!(
            wrap("见 DF410100-0002 第二条", 13, 0, None),
            ["见", "DF410100-0002", "第二条"]
        );
        // “，” does not begin a line; “（” does not end one.
        assert_eq!(wrap("一二，三", 4, 0, None), ["一", "二，", "三"]);
        assert_eq!(wrap("一（二三", 4, 0, None), ["一", "（二", "三"]);
        assert_eq!(wrap("一\n二三", 4, 2, None), ["一", "  二", "  三"]);
        assert_eq!(wrap("ab\ncd", 8, 0, None), ["ab", "cd"]);
    }

    #[test]
    fn a_name_stays_with_the_start_of_what_it_says() {
        let text = "10:00 已退回 王芳：依据要写到条";
        let at = text.find("王芳").unwrap();
        let keep = Some(at..at + "王芳：".len());
        let lines = wrap(text, 16, 2, keep);
        assert_eq!(lines, ["10:00 已退回", "  王芳：依据要写", "  到条"]);
        for l in &lines {
            assert!(l.width() <= 16, "{l}");
        }
    }
}
