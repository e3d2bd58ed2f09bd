//! Text as officials and spreadsheets write it: full-width forms, stray
//! spaces, line breaks inside cells.

/// Full-width ASCII forms (Ｕ+FF01–FF5E) and the ideographic space become
/// their ASCII counterparts: “１２３ＡＢ” → “123AB”.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// A header cell reduced to what identifies it: half-width, no spaces or
/// line breaks, no required-field stars, parentheses unified.
pub fn header_key(s: &str) -> String {
    half_width(s)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊'))
        .collect()
}

/// A code as typed: half-width, no spaces anywhere.
pub fn code(s: &str) -> String {
    half_width(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Free text: trimmed (also of ideographic spaces), inner line breaks kept,
/// Windows line ends unified.
pub fn text(s: &str) -> String {
    let trimmed = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    if trimmed.contains('\r') {
        trimmed.replace("\r\n", "\n")
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_forms_become_ascii() {
        assert_eq!(half_width("１２３ＡＢ（一）％"), "123AB(一)%");
        assert_eq!(code(" １１４１ ０１００ "), "11410100");
    }

    #[test]
    fn headers_compare_without_spaces_breaks_and_stars() {
        assert_eq!(header_key("检查内容\n（日常）*"), "检查内容(日常)");
        assert_eq!(header_key(" 监管事项 目录编码 "), "监管事项目录编码");
    }

    #[test]
    fn text_keeps_inner_breaks() {
        assert_eq!(text("　第一条\r\n第二条 "), "第一条\n第二条");
    }
}
