//! `import units`: the units of a city or a county (单位名称, 所属区划,
//! 单位类别, 统一社会信用代码, 对口上级部门). A row names a unit by region
//! and name: a new one is created, a known one gets the file's code,
//! category and counterparts. Each row goes through the same service and
//! permission as `jianguan unit add/set`.

use super::{ImportOptions, ImportReport, RowError, cell_errors, parse_opt, text_errors};
use crate::app::units::{UnitInput, UnitUpdate, checked_counterparts, create_in, update_in};
use crate::app::{Actor, AppError, write_or_roll_back};
use crate::domain::text::{Shape, TextRule, code, rules, text};
use crate::domain::{UnitCategory, squeeze};
use crate::store::{self, Store};
use crate::xlsx::SheetRows;
use crate::xlsx::layouts::UNITS;

fn header(key: &str) -> &'static str {
    UNITS.iter().find(|c| c.key == key).map_or("", |c| c.header)
}

/// The column a service's refusal is about.
fn column_of(reason: &str) -> &'static str {
    if reason.contains("统一社会信用代码") || reason.contains("校验") {
        header("uscc")
    } else if reason.contains("区划") || reason.contains("县（市、区）") {
        header("region")
    } else {
        header("name")
    }
}

/// The text table's row for each column.
fn rule_of(key: &str) -> TextRule {
    match key {
        // Spaces and line breaks are dropped from a unit's name
        // (`checked_name`); what else it must not hold is checked there.
        "name" => TextRule {
            shape: Shape::Code,
            ..rules::UNIT_NAME
        },
        "region" => rules::REGION,
        "uscc" => rules::USCC,
        "counterparts" => rules::COUNTERPARTS,
        _ => rules::CHOICE,
    }
}

pub fn import_units(
    store: &mut Store,
    actor: &Actor,
    sheets: &[SheetRows],
    opts: ImportOptions,
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport::default();
    write_or_roll_back(store, actor, !opts.dry_run, |w| {
        // (region, name) → the row it was first seen on.
        let mut seen = std::collections::HashMap::new();
        for rec in sheets.iter().flat_map(|s| &s.records) {
            report.rows += 1;
            let get = |k: &str| rec.get(UNITS, k);
            let reject = |column: &str, reason: String| RowError::at(rec, column, reason);
            let unstorable = text_errors(rec, UNITS, rule_of);
            if !unstorable.is_empty() {
                report.rejected.extend(unstorable);
                continue;
            }
            let mut errors = cell_errors(rec, UNITS);
            let category = parse_opt(get("category"), UnitCategory::parse).unwrap_or_else(|e| {
                errors.push(reject(header("category"), e));
                None
            });
            let name = text(get("name"));
            let region_text = text(get("region"));
            let uscc = code(get("uscc"));
            let counterparts =
                checked_counterparts(&[text(get("counterparts"))]).unwrap_or_else(|e| {
                    errors.push(reject(header("counterparts"), e));
                    Vec::new()
                });
            let region = store::units::find_region(w.tx, &region_text)?;
            if region_text.is_empty() {
                errors.push(reject(header("region"), "必填".into()));
            } else if region.is_none() {
                errors.push(reject(
                    header("region"),
                    format!("没有区划“{region_text}”（写区划名称或6位代码，如“金水区”“410105”）"),
                ));
            }
            if name.is_empty() {
                errors.push(reject(header("name"), "必填".into()));
            }
            let key = (region.as_ref().map(|r| r.id), squeeze(&name));
            if let Some(first) = seen.get(&key) {
                errors.push(reject(header("name"), format!("“{name}”与第{first}行重复")));
            } else if !name.is_empty() {
                seen.insert(key, rec.row);
            }
            let Some(region) = region.filter(|_| errors.is_empty()) else {
                report
                    .rejected
                    .extend(super::without_shadowed(errors, rec, UNITS));
                continue;
            };
            let existing = store::units::units_of_region(w.tx, region.id)?
                .into_iter()
                .find(|u| u.name == name || u.full_name() == name);
            store::savepoint(w.tx, "import_unit")?;
            let result = match &existing {
                None => create_in(
                    w,
                    &UnitInput {
                        name: name.clone(),
                        category: category.unwrap_or(UnitCategory::GovernmentDepartment),
                        region: region.code.clone(),
                        uscc: Some(uscc.clone()),
                        counterparts: counterparts.clone(),
                    },
                )
                .map(|_| true),
                Some(unit) => update_in(
                    w,
                    unit.id,
                    &UnitUpdate {
                        name: None,
                        category,
                        uscc: (!uscc.is_empty()).then(|| uscc.clone()),
                        counterparts: (!counterparts.is_empty()).then(|| counterparts.clone()),
                    },
                )
                .map(|u| u.changed),
            };
            match result {
                Ok(changed) => {
                    store::release(w.tx, "import_unit")?;
                    match (&existing, changed) {
                        (None, _) => report.added += 1,
                        (Some(_), true) => report.changed += 1,
                        (Some(_), false) => report.unchanged += 1,
                    }
                }
                Err(e) => {
                    store::rollback_to(w.tx, "import_unit")?;
                    match e {
                        AppError::Invalid(m) => report.rejected.push(reject(column_of(&m), m)),
                        AppError::Denied(d) => report
                            .rejected
                            .push(reject(header("region"), d.to_string())),
                        other => return Err(other),
                    }
                }
            }
        }
        super::in_sheet_order(&mut report.rejected, sheets);
        if report.blocked(&opts) {
            return Err(AppError::Rejected(Box::new(std::mem::take(&mut report))));
        }
        report.written = !opts.dry_run;
        Ok(std::mem::take(&mut report))
    })
}
