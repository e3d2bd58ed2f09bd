//! Who may do what (SPEC §1). Pure: the caller loads the actor and the
//! target inside the write transaction and asks here.

use super::entities::Id;
use super::enums::{Level, Role};

/// The account a write is made as, with what permission checks need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorCtx {
    pub account_id: Id,
    pub role: Role,
    pub unit_id: Id,
    pub unit_region_id: Id,
    pub unit_level: Level,
}

/// The unit a write touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRef {
    pub id: Id,
    pub region_id: Id,
    pub level: Level,
}

/// Every kind of write, with the target it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteAction {
    /// create a unit, or change its name, code and counterparts
    CreateUnit {
        unit: UnitRef,
    },
    EditUnit {
        unit: UnitRef,
    },
    CreateAccount {
        role: Role,
        unit: UnitRef,
    },
    EditAccount {
        role: Role,
        unit: UnitRef,
    },
    /// claim, unclaim, set exercised
    Claim {
        unit: UnitRef,
    },
    FinishClaiming {
        unit: UnitRef,
    },
    UndoFinishClaiming,
    SaveChecklist {
        unit: UnitRef,
    },
    /// create, edit and submit a local item
    CompileLocalItem {
        unit: UnitRef,
    },
    ReviewLocalItem,
    MarkLocalItemEntered {
        unit: UnitRef,
    },
    EditMilestone,
    /// Record a daily progress report (通报).
    RecordReport,
    ImportCatalogue,
    SetBasisStatus,
}

/// A refusal, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无权操作：{0}")]
pub struct Denied(pub String);

fn deny(why: impl Into<String>) -> Result<(), Denied> {
    Err(Denied(why.into()))
}

fn own_unit(actor: &ActorCtx, unit: UnitRef, what: &str) -> Result<(), Denied> {
    if actor.role != Role::Operator {
        return deny(format!(
            "{}只能由本单位的部门管理员操作，当前角色是{}",
            what,
            actor.role.label()
        ));
    }
    if actor.unit_id != unit.id {
        return deny(format!("只能为本单位{what}"));
    }
    Ok(())
}

/// Allows or refuses `action` for `actor`.
pub fn authorize(actor: &ActorCtx, action: WriteAction) -> Result<(), Denied> {
    use WriteAction::*;
    match action {
        CreateUnit { unit } | EditUnit { unit } => match actor.role {
            Role::PlatformAdmin => Ok(()),
            Role::CountyAdmin
                if unit.level == Level::County && unit.region_id == actor.unit_region_id =>
            {
                Ok(())
            }
            Role::CountyAdmin => deny("县级管理员只能创建和修改本县（市、区）的单位"),
            _ => deny("只有平台管理员和县级管理员可以创建和修改单位"),
        },
        CreateAccount { role, unit } | EditAccount { role, unit } => match actor.role {
            Role::PlatformAdmin => Ok(()),
            Role::CountyAdmin => {
                if role != Role::Operator {
                    deny("县级管理员只能管理本县（市、区）部门管理员账号")
                } else if unit.level != Level::County || unit.region_id != actor.unit_region_id {
                    deny("县级管理员只能管理本县（市、区）所属单位的账号")
                } else {
                    Ok(())
                }
            }
            _ => deny("只有平台管理员和县级管理员可以管理账号"),
        },
        Claim { unit } => own_unit(actor, unit, "认领事项"),
        FinishClaiming { unit } => own_unit(actor, unit, "确认认领完成"),
        UndoFinishClaiming => match actor.role {
            Role::PlatformAdmin => Ok(()),
            _ => deny("只有平台管理员可以撤销“认领完成”"),
        },
        SaveChecklist { unit } => own_unit(actor, unit, "填报检查实施清单"),
        CompileLocalItem { unit } => {
            own_unit(actor, unit, "编制地方监管事项")?;
            if unit.level != Level::City {
                return deny("地方监管事项由市直部门编制（市级设定，市、县两级实施）");
            }
            Ok(())
        }
        ReviewLocalItem => match actor.role {
            Role::LegalReviewer => Ok(()),
            _ => deny("只有合法性审核员（市司法局）可以审核地方监管事项"),
        },
        MarkLocalItemEntered { unit } => match actor.role {
            Role::PlatformAdmin => Ok(()),
            _ => own_unit(actor, unit, "标记已录入"),
        },
        EditMilestone => match actor.role {
            Role::PlatformAdmin | Role::Coordinator => Ok(()),
            _ => deny("只有平台管理员和协调员可以修改时间节点"),
        },
        RecordReport => match actor.role {
            Role::PlatformAdmin | Role::Coordinator => Ok(()),
            _ => deny("只有平台管理员和协调员可以发布进度通报"),
        },
        ImportCatalogue => match actor.role {
            Role::PlatformAdmin => Ok(()),
            _ => deny("只有平台管理员可以导入目录"),
        },
        SetBasisStatus => match actor.role {
            Role::PlatformAdmin | Role::LegalReviewer => Ok(()),
            _ => deny("只有平台管理员和合法性审核员可以修改依据状态"),
        },
    }
}

/// Whether a viewer sees a local item that is not yet 审核通过: its own
/// unit, the reviewer, the coordinators and the platform admin do; other
/// units see it once approved (and only then may claim it).
pub fn sees_unreleased(role: Role, viewer_unit: Id, owner_unit: Id) -> bool {
    viewer_unit == owner_unit
        || matches!(
            role,
            Role::PlatformAdmin | Role::LegalReviewer | Role::Coordinator
        )
}

/// Whether a viewer sees a 涉密 (classified) sub-item — its code, its name,
/// who claims it: a platform_admin always; anyone else only one their own
/// unit claims. Basis impact, the basis view, checklist lists, progress
/// drill-downs and whole-department claims ask this; the tree and search
/// apply the same rule.
pub fn sees_classified(role: Role, claimed_by_own_unit: bool) -> bool {
    role == Role::PlatformAdmin || claimed_by_own_unit
}

#[cfg(test)]
mod tests {
    use super::*;

    const CITY: Id = 2;
    const JINSHUI: Id = 6;
    const ZHONGMOU: Id = 9;

    fn actor(role: Role, unit_id: Id, region: Id, level: Level) -> ActorCtx {
        ActorCtx {
            account_id: 1,
            role,
            unit_id,
            unit_region_id: region,
            unit_level: level,
        }
    }

    fn unit(id: Id, region: Id, level: Level) -> UnitRef {
        UnitRef {
            id,
            region_id: region,
            level,
        }
    }

    #[test]
    fn operator_claims_only_for_own_unit() {
        let op = actor(Role::Operator, 10, CITY, Level::City);
        assert!(
            authorize(
                &op,
                WriteAction::Claim {
                    unit: unit(10, CITY, Level::City)
                }
            )
            .is_ok()
        );
        let e = authorize(
            &op,
            WriteAction::Claim {
                unit: unit(11, CITY, Level::City),
            },
        );
        assert_eq!(e, Err(Denied("只能为本单位认领事项".into())));
    }

    #[test]
    fn county_admin_manages_only_own_county_operators() {
        let ca = actor(Role::CountyAdmin, 20, JINSHUI, Level::County);
        let own = unit(21, JINSHUI, Level::County);
        let other = unit(31, ZHONGMOU, Level::County);
        assert!(
            authorize(
                &ca,
                WriteAction::CreateAccount {
                    role: Role::Operator,
                    unit: own
                }
            )
            .is_ok()
        );
        assert!(
            authorize(
                &ca,
                WriteAction::CreateAccount {
                    role: Role::Operator,
                    unit: other
                }
            )
            .is_err()
        );
        assert!(
            authorize(
                &ca,
                WriteAction::CreateAccount {
                    role: Role::CountyAdmin,
                    unit: own
                }
            )
            .is_err()
        );
        assert!(authorize(&ca, WriteAction::CreateUnit { unit: own }).is_ok());
        assert!(authorize(&ca, WriteAction::CreateUnit { unit: other }).is_err());
    }

    #[test]
    fn county_operator_cannot_compile_local_items() {
        let op = actor(Role::Operator, 21, JINSHUI, Level::County);
        let e = authorize(
            &op,
            WriteAction::CompileLocalItem {
                unit: unit(21, JINSHUI, Level::County),
            },
        );
        assert!(e.unwrap_err().0.contains("市直部门"));
    }

    #[test]
    fn only_reviewer_reviews_and_admin_cannot_claim_without_as() {
        let admin = actor(Role::PlatformAdmin, 1, CITY, Level::City);
        assert!(authorize(&admin, WriteAction::ReviewLocalItem).is_err());
        assert!(
            authorize(
                &admin,
                WriteAction::Claim {
                    unit: unit(1, CITY, Level::City)
                }
            )
            .is_err()
        );
        let rev = actor(Role::LegalReviewer, 8, CITY, Level::City);
        assert!(authorize(&rev, WriteAction::ReviewLocalItem).is_ok());
    }
}
