//! Units and accounts (SPEC §1: who creates whom).

use super::{Actor, AppError, write};
use crate::domain::account::{validate_login, validate_mobile};
use crate::domain::permission::{UnitRef, WriteAction};
use crate::domain::text::rules;
use crate::domain::{Account, Id, Level, NewAccount, Role};
use crate::store::{self, Store};

/// Each rule a new account's fields break, with the field it concerns
/// (`login`, `name`, `post`, `mobile`), so an import can point at the
/// column: first what no field may hold (the text table), then each
/// field's own rule.
pub(crate) fn problems(
    login: &str,
    name: &str,
    post: &str,
    mobile: &str,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let fields = [
        ("login", rules::LOGIN, login),
        ("name", rules::PERSON_NAME, name),
        ("post", rules::OFFICE_POST, post),
        ("mobile", rules::MOBILE, mobile),
    ];
    for (key, rule, value) in fields {
        if let Err(e) = rule.check(&rule.normalise(value)) {
            out.push((key, e.to_string()));
        }
    }
    let unstorable = |key: &str| out.iter().any(|(k, _)| *k == key);
    let mut rest = Vec::new();
    if !unstorable("login")
        && let Err(e) = validate_login(login)
    {
        rest.push(("login", e));
    }
    if name.trim().is_empty() {
        rest.push(("name", "姓名不能为空".to_string()));
    }
    if !unstorable("mobile")
        && let Err(e) = validate_mobile(mobile)
    {
        rest.push(("mobile", e));
    }
    out.extend(rest);
    out
}

pub(crate) fn validate(input: &NewAccount) -> Result<(), AppError> {
    first_problem(problems(
        &input.login,
        &input.name,
        &input.office_post,
        &input.mobile,
    ))
}

fn first_problem(problems: Vec<(&'static str, String)>) -> Result<(), AppError> {
    match problems.into_iter().next() {
        Some((_, reason)) => Err(AppError::Invalid(reason)),
        None => Ok(()),
    }
}

fn unit_ref(tx: &crate::store::Connection, unit_id: Id) -> Result<UnitRef, AppError> {
    Ok(store::units::unit_ref(tx, unit_id)?)
}

pub fn create_account(
    store: &mut Store,
    actor: &Actor,
    input: &NewAccount,
) -> Result<Account, AppError> {
    validate(input)?;
    write(store, actor, |w| {
        let unit = unit_ref(w.tx, input.unit_id)?;
        w.authorize(WriteAction::CreateAccount {
            role: input.role,
            unit,
        })?;
        insert_checked(w.tx, input, w.at).and_then(|account| {
            w.log(
                "create_account",
                "account",
                account.id,
                None::<&()>,
                Some(&account),
            )?;
            Ok(account)
        })
    })
}

/// Inserts after the checks that are not permissions: unique login, one
/// liaison per unit, a county admin belongs to a county unit.
pub(crate) fn insert_checked(
    tx: &crate::store::Connection,
    input: &NewAccount,
    at: i64,
) -> Result<Account, AppError> {
    if store::accounts::by_login(tx, &input.login)?.is_some() {
        return Err(AppError::Invalid(format!(
            "登录名“{}”已有账号",
            input.login
        )));
    }
    let unit = store::units::unit(tx, input.unit_id)?;
    if input.role == Role::CountyAdmin && unit.region_level != Level::County {
        return Err(AppError::Invalid(format!(
            "县级管理员应属于县（市、区）的单位，“{}”不是",
            unit.full_name()
        )));
    }
    if input.is_liaison
        && store::accounts::list(tx)?
            .iter()
            .any(|a| a.unit_id == input.unit_id && a.is_liaison && a.active)
    {
        return Err(AppError::Invalid(format!(
            "{}已有联络人（每个单位一名）",
            unit.full_name()
        )));
    }
    let id = store::accounts::insert_account(
        tx,
        &NewAccount {
            name: input.name.trim().to_string(),
            office_post: input.office_post.trim().to_string(),
            mobile: input.mobile.trim().to_string(),
            ..input.clone()
        },
        at,
    )?;
    Ok(store::accounts::by_id(tx, id)?)
}

/// Creates the first platform_admin without an actor: only while the
/// database has none (`jianguan init`).
pub fn bootstrap_admin(
    tx: &crate::store::Connection,
    input: &NewAccount,
    at: i64,
) -> Result<Account, AppError> {
    if store::accounts::count_by_role(tx, Role::PlatformAdmin)? > 0 {
        return Err(AppError::Invalid("数据库已有平台管理员".into()));
    }
    // The first admin may fill in the phone number later.
    if input.mobile.is_empty() {
        first_problem(
            problems(&input.login, &input.name, &input.office_post, "")
                .into_iter()
                .filter(|(key, _)| *key != "mobile")
                .collect(),
        )?;
    } else {
        validate(input)?;
    }
    insert_checked(tx, input, at)
}

/// Changes an account (name, unit, post, mobile, role, liaison, active),
/// compare-and-swap on `expected_version`.
pub fn update_account(
    store: &mut Store,
    actor: &Actor,
    changed: &Account,
    expected_version: i64,
) -> Result<Account, AppError> {
    // The login cannot change (refused below); its text is not checked again.
    first_problem(
        problems("", &changed.name, &changed.office_post, &changed.mobile)
            .into_iter()
            .filter(|(key, _)| *key != "login")
            .collect(),
    )?;
    write(store, actor, |w| {
        let before = store::accounts::by_id(w.tx, changed.id)?;
        // Both the account as it is and as it will be must be in reach.
        for (role, unit_id) in [
            (before.role, before.unit_id),
            (changed.role, changed.unit_id),
        ] {
            w.authorize(WriteAction::EditAccount {
                role,
                unit: unit_ref(w.tx, unit_id)?,
            })?;
        }
        if changed.login != before.login {
            return Err(AppError::Invalid(
                "登录名不能修改；请停用此账号并新建".into(),
            ));
        }
        let after =
            store::accounts::update(w.tx, changed, expected_version, w.actor.account_id, w.at)?;
        w.log(
            "update_account",
            "account",
            after.id,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}
