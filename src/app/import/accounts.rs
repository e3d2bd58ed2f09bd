//! `import accounts`: annex 2's people plus their login and role. Each row
//! is created with the same permission and rules as `account add`.

use super::power_list::unit_cell;
use super::{
    ImportOptions, ImportReport, RowError, cell_errors, parse_opt, parse_yes_no, text_errors,
};
use crate::app::accounts::{insert_checked, problems};
use crate::app::{Actor, AppError, write_or_roll_back};
use crate::domain::permission::{UnitRef, WriteAction};
use crate::domain::text::{TextRule, code, rules, text};
use crate::domain::{NewAccount, Role};
use crate::store::{self, Store};
use crate::xlsx::SheetRows;
use crate::xlsx::layouts::ACCOUNTS;

fn header(key: &str) -> &'static str {
    ACCOUNTS
        .iter()
        .find(|c| c.key == key)
        .map_or("", |c| c.header)
}

/// The text table's row for each column.
fn rule_of(key: &str) -> TextRule {
    match key {
        "login" => rules::LOGIN,
        "name" => rules::PERSON_NAME,
        "unit" => rules::UNIT_REFERENCE,
        "region" => rules::REGION,
        "post" => rules::OFFICE_POST,
        "mobile" => rules::MOBILE,
        _ => rules::CHOICE,
    }
}

pub fn import_accounts(
    store: &mut Store,
    actor: &Actor,
    sheets: &[SheetRows],
    opts: ImportOptions,
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport::default();
    write_or_roll_back(store, actor, !opts.dry_run, |w| {
        let mut created = Vec::new();
        // Login → the row it was first seen on.
        let mut seen = std::collections::HashMap::new();
        for rec in sheets.iter().flat_map(|s| &s.records) {
            report.rows += 1;
            let get = |k: &str| rec.get(ACCOUNTS, k);
            let unstorable = text_errors(rec, ACCOUNTS, rule_of);
            if !unstorable.is_empty() {
                report.rejected.extend(unstorable);
                continue;
            }
            let mut errors = cell_errors(rec, ACCOUNTS);
            let role = parse_opt(get("role"), Role::parse).unwrap_or_else(|e| {
                errors.push(RowError::at(rec, header("role"), e));
                None
            });
            let liaison = parse_yes_no(get("liaison")).unwrap_or_else(|e| {
                errors.push(RowError::at(rec, header("liaison"), e));
                None
            });
            let login = code(get("login"));
            let name = text(get("name"));
            let mobile = code(get("mobile"));
            let post = text(get("post"));
            for (key, reason) in problems(&login, &name, &post, &mobile) {
                errors.push(RowError::at(rec, header(key), reason));
            }
            if let Some(first) = seen.get(&login) {
                errors.push(RowError::at(
                    rec,
                    header("login"),
                    format!("“{login}”与第{first}行重复"),
                ));
            } else if !login.is_empty() {
                seen.insert(login.clone(), rec.row);
            }
            let unit = unit_cell(w.tx, rec, ACCOUNTS, &mut errors)?;
            let (Some(unit), true) = (unit, errors.is_empty()) else {
                report
                    .rejected
                    .extend(super::without_shadowed(errors, rec, ACCOUNTS));
                continue;
            };
            let input = NewAccount {
                login,
                name,
                unit_id: unit.id,
                office_post: post,
                mobile,
                role: role.unwrap_or(Role::Operator),
                is_liaison: liaison.unwrap_or(false),
            };
            if let Some(existing) = store::accounts::by_login(w.tx, &input.login)? {
                let same = (
                    existing.name.as_str(),
                    existing.unit_id,
                    existing.mobile.as_str(),
                    existing.role,
                ) == (
                    input.name.as_str(),
                    input.unit_id,
                    input.mobile.as_str(),
                    input.role,
                );
                if same {
                    report.unchanged += 1;
                } else {
                    report.rejected.push(RowError::at(
                        rec,
                        header("login"),
                        format!(
                            "登录名“{}”已有账号且信息不同；请用 jianguan account 命令修改",
                            input.login
                        ),
                    ));
                }
                continue;
            }
            // The fields were checked above, by column.
            let check = w.authorize(WriteAction::CreateAccount {
                role: input.role,
                unit: UnitRef {
                    id: unit.id,
                    region_id: unit.region_id,
                    level: unit.region_level,
                },
            });
            let result = check.and_then(|()| insert_checked(w.tx, &input, w.at));
            match result {
                Ok(account) => {
                    report.added += 1;
                    created.push(account);
                }
                Err(AppError::Invalid(m)) => {
                    report.rejected.push(RowError::at(rec, header("login"), m))
                }
                Err(AppError::Denied(d)) => {
                    report
                        .rejected
                        .push(RowError::at(rec, header("role"), d.to_string()))
                }
                Err(e) => return Err(e),
            }
        }
        if report.blocked(&opts) {
            return Err(AppError::Rejected(Box::new(std::mem::take(&mut report))));
        }
        for a in &created {
            w.log("create_account", "account", a.id, None::<&()>, Some(a))?;
        }
        report.written = !opts.dry_run;
        Ok(std::mem::take(&mut report))
    })
}
