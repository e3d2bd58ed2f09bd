//! `import power-list`: 权责清单 entries, matched by unit and code.

use super::{ImportOptions, ImportReport, RowError, cell_errors, text_errors};
use crate::app::{Actor, AppError, write_or_roll_back};
use crate::domain::permission::WriteAction;
use crate::domain::text::{TextRule, code, rules, text};
use crate::store::{self, Store};
use crate::xlsx::SheetRows;
use crate::xlsx::layouts::POWER_LIST;

fn header(key: &str) -> &'static str {
    POWER_LIST
        .iter()
        .find(|c| c.key == key)
        .map_or("", |c| c.header)
}

/// A unit by name, optionally with the region to tell same-named units
/// apart (“市场监督管理局” + “金水区”, or “金水区市场监督管理局”).
pub(crate) fn find_unit(
    conn: &crate::store::Connection,
    name: &str,
    region: &str,
) -> Result<Result<crate::domain::Unit, String>, AppError> {
    let name = text(name);
    let region = text(region);
    let mut candidates = store::units::find_units(conn, &name)?;
    if !region.is_empty() {
        // County units often carry the county in their name.
        candidates.extend(store::units::find_units(conn, &format!("{region}{name}"))?);
        candidates.sort_by_key(|u| u.id);
        candidates.dedup_by_key(|u| u.id);
    }
    let matching: Vec<_> = candidates
        .into_iter()
        .filter(|u| region.is_empty() || u.region_name == region)
        .collect();
    Ok(match matching.as_slice() {
        [one] => Ok(one.clone()),
        [] if name.starts_with(&region) => Err(format!(
            "没有单位“{name}”（先用 jianguan unit add 或 import units 建立单位）"
        )),
        [] => Err(format!(
            "没有单位“{region}{name}”（先用 jianguan unit add 或 import units 建立单位）"
        )),
        many => match many
            .iter()
            .find(|u| u.region_level == crate::domain::Level::City)
        {
            Some(city) if region.is_empty() => Ok(city.clone()),
            _ => Err(format!("“{name}”对应多个单位，请填写地区名称")),
        },
    })
}

/// The unit a row names (by the layout's `unit` and `region` columns), or
/// an error for that cell added to `errors`.
pub(crate) fn unit_cell(
    conn: &crate::store::Connection,
    rec: &crate::xlsx::Record,
    layout: &[crate::xlsx::layouts::Column],
    errors: &mut Vec<RowError>,
) -> Result<Option<crate::domain::Unit>, AppError> {
    Ok(
        match find_unit(conn, rec.get(layout, "unit"), rec.get(layout, "region"))? {
            Ok(u) => Some(u),
            Err(e) => {
                let column = layout
                    .iter()
                    .find(|c| c.key == "unit")
                    .map_or("", |c| c.header);
                errors.push(RowError::at(rec, column, e));
                None
            }
        },
    )
}

/// The text table's row for each column.
fn rule_of(key: &str) -> TextRule {
    match key {
        "code" => rules::POWER_CODE,
        "name" => rules::POWER_NAME,
        "unit" => rules::UNIT_REFERENCE,
        "region" => rules::REGION,
        _ => rules::CHOICE,
    }
}

pub fn import_power_list(
    store: &mut Store,
    actor: &Actor,
    sheets: &[SheetRows],
    opts: ImportOptions,
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport::default();
    write_or_roll_back(store, actor, !opts.dry_run, |w| {
        w.authorize(WriteAction::ImportCatalogue)?;
        let mut seen = std::collections::HashMap::new();
        let mut written = Vec::new();
        for rec in sheets.iter().flat_map(|s| &s.records) {
            report.rows += 1;
            let unstorable = text_errors(rec, POWER_LIST, rule_of);
            if !unstorable.is_empty() {
                report.rejected.extend(unstorable);
                continue;
            }
            let mut errors = cell_errors(rec, POWER_LIST);
            let c = code(rec.get(POWER_LIST, "code"));
            let name = text(rec.get(POWER_LIST, "name"));
            let kind = text(rec.get(POWER_LIST, "kind"));
            if c.is_empty() {
                errors.push(RowError::at(rec, header("code"), "必填"));
            }
            if name.is_empty() {
                errors.push(RowError::at(rec, header("name"), "必填"));
            }
            let unit = unit_cell(w.tx, rec, POWER_LIST, &mut errors)?;
            let (Some(unit), true) = (unit, errors.is_empty()) else {
                report
                    .rejected
                    .extend(super::without_shadowed(errors, rec, POWER_LIST));
                continue;
            };
            if let Some(first) = seen.insert((unit.id, c.clone()), rec.row) {
                report.rejected.push(RowError::at(
                    rec,
                    header("code"),
                    format!("“{c}”与第{first}行重复"),
                ));
                continue;
            }
            match store::catalogue::power_entry_by_code(w.tx, unit.id, &c)? {
                Some(e) if e.name == name && e.kind == kind => report.unchanged += 1,
                Some(e) => {
                    store::catalogue::update_power_entry(w.tx, e.id, &name, &kind)?;
                    report.changed += 1;
                    written.push(e.id);
                }
                None => {
                    written.push(store::catalogue::insert_power_entry(
                        w.tx, &c, &name, unit.id, &kind,
                    )?);
                    report.added += 1;
                }
            }
        }
        if report.blocked(&opts) {
            return Err(AppError::Rejected(Box::new(std::mem::take(&mut report))));
        }
        w.log(
            "import_power_list",
            "power_list",
            "entries",
            None::<&()>,
            Some(&written),
        )?;
        report.written = !opts.dry_run;
        Ok(std::mem::take(&mut report))
    })
}
