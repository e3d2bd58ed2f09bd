//! Units (单位): created and changed by the platform admin, or by a county
//! admin within its own county (SPEC §2). A unit's name and 统一社会信用代码
//! are the 实施主体 of its checklists, so when they change the checklists
//! follow, in the same transaction.

use super::{Actor, AppError, Write, write};
use crate::domain::checklist::derived_state;
use crate::domain::permission::{UnitRef, WriteAction};
use crate::domain::text::{self, rules};
use crate::domain::{ChecklistState, Id, Level, Unit, UnitCategory, Uscc, validate_checklist};
use crate::store::units::{NewUnit, UnitChange};
use crate::store::{self, Store};
use serde::Serialize;

/// A unit to create.
#[derive(Debug, Clone)]
pub struct UnitInput {
    pub name: String,
    pub category: UnitCategory,
    /// Region code or name.
    pub region: String,
    pub uscc: Option<String>,
    /// 对口上级部门 (系统一条线).
    pub counterparts: Vec<String>,
}

/// What to change on a unit; None leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct UnitUpdate {
    pub name: Option<String>,
    pub category: Option<UnitCategory>,
    pub uscc: Option<String>,
    pub counterparts: Option<Vec<String>>,
}

/// The unit after an update, and what followed it.
#[derive(Debug, Clone, Serialize)]
pub struct UnitUpdated {
    pub unit: Unit,
    /// False when every part already was as asked.
    pub changed: bool,
    /// Checklists whose 实施主体 now carries the new name or code.
    pub checklists_followed: usize,
}

pub fn create_unit(store: &mut Store, actor: &Actor, input: &UnitInput) -> Result<Unit, AppError> {
    write(store, actor, |w| create_in(w, input))
}

/// The name without any space (Chinese unit names have none, and a space
/// typed by mistake must not make a second unit), if it is one a unit may
/// carry: no control, bidi or invisible character (two names differing
/// only by what draws nothing would look the same everywhere), within the
/// table's limit.
pub(crate) fn checked_name(name: &str) -> Result<String, String> {
    // Spaces go; a tab or a line break is refused like any control
    // character, naming the field, not dropped silently.
    let name: String = name
        .chars()
        .filter(|c| !c.is_whitespace() || c.is_control())
        .collect();
    if name.is_empty() {
        return Err("单位名称不能为空".into());
    }
    rules::UNIT_NAME.check(&name).map_err(|e| e.to_string())?;
    Ok(name)
}

/// Refuses a name that would make a unit unreachable by name: every unit
/// must be found alone by its full name (区划 + 名称), and no unit's bare
/// name may be another unit's full name.
fn name_free(
    w: &Write<'_>,
    name: &str,
    region: &crate::domain::Region,
    except: Option<Id>,
) -> Result<(), AppError> {
    let probe = Unit {
        id: 0,
        name: name.to_string(),
        category: UnitCategory::Other,
        region_id: region.id,
        region_name: region.name.clone(),
        region_level: region.level,
        uscc: None,
        counterparts: vec![],
        version: 0,
    };
    let full = probe.full_name();
    for other in store::units::list_units(w.tx)? {
        if Some(other.id) == except {
            continue;
        }
        let other_full = other.full_name();
        let same_region_name = other.region_id == region.id && other.name == name;
        if same_region_name || other_full == full || other.name == full || name == other_full {
            return Err(AppError::Invalid(format!(
                "单位名称“{name}”与已有单位“{other_full}”（{}）重名或混淆，请用能区分的名称",
                other.region_name
            )));
        }
    }
    Ok(())
}

/// A 统一社会信用代码 as stored (upper case, checked), or why not.
pub(crate) fn checked_uscc(code: &str) -> Result<String, String> {
    rules::USCC
        .check(&text::code(code))
        .map_err(|e| e.to_string())?;
    Uscc::parse(code.trim())
        .map(|u| u.to_string())
        .map_err(|e| e.to_string())
}

/// Counterparts trimmed, blanks dropped, each once, in the given order;
/// or why one cannot be stored.
pub(crate) fn checked_counterparts(list: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for c in list.iter().flat_map(|c| c.split(['、', ',', '，', '\n'])) {
        let c = rules::COUNTERPART.clean(c).map_err(|e| e.to_string())?;
        if !c.is_empty() && !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

/// Refuses a code that another unit already carries.
fn code_free(w: &Write<'_>, code: &str, except: Option<Id>) -> Result<(), AppError> {
    match store::units::by_uscc(w.tx, code)? {
        Some(other) if Some(other.id) != except => Err(AppError::Invalid(format!(
            "统一社会信用代码 {code} 已是“{}”的代码",
            other.full_name()
        ))),
        _ => Ok(()),
    }
}

/// Creates a unit inside a caller's write (the CLI and `import units`).
pub(crate) fn create_in(w: &Write<'_>, input: &UnitInput) -> Result<Unit, AppError> {
    let region_text = rules::REGION
        .clean(&text::half_width(&input.region))
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let region = store::units::find_region(w.tx, &region_text)?
        .ok_or_else(|| AppError::Invalid(format!("没有区划“{region_text}”")))?;
    w.authorize(WriteAction::CreateUnit {
        unit: UnitRef {
            id: 0,
            region_id: region.id,
            level: region.level,
        },
    })?;
    if !matches!(region.level, Level::City | Level::County) {
        return Err(AppError::Invalid(format!(
            "单位只能建在市或县（市、区），“{}”是{}区划",
            region.name,
            region.level.label()
        )));
    }
    let name = checked_name(&input.name).map_err(AppError::Invalid)?;
    let uscc = match input.uscc.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => Some(checked_uscc(code).map_err(AppError::Invalid)?),
        _ => None,
    };
    if let Some(code) = &uscc {
        code_free(w, code, None)?;
    }
    name_free(w, &name, &region, None)?;
    let id = store::units::insert_unit(
        w.tx,
        &NewUnit {
            name: &name,
            category: input.category,
            region_id: region.id,
            uscc: uscc.as_deref(),
            counterparts: &checked_counterparts(&input.counterparts).map_err(AppError::Invalid)?,
        },
    )?;
    let unit = store::units::unit(w.tx, id)?;
    w.log("create_unit", "unit", id, None::<&()>, Some(&unit))?;
    Ok(unit)
}

pub fn update_unit(
    store: &mut Store,
    actor: &Actor,
    unit_id: Id,
    update: &UnitUpdate,
) -> Result<UnitUpdated, AppError> {
    write(store, actor, |w| update_in(w, unit_id, update))
}

/// Changes a unit inside a caller's write; its checklists' 实施主体 follow
/// a new name or code (each logged).
pub(crate) fn update_in(
    w: &Write<'_>,
    unit_id: Id,
    update: &UnitUpdate,
) -> Result<UnitUpdated, AppError> {
    let before = store::units::unit(w.tx, unit_id)?;
    w.authorize(WriteAction::EditUnit {
        unit: UnitRef {
            id: before.id,
            region_id: before.region_id,
            level: before.region_level,
        },
    })?;
    let name = match &update.name {
        Some(n) => checked_name(n).map_err(AppError::Invalid)?,
        None => before.name.clone(),
    };
    if name != before.name {
        let region = store::units::list_regions(w.tx)?
            .into_iter()
            .find(|r| r.id == before.region_id)
            .ok_or_else(|| AppError::Invalid(format!("没有区划“{}”", before.region_name)))?;
        name_free(w, &name, &region, Some(before.id))?;
    }
    let uscc = match &update.uscc {
        Some(code) => {
            let code = checked_uscc(code).map_err(AppError::Invalid)?;
            code_free(w, &code, Some(before.id))?;
            Some(code)
        }
        None => before.uscc.clone(),
    };
    let counterparts = match &update.counterparts {
        Some(list) => checked_counterparts(list).map_err(AppError::Invalid)?,
        None => before.counterparts.clone(),
    };
    let category = update.category.unwrap_or(before.category);
    if name == before.name
        && uscc == before.uscc
        && counterparts == before.counterparts
        && category == before.category
    {
        return Ok(UnitUpdated {
            unit: before,
            changed: false,
            checklists_followed: 0,
        });
    }
    let after = store::units::update_unit(
        w.tx,
        before.id,
        &UnitChange {
            name: &name,
            category,
            uscc: uscc.as_deref(),
            counterparts: &counterparts,
        },
        before.version,
    )?;
    w.log("update_unit", "unit", after.id, Some(&before), Some(&after))?;
    let followed = follow_unit(w, &after)?;
    Ok(UnitUpdated {
        unit: after,
        changed: true,
        checklists_followed: followed,
    })
}

/// Puts the unit's name and code into each of its checklists' 实施主体; a
/// draft that lacked only the code becomes 完整, a filed one stays filed
/// (its content did not change in substance). Versions stay: nothing an
/// operator wrote changed, so open forms and exported files stay current.
/// Returns how many changed.
fn follow_unit(w: &Write<'_>, unit: &Unit) -> Result<usize, AppError> {
    let name = unit.full_name();
    let code = unit.uscc.clone().unwrap_or_default();
    let mut changed = 0;
    for before in store::checklists::list_for_unit(w.tx, unit.id)? {
        if before.fields.subject_name == name && before.fields.subject_code == code {
            continue;
        }
        let mut fields = before.fields.clone();
        fields.subject_name = name.clone();
        fields.subject_code = code.clone();
        let state = match before.state {
            ChecklistState::Filed if validate_checklist(&fields).is_empty() => {
                ChecklistState::Filed
            }
            _ => derived_state(&fields),
        };
        let after = store::checklists::set_subject(
            w.tx,
            before.id,
            &fields.subject_name,
            &fields.subject_code,
            state,
        )?;
        w.log(
            "follow_unit",
            "checklist",
            after.id,
            Some(&before),
            Some(&after),
        )?;
        changed += 1;
    }
    Ok(changed)
}
