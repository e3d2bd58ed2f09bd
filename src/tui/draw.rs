//! Drawing the window: title line, pane switcher, panes, status line with
//! the focused pane's keys, and the overlays. Shared widgets are in
//! `widgets.rs`, the look in `theme.rs`, the help in `help.rs`.

use super::app::{App, Pane};
use super::panes::details::{checklist_lines, item_lines};
use super::theme::{self, Tone};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

// Where panes have always found them.
pub use super::theme::ASCII_BORDER;
pub use super::widgets::{block, clear_wide_edges, colour, fit, overlay, row, table_row};

/// From this width on, the tree and the item pane sit side by side.
pub const WIDE: u16 = 120;

pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    let status_lines = status_lines(app, area.width);
    let [title, tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(status_lines.len() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(title_line(app, area.width)), title);
    draw_tabs(frame, tabs, app);
    let wide = area.width >= WIDE;
    match (wide, app.focus) {
        (true, Pane::Tree | Pane::Item | Pane::Checklist) => {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                    .areas(body);
            app.tree.draw(frame, left, app.focus == Pane::Tree);
            let right_pane = if app.focus == Pane::Checklist {
                Pane::Checklist
            } else {
                Pane::Item
            };
            draw_detail(frame, right, app, right_pane);
        }
        (_, Pane::Tree) => app.tree.draw(frame, body, true),
        (_, Pane::Item) => draw_detail(frame, body, app, Pane::Item),
        (_, Pane::Checklist) => draw_detail(frame, body, app, Pane::Checklist),
        (_, Pane::Progress) => match &mut app.progress {
            Some(p) => p.draw(frame, body, true),
            None => frame.render_widget(Paragraph::new("进度不可用"), body),
        },
    }
    frame.render_widget(Paragraph::new(status_lines), status);
    if let Some(b) = &mut app.basis {
        b.draw(frame, area);
    }
    if app.search_open
        && let Some(s) = &mut app.search
    {
        s.draw(frame, area);
    }
    app.draw_checklist_overlays(frame, area);
    if let Some(l) = &app.local {
        l.draw(frame, area);
    }
    if let Some(e) = &app.editor {
        e.draw(frame, area);
    }
    if let Some(u) = &mut app.units {
        u.draw(frame, area);
    }
    if let Some(p) = &app.progress
        && app.focus == Pane::Progress
    {
        p.draw_overlays(frame, area);
    }
    if app.help {
        super::help::draw(frame, area, app);
    }
    if let Some(p) = &app.confirm {
        draw_confirm(frame, area, &p.question);
    }
}

/// One part of the title line, in the forms it may take, longest first;
/// an empty last form lets the part go.
struct Part {
    forms: Vec<Span<'static>>,
    at: usize,
}

impl Part {
    fn new(forms: Vec<Span<'static>>) -> Part {
        Part { forms, at: 0 }
    }
    fn span(&self) -> &Span<'static> {
        &self.forms[self.at]
    }
    fn shrink(&mut self) -> bool {
        if self.at + 1 < self.forms.len() {
            self.at += 1;
            true
        } else {
            false
        }
    }
}

/// “张伟（zhangw，操作员）”, or with --as who acts for whom; and the forms
/// it shortens to, every one keeping the login and who acts.
fn identity(app: &App) -> Vec<String> {
    let Some(a) = &app.actor else {
        return vec![app.who.clone(), super::widgets::fit(&app.who, 24)];
    };
    let acc = a.effective();
    let role = acc.role.label();
    match &a.acting_as {
        Some(_) => vec![
            format!(
                "{}（{}，{role}，由 {}（{}）代为操作）",
                acc.name, acc.login, a.real.name, a.real.login
            ),
            format!("{}（{}，{role}，{}代）", acc.name, acc.login, a.real.login),
            format!("{}（{}，{}代）", acc.name, acc.login, a.real.login),
        ],
        None => vec![
            format!("{}（{}，{role}）", acc.name, acc.login),
            format!("{}（{}）", acc.name, acc.login),
        ],
    }
}

/// The title line: who (login, acting-as), the unit, 演示数据, the claiming
/// deadline and the database file; at a narrow width the labels shorten,
/// then the unit's name and the file's are cut (the file's in the middle,
/// keeping its ending), never the login.
pub fn title_line(app: &App, width: u16) -> Line<'static> {
    let t = theme::current();
    let width = width as usize;
    let db = app.store.short_name();
    let raw = |s: String| Span::raw(s);
    let mut brand = Part::new(vec![
        Span::styled(" jianguan ", t.brand()),
        Span::styled(" jg ", t.brand()),
    ]);
    let demo = app.demo.then(|| Span::styled(" 演示数据 ", t.demo()));
    let mut who = Part::new(
        identity(app)
            .into_iter()
            .map(|s| raw(format!(" {s}")))
            .collect(),
    );
    let unit = app
        .claiming
        .as_ref()
        .map(|c| c.unit.clone())
        .unwrap_or_default();
    let mut claiming = Part::new(claiming_forms(app, &t));
    let db_full = if db.is_empty() { 0 } else { db.width() + 2 };
    // A long file name may be cut, down to enough to tell it apart.
    let mut db_need = db_full;
    let db_least = db_full.min(2 + 16);
    let used = |brand: &Part, who: &Part, claiming: &Part, unit_w: usize, db_w: usize| {
        brand.span().width()
            + demo.as_ref().map_or(0, |d| d.width() + 1)
            + who.span().width()
            + unit_w
            + claiming.span().width()
            + db_w
    };
    let unit_full = if unit.is_empty() { 0 } else { unit.width() + 2 };
    // The unit's name may be cut, down to a few characters.
    let mut unit_need = unit_full.min(10);
    let acting = app.actor.as_ref().is_some_and(|a| a.acting_as.is_some());
    // Labels shorten first, then the role goes, then the file's name is
    // cut, and only then does the unit's name go.
    let mut step = 0;
    while used(&brand, &who, &claiming, unit_need, db_need) > width {
        let moved = match step {
            0 => brand.shrink(),
            1 => acting && who.at == 0 && who.shrink(),
            2 => claiming.shrink(),
            3 => who.shrink(),
            4 => std::mem::replace(&mut db_need, db_least) > db_least,
            5 => std::mem::replace(&mut unit_need, 0) > 0,
            _ => break,
        };
        if !moved {
            step += 1;
        }
    }
    let room = width.saturating_sub(used(&brand, &who, &claiming, 0, 0));
    // The file takes what the unit's shortest form leaves, the unit the rest.
    let db_w = db_full.min(room.saturating_sub(unit_need));
    let db_text = if db_w >= db_full {
        format!("  {db}")
    } else {
        format!(
            "  {}",
            super::widgets::fit_middle(&db, db_w.saturating_sub(2))
        )
    };
    let room = room.saturating_sub(db_w);
    let unit_text = match unit_full {
        0 => String::new(),
        w if w <= room => format!("  {unit}"),
        _ if room >= 8 && unit_need > 0 => format!("  {}", super::widgets::fit(&unit, room - 2)),
        _ => String::new(),
    };
    let mut spans = vec![brand.span().clone()];
    if let Some(d) = demo {
        spans.push(raw(" ".into()));
        spans.push(d);
    }
    spans.push(who.span().clone());
    spans.push(raw(unit_text));
    spans.push(claiming.span().clone());
    spans.push(raw(db_text));
    Line::from(spans)
}

/// “认领完成 05-14 16:20”, or the deadline while it is not; shorter forms.
fn claiming_forms(app: &App, t: &theme::Theme) -> Vec<Span<'static>> {
    let Some(c) = &app.claiming else {
        return vec![Span::raw("")];
    };
    // Month-day and time: the year is the campaign's.
    let short = |at| {
        crate::domain::format_time(at)
            .get(5..)
            .unwrap_or_default()
            .to_string()
    };
    let now = crate::app::now();
    match (c.finished_at, c.due_at) {
        (Some(at), _) => vec![
            Span::styled(format!("  认领完成 {}", short(at)), t.done()),
            Span::styled(format!("  完成{}", short(at)), t.done()),
        ],
        (None, Some(due)) => {
            let style = if due < now {
                t.overdue()
            } else {
                ratatui::style::Style::new()
            };
            let late = if due < now { "!" } else { "" };
            vec![
                Span::styled(format!("  {late}认领截止 {}", short(due)), style),
                Span::styled(format!("  {late}截止{}", short(due)), style),
            ]
        }
        (None, None) => vec![Span::raw("")],
    }
}

/// The status line: the message (marked by its tone, wrapped to two lines
/// when long, cut with an ellipsis and a pointer to the help beyond that),
/// then as many key hints as fit whole.
pub fn status_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let t = theme::current();
    let width = width as usize;
    let hints = super::help::hints(app);
    let hint_spans = |room: usize| -> Vec<Span<'static>> {
        let mut out = Vec::new();
        let mut used = 0;
        for (keys, what) in &hints {
            let w = keys.width() + 1 + what.width() + 2;
            if used + w > room + 2 {
                break;
            }
            used += w;
            out.push(Span::styled(keys.clone(), t.key()));
            out.push(Span::raw(format!(" {what}  ")));
        }
        out
    };
    let message = app.status.trim();
    if message.is_empty() {
        return vec![Line::from(hint_spans(width))];
    }
    let tone = Tone::of(message);
    let style = t.tone(tone);
    let text = match tone {
        Tone::Error => format!("! {message}（Esc 关闭）"),
        _ => message.to_string(),
    };
    let first_hint = hints.first().map_or(0, |(k, w)| k.width() + w.width() + 3);
    if text.width() + 2 + first_hint <= width {
        let mut spans = vec![Span::styled(format!(" {text} "), style), Span::raw(" ")];
        spans.extend(hint_spans(width - text.width() - 3));
        return vec![Line::from(spans)];
    }
    let mut rows = super::widgets::wrap(&text, width.saturating_sub(1));
    if rows.len() > 2 {
        let more = format!(
            "（按 {} 看全文）",
            app.keymap.keys_of(super::action::Action::Help)
        );
        let rest: String = rows[1..].concat();
        rows.truncate(1);
        rows.push(format!(
            "{}{more}",
            super::widgets::fit(&rest, width.saturating_sub(1 + more.width()))
        ));
    }
    let mut lines: Vec<Line<'static>> = rows
        .iter()
        .map(|r| Line::from(Span::styled(format!(" {r}"), style)))
        .collect();
    // The hints follow on the last line when there is room, or below.
    let last_w = rows.last().map_or(0, |r| r.width() + 1);
    if last_w + 2 + first_hint <= width {
        if let Some(last) = lines.last_mut() {
            last.spans.push(Span::raw("  "));
            last.spans.extend(hint_spans(width - last_w - 2));
        }
    } else {
        lines.push(Line::from(hint_spans(width)));
    }
    lines
}

/// The yes/no question before a large or final action.
fn draw_confirm(frame: &mut Frame, area: Rect, question: &str) {
    let width = 60.min(area.width);
    let inner_width = width.saturating_sub(2).max(1) as usize;
    let rows: u16 = question
        .lines()
        .map(|l| (l.width().max(1)).div_ceil(inner_width) as u16)
        .sum();
    let rect = super::widgets::centered(area, width, rows + 2);
    frame.render_widget(Clear, rect);
    clear_wide_edges(frame, rect);
    let block = block(" 请确认 ".into(), true);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    frame.render_widget(
        Paragraph::new(question.to_string()).wrap(Wrap { trim: false }),
        inner,
    );
}

fn draw_tabs(frame: &mut Frame, area: Rect, app: &App) {
    let t = theme::current();
    let mut spans = Vec::new();
    for p in Pane::ALL {
        let label = format!(" {} {} ", app.keymap.keys_of(p.focus_action()), p.title());
        spans.push(Span::styled(label, t.tab(p == app.focus)));
        spans.push(Span::raw(if t.unicode { "│" } else { "|" }));
    }
    spans.pop();
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_detail(frame: &mut Frame, area: Rect, app: &mut App, pane: Pane) {
    let focused = app.focus == pane;
    // The unit's own checklists: the form, or the list of them.
    if pane == Pane::Checklist {
        if let Some(form) = &mut app.form {
            return form.draw(frame, area, focused);
        }
        if let Some(list) = &mut app.checklists {
            return list.draw(frame, area, focused);
        }
    }
    let lines = match pane {
        Pane::Checklist => {
            let has_unit = app.actor.is_some();
            let checklist = app.checklist().cloned();
            checklist_lines(&app.tree, checklist.as_ref(), has_unit)
        }
        _ => {
            // Cloned out of the cache so the tree can be read alongside.
            let details = app.details().cloned();
            item_lines(&app.tree, details.as_ref())
        }
    };
    let block = block(format!(" {} ", pane.title()), focused);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((app.detail_scroll, 0)),
        area,
    );
}
