//! Drawing the window: title line, pane switcher, panes, status line with
//! the focused pane's keys, and the help overlay built from the same hints.

use super::action::Action;
use super::app::{App, Pane};
use super::panes::details::{checklist_lines, item_lines};
use super::panes::tree::CatalogueTree;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Wrap};

/// Borders drawn with ASCII: box-drawing characters have East-Asian
/// “ambiguous” width, which CJK terminals may draw two columns wide.
pub const ASCII_BORDER: ratatui::symbols::border::Set = ratatui::symbols::border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

/// A bordered block as every pane and overlay uses it.
pub fn block(title: String, focused: bool) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_set(ASCII_BORDER)
        .title(title)
        .border_style(if focused {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        })
}

/// Colour, unless the user set NO_COLOR (no-color.org): whatever is
/// coloured is also marked in text (“!”, bold), so nothing is lost then.
pub fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A list row, reversed when it is the selected one (readable without
/// colour, as under NO_COLOR).
pub fn row(line: Line<'static>, selected: bool) -> Line<'static> {
    if selected {
        line.style(Style::new().add_modifier(Modifier::REVERSED))
    } else {
        line
    }
}

/// A table row, reversed when it is the selected one.
pub fn table_row(row: Row<'static>, selected: bool) -> Row<'static> {
    if selected {
        row.style(Style::new().add_modifier(Modifier::REVERSED))
    } else {
        row
    }
}

/// From this width on, the tree and the item pane sit side by side.
pub const WIDE: u16 = 120;

/// The text cut to `width` columns (a Chinese character takes two),
/// ending in “...” when cut. Three ASCII dots, not “…”: its width is
/// ambiguous and CJK terminals may draw it two columns wide.
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 3 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push_str(&"...".chars().take(width - used).collect::<String>());
    out
}

pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    let [title, tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    // 认领完成 first: the account text can be long and is cut at the edge.
    let mut head = vec![Span::styled(
        " jianguan ",
        Style::new().add_modifier(Modifier::REVERSED),
    )];
    if let Some(c) = &app.claiming {
        head.push(claiming_span(c));
    }
    head.push(Span::raw(format!("  {}", app.who)));
    head.push(Span::raw(format!(
        "  {}",
        app.store
            .path()
            .file_name()
            .map(|f| f.to_string_lossy())
            .unwrap_or_default()
    )));
    frame.render_widget(Paragraph::new(Line::from(head)), title);
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
    draw_status(frame, status, app);
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
        draw_help(frame, area, app);
    }
    if let Some(p) = &app.confirm {
        draw_confirm(frame, area, &p.question);
    }
}

/// “认领完成 05-14 16:20”, or the deadline while it is not.
fn claiming_span(c: &crate::app::views::ClaimingState) -> Span<'static> {
    // Month-day and time: the year is the campaign's.
    let short = |t| {
        crate::domain::format_time(t)
            .get(5..)
            .unwrap_or_default()
            .to_string()
    };
    match (c.finished_at, c.due_at) {
        (Some(at), _) => Span::styled(
            format!("  认领完成 {}", short(at)),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        (None, Some(due)) => Span::raw(format!("  认领截止 {}", short(due))),
        (None, None) => Span::raw(""),
    }
}

/// The yes/no question before a large or final action.
fn draw_confirm(frame: &mut Frame, area: Rect, question: &str) {
    let width = 60.min(area.width);
    let inner_width = width.saturating_sub(2).max(1) as usize;
    let rows: u16 = question
        .lines()
        .map(|l| (unicode_width::UnicodeWidthStr::width(l).max(1)).div_ceil(inner_width) as u16)
        .sum();
    let rect = centered(area, width, rows + 2);
    frame.render_widget(Clear, rect);
    clear_wide_edges(frame, rect);
    let block = block(" 请确认 ".into(), true);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    frame.render_widget(
        Paragraph::new(question.to_string()).wrap(ratatui::widgets::Wrap { trim: false }),
        inner,
    );
}

fn draw_tabs(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = Vec::new();
    for p in Pane::ALL {
        let label = format!(" {} {} ", app.keymap.keys_of(p.focus_action()), p.title());
        if p == app.focus {
            spans.push(Span::styled(
                label,
                Style::new().add_modifier(Modifier::REVERSED),
            ));
        } else {
            spans.push(Span::raw(label));
        }
        spans.push(Span::raw("|"));
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

/// “key 说明” pairs for a list of actions.
fn hint_spans(app: &App, actions: &[Action]) -> Vec<(String, &'static str)> {
    described(app, actions, Action::describe)
}

fn described(
    app: &App,
    actions: &[Action],
    text: impl Fn(Action) -> &'static str,
) -> Vec<(String, &'static str)> {
    actions
        .iter()
        .map(|a| (app.keymap.keys_of(*a), text(*a)))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = Vec::new();
    if !app.status.is_empty() {
        spans.push(Span::styled(
            format!(" {} ", app.status),
            Style::new().add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(" "));
    }
    for (keys, what) in described(app, &app.hints(), |a| app.hint_label(a)) {
        spans.push(Span::styled(
            keys,
            Style::new().add_modifier(Modifier::REVERSED),
        ));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The area of a large overlay (search, legal basis), cleared for drawing.
pub fn overlay(frame: &mut Frame, area: Rect) -> Rect {
    let rect = Rect::new(
        area.x + area.width / 20,
        area.y + 2,
        area.width - area.width / 10,
        area.height.saturating_sub(4),
    );
    frame.render_widget(Clear, rect);
    clear_wide_edges(frame, rect);
    rect
}

/// A popup drawn over wide (CJK) characters must not cut one in half at
/// its left border: the terminal would shift the rest of the row.
pub fn clear_wide_edges(frame: &mut Frame, rect: Rect) {
    let buf = frame.buffer_mut();
    if rect.left() == buf.area.left() {
        return;
    }
    for y in rect.top()..rect.bottom() {
        let cell = &mut buf[(rect.left() - 1, y)];
        if unicode_width::UnicodeWidthStr::width(cell.symbol()) > 1 {
            cell.set_symbol(" ");
        }
    }
}

/// Every pane's keys, from the live keymap, in two columns.
fn draw_help(frame: &mut Frame, area: Rect, app: &App) {
    let sections: [(&str, &[Action]); 4] = [
        (
            "全局",
            &[
                Action::FocusTree,
                Action::FocusItem,
                Action::FocusChecklist,
                Action::FocusProgress,
                Action::NextPane,
                Action::PrevPane,
                Action::LocalItems,
                Action::Units,
                Action::Milestones,
                Action::ToggleMouse,
                Action::Help,
                Action::Quit,
            ],
        ),
        (
            "移动",
            &[
                Action::Up,
                Action::Down,
                Action::PageUp,
                Action::PageDown,
                Action::Top,
                Action::Bottom,
            ],
        ),
        ("事项目录", &[Action::Expand, Action::Collapse]),
        (
            "检查实施清单",
            &[
                Action::Save,
                Action::Submit,
                Action::NextUnfinished,
                Action::ReuseUpper,
                Action::BulkSet,
            ],
        ),
    ];
    let mut lines: Vec<Line> = Vec::new();
    for (title, actions) in sections {
        lines.push(Line::styled(
            title.to_string(),
            Style::new().add_modifier(Modifier::BOLD),
        ));
        for (keys, what) in hint_spans(app, actions) {
            lines.push(Line::from(format!(" {keys:<12} {what}")));
        }
        if title == "事项目录" {
            for (keys, what) in hint_spans(app, CatalogueTree::hints()) {
                lines.push(Line::from(format!(" {keys:<12} {what}")));
            }
        }
    }
    lines.push(Line::styled(
        "进度".to_string(),
        Style::new().add_modifier(Modifier::BOLD),
    ));
    for (keys, what) in hint_spans(app, crate::tui::panes::progress::ProgressView::hints()) {
        lines.push(Line::from(format!(" {keys:<12} {what}")));
    }
    // The ranking rule, in lines that fit half the overlay.
    let rule: Vec<char> = crate::app::progress::RANKING_RULE.chars().collect();
    lines.extend(
        rule.chunks(17)
            .map(|c| Line::from(format!(" {}", c.iter().collect::<String>()))),
    );
    let half = lines.len().div_ceil(2);
    let right = lines.split_off(half);
    let height = (half as u16 + 4).min(area.height);
    let rect = centered(area, 76, height);
    frame.render_widget(Clear, rect);
    clear_wide_edges(frame, rect);
    // Taller than the screen: Up/Down scroll both columns.
    let rows = height.saturating_sub(3) as usize;
    let scroll = app.help_scroll.min(half.saturating_sub(rows));
    let title = if half > rows {
        " 帮助（Up/Down 滚动，其他键关闭） "
    } else {
        " 帮助（按任意键关闭） "
    };
    let block = block(title.into(), true);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [body, foot] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let [l, r] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
    let window = |v: Vec<Line<'static>>| v.into_iter().skip(scroll).collect::<Vec<_>>();
    frame.render_widget(Paragraph::new(window(lines)), l);
    frame.render_widget(Paragraph::new(window(right)), r);
    frame.render_widget(
        Paragraph::new("按键可在配置目录的 keymap.toml 中修改"),
        foot,
    );
}
