//! The checklist's fields as text: how annex 5 and the form show each one,
//! how a typed or pasted value is read back, which fields apply given the
//! switches (是否纳入双随机, 是否抽检, 是否协同, 委托部门), and which differ
//! between two versions.

use super::checklist::{ChecklistField, ChecklistFields};
use super::enums::squeeze;
use super::text::{code, half_width, text};

/// How the form edits a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Set by the system (item code, level).
    Fixed,
    /// One line of text.
    Line,
    /// Several lines (检查内容, 监督抽检内容).
    Text,
    /// One of a few values.
    Choice,
    /// 检查方式: listed values and free text.
    Methods,
}

impl ChecklistField {
    pub fn kind(self) -> FieldKind {
        use ChecklistField::*;
        match self {
            // From the catalogue and the unit, never typed (domain::subject).
            ItemCode | Level | SubjectName | SubjectCode => FieldKind::Fixed,
            Content | SamplingContent => FieldKind::Text,
            InspectionKind | RandomIncluded | Sampling | Cooperation => FieldKind::Choice,
            Methods => FieldKind::Methods,
            _ => FieldKind::Line,
        }
    }

    /// The group annex 5 prints above the column (两行表头), if any.
    pub fn group(self) -> Option<&'static str> {
        use ChecklistField::*;
        match self {
            SubjectName | SubjectCode => Some("实施主体"),
            EntrustName | EntrustCode => Some("委托部门"),
            TargetMain | TargetSub => Some("监管对象"),
            RandomIncluded | RandomRatio | RandomFrequency => Some("双随机信息"),
            Content => Some("检查内容"),
            Sampling | SamplingContent => Some("监督抽检"),
            Cooperation | CooperationOrg => Some("协同机构"),
            ItemCode | Level | InspectionKind | Methods => None,
        }
    }

    /// The values a choice field offers, in order.
    pub fn choices(self) -> &'static [&'static str] {
        match self.kind() {
            FieldKind::Choice if self == ChecklistField::InspectionKind => {
                &["现场检查", "非现场检查"]
            }
            FieldKind::Choice => &["是", "否"],
            _ => &[],
        }
    }
}

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "是".into(),
        Some(false) => "否".into(),
        None => String::new(),
    }
}

/// 是/否 (also Y/N, yes/no, true/false, 1/0); empty is None.
pub fn parse_yes_no(value: &str) -> Result<Option<bool>, String> {
    let v = squeeze(&half_width(value));
    match v.to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "是" | "y" | "yes" | "true" | "1" => Ok(Some(true)),
        "否" | "n" | "no" | "false" | "0" => Ok(Some(false)),
        _ => Err(format!("“{}”应为“是”或“否”", value.trim())),
    }
}

/// 检查方式 as written in one cell: “实地检查、书面检查”.
pub fn split_methods(s: &str) -> Vec<String> {
    s.split(['、', '，', ',', ';', '；', '\n', '/'])
        .map(text)
        .filter(|m| !m.is_empty())
        .collect()
}

impl ChecklistFields {
    /// The field as annex 5 prints it.
    pub fn text_of(&self, field: ChecklistField) -> String {
        use ChecklistField::*;
        match field {
            ItemCode => self.item_code.clone(),
            Level => self
                .level
                .map(|l| l.label().to_string())
                .unwrap_or_default(),
            SubjectName => self.subject_name.clone(),
            SubjectCode => self.subject_code.clone(),
            EntrustName => self.entrust_name.clone(),
            EntrustCode => self.entrust_code.clone(),
            TargetMain => self.target_main.clone(),
            TargetSub => self.target_sub.clone(),
            InspectionKind => self
                .inspection_kind
                .map(|k| k.label().to_string())
                .unwrap_or_default(),
            Methods => self.methods.join("、"),
            RandomIncluded => yes_no(self.random_included),
            RandomRatio => self.random_ratio.clone(),
            RandomFrequency => self.random_frequency.clone(),
            Content => self.content.clone(),
            Sampling => yes_no(self.sampling),
            SamplingContent => self.sampling_content.clone(),
            Cooperation => yes_no(self.cooperation),
            CooperationOrg => self.cooperation_org.clone(),
        }
    }

    /// Sets the field from text as an operator types or pastes it (labels
    /// for choices, 是/否, methods separated by 、). Codes lose spaces and
    /// full-width digits; other text keeps its lines.
    pub fn set_text(&mut self, field: ChecklistField, value: &str) -> Result<(), String> {
        use ChecklistField::*;
        let one_line = || text(value);
        match field {
            ItemCode => self.item_code = code(value),
            Level => {
                self.level = match value.trim() {
                    "" => None,
                    v => Some(super::enums::Level::parse(v).map_err(|e| e.to_string())?),
                }
            }
            SubjectName => self.subject_name = one_line(),
            SubjectCode => self.subject_code = code(value).to_uppercase(),
            EntrustName => self.entrust_name = one_line(),
            EntrustCode => self.entrust_code = code(value).to_uppercase(),
            TargetMain => self.target_main = one_line(),
            TargetSub => self.target_sub = one_line(),
            InspectionKind => {
                self.inspection_kind = match value.trim() {
                    "" => None,
                    v => Some(super::enums::InspectionKind::parse(v).map_err(|e| e.to_string())?),
                }
            }
            Methods => self.methods = split_methods(value),
            RandomIncluded => self.random_included = parse_yes_no(value)?,
            RandomRatio => self.random_ratio = one_line(),
            RandomFrequency => self.random_frequency = one_line(),
            Content => self.content = value.trim().to_string(),
            Sampling => self.sampling = parse_yes_no(value)?,
            SamplingContent => self.sampling_content = value.trim().to_string(),
            Cooperation => self.cooperation = parse_yes_no(value)?,
            CooperationOrg => self.cooperation_org = one_line(),
        }
        Ok(())
    }

    /// Whether the field applies: the conditional ones only when their
    /// switch is 是 (or, for 委托部门编码, the name is filled).
    pub fn applies(&self, field: ChecklistField) -> bool {
        use ChecklistField::*;
        match field {
            RandomRatio | RandomFrequency => self.random_included == Some(true),
            SamplingContent => self.sampling == Some(true),
            CooperationOrg => self.cooperation == Some(true),
            EntrustCode => !self.entrust_name.trim().is_empty() || !self.entrust_code.is_empty(),
            _ => true,
        }
    }

    /// The fields with what does not apply emptied: what is saved.
    pub fn without_inapplicable(&self) -> ChecklistFields {
        let mut f = self.clone();
        for field in ChecklistField::ALL {
            if !self.applies(*field) {
                let _ = f.set_text(*field, "");
            }
        }
        f
    }

    /// The fields whose text differs from `other`'s, in annex order.
    pub fn differing(&self, other: &ChecklistFields) -> Vec<ChecklistField> {
        ChecklistField::ALL
            .iter()
            .copied()
            .filter(|f| self.text_of(*f) != other.text_of(*f))
            .collect()
    }

    /// Copies one field's value from `other`.
    pub fn take(&mut self, field: ChecklistField, other: &ChecklistFields) {
        let _ = self.set_text(field, &other.text_of(field));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> ChecklistFields {
        let mut f = ChecklistFields::default();
        for (field, v) in [
            (ChecklistField::ItemCode, "10100100100000"),
            (ChecklistField::Level, "县级"),
            (ChecklistField::SubjectName, "金水区市场监督管理局"),
            (ChecklistField::SubjectCode, "11410105MB1234567X"),
            (ChecklistField::TargetMain, "食品生产者"),
            (ChecklistField::InspectionKind, "现场检查"),
            (ChecklistField::Methods, "实地检查、书面检查"),
            (ChecklistField::RandomIncluded, "是"),
            (ChecklistField::RandomRatio, "不低于5%"),
            (ChecklistField::RandomFrequency, "每年1次"),
            (ChecklistField::Content, "一、资质\n二、过程控制"),
            (ChecklistField::Sampling, "否"),
            (ChecklistField::Cooperation, "否"),
        ] {
            f.set_text(field, v).unwrap();
        }
        f
    }

    #[test]
    fn every_field_reads_back_what_it_prints() {
        let f = filled();
        for field in ChecklistField::ALL {
            let mut g = ChecklistFields::default();
            g.set_text(*field, &f.text_of(*field)).unwrap();
            assert_eq!(g.text_of(*field), f.text_of(*field), "{field:?}");
        }
        assert_eq!(f.methods, vec!["实地检查", "书面检查"]);
        assert_eq!(f.content, "一、资质\n二、过程控制", "lines kept");
    }

    #[test]
    fn typed_values_are_read_leniently_and_wrong_ones_refused() {
        let mut f = ChecklistFields::default();
        f.set_text(ChecklistField::SubjectCode, " 11410105 mb1234567x ")
            .unwrap();
        assert_eq!(f.subject_code, "11410105MB1234567X");
        f.set_text(ChecklistField::Sampling, "Ｙ").unwrap();
        assert_eq!(f.sampling, Some(true));
        let e = f.set_text(ChecklistField::Cooperation, "也许").unwrap_err();
        assert!(e.contains("“也许”应为“是”或“否”"), "{e}");
        let e = f
            .set_text(ChecklistField::InspectionKind, "飞行检查")
            .unwrap_err();
        assert!(e.contains("飞行检查"), "{e}");
        assert_eq!(f.inspection_kind, None, "unchanged on error");
    }

    #[test]
    fn conditional_fields_apply_only_when_switched_on_and_are_emptied_on_save() {
        let mut f = filled();
        assert!(f.applies(ChecklistField::RandomRatio));
        assert!(!f.applies(ChecklistField::SamplingContent));
        assert!(!f.applies(ChecklistField::EntrustCode));
        f.set_text(ChecklistField::SamplingContent, "抽检内容")
            .unwrap();
        f.set_text(ChecklistField::RandomIncluded, "否").unwrap();
        let saved = f.without_inapplicable();
        assert_eq!(saved.random_ratio, "");
        assert_eq!(saved.sampling_content, "");
        assert_eq!(saved.content, f.content);
        f.set_text(ChecklistField::EntrustName, "某委托部门")
            .unwrap();
        assert!(f.applies(ChecklistField::EntrustCode));
    }

    #[test]
    fn differing_lists_changed_fields_in_annex_order_and_take_copies_one() {
        let a = filled();
        let mut b = filled();
        b.set_text(ChecklistField::Content, "新内容").unwrap();
        b.set_text(ChecklistField::SubjectName, "别的单位").unwrap();
        assert_eq!(
            a.differing(&b),
            vec![ChecklistField::SubjectName, ChecklistField::Content]
        );
        let mut c = a.clone();
        c.take(ChecklistField::Content, &b);
        assert_eq!(c.differing(&b), vec![ChecklistField::SubjectName]);
    }
}
