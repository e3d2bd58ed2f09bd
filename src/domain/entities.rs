//! The rows of SPEC §2 as plain types. Stored ids are database row ids.

use super::checklist::ChecklistFields;
use super::enums::*;
use serde::{Deserialize, Serialize};

pub type Id = i64;
/// Seconds since the Unix epoch, UTC.
pub type Timestamp = i64;

/// 区划
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub id: Id,
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent_id: Option<Id>,
}

/// 单位: a department at one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub id: Id,
    pub name: String,
    pub category: UnitCategory,
    pub region_id: Id,
    pub region_name: String,
    pub region_level: Level,
    pub uscc: Option<String>,
    /// Upper-level departments of the same line (系统一条线), e.g.
    /// 国家市场监督管理总局 for 市场监督管理局.
    pub counterparts: Vec<String>,
    pub version: i64,
}

impl Unit {
    /// The name as used in lists: region name + unit name, unless the unit
    /// name already carries it.
    pub fn full_name(&self) -> String {
        let region = self.region_name.as_str();
        let short = region
            .strip_suffix("回族区")
            .or_else(|| region.strip_suffix('区'))
            .or_else(|| region.strip_suffix('县'))
            .or_else(|| region.strip_suffix('市'))
            .unwrap_or(region);
        if self.name.starts_with(short) {
            self.name.clone()
        } else {
            format!("{}{}", region, self.name)
        }
    }
}

/// 账号
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: Id,
    /// OS login name (the SSH user).
    pub login: String,
    /// 姓名
    pub name: String,
    pub unit_id: Id,
    /// 处室及职务
    pub office_post: String,
    pub mobile: String,
    pub role: Role,
    /// 联络人 (one per unit)
    pub is_liaison: bool,
    pub active: bool,
    pub version: i64,
}

/// An account to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAccount {
    pub login: String,
    pub name: String,
    pub unit_id: Id,
    pub office_post: String,
    pub mobile: String,
    pub role: Role,
    pub is_liaison: bool,
}

/// 监管事项主项
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MainItem {
    pub id: Id,
    pub code: String,
    pub name: String,
    /// 监管部门
    pub department: String,
    /// 对应的许可事项
    pub permit_name: String,
    pub permit_type: Option<PermitType>,
    pub permit_code: String,
    pub source: Source,
    pub status: ItemStatus,
    /// The unit that compiles it, for local items.
    pub owner_unit_id: Option<Id>,
    pub version: i64,
}

/// 监管事项子项
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubItem {
    pub id: Id,
    pub code: String,
    pub main_item_id: Id,
    pub name: String,
    pub category: Category,
    /// 监管对象
    pub target: String,
    /// 监管措施
    pub measures: String,
    /// 设定依据 as written in the source
    pub basis_text: String,
    /// 监管流程
    pub process: String,
    /// 监管结果
    pub result: String,
    /// 监管层级
    pub levels: Vec<Level>,
    /// 涉密
    pub classified: bool,
    pub status: ItemStatus,
    pub version: i64,
}

/// 设定依据
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegalBasis {
    pub id: Id,
    /// 《…》
    pub title: String,
    pub kind: BasisKind,
    /// 第…条, or empty when the whole document is cited.
    pub article: String,
    pub excerpt: String,
    pub status: BasisStatus,
    pub version: i64,
}

impl LegalBasis {
    /// “《食品安全法》第八十七条”
    pub fn citation(&self) -> String {
        format!("{}{}", self.title, self.article)
    }
}

/// 权责清单事项
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PowerListEntry {
    pub id: Id,
    pub code: String,
    pub name: String,
    pub unit_id: Id,
    pub kind: String,
}

/// 认领
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub unit_id: Id,
    pub sub_item_id: Id,
    pub exercised: bool,
    pub note: String,
    pub claimed_by: Id,
    pub claimed_at: Timestamp,
}

/// 地方监管事项: the review side of a local main item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalItem {
    pub main_item_id: Id,
    pub unit_id: Id,
    pub state: ReviewState,
    pub power_entry_id: Option<Id>,
    pub official_code: Option<String>,
    /// Reason of the last 退回修改.
    pub return_reason: Option<String>,
    pub version: i64,
    pub updated_at: Timestamp,
    pub updated_by: Id,
}

/// 检查实施清单
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist {
    pub id: Id,
    pub sub_item_id: Id,
    pub unit_id: Id,
    pub fields: ChecklistFields,
    pub state: ChecklistState,
    /// The upper-level checklist this one was copied from (共享复用).
    pub source_id: Option<Id>,
    pub source_version: Option<i64>,
    pub version: i64,
    pub updated_at: Timestamp,
    pub updated_by: Id,
}

/// 时间节点
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    pub id: Id,
    pub key: String,
    pub name: String,
    pub audience: Audience,
    pub due_at: Timestamp,
    pub version: i64,
}

/// 操作记录
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeLogEntry {
    pub id: Id,
    pub at: Timestamp,
    pub account_id: Option<Id>,
    /// The account a platform_admin acted for with `--as`.
    pub acting_as: Option<Id>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(region: &str, name: &str) -> Unit {
        Unit {
            id: 1,
            name: name.into(),
            category: UnitCategory::GovernmentDepartment,
            region_id: 1,
            region_name: region.into(),
            region_level: Level::County,
            uscc: None,
            counterparts: vec![],
            version: 1,
        }
    }

    #[test]
    fn full_name_prefixes_region_once() {
        assert_eq!(
            unit("郑州市", "市场监督管理局").full_name(),
            "郑州市市场监督管理局"
        );
        assert_eq!(
            unit("金水区", "金水区市场监督管理局").full_name(),
            "金水区市场监督管理局"
        );
        assert_eq!(
            unit("管城回族区", "管城区市场监督管理局").full_name(),
            "管城区市场监督管理局"
        );
    }
}
