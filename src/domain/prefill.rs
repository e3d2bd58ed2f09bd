//! What a new checklist can start from: the catalogue already says whom
//! the item supervises (监管对象) and by what means (监管措施). A checklist
//! with no saved row starts with those, marked for the operator to
//! confirm, so nothing the catalogue states has to be typed again, and
//! nothing is taken as the operator's word before they have looked at it.

use super::checklist::{ChecklistField, ChecklistFields};
use super::entities::{SubItem, Unit};
use super::enums::{INSPECTION_METHODS, InspectionKind};
use super::subject;

/// The starting fields of a new checklist, and which of them came from the
/// catalogue (to be confirmed by the operator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefill {
    pub fields: ChecklistFields,
    /// In annex order.
    pub from_catalogue: Vec<ChecklistField>,
}

/// A new checklist of `sub` for `unit`: items 1–3 as every save fills them,
/// 监管对象主项 from the item's 监管对象, 检查方式 from the 监管措施 that are
/// listed choices, 检查类别 when the measures name exactly one of 现场检查 /
/// 非现场检查.
pub fn prefill(sub: &SubItem, unit: &Unit) -> Prefill {
    let mut fields = ChecklistFields::default();
    subject::apply_unit(&mut fields, unit, sub);
    let mut from_catalogue = Vec::new();

    let target = one_line(&sub.target);
    if !target.is_empty()
        && ChecklistField::TargetMain
            .text_rule()
            .check(&target)
            .is_ok()
    {
        fields.target_main = target;
        from_catalogue.push(ChecklistField::TargetMain);
    }

    let terms = measure_terms(&sub.measures);
    let on_site = terms.iter().any(|t| t == InspectionKind::OnSite.label());
    let off_site = terms.iter().any(|t| t == InspectionKind::OffSite.label());
    // Both named: the catalogue does not decide, the operator does.
    fields.inspection_kind = match (on_site, off_site) {
        (true, false) => Some(InspectionKind::OnSite),
        (false, true) => Some(InspectionKind::OffSite),
        _ => None,
    };
    if fields.inspection_kind.is_some() {
        from_catalogue.push(ChecklistField::InspectionKind);
    }

    // In the order the form lists them, each once.
    fields.methods = INSPECTION_METHODS
        .iter()
        .filter(|m| terms.iter().any(|t| t == *m))
        .map(|m| m.to_string())
        .collect();
    if !fields.methods.is_empty() {
        from_catalogue.push(ChecklistField::Methods);
    }

    from_catalogue.sort_by_key(|f| ChecklistField::ALL.iter().position(|x| x == f));
    Prefill {
        fields,
        from_catalogue,
    }
}

/// The catalogue's 监管对象 may run over several lines; the checklist's
/// 监管对象主项 is one.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("、")
}

/// 监管措施 as separate terms: “现场检查、书面检查、抽样检测”.
fn measure_terms(measures: &str) -> Vec<String> {
    measures
        .split(|c: char| "、，,；;/／\n\r\t 　".contains(c))
        .map(|t| t.trim().trim_end_matches(['。', '.']).to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Category, ItemStatus, Level, UnitCategory};

    fn unit() -> Unit {
        Unit {
            id: 7,
            name: "市场监督管理局".into(),
            category: UnitCategory::GovernmentDepartment,
            region_id: 2,
            region_name: "郑州市".into(),
            region_level: Level::City,
            uscc: Some("11410100MB1234567X".into()),
            counterparts: vec![],
            version: 1,
        }
    }

    fn sub(target: &str, measures: &str) -> SubItem {
        SubItem {
            id: 1,
            code: "10100100100000".into(),
            main_item_id: 1,
            name: "对食品生产企业的监督检查".into(),
            category: Category::Inspection,
            target: target.into(),
            measures: measures.into(),
            basis_text: String::new(),
            process: String::new(),
            result: String::new(),
            levels: vec![],
            classified: false,
            status: ItemStatus::InUse,
            version: 1,
        }
    }

    #[test]
    fn the_demo_food_item_starts_with_target_kind_and_the_listed_methods() {
        let p = prefill(
            &sub("食品生产企业", "现场检查、书面检查、抽样检测"),
            &unit(),
        );
        assert_eq!(p.fields.target_main, "食品生产企业");
        assert_eq!(p.fields.inspection_kind, Some(InspectionKind::OnSite));
        // 现场检查 is a 检查类别, not one of the listed 检查方式.
        assert_eq!(p.fields.methods, vec!["书面检查", "抽样检测"]);
        assert_eq!(
            p.from_catalogue,
            vec![
                ChecklistField::TargetMain,
                ChecklistField::InspectionKind,
                ChecklistField::Methods
            ]
        );
        // 实施主体 and the level are the unit's, as every save sets them.
        assert_eq!(p.fields.subject_name, "郑州市市场监督管理局");
        assert_eq!(p.fields.subject_code, "11410100MB1234567X");
        assert_eq!(p.fields.level, Some(Level::City));
        assert_eq!(p.fields.item_code, "10100100100000");
        // The operator still decides the rest.
        assert!(p.fields.target_sub.is_empty() && p.fields.content.is_empty());
        assert_eq!(p.fields.random_included, None);
    }

    #[test]
    fn measures_that_name_both_kinds_or_none_leave_the_kind_to_the_operator() {
        let both = prefill(&sub("经营者", "现场检查；非现场检查；网络监测"), &unit());
        assert_eq!(both.fields.inspection_kind, None);
        assert_eq!(both.fields.methods, vec!["网络监测"]);
        let off = prefill(&sub("", "非现场检查，查阅资料。"), &unit());
        assert_eq!(off.fields.inspection_kind, Some(InspectionKind::OffSite));
        assert_eq!(off.fields.methods, vec!["查阅资料"]);
        assert_eq!(
            off.from_catalogue,
            vec![ChecklistField::InspectionKind, ChecklistField::Methods]
        );
        let penalty = prefill(&sub("违法经营者", "警告、罚款、没收违法所得"), &unit());
        assert_eq!(penalty.fields.inspection_kind, None);
        assert!(penalty.fields.methods.is_empty());
        assert_eq!(penalty.from_catalogue, vec![ChecklistField::TargetMain]);
    }

    #[test]
    fn a_target_over_several_lines_becomes_one_and_an_overlong_one_is_left_out() {
        let p = prefill(&sub("学校食堂\n 养老机构食堂 \n", ""), &unit());
        assert_eq!(p.fields.target_main, "学校食堂、养老机构食堂");
        let long = "很长的监管对象".repeat(40);
        let q = prefill(&sub(&long, ""), &unit());
        assert!(q.fields.target_main.is_empty());
        assert!(q.from_catalogue.is_empty());
    }
}
