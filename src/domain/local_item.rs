//! 地方监管事项: the rules an item compiled by the city must satisfy, its
//! review states, and its provisional code.

use super::enums::{BasisKind, BasisStatus, Category, ReviewState};
use serde::Serialize;

/// Why a local item cannot be submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum LocalItemProblem {
    #[error("至少需要一项设定依据")]
    NoBasis,
    #[error("依据《{0}》是{1}，该事项有国家层面依据，应从国家目录认领，不得列入地方目录")]
    NationalBasis(String, String),
    #[error("最高依据须为地方性法规或地方政府规章")]
    NoLocalBasis,
    #[error("须关联本单位权责清单事项（未纳入权责清单的事项，不得列入）")]
    NoPowerListEntry,
    #[error("所关联的权责清单事项不属于本单位")]
    PowerListEntryOfOtherUnit,
    #[error("依据已废止：《{0}》，请改用现行有效的依据")]
    RepealedBasis(String),
    #[error("所关联的权责清单事项是{0}，本事项却没有{0}子项：请核对是否同一事项")]
    PowerListKindMismatch(String),
}

/// A basis as the rule needs it: its title, kind and status.
pub struct BasisRef<'a> {
    pub title: &'a str,
    pub kind: BasisKind,
    pub status: BasisStatus,
}

/// The linked power-list entry as the rule needs it.
pub struct PowerRef<'a> {
    pub unit_id: i64,
    /// 事项类型 as the power list writes it (行政检查…), possibly empty.
    pub kind: &'a str,
}

/// Checks SPEC §2's local-item rules over the item's bases, its linked
/// power-list entry (if any) and its sub-items' categories.
pub fn check_local_item(
    bases: &[BasisRef<'_>],
    power: Option<PowerRef<'_>>,
    categories: &[Category],
    own_unit: i64,
) -> Vec<LocalItemProblem> {
    let mut problems = Vec::new();
    if let Some(repealed) = bases.iter().find(|b| b.status == BasisStatus::Repealed) {
        problems.push(LocalItemProblem::RepealedBasis(
            repealed.title.trim_matches(['《', '》']).to_string(),
        ));
    }
    if bases.is_empty() {
        problems.push(LocalItemProblem::NoBasis);
    } else if let Some(national) = bases.iter().find(|b| b.kind.is_national()) {
        problems.push(LocalItemProblem::NationalBasis(
            national.title.trim_matches(['《', '》']).to_string(),
            national.kind.label().to_string(),
        ));
    } else if !bases.iter().any(|b| b.kind.is_local()) {
        problems.push(LocalItemProblem::NoLocalBasis);
    }
    match power {
        None => problems.push(LocalItemProblem::NoPowerListEntry),
        Some(p) if p.unit_id != own_unit => {
            problems.push(LocalItemProblem::PowerListEntryOfOtherUnit)
        }
        Some(p) => {
            // Where the power list names a kind, the item must be that
            // kind of matter: a 行政处罚 entry under an inspection item
            // is a wrong link.
            if let Ok(kind) = Category::parse(p.kind)
                && !categories.is_empty()
                && !categories.contains(&kind)
            {
                problems.push(LocalItemProblem::PowerListKindMismatch(
                    kind.label().to_string(),
                ));
            }
        }
    }
    problems
}

/// What a user asks of a local item's review state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStep {
    Submit,
    Approve,
    Return,
    MarkEntered,
}

impl ReviewStep {
    pub fn label(self) -> &'static str {
        match self {
            ReviewStep::Submit => "提交审核",
            ReviewStep::Approve => "审核通过",
            ReviewStep::Return => "退回修改",
            ReviewStep::MarkEntered => "标记已录入",
        }
    }
}

/// The state a step leads to, or why it is not allowed from `from`.
pub fn next_state(from: ReviewState, step: ReviewStep) -> Result<ReviewState, String> {
    use ReviewState::*;
    let to = match (from, step) {
        (Draft | Returned, ReviewStep::Submit) => Submitted,
        (Submitted, ReviewStep::Approve) => Approved,
        (Submitted, ReviewStep::Return) => Returned,
        (Approved, ReviewStep::MarkEntered) => Entered,
        _ => {
            return Err(format!(
                "状态为“{}”的事项不能{}",
                from.label(),
                step.label()
            ));
        }
    };
    Ok(to)
}

/// Whether the item's fields may be edited in this state.
pub fn editable(state: ReviewState) -> bool {
    matches!(state, ReviewState::Draft | ReviewState::Returned)
}

/// National codes are 14 digits; ours start with "DF", so they can never be
/// mistaken for or collide with one. Layout: `DF` + the region's 6-digit
/// code + `-` + a 4-digit sequence per region, e.g. `DF410100-0007`;
/// sub-items append `-NN`.
pub fn provisional_main_code(region_code: &str, seq: u32) -> String {
    format!("DF{region_code}-{seq:04}")
}

pub fn provisional_sub_code(main_code: &str, seq: u32) -> String {
    format!("{main_code}-{seq:02}")
}

/// True for a code in the national 14-digit form.
pub fn is_national_code(code: &str) -> bool {
    code.len() == 14 && code.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(title: &str, kind: BasisKind) -> BasisRef<'_> {
        BasisRef {
            title,
            kind,
            status: BasisStatus::InForce,
        }
    }

    fn own(unit_id: i64) -> Option<PowerRef<'static>> {
        Some(PowerRef {
            unit_id,
            kind: "行政检查",
        })
    }

    const INSPECTION: &[Category] = &[Category::Inspection, Category::Penalty];

    #[test]
    fn local_item_with_local_basis_and_own_power_entry_passes() {
        let bases = [b("《郑州市城市绿化条例》", BasisKind::LocalRegulation)];
        assert!(check_local_item(&bases, own(7), INSPECTION, 7).is_empty());
    }

    #[test]
    fn national_basis_is_refused_with_its_title() {
        let bases = [
            b("《郑州市城市绿化条例》", BasisKind::LocalRegulation),
            b("《中华人民共和国食品安全法》", BasisKind::Law),
        ];
        let p = check_local_item(&bases, own(7), INSPECTION, 7);
        assert_eq!(
            p,
            vec![LocalItemProblem::NationalBasis(
                "中华人民共和国食品安全法".into(),
                "法律".into()
            )]
        );
        assert!(p[0].to_string().contains("应从国家目录认领"));
    }

    #[test]
    fn missing_basis_other_only_and_power_entry_rules() {
        assert_eq!(
            check_local_item(&[], None, INSPECTION, 7),
            vec![
                LocalItemProblem::NoBasis,
                LocalItemProblem::NoPowerListEntry
            ]
        );
        assert_eq!(
            check_local_item(&[b("某通知", BasisKind::Other)], own(8), INSPECTION, 7),
            vec![
                LocalItemProblem::NoLocalBasis,
                LocalItemProblem::PowerListEntryOfOtherUnit
            ]
        );
    }

    #[test]
    fn a_repealed_basis_and_a_power_entry_of_another_kind_are_named() {
        let mut repealed = b("《郑州市城市节约用水条例》", BasisKind::LocalRegulation);
        repealed.status = BasisStatus::Repealed;
        let p = check_local_item(&[repealed], own(7), INSPECTION, 7);
        assert_eq!(
            p,
            vec![LocalItemProblem::RepealedBasis(
                "郑州市城市节约用水条例".into()
            )]
        );
        assert!(p[0].to_string().starts_with("依据已废止"));
        let bases = [b("《郑州市城市绿化条例》", BasisKind::LocalRegulation)];
        let penalty_entry = Some(PowerRef {
            unit_id: 7,
            kind: "行政处罚",
        });
        assert_eq!(
            check_local_item(&bases, penalty_entry, &[Category::Inspection], 7),
            vec![LocalItemProblem::PowerListKindMismatch("行政处罚".into())]
        );
        // A power list that gives no kind, or a kind among the sub-items: fine.
        let unknown = Some(PowerRef {
            unit_id: 7,
            kind: "",
        });
        assert!(check_local_item(&bases, unknown, &[Category::Inspection], 7).is_empty());
        assert!(check_local_item(&bases, own(7), INSPECTION, 7).is_empty());
    }

    #[test]
    fn review_transitions() {
        use ReviewState::*;
        assert_eq!(next_state(Draft, ReviewStep::Submit), Ok(Submitted));
        assert_eq!(next_state(Returned, ReviewStep::Submit), Ok(Submitted));
        assert_eq!(next_state(Submitted, ReviewStep::Approve), Ok(Approved));
        assert_eq!(next_state(Submitted, ReviewStep::Return), Ok(Returned));
        assert_eq!(next_state(Approved, ReviewStep::MarkEntered), Ok(Entered));
        // Every other pair is refused.
        let allowed = [
            (Draft, ReviewStep::Submit),
            (Returned, ReviewStep::Submit),
            (Submitted, ReviewStep::Approve),
            (Submitted, ReviewStep::Return),
            (Approved, ReviewStep::MarkEntered),
        ];
        for from in [Draft, Submitted, Approved, Returned, Entered] {
            for step in [
                ReviewStep::Submit,
                ReviewStep::Approve,
                ReviewStep::Return,
                ReviewStep::MarkEntered,
            ] {
                let r = next_state(from, step);
                assert_eq!(
                    r.is_ok(),
                    allowed.contains(&(from, step)),
                    "{from:?} {step:?}: {r:?}"
                );
            }
        }
        assert!(editable(Draft) && editable(Returned));
        assert!(!editable(Submitted) && !editable(Approved) && !editable(Entered));
    }

    #[test]
    fn provisional_codes_never_look_national() {
        let main = provisional_main_code("410100", 7);
        assert_eq!(main, "DF410100-0007");
        assert_eq!(provisional_sub_code(&main, 2), "DF410100-0007-02");
        assert!(!is_national_code(&main));
        assert!(is_national_code("11410100000001"));
        assert!(!is_national_code("1141010000000"));
    }
}
