//! The checklist form (检查实施清单): the fields of annex 5 in its order and
//! groups, edited in place — one-line fields with tui-input, the long
//! texts with ratatui-textarea (wrapping, CJK caret), choices cycled,
//! 检查方式 picked from the notice's list plus free text — validated as the
//! operator types.

pub mod choose;
pub mod draft;
pub mod local_editor;
pub mod pickers;

use crate::domain::enums::INSPECTION_METHODS;
use crate::domain::{
    Checklist, ChecklistField, ChecklistFields, ChecklistState, FieldError, FieldKind, Id, Unit,
    checklist::checklist_warnings, prefill::Prefill, subject,
};
use crate::tui::action::Action;
use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// The field being edited and its editor.
enum Editor {
    Line(Input),
    Text(Box<TextArea<'static>>),
    Methods(MethodsPicker),
}

/// 检查方式: the listed values as check boxes, then a line for others.
struct MethodsPicker {
    cursor: usize,
    chosen: Vec<bool>,
    other: Input,
}

impl MethodsPicker {
    fn new(current: &[String]) -> Self {
        let chosen = INSPECTION_METHODS
            .iter()
            .map(|m| current.iter().any(|c| c == m))
            .collect();
        let others: Vec<&str> = current
            .iter()
            .map(String::as_str)
            .filter(|c| !INSPECTION_METHODS.contains(c))
            .collect();
        MethodsPicker {
            cursor: 0,
            chosen,
            other: Input::new(others.join("、")),
        }
    }

    fn text(&self) -> String {
        let mut all: Vec<&str> = INSPECTION_METHODS
            .iter()
            .zip(&self.chosen)
            .filter(|(_, on)| **on)
            .map(|(m, _)| *m)
            .collect();
        if !self.other.value().trim().is_empty() {
            all.push(self.other.value());
        }
        all.join("、")
    }

    fn on_other(&self) -> bool {
        self.cursor == INSPECTION_METHODS.len()
    }

    fn up(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    fn down(&mut self) {
        self.cursor = (self.cursor + 1).min(INSPECTION_METHODS.len());
    }
}

/// What the form says beside a value the catalogue gave.
pub const FROM_CATALOGUE: &str = "来自目录，请确认";

/// What a key did to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Handled; nothing for the caller to do.
    Stay,
    /// The fields changed (the caller keeps the draft).
    Changed,
    /// A message for the status line.
    Say(String),
    /// Leave the form for the list.
    Close,
}

pub struct ChecklistForm {
    pub sub_item_id: Id,
    pub sub_code: String,
    pub sub_name: String,
    /// The working copy.
    pub fields: ChecklistFields,
    /// The row as last read or saved (None: not yet started).
    pub base: Option<Checklist>,
    /// The version a save expects (None: create).
    pub expected_version: Option<i64>,
    /// The reused upper-level checklist as it is now, when it changed
    /// since it was copied (上级已更新).
    pub upper: Option<Checklist>,
    pub cursor: usize,
    pub dirty: bool,
    pub errors: Vec<FieldError>,
    /// Accepted, but worth a second look (a 检查比例 that names no number).
    pub warnings: Vec<FieldError>,
    /// Values a new checklist took from the catalogue that the operator
    /// has not yet looked at: marked until the cursor leaves the field.
    pub from_catalogue: Vec<ChecklistField>,
    /// The unit the checklist is for: its level and 实施主体.
    unit: Unit,
    editor: Option<Editor>,
    offset: usize,
}

impl ChecklistForm {
    /// A form over the unit's checklist (or an empty one), items 1 to 3
    /// filled in as the save will fill them.
    pub fn new(
        sub_item_id: Id,
        sub_code: String,
        sub_name: String,
        unit: Unit,
        base: Option<Checklist>,
    ) -> Self {
        let mut fields = base.as_ref().map(|c| c.fields.clone()).unwrap_or_default();
        subject::apply_fixed(&mut fields, &unit, &sub_code);
        let errors = subject::validate_for_unit(&fields, &unit);
        let warnings = checklist_warnings(&fields);
        ChecklistForm {
            warnings,
            unit,
            sub_item_id,
            sub_code,
            sub_name,
            expected_version: base.as_ref().map(|c| c.version),
            fields,
            base,
            upper: None,
            // The first field the operator fills: 委托部门名称.
            cursor: 4,
            dirty: false,
            errors,
            from_catalogue: Vec::new(),
            editor: None,
            offset: 0,
        }
    }

    pub fn field(&self) -> ChecklistField {
        ChecklistField::ALL[self.cursor]
    }

    pub fn editing(&self) -> bool {
        self.editor.is_some()
    }

    /// Whether characters typed go into a field (the 检查方式 check boxes
    /// take none but Space, j and k: `?` there is the help).
    pub fn typing(&self) -> bool {
        match &self.editor {
            Some(Editor::Methods(p)) => p.on_other(),
            other => other.is_some(),
        }
    }

    /// The state the form would save as.
    pub fn state(&self) -> ChecklistState {
        match &self.base {
            Some(b) if !self.dirty && b.state == ChecklistState::Filed => ChecklistState::Filed,
            _ if self.errors.is_empty() => ChecklistState::Complete,
            _ => ChecklistState::Draft,
        }
    }

    /// A checklist with no saved row starts from what the catalogue says;
    /// not an edit (nothing to save or lose until the operator changes it).
    pub fn prefill(&mut self, p: Prefill) {
        if self.base.is_some() {
            return;
        }
        self.fields = p.fields;
        subject::apply_fixed(&mut self.fields, &self.unit, &self.sub_code);
        self.from_catalogue = p.from_catalogue;
        self.revalidate();
    }

    /// The state as stored now (未开始 while there is no row), whatever
    /// the unsaved edits would make it.
    pub fn stored_label(&self) -> &'static str {
        ChecklistState::label_of(self.base.as_ref().map(|b| b.state))
    }

    /// The cursor moves: a catalogue value it leaves counts as seen.
    fn move_to(&mut self, cursor: usize) {
        if cursor != self.cursor {
            let left = self.field();
            self.from_catalogue.retain(|f| *f != left);
        }
        self.cursor = cursor;
    }

    /// Puts other values in (a merge, a restored draft) as unsaved edits.
    pub fn replace_fields(&mut self, fields: ChecklistFields) {
        self.fields = fields;
        subject::apply_fixed(&mut self.fields, &self.unit, &self.sub_code);
        self.dirty = true;
        self.revalidate();
    }

    fn revalidate(&mut self) {
        self.errors = subject::validate_for_unit(&self.fields, &self.unit);
        self.warnings = checklist_warnings(&self.fields);
    }

    fn warning_of(&self, field: ChecklistField) -> Option<&str> {
        self.warnings
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.reason.as_str())
    }

    fn error_of(&self, field: ChecklistField) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.reason.as_str())
    }

    /// Actions while not editing: move, start editing, cycle a choice.
    pub fn handle(&mut self, action: Action) -> Outcome {
        let n = ChecklistField::ALL.len();
        if let Some(c) = crate::tui::panes::moved(action, self.cursor, n, 5) {
            self.move_to(c);
            return Outcome::Stay;
        }
        let field = self.field();
        match action {
            Action::Toggle => self.start_editing(),
            Action::Expand | Action::Collapse if field.kind() == FieldKind::Choice => {
                self.cycle(field, action == Action::Expand)
            }
            _ => Outcome::Stay,
        }
    }

    fn start_editing(&mut self) -> Outcome {
        let field = self.field();
        if !self.fields.applies(field) {
            return Outcome::Say(format!("“{}”现在不适用：{}", field.label(), why_not(field)));
        }
        let text = self.fields.text_of(field);
        self.editor = match field.kind() {
            FieldKind::Fixed => {
                return Outcome::Say(format!("“{}”由系统按事项和本单位填写", field.label()));
            }
            FieldKind::Choice => return self.cycle(field, true),
            FieldKind::Line => Some(Editor::Line(Input::new(text))),
            FieldKind::Text => {
                let mut area = TextArea::new(text.lines().map(str::to_string).collect());
                area.set_wrap_mode(WrapMode::Glyph);
                area.move_cursor(CursorMove::Bottom);
                area.move_cursor(CursorMove::End);
                Some(Editor::Text(Box::new(area)))
            }
            FieldKind::Methods => Some(Editor::Methods(MethodsPicker::new(&self.fields.methods))),
        };
        Outcome::Stay
    }

    /// Next (or previous) value of a choice; from the last back to empty.
    fn cycle(&mut self, field: ChecklistField, forward: bool) -> Outcome {
        let choices = field.choices();
        let current = self.fields.text_of(field);
        let i = choices.iter().position(|c| *c == current);
        let next = match (i, forward) {
            (None, true) => Some(0),
            (None, false) => Some(choices.len() - 1),
            (Some(i), true) if i + 1 < choices.len() => Some(i + 1),
            (Some(i), false) if i > 0 => Some(i - 1),
            _ => None,
        };
        let value = next.map(|i| choices[i]).unwrap_or("");
        self.set(field, value)
    }

    fn set(&mut self, field: ChecklistField, value: &str) -> Outcome {
        match self.fields.set_text(field, value) {
            Ok(()) => {
                self.dirty = true;
                self.from_catalogue.retain(|f| *f != field);
                self.revalidate();
                Outcome::Changed
            }
            Err(e) => Outcome::Say(e),
        }
    }

    /// Keys while editing go to the editor; Esc (and Enter on one line)
    /// ends editing. Every change is applied at once, so validation and
    /// the draft follow the typing.
    pub fn on_key(&mut self, key: KeyEvent) -> Outcome {
        let field = self.field();
        let Some(editor) = &mut self.editor else {
            return Outcome::Stay;
        };
        let value = match editor {
            Editor::Line(input) => match key.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Tab => {
                    self.editor = None;
                    return Outcome::Stay;
                }
                _ => {
                    input.handle_event(&Event::Key(key));
                    input.value().to_string()
                }
            },
            Editor::Text(area) => match key.code {
                KeyCode::Esc | KeyCode::Tab => {
                    self.editor = None;
                    return Outcome::Stay;
                }
                _ => {
                    area.input(key);
                    area.lines().join("\n")
                }
            },
            Editor::Methods(p) => match key.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Tab => {
                    self.editor = None;
                    if self.fields.methods.is_empty() {
                        return Outcome::Say(
                            "检查方式未选：用 j/k 移动，Space 勾选，或在“其他”中输入".into(),
                        );
                    }
                    return Outcome::Stay;
                }
                // On the 其他 line j and k are letters to type.
                KeyCode::Up => {
                    p.up();
                    return Outcome::Stay;
                }
                KeyCode::Char('k') if !p.on_other() => {
                    p.up();
                    return Outcome::Stay;
                }
                KeyCode::Down | KeyCode::Char('j') if !p.on_other() => {
                    p.down();
                    return Outcome::Stay;
                }
                KeyCode::Char(' ') if !p.on_other() => {
                    p.chosen[p.cursor] = !p.chosen[p.cursor];
                    p.text()
                }
                _ if p.on_other() => {
                    p.other.handle_event(&Event::Key(key));
                    p.text()
                }
                _ => return Outcome::Stay,
            },
        };
        self.set(field, &value)
    }

    /// Pasted text goes into the field being edited.
    pub fn on_paste(&mut self, text: &str) -> Outcome {
        let field = self.field();
        let value = match &mut self.editor {
            Some(Editor::Line(input)) => {
                for c in text.chars().filter(|c| !c.is_control()) {
                    input.handle(tui_input::InputRequest::InsertChar(c));
                }
                input.value().to_string()
            }
            Some(Editor::Text(area)) => {
                area.insert_str(text.replace("\r\n", "\n"));
                area.lines().join("\n")
            }
            Some(Editor::Methods(p)) if p.on_other() => {
                for c in text.chars().filter(|c| !c.is_control()) {
                    p.other.handle(tui_input::InputRequest::InsertChar(c));
                }
                p.text()
            }
            _ => return Outcome::Say("先按 Enter 编辑一个字段，再粘贴".into()),
        };
        self.set(field, &value)
    }

    /// The form's lines and, per field, the line it starts on.
    fn lines(&self, width: usize) -> (Vec<Line<'static>>, Vec<usize>) {
        let mut lines = Vec::new();
        let mut starts = Vec::new();
        let theme = crate::tui::theme::current();
        let mut group = None;
        for (i, field) in ChecklistField::ALL.iter().copied().enumerate() {
            if field.group() != group {
                group = field.group();
                if let Some(g) = group {
                    lines.push(Line::styled(format!("[{g}]"), theme.heading()));
                }
            }
            starts.push(lines.len());
            let applies = self.fields.applies(field);
            let value = self.fields.text_of(field);
            let shown = match (applies, value.is_empty()) {
                (false, _) => "（不适用）".to_string(),
                (true, true)
                    if field == ChecklistField::SubjectCode && self.unit.uscc.is_none() =>
                {
                    format!("（{}）", subject::CODE_MISSING)
                }
                (true, true) => "（未填）".to_string(),
                (true, false) => value,
            };
            let indent = if group.is_some() { "  " } else { "" };
            let head = format!("{indent}{}：", field.label());
            let mut style = Style::new();
            if i == self.cursor {
                style = style.patch(theme.selected());
            }
            if !applies {
                style = style.patch(theme.dim());
            }
            let mut first = true;
            for part in shown.split('\n') {
                for chunk in wrap(part, width.saturating_sub(head_width(&head)).max(10)) {
                    let lead = if first {
                        head.clone()
                    } else {
                        " ".repeat(head_width(&head))
                    };
                    first = false;
                    lines.push(Line::from(vec![
                        Span::styled(lead, style),
                        Span::raw(chunk),
                    ]));
                }
            }
            if applies && self.from_catalogue.contains(&field) {
                lines.push(Line::styled(
                    format!("{indent}  * {FROM_CATALOGUE}"),
                    theme.note(),
                ));
            }
            if applies && let Some(reason) = self.error_of(field) {
                lines.push(Line::styled(format!("{indent}  ! {reason}"), theme.error()));
            } else if applies && let Some(reason) = self.warning_of(field) {
                lines.push(Line::styled(
                    format!("{indent}  ? {reason}"),
                    theme.warning(),
                ));
            }
        }
        (lines, starts)
    }

    pub fn draw(&mut self, frame: &mut Frame, area: Rect, focused: bool) {
        // The state and 未保存 stay whole: the item's name gives way.
        let mut tail = format!(" - {}", self.stored_label());
        if !self.errors.is_empty() {
            tail.push_str(&format!("（{} 项待填）", self.errors.len()));
        }
        if self.dirty {
            tail.push_str(" - 未保存");
        }
        tail.push(' ');
        let title =
            crate::tui::widgets::fit_title(" 检查实施清单 - ", &self.sub_name, &tail, area.width);
        let block = crate::tui::draw::block(title, focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let mut body = inner;
        if let Some(up) = &self.upper {
            let [banner, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
            frame.render_widget(
                Paragraph::new(format!(
                    "上级已更新（第 {} 版）：按 r 逐项比较并同步",
                    up.version
                ))
                .style(
                    crate::tui::theme::current()
                        .warning()
                        .add_modifier(Modifier::BOLD),
                ),
                banner,
            );
            body = rest;
        }
        let (lines, starts) = self.lines(body.width as usize);
        let height = body.height as usize;
        let top = starts[self.cursor];
        let bottom = starts.get(self.cursor + 1).copied().unwrap_or(lines.len());
        if top < self.offset {
            self.offset = top.saturating_sub(1);
        } else if bottom > self.offset + height {
            self.offset = bottom.saturating_sub(height).min(top);
        }
        let shown: Vec<Line> = lines.into_iter().skip(self.offset).take(height).collect();
        frame.render_widget(Paragraph::new(shown), body);
        // The editor must not hide the field it edits.
        let field_row = top.saturating_sub(self.offset);
        self.draw_editor(frame, body, field_row < height / 2);
    }

    /// The editor of the field being edited, in a box over the half of the
    /// form the field is not in, with the terminal cursor at the caret (the
    /// IME window follows it).
    fn draw_editor(&mut self, frame: &mut Frame, body: Rect, at_bottom: bool) {
        let field = self.field();
        let Some(editor) = &mut self.editor else {
            return;
        };
        let rows = match editor {
            Editor::Line(_) => 3,
            Editor::Text(_) => 10,
            Editor::Methods(_) => INSPECTION_METHODS.len() as u16 + 3,
        }
        .min(body.height);
        let y = if at_bottom {
            body.bottom() - rows
        } else {
            body.y
        };
        let rect = Rect::new(body.x, y, body.width, rows);
        frame.render_widget(Clear, rect);
        crate::tui::draw::clear_wide_edges(frame, rect);
        let hint = match editor {
            Editor::Line(_) => "Enter/Esc 完成",
            Editor::Text(_) => "Esc 完成，Enter 换行",
            Editor::Methods(_) => "j/k 移动，Space 勾选，Esc 完成",
        };
        let block = crate::tui::draw::block(format!(" 编辑 {}（{hint}） ", field.label()), true);
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        match editor {
            Editor::Line(input) => {
                frame.render_widget(Paragraph::new(input.value().to_string()), inner);
                frame.set_cursor_position((inner.x + input.visual_cursor() as u16, inner.y));
            }
            Editor::Text(area) => {
                frame.render_widget(&**area, inner);
                let c = area.screen_cursor();
                let (top, _) = area.scroll_offset();
                let row = (c.row as u16).saturating_sub(top);
                frame.set_cursor_position((inner.x + c.col as u16, inner.y + row));
            }
            Editor::Methods(p) => {
                let mut lines: Vec<Line> = INSPECTION_METHODS
                    .iter()
                    .zip(&p.chosen)
                    .enumerate()
                    .map(|(i, (m, on))| {
                        let line = Line::from(format!("[{}] {m}", if *on { "x" } else { " " }));
                        crate::tui::draw::row(line, i == p.cursor)
                    })
                    .collect();
                let other = Line::from(format!("其他：{}", p.other.value()));
                lines.push(crate::tui::draw::row(other, p.on_other()));
                frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
                if p.on_other() {
                    let x = inner.x + 6 + p.other.visual_cursor() as u16;
                    let y = inner.y + INSPECTION_METHODS.len() as u16;
                    if y < inner.bottom() {
                        frame.set_cursor_position((x, y));
                    }
                }
            }
        }
    }
}

fn why_not(field: ChecklistField) -> &'static str {
    match field {
        ChecklistField::RandomRatio | ChecklistField::RandomFrequency => {
            "“是否纳入双随机”为“是”时才填"
        }
        ChecklistField::SamplingContent => "“是否抽检”为“是”时才填",
        ChecklistField::CooperationOrg => "“是否协同”为“是”时才填",
        ChecklistField::EntrustCode => "先填写委托部门名称",
        _ => "",
    }
}

fn head_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Cuts a line into pieces of at most `width` columns (CJK counted twice).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width {
            out.push(String::new());
            used = 0;
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
        used += w;
    }
    out
}

impl ChecklistForm {
    /// The form's keys: the field editor's while editing (as `on_key`
    /// reads them), the form's otherwise.
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
    ) -> Vec<crate::tui::commands::Command> {
        use crate::tui::commands::Commands;
        let c = Commands::new(keymap);
        match &self.editor {
            Some(Editor::Line(_)) => {
                c.text("字符", "输入", false)
                    .text("Enter/Esc/Tab", "完成", true)
            }
            Some(Editor::Text(_)) => c
                .text("字符", "输入", false)
                .key(KeyCode::Enter, "换行", "换行")
                .text("Esc/Tab", "完成", true),
            Some(Editor::Methods(_)) => c
                .key(KeyCode::Char(' '), "勾选或取消", "勾选")
                .text("Up/k  Down/j", "上移、下移（在“其他”一行输入文字）", true)
                .text("Esc/Enter/Tab", "完成", true),
            None => c
                .action(Action::Save)
                .action(Action::Submit)
                .action_as(Action::Toggle, "编辑该字段（选择项：换下一个值）", "编辑")
                .actions(
                    &[Action::Expand, Action::Collapse],
                    "选择项：下一个、上一个值",
                )
                .action(Action::NextUnfinished)
                .action(Action::ReuseUpper)
                .key(
                    KeyCode::Esc,
                    "回到清单列表（有未保存的修改时先提醒）",
                    "返回列表",
                )
                .moves(),
        }
        .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn unit(uscc: Option<&str>) -> Unit {
        Unit {
            id: 3,
            name: "市场监督管理局".into(),
            category: crate::domain::UnitCategory::GovernmentDepartment,
            region_id: 2,
            region_name: "郑州市".into(),
            region_level: crate::domain::Level::City,
            uscc: uscc.map(str::to_string),
            counterparts: vec![],
            version: 1,
        }
    }

    fn form() -> ChecklistForm {
        ChecklistForm::new(
            1,
            "10100100100000".into(),
            "对食品生产的监督检查".into(),
            unit(None),
            None,
        )
    }

    fn go_to(f: &mut ChecklistForm, field: ChecklistField) {
        f.cursor = ChecklistField::ALL
            .iter()
            .position(|x| *x == field)
            .unwrap();
    }

    #[test]
    fn typing_validates_live_and_esc_ends_editing() {
        let mut f = form();
        assert!(f.error_of(ChecklistField::TargetMain).is_some());
        go_to(&mut f, ChecklistField::TargetMain);
        f.handle(Action::Toggle);
        assert!(f.editing());
        for c in "食品生产者".chars() {
            assert_eq!(f.on_key(key(KeyCode::Char(c))), Outcome::Changed);
        }
        assert_eq!(f.fields.target_main, "食品生产者");
        assert!(f.error_of(ChecklistField::TargetMain).is_none());
        f.on_key(key(KeyCode::Esc));
        assert!(!f.editing());
        assert!(f.dirty);
    }

    #[test]
    fn subject_is_the_units_own_and_not_editable() {
        let mut f = form();
        assert_eq!(f.fields.subject_name, "郑州市市场监督管理局");
        let missing = f.error_of(ChecklistField::SubjectCode).unwrap_or_default();
        assert!(missing.starts_with(subject::CODE_MISSING), "{missing}");
        go_to(&mut f, ChecklistField::SubjectName);
        assert!(matches!(f.handle(Action::Toggle), Outcome::Say(s) if s.contains("由系统")));
        assert!(!f.editing());
        // A merge or a draft cannot bring another unit's subject in.
        let mut other = f.fields.clone();
        other.subject_name = "郑州市城市管理局".into();
        f.replace_fields(other);
        assert_eq!(f.fields.subject_name, "郑州市市场监督管理局");
        let coded = ChecklistForm::new(
            1,
            "10100100100000".into(),
            "对食品生产的监督检查".into(),
            unit(Some("11410100MB1234567X")),
            None,
        );
        assert_eq!(coded.fields.subject_code, "11410100MB1234567X");
    }

    #[test]
    fn switches_cycle_and_conditional_fields_follow() {
        let mut f = form();
        go_to(&mut f, ChecklistField::RandomRatio);
        assert!(matches!(f.handle(Action::Toggle), Outcome::Say(s) if s.contains("不适用")));
        go_to(&mut f, ChecklistField::RandomIncluded);
        f.handle(Action::Expand);
        assert_eq!(f.fields.random_included, Some(true));
        assert!(f.error_of(ChecklistField::RandomRatio).is_some());
        f.handle(Action::Expand);
        assert_eq!(f.fields.random_included, Some(false));
        assert!(f.error_of(ChecklistField::RandomRatio).is_none());
        f.handle(Action::Expand);
        assert_eq!(f.fields.random_included, None, "back to empty");
    }

    #[test]
    fn methods_are_ticked_and_others_typed_and_long_text_keeps_lines() {
        let mut f = form();
        go_to(&mut f, ChecklistField::Methods);
        f.handle(Action::Toggle);
        f.on_key(key(KeyCode::Char(' ')));
        f.on_key(key(KeyCode::Down));
        f.on_key(key(KeyCode::Char(' ')));
        for _ in 0..INSPECTION_METHODS.len() {
            f.on_key(key(KeyCode::Down));
        }
        f.on_paste("飞行检查");
        assert_eq!(
            f.fields.methods,
            vec![
                INSPECTION_METHODS[0].to_string(),
                INSPECTION_METHODS[1].to_string(),
                "飞行检查".to_string()
            ]
        );
        f.on_key(key(KeyCode::Esc));
        go_to(&mut f, ChecklistField::Content);
        f.handle(Action::Toggle);
        f.on_paste("一、资质\r\n二、过程");
        f.on_key(key(KeyCode::Enter));
        f.on_key(key(KeyCode::Char('三')));
        assert_eq!(f.fields.content, "一、资质\n二、过程\n三");
    }

    #[test]
    fn wrap_counts_wide_characters_twice() {
        assert_eq!(wrap("一二三四五", 4), vec!["一二", "三四", "五"]);
        assert_eq!(wrap("ab一", 3), vec!["ab", "一"]);
    }
}
