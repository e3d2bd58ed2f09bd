//! The local-item editor (地方监管事项编制): the main item's fields, its
//! sub-items with every catalogue field, legal bases picked from the list
//! (or a new local one added), the unit's power-list entry picked, and the
//! rules of SPEC §2 checked as the operator goes.

use crate::app::local_items::{LocalItemInput, LocalSubItemInput};
use crate::app::views::LocalDetail;
use crate::domain::local_item::{BasisRef, LocalItemProblem, PowerRef, check_local_item};
use crate::domain::{BasisKind, Category, Id, LegalBasis, Level, PermitType, PowerListEntry};
use crate::search::engine::{Entry, Index, Kind};
use crate::tui::draw::{block, fit, overlay};
use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MainField {
    Name,
    PermitName,
    PermitType,
    PermitCode,
    Power,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubField {
    Name,
    Category,
    Target,
    Measures,
    Process,
    Result,
    Levels,
    Bases,
}

const MAIN_FIELDS: [MainField; 5] = [
    MainField::Name,
    MainField::PermitName,
    MainField::PermitType,
    MainField::PermitCode,
    MainField::Power,
];
const SUB_FIELDS: [SubField; 8] = [
    SubField::Name,
    SubField::Category,
    SubField::Target,
    SubField::Measures,
    SubField::Process,
    SubField::Result,
    SubField::Levels,
    SubField::Bases,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Main(MainField),
    Sub(usize, SubField),
    AddSub,
}

/// The level sets a city-compiled item is exercised at, in cycling order.
const LEVEL_SETS: [&[Level]; 3] = [
    &[Level::City, Level::County],
    &[Level::City],
    &[Level::County],
];

/// A list to pick from, filtered by what is typed.
struct Picker {
    filter: Input,
    cursor: usize,
    /// For bases: the sub-item they are for.
    sub: Option<usize>,
    /// A new local basis being written: title, kind, article, excerpt.
    new_basis: Option<NewBasis>,
    /// For bases: the search of `/` over their citations, built once.
    index: Option<Index>,
}

struct NewBasis {
    field: usize,
    title: Input,
    kind: BasisKind,
    article: Input,
    excerpt: Input,
}

/// What the editor asks of the app.
pub enum Outcome {
    Stay,
    Close,
    Say(String),
    Save,
    /// Search the national catalogue for items resting on this title.
    SearchNational(String),
    /// Add this local basis, then select it for the sub-item.
    AddBasis {
        sub: usize,
        title: String,
        kind: BasisKind,
        article: String,
        excerpt: String,
    },
}

pub struct LocalEditor {
    pub main_item_id: Option<Id>,
    pub expected_version: Option<i64>,
    pub unit_id: Id,
    pub input: LocalItemInput,
    pub dirty: bool,
    bases: Vec<LegalBasis>,
    powers: Vec<PowerListEntry>,
    cursor: usize,
    editing: Option<Input>,
    picker: Option<Picker>,
    /// Leaving with unsaved edits: the save / discard / stay question.
    asking: bool,
}

/// The question before unsaved edits could be lost.
const LEAVE_QUESTION: &str = "有未保存的修改。\n\n按 s 保存，d 放弃修改，Esc 或其他键留下继续编辑";

fn empty_sub() -> LocalSubItemInput {
    LocalSubItemInput {
        id: None,
        name: String::new(),
        category: Category::Inspection,
        target: String::new(),
        measures: String::new(),
        process: String::new(),
        result: String::new(),
        levels: vec![Level::City, Level::County],
        basis_ids: Vec::new(),
    }
}

impl LocalEditor {
    /// A new item, or the one shown (its sub-items and bases as stored).
    pub fn new(
        unit_id: Id,
        detail: Option<&LocalDetail>,
        bases: Vec<LegalBasis>,
        powers: Vec<PowerListEntry>,
    ) -> Self {
        let input = match detail {
            None => LocalItemInput {
                name: String::new(),
                permit_name: String::new(),
                permit_type: None,
                permit_code: String::new(),
                power_entry_id: None,
                sub_items: vec![empty_sub()],
            },
            Some(d) => LocalItemInput {
                name: d.main.name.clone(),
                permit_name: d.main.permit_name.clone(),
                permit_type: d.main.permit_type,
                permit_code: d.main.permit_code.clone(),
                power_entry_id: d.power_entry.as_ref().map(|p| p.id),
                sub_items: d
                    .subs
                    .iter()
                    .map(|(s, b)| LocalSubItemInput {
                        id: Some(s.id),
                        name: s.name.clone(),
                        category: s.category,
                        target: s.target.clone(),
                        measures: s.measures.clone(),
                        process: s.process.clone(),
                        result: s.result.clone(),
                        levels: s.levels.clone(),
                        basis_ids: b.iter().map(|b| b.id).collect(),
                    })
                    .collect(),
            },
        };
        LocalEditor {
            main_item_id: detail.map(|d| d.row.main_item_id),
            expected_version: detail.map(|d| d.row.version),
            unit_id,
            input,
            dirty: false,
            bases,
            powers,
            cursor: 0,
            editing: None,
            picker: None,
            asking: false,
        }
    }

    fn rows(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = MAIN_FIELDS.iter().map(|f| Row::Main(*f)).collect();
        for i in 0..self.input.sub_items.len() {
            rows.extend(SUB_FIELDS.iter().map(|f| Row::Sub(i, *f)));
        }
        rows.push(Row::AddSub);
        rows
    }

    fn basis(&self, id: Id) -> Option<&LegalBasis> {
        self.bases.iter().find(|b| b.id == id)
    }

    /// The rules of SPEC §2 over what is typed now.
    pub fn problems(&self) -> Vec<LocalItemProblem> {
        let chosen: Vec<&LegalBasis> = self
            .input
            .sub_items
            .iter()
            .flat_map(|s| s.basis_ids.iter().filter_map(|id| self.basis(*id)))
            .collect();
        let refs: Vec<BasisRef<'_>> = chosen
            .iter()
            .map(|b| BasisRef {
                title: &b.title,
                kind: b.kind,
                status: b.status,
            })
            .collect();
        let power = self
            .input
            .power_entry_id
            .and_then(|id| self.powers.iter().find(|p| p.id == id))
            .map(|p| PowerRef {
                unit_id: p.unit_id,
                kind: &p.kind,
            });
        let categories: Vec<_> = self.input.sub_items.iter().map(|s| s.category).collect();
        check_local_item(&refs, power, &categories, self.unit_id)
    }

    /// A basis just added: known from now on, and chosen for the sub-item.
    pub fn add_basis(&mut self, sub: usize, basis: LegalBasis) {
        // The picker closes below; it is built again, with this one, when
        // next opened.
        if let Some(s) = self.input.sub_items.get_mut(sub)
            && !s.basis_ids.contains(&basis.id)
        {
            s.basis_ids.push(basis.id);
        }
        if self.basis(basis.id).is_none() {
            self.bases.push(basis);
        }
        self.picker = None;
        self.dirty = true;
    }

    fn text_of(&self, row: Row) -> String {
        let i = &self.input;
        match row {
            Row::Main(MainField::Name) => i.name.clone(),
            Row::Main(MainField::PermitName) => i.permit_name.clone(),
            Row::Main(MainField::PermitType) => i
                .permit_type
                .map(|t| t.label().to_string())
                .unwrap_or_default(),
            Row::Main(MainField::PermitCode) => i.permit_code.clone(),
            Row::Main(MainField::Power) => i
                .power_entry_id
                .and_then(|id| self.powers.iter().find(|p| p.id == id))
                .map(|p| format!("{} {}（{}）", p.code, p.name, p.kind))
                .unwrap_or_default(),
            Row::Sub(n, f) => {
                let s = &i.sub_items[n];
                match f {
                    SubField::Name => s.name.clone(),
                    SubField::Category => s.category.label().to_string(),
                    SubField::Target => s.target.clone(),
                    SubField::Measures => s.measures.clone(),
                    SubField::Process => s.process.clone(),
                    SubField::Result => s.result.clone(),
                    SubField::Levels => s
                        .levels
                        .iter()
                        .map(|l| l.label())
                        .collect::<Vec<_>>()
                        .join("、"),
                    SubField::Bases => s
                        .basis_ids
                        .iter()
                        .filter_map(|id| self.basis(*id))
                        .map(|b| format!("{}（{}）", b.citation(), b.kind.label()))
                        .collect::<Vec<_>>()
                        .join("；"),
                }
            }
            Row::AddSub => String::new(),
        }
    }

    fn set_text(&mut self, row: Row, value: String) {
        let i = &mut self.input;
        match row {
            Row::Main(MainField::Name) => i.name = value,
            Row::Main(MainField::PermitName) => i.permit_name = value,
            Row::Main(MainField::PermitCode) => i.permit_code = value,
            Row::Sub(n, f) => {
                let s = &mut i.sub_items[n];
                match f {
                    SubField::Name => s.name = value,
                    SubField::Target => s.target = value,
                    SubField::Measures => s.measures = value,
                    SubField::Process => s.process = value,
                    SubField::Result => s.result = value,
                    _ => return,
                }
            }
            _ => return,
        }
        self.dirty = true;
    }

    /// Next value of a choice row.
    fn cycle(&mut self, row: Row) {
        let i = &mut self.input;
        match row {
            Row::Main(MainField::PermitType) => {
                let all = PermitType::ALL;
                i.permit_type = match i.permit_type.and_then(|t| all.iter().position(|x| *x == t)) {
                    None => all.first().copied(),
                    Some(p) => all.get(p + 1).copied(),
                };
            }
            Row::Sub(n, SubField::Category) => {
                let all = Category::ALL;
                let s = &mut i.sub_items[n];
                let p = all.iter().position(|c| *c == s.category).unwrap_or(0);
                s.category = all[(p + 1) % all.len()];
            }
            Row::Sub(n, SubField::Levels) => {
                let s = &mut i.sub_items[n];
                let p = LEVEL_SETS
                    .iter()
                    .position(|set| *set == s.levels.as_slice());
                s.levels = LEVEL_SETS[p.map_or(0, |p| (p + 1) % LEVEL_SETS.len())].to_vec();
            }
            _ => return,
        }
        self.dirty = true;
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Outcome {
        if self.picker.is_some() {
            return self.picker_key(key);
        }
        let rows = self.rows();
        let row = rows[self.cursor.min(rows.len() - 1)];
        if let Some(input) = &mut self.editing {
            match key.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Tab => self.editing = None,
                _ => {
                    input.handle_event(&Event::Key(key));
                    let v = input.value().to_string();
                    self.set_text(row, v);
                }
            }
            return Outcome::Stay;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if std::mem::take(&mut self.asking) {
            return match key.code {
                KeyCode::Char('s' | 'S') => Outcome::Save,
                KeyCode::Char('d' | 'D') if !ctrl => Outcome::Close,
                _ => Outcome::Say("留在编辑中：修改尚未保存（Ctrl-s 保存）".into()),
            };
        }
        if ctrl && key.code == KeyCode::Char('s') {
            return Outcome::Save;
        }
        let leave = matches!(key.code, KeyCode::Esc | KeyCode::Char('q'))
            || (ctrl && key.code == KeyCode::Char('c'));
        match key.code {
            _ if leave && self.dirty => {
                self.asking = true;
                return Outcome::Say("有未保存的修改：s 保存，d 放弃，Esc 留下".into());
            }
            _ if leave => return Outcome::Close,
            KeyCode::Up | KeyCode::Char('k') => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                self.cursor = (self.cursor + 1).min(rows.len() - 1)
            }
            KeyCode::Char('/') => {
                if let Some(LocalItemProblem::NationalBasis(title, _)) = self
                    .problems()
                    .into_iter()
                    .find(|p| matches!(p, LocalItemProblem::NationalBasis(..)))
                {
                    return Outcome::SearchNational(title);
                }
            }
            KeyCode::Char('D') => {
                if let Row::Sub(n, _) = row
                    && self.input.sub_items.len() > 1
                {
                    self.input.sub_items.remove(n);
                    self.dirty = true;
                    self.cursor = self.cursor.min(self.rows().len() - 1);
                    return Outcome::Say("已删除该子项（保存后生效）".into());
                }
            }
            KeyCode::Left | KeyCode::Right => self.cycle(row),
            KeyCode::Enter => match row {
                Row::AddSub => {
                    self.input.sub_items.push(empty_sub());
                    self.dirty = true;
                    self.cursor = rows.len() - 1;
                }
                Row::Main(MainField::PermitType)
                | Row::Sub(_, SubField::Category)
                | Row::Sub(_, SubField::Levels) => self.cycle(row),
                Row::Main(MainField::Power) => self.open_picker(None),
                Row::Sub(n, SubField::Bases) => self.open_picker(Some(n)),
                _ => self.editing = Some(Input::new(self.text_of(row))),
            },
            _ => {}
        }
        Outcome::Stay
    }

    fn open_picker(&mut self, sub: Option<usize>) {
        let index = sub.map(|_| self.basis_index());
        self.picker = Some(Picker {
            filter: Input::default(),
            cursor: 0,
            sub,
            new_basis: None,
            index,
        });
    }

    fn basis_index(&self) -> Index {
        Index::new(
            self.bases
                .iter()
                .map(|b| Entry {
                    kind: Kind::Basis,
                    id: b.id,
                    code: String::new(),
                    alt_code: String::new(),
                    text: b.citation(),
                    detail: "".into(),
                })
                .collect(),
        )
    }

    /// The picker's choices: (id, text, chosen).
    fn choices(&self) -> Vec<(Id, String, bool)> {
        let Some(p) = &self.picker else {
            return Vec::new();
        };
        let q = p.filter.value().trim();
        match p.sub {
            Some(n) => {
                let chosen = &self.input.sub_items[n].basis_ids;
                let text = |b: &LegalBasis| {
                    format!(
                        "{}（{}，{}）",
                        b.citation(),
                        b.kind.label(),
                        b.status.label()
                    )
                };
                if q.is_empty() {
                    return self
                        .bases
                        .iter()
                        .map(|b| (b.id, text(b), chosen.contains(&b.id)))
                        .collect();
                }
                // The search of `/`: words, pinyin initials, fuzzy.
                let Some(index) = &p.index else {
                    return Vec::new();
                };
                index
                    .search(q, None)
                    .iter()
                    .filter_map(|h| self.basis(index.entry(h.entry).id))
                    .map(|b| (b.id, text(b), chosen.contains(&b.id)))
                    .collect()
            }
            None => self
                .powers
                .iter()
                .map(|p| {
                    (
                        p.id,
                        format!("{} {}", p.code, p.name),
                        Some(p.id) == self.input.power_entry_id,
                    )
                })
                .filter(|(_, t, _)| q.is_empty() || t.contains(q))
                .collect(),
        }
    }

    fn picker_key(&mut self, key: KeyEvent) -> Outcome {
        let choices = self.choices();
        let Some(p) = &mut self.picker else {
            return Outcome::Stay;
        };
        if let Some(nb) = &mut p.new_basis {
            match key.code {
                KeyCode::Esc => p.new_basis = None,
                KeyCode::Tab | KeyCode::Down => nb.field = (nb.field + 1) % 4,
                KeyCode::BackTab | KeyCode::Up => nb.field = (nb.field + 3) % 4,
                KeyCode::Left | KeyCode::Right if nb.field == 1 => {
                    nb.kind = if nb.kind == BasisKind::LocalRegulation {
                        BasisKind::LocalGovernmentRule
                    } else {
                        BasisKind::LocalRegulation
                    }
                }
                KeyCode::Enter => {
                    return Outcome::AddBasis {
                        sub: p.sub.unwrap_or(0),
                        title: nb.title.value().to_string(),
                        kind: nb.kind,
                        article: nb.article.value().to_string(),
                        excerpt: nb.excerpt.value().to_string(),
                    };
                }
                _ => {
                    let target = match nb.field {
                        0 => Some(&mut nb.title),
                        2 => Some(&mut nb.article),
                        3 => Some(&mut nb.excerpt),
                        _ => None,
                    };
                    if let Some(input) = target {
                        input.handle_event(&Event::Key(key));
                    }
                }
            }
            return Outcome::Stay;
        }
        match key.code {
            KeyCode::Esc | KeyCode::Enter if p.sub.is_some() => self.picker = None,
            KeyCode::Esc => self.picker = None,
            KeyCode::Up => p.cursor = p.cursor.saturating_sub(1),
            KeyCode::Down => p.cursor = (p.cursor + 1).min(choices.len().saturating_sub(1)),
            KeyCode::Char('n')
                if key.modifiers.contains(KeyModifiers::CONTROL) && p.sub.is_some() =>
            {
                p.new_basis = Some(NewBasis {
                    field: 0,
                    title: Input::new(p.filter.value().to_string()),
                    kind: BasisKind::LocalRegulation,
                    article: Input::default(),
                    excerpt: Input::default(),
                });
            }
            KeyCode::Char(' ') | KeyCode::Enter => {
                let sub = p.sub;
                if let Some((id, _, on)) = choices.get(p.cursor) {
                    match sub {
                        Some(n) => {
                            let ids = &mut self.input.sub_items[n].basis_ids;
                            if *on {
                                ids.retain(|x| x != id);
                            } else {
                                ids.push(*id);
                            }
                        }
                        None => {
                            self.input.power_entry_id = Some(*id);
                            self.picker = None;
                        }
                    }
                    self.dirty = true;
                }
            }
            _ => {
                p.filter.handle_event(&Event::Key(key));
                p.cursor = 0;
            }
        }
        Outcome::Stay
    }

    pub fn on_paste(&mut self, text: &str) {
        let input = match (&mut self.editing, &mut self.picker) {
            (Some(i), _) => i,
            (None, Some(p)) => match &mut p.new_basis {
                Some(nb) => match nb.field {
                    0 => &mut nb.title,
                    2 => &mut nb.article,
                    3 => &mut nb.excerpt,
                    _ => return,
                },
                None => &mut p.filter,
            },
            _ => return,
        };
        for c in text.chars().filter(|c| !c.is_control()) {
            input.handle(tui_input::InputRequest::InsertChar(c));
        }
        if self.editing.is_some() {
            let rows = self.rows();
            let row = rows[self.cursor.min(rows.len() - 1)];
            let v = self
                .editing
                .as_ref()
                .map(|i| i.value().to_string())
                .unwrap_or_default();
            self.set_text(row, v);
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let rect = overlay(frame, area);
        let title = match self.main_item_id {
            None => " 新建地方监管事项（Enter 编辑/选择  Ctrl-s 保存  Esc 关闭） ",
            Some(_) => " 修改地方监管事项（Enter 编辑/选择  Ctrl-s 保存  Esc 关闭） ",
        };
        let b = block(title.into(), true);
        let inner = b.inner(rect);
        frame.render_widget(b, rect);
        let problems = self.problems();
        let bold = crate::tui::theme::current().error();
        let mut head_lines: Vec<Line> = Vec::new();
        if problems.is_empty() {
            head_lines.push(Line::from("符合地方事项的规则，可保存后提交审核"));
        }
        for p in &problems {
            head_lines.push(Line::styled(format!("！{p}"), bold));
            if matches!(p, LocalItemProblem::NationalBasis(..)) {
                head_lines.push(Line::from("  按 / 查找国家目录中的事项"));
            }
        }
        // Long reasons wrap: count the rows they take.
        let width = inner.width.max(1) as usize;
        let head_rows: usize = head_lines
            .iter()
            .map(|l| l.width().max(1).div_ceil(width))
            .sum();
        let [head, body] =
            Layout::vertical([Constraint::Length(head_rows as u16), Constraint::Min(1)])
                .areas(inner);
        frame.render_widget(
            Paragraph::new(head_lines).wrap(ratatui::widgets::Wrap { trim: false }),
            head,
        );
        let rows = self.rows();
        let mut lines = Vec::new();
        let mut cursor_line = 0;
        for (i, row) in rows.iter().enumerate() {
            if let Row::Sub(n, SubField::Name) = row {
                lines.push(Line::styled(format!("子项 {}", n + 1), bold));
            }
            let label = match row {
                Row::Main(f) => match f {
                    MainField::Name => "主项名称",
                    MainField::PermitName => "对应的许可事项",
                    MainField::PermitType => "许可事项类型",
                    MainField::PermitCode => "许可事项编码",
                    MainField::Power => "权责清单事项",
                },
                Row::Sub(_, f) => match f {
                    SubField::Name => "  子项名称",
                    SubField::Category => "  类别",
                    SubField::Target => "  监管对象",
                    SubField::Measures => "  监管措施",
                    SubField::Process => "  监管流程",
                    SubField::Result => "  监管结果",
                    SubField::Levels => "  行使层级",
                    SubField::Bases => "  设定依据",
                },
                Row::AddSub => "[+ 增加子项]",
            };
            let value = match (&self.editing, i == self.cursor) {
                (Some(input), true) => format!("{}_", input.value()),
                _ => self.text_of(*row),
            };
            let text = if *row == Row::AddSub {
                label.to_string()
            } else {
                format!("{label}：{value}")
            };
            // The row being read or typed in wraps whole; the others are
            // cut with an ellipsis so each stays one row.
            if i == self.cursor {
                for part in crate::tui::widgets::wrap(&text, width) {
                    lines.push(Line::styled(part, crate::tui::theme::current().selected()));
                }
                cursor_line = lines.len() - 1;
            } else {
                lines.push(Line::from(fit(&text, width)));
            }
        }
        let height = body.height as usize;
        let skip = (cursor_line + 2).saturating_sub(height);
        frame.render_widget(
            Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()),
            body,
        );
        if let Some(p) = &self.picker {
            self.draw_picker(frame, body, p);
        }
        if self.asking {
            draw_question(frame, rect, LEAVE_QUESTION);
        }
    }

    /// True while the save / discard / stay question is shown.
    pub fn asking(&self) -> bool {
        self.asking
    }

    fn draw_picker(&self, frame: &mut Frame, area: Rect, p: &Picker) {
        let rect = Rect::new(
            area.x + 2,
            area.y + 1,
            area.width.saturating_sub(4),
            area.height.saturating_sub(1),
        );
        frame.render_widget(ratatui::widgets::Clear, rect);
        crate::tui::draw::clear_wide_edges(frame, rect);
        let title = match (&p.new_basis, p.sub) {
            (Some(_), _) => " 新增地方依据（Tab 换项  Left/Right 改类型  Enter 添加  Esc 返回） ",
            (None, Some(_)) => {
                " 选择设定依据（输入名称或拼音  Space 选中/取消  Ctrl-n 新增地方依据  Enter 完成） "
            }
            (None, None) => " 选择本单位权责清单事项（输入筛选  Enter 选定  Esc 取消） ",
        };
        let b = block(title.into(), true);
        let inner = b.inner(rect);
        frame.render_widget(b, rect);
        if let Some(nb) = &p.new_basis {
            let mark = |i: usize| if nb.field == i { ">" } else { " " };
            let lines = vec![
                Line::from(format!("{}标题：《{}》", mark(0), nb.title.value())),
                Line::from(format!("{}类型：{}", mark(1), nb.kind.label())),
                Line::from(format!("{}条款：{}", mark(2), nb.article.value())),
                Line::from(format!("{}摘录：{}", mark(3), nb.excerpt.value())),
            ];
            frame.render_widget(Paragraph::new(lines), inner);
            return;
        }
        let [filter, list] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
        frame.render_widget(
            Paragraph::new(format!("筛选：{}", p.filter.value())),
            filter,
        );
        frame.set_cursor_position((filter.x + 6 + p.filter.visual_cursor() as u16, filter.y));
        let choices = self.choices();
        if choices.is_empty() {
            let msg = if p.sub.is_some() {
                "没有符合的依据：按 Ctrl-n 新增地方性法规或地方政府规章"
            } else {
                "本单位没有符合的权责清单事项（可先导入权责清单）"
            };
            frame.render_widget(Paragraph::new(msg), list);
            return;
        }
        let height = list.height as usize;
        let skip = (p.cursor + 1).saturating_sub(height);
        let lines: Vec<Line> = choices
            .iter()
            .enumerate()
            .skip(skip)
            .take(height)
            .map(|(i, (_, t, on))| {
                let line = Line::from(format!("[{}] {t}", if *on { "x" } else { " " }));
                crate::tui::draw::row(line, i == p.cursor)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list);
    }
}

/// A question in a box over the middle of `area`, wrapped.
fn draw_question(frame: &mut Frame, area: Rect, question: &str) {
    let width = 50.min(area.width);
    let inner_width = width.saturating_sub(2).max(1) as usize;
    let rows: u16 = question
        .lines()
        .map(|l| (unicode_width::UnicodeWidthStr::width(l).max(1)).div_ceil(inner_width) as u16)
        .sum();
    let height = (rows + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(ratatui::widgets::Clear, rect);
    crate::tui::draw::clear_wide_edges(frame, rect);
    let b = block(" 离开编辑 ".into(), true);
    let inner = b.inner(rect);
    frame.render_widget(b, rect);
    frame.render_widget(
        Paragraph::new(question.to_string()).wrap(ratatui::widgets::Wrap { trim: false }),
        inner,
    );
}

impl LocalEditor {
    /// True while characters go to a field or a picker's filter.
    pub fn typing(&self) -> bool {
        self.editing.is_some() || self.picker.is_some()
    }

    /// The help's heading for the editor as it is now.
    pub fn help_title(&self) -> &'static str {
        match (&self.picker, self.main_item_id) {
            (Some(p), _) if p.new_basis.is_some() => "新增地方依据",
            (Some(p), _) if p.sub.is_some() => "选择设定依据",
            (Some(_), _) => "选择权责清单事项",
            (None, None) => "新建地方监管事项",
            (None, Some(_)) => "修改地方监管事项",
        }
    }

    /// The editor's keys, as `on_key` and `picker_key` read them.
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
    ) -> Vec<crate::tui::commands::Command> {
        let c = crate::tui::commands::Commands::new(keymap);
        let ctrl = KeyModifiers::CONTROL;
        match &self.picker {
            Some(p) if p.new_basis.is_some() => c
                .text("字符", "输入", false)
                .text("Tab/Down  BackTab/Up", "下一项、上一项", true)
                .text("Left/Right", "改依据类型（在类型一行）", true)
                .key(KeyCode::Enter, "添加这条依据", "添加")
                .key(KeyCode::Esc, "返回", "返回"),
            Some(p) if p.sub.is_some() => c
                .text("字符", "按名称或拼音筛选", false)
                .key(KeyCode::Char(' '), "选中或取消所选依据", "选中/取消")
                .key_with(KeyCode::Char('n'), ctrl, "新增一条地方依据", "新增依据")
                .text("Enter/Esc", "完成", true)
                .text("Up  Down", "上移、下移", false),
            Some(_) => c
                .text("字符", "筛选", false)
                .text("Enter/Space", "选定", true)
                .key(KeyCode::Esc, "取消", "取消")
                .text("Up  Down", "上移、下移", false),
            None if self.editing.is_some() => {
                c.text("字符", "输入", false)
                    .text("Enter/Esc/Tab", "完成", true)
            }
            None if self.asking => c
                .key(KeyCode::Char('s'), "保存", "保存")
                .key(KeyCode::Char('d'), "放弃修改并关闭", "放弃")
                .text("其他键", "留在编辑中", true),
            None => c
                .key(KeyCode::Enter, "编辑所选项，或打开选择", "编辑/选择")
                .key_with(KeyCode::Char('s'), ctrl, "保存（有问题时存为草稿）", "保存")
                .text("Left/Right", "切换选择项", true)
                .key(KeyCode::Char('D'), "删除所选子项（保存后生效）", "删除子项")
                .key(
                    KeyCode::Char('/'),
                    "依据是国家层面的：到国家目录中查找",
                    "查国家目录",
                )
                .text("Up/k  Down/j", "上移、下移", false)
                .text("Esc/q/Ctrl-c", "关闭（有未保存的修改时先问）", true),
        }
        .build()
    }
}
