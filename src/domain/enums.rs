//! Every enumeration of the catalogue, each with a stable English key (used
//! in the database and in `--json` output) and the Chinese label officials
//! write (used on screen and in spreadsheets).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A label did not name any value of the enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{value}”不是有效的{what}，应为：{allowed}")]
pub struct UnknownLabel {
    pub what: &'static str,
    pub value: String,
    pub allowed: String,
}

/// Strips the spaces officials (and spreadsheets) put around and inside
/// short labels, so " 行政 检查 " still reads as 行政检查.
pub fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect()
}

/// A value with a stable English key (snake_case) and the Chinese label
/// people read: `--json` prints it as `"x": key, "x_label": label`.
pub trait Labeled: Copy {
    fn key(self) -> &'static str;
    fn label(self) -> &'static str;
}

/// An enumeration stored by its key (implemented for every enum here).
pub trait Keyed: Sized + Copy + 'static {
    const WHAT: &'static str;
    fn key(self) -> &'static str;
    fn from_key(key: &str) -> Option<Self>;
}

macro_rules! labeled_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $key:literal, $label:literal $(| $alias:literal)* ; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];
            /// What the enumeration is called in messages.
            pub const WHAT: &'static str = $what;

            /// Stable key stored in the database and printed in JSON.
            pub fn key(self) -> &'static str {
                match self { $( $name::$variant => $key, )+ }
            }

            /// The Chinese label.
            pub fn label(self) -> &'static str {
                match self { $( $name::$variant => $label, )+ }
            }

            pub fn from_key(key: &str) -> Option<Self> {
                match key { $( $key => Some($name::$variant), )+ _ => None }
            }

            /// Parses a Chinese label (spaces ignored), an accepted alias, or the key.
            pub fn parse(text: &str) -> Result<Self, UnknownLabel> {
                let s = squeeze(text);
                $(
                    if s == $label || s == $key $( || s == $alias )* {
                        return Ok($name::$variant);
                    }
                )+
                Err(UnknownLabel {
                    what: $what,
                    value: text.trim().to_string(),
                    allowed: Self::ALL.iter().map(|v| v.label()).collect::<Vec<_>>().join("、"),
                })
            }
        }

        impl Keyed for $name {
            const WHAT: &'static str = $what;
            fn key(self) -> &'static str {
                $name::key(self)
            }
            fn from_key(key: &str) -> Option<Self> {
                $name::from_key(key)
            }
        }

        impl Labeled for $name {
            fn key(self) -> &'static str {
                $name::key(self)
            }
            fn label(self) -> &'static str {
                $name::label(self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.key())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

labeled_enum! {
    /// 监管事项子项类别. The national exchange format numbers them 0..3.
    Category, "子项类别" {
        Inspection => "inspection", "行政检查" | "检查";
        Penalty => "penalty", "行政处罚" | "处罚";
        Enforcement => "enforcement", "行政强制" | "强制";
        Other => "other", "其他" | "其它";
    }
}

impl Category {
    /// Number used by the national exchange format.
    pub fn exchange_code(self) -> u8 {
        match self {
            Category::Inspection => 0,
            Category::Penalty => 1,
            Category::Enforcement => 2,
            Category::Other => 3,
        }
    }

    pub fn from_exchange_code(code: u8) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.exchange_code() == code)
    }
}

labeled_enum! {
    /// 层级: 监管层级 of a sub-item, 行使层级 of a checklist, level of a region.
    Level, "层级" {
        National => "national", "国家级" | "国家";
        Province => "province", "省级" | "省";
        City => "city", "市级" | "市";
        County => "county", "县级" | "县" | "县（市、区）级";
    }
}

impl Level {
    /// The level directly above, if any (county → city → province → national).
    pub fn upper(self) -> Option<Level> {
        match self {
            Level::National => None,
            Level::Province => Some(Level::National),
            Level::City => Some(Level::Province),
            Level::County => Some(Level::City),
        }
    }
}

/// A sub-item's 监管层级 as a set: which levels' units may claim it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LevelSet(u8);

impl LevelSet {
    pub fn of(levels: &[Level]) -> Self {
        LevelSet(levels.iter().fold(0, |bits, l| bits | Self::bit(*l)))
    }

    fn bit(level: Level) -> u8 {
        1 << Level::ALL.iter().position(|l| *l == level).unwrap_or(0)
    }

    /// True when a unit of `level` may claim the item. An item whose
    /// levels the catalogue does not give admits every level.
    pub fn admits(self, level: Level) -> bool {
        self.0 == 0 || self.0 & Self::bit(level) != 0
    }
}

labeled_enum! {
    /// 角色 of an account (SPEC §1).
    Role, "角色" {
        PlatformAdmin => "platform_admin", "平台管理员";
        CountyAdmin => "county_admin", "县级管理员";
        Operator => "operator", "部门管理员" | "操作员";
        LegalReviewer => "legal_reviewer", "合法性审核员" | "审核员";
        Coordinator => "coordinator", "协调员";
    }
}

labeled_enum! {
    /// 事项来源: who set the item.
    Source, "事项来源" {
        National => "national", "国家级" | "国家";
        Provincial => "provincial", "省级" | "省";
        City => "city", "市级" | "市" | "地方";
    }
}

labeled_enum! {
    /// 事项状态 of a catalogue item.
    ItemStatus, "事项状态" {
        InUse => "in_use", "在用";
        Cancelled => "cancelled", "取消" | "已取消";
        Suspended => "suspended", "停用" | "已停用";
    }
}

labeled_enum! {
    /// 对应的许可事项类型.
    PermitType, "许可事项类型" {
        First => "first", "第一类";
        Second => "second", "第二类";
        Third => "third", "第三类";
        Other => "other", "其他" | "其它";
    }
}

labeled_enum! {
    /// 设定依据的效力层级.
    BasisKind, "依据类型" {
        Law => "law", "法律";
        AdministrativeRegulation => "administrative_regulation", "行政法规";
        DepartmentalRule => "departmental_rule", "部门规章";
        LocalRegulation => "local_regulation", "地方性法规";
        LocalGovernmentRule => "local_government_rule", "地方政府规章";
        Other => "other", "其他" | "其它" | "规范性文件";
    }
}

impl BasisKind {
    /// National bases put an item in the national catalogue.
    pub fn is_national(self) -> bool {
        matches!(
            self,
            BasisKind::Law | BasisKind::AdministrativeRegulation | BasisKind::DepartmentalRule
        )
    }

    pub fn is_local(self) -> bool {
        matches!(
            self,
            BasisKind::LocalRegulation | BasisKind::LocalGovernmentRule
        )
    }
}

labeled_enum! {
    /// 依据的时效状态.
    BasisStatus, "依据状态" {
        InForce => "in_force", "现行有效" | "有效";
        UnderRevision => "under_revision", "修订中";
        Repealed => "repealed", "已废止" | "废止" | "失效";
    }
}

labeled_enum! {
    /// 地方监管事项的审核状态.
    ReviewState, "审核状态" {
        Draft => "draft", "草稿";
        Submitted => "submitted", "待审核";
        Approved => "approved", "审核通过";
        Returned => "returned", "退回修改";
        Entered => "entered", "已录入";
    }
}

labeled_enum! {
    /// 检查实施清单的状态.
    ChecklistState, "清单状态" {
        Draft => "draft", "草稿";
        Complete => "complete", "完整";
        Filed => "filed", "已填报";
    }
}

labeled_enum! {
    /// 检查类别.
    InspectionKind, "检查类别" {
        OnSite => "on_site", "现场检查";
        OffSite => "off_site", "非现场检查";
    }
}

labeled_enum! {
    /// 是/否 columns of annex 5.
    YesNo, "是否" {
        Yes => "yes", "是" | "Y" | "y";
        No => "no", "否" | "N" | "n";
    }
}

/// What a required checklist not yet started is called.
pub const NOT_STARTED: &str = "未开始";
/// Its key, beside the keys of `ChecklistState`.
pub const NOT_STARTED_KEY: &str = "not_started";

impl ChecklistState {
    /// The state of a required checklist, 未开始 when there is none yet.
    pub fn label_of(state: Option<ChecklistState>) -> &'static str {
        state.map_or(NOT_STARTED, |s| s.label())
    }

    /// `label_of`'s key: not_started when there is none yet.
    pub fn key_of(state: Option<ChecklistState>) -> &'static str {
        state.map_or(NOT_STARTED_KEY, |s| s.key())
    }
}

labeled_enum! {
    /// Where a unit stands with a sub-item: claimed and exercised, claimed
    /// as 不行使, or not claimed (never stored: claims have `exercised`).
    ClaimState, "认领状态" {
        Exercised => "exercised", "行使";
        NotExercised => "not_exercised", "不行使";
        Unclaimed => "unclaimed", "未认领";
    }
}

impl ClaimState {
    /// The state of a claim (`Some(exercised)`) or of none.
    pub fn of(exercised: Option<bool>) -> Self {
        match exercised {
            Some(true) => ClaimState::Exercised,
            Some(false) => ClaimState::NotExercised,
            None => ClaimState::Unclaimed,
        }
    }
}

impl Labeled for super::progress::MilestoneState {
    fn key(self) -> &'static str {
        use super::progress::MilestoneState::*;
        match self {
            OnTime => "on_time",
            Pending => "pending",
            Late => "late",
            Overdue => "overdue",
        }
    }
    fn label(self) -> &'static str {
        super::progress::MilestoneState::label(self)
    }
}

impl Labeled for super::progress::MilestoneKind {
    fn key(self) -> &'static str {
        use super::progress::MilestoneKind::*;
        match self {
            Accounts => "accounts",
            Claims => "claims",
            Reported => "reported",
            Entered => "entered",
            Checklists => "checklists",
        }
    }
    fn label(self) -> &'static str {
        super::progress::MilestoneKind::label(self)
    }
}

impl Labeled for super::checklist::ChecklistField {
    fn key(self) -> &'static str {
        use super::checklist::ChecklistField::*;
        match self {
            ItemCode => "item_code",
            Level => "level",
            SubjectName => "subject_name",
            SubjectCode => "subject_code",
            EntrustName => "entrust_name",
            EntrustCode => "entrust_code",
            TargetMain => "target_main",
            TargetSub => "target_sub",
            InspectionKind => "inspection_kind",
            Methods => "methods",
            RandomIncluded => "random_included",
            RandomRatio => "random_ratio",
            RandomFrequency => "random_frequency",
            Content => "content",
            Sampling => "sampling",
            SamplingContent => "sampling_content",
            Cooperation => "cooperation",
            CooperationOrg => "cooperation_org",
        }
    }
    fn label(self) -> &'static str {
        super::checklist::ChecklistField::label(self)
    }
}

impl YesNo {
    pub fn from_bool(b: bool) -> Self {
        if b { YesNo::Yes } else { YesNo::No }
    }

    pub fn as_bool(self) -> bool {
        self == YesNo::Yes
    }
}

labeled_enum! {
    /// 单位分类 (annex 1).
    UnitCategory, "单位分类" {
        GovernmentDepartment => "government_department", "政府工作部门";
        DirectInstitution => "direct_institution", "直属事业单位";
        Other => "other", "其他" | "其它";
    }
}

labeled_enum! {
    /// Which units a milestone applies to.
    Audience, "适用范围" {
        CityUnits => "city_units", "市直单位" | "市直部门";
        CountyUnits => "county_units", "县（市、区）" | "县区";
        All => "all", "全部";
    }
}

impl Audience {
    pub fn covers(self, level: Level) -> bool {
        match self {
            Audience::All => true,
            Audience::CityUnits => level == Level::City,
            Audience::CountyUnits => level == Level::County,
        }
    }
}

/// 检查方式 values the notice lists; anything else is kept as free text.
pub const INSPECTION_METHODS: &[&str] = &[
    "实地检查",
    "书面检查",
    "网络监测",
    "抽样检测",
    "委托专业机构",
    "查阅资料",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_and_key_parses_back() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.label()), Ok(*c));
            assert_eq!(Category::from_key(c.key()), Some(*c));
            assert_eq!(Category::from_exchange_code(c.exchange_code()), Some(*c));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.label()), Ok(*r));
            assert_eq!(Role::parse(r.key()), Ok(*r));
        }
        for s in ReviewState::ALL {
            assert_eq!(ReviewState::parse(s.label()), Ok(*s));
        }
        for k in BasisKind::ALL {
            assert_eq!(BasisKind::parse(k.label()), Ok(*k));
        }
    }

    #[test]
    fn spaces_and_full_width_spaces_are_ignored() {
        assert_eq!(Category::parse(" 行政　检查 "), Ok(Category::Inspection));
        assert_eq!(YesNo::parse("是 "), Ok(YesNo::Yes));
    }

    #[test]
    fn unknown_label_names_value_and_choices() {
        let e = InspectionKind::parse("随机检查").unwrap_err();
        assert_eq!(e.value, "随机检查");
        assert_eq!(
            e.to_string(),
            "“随机检查”不是有效的检查类别，应为：现场检查、非现场检查"
        );
    }

    #[test]
    fn exchange_codes_follow_the_national_format() {
        assert_eq!(Category::Inspection.exchange_code(), 0);
        assert_eq!(Category::Other.exchange_code(), 3);
        assert_eq!(Category::from_exchange_code(4), None);
    }

    #[test]
    fn serde_uses_keys_and_reads_labels() {
        let j = serde_json::to_string(&Role::LegalReviewer).unwrap();
        assert_eq!(j, "\"legal_reviewer\"");
        let c: Category = serde_json::from_str("\"行政处罚\"").unwrap();
        assert_eq!(c, Category::Penalty);
    }

    #[test]
    fn keys_beside_other_serialisations_agree() {
        // Where serde already names a value, `Labeled::key` names it alike.
        use super::super::checklist::ChecklistField;
        use super::super::progress::{MilestoneKind, MilestoneState};
        let serde_key = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        for f in ChecklistField::ALL {
            assert_eq!(
                serde_key(serde_json::to_value(f).unwrap()),
                Labeled::key(*f)
            );
        }
        for k in MilestoneKind::ALL {
            assert_eq!(serde_key(serde_json::to_value(k).unwrap()), Labeled::key(k));
        }
        for s in [
            MilestoneState::OnTime,
            MilestoneState::Pending,
            MilestoneState::Late,
            MilestoneState::Overdue,
        ] {
            assert_eq!(serde_key(serde_json::to_value(s).unwrap()), Labeled::key(s));
        }
        assert_eq!(ChecklistState::key_of(None), "not_started");
        assert_eq!(ChecklistState::key_of(Some(ChecklistState::Filed)), "filed");
        assert_eq!(ClaimState::of(Some(false)).key(), "not_exercised");
    }

    #[test]
    fn basis_kind_split() {
        assert!(BasisKind::Law.is_national());
        assert!(BasisKind::LocalRegulation.is_local());
        assert!(!BasisKind::Other.is_local() && !BasisKind::Other.is_national());
    }
}
