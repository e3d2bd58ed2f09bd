//! `import checklists`: a filled annex-5 file back into the database, with
//! compare-and-swap against the versions it was exported at.

use super::{
    ImportOptions, ImportReport, RowError, cell_errors, parse_opt, parse_yes_no, text_errors,
};
use crate::app::checklists::save_in;
use crate::app::{Actor, AppError, write_or_roll_back};
use crate::domain::checklist::checklist_warnings;
use crate::domain::checklist_text::split_methods;
use crate::domain::subject;
use crate::domain::text::{TextRule, code, rules, text};
use crate::domain::{ChecklistField, ChecklistFields, Id, InspectionKind, Level, Unit};
use crate::store::{self, Store};
use crate::xlsx::Record;
use crate::xlsx::SheetRows;
use crate::xlsx::layouts::CHECKLIST;

/// A row read from the file.
struct Row<'a> {
    rec: &'a Record,
    fields: ChecklistFields,
    /// (unit id, version) from the hidden column; version 0 = not yet saved.
    tag: Option<(Id, i64)>,
}

fn header(key: &str) -> &'static str {
    CHECKLIST
        .iter()
        .find(|c| c.key == key)
        .map_or("", |c| c.header)
}

fn parse_tag(s: &str) -> Option<(Id, i64)> {
    let tag = code(s);
    let (u, v) = tag.split_once(':')?;
    Some((u.parse().ok()?, v.parse().ok()?))
}

/// The text table's row for each column: annex 5's fields, and the
/// hidden version column.
fn rule_of(key: &str) -> TextRule {
    use ChecklistField::*;
    let field = match key {
        "item_code" => ItemCode,
        "level" => Level,
        "subject_name" => SubjectName,
        "subject_code" => SubjectCode,
        "entrust_name" => EntrustName,
        "entrust_code" => EntrustCode,
        "target_main" => TargetMain,
        "target_sub" => TargetSub,
        "inspection_kind" => InspectionKind,
        "methods" => Methods,
        "random_included" => RandomIncluded,
        "random_ratio" => RandomRatio,
        "random_frequency" => RandomFrequency,
        "content" => Content,
        "sampling" => Sampling,
        "sampling_content" => SamplingContent,
        "cooperation" => Cooperation,
        "cooperation_org" => CooperationOrg,
        _ => return rules::VERSION_TAG,
    };
    field.text_rule()
}

fn parse_row(rec: &Record) -> Result<Row<'_>, Vec<RowError>> {
    let unstorable = text_errors(rec, CHECKLIST, rule_of);
    if !unstorable.is_empty() {
        return Err(unstorable);
    }
    let mut errors = cell_errors(rec, CHECKLIST);
    let get = |k: &str| rec.get(CHECKLIST, k);
    let yes_no = |k: &str, errors: &mut Vec<RowError>| match parse_yes_no(get(k)) {
        Ok(v) => v,
        Err(e) => {
            errors.push(RowError::at(rec, header(k), e));
            None
        }
    };
    let random_included = yes_no("random_included", &mut errors);
    let sampling = yes_no("sampling", &mut errors);
    let cooperation = yes_no("cooperation", &mut errors);
    let level = parse_opt(get("level"), Level::parse).unwrap_or_else(|e| {
        errors.push(RowError::at(rec, header("level"), e));
        None
    });
    let inspection_kind =
        parse_opt(get("inspection_kind"), InspectionKind::parse).unwrap_or_else(|e| {
            errors.push(RowError::at(rec, header("inspection_kind"), e));
            None
        });
    let fields = ChecklistFields {
        item_code: code(get("item_code")),
        level,
        subject_name: text(get("subject_name")),
        subject_code: code(get("subject_code")),
        entrust_name: text(get("entrust_name")),
        entrust_code: code(get("entrust_code")),
        target_main: text(get("target_main")),
        target_sub: text(get("target_sub")),
        inspection_kind,
        methods: split_methods(get("methods")),
        random_included,
        random_ratio: text(get("random_ratio")),
        random_frequency: text(get("random_frequency")),
        content: text(get("content")),
        sampling,
        sampling_content: text(get("sampling_content")),
        cooperation,
        cooperation_org: text(get("cooperation_org")),
    };
    if fields.item_code.is_empty() {
        errors.push(RowError::at(rec, header("item_code"), "必填"));
    }
    let tag_text = get("version_tag");
    let tag = parse_tag(tag_text);
    if tag.is_none() && !tag_text.trim().is_empty() {
        errors.push(RowError::at(
            rec,
            header("version_tag"),
            format!("“{tag_text}”已被改动，无法核对版本；请重新导出"),
        ));
    }
    if errors.is_empty() {
        Ok(Row { rec, fields, tag })
    } else {
        Err(super::without_shadowed(errors, rec, CHECKLIST))
    }
}

/// A row of an unstarted checklist that nobody filled in: only what the
/// export prefilled (code, level, 实施主体).
fn untouched(f: &ChecklistFields) -> bool {
    let prefilled = ChecklistFields {
        item_code: f.item_code.clone(),
        level: f.level,
        subject_name: f.subject_name.clone(),
        subject_code: f.subject_code.clone(),
        ..Default::default()
    };
    *f == prefilled
}

/// Fields as the database would keep them, for “unchanged” checks: the
/// parts that come from the catalogue and the unit are left out.
fn comparable(mut f: ChecklistFields) -> ChecklistFields {
    f.item_code.clear();
    f.level = None;
    f.subject_name.clear();
    f.subject_code.clear();
    f
}

/// The names and codes a unit has carried: its own now, and before each
/// logged change (a file exported before a rename or a new code still
/// names the same unit).
struct UnitNames {
    unit: Unit,
    names: Vec<String>,
    codes: Vec<String>,
}

impl UnitNames {
    fn of(conn: &crate::store::Connection, unit: Unit) -> Result<Self, AppError> {
        let mut names = vec![unit.name.clone()];
        let mut codes: Vec<String> = unit.uscc.iter().cloned().collect();
        for e in store::changelog::of_row(conn, "unit", &unit.id.to_string())? {
            let Some(before) = e
                .before
                .as_deref()
                .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
            else {
                continue;
            };
            if let Some(name) = before["name"].as_str() {
                names.push(name.to_string());
            }
            if let Some(code) = before["uscc"].as_str() {
                codes.push(code.to_string());
            }
        }
        Ok(UnitNames { unit, names, codes })
    }

    /// A row's 实施主体 that is not the importing unit's own: it belongs to
    /// another unit (or carries a code the unit never had) and is not saved.
    fn foreign(&self, fields: &ChecklistFields) -> Vec<(&'static str, String)> {
        let unit = &self.unit;
        let mut out = Vec::new();
        let named = self.names.iter().any(|n| {
            let then = Unit {
                name: n.clone(),
                ..unit.clone()
            };
            subject::names_unit(&fields.subject_name, &then)
        });
        if !fields.subject_name.is_empty() && !named {
            out.push((
                header("subject_name"),
                format!("应为本单位“{}”", unit.full_name()),
            ));
        }
        let code = crate::domain::Uscc::parse(&fields.subject_code)
            .map(|c| c.to_string())
            .unwrap_or_else(|_| fields.subject_code.clone());
        if !code.is_empty() && !self.codes.contains(&code) {
            out.push((
                header("subject_code"),
                match &unit.uscc {
                    Some(own) => format!("应为本单位的统一社会信用代码“{own}”"),
                    None => format!(
                        "“{}”不是本单位的代码：{}",
                        fields.subject_code,
                        subject::CODE_MISSING_HELP
                    ),
                },
            ));
        }
        out
    }
}

pub fn import_checklists(
    store: &mut Store,
    actor: &Actor,
    sheets: &[SheetRows],
    opts: ImportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport::default();
    let mut rows = Vec::new();
    for rec in sheets.iter().flat_map(|s| &s.records) {
        report.rows += 1;
        match parse_row(rec) {
            Ok(row) => rows.push(row),
            Err(errors) => report.rejected.extend(errors),
        }
    }
    write_or_roll_back(store, actor, !opts.dry_run, |w| {
        let own = store::units::unit_ref(w.tx, w.actor.unit_id)?;
        let own_names = UnitNames::of(w.tx, store::units::unit(w.tx, own.id)?)?;
        // Item code → the row it was first seen on.
        let mut seen: std::collections::HashMap<&str, (usize, &Record)> =
            std::collections::HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            if i % 500 == 0 {
                progress(i, rows.len());
            }
            let rec = row.rec;
            let reject = |column: &str, reason: String| RowError::at(rec, column, reason);
            if let Some((unit, _)) = row.tag
                && unit != own.id
            {
                let other = store::units::unit(w.tx, unit)
                    .map(|u| u.full_name())
                    .unwrap_or_else(|_| format!("单位{unit}"));
                report.rejected.push(reject(
                    header("version_tag"),
                    format!("此行属于{other}，只能导入本单位的检查实施清单"),
                ));
                continue;
            }
            let Some(sub) = store::catalogue::sub_item_by_code(w.tx, &row.fields.item_code)? else {
                report.rejected.push(reject(
                    header("item_code"),
                    format!("没有编码为“{}”的监管事项", row.fields.item_code),
                ));
                continue;
            };
            if let Some(level) = row.fields.level
                && level != own.level
            {
                report.rejected.push(reject(
                    header("level"),
                    format!(
                        "“{}”与本单位的行使层级“{}”不符",
                        level.label(),
                        own.level.label()
                    ),
                ));
                continue;
            }
            let foreign = own_names.foreign(&row.fields);
            if !foreign.is_empty() {
                for (column, reason) in foreign {
                    report.rejected.push(reject(column, reason));
                }
                continue;
            }
            // A second row for the same item (checked once the row is
            // otherwise sound, so its own problems are reported first).
            let (first_i, first) = *seen.entry(&row.fields.item_code).or_insert((i, rec));
            if first_i != i {
                let place = if first.sheet == rec.sheet {
                    format!("第{}行", first.row)
                } else {
                    format!("工作表“{}”第{}行", first.sheet, first.row)
                };
                report.rejected.push(reject(
                    header("item_code"),
                    format!("“{}”与{place}重复", row.fields.item_code),
                ));
                continue;
            }
            let existing = store::checklists::find(w.tx, sub.id, own.id)?;
            let expected = match (&existing, row.tag) {
                (None, None) | (None, Some((_, 0))) => None,
                (None, Some(_)) => {
                    report.rejected.push(reject(
                        header("item_code"),
                        "数据库中已没有这份清单（可能已被删除）".into(),
                    ));
                    continue;
                }
                (Some(cur), tag) => {
                    if comparable(cur.fields.clone()) == comparable(row.fields.clone()) {
                        report.unchanged += 1;
                        continue;
                    }
                    match tag {
                        Some((_, v)) if v == cur.version => Some(v),
                        Some((_, v)) => {
                            let who = store::accounts::describe(w.tx, cur.updated_by)?;
                            report.conflicts.push(reject(
                                header("item_code"),
                                format!(
                                    "导出后{}于 {} 修改过此清单（版本 {} 变为 {}），未覆盖；请重新导出后再改",
                                    who,
                                    crate::domain::format_time(cur.updated_at),
                                    v,
                                    cur.version
                                ),
                            ));
                            continue;
                        }
                        None => {
                            report.conflicts.push(reject(
                                header("item_code"),
                                "数据库中已有这份清单，而文件没有版本信息；请先导出再填写".into(),
                            ));
                            continue;
                        }
                    }
                }
            };
            store::savepoint(w.tx, "import_row")?;
            if existing.is_none() && untouched(&row.fields) {
                report.unchanged += 1;
                continue;
            }
            // A row that fails only the filling rules is a normal 草稿: it
            // is saved, and what it lacks is listed.
            match save_in(w, own, &sub, &row.fields, expected, false, None) {
                Ok(saved) => {
                    store::release(w.tx, "import_row")?;
                    for fw in checklist_warnings(&saved.checklist.fields) {
                        report.warnings.push(reject(fw.field.label(), fw.reason));
                    }
                    for fe in saved.errors {
                        report.incomplete.push(reject(fe.field.label(), fe.reason));
                    }
                    if expected.is_some() {
                        report.changed += 1;
                    } else {
                        report.added += 1;
                    }
                }
                Err(e) => {
                    store::rollback_to(w.tx, "import_row")?;
                    match e {
                        AppError::Conflict(c) => report
                            .conflicts
                            .push(reject(header("item_code"), c.to_string())),
                        AppError::Denied(d) => report
                            .rejected
                            .push(reject(header("item_code"), d.to_string())),
                        AppError::Invalid(m) => {
                            report.rejected.push(reject(header("item_code"), m))
                        }
                        AppError::InvalidFields(errs) => {
                            for fe in errs {
                                report.rejected.push(reject(fe.field.label(), fe.reason));
                            }
                        }
                        other => return Err(other),
                    }
                }
            }
        }
        progress(rows.len(), rows.len());
        // Rows that failed to parse were reported first.
        super::in_sheet_order(&mut report.rejected, sheets);
        super::in_sheet_order(&mut report.incomplete, sheets);
        super::in_sheet_order(&mut report.warnings, sheets);
        if report.blocked(&opts) {
            report.written = false;
            return Err(AppError::Rejected(Box::new(std::mem::take(&mut report))));
        }
        report.written = !opts.dry_run;
        Ok(std::mem::take(&mut report))
    })
}
