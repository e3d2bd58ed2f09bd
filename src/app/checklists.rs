//! Saving inspection checklists (检查实施清单), compare-and-swap.

use super::{Actor, AppError, Write, write};
use crate::domain::checklist::{checklist_text_errors, derived_state};
use crate::domain::permission::{UnitRef, WriteAction};
use crate::domain::subject;
use crate::domain::{
    Category, Checklist, ChecklistFields, ChecklistState, FieldError, Id, SubItem,
    validate_checklist,
};
use crate::store::checklists::{NewChecklist, Source};
use crate::store::{self, Conflict, ConflictRow, Store};

/// A save of one checklist of the actor's unit.
pub struct SaveRequest {
    pub sub_item_id: Id,
    pub fields: ChecklistFields,
    /// The version the operator started from; None for a new checklist.
    pub expected_version: Option<i64>,
    /// Ask for 已填报 (refused unless every rule passes).
    pub submit: bool,
}

/// The saved row, and the rules it still fails (a draft may fail some).
#[derive(Debug, Clone)]
pub struct Saved {
    pub checklist: Checklist,
    pub errors: Vec<FieldError>,
}

pub fn save_checklist(
    store: &mut Store,
    actor: &Actor,
    req: SaveRequest,
) -> Result<Saved, AppError> {
    write(store, actor, |w| {
        let unit = store::units::unit_ref(w.tx, w.actor.unit_id)?;
        let sub = store::catalogue::sub_item(w.tx, req.sub_item_id)?;
        save_in(
            w,
            unit,
            &sub,
            &req.fields,
            req.expected_version,
            req.submit,
            None,
        )
    })
}

/// The save inside a caller's write: permission, rules, compare-and-swap,
/// change log. Shared by the form and by spreadsheet imports. `source`:
/// the upper-level checklist the text now follows (None keeps the one the
/// row had).
pub(crate) fn save_in(
    w: &Write<'_>,
    unit: UnitRef,
    sub: &SubItem,
    fields: &ChecklistFields,
    expected_version: Option<i64>,
    submit: bool,
    source: Option<Source>,
) -> Result<Saved, AppError> {
    w.authorize(WriteAction::SaveChecklist { unit })?;
    if sub.category != Category::Inspection {
        return Err(AppError::Invalid(format!(
            "{}（{}）是{}事项，只有行政检查事项需要检查实施清单",
            sub.name,
            sub.code,
            sub.category.label()
        )));
    }
    match store::claims::claim_of(w.tx, unit.id, sub.id)? {
        None => {
            return Err(AppError::Invalid(format!(
                "本单位尚未认领{}（{}），请先认领",
                sub.name, sub.code
            )));
        }
        Some(claim) if !claim.exercised => {
            return Err(AppError::Invalid(format!(
                "本单位认领{}（{}）时标为不行使，不需要检查实施清单；如实际行使，请先改为行使",
                sub.name, sub.code
            )));
        }
        Some(_) => {}
    }
    let mut fields = fields.clone();
    // Items 1, 2 and 3 are not the operator's to choose.
    let own_unit = store::units::unit(w.tx, unit.id)?;
    subject::apply_unit(&mut fields, &own_unit, sub);
    // Text no field may hold is refused outright, not kept as a draft.
    let unstorable = checklist_text_errors(&fields);
    if !unstorable.is_empty() {
        return Err(AppError::InvalidFields(unstorable));
    }
    let errors = subject::validate_for_unit(&fields, &own_unit);
    let state = if submit {
        if !errors.is_empty() {
            return Err(AppError::InvalidFields(errors));
        }
        ChecklistState::Filed
    } else {
        derived_state(&fields)
    };
    let existing = store::checklists::find(w.tx, sub.id, unit.id)?;
    let saved = match (existing, expected_version) {
        (None, None) => {
            let id = store::checklists::insert(
                w.tx,
                &NewChecklist {
                    sub_item_id: sub.id,
                    unit_id: unit.id,
                    level: unit.level,
                    fields: &fields,
                    state,
                    source: source.unwrap_or_default(),
                    by: w.actor.account_id,
                    at: w.at,
                },
            )?;
            let saved = store::checklists::get(w.tx, id)?;
            w.log(
                "create_checklist",
                "checklist",
                id,
                None::<&()>,
                Some(&saved),
            )?;
            saved
        }
        (Some(current), None) => {
            // Someone created it after this operator opened an empty form.
            return Err(AppError::Conflict(Box::new(Conflict {
                expected_version: 0,
                saved_by: store::accounts::describe(w.tx, current.updated_by)?,
                saved_at: current.updated_at,
                current: ConflictRow::Checklist(Box::new(current)),
            })));
        }
        (None, Some(_)) => {
            return Err(AppError::Invalid(format!(
                "{}（{}）的检查实施清单已被删除",
                sub.name, sub.code
            )));
        }
        (Some(before), Some(expected)) => {
            let saved = store::checklists::update(
                w.tx,
                before.id,
                &fields,
                state,
                source,
                expected,
                w.actor.account_id,
                w.at,
            )?;
            w.log(
                "save_checklist",
                "checklist",
                saved.id,
                Some(&before),
                Some(&saved),
            )?;
            saved
        }
    };
    Ok(Saved {
        checklist: saved,
        errors,
    })
}

/// The checklists of upper levels (the unit's city, the province) for the
/// sub-item that a lower level may reuse: 完整 or 已填报 (the notice: the
/// lower level reuses once the upper level has filed).
pub fn reusable(store: &Store, unit_id: Id, sub_item_id: Id) -> Result<Vec<Checklist>, AppError> {
    let conn = store.conn();
    let unit = store::units::unit(conn, unit_id)?;
    let uppers = store::units::ancestor_regions(conn, unit.region_id)?;
    Ok(store::checklists::reusable(conn, sub_item_id, &uppers)?)
}

/// Copies an upper level's checklist into the unit's own (共享复用): every
/// field but 实施主体 (the unit's own: kept, or the unit's name and code
/// when empty) and 行使层级; the copy remembers its source and version.
pub fn reuse(
    store: &mut Store,
    actor: &Actor,
    sub_item_id: Id,
    source_id: Id,
    expected_version: Option<i64>,
) -> Result<Saved, AppError> {
    write(store, actor, |w| {
        let unit_ref = store::units::unit_ref(w.tx, w.actor.unit_id)?;
        let unit = store::units::unit(w.tx, unit_ref.id)?;
        let sub = store::catalogue::sub_item(w.tx, sub_item_id)?;
        let source = store::checklists::get(w.tx, source_id)?;
        let uppers = store::units::ancestor_regions(w.tx, unit.region_id)?;
        let source_unit = store::units::unit(w.tx, source.unit_id)?;
        if source.sub_item_id != sub_item_id
            || !uppers.contains(&source_unit.region_id)
            || !matches!(
                source.state,
                ChecklistState::Complete | ChecklistState::Filed
            )
        {
            return Err(AppError::Invalid(format!(
                "{}的这份清单不能复用：只能复用上级同一事项已完整或已填报的清单",
                source_unit.full_name()
            )));
        }
        // 实施主体 and 行使层级 become the unit's own in the save.
        let fields = source.fields.clone();
        let src = Source {
            id: Some(source.id),
            version: Some(source.version),
        };
        save_in(
            w,
            unit_ref,
            &sub,
            &fields,
            expected_version,
            false,
            Some(src),
        )
    })
}

/// The source of a reused checklist as it is now, when it has changed
/// since it was copied (上级已更新).
pub fn upper_update(store: &Store, checklist: &Checklist) -> Result<Option<Checklist>, AppError> {
    let (Some(id), Some(copied)) = (checklist.source_id, checklist.source_version) else {
        return Ok(None);
    };
    let source = store::checklists::get(store.conn(), id)?;
    Ok((source.version > copied).then_some(source))
}

/// Takes the chosen fields from the source as it is now, and records that
/// the copy follows that version.
pub fn resync(
    store: &mut Store,
    actor: &Actor,
    sub_item_id: Id,
    fields: &[crate::domain::ChecklistField],
    expected_version: i64,
) -> Result<Saved, AppError> {
    write(store, actor, |w| {
        let unit = store::units::unit_ref(w.tx, w.actor.unit_id)?;
        let sub = store::catalogue::sub_item(w.tx, sub_item_id)?;
        let own = store::checklists::find(w.tx, sub_item_id, unit.id)?
            .ok_or_else(|| AppError::Invalid("本单位还没有这份检查实施清单".into()))?;
        let source_id = own
            .source_id
            .ok_or_else(|| AppError::Invalid("这份清单不是复用上级的，无从同步".into()))?;
        let source = store::checklists::get(w.tx, source_id)?;
        let mut merged = own.fields.clone();
        for f in fields {
            merged.take(*f, &source.fields);
        }
        let src = Source {
            id: Some(source.id),
            version: Some(source.version),
        };
        save_in(
            w,
            unit,
            &sub,
            &merged,
            Some(expected_version),
            false,
            Some(src),
        )
    })
}

/// What a bulk set did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BulkSet {
    pub changed: usize,
    pub unchanged: usize,
}

/// Sets one field to one value on the unit's checklists of these
/// sub-items (starting the ones not yet started), in one transaction and
/// through the same rules as a save: one refusal refuses all.
pub fn set_field_many(
    store: &mut Store,
    actor: &Actor,
    sub_item_ids: &[Id],
    field: crate::domain::ChecklistField,
    value: &str,
) -> Result<BulkSet, AppError> {
    if subject::is_fixed(field) {
        return Err(AppError::Invalid(format!(
            "{}由目录和本单位信息决定，不能批量修改",
            field.label()
        )));
    }
    write(store, actor, |w| {
        let unit = store::units::unit_ref(w.tx, w.actor.unit_id)?;
        let mut report = BulkSet::default();
        for &id in sub_item_ids {
            let sub = store::catalogue::sub_item(w.tx, id)?;
            let own = store::checklists::find(w.tx, id, unit.id)?;
            let mut fields = own.as_ref().map(|c| c.fields.clone()).unwrap_or_default();
            let before = fields.text_of(field);
            fields
                .set_text(field, value)
                .map_err(|e| AppError::Invalid(format!("{}：{e}", field.label())))?;
            if fields.text_of(field) == before {
                report.unchanged += 1;
                continue;
            }
            // One value for many checklists must pass the field's own rule:
            // an empty or wrong value would turn every filed one to 草稿.
            if let Some(e) = validate_checklist(&fields)
                .into_iter()
                .find(|e| e.field == field)
            {
                return Err(AppError::Invalid(format!(
                    "{}（{}）：{}：{}",
                    sub.name,
                    sub.code,
                    field.label(),
                    e.reason
                )));
            }
            let version = own.as_ref().map(|c| c.version);
            // Filed stays filed only if it still passes every rule.
            let submit = own
                .as_ref()
                .is_some_and(|c| c.state == ChecklistState::Filed)
                && validate_checklist(&fields).is_empty();
            save_in(w, unit, &sub, &fields, version, submit, None)?;
            report.changed += 1;
        }
        Ok(report)
    })
}
