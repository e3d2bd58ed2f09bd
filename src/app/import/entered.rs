//! `import entered`: the codes the national system gave local items when
//! they were entered (地方编码 → 国家系统编码), for the main item and each
//! sub-item. Every item named is marked 已录入 through the same service as
//! `jianguan local enter`, in one transaction.

use super::{ImportOptions, ImportReport, RowError, cell_errors};
use crate::app::local_items::{EnteredCodes, enter_in};
use crate::app::{Actor, AppError, write_or_roll_back};
use crate::domain::text::code;
use crate::store::{self, Store};
use crate::xlsx::layouts::ENTERED;
use crate::xlsx::{Record, SheetRows};
use std::collections::BTreeMap;

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
        for rec in sheets.iter().flat_map(|s| &s.records) {
            report.rows += 1;
            let reject = |column: &str, reason: String| RowError::at(rec, column, reason);
            let mut errors = cell_errors(rec, ENTERED);
            let local = code(rec.get(ENTERED, "local_code"));
            let official = code(rec.get(ENTERED, "official_code"));
            if !errors.is_empty() {
                report.rejected.append(&mut errors);
                continue;
            }
            if let Some(main) = store::catalogue::main_item_by_code(w.tx, &local)? {
                if store::local_items::find(w.tx, main.id)?.is_none() {
                    report.rejected.push(reject(
                        header("local_code"),
                        format!("{local} 不是地方监管事项"),
                    ));
                    continue;
                }
                let entry = items
                    .entry(main.id)
                    .or_insert_with(|| (EnteredCodes::default(), rec));
                entry.0.main = official;
                entry.1 = rec;
            } else if let Some(sub) = store::catalogue::sub_item_by_code(w.tx, &local)? {
                let entry = items
                    .entry(sub.main_item_id)
                    .or_insert_with(|| (EnteredCodes::default(), rec));
                entry.0.subs.push((sub.id, official));
            } else {
                report.rejected.push(reject(
                    header("local_code"),
                    format!("没有地方编码为“{local}”的事项"),
                ));
            }
        }
        for (main_item_id, (codes, rec)) in &items {
            let item = store::local_items::get(w.tx, *main_item_id)?;
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
