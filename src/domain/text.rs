//! Text as officials and spreadsheets write it: full-width forms, stray
//! spaces, line breaks inside cells; and what no stored text may carry
//! (control characters, bidi overrides, more than its field holds).

use super::checklist::ChecklistField;
use std::fmt;

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

/// C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F): a
/// terminal acts on them (ESC starts the sequences that move the cursor,
/// retitle the window or write the clipboard), and the national system
/// refuses them.
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// The bidi embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069): they reorder what follows on the screen, so a code or
/// a name reads differently from what is stored.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that draw nothing (zero-width spaces and joiners, marks, the
/// byte order mark, the soft hyphen, bidi controls): two names differing
/// only by them look the same on every screen and in every spreadsheet.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

/// What shows text stored before these rules (or written by other tools)
/// must escape: controls and bidi controls.
pub fn is_unsafe_to_show(c: char) -> bool {
    is_control(c) || is_bidi_control(c)
}

/// How a field is written, which decides how a typed or pasted value is
/// normalised and whether it may break lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A code: every space and line break dropped (`code`).
    Code,
    /// One line: trimmed (`text`), no line break.
    Line,
    /// A name that must tell one thing from another: one line, and no
    /// character that draws nothing (`is_invisible`).
    Name,
    /// Long text (检查内容, 设定依据…): trimmed, line breaks kept.
    Lines,
}

/// The rule one field's text follows: its name (for messages), how many
/// characters it holds, and its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    pub label: &'static str,
    /// In characters (a Chinese character is one), not bytes.
    pub max_chars: usize,
    pub shape: Shape,
}

const fn rule(label: &'static str, max_chars: usize, shape: Shape) -> TextRule {
    TextRule {
        label,
        max_chars,
        shape,
    }
}

/// Every text field jianguan stores, with its limit: the one table the
/// forms, the command line and every import check against. Names follow
/// the government layouts (annex 1, 2, 5, the catalogue and the power
/// list); codes their format; long texts a few thousand characters, what
/// the national system's text areas take. The checklist's own fields are
/// in [`ChecklistField::text_rule`].
pub mod rules {
    use super::{Shape::*, TextRule, rule};

    // Accounts (annex 2).
    /// An OS login (`useradd` takes 32).
    pub const LOGIN: TextRule = rule("登录名", 32, Code);
    pub const PERSON_NAME: TextRule = rule("姓名", 50, Name);
    pub const OFFICE_POST: TextRule = rule("处室及职务", 100, Line);
    /// 11 digits; room for a landline with extension, which the mobile
    /// rule then explains.
    pub const MOBILE: TextRule = rule("联系电话", 20, Code);

    // Units (annex 1).
    /// The longest real ones are about 30.
    pub const UNIT_NAME: TextRule = rule("单位名称", 50, Name);
    /// A unit as a file or an argument names it: the name, possibly with
    /// its region before it.
    pub const UNIT_REFERENCE: TextRule = rule("单位名称", 100, Line);
    pub const REGION: TextRule = rule("所属区划", 50, Line);
    pub const USCC: TextRule = rule("统一社会信用代码", 18, Code);
    /// Several department names, one a line or separated by “、”.
    pub const COUNTERPARTS: TextRule = rule("对口上级部门", 500, Lines);
    pub const COUNTERPART: TextRule = rule("对口上级部门", 100, Line);

    // The catalogue and local items.
    pub const DEPARTMENT: TextRule = rule("监管部门", 100, Line);
    /// 14 digits, or a local one: DF + 6 + 4 (+ 2 for a sub-item).
    pub const ITEM_CODE: TextRule = rule("事项编码", 20, Code);
    pub const MAIN_NAME: TextRule = rule("主项名称", 200, Line);
    pub const SUB_NAME: TextRule = rule("子项名称", 200, Line);
    pub const PERMIT_NAME: TextRule = rule("对应的许可事项", 500, Line);
    pub const PERMIT_CODE: TextRule = rule("许可事项编码", 50, Code);
    pub const TARGET: TextRule = rule("监管对象", 1_000, Lines);
    pub const MEASURES: TextRule = rule("监管措施", 4_000, Lines);
    pub const BASIS_TEXT: TextRule = rule("设定依据", 4_000, Lines);
    pub const PROCESS: TextRule = rule("监管流程", 4_000, Lines);
    pub const RESULT: TextRule = rule("监管结果", 4_000, Lines);
    /// A value picked from a list (类别, 层级, 是/否, 角色…) as a file
    /// writes it; the column names it in messages.
    pub const CHOICE: TextRule = rule("选项", 50, Line);

    // Legal bases (a local one added while compiling).
    pub const BASIS_TITLE: TextRule = rule("依据标题", 200, Line);
    pub const BASIS_ARTICLE: TextRule = rule("条款", 200, Line);
    pub const BASIS_EXCERPT: TextRule = rule("条款内容", 4_000, Lines);

    // The power list (权责清单).
    pub const POWER_CODE: TextRule = rule("权责事项编码", 50, Code);
    pub const POWER_NAME: TextRule = rule("权责事项名称", 200, Line);

    // Review, deadlines, round trips.
    pub const REVIEW_REASON: TextRule = rule("退回理由", 1_000, Lines);
    pub const MILESTONE_KEY: TextRule = rule("时间节点", 40, Code);
    /// The hidden “单位编号:版本” column of checklist exports.
    pub const VERSION_TAG: TextRule = rule("数据版本", 40, Code);
    /// One 检查方式 of the list.
    pub const METHOD: TextRule = rule("检查方式", 100, Line);

    /// Every rule above, for the tests and the documentation.
    pub const ALL: &[TextRule] = &[
        LOGIN,
        PERSON_NAME,
        OFFICE_POST,
        MOBILE,
        UNIT_NAME,
        UNIT_REFERENCE,
        REGION,
        USCC,
        COUNTERPARTS,
        COUNTERPART,
        DEPARTMENT,
        ITEM_CODE,
        MAIN_NAME,
        SUB_NAME,
        PERMIT_NAME,
        PERMIT_CODE,
        TARGET,
        MEASURES,
        BASIS_TEXT,
        PROCESS,
        RESULT,
        CHOICE,
        BASIS_TITLE,
        BASIS_ARTICLE,
        BASIS_EXCERPT,
        POWER_CODE,
        POWER_NAME,
        REVIEW_REASON,
        MILESTONE_KEY,
        VERSION_TAG,
        METHOD,
    ];
}

impl ChecklistField {
    /// The checklist's row of the text table (annex 5's columns).
    pub fn text_rule(self) -> TextRule {
        use ChecklistField::*;
        let (max_chars, shape) = match self {
            ItemCode => (rules::ITEM_CODE.max_chars, Shape::Code),
            SubjectCode | EntrustCode => (rules::USCC.max_chars, Shape::Code),
            Level | InspectionKind | RandomIncluded | Sampling | Cooperation => {
                (rules::CHOICE.max_chars, Shape::Line)
            }
            SubjectName | EntrustName => (rules::UNIT_REFERENCE.max_chars, Shape::Line),
            TargetMain | TargetSub => (200, Shape::Line),
            // The list as one cell: several methods, one a line or “、”.
            Methods => (500, Shape::Lines),
            RandomRatio | RandomFrequency => (100, Shape::Line),
            Content | SamplingContent => (4_000, Shape::Lines),
            // Annex 5 asks ≤ 50 (a filling rule, `validate_checklist`);
            // this is what may be stored in a draft at all.
            CooperationOrg => (200, Shape::Line),
        };
        rule(self.label(), max_chars, shape)
    }
}

/// Why a text cannot be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Control(char),
    Bidi(char),
    Invisible(char),
    /// A line break in a one-line field.
    LineBreak,
    TooLong {
        chars: usize,
        max: usize,
    },
}

impl TextProblem {
    /// What is wrong and what to do, without the field's name.
    pub fn reason(&self) -> String {
        match self {
            TextProblem::Control(c) => {
                let name = match c {
                    '\t' => "（制表符）",
                    '\r' => "（回车符）",
                    '\u{1b}' => "（ESC，终端控制序列）",
                    _ => "",
                };
                format!("含有控制字符 U+{:04X}{name}，请删除", *c as u32)
            }
            TextProblem::Bidi(c) => format!(
                "含有双向文字控制字符 U+{:04X}（使显示的顺序与实际不同），请删除",
                *c as u32
            ),
            TextProblem::Invisible(c) => {
                format!("含有不可见字符 U+{:04X}，请删除", *c as u32)
            }
            TextProblem::LineBreak => "不能换行，请写成一行".into(),
            TextProblem::TooLong { chars, max } => format!("过长：{chars} 字，最多 {max} 字"),
        }
    }
}

/// A field's text refused: “实施主体名称：含有控制字符 U+001B，请删除”.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError {
    pub field: &'static str,
    pub problem: TextProblem,
}

impl TextError {
    pub fn reason(&self) -> String {
        self.problem.reason()
    }
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}：{}", self.field, self.problem.reason())
    }
}

impl std::error::Error for TextError {}

impl TextRule {
    /// The same rule under another name (a column header, a form label).
    pub const fn named(self, label: &'static str) -> TextRule {
        TextRule { label, ..self }
    }

    /// A raw value (a cell, an argument, a pasted text) as this field
    /// keeps it: spaces of a code dropped, other text trimmed with Windows
    /// line ends unified.
    pub fn normalise(&self, raw: &str) -> String {
        match self.shape {
            Shape::Code => code(raw),
            Shape::Line | Shape::Name | Shape::Lines => text(raw),
        }
    }

    /// Checks a value as it is to be stored: no control character (a line
    /// break only in long text, “\r\n” counting as one), no bidi control,
    /// no invisible character in a name, at most `max_chars` characters.
    pub fn check(&self, value: &str) -> Result<(), TextError> {
        let fail = |problem| {
            Err(TextError {
                field: self.label,
                problem,
            })
        };
        let mut chars = value.chars().peekable();
        let mut count = 0usize;
        while let Some(c) = chars.next() {
            count += 1;
            let breaks_line = c == '\n' || (c == '\r' && chars.peek() == Some(&'\n'));
            if breaks_line {
                if self.shape != Shape::Lines {
                    return fail(TextProblem::LineBreak);
                }
                if c == '\r' {
                    chars.next();
                }
            } else if is_control(c) {
                return fail(TextProblem::Control(c));
            } else if is_bidi_control(c) {
                return fail(TextProblem::Bidi(c));
            } else if self.shape == Shape::Name && is_invisible(c) {
                return fail(TextProblem::Invisible(c));
            }
        }
        if count > self.max_chars {
            return fail(TextProblem::TooLong {
                chars: count,
                max: self.max_chars,
            });
        }
        Ok(())
    }

    /// `check` of a raw value as `normalise` would keep it; a value with
    /// nothing to normalise away is checked without a copy (an import
    /// checks every cell of every row).
    pub fn check_raw(&self, raw: &str) -> Result<(), TextError> {
        let plain = raw.len() <= self.max_chars
            && !raw.chars().any(|c| {
                is_control(c)
                    || is_bidi_control(c)
                    || (self.shape == Shape::Name && is_invisible(c))
            });
        if plain {
            return Ok(());
        }
        self.check(&self.normalise(raw))
    }

    /// `normalise`, then `check`: the value to store, or why not.
    pub fn clean(&self, raw: &str) -> Result<String, TextError> {
        let value = self.normalise(raw);
        self.check(&value)?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::rules::*;
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

    fn problem(rule: TextRule, value: &str) -> Option<TextProblem> {
        rule.check(value).err().map(|e| e.problem)
    }

    #[test]
    fn every_control_class_and_bidi_control_is_refused_in_every_shape() {
        let content = ChecklistField::Content.text_rule();
        for rule in [LOGIN, PERSON_NAME, OFFICE_POST, REVIEW_REASON, content] {
            for c in [
                '\u{0}', '\u{7}', '\u{8}', '\t', '\u{b}', '\u{c}', '\u{1b}', '\u{1f}', '\u{7f}',
                '\u{80}', '\u{9b}', '\u{9f}',
            ] {
                assert_eq!(
                    problem(rule, &format!("甲{c}乙")),
                    Some(TextProblem::Control(c)),
                    "{} U+{:04X}",
                    rule.label,
                    c as u32
                );
            }
            for c in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}'] {
                assert_eq!(
                    problem(rule, &format!("甲{c}乙")),
                    Some(TextProblem::Bidi(c))
                );
            }
            for c in ['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'] {
                assert_eq!(
                    problem(rule, &format!("甲{c}乙")),
                    Some(TextProblem::Bidi(c))
                );
            }
            // Neighbours of the ranges pass.
            for ok in [
                "甲\u{a0}乙",
                "甲\u{2029}乙",
                "甲\u{2070}乙",
                "甲\u{202F}乙",
                "¡",
            ] {
                assert_eq!(problem(rule, ok), None, "{} {ok:?}", rule.label);
            }
        }
    }

    #[test]
    fn line_breaks_only_in_long_text_and_a_lone_carriage_return_never() {
        let content = ChecklistField::Content.text_rule();
        for long in [content, REVIEW_REASON, BASIS_TEXT] {
            assert_eq!(problem(long, "第一条\n第二条"), None);
            assert_eq!(problem(long, "第一条\r\n第二条"), None);
            assert_eq!(
                problem(long, "第一条\r第二条"),
                Some(TextProblem::Control('\r'))
            );
        }
        for one_line in [
            PERSON_NAME,
            OFFICE_POST,
            UNIT_NAME,
            ChecklistField::SubjectName.text_rule(),
        ] {
            assert_eq!(problem(one_line, "张\n三"), Some(TextProblem::LineBreak));
            assert_eq!(problem(one_line, "张\r\n三"), Some(TextProblem::LineBreak));
        }
        // A code's spaces and breaks go before the check.
        assert_eq!(ITEM_CODE.clean(" 1141\r\n0100 "), Ok("11410100".into()));
        assert_eq!(
            REVIEW_REASON.clean(" 第一条\r\n第二条\n"),
            Ok("第一条\n第二条".into())
        );
    }

    #[test]
    fn limits_count_characters_not_bytes_at_exactly_n_and_n_plus_one() {
        for rule in rules::ALL.iter().chain(
            ChecklistField::ALL
                .iter()
                .map(|f| f.text_rule())
                .collect::<Vec<_>>()
                .iter(),
        ) {
            // Three bytes a character: the byte count is far over the limit.
            let n = "国".repeat(rule.max_chars);
            assert_eq!(problem(*rule, &n), None, "{}", rule.label);
            let over = "国".repeat(rule.max_chars + 1);
            assert_eq!(
                problem(*rule, &over),
                Some(TextProblem::TooLong {
                    chars: rule.max_chars + 1,
                    max: rule.max_chars
                }),
                "{}",
                rule.label
            );
        }
        assert_eq!(
            PERSON_NAME
                .check(&"a".repeat(1_048_576))
                .unwrap_err()
                .to_string(),
            "姓名：过长：1048576 字，最多 50 字"
        );
    }

    #[test]
    fn the_message_names_the_field_and_the_character() {
        let e = ChecklistField::SubjectName
            .text_rule()
            .check("郑州市\u{1b}]52;c;aGk=\u{7}")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "实施主体名称：含有控制字符 U+001B（ESC，终端控制序列），请删除"
        );
        assert_eq!(
            REVIEW_REASON
                .check("依据\u{202E}错误")
                .unwrap_err()
                .to_string(),
            "退回理由：含有双向文字控制字符 U+202E（使显示的顺序与实际不同），请删除"
        );
        assert_eq!(
            UNIT_NAME
                .check("金水区\u{200B}教育局")
                .unwrap_err()
                .to_string(),
            "单位名称：含有不可见字符 U+200B，请删除"
        );
        // Only names refuse what draws nothing.
        assert_eq!(BASIS_TEXT.check("第一条\u{200B}"), Ok(()));
        assert_eq!(
            USCC.named("委托部门编码")
                .check("9\u{0}")
                .unwrap_err()
                .field,
            "委托部门编码"
        );
    }

    #[test]
    fn every_checklist_field_has_its_label() {
        for f in ChecklistField::ALL {
            assert_eq!(f.text_rule().label, f.label());
        }
        assert_eq!(ChecklistField::Content.text_rule().shape, Shape::Lines);
        assert_eq!(ChecklistField::TargetMain.text_rule().shape, Shape::Line);
    }
}
