//! Saving inspection checklists (检查实施清单), compare-and-swap.

use super::{Actor, AppError, Write, write};
use crate::domain::checklist::derived_state;
use crate::domain::permission::{UnitRef, WriteAction};
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
        save_in(w, unit, &sub, &req.fields, req.expected_version, req.submit)
    })
}

/// The save inside a caller's write: permission, rules, compare-and-swap,
/// change log. Shared by the form and by spreadsheet imports.
pub(crate) fn save_in(
    w: &Write<'_>,
    unit: UnitRef,
    sub: &SubItem,
    fields: &ChecklistFields,
    expected_version: Option<i64>,
    submit: bool,
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
    if store::claims::claim_of(w.tx, unit.id, sub.id)?.is_none() {
        return Err(AppError::Invalid(format!(
            "本单位尚未认领{}（{}），请先认领",
            sub.name, sub.code
        )));
    }
    let mut fields = fields.clone();
    // Items 1 and 2 are not the operator's to choose.
    fields.item_code = sub.code.clone();
    fields.level = Some(unit.level);
    let errors = validate_checklist(&fields);
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
                    source: Source::default(),
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
