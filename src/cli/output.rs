//! Plain-text tables aligned for Chinese (wide) characters, and JSON; and
//! what keeps stored text from acting on the reader's terminal.
//!
//! Text written before the text rules (domain::text), or into the file by
//! other tools, may hold control characters (ESC starts sequences that
//! retitle the window or write the clipboard) and bidi overrides (they
//! reorder what a line shows). Everything printed here shows them as
//! visible escapes (`\u{1b}`) instead.

use crate::domain::text::is_unsafe_to_show;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;
use unicode_width::UnicodeWidthStr;

fn escape(s: &str, keep_line_breaks: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| is_unsafe_to_show(c) && !(keep_line_breaks && c == '\n');
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One-line text as it may be shown: every control character (line
/// breaks too) and bidi control as a visible escape, “a\u{1b}b”.
pub fn plain(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Multi-line text as it may be shown: `plain`, keeping line breaks.
pub fn plain_text(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// `println!` for lines that carry stored text: the whole line goes
/// through [`plain_text`] (its line breaks stay).
macro_rules! say {
    () => {
        println!()
    };
    ($($arg:tt)*) => {
        println!("{}", $crate::cli::output::plain_text(&format!($($arg)*)))
    };
}
pub(crate) use say;

/// `eprintln!` likewise.
macro_rules! say_err {
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::cli::output::plain_text(&format!($($arg)*)))
    };
}
pub(crate) use say_err;

/// Prints rows under a header, each column padded to its widest cell in
/// terminal columns (a Chinese character takes two). A cell is one line:
/// its line breaks and other controls show escaped.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<Cow<'_, str>>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| plain(cell)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.width());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < cells.len() {
                let width = widths.get(i).copied().unwrap_or(0);
                out.push_str(&" ".repeat(width.saturating_sub(cell.width()) + 2));
            }
        }
        println!("{}", out.trim_end());
    };
    line(header.to_vec());
    for row in &rows {
        line(row.iter().map(|c| c.as_ref()).collect());
    }
}

/// serde_json escapes U+0000–U+001F but writes DEL, the C1 controls and
/// the bidi controls as they are; inside a JSON string `\uXXXX` means the
/// same character, and outside strings JSON has none of them.
fn escape_json(json: String) -> String {
    // Below U+0020 only the layout's own line breaks remain.
    let raw = |c: char| c > '\u{1f}' && is_unsafe_to_show(c);
    if !json.chars().any(raw) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

pub fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", escape_json(serde_json::to_string_pretty(value)?));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_show_escaped_line_breaks_only_in_text() {
        assert_eq!(plain("郑州市"), Cow::Borrowed("郑州市"));
        assert_eq!(
            plain("a\u{1b}]52;c;aGk=\u{7}b"),
            "a\\u{1b}]52;c;aGk=\\u{7}b"
        );
        assert_eq!(plain("依据\u{202E}错误"), "依据\\u{202e}错误");
        assert_eq!(plain("a\u{9b}b\u{7f}"), "a\\u{9b}b\\u{7f}");
        assert_eq!(plain("第一条\n第二条"), "第一条\\u{a}第二条");
        assert_eq!(plain_text("第一条\n第二条\r"), "第一条\n第二条\\u{d}");
    }

    #[test]
    fn json_escapes_what_serde_json_leaves_raw_and_stays_the_same_value() {
        let value = serde_json::json!({ "name": "a\u{1b}b\u{9b}c\u{202E}d\u{2066}e" });
        let text = escape_json(serde_json::to_string_pretty(&value).unwrap());
        assert!(
            !text.chars().any(|c| c != '\n' && is_unsafe_to_show(c)),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
