//! 统一社会信用代码 (GB 32100-2015).

use serde::{Serialize, Serializer};
use std::fmt;

/// The 31 characters a code may use (no I, O, S, V, Z).
const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A valid unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uscc(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("统一社会信用代码应为18位，实为{0}位")]
    Length(usize),
    #[error(
        "统一社会信用代码第{position}位“{ch}”不是允许的字符（只能是数字和除I、O、S、V、Z外的大写字母）"
    )]
    Character { position: usize, ch: char },
    #[error("统一社会信用代码校验位错误：第18位应为“{expected}”，实为“{found}”")]
    CheckCharacter { expected: char, found: char },
    #[error(
        "统一社会信用代码第1位（登记管理部门）“{0}”无效：应为1-9、A、N或Y（机关、事业单位多为1）"
    )]
    Authority(char),
    #[error("统一社会信用代码第2位（机构类别）“{0}”无效：应为1-9")]
    Kind(char),
    #[error("统一社会信用代码第3-8位应为6位行政区划代码，实为“{0}”")]
    Region(String),
    #[error("统一社会信用代码“{0}”是占位的全零代码，不是真实代码")]
    Placeholder(String),
}

fn value_of(c: char) -> Option<u32> {
    CHARSET.find(c).map(|i| i as u32)
}

impl Uscc {
    /// Parses a code, accepting surrounding spaces and lower case.
    pub fn parse(text: &str) -> Result<Uscc, UsccError> {
        let code: Vec<char> = text
            .trim()
            .chars()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if code.len() != 18 {
            return Err(UsccError::Length(code.len()));
        }
        let mut sum = 0;
        for (i, &c) in code.iter().enumerate() {
            let v = value_of(c).ok_or(UsccError::Character {
                position: i + 1,
                ch: c,
            })?;
            if i < 17 {
                sum += v * WEIGHTS[i];
            }
        }
        // The structure before the check character: a code that passes it
        // can still be a placeholder someone typed to get past a form.
        if code[..17].iter().all(|c| *c == '0') {
            return Err(UsccError::Placeholder(code.iter().collect()));
        }
        if !matches!(code[0], '1'..='9' | 'A' | 'N' | 'Y') {
            return Err(UsccError::Authority(code[0]));
        }
        if !matches!(code[1], '1'..='9') {
            return Err(UsccError::Kind(code[1]));
        }
        if !code[2..8].iter().all(char::is_ascii_digit) || code[2..8].iter().all(|c| *c == '0') {
            return Err(UsccError::Region(code[2..8].iter().collect()));
        }
        let check = (31 - sum % 31) % 31;
        let expected = CHARSET.as_bytes()[check as usize] as char;
        if code[17] != expected {
            return Err(UsccError::CheckCharacter {
                expected,
                found: code[17],
            });
        }
        Ok(Uscc(code.into_iter().collect()))
    }

    /// Completes 17 characters with the right check character. Used to
    /// generate demo data; never to "repair" what a user typed.
    pub fn with_check_character(first17: &str) -> Option<Uscc> {
        let chars: Vec<char> = first17.chars().collect();
        if chars.len() != 17 {
            return None;
        }
        let mut sum = 0;
        for (i, &c) in chars.iter().enumerate() {
            sum += value_of(c)? * WEIGHTS[i];
        }
        let check = CHARSET.as_bytes()[((31 - sum % 31) % 31) as usize] as char;
        Some(Uscc(format!("{first17}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Uscc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_codes_are_valid() {
        for code in ["91350100M000100Y43", "91310000775785552L"] {
            assert_eq!(Uscc::parse(code).unwrap().as_str(), code);
        }
    }

    #[test]
    fn lower_case_and_spaces_are_accepted() {
        assert_eq!(
            Uscc::parse(" 91310000775785552l ").unwrap().as_str(),
            "91310000775785552L"
        );
    }

    #[test]
    fn wrong_length_says_how_long() {
        assert_eq!(Uscc::parse("9135010"), Err(UsccError::Length(7)));
        assert_eq!(
            Uscc::parse("91350100M000100Y431"),
            Err(UsccError::Length(19))
        );
    }

    #[test]
    fn forbidden_character_names_position() {
        assert_eq!(
            Uscc::parse("91350100M0001O0Y43"),
            Err(UsccError::Character {
                position: 14,
                ch: 'O'
            })
        );
        assert!(matches!(
            Uscc::parse("913501００M000100Y43"),
            Err(UsccError::Character { position: 7, .. })
        ));
    }

    #[test]
    fn wrong_check_character_names_expected() {
        let e = Uscc::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(
            e,
            UsccError::CheckCharacter {
                expected: '3',
                found: '4'
            }
        );
        assert_eq!(
            e.to_string(),
            "统一社会信用代码校验位错误：第18位应为“3”，实为“4”"
        );
    }

    #[test]
    fn placeholders_and_impossible_structures_are_refused() {
        let complete = |p: &str| Uscc::with_check_character(p).unwrap().to_string();
        assert!(matches!(
            Uscc::parse(&complete("00000000000000000")),
            Err(UsccError::Placeholder(_))
        ));
        assert_eq!(
            Uscc::parse(&complete("0A410105MB0000001")),
            Err(UsccError::Authority('0'))
        );
        assert_eq!(
            Uscc::parse(&complete("10410105MB0000001")),
            Err(UsccError::Kind('0'))
        );
        assert_eq!(
            Uscc::parse(&complete("11A10105MB0000001")),
            Err(UsccError::Region("A10105".into()))
        );
        assert_eq!(
            Uscc::parse(&complete("11000000MB0000001")),
            Err(UsccError::Region("000000".into()))
        );
        assert!(Uscc::parse(&complete("11410105MB0000001")).is_ok());
    }

    #[test]
    fn completing_a_prefix_gives_a_valid_code() {
        let u = Uscc::with_check_character("91350100M000100Y4").unwrap();
        assert_eq!(u.as_str(), "91350100M000100Y43");
        assert!(Uscc::with_check_character("short").is_none());
    }
}
