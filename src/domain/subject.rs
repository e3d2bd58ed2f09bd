//! 实施主体 (item 3 of the checklist) and 行使层级 (item 2) are the unit's
//! own, never typed: a checklist filed under another unit's name or a
//! made-up code would go into the national system as it is.

use super::checklist::{ChecklistField, ChecklistFields, FieldError, validate_checklist};
use super::entities::{SubItem, Unit};

/// What stands where the unit's code is needed but not yet set.
pub const CODE_MISSING: &str = "单位统一社会信用代码未设置";

/// What to do about it, for messages that have room.
pub const CODE_MISSING_HELP: &str =
    "单位统一社会信用代码未设置（由管理员用 jianguan unit set 设置）";

/// Puts the parts that are not the operator's to choose into the fields:
/// the sub-item's code, the unit's level, name and code.
pub fn apply_unit(fields: &mut ChecklistFields, unit: &Unit, sub: &SubItem) {
    apply_fixed(fields, unit, &sub.code);
}

/// `apply_unit` with the sub-item's code alone.
pub fn apply_fixed(fields: &mut ChecklistFields, unit: &Unit, sub_code: &str) {
    fields.item_code = sub_code.to_string();
    fields.level = Some(unit.region_level);
    fields.subject_name = unit.full_name();
    fields.subject_code = unit.uscc.clone().unwrap_or_default();
}

/// The rules of SPEC §2 for the unit's checklist: a missing 实施主体编码
/// says that the unit's code is not set, which is what the operator must
/// get fixed (the field itself cannot be edited).
pub fn validate_for_unit(fields: &ChecklistFields, unit: &Unit) -> Vec<FieldError> {
    let mut errors = validate_checklist(fields);
    if unit.uscc.is_none() {
        for e in errors
            .iter_mut()
            .filter(|e| e.field == ChecklistField::SubjectCode)
        {
            e.reason = CODE_MISSING_HELP.to_string();
        }
    }
    errors
}

/// True for the fields that come from the catalogue and the unit.
pub fn is_fixed(field: ChecklistField) -> bool {
    matches!(
        field,
        ChecklistField::ItemCode
            | ChecklistField::Level
            | ChecklistField::SubjectName
            | ChecklistField::SubjectCode
    )
}

/// Compares a name written in a file with the unit's: the full name or the
/// bare name, spaces ignored.
pub fn names_unit(written: &str, unit: &Unit) -> bool {
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let w = squeeze(written);
    w == squeeze(&unit.full_name()) || w == squeeze(&unit.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Category, ItemStatus, Level, UnitCategory};

    fn unit(uscc: Option<&str>) -> Unit {
        Unit {
            id: 7,
            name: "市场监督管理局".into(),
            category: UnitCategory::GovernmentDepartment,
            region_id: 2,
            region_name: "郑州市".into(),
            region_level: Level::City,
            uscc: uscc.map(str::to_string),
            counterparts: vec![],
            version: 1,
        }
    }

    fn sub() -> SubItem {
        SubItem {
            id: 1,
            code: "10100100100000".into(),
            main_item_id: 1,
            name: "对食品生产企业的监督检查".into(),
            category: Category::Inspection,
            target: String::new(),
            measures: String::new(),
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
    fn the_unit_fills_subject_and_level_whatever_was_typed() {
        let mut f = ChecklistFields {
            subject_name: "郑州市城市管理局".into(),
            subject_code: "11410100MB0000000X".into(),
            level: Some(Level::County),
            ..Default::default()
        };
        apply_unit(&mut f, &unit(None), &sub());
        assert_eq!(f.subject_name, "郑州市市场监督管理局");
        assert_eq!(f.subject_code, "");
        assert_eq!(f.level, Some(Level::City));
        assert_eq!(f.item_code, "10100100100000");
    }

    #[test]
    fn a_unit_without_code_says_so_where_the_code_is_needed() {
        let mut f = ChecklistFields::default();
        apply_unit(&mut f, &unit(None), &sub());
        let e = validate_for_unit(&f, &unit(None));
        let code = e
            .iter()
            .find(|e| e.field == ChecklistField::SubjectCode)
            .map(|e| e.reason.as_str());
        assert!(
            code.is_some_and(|r| r.starts_with(CODE_MISSING)),
            "{code:?}"
        );
    }

    #[test]
    fn names_in_files_match_full_or_bare_name() {
        let u = unit(None);
        assert!(names_unit("郑州市市场监督管理局", &u));
        assert!(names_unit(" 市场监督管理局 ", &u));
        assert!(!names_unit("郑州市城市管理局", &u));
    }
}
