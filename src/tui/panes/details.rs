//! 事项详情 (item pane, read-only for national items) and the 检查实施清单
//! view of the selected sub-item for the current unit.

use crate::app::views::ItemDetails;
use crate::domain::{Category, Checklist, ChecklistField, YesNo};
use crate::tui::panes::tree::{CatalogueTree, Node};
use ratatui::text::{Line, Span};

fn field(label: &str, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label}："), crate::tui::theme::current().heading()),
        Span::raw(value.into()),
    ])
}

/// The lines of the item pane for whatever the tree has selected.
pub fn item_lines(tree: &CatalogueTree, details: Option<&ItemDetails>) -> Vec<Line<'static>> {
    match (tree.selected(), details) {
        (Some(Node::Sub(..)), Some(d)) => {
            let s = &d.sub;
            let m = &d.main;
            let mut lines = vec![
                field("子项名称", s.name.clone()),
                field("子项编码", s.code.clone()),
                field("子项类别", s.category.label()),
                field("监管事项（主项）", format!("{}（{}）", m.name, m.code)),
                field("监管部门", m.department.clone()),
                field("事项来源", m.source.label()),
                field(
                    "对应的许可事项",
                    match (m.permit_name.as_str(), m.permit_type) {
                        ("", _) => "无".to_string(),
                        (n, Some(t)) => format!("{n}（{}）", t.label()),
                        (n, None) => n.to_string(),
                    },
                ),
                field("监管对象", s.target.clone()),
                field("监管措施", s.measures.clone()),
                field("监管流程", s.process.clone()),
                field("监管结果", s.result.clone()),
                field(
                    "监管层级",
                    s.levels
                        .iter()
                        .map(|l| l.label())
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
                field(
                    "事项状态",
                    format!("{}（版本 {}）", s.status.label(), s.version),
                ),
            ];
            if s.classified {
                lines.push(field("涉密", "是"));
            }
            lines.push(Line::from(""));
            lines.push(Line::styled(
                "设定依据",
                crate::tui::theme::current().heading(),
            ));
            if d.bases.is_empty() {
                lines.push(Line::from(format!("  {}", s.basis_text)));
            }
            for b in &d.bases {
                lines.push(Line::from(format!(
                    "  {}  [{}，{}]",
                    b.citation(),
                    b.kind.label(),
                    b.status.label()
                )));
                if !b.excerpt.is_empty() {
                    lines.push(Line::from(format!("    {}", b.excerpt)));
                }
            }
            lines.push(Line::from(""));
            lines.push(Line::styled(
                format!("认领单位（共 {} 个）", d.claimers.len()),
                crate::tui::theme::current().heading(),
            ));
            for (unit, exercised) in &d.claimers {
                lines.push(Line::from(format!(
                    "  {unit}{}",
                    if *exercised { "" } else { "（不行使）" }
                )));
            }
            lines
        }
        (Some(Node::Main(..)), _) => {
            let Some(m) = tree.selected_main() else {
                return vec![];
            };
            let dept = tree
                .selected_department()
                .map(|d| d.name.clone())
                .unwrap_or_default();
            let claimed = m
                .subs
                .iter()
                .filter(|s| tree.marks.claims.contains_key(&s.id))
                .count();
            let mut lines = vec![
                field("监管事项（主项）", m.name.clone()),
                field("主项编码", m.code.clone()),
                field("监管部门", dept),
                field("事项来源", m.source.label()),
                field(
                    "子项",
                    format!("{} 个，本单位已认领 {} 个", m.subs.len(), claimed),
                ),
                Line::from(""),
            ];
            for s in &m.subs {
                lines.push(Line::from(format!(
                    "  {} {}（{}）",
                    s.code,
                    s.name,
                    s.category.label()
                )));
            }
            lines
        }
        (Some(Node::Department(_)), _) => {
            let Some(d) = tree.selected_department() else {
                return vec![];
            };
            let subs: Vec<_> = d.mains.iter().flat_map(|m| &m.subs).collect();
            let claimed = subs
                .iter()
                .filter(|s| tree.marks.claims.contains_key(&s.id))
                .count();
            let mut lines = vec![
                field("监管部门", d.name.clone()),
                field("主项", format!("{} 个", d.mains.len())),
                field(
                    "子项",
                    format!("{} 个，本单位已认领 {} 个", subs.len(), claimed),
                ),
            ];
            for c in Category::ALL {
                let n = subs.iter().filter(|s| s.category == *c).count();
                lines.push(Line::from(format!("  {}：{} 个", c.label(), n)));
            }
            lines
        }
        _ => vec![Line::from("在事项目录中选择一个事项")],
    }
}

fn yes_no(v: Option<bool>) -> &'static str {
    v.map(|b| YesNo::from_bool(b).label()).unwrap_or("（未填）")
}

fn or_blank(s: &str) -> String {
    if s.trim().is_empty() {
        "（未填）".into()
    } else {
        s.to_string()
    }
}

/// The lines of the checklist view: the unit's checklist of the selected
/// sub-item, in annex-5 order with its rule failures.
pub fn checklist_lines(
    tree: &CatalogueTree,
    checklist: Option<&Checklist>,
    has_unit: bool,
) -> Vec<Line<'static>> {
    let Some(sub) = tree.selected_sub() else {
        return vec![Line::from("在事项目录中选择一个行政检查子项")];
    };
    if sub.category != Category::Inspection {
        return vec![Line::from(format!(
            "“{}”是{}事项：只有行政检查事项需要检查实施清单",
            sub.name,
            sub.category.label()
        ))];
    }
    if !has_unit {
        return vec![Line::from("没有账号：只能浏览")];
    }
    if !tree.marks.claims.contains_key(&sub.id) {
        return vec![Line::from(format!(
            "本单位尚未认领“{}”，认领后才需填报检查实施清单",
            sub.name
        ))];
    }
    let Some(c) = checklist else {
        return vec![Line::from(format!("“{}”的检查实施清单：未开始", sub.name))];
    };
    let f = &c.fields;
    let errors = crate::domain::validate_checklist(f);
    let error_of = |fld: ChecklistField| {
        errors
            .iter()
            .find(|e| e.field == fld)
            .map(|e| e.reason.clone())
    };
    let mut lines = vec![field(
        "状态",
        format!("{}（版本 {}）", c.state.label(), c.version),
    )];
    let rows: Vec<(ChecklistField, String)> = vec![
        (ChecklistField::ItemCode, or_blank(&f.item_code)),
        (
            ChecklistField::Level,
            f.level
                .map(|l| l.label().to_string())
                .unwrap_or_else(|| "（未填）".into()),
        ),
        (ChecklistField::SubjectName, or_blank(&f.subject_name)),
        (ChecklistField::SubjectCode, or_blank(&f.subject_code)),
        (ChecklistField::EntrustName, or_blank(&f.entrust_name)),
        (ChecklistField::EntrustCode, or_blank(&f.entrust_code)),
        (ChecklistField::TargetMain, or_blank(&f.target_main)),
        (ChecklistField::TargetSub, or_blank(&f.target_sub)),
        (
            ChecklistField::InspectionKind,
            f.inspection_kind
                .map(|k| k.label().to_string())
                .unwrap_or_else(|| "（未填）".into()),
        ),
        (ChecklistField::Methods, or_blank(&f.methods.join("、"))),
        (
            ChecklistField::RandomIncluded,
            yes_no(f.random_included).into(),
        ),
        (ChecklistField::RandomRatio, or_blank(&f.random_ratio)),
        (
            ChecklistField::RandomFrequency,
            or_blank(&f.random_frequency),
        ),
        (ChecklistField::Content, or_blank(&f.content)),
        (ChecklistField::Sampling, yes_no(f.sampling).into()),
        (
            ChecklistField::SamplingContent,
            or_blank(&f.sampling_content),
        ),
        (ChecklistField::Cooperation, yes_no(f.cooperation).into()),
        (ChecklistField::CooperationOrg, or_blank(&f.cooperation_org)),
    ];
    for (fld, value) in rows {
        lines.push(field(fld.label(), value));
        if let Some(reason) = error_of(fld) {
            lines.push(Line::from(format!("    ! {reason}")));
        }
    }
    lines
}
