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

/// Checks every rule of SPEC §2; one error per failing field, in annex order.
pub fn validate_checklist(f: &ChecklistFields) -> Vec<FieldError> {
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

/// Normalises full-width digits and symbols so “５％” reads as “5%”.
fn half_width(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '％' => '%',
            '．' => '.',
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A 检查比例 as officials write it: “5%”, “不低于5%”, “≥5%”. Returns the
/// percentage.
pub fn parse_ratio(text: &str) -> Result<f64, String> {
    let s = half_width(text);
    let body = [
        "不低于",
        "不少于",
        "不超过",
        "不高于",
        "约",
        "≥",
        ">=",
        "≤",
        "<=",
    ]
    .iter()
    .find_map(|p| s.strip_prefix(p))
    .unwrap_or(&s);
    let number = body
        .strip_suffix('%')
        .ok_or_else(|| format!("“{}”应写成百分比，如“5%”或“不低于5%”", text.trim()))?;
    let p: f64 = number
        .parse()
        .map_err(|_| format!("“{}”中的比例不是数字", text.trim()))?;
    if p > 0.0 && p <= 100.0 {
        Ok(p)
    } else {
        Err(format!("比例应大于0%且不超过100%，实为{p}%"))
    }
}

/// A parsed 检查频次: `count` times every `every` `period`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frequency {
    pub every: u32,
    pub period: &'static str,
    pub count: u32,
}

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

fn small_number(s: &str) -> Option<(u32, &str)> {
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !digits.is_empty() {
        return Some((digits.parse().ok()?, &s[digits.len()..]));
    }
    let first = s.chars().next()?;
    let n = match first {
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        _ => return None,
    };
    Some((n, &s[first.len_utf8()..]))
}

/// A 检查频次 as officials write it: “每年1次”, “每半年不少于1次”,
/// “每3年一次”, “1次/年”.
pub fn parse_frequency(text: &str) -> Result<Frequency, String> {
    let s = half_width(text);
    let bad = || {
        format!(
            "“{}”应写成“每年1次”“每半年不少于1次”这样的次数/周期",
            text.trim()
        )
    };
    // “1次/年” form.
    if let Some((count_part, period_part)) = s.split_once('/') {
        let (count, rest) = small_number(count_part).ok_or_else(bad)?;
        let period = PERIODS
            .iter()
            .find(|(p, _)| *p == period_part)
            .map(|(_, n)| *n);
        return match (rest, period) {
            ("次", Some(period)) if count > 0 => Ok(Frequency {
                every: 1,
                period,
                count,
            }),
            _ => Err(bad()),
        };
    }
    let rest = s.strip_prefix('每').ok_or_else(bad)?;
    let (every, rest) = small_number(rest).unwrap_or((1, rest));
    let rest = rest.strip_prefix('个').unwrap_or(rest);
    let (period, rest) = PERIODS
        .iter()
        .find_map(|(p, n)| rest.strip_prefix(p).map(|r| (*n, r)))
        .ok_or_else(bad)?;
    let rest = ["不少于", "至少", "不超过", "不多于"]
        .iter()
        .find_map(|p| rest.strip_prefix(p))
        .unwrap_or(rest);
    let (count, rest) = small_number(rest).ok_or_else(bad)?;
    if rest != "次" || count == 0 || every == 0 {
        return Err(bad());
    }
    Ok(Frequency {
        every,
        period,
        count,
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
        f.random_frequency = "偶尔".into();
        assert_eq!(
            fields_failing(&f),
            vec![ChecklistField::RandomRatio, ChecklistField::RandomFrequency]
        );
        f.random_included = Some(false);
        assert!(fields_failing(&f).is_empty());
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

    #[test]
    fn ratios_as_officials_write_them() {
        assert_eq!(parse_ratio("5%"), Ok(5.0));
        assert_eq!(parse_ratio("不低于５％"), Ok(5.0));
        assert_eq!(parse_ratio("≥2.5%"), Ok(2.5));
        assert_eq!(parse_ratio("100%"), Ok(100.0));
        assert!(parse_ratio("0%").is_err());
        assert!(parse_ratio("120%").is_err());
        assert!(parse_ratio("5").unwrap_err().contains("百分比"));
        assert!(parse_ratio("abc%").is_err());
    }

    #[test]
    fn frequencies_as_officials_write_them() {
        let f = parse_frequency("每年1次").unwrap();
        assert_eq!((f.every, f.period, f.count), (1, "年", 1));
        let f = parse_frequency("每半年不少于1次").unwrap();
        assert_eq!((f.every, f.period, f.count), (1, "半年", 1));
        let f = parse_frequency("每3年一次").unwrap();
        assert_eq!((f.every, f.period, f.count), (3, "年", 1));
        let f = parse_frequency("每季度至少２次").unwrap();
        assert_eq!((f.every, f.period, f.count), (1, "季度", 2));
        let f = parse_frequency("1次/年").unwrap();
        assert_eq!((f.every, f.period, f.count), (1, "年", 1));
        for bad in ["经常", "每年", "每年0次", "每世纪1次", "1次/世纪"] {
            assert!(parse_frequency(bad).is_err(), "{bad}");
        }
    }
}
