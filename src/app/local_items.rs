//! Local items (地方监管事项): compiled by city units, reviewed by 市司法局.

use super::{Actor, AppError, Write, write};
use crate::domain::local_item::{
    BasisRef, PowerRef, ReviewStep, check_local_item, editable, is_national_code, next_state,
    provisional_main_code, provisional_sub_code,
};
use crate::domain::permission::WriteAction;
use crate::domain::text::{TextRule, rules};
use crate::domain::{
    Category, Id, ItemStatus, Level, LocalItem, MainItem, PermitType, Source, SubItem,
};
use crate::store::{self, Store, local_items::Change};
use serde::Serialize;

/// A sub-item of a local item as the operator edits it.
#[derive(Debug, Clone, Serialize)]
pub struct LocalSubItemInput {
    /// None for a new sub-item.
    pub id: Option<Id>,
    pub name: String,
    pub category: Category,
    pub target: String,
    pub measures: String,
    pub process: String,
    pub result: String,
    pub levels: Vec<Level>,
    pub basis_ids: Vec<Id>,
}

/// A local main item as the operator edits it.
#[derive(Debug, Clone, Serialize)]
pub struct LocalItemInput {
    pub name: String,
    pub permit_name: String,
    pub permit_type: Option<PermitType>,
    pub permit_code: String,
    pub power_entry_id: Option<Id>,
    pub sub_items: Vec<LocalSubItemInput>,
}

fn basis_text(w: &Write<'_>, ids: &[Id]) -> Result<String, AppError> {
    let mut parts = Vec::new();
    for &id in ids {
        parts.push(store::catalogue::basis(w.tx, id)?.citation());
    }
    Ok(parts.join("；"))
}

/// A field's value as stored, or why it cannot be (the text table).
fn cleaned(rule: TextRule, value: &str) -> Result<String, AppError> {
    rule.clean(value)
        .map_err(|e| AppError::Invalid(e.to_string()))
}

fn sub_item_of(
    w: &Write<'_>,
    main: &MainItem,
    s: &LocalSubItemInput,
    code: String,
) -> Result<SubItem, AppError> {
    let name = cleaned(rules::SUB_NAME, &s.name)?;
    if name.is_empty() {
        return Err(AppError::Invalid("子项名称不能为空".into()));
    }
    let of_sub = |rule: TextRule, value: &str| {
        rule.clean(value)
            .map_err(|e| AppError::Invalid(format!("子项“{name}”的{e}")))
    };
    let target = of_sub(rules::TARGET, &s.target)?;
    let measures = of_sub(rules::MEASURES, &s.measures)?;
    let process = of_sub(rules::PROCESS, &s.process)?;
    let result = of_sub(rules::RESULT, &s.result)?;
    // A repealed basis is not added; one that was cited before it was
    // repealed stays, and the rules report it (依据已废止).
    let had: Vec<Id> = match s.id {
        Some(id) => store::catalogue::bases_of_sub_item(w.tx, id)?
            .iter()
            .map(|b| b.id)
            .collect(),
        None => Vec::new(),
    };
    for &id in s.basis_ids.iter().filter(|id| !had.contains(id)) {
        let b = store::catalogue::basis(w.tx, id)?;
        if b.status == crate::domain::BasisStatus::Repealed {
            return Err(AppError::Invalid(format!(
                "{}已废止，不能作为子项“{}”的设定依据",
                b.citation(),
                s.name.trim()
            )));
        }
    }
    Ok(SubItem {
        id: s.id.unwrap_or(0),
        code,
        main_item_id: main.id,
        name,
        category: s.category,
        target,
        measures,
        basis_text: basis_text(w, &s.basis_ids)?,
        process,
        result,
        levels: s.levels.clone(),
        classified: false,
        status: ItemStatus::InUse,
        version: 1,
    })
}

/// The main item's typed fields as stored.
struct MainFields {
    name: String,
    permit_name: String,
    permit_code: String,
}

impl MainFields {
    fn of(input: &LocalItemInput) -> Result<Self, AppError> {
        let name = cleaned(rules::MAIN_NAME, &input.name)?;
        if name.is_empty() {
            return Err(AppError::Invalid("主项名称不能为空".into()));
        }
        Ok(MainFields {
            name,
            permit_name: cleaned(rules::PERMIT_NAME, &input.permit_name)?,
            permit_code: cleaned(rules::PERMIT_CODE, &input.permit_code)?,
        })
    }
}

/// Creates a local item in 草稿 with a provisional code; returns its main item id.
pub fn create_local_item(
    store: &mut Store,
    actor: &Actor,
    input: &LocalItemInput,
) -> Result<Id, AppError> {
    write(store, actor, |w| {
        let unit = store::units::unit(w.tx, w.actor.unit_id)?;
        w.authorize(WriteAction::CompileLocalItem {
            unit: store::units::unit_ref(w.tx, unit.id)?,
        })?;
        let fields = MainFields::of(input)?;
        let region_code = store::units::list_regions(w.tx)?
            .into_iter()
            .find(|r| r.id == unit.region_id)
            .map(|r| r.code)
            .unwrap_or_default();
        let seq = store::local_items::next_provisional_seq(w.tx, &region_code)?;
        let mut main = MainItem {
            id: 0,
            code: provisional_main_code(&region_code, seq),
            name: fields.name,
            department: unit.full_name(),
            permit_name: fields.permit_name,
            permit_type: input.permit_type,
            permit_code: fields.permit_code,
            source: Source::City,
            status: ItemStatus::InUse,
            owner_unit_id: Some(unit.id),
            version: 1,
        };
        main.id = store::catalogue::insert_main_item(w.tx, &main, w.at)?;
        for (i, s) in input.sub_items.iter().enumerate() {
            let sub = sub_item_of(w, &main, s, provisional_sub_code(&main.code, i as u32 + 1))?;
            let id = store::catalogue::insert_sub_item(w.tx, &sub, w.at)?;
            store::catalogue::set_bases(w.tx, id, &s.basis_ids)?;
        }
        store::local_items::insert(
            w.tx,
            main.id,
            unit.id,
            input.power_entry_id,
            w.actor.account_id,
            w.at,
        )?;
        w.log(
            "create_local_item",
            "local_item",
            main.id,
            None::<&()>,
            Some(input),
        )?;
        Ok(main.id)
    })
}

/// Whether the actor may compile a new local item at all, asked before an
/// editor opens, so nobody types a whole item only to be refused on save.
pub fn may_compile(store: &Store, actor: &Actor) -> Result<(), AppError> {
    let conn = store.conn();
    let ctx = store::accounts::actor_ctx(conn, actor.effective().id)?;
    let unit = store::units::unit_ref(conn, actor.effective().unit_id)?;
    Ok(crate::domain::permission::authorize(
        &ctx,
        WriteAction::CompileLocalItem { unit },
    )?)
}

fn load_own(w: &Write<'_>, main_item_id: Id) -> Result<LocalItem, AppError> {
    let item = store::local_items::get(w.tx, main_item_id)?;
    w.authorize(WriteAction::CompileLocalItem {
        unit: store::units::unit_ref(w.tx, item.unit_id)?,
    })?;
    Ok(item)
}

/// Rewrites a local item in 草稿 or 退回修改, compare-and-swap on its version.
pub fn edit_local_item(
    store: &mut Store,
    actor: &Actor,
    main_item_id: Id,
    input: &LocalItemInput,
    expected_version: i64,
) -> Result<LocalItem, AppError> {
    write(store, actor, |w| {
        let item = load_own(w, main_item_id)?;
        if !editable(item.state) {
            return Err(AppError::Invalid(format!(
                "事项处于“{}”状态，不能修改{}",
                item.state.label(),
                if item.state == crate::domain::ReviewState::Submitted {
                    "（审核中，需审核员退回后才能修改）"
                } else {
                    ""
                }
            )));
        }
        let fields = MainFields::of(input)?;
        let mut main = store::catalogue::main_item(w.tx, main_item_id)?;
        main.name = fields.name;
        main.permit_name = fields.permit_name;
        main.permit_type = input.permit_type;
        main.permit_code = fields.permit_code;
        store::catalogue::replace_main_item(w.tx, &main, w.at)?;
        let existing = store::catalogue::sub_items_of(w.tx, main_item_id)?;
        let mut next_seq = existing.len() as u32 + 1;
        for s in &input.sub_items {
            match s.id.and_then(|id| existing.iter().find(|e| e.id == id)) {
                Some(old) => {
                    let sub = sub_item_of(w, &main, s, old.code.clone())?;
                    store::catalogue::replace_sub_item(w.tx, &sub, w.at)?;
                    store::catalogue::set_bases(w.tx, old.id, &s.basis_ids)?;
                }
                None => {
                    let mut code = provisional_sub_code(&main.code, next_seq);
                    while store::catalogue::sub_item_by_code(w.tx, &code)?.is_some() {
                        next_seq += 1;
                        code = provisional_sub_code(&main.code, next_seq);
                    }
                    next_seq += 1;
                    let sub = sub_item_of(w, &main, s, code)?;
                    let id = store::catalogue::insert_sub_item(w.tx, &sub, w.at)?;
                    store::catalogue::set_bases(w.tx, id, &s.basis_ids)?;
                }
            }
        }
        for old in existing
            .iter()
            .filter(|e| !input.sub_items.iter().any(|s| s.id == Some(e.id)))
        {
            if !store::catalogue::delete_unreferenced_sub_item(w.tx, old.id)? {
                return Err(AppError::Invalid(format!(
                    "子项{}（{}）已被认领或已有检查实施清单，不能删除",
                    old.name, old.code
                )));
            }
        }
        let after = store::local_items::update(
            w.tx,
            main_item_id,
            &Change {
                state: item.state,
                power_entry_id: input.power_entry_id,
                official_code: item.official_code.as_deref(),
                return_reason: item.return_reason.as_deref(),
            },
            expected_version,
            w.actor.account_id,
            w.at,
        )?;
        w.log(
            "edit_local_item",
            "local_item",
            main_item_id,
            Some(&item),
            Some(input),
        )?;
        Ok(after)
    })
}

/// The rule problems of a local item as stored, in Chinese.
pub fn problems(
    conn: &crate::store::Connection,
    main_item_id: Id,
) -> Result<Vec<String>, AppError> {
    let item = store::local_items::get(conn, main_item_id)?;
    let mut bases = Vec::new();
    let mut categories = Vec::new();
    for sub in store::catalogue::sub_items_of(conn, main_item_id)? {
        bases.extend(store::catalogue::bases_of_sub_item(conn, sub.id)?);
        categories.push(sub.category);
    }
    let refs: Vec<BasisRef<'_>> = bases
        .iter()
        .map(|b| BasisRef {
            title: &b.title,
            kind: b.kind,
            status: b.status,
        })
        .collect();
    let entry = match item.power_entry_id {
        Some(id) => Some(store::catalogue::power_entry(conn, id)?),
        None => None,
    };
    let power = entry.as_ref().map(|p| PowerRef {
        unit_id: p.unit_id,
        kind: &p.kind,
    });
    Ok(check_local_item(&refs, power, &categories, item.unit_id)
        .iter()
        .map(|p| p.to_string())
        .collect())
}

fn step(
    w: &Write<'_>,
    item: &LocalItem,
    step: ReviewStep,
    expected_version: i64,
    reason: Option<&str>,
    official_code: Option<&str>,
) -> Result<LocalItem, AppError> {
    let to = next_state(item.state, step).map_err(AppError::Invalid)?;
    let after = store::local_items::update(
        w.tx,
        item.main_item_id,
        &Change {
            state: to,
            power_entry_id: item.power_entry_id,
            official_code: official_code.or(item.official_code.as_deref()),
            // The last return's reason stands until the item moves on; the
            // history keeps every one.
            return_reason: reason,
        },
        expected_version,
        w.actor.account_id,
        w.at,
    )?;
    w.log(
        match step {
            ReviewStep::Submit => "submit_local_item",
            ReviewStep::Approve => "approve_local_item",
            ReviewStep::Return => "return_local_item",
            ReviewStep::MarkEntered => "mark_local_item_entered",
        },
        "local_item",
        item.main_item_id,
        Some(item),
        Some(&after),
    )?;
    Ok(after)
}

/// 草稿/退回修改 → 待审核, if every rule passes.
pub fn submit(
    store: &mut Store,
    actor: &Actor,
    main_item_id: Id,
    expected_version: i64,
) -> Result<LocalItem, AppError> {
    write(store, actor, |w| {
        let item = load_own(w, main_item_id)?;
        let problems = problems(w.tx, main_item_id)?;
        if !problems.is_empty() {
            return Err(AppError::Invalid(format!(
                "不能提交审核：{}",
                problems.join("；")
            )));
        }
        step(w, &item, ReviewStep::Submit, expected_version, None, None)
    })
}

/// 待审核 → 审核通过 (legal_reviewer). The unit that compiled the item
/// claims every sub-item of it in the same transaction: its 行政检查
/// sub-items need that unit's checklists from now on.
pub fn approve(
    store: &mut Store,
    actor: &Actor,
    main_item_id: Id,
    expected_version: i64,
) -> Result<LocalItem, AppError> {
    write(store, actor, |w| {
        w.authorize(WriteAction::ReviewLocalItem)?;
        let item = store::local_items::get(w.tx, main_item_id)?;
        // A basis repealed, or a power-list entry found wrong, since it was
        // submitted: it goes back rather than into the catalogue.
        let problems = problems(w.tx, main_item_id)?;
        if !problems.is_empty() && item.state == crate::domain::ReviewState::Submitted {
            return Err(AppError::Invalid(format!(
                "不能审核通过：{}；请退回修改",
                problems.join("；")
            )));
        }
        let approved = step(w, &item, ReviewStep::Approve, expected_version, None, None)?;
        claim_for_owner(w, &approved)?;
        Ok(approved)
    })
}

/// The owning unit's claims of every sub-item of an approved local item,
/// logged as a claim of that unit (made on approval).
pub(crate) fn claim_for_owner(w: &Write<'_>, item: &LocalItem) -> Result<Vec<Id>, AppError> {
    let ids: Vec<Id> = store::catalogue::sub_items_of(w.tx, item.main_item_id)?
        .iter()
        .map(|s| s.id)
        .collect();
    let added = store::claims::claim(w.tx, item.unit_id, &ids, true, w.actor.account_id, w.at)?;
    if !added.is_empty() {
        let after = serde_json::json!({
            "sub_items": added, "exercised": true, "on_approval": item.main_item_id
        });
        w.log("claim", "unit", item.unit_id, None::<&()>, Some(&after))?;
    }
    Ok(added)
}

/// 待审核 → 退回修改 with a reason (legal_reviewer).
pub fn return_for_changes(
    store: &mut Store,
    actor: &Actor,
    main_item_id: Id,
    expected_version: i64,
    reason: &str,
) -> Result<LocalItem, AppError> {
    write(store, actor, |w| {
        w.authorize(WriteAction::ReviewLocalItem)?;
        let reason = cleaned(rules::REVIEW_REASON, reason)?;
        if reason.is_empty() {
            return Err(AppError::Invalid("退回修改必须填写理由".into()));
        }
        let item = store::local_items::get(w.tx, main_item_id)?;
        step(
            w,
            &item,
            ReviewStep::Return,
            expected_version,
            Some(&reason),
            None,
        )
    })
}

/// The codes the national system gave an item when it was entered: the
/// main item's, and each sub-item's (by its id).
#[derive(Debug, Clone, Default)]
pub struct EnteredCodes {
    pub main: String,
    pub subs: Vec<(Id, String)>,
}

/// 审核通过 → 已录入, recording the codes the national system gave the main
/// item and every sub-item: from then on they are the items' codes in the
/// tree, search and exports; the DF codes stay findable.
pub fn mark_entered(
    store: &mut Store,
    actor: &Actor,
    main_item_id: Id,
    expected_version: i64,
    codes: &EnteredCodes,
) -> Result<LocalItem, AppError> {
    write(store, actor, |w| {
        enter_in(w, main_item_id, expected_version, codes)
    })
}

pub(crate) fn enter_in(
    w: &Write<'_>,
    main_item_id: Id,
    expected_version: i64,
    codes: &EnteredCodes,
) -> Result<LocalItem, AppError> {
    let item = store::local_items::get(w.tx, main_item_id)?;
    w.authorize(WriteAction::MarkLocalItemEntered {
        unit: store::units::unit_ref(w.tx, item.unit_id)?,
    })?;
    // Entered already: the codes are corrected (a code mistyped); not yet
    // approved: nothing to enter.
    let correcting = item.state == crate::domain::ReviewState::Entered;
    if !correcting {
        next_state(item.state, ReviewStep::MarkEntered).map_err(AppError::Invalid)?;
    }
    // What no code may hold is refused before any message quotes it.
    for code in std::iter::once(&codes.main).chain(codes.subs.iter().map(|(_, c)| c)) {
        rules::ITEM_CODE
            .named("国家系统编码")
            .check(code.trim())
            .map_err(|e| AppError::Invalid(format!("不能标记已录入：{e}")))?;
    }
    let main = store::catalogue::main_item(w.tx, main_item_id)?;
    let subs = store::catalogue::sub_items_of(w.tx, main_item_id)?;
    let mut problems = Vec::new();
    // (what it is, the code given for it)
    let mut given: Vec<(String, String)> =
        vec![(format!("主项 {}", main.code), codes.main.trim().to_string())];
    for s in &subs {
        match codes.subs.iter().find(|(id, _)| *id == s.id) {
            Some((_, code)) => given.push((format!("子项 {}", s.code), code.trim().to_string())),
            None => problems.push(format!("缺少子项 {}（{}）的国家系统编码", s.code, s.name)),
        }
    }
    for (id, _) in &codes.subs {
        if !subs.iter().any(|s| s.id == *id) {
            problems.push(format!("编号 {id} 的子项不属于本事项"));
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for (what, code) in &given {
        if !is_national_code(code) {
            problems.push(format!("{what}的国家系统编码“{code}”应为14位数字"));
        } else if seen.contains(&code.as_str()) {
            problems.push(format!(
                "{what}的国家系统编码“{code}”与本事项的另一编码重复"
            ));
        } else {
            seen.push(code);
        }
    }
    for code in &seen {
        if let Some((used, name, owner)) = store::catalogue::code_in_use(w.tx, code)?
            && owner != main_item_id
        {
            problems.push(format!("编码 {code} 已是“{name}”（{used}）的编码"));
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(format!(
            "不能标记已录入：{}",
            problems.join("；")
        )));
    }
    let entered = if correcting {
        let after = store::local_items::update(
            w.tx,
            main_item_id,
            &Change {
                state: item.state,
                power_entry_id: item.power_entry_id,
                official_code: Some(codes.main.trim()),
                return_reason: None,
            },
            expected_version,
            w.actor.account_id,
            w.at,
        )?;
        w.log(
            "correct_entered_codes",
            "local_item",
            main_item_id,
            Some(&item),
            Some(&after),
        )?;
        after
    } else {
        step(
            w,
            &item,
            ReviewStep::MarkEntered,
            expected_version,
            None,
            Some(codes.main.trim()),
        )?
    };
    let subs_codes: Vec<(Id, String)> = codes
        .subs
        .iter()
        .map(|(id, c)| (*id, c.trim().to_string()))
        .collect();
    store::catalogue::set_official_codes(w.tx, main_item_id, codes.main.trim(), &subs_codes)?;
    let mapping: Vec<serde_json::Value> = std::iter::once((main.code.clone(), codes.main.trim()))
        .chain(subs.iter().map(|s| {
            let code = subs_codes
                .iter()
                .find(|(id, _)| *id == s.id)
                .map_or("", |(_, c)| c.as_str());
            (s.code.clone(), code)
        }))
        .map(|(from, to)| serde_json::json!({ "provisional": from, "official": to }))
        .collect();
    w.log(
        "enter_codes",
        "local_item",
        main_item_id,
        None::<&()>,
        Some(&mapping),
    )?;
    Ok(entered)
}
