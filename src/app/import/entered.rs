//! `import entered`: the codes the national system gave local items when
//! they were entered (地方编码 → 国家系统编码), for the main item and each
//! sub-item. Every item named is marked 已录入 through the same service as
//! `jianguan local enter`, in one transaction.

use super::{ImportOptions, ImportReport, RowError, cell_errors, text_errors};
use crate::app::local_items::{EnteredCodes, enter_in};
use crate::app::{Actor, AppError, write_or_roll_back};
use crate::domain::local_item::is_national_code;
use crate::domain::text::{code, rules};
use crate::store::{self, Store};
use crate::xlsx::layouts::ENTERED;
use crate::xlsx::{Record, SheetRows};
use std::collections::{BTreeMap, HashMap};

/// True when an entered item already carries exactly these codes (the
/// same file imported again).
fn already(
    w: &crate::app::Write<'_>,
    main_item_id: crate::domain::Id,
    codes: &EnteredCodes,
) -> Result<bool, AppError> {
    let main = store::catalogue::main_item(w.tx, main_item_id)?;
    let subs = store::catalogue::sub_items_of(w.tx, main_item_id)?;
    Ok(main.code == codes.main
        && subs.len() == codes.subs.len()
        && subs
            .iter()
            .all(|s| codes.subs.iter().any(|(id, c)| *id == s.id && *c == s.code)))
}

fn header(key: &str) -> &'static str {
    ENTERED
        .iter()
        .find(|c| c.key == key)
        .map_or("", |c| c.header)
}

pub fn import_entered(
    store: &mut Store,
    actor: &Actor,
    sheets: &[SheetRows],
    opts: ImportOptions,
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport::default();
    write_or_roll_back(store, actor, !opts.dry_run, |w| {
        // Main item id → its codes, and the row each came from.
        let mut items: BTreeMap<crate::domain::Id, (EnteredCodes, &Record)> = BTreeMap::new();
        // Items with a bad row: not entered at all.
        let mut spoiled: std::collections::HashSet<crate::domain::Id> = Default::default();
        // Local code / official code → the row it was first seen on.
        let mut seen_local: HashMap<String, u32> = HashMap::new();
        let mut seen_official: HashMap<String, u32> = HashMap::new();
        for rec in sheets.iter().flat_map(|s| &s.records) {
            report.rows += 1;
            let reject = |column: &str, reason: String| RowError::at(rec, column, reason);
            let mut errors = text_errors(rec, ENTERED, |_| rules::ITEM_CODE);
            errors.extend(cell_errors(rec, ENTERED));
            let local = code(rec.get(ENTERED, "local_code"));
            let official = code(rec.get(ENTERED, "official_code"));
            if !errors.is_empty() {
                report.rejected.append(&mut errors);
                continue;
            }
            // Which item the row is about, and as what.
            let target = match store::catalogue::main_item_by_code(w.tx, &local)? {
                Some(main) if store::local_items::find(w.tx, main.id)?.is_some() => {
                    Some((main.id, None))
                }
                Some(_) => {
                    report.rejected.push(reject(
                        header("local_code"),
                        format!("{local} 不是地方监管事项"),
                    ));
                    continue;
                }
                None => store::catalogue::sub_item_by_code(w.tx, &local)?
                    .map(|sub| (sub.main_item_id, Some(sub.id))),
            };
            let Some((main_id, sub_id)) = target else {
                report.rejected.push(reject(
                    header("local_code"),
                    format!("没有地方编码为“{local}”的事项"),
                ));
                continue;
            };
            let mut bad = Vec::new();
            if let Some(first) = seen_local.insert(local.clone(), rec.row) {
                bad.push(reject(
                    header("local_code"),
                    format!("“{local}”与第{first}行重复"),
                ));
            }
            if !is_national_code(&official) {
                bad.push(reject(
                    header("official_code"),
                    format!("“{official}”应为14位数字"),
                ));
            } else if let Some(first) = seen_official.insert(official.clone(), rec.row) {
                bad.push(reject(
                    header("official_code"),
                    format!("“{official}”与第{first}行的编码重复"),
                ));
            }
            if !bad.is_empty() {
                report.rejected.append(&mut bad);
                spoiled.insert(main_id);
                continue;
            }
            let entry = items
                .entry(main_id)
                .or_insert_with(|| (EnteredCodes::default(), rec));
            match sub_id {
                None => {
                    entry.0.main = official;
                    entry.1 = rec;
                }
                Some(id) => entry.0.subs.push((id, official)),
            }
        }
        for (main_item_id, (codes, rec)) in &items {
            if spoiled.contains(main_item_id) {
                continue;
            }
            let item = store::local_items::get(w.tx, *main_item_id)?;
            if item.state == crate::domain::ReviewState::Entered
                && already(w, *main_item_id, codes)?
            {
                report.unchanged += 1;
                continue;
            }
            store::savepoint(w.tx, "import_entered")?;
            match enter_in(w, *main_item_id, item.version, codes) {
                Ok(_) => {
                    store::release(w.tx, "import_entered")?;
                    report.changed += 1;
                }
                Err(AppError::Invalid(m)) => {
                    store::rollback_to(w.tx, "import_entered")?;
                    report
                        .rejected
                        .push(RowError::at(rec, header("official_code"), m));
                }
                Err(AppError::Denied(d)) => {
                    store::rollback_to(w.tx, "import_entered")?;
                    report
                        .rejected
                        .push(RowError::at(rec, header("local_code"), d.to_string()));
                }
                Err(e) => return Err(e),
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
