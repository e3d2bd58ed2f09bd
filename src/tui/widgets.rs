//! Shared widgets: the bordered block, the selected row, the overlay's
//! area, text cut or wrapped to a width. Panes and the frame drawer both
//! use them, so they do not import each other; every style comes from the
//! theme.

use super::theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Row};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A bordered block as every pane and overlay uses it.
pub fn block(title: String, focused: bool) -> Block<'static> {
    let t = theme::current();
    Block::default()
        .borders(Borders::ALL)
        .border_set(t.border_set())
        .border_style(t.border(focused))
        .title(Span::styled(title, t.title(focused)))
}

/// Whether colours are on (NO_COLOR and --no-color turn them off).
pub fn colour() -> bool {
    theme::current().colour
}

/// A list row, marked when it is the selected one.
pub fn row(line: Line<'static>, selected: bool) -> Line<'static> {
    if selected {
        line.patch_style(theme::current().selected())
    } else {
        line
    }
}

/// A table row, marked when it is the selected one.
pub fn table_row(row: Row<'static>, selected: bool) -> Row<'static> {
    if selected {
        row.style(theme::current().selected())
    } else {
        row
    }
}

/// The text cut to `width` columns (a Chinese character takes two),
/// ending in the theme's ellipsis when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let ellipsis = theme::current().ellipsis();
    let room = width.saturating_sub(ellipsis.width());
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        out.push(c);
        used += w;
    }
    // Where even the ellipsis does not fit, as much of it as does.
    let mut used = out.width();
    for c in ellipsis.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out
}

/// The text cut to `width` columns in its middle, so that its beginning
/// and its ending (a file's extension, a date) both stay.
pub fn fit_middle(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let ellipsis = theme::current().ellipsis();
    let room = width.saturating_sub(ellipsis.width());
    let tail_room = room / 2;
    let head_room = room - tail_room;
    let mut head = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > head_room {
            break;
        }
        head.push(c);
        used += w;
    }
    let mut tail = Vec::new();
    let mut used = 0;
    for c in text.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > tail_room {
            break;
        }
        tail.push(c);
        used += w;
    }
    let tail: String = tail.into_iter().rev().collect();
    if width < ellipsis.width() {
        return fit(text, width);
    }
    format!("{head}{ellipsis}{tail}")
}

/// A title of fixed parts around one that may be cut: `head`, `cut`
/// (shortened with an ellipsis to fit) and `tail` kept whole within
/// `width` columns (a block's title has its borders' two columns less).
pub fn fit_title(head: &str, cut: &str, tail: &str, width: u16) -> String {
    let room = (width as usize)
        .saturating_sub(2)
        .saturating_sub(head.width() + tail.width());
    format!("{head}{}{tail}", fit(cut, room))
}

/// Text broken into lines of at most `width` columns, each line's own
/// breaks kept: between any two Chinese characters (Chinese has no spaces
/// to break at), never inside a Latin word, path or number unless it is
/// wider than a line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(2);
    let mut out = Vec::new();
    for part in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for token in tokens(part) {
            let w = token.width();
            if used + w > width && used > 0 {
                out.push(std::mem::take(&mut line).trim_end().to_string());
                used = 0;
                if token == " " {
                    continue;
                }
            }
            if w <= width {
                line.push_str(token);
                used += w;
                continue;
            }
            for c in token.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > width {
                    out.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push(c);
                used += cw;
            }
        }
        out.push(line);
    }
    out
}

/// Pieces that stay together on a line: a wide character, a space, or a
/// run of narrow non-space characters (a word, a path, a number).
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let narrow = c.width().unwrap_or(0) == 1 && c != ' ';
        match (narrow, start) {
            (true, None) => start = Some(i),
            (true, Some(_)) => {}
            (false, s) => {
                if let Some(s) = s {
                    out.push(&text[s..i]);
                }
                start = None;
                out.push(&text[i..i + c.len_utf8()]);
            }
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
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
        if UnicodeWidthStr::width(cell.symbol()) > 1 {
            cell.set_symbol(" ");
        }
    }
}

/// Punctuation that may not begin a line (it stays with what precedes it).
const NO_START: &str = "，。、；：？！）》」』”’%,.;:?!)]}";
/// Punctuation that may not end a line (it goes with what follows it).
const NO_END: &str = "（《「『“‘([{";

/// Wraps what a person wrote (a history entry, a reason) to `width`
/// display columns by words, where `wrap` serves the program's own lines: a run of letters
/// and digits is a word, and so is each Chinese character (Chinese has no
/// spaces; a line may break between any two characters), with the
/// punctuation rules above. `keep` (a byte range) is never broken and
/// stays with the word after it — a name and its “：” go with the start of
/// what the person wrote. Lines after the first begin with `indent`
/// spaces; a word wider than a line is broken where it must.
pub fn wrap_words(
    text: &str,
    width: usize,
    indent: usize,
    keep: Option<std::ops::Range<usize>>,
) -> Vec<String> {
    let narrow = |c: char| c.width().unwrap_or(0) <= 1;
    // Words, each with the spaces before it.
    let mut words: Vec<(String, String)> = Vec::new();
    let mut gap = String::new();
    // The next character joins the last word (after “（” or the name).
    let mut glue = false;
    for (i, c) in text.char_indices() {
        if let Some(k) = keep.as_ref().filter(|k| k.contains(&i)) {
            match words.last_mut() {
                Some((_, w)) if i > k.start || (glue && gap.is_empty()) => w.push(c),
                _ => words.push((std::mem::take(&mut gap), c.to_string())),
            }
            glue = i + c.len_utf8() == k.end;
            continue;
        }
        // A line break written stays one (a reason may have several lines).
        if c == '\n' {
            words.push((String::new(), "\n".into()));
            gap.clear();
            glue = false;
            continue;
        }
        if c.is_whitespace() {
            gap.push(c);
            glue = false;
            continue;
        }
        let joins = gap.is_empty()
            && words.last().is_some_and(|(_, w)| {
                w != "\n"
                    && (glue
                        || NO_START.contains(c)
                        || (narrow(c) && w.chars().last().is_some_and(narrow)))
            });
        match words.last_mut() {
            Some((_, w)) if joins => w.push(c),
            _ => words.push((std::mem::take(&mut gap), c.to_string())),
        }
        glue = NO_END.contains(c);
    }
    let limit = |first: bool| {
        if first {
            width.max(1)
        } else {
            width.saturating_sub(indent).max(1)
        }
    };
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (gap, word) in words {
        if word == "\n" {
            lines.push(std::mem::take(&mut line));
            continue;
        }
        // Spaces at a line's start are kept only on the first line.
        let lead = if line.is_empty() && !lines.is_empty() {
            ""
        } else {
            gap.as_str()
        };
        if line.width() + lead.width() + word.width() <= limit(lines.is_empty()) {
            line.push_str(lead);
            line.push_str(&word);
            continue;
        }
        if !line.trim().is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        line.clear();
        // A word wider than a whole line is broken where it must.
        for c in word.chars() {
            if line.width() + c.width().unwrap_or(0) > limit(lines.is_empty()) && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    let pad = " ".repeat(indent);
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| if i == 0 { l } else { format!("{pad}{l}") })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::theme::Theme;

    #[test]
    fn cut_text_ends_in_the_themes_ellipsis_and_fits() {
        theme::set(Theme::new(true, true));
        assert_eq!(fit("金水区市场监督管理局", 12), "金水区市场…");
        assert_eq!(fit("金水区", 6), "金水区");
        assert_eq!(fit("abcdef", 1), "…");
        theme::set(Theme::new(true, false));
        assert_eq!(fit("金水区市场监督管理局", 12), "金水区市...");
        assert!(fit("金水区市场监督管理局", 12).width() <= 12);
        assert_eq!(fit("郑州市", 2), "..");
        theme::set(Theme::new(true, true));
        assert_eq!(
            fit_title(
                " 检查实施清单 - ",
                "某个很长很长的子项名称",
                " - 草稿 - 未保存 ",
                46
            ),
            " 检查实施清单 - 某个很长很… - 草稿 - 未保存 "
        );
    }

    #[test]
    fn wrapping_breaks_at_the_width_and_at_newlines() {
        assert_eq!(wrap("一二三四五", 4), vec!["一二", "三四", "五"]);
        assert_eq!(wrap("ab\ncd", 10), vec!["ab", "cd"]);
        // Latin words and paths stay whole when they fit on a line.
        assert_eq!(
            wrap("写 borders = \"ascii\" 即可", 12),
            vec!["写 borders =", "\"ascii\" 即可"]
        );
        assert_eq!(
            wrap("在 keymap.toml 中", 9),
            vec!["在", "keymap.to", "ml 中"]
        );
        for l in wrap("一二三 abcdefghijklmnop 四五", 6) {
            assert!(l.width() <= 6, "{l}");
        }
    }
}
