//! 检查实施清单: the eleven items of the notice, as the columns of annex 5,
//! and the rules each must satisfy.

use super::enums::{ChecklistState, InspectionKind, Level};
use super::uscc::Uscc;
use serde::{Deserialize, Serialize};

/// The fields an operator fills (items 1–11 of the notice).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistFields {
    /// 1 监管事项目录编码
    pub item_code: String,
    /// 2 行使层级
    pub level: Option<Level>,
    /// 3 实施主体名称
    pub subject_name: String,
    /// 3 实施主体编码
    pub subject_code: String,
    /// 4 委托部门名称
    pub entrust_name: String,
    /// 4 委托部门编码
    pub entrust_code: String,
    /// 5 监管对象主项
    pub target_main: String,
    /// 5 监管对象子项
    pub target_sub: String,
    /// 6 检查类别
    pub inspection_kind: Option<InspectionKind>,
    /// 7 检查方式: listed values or free text
    pub methods: Vec<String>,
    /// 8 是否纳入双随机
    pub random_included: Option<bool>,
    /// 8 检查比例
    pub random_ratio: String,
    /// 8 检查频次
    pub random_frequency: String,
    /// 9 检查内容（日常）
    pub content: String,
    /// 10 是否抽检
    pub sampling: Option<bool>,
    /// 10 监督抽检内容
    pub sampling_content: String,
    /// 11 是否协同
    pub cooperation: Option<bool>,
    /// 11 协同机构
    pub cooperation_org: String,
}

/// One column of annex 5, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistField {
    ItemCode,
    Level,
    SubjectName,
    SubjectCode,
    EntrustName,
    EntrustCode,
    TargetMain,
    TargetSub,
    InspectionKind,
    Methods,
    RandomIncluded,
    RandomRatio,
    RandomFrequency,
    Content,
    Sampling,
    SamplingContent,
    Cooperation,
    CooperationOrg,
}

impl ChecklistField {
    pub const ALL: &'static [ChecklistField] = &[
        ChecklistField::ItemCode,
        ChecklistField::Level,
        ChecklistField::SubjectName,
        ChecklistField::SubjectCode,
        ChecklistField::EntrustName,
        ChecklistField::EntrustCode,
        ChecklistField::TargetMain,
        ChecklistField::TargetSub,
        ChecklistField::InspectionKind,
        ChecklistField::Methods,
        ChecklistField::RandomIncluded,
        ChecklistField::RandomRatio,
        ChecklistField::RandomFrequency,
        ChecklistField::Content,
        ChecklistField::Sampling,
        ChecklistField::SamplingContent,
        ChecklistField::Cooperation,
        ChecklistField::CooperationOrg,
    ];

    /// The column header of annex 5.
    pub fn label(self) -> &'static str {
        match self {
            ChecklistField::ItemCode => "监管事项目录编码",
            ChecklistField::Level => "行使层级",
            ChecklistField::SubjectName => "实施主体名称",
            ChecklistField::SubjectCode => "实施主体编码",
            ChecklistField::EntrustName => "委托部门名称",
            ChecklistField::EntrustCode => "委托部门编码",
            ChecklistField::TargetMain => "监管对象主项",
            ChecklistField::TargetSub => "监管对象子项",
            ChecklistField::InspectionKind => "检查类别",
            ChecklistField::Methods => "检查方式",
            ChecklistField::RandomIncluded => "是否纳入双随机",
            ChecklistField::RandomRatio => "检查比例",
            ChecklistField::RandomFrequency => "检查频次",
            ChecklistField::Content => "检查内容（日常）",
            ChecklistField::Sampling => "是否抽检",
            ChecklistField::SamplingContent => "监督抽检内容",
            ChecklistField::Cooperation => "是否协同",
            ChecklistField::CooperationOrg => "协同机构",
        }
    }
}

/// One failing rule: which field and why, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: ChecklistField,
    pub reason: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}：{}", self.field.label(), self.reason)
    }
}

/// Longest 协同机构 text the national system accepts.
pub const COOPERATION_ORG_MAX_CHARS: usize = 50;

/// The fields whose text cannot be stored at all (a control or bidi
/// character, a line break in a one-line field, too long): a save with
/// any of these is refused, never kept as 草稿.
pub fn checklist_text_errors(f: &ChecklistFields) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for &field in ChecklistField::ALL {
        let rule = field.text_rule();
        let mut result = rule.check(&f.text_of(field));
        if field == ChecklistField::Methods && result.is_ok() {
            let one = super::text::rules::METHOD.named(field.label());
            result = f.methods.iter().try_for_each(|m| one.check(m));
        }
        if let Err(e) = result {
            errors.push(FieldError {
                field,
                reason: e.reason(),
            });
        }
    }
    errors
}

/// Checks every rule of SPEC §2; one error per failing field, in annex
/// order. Text that cannot be stored ([`checklist_text_errors`]) is the
/// error of its field.
pub fn validate_checklist(f: &ChecklistFields) -> Vec<FieldError> {
    let mut errors = filling_errors(f);
    let text = checklist_text_errors(f);
    if !text.is_empty() {
        errors.retain(|e| !text.iter().any(|t| t.field == e.field));
        errors.extend(text);
        let order = |e: &FieldError| ChecklistField::ALL.iter().position(|f| *f == e.field);
        errors.sort_by_key(order);
    }
    errors
}

fn filling_errors(f: &ChecklistFields) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut fail = |field, reason: String| errors.push(FieldError { field, reason });
    let blank = |s: &str| s.trim().is_empty();

    if blank(&f.item_code) {
        fail(ChecklistField::ItemCode, "必填".into());
    }
    if f.level.is_none() {
        fail(
            ChecklistField::Level,
            "必填：国家级、省级、市级或县级".into(),
        );
    }
    if blank(&f.subject_name) {
        fail(ChecklistField::SubjectName, "必填".into());
    }
    if blank(&f.subject_code) {
        fail(
            ChecklistField::SubjectCode,
            "必填：18位统一社会信用代码".into(),
        );
    } else if let Err(e) = Uscc::parse(&f.subject_code) {
        fail(ChecklistField::SubjectCode, e.to_string());
    }
    if !blank(&f.entrust_name) {
        if blank(&f.entrust_code) {
            fail(
                ChecklistField::EntrustCode,
                "填写了委托部门名称时必填".into(),
            );
        } else if let Err(e) = Uscc::parse(&f.entrust_code) {
            fail(ChecklistField::EntrustCode, e.to_string());
        }
    } else if !blank(&f.entrust_code) {
        fail(
            ChecklistField::EntrustName,
            "填写了委托部门编码时必填".into(),
        );
    }
    if blank(&f.target_main) {
        fail(ChecklistField::TargetMain, "必填".into());
    }
    if f.inspection_kind.is_none() {
        fail(
            ChecklistField::InspectionKind,
            "必选：现场检查或非现场检查".into(),
        );
    }
    if f.methods.iter().all(|m| blank(m)) {
        fail(ChecklistField::Methods, "至少填写一种检查方式".into());
    }
    match f.random_included {
        None => fail(ChecklistField::RandomIncluded, "必选：是或否".into()),
        Some(true) => {
            if blank(&f.random_ratio) {
                fail(
                    ChecklistField::RandomRatio,
                    "纳入双随机时必填，如“5%”".into(),
                );
            } else if let Err(reason) = parse_ratio(&f.random_ratio) {
                fail(ChecklistField::RandomRatio, reason);
            }
            if blank(&f.random_frequency) {
                fail(
                    ChecklistField::RandomFrequency,
                    "纳入双随机时必填，如“每年1次”".into(),
                );
            } else if let Err(reason) = parse_frequency(&f.random_frequency) {
                fail(ChecklistField::RandomFrequency, reason);
            }
        }
        Some(false) => {}
    }
    if blank(&f.content) {
        fail(ChecklistField::Content, "必填".into());
    }
    match f.sampling {
        None => fail(ChecklistField::Sampling, "必选：是或否".into()),
        Some(true) if blank(&f.sampling_content) => {
            fail(ChecklistField::SamplingContent, "抽检时必填".into())
        }
        _ => {}
    }
    match f.cooperation {
        None => fail(ChecklistField::Cooperation, "必选：是或否".into()),
        Some(true) if blank(&f.cooperation_org) => {
            fail(ChecklistField::CooperationOrg, "协同时必填".into())
        }
        Some(true) if f.cooperation_org.trim().chars().count() > COOPERATION_ORG_MAX_CHARS => fail(
            ChecklistField::CooperationOrg,
            format!(
                "不超过{}字，实为{}字",
                COOPERATION_ORG_MAX_CHARS,
                f.cooperation_org.trim().chars().count()
            ),
        ),
        _ => {}
    }
    errors
}

/// The state the fields earn by themselves: 完整 when every rule passes.
/// (已填报 is a decision of the operator, never derived.)
pub fn derived_state(f: &ChecklistFields) -> ChecklistState {
    if validate_checklist(f).is_empty() {
        ChecklistState::Complete
    } else {
        ChecklistState::Draft
    }
}

/// One warning per 检查比例 / 检查频次 whose text is accepted but names no
/// number (“按年度抽查计划确定”), for the official to confirm; same shape as
/// an error of [`validate_checklist`], which never reports these.
pub fn checklist_warnings(f: &ChecklistFields) -> Vec<FieldError> {
    let mut warnings = Vec::new();
    // 比例 and 频次 matter only for items drawn by 双随机; a blank field is
    // already an error of `validate_checklist`, not a warning.
    if f.random_included != Some(true) {
        return warnings;
    }
    let ratio = f.random_ratio.trim();
    if !ratio.is_empty() && parse_ratio(ratio) == Ok(Ratio::Unstated) {
        warnings.push(FieldError {
            field: ChecklistField::RandomRatio,
            reason: format!("未写明比例，请确认“{ratio}”符合要求"),
        });
    }
    let frequency = f.random_frequency.trim();
    if !frequency.is_empty() && parse_frequency(frequency) == Ok(Frequency::Unstated) {
        warnings.push(FieldError {
            field: ChecklistField::RandomFrequency,
            reason: format!("未写明次数和周期，请确认“{frequency}”符合要求"),
        });
    }
    warnings
}

/// Normalises what officials type so one grammar reads it: full-width
/// digits and symbols become ASCII (“５％” reads as “5%”), the dashes and
/// tildes of a range all become `-`, spaces and closing punctuation go.
fn normalise(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_digit(c as u32 - '０' as u32, 10).unwrap_or(c),
            '％' => '%',
            '．' => '.',
            '／' => '/',
            '：' => ':',
            '～' | '~' | '〜' | '－' | '—' | '–' | '―' | '‐' => '-',
            '≧' => '≥',
            '≦' => '≤',
            _ => c,
        })
        .collect();
    s.trim_end_matches(['。', '；', ';', '，', ',']).to_string()
}

/// An amount as officials qualify it: “5%”, “不低于5%”, “2次以上”, “3%-5%”.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount<T> {
    /// “5%”, “约5%”, “5%左右”
    Exactly(T),
    /// “不低于5%”, “≥5%”, “至少2次”, “2次以上”
    AtLeast(T),
    /// “不超过10%”, “最多2次”, “2次以内”
    AtMost(T),
    /// A range, low then high: “3%-5%”, “每年1-2次”
    Between(T, T),
}

impl<T: Copy> Amount<T> {
    /// Every number the text names (one, or both ends of a range).
    fn values(self) -> Vec<T> {
        match self {
            Amount::Exactly(v) | Amount::AtLeast(v) | Amount::AtMost(v) => vec![v],
            Amount::Between(low, high) => vec![low, high],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    About,
    AtLeast,
    AtMost,
}

/// Words that qualify a number; longer words first where one starts
/// another (“大于等于” before “大于”).
const QUALIFIERS: &[(&str, Bound)] = &[
    ("不低于", Bound::AtLeast),
    ("不少于", Bound::AtLeast),
    ("不小于", Bound::AtLeast),
    ("大于等于", Bound::AtLeast),
    ("大于", Bound::AtLeast),
    ("高于", Bound::AtLeast),
    ("超过", Bound::AtLeast),
    ("至少", Bound::AtLeast),
    ("最少", Bound::AtLeast),
    ("最低", Bound::AtLeast),
    ("≥", Bound::AtLeast),
    (">=", Bound::AtLeast),
    ("及以上", Bound::AtLeast),
    ("以上", Bound::AtLeast),
    ("不超过", Bound::AtMost),
    ("不高于", Bound::AtMost),
    ("不多于", Bound::AtMost),
    ("不大于", Bound::AtMost),
    ("小于等于", Bound::AtMost),
    ("至多", Bound::AtMost),
    ("最多", Bound::AtMost),
    ("最高", Bound::AtMost),
    ("≤", Bound::AtMost),
    ("<=", Bound::AtMost),
    ("及以下", Bound::AtMost),
    ("以下", Bound::AtMost),
    ("以内", Bound::AtMost),
    ("大约", Bound::About),
    ("约", Bound::About),
    ("左右", Bound::About),
];

fn amount<T>(low: T, high: Option<T>, bound: Option<Bound>) -> Amount<T> {
    match (high, bound) {
        (Some(high), _) => Amount::Between(low, high),
        (None, Some(Bound::AtLeast)) => Amount::AtLeast(low),
        (None, Some(Bound::AtMost)) => Amount::AtMost(low),
        (None, Some(Bound::About) | None) => Amount::Exactly(low),
    }
}

/// Strips, as long as any applies, the `words` that carry no meaning for
/// the rule and the qualifiers (remembering the last one seen).
fn skip_words<'a>(mut s: &'a str, words: &[&str], bound: &mut Option<Bound>) -> &'a str {
    loop {
        if let Some(rest) = words.iter().find_map(|w| s.strip_prefix(w)) {
            s = rest;
        } else if let Some((b, rest)) = QUALIFIERS
            .iter()
            .find_map(|(w, b)| s.strip_prefix(w).map(|r| (*b, r)))
        {
            *bound = Some(b);
            s = rest;
        } else {
            return s;
        }
    }
}

/// The separator of a range: “3-5”, “3～5”, “3至5”, “3到5” (after
/// `normalise`, every dash and tilde is `-`; “——” is one separator).
fn strip_range_separator(s: &str) -> Option<&str> {
    let dashes = s.trim_start_matches('-');
    if dashes.len() < s.len() {
        return Some(dashes);
    }
    s.strip_prefix('至').or_else(|| s.strip_prefix('到'))
}

fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// A whole number in Chinese numerals up to the hundreds: “五”, “十五”,
/// “二十”, “一百”, “一百零五”.
fn chinese_integer(s: &str) -> Option<(u32, &str)> {
    let mut total: u32 = 0;
    let mut digit: Option<u32> = None;
    let mut used = 0;
    for c in s.chars() {
        if let Some(d) = chinese_digit(c) {
            digit = Some(d);
        } else if c == '十' || c == '百' {
            let unit = if c == '十' { 10 } else { 100 };
            total = total.saturating_add(digit.unwrap_or(1) * unit);
            digit = None;
        } else {
            break;
        }
        used += c.len_utf8();
    }
    (used > 0).then(|| (total.saturating_add(digit.unwrap_or(0)), &s[used..]))
}

/// A whole number in ASCII digits or Chinese numerals: “2”, “两”, “十二”.
fn integer(s: &str) -> Option<(u32, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return chinese_integer(s);
    }
    Some((s.get(..digits)?.parse().ok()?, s.get(digits..)?))
}

/// A decimal number in ASCII digits (“2.5”) or Chinese numerals (“零点五”).
fn decimal(s: &str) -> Option<(f64, &str)> {
    let int = s.bytes().take_while(u8::is_ascii_digit).count();
    if int > 0 {
        let fraction = s
            .get(int..)
            .and_then(|r| r.strip_prefix('.'))
            .map_or(0, |r| r.bytes().take_while(u8::is_ascii_digit).count());
        // A “.” with no digit after it is not part of the number.
        let end = if fraction > 0 {
            int + 1 + fraction
        } else {
            int
        };
        return Some((s.get(..end)?.parse().ok()?, s.get(end..)?));
    }
    let (whole, rest) = chinese_integer(s)?;
    let Some(mut rest) = rest.strip_prefix('点') else {
        return Some((f64::from(whole), rest));
    };
    let mut value = f64::from(whole);
    let mut place = 0.1;
    while let Some(d) = rest.chars().next().and_then(chinese_digit) {
        value += f64::from(d) * place;
        place /= 10.0;
        rest = &rest[rest.chars().next().map_or(0, char::len_utf8)..];
    }
    Some((value, rest))
}

/// One end of a 检查比例: the number and, when the text says, what to divide
/// it by to get percent (1 for “%”/“百分之”, 10 for “‰”/“千分之”).
fn percent(s: &str) -> Option<(f64, Option<f64>, &str)> {
    for (word, divisor) in [("百分之", 1.0), ("千分之", 10.0)] {
        if let Some(rest) = s.strip_prefix(word) {
            let (value, rest) = decimal(rest)?;
            return Some((value, Some(divisor), rest));
        }
    }
    let (value, rest) = decimal(s)?;
    if let Some(rest) = rest.strip_prefix('%') {
        Some((value, Some(1.0), rest))
    } else if let Some(rest) = rest.strip_prefix('‰') {
        Some((value, Some(10.0), rest))
    } else {
        Some((value, None, rest))
    }
}

/// Words around a 检查比例 that change nothing: “抽查比例为5%”, “按5%的比例
/// 随机抽取”.
const RATIO_WORDS: &[&str] = &[
    "随机", "抽查", "抽取", "检查", "比例", "按照", "按", "为", "的", ":",
];

fn read_ratio(s: &str) -> Option<Amount<f64>> {
    let mut bound = None;
    let s = skip_words(s, RATIO_WORDS, &mut bound);
    let (low, low_divisor, rest) = percent(s)?;
    let (low, high, rest) = match strip_range_separator(rest) {
        Some(rest) => {
            let (high, high_divisor, rest) = percent(rest)?;
            // “3-5%” and “百分之三至五”: one end's unit serves both.
            let low_divisor = low_divisor.or(high_divisor)?;
            let high_divisor = high_divisor.unwrap_or(low_divisor);
            (low / low_divisor, Some(high / high_divisor), rest)
        }
        // A bare number (“5”) is not a percentage.
        None => (low / low_divisor?, None, rest),
    };
    let rest = skip_words(rest, RATIO_WORDS, &mut bound);
    rest.is_empty().then(|| amount(low, high, bound))
}

/// A parsed 检查比例.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ratio {
    /// In percent: “不低于5%” is `AtLeast(5.0)`, “3-5%” is `Between(3.0, 5.0)`,
    /// “千分之五” is `Exactly(0.5)`.
    Stated(Amount<f64>),
    /// No number at all (“按年度抽查计划确定”, “随机”): accepted, and
    /// reported by [`checklist_warnings`] for the official to confirm.
    Unstated,
}

/// A 检查比例 as officials write it: “5%”, “不低于5%”, “≥5%”, “3%-5%”,
/// “3-5%”, “5%～10%”, “5%至10%”, “百分之五”, “不少于百分之三”. Each number
/// must be more than 0% and at most 100%, a range from low to high. Text
/// naming no number is `Ratio::Unstated`; a number that cannot be read is
/// an error.
pub fn parse_ratio(text: &str) -> Result<Ratio, String> {
    let s = normalise(text);
    let Some(ratio) = read_ratio(&s) else {
        let names_number = s.bytes().any(|b| b.is_ascii_digit())
            || s.contains(['%', '‰'])
            || s.contains("百分之")
            || s.contains("千分之");
        return if names_number {
            Err(format!(
                "“{}”读不出比例：应写成百分比或区间，如“5%”“不低于5%”“3%-5%”“百分之五”",
                text.trim()
            ))
        } else {
            Ok(Ratio::Unstated)
        };
    };
    if let Some(p) = ratio
        .values()
        .into_iter()
        .find(|p| !(*p > 0.0 && *p <= 100.0))
    {
        return Err(format!("比例应大于0%且不超过100%，实为{p}%，如“5%”"));
    }
    if let Amount::Between(low, high) = ratio
        && low > high
    {
        return Err(format!(
            "比例区间应从小到大，实为{low}%至{high}%，如“3%-5%”"
        ));
    }
    Ok(Ratio::Stated(ratio))
}

/// A parsed 检查频次.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// `times` in every `every` `period`s: “每3年一次” is every 3, “年”,
    /// `Exactly(1)`; “每半年不少于1次” is every 1, “半年”, `AtLeast(1)`.
    Stated {
        every: u32,
        period: &'static str,
        times: Amount<u32>,
    },
    /// No number at all (“按年度抽查计划确定”, “随机”): accepted, and
    /// reported by [`checklist_warnings`] for the official to confirm.
    Unstated,
}

/// The periods as written, and the name each is kept under; longer first
/// where one starts another (“季度” before “季”).
const PERIODS: &[(&str, &str)] = &[
    ("半年", "半年"),
    ("季度", "季度"),
    ("年", "年"),
    ("季", "季度"),
    ("月", "月"),
    ("周", "周"),
    ("日", "日"),
    ("天", "日"),
];

/// Words between the period and the count that change nothing: “每年抽查
/// 不少于1次”, “每年至少开展一次检查”.
const FREQUENCY_WORDS: &[&str] = &[
    "双随机",
    "随机",
    "抽查",
    "检查",
    "开展",
    "实施",
    "进行",
    "执法",
    "共",
    "的",
];

/// “每3年”, “每两个月”, “每年度”, “全年”, “一年”, “三年内” → (every, period).
fn read_period(s: &str) -> Option<(u32, &'static str, &str)> {
    let s = s.strip_prefix(['每', '全']).unwrap_or(s);
    let (every, s) = integer(s).unwrap_or((1, s));
    let s = s.strip_prefix('个').unwrap_or(s);
    let (period, s) = PERIODS
        .iter()
        .find_map(|(p, name)| s.strip_prefix(p).map(|r| (*name, r)))?;
    let s = s.strip_prefix('度').unwrap_or(s);
    let s = s.strip_prefix(['内', '中']).unwrap_or(s);
    Some((every, period, s))
}

/// “不少于1次”, “1-2次”, “2次以上”, “至少抽查一次” → the count; `None`
/// unless the whole text is used.
fn read_times(s: &str) -> Option<Amount<u32>> {
    const UNITS: [char; 3] = ['次', '轮', '遍'];
    let mut bound = None;
    let s = skip_words(s, FREQUENCY_WORDS, &mut bound);
    let (low, rest) = integer(s)?;
    // “1-2次” and “1次-2次” both.
    let after_low = rest.strip_prefix(UNITS).unwrap_or(rest);
    let (high, rest) = match strip_range_separator(after_low) {
        Some(rest) => {
            let (high, rest) = integer(rest)?;
            (Some(high), rest.strip_prefix(UNITS)?)
        }
        None => (None, rest.strip_prefix(UNITS)?),
    };
    let rest = skip_words(rest, FREQUENCY_WORDS, &mut bound);
    rest.is_empty().then(|| amount(low, high, bound))
}

fn read_frequency(s: &str) -> Option<(u32, &'static str, Amount<u32>)> {
    // “1次/年”, “1-2次/每年”, “不少于1次/半年”.
    if let Some((times, period)) = s.split_once('/') {
        let (every, period, rest) = read_period(period)?;
        if !rest.is_empty() {
            return None;
        }
        return read_times(times).map(|times| (every, period, times));
    }
    let (every, period, rest) = read_period(s)?;
    read_times(rest).map(|times| (every, period, times))
}

/// Whether a 检查频次 names a number at all: a digit, a Chinese numeral
/// before 次 (“一次”), or after 每 (“每两年”). Chinese numerals elsewhere are
/// words (“统一”, “一般”), not counts.
fn names_frequency_number(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
        || s.char_indices().any(|(i, c)| {
            let after = &s[i + c.len_utf8()..];
            (c == '每' && chinese_integer(after).is_some())
                || chinese_integer(&s[i..])
                    .is_some_and(|(_, rest)| rest.starts_with(['次', '轮', '遍']))
        })
}

/// A 检查频次 as officials write it: “每年1次”, “每年度1次”, “一年一次”,
/// “每年至少抽查一次”, “每年1-2次”, “每年2次以上”, “每半年不少于1次”,
/// “1次/年”, “每3年一次”, “全年不少于2次”. Text naming no number is
/// `Frequency::Unstated`; a number that cannot be read is an error.
pub fn parse_frequency(text: &str) -> Result<Frequency, String> {
    let s = normalise(text);
    let Some((every, period, times)) = read_frequency(&s) else {
        return if names_frequency_number(&s) {
            Err(format!(
                "“{}”读不出频次：应写成周期内的次数，如“每年1次”“每半年不少于1次”“每年1-2次”“1次/年”",
                text.trim()
            ))
        } else {
            Ok(Frequency::Unstated)
        };
    };
    if every == 0 {
        return Err("周期应至少为1，如“每年1次”“每3年1次”".into());
    }
    if times.values().contains(&0) {
        return Err("次数应至少为1次，如“每年1次”".into());
    }
    if let Amount::Between(low, high) = times
        && low > high
    {
        return Err(format!(
            "次数区间应从小到大，实为{low}至{high}次，如“每年1-2次”"
        ));
    }
    Ok(Frequency::Stated {
        every,
        period,
        times,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> ChecklistFields {
        ChecklistFields {
            item_code: "11410100000001".into(),
            level: Some(Level::City),
            subject_name: "郑州市市场监督管理局".into(),
            subject_code: "91350100M000100Y43".into(),
            target_main: "食品生产者".into(),
            inspection_kind: Some(InspectionKind::OnSite),
            methods: vec!["实地检查".into()],
            random_included: Some(true),
            random_ratio: "不低于5%".into(),
            random_frequency: "每年1次".into(),
            content: "检查生产环境条件、进货查验记录".into(),
            sampling: Some(false),
            cooperation: Some(false),
            ..Default::default()
        }
    }

    fn fields_failing(f: &ChecklistFields) -> Vec<ChecklistField> {
        validate_checklist(f).into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn complete_form_passes() {
        assert!(validate_checklist(&complete()).is_empty());
        assert_eq!(derived_state(&complete()), ChecklistState::Complete);
    }

    #[test]
    fn empty_form_fails_each_required_field_once() {
        let errs = fields_failing(&ChecklistFields::default());
        use ChecklistField::*;
        assert_eq!(
            errs,
            vec![
                ItemCode,
                Level,
                SubjectName,
                SubjectCode,
                TargetMain,
                InspectionKind,
                Methods,
                RandomIncluded,
                Content,
                Sampling,
                Cooperation
            ]
        );
        assert_eq!(
            derived_state(&ChecklistFields::default()),
            ChecklistState::Draft
        );
    }

    #[test]
    fn subject_code_must_be_valid_uscc() {
        let mut f = complete();
        f.subject_code = "91350100M000100Y44".into();
        let e = validate_checklist(&f);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, ChecklistField::SubjectCode);
        assert!(e[0].reason.contains("应为“3”"), "{}", e[0].reason);
    }

    #[test]
    fn entrust_name_requires_valid_code_and_code_requires_name() {
        let mut f = complete();
        f.entrust_name = "郑州市某执法支队".into();
        assert_eq!(fields_failing(&f), vec![ChecklistField::EntrustCode]);
        f.entrust_code = "12345".into();
        assert_eq!(fields_failing(&f), vec![ChecklistField::EntrustCode]);
        f.entrust_code = "91310000775785552L".into();
        assert!(fields_failing(&f).is_empty());
        f.entrust_name.clear();
        assert_eq!(fields_failing(&f), vec![ChecklistField::EntrustName]);
    }

    #[test]
    fn methods_need_one_non_blank_value_free_text_allowed() {
        let mut f = complete();
        f.methods = vec!["  ".into()];
        assert_eq!(fields_failing(&f), vec![ChecklistField::Methods]);
        f.methods = vec!["视频巡查".into()];
        assert!(fields_failing(&f).is_empty());
    }

    #[test]
    fn random_requires_ratio_and_frequency_only_when_yes() {
        let mut f = complete();
        f.random_ratio.clear();
        f.random_frequency = "每年0次".into();
        assert_eq!(
            fields_failing(&f),
            vec![ChecklistField::RandomRatio, ChecklistField::RandomFrequency]
        );
        // “偶尔” names no number: accepted, the official is asked to confirm.
        f.random_frequency = "偶尔".into();
        assert_eq!(fields_failing(&f), vec![ChecklistField::RandomRatio]);
        assert_eq!(
            checklist_warnings(&f),
            vec![FieldError {
                field: ChecklistField::RandomFrequency,
                reason: "未写明次数和周期，请确认“偶尔”符合要求".into(),
            }]
        );
        f.random_included = Some(false);
        assert!(fields_failing(&f).is_empty());
        assert!(checklist_warnings(&f).is_empty());
    }

    #[test]
    fn text_no_field_may_hold_is_the_error_of_its_field() {
        let mut f = complete();
        f.content = "第一条\n第二条".into();
        assert!(
            checklist_text_errors(&f).is_empty(),
            "long text keeps lines"
        );
        f.content = "检查\u{1b}]52;c;aGk=\u{7}".into();
        f.target_main = "食品\n生产者".into();
        f.methods = vec!["实地检查".into(), "书面\u{202E}检查".into()];
        f.entrust_code = "9".repeat(19);
        let text = checklist_text_errors(&f);
        assert_eq!(
            text.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            [
                "委托部门编码：过长：19 字，最多 18 字",
                "监管对象主项：不能换行，请写成一行",
                "检查方式：含有双向文字控制字符 U+202E（使显示的顺序与实际不同），请删除",
                "检查内容（日常）：含有控制字符 U+001B（ESC，终端控制序列），请删除",
            ]
        );
        // The form shows them where it shows every rule: one error a
        // field (委托部门编码 needs 委托部门名称 too: that is its own field).
        let all = validate_checklist(&f);
        assert_eq!(
            fields_failing(&f),
            [
                ChecklistField::EntrustName,
                ChecklistField::EntrustCode,
                ChecklistField::TargetMain,
                ChecklistField::Methods,
                ChecklistField::Content
            ]
        );
        assert!(all.iter().any(|e| e.reason.starts_with("过长")));
        assert_eq!(derived_state(&f), ChecklistState::Draft);
    }

    #[test]
    fn sampling_and_cooperation_switches() {
        let mut f = complete();
        f.sampling = Some(true);
        assert_eq!(fields_failing(&f), vec![ChecklistField::SamplingContent]);
        f.sampling_content = "抽检食品安全指标".into();
        f.cooperation = Some(true);
        assert_eq!(fields_failing(&f), vec![ChecklistField::CooperationOrg]);
        f.cooperation_org = "卫".repeat(51);
        let e = validate_checklist(&f);
        assert_eq!(e[0].reason, "不超过50字，实为51字");
        f.cooperation_org = "郑州市卫生健康委员会".into();
        assert!(fields_failing(&f).is_empty());
    }

    /// What the rules make of a 检查比例 or 检查频次.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Outcome {
        /// Read: no error, no warning.
        Ok,
        /// Names no number: no error, one warning.
        Warn,
        /// A number that cannot be read, or out of bounds: one error.
        Err,
    }

    /// Wordings collected from checklists as filed, with what they must give.
    const WORDINGS: &[(ChecklistField, &str, Outcome)] = {
        use ChecklistField::{RandomFrequency as F, RandomRatio as R};
        use Outcome::*;
        &[
            (R, "5%", Ok),
            (R, "不低于5%", Ok),
            (R, "≥5%", Ok),
            (R, "3%-5%", Ok),
            (R, "3-5%", Ok),
            (R, "5%～10%", Ok),
            (R, "5%~10%", Ok),
            (R, "5%至10%", Ok),
            (R, "3%—5%", Ok),
            (R, "百分之五", Ok),
            (R, "百分之十五", Ok),
            (R, "不少于百分之三", Ok),
            (R, "百分之三至百分之五", Ok),
            (R, "千分之五", Ok),
            (R, "５％", Ok),
            (R, " 不低于 ５ ％ ", Ok),
            (R, "2.5%", Ok),
            (R, "100%", Ok),
            (R, "5%以上", Ok),
            (R, "抽查比例不低于3%", Ok),
            (R, "按年度抽查计划确定", Warn),
            (R, "根据实际情况确定", Warn),
            (R, "随机", Warn),
            (R, "按一定比例抽取", Warn),
            (R, "5", Err),
            (R, "abc%", Err),
            (R, "0%", Err),
            (R, "120%", Err),
            (R, "5%-3%", Err),
            (R, "3-5", Err),
            (R, "百分之零", Err),
            (R, "高风险30%，低风险5%", Err),
            (F, "每年1次", Ok),
            (F, "每年度1次", Ok),
            (F, "一年一次", Ok),
            (F, "每年至少抽查一次", Ok),
            (F, "每年1-2次", Ok),
            (F, "每年1至2次", Ok),
            (F, "每年2次以上", Ok),
            (F, "每半年不少于1次", Ok),
            (F, "每季度至少2次", Ok),
            (F, "每季度至少２次", Ok),
            (F, "1次/年", Ok),
            (F, "1-2次/年", Ok),
            (F, "每3年一次", Ok),
            (F, "每两年一次", Ok),
            (F, "三年内一次", Ok),
            (F, "每年抽查不少于1次", Ok),
            (F, "每年检查1次", Ok),
            (F, "每年开展一次双随机抽查", Ok),
            (F, "每月1次", Ok),
            (F, "每两个月1次", Ok),
            (F, "全年不少于2次", Ok),
            (F, "按年度抽查计划确定", Warn),
            (F, "根据实际情况确定", Warn),
            (F, "随机", Warn),
            (F, "经常", Warn),
            (F, "按统一部署开展", Warn),
            (F, "每年", Warn),
            (F, "5", Err),
            (F, "每年0次", Err),
            (F, "每0年1次", Err),
            (F, "每年2-1次", Err),
            (F, "每年1.5次", Err),
            (F, "每世纪1次", Err),
            (F, "1次/世纪", Err),
        ]
    };

    #[test]
    fn wordings_officials_write() {
        assert!(WORDINGS.len() >= 30);
        for &(field, text, expected) in WORDINGS {
            let parsed = match field {
                ChecklistField::RandomRatio => parse_ratio(text).map(|r| r == Ratio::Unstated),
                _ => parse_frequency(text).map(|f| f == Frequency::Unstated),
            };
            let outcome = match parsed {
                Result::Ok(false) => Outcome::Ok,
                Result::Ok(true) => Outcome::Warn,
                Result::Err(_) => Outcome::Err,
            };
            assert_eq!(outcome, expected, "{text}: {parsed:?}");

            // The same through the whole form: errors and warnings apart.
            let mut f = complete();
            match field {
                ChecklistField::RandomRatio => f.random_ratio = text.into(),
                _ => f.random_frequency = text.into(),
            }
            let errors = validate_checklist(&f);
            let warnings = checklist_warnings(&f);
            match expected {
                Outcome::Ok => {
                    assert!(errors.is_empty() && warnings.is_empty(), "{text}")
                }
                Outcome::Warn => {
                    assert!(errors.is_empty(), "{text}: {errors:?}");
                    assert_eq!(warnings.len(), 1, "{text}");
                    assert_eq!(warnings[0].field, field);
                    assert!(warnings[0].reason.contains(text.trim()), "{text}");
                }
                Outcome::Err => {
                    assert!(warnings.is_empty(), "{text}: {warnings:?}");
                    assert_eq!(errors.len(), 1, "{text}");
                    assert_eq!(errors[0].field, field);
                    // Every refusal shows how to write it instead.
                    assert!(errors[0].reason.contains("如“"), "{}", errors[0].reason);
                }
            }
        }
    }

    #[test]
    fn ratios_read_as_percentages_and_ranges() {
        let stated = |a| Result::Ok(Ratio::Stated(a));
        assert_eq!(parse_ratio("5%"), stated(Amount::Exactly(5.0)));
        assert_eq!(parse_ratio("不低于５％"), stated(Amount::AtLeast(5.0)));
        assert_eq!(parse_ratio("≥2.5%"), stated(Amount::AtLeast(2.5)));
        assert_eq!(parse_ratio("100%"), stated(Amount::Exactly(100.0)));
        assert_eq!(parse_ratio("3-5%"), stated(Amount::Between(3.0, 5.0)));
        assert_eq!(parse_ratio("5%至10%"), stated(Amount::Between(5.0, 10.0)));
        assert_eq!(parse_ratio("百分之十五"), stated(Amount::Exactly(15.0)));
        assert_eq!(parse_ratio("百分之零点五"), stated(Amount::Exactly(0.5)));
        assert_eq!(parse_ratio("千分之五"), stated(Amount::Exactly(0.5)));
        assert_eq!(parse_ratio("不少于百分之三"), stated(Amount::AtLeast(3.0)));
        assert_eq!(parse_ratio("随机"), Result::Ok(Ratio::Unstated));
        assert!(parse_ratio("5").unwrap_err().contains("百分比"));
        assert_eq!(
            parse_ratio("120%").unwrap_err(),
            "比例应大于0%且不超过100%，实为120%，如“5%”"
        );
        assert_eq!(
            parse_ratio("5%-3%").unwrap_err(),
            "比例区间应从小到大，实为5%至3%，如“3%-5%”"
        );
    }

    #[test]
    fn frequencies_read_as_counts_per_period() {
        let stated = |every, period, times| {
            Result::Ok(Frequency::Stated {
                every,
                period,
                times,
            })
        };
        assert_eq!(
            parse_frequency("每年1次"),
            stated(1, "年", Amount::Exactly(1))
        );
        assert_eq!(
            parse_frequency("每半年不少于1次"),
            stated(1, "半年", Amount::AtLeast(1))
        );
        assert_eq!(
            parse_frequency("每3年一次"),
            stated(3, "年", Amount::Exactly(1))
        );
        assert_eq!(
            parse_frequency("每季度至少２次"),
            stated(1, "季度", Amount::AtLeast(2))
        );
        assert_eq!(
            parse_frequency("1次/年"),
            stated(1, "年", Amount::Exactly(1))
        );
        assert_eq!(
            parse_frequency("每年1-2次"),
            stated(1, "年", Amount::Between(1, 2))
        );
        assert_eq!(
            parse_frequency("每年2次以上"),
            stated(1, "年", Amount::AtLeast(2))
        );
        assert_eq!(
            parse_frequency("每两个月1次"),
            stated(2, "月", Amount::Exactly(1))
        );
        assert_eq!(
            parse_frequency("全年不少于2次"),
            stated(1, "年", Amount::AtLeast(2))
        );
        assert_eq!(parse_frequency("经常"), Result::Ok(Frequency::Unstated));
        assert!(
            parse_frequency("每年0次")
                .unwrap_err()
                .contains("至少为1次")
        );
        assert!(
            parse_frequency("每世纪1次")
                .unwrap_err()
                .contains("每年1次")
        );
    }

    #[test]
    fn warnings_only_for_random_items_and_filled_fields() {
        let mut f = complete();
        f.random_ratio = "按年度抽查计划确定".into();
        f.random_frequency = "根据实际情况确定".into();
        assert!(validate_checklist(&f).is_empty());
        assert_eq!(derived_state(&f), ChecklistState::Complete);
        let reasons: Vec<String> = checklist_warnings(&f)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            reasons,
            vec![
                "检查比例：未写明比例，请确认“按年度抽查计划确定”符合要求",
                "检查频次：未写明次数和周期，请确认“根据实际情况确定”符合要求",
            ]
        );
        f.random_included = Some(false);
        assert!(checklist_warnings(&f).is_empty());
        f.random_included = Some(true);
        f.random_ratio = "  ".into();
        f.random_frequency.clear();
        assert!(checklist_warnings(&f).is_empty());
        assert_eq!(
            fields_failing(&f),
            vec![ChecklistField::RandomRatio, ChecklistField::RandomFrequency]
        );
    }
}
