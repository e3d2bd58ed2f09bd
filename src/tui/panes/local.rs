//! Local items (地方监管事项) and their review: a list (for the legal
//! reviewer, the queue of 待审核 first, oldest first), an item read-only
//! with its sub-items, bases and their status, power-list entry, rule
//! problems and the history of states and reasons; the reviewer approves
//! or returns with a reason, the operator submits.

use crate::app::views::{LocalDetail, LocalRow};
use crate::domain::{Id, ReviewState, format_time};
use crate::tui::draw::{block, overlay};
use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

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
}

/// What the line being typed at the bottom is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Prompt {
    Reason,
    /// The national codes, asked one by one: the main item's, then each
    /// sub-item's; the ones typed so far.
    OfficialCodes(Vec<String>),
}

pub struct LocalView {
    pub rows: Vec<LocalRow>,
    pub role: Role,
    cursor: usize,
    pub detail: Option<LocalDetail>,
    /// A reason for 退回修改, or the national code for 已录入, being typed.
    reason: Option<(Prompt, Input)>,
    scroll: u16,
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
            reason: None,
            scroll: 0,
        }
    }

    pub fn typing(&self) -> bool {
        self.reason.is_some()
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Outcome {
        if let Some((prompt, input)) = &mut self.reason {
            match key.code {
                KeyCode::Esc => self.reason = None,
                KeyCode::Enter => {
                    let text = input.value().trim().to_string();
                    if let Some(d) = &self.detail
                        && !text.is_empty()
                    {
                        let (id, v) = (d.row.main_item_id, d.row.version);
                        match prompt {
                            Prompt::Reason => {
                                self.reason = None;
                                return Outcome::Return(id, v, text);
                            }
                            Prompt::OfficialCodes(typed) => {
                                // Not 14 digits: stays to be corrected.
                                if !crate::domain::local_item::is_national_code(&text) {
                                    return Outcome::Stay;
                                }
                                typed.push(text);
                                if typed.len() <= d.subs.len() {
                                    *input = Input::default();
                                    return Outcome::Stay;
                                }
                                let codes = crate::app::local_items::EnteredCodes {
                                    main: typed[0].clone(),
                                    subs: d
                                        .subs
                                        .iter()
                                        .zip(&typed[1..])
                                        .map(|((s, _), c)| (s.id, c.clone()))
                                        .collect(),
                                };
                                self.reason = None;
                                return Outcome::MarkEntered(id, v, codes);
                            }
                        }
                    }
                }
                _ => {
                    input.handle_event(&Event::Key(key));
                }
            }
            return Outcome::Stay;
        }
        if let Some(d) = &self.detail {
            let (id, version, state) = (d.row.main_item_id, d.row.version, d.row.state);
            match key.code {
                KeyCode::Esc => {
                    self.detail = None;
                    self.scroll = 0;
                }
                KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => self.scroll += 1,
                KeyCode::Char('a')
                    if self.role == Role::Reviewer && state == ReviewState::Submitted =>
                {
                    return Outcome::Approve(id, version);
                }
                KeyCode::Char('x')
                    if self.role == Role::Reviewer && state == ReviewState::Submitted =>
                {
                    self.reason = Some((Prompt::Reason, Input::default()));
                }
                KeyCode::Char('s')
                    if self.role == Role::Operator
                        && matches!(state, ReviewState::Draft | ReviewState::Returned) =>
                {
                    return Outcome::Submit(id, version);
                }
                KeyCode::Char('e')
                    if self.role == Role::Operator
                        && matches!(state, ReviewState::Draft | ReviewState::Returned) =>
                {
                    return Outcome::Edit(id);
                }
                KeyCode::Char('m')
                    if self.role == Role::Operator && state == ReviewState::Approved =>
                {
                    self.reason = Some((Prompt::OfficialCodes(Vec::new()), Input::default()));
                }
                _ => {}
            }
            return Outcome::Stay;
        }
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => return Outcome::Close,
            KeyCode::Up | KeyCode::Char('k') => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                self.cursor = (self.cursor + 1).min(self.rows.len().saturating_sub(1))
            }
            KeyCode::Enter => {
                if let Some(r) = self.rows.get(self.cursor) {
                    return Outcome::Open(r.main_item_id);
                }
            }
            KeyCode::Char('n') if self.role == Role::Operator => return Outcome::New,
            _ => {}
        }
        Outcome::Stay
    }

    pub fn on_paste(&mut self, text: &str) {
        if let Some((_, input)) = &mut self.reason {
            for c in text.chars().filter(|c| !c.is_control()) {
                input.handle(tui_input::InputRequest::InsertChar(c));
            }
        }
    }

    /// Fresh rows after a write, the detail kept on the same item.
    pub fn reload(&mut self, rows: Vec<LocalRow>, detail: Option<LocalDetail>) {
        let role = self.role;
        let cursor = self.cursor;
        *self = LocalView::new(rows, role);
        self.cursor = cursor.min(self.rows.len().saturating_sub(1));
        self.detail = detail;
    }

    fn keys(&self) -> &'static str {
        match (&self.detail, self.role) {
            (None, Role::Operator) => "Enter 查看  n 新建  Esc 关闭",
            (None, _) => "Enter 查看  Esc 关闭",
            (Some(d), Role::Reviewer) if d.row.state == ReviewState::Submitted => {
                "a 审核通过  x 退回修改  Esc 返回"
            }
            (Some(d), Role::Operator)
                if matches!(d.row.state, ReviewState::Draft | ReviewState::Returned) =>
            {
                "e 修改  s 提交审核  Esc 返回"
            }
            (Some(d), Role::Operator) if d.row.state == ReviewState::Approved => {
                "m 标记已录入  Esc 返回"
            }
            (Some(_), _) => "Esc 返回",
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let rect = overlay(frame, area);
        let title = match &self.detail {
            None => format!(" 地方监管事项（{} 项）  {} ", self.rows.len(), self.keys()),
            Some(d) => format!(" {} {}  {} ", d.row.code, d.row.state.label(), self.keys()),
        };
        let b = block(title, true);
        let inner = b.inner(rect);
        frame.render_widget(b, rect);
        let Some(d) = &self.detail else {
            self.draw_list(frame, inner);
            return;
        };
        let (body, input_area) = if self.reason.is_some() {
            let [b, i] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
            (b, Some(i))
        } else {
            (inner, None)
        };
        frame.render_widget(
            Paragraph::new(detail_lines(d))
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0)),
            body,
        );
        if let (Some(area), Some((kind, input))) = (input_area, &self.reason) {
            let prompt = match kind {
                Prompt::Reason => "退回理由（Enter 退回，Esc 取消）：".to_string(),
                Prompt::OfficialCodes(typed) => {
                    let which = match typed.len() {
                        0 => format!("主项 {}", d.row.code),
                        i => d
                            .subs
                            .get(i - 1)
                            .map(|(s, _)| format!("子项 {}", s.code))
                            .unwrap_or_default(),
                    };
                    format!(
                        "{which} 14位编码（{}/{}）：",
                        typed.len() + 1,
                        d.subs.len() + 1
                    )
                }
            };
            let prompt = prompt.as_str();
            frame.render_widget(
                Paragraph::new(format!("{prompt}{}", input.value()))
                    .style(Style::new().add_modifier(Modifier::BOLD)),
                area,
            );
            let x = area.x
                + unicode_width::UnicodeWidthStr::width(prompt) as u16
                + input.visual_cursor() as u16;
            if x < area.right() {
                frame.set_cursor_position((x, area.y));
            }
        }
    }

    fn draw_list(&self, frame: &mut Frame, area: Rect) {
        if self.rows.is_empty() {
            frame.render_widget(Paragraph::new("没有地方监管事项"), area);
            return;
        }
        let height = area.height as usize;
        let skip = (self.cursor + 1).saturating_sub(height);
        let lines: Vec<Line> = self
            .rows
            .iter()
            .enumerate()
            .skip(skip)
            .take(height)
            .map(|(i, r)| {
                let line = Line::from(format!(
                    "[{}]{} {} 第 {} 版  {}  {}  {}",
                    r.state.label(),
                    if r.basis_repealed {
                        "[依据已废止]"
                    } else {
                        ""
                    },
                    r.code,
                    r.version,
                    r.unit,
                    format_time(r.since),
                    r.name
                ));
                crate::tui::draw::row(line, i == self.cursor)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
    }
}

fn detail_lines(d: &LocalDetail) -> Vec<Line<'static>> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let r = &d.row;
    let mut lines = vec![
        Line::styled(format!("{} {}", r.code, r.name), bold),
        Line::from(format!("编制单位：{}", r.unit)),
        Line::from(format!("状态：{}（第 {} 版）", r.state.label(), r.version)),
    ];
    if let Some(code) = &r.official_code {
        lines.push(Line::from(format!("国家系统编码：{code}")));
    }
    if let Some(reason) = &r.return_reason {
        lines.push(Line::styled(format!("退回理由：{reason}"), bold));
    }
    if !d.main.permit_name.is_empty() {
        lines.push(Line::from(format!(
            "对应的许可事项：{}",
            d.main.permit_name
        )));
    }
    // The linked entry beside the item's own name: the reviewer sees at a
    // glance whether they are the same matter.
    match &d.power_entry {
        Some(p) => {
            lines.push(Line::from(format!(
                "权责清单：{} {}（{}）",
                p.code,
                p.name,
                if p.kind.is_empty() {
                    "未写事项类型"
                } else {
                    p.kind.as_str()
                }
            )));
            lines.push(Line::from(format!("本事项：  {}", r.name)));
        }
        None => lines.push(Line::from("权责清单：（未关联）")),
    }
    for (s, bases) in &d.subs {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            format!("子项 {} {}（{}）", s.code, s.name, s.category.label()),
            bold,
        ));
        if !s.target.is_empty() {
            lines.push(Line::from(format!("  监管对象：{}", s.target)));
        }
        for b in bases {
            lines.push(Line::from(format!(
                "  依据：{}（{}，{}）",
                b.citation(),
                b.kind.label(),
                b.status.label()
            )));
        }
    }
    if !d.problems.is_empty() {
        lines.push(Line::from(""));
        for p in &d.problems {
            lines.push(Line::styled(format!("! {p}"), bold));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled("审核记录".to_string(), bold));
    for h in &d.history {
        lines.push(Line::from(format!("  {}", h.describe())));
    }
    lines
}
