//! Assembling what the spreadsheet exports print: the rows a reader may
//! see (涉密 items only for a platform_admin who asks for them).

use super::{Actor, AppError, views};
use crate::domain::{ChecklistFields, Id, Role, Unit};
use crate::store::checklists::Scope;
use crate::store::{self, Store};
use crate::xlsx::write::ChecklistRow;
use std::collections::HashMap;

/// Whether 涉密 items go into an export: only a platform_admin may ask.
pub fn classified_allowed(actor: Option<&Actor>, asked: bool) -> Result<bool, AppError> {
    if !asked {
        return Ok(false);
    }
    match actor {
        Some(a) if a.effective().role == Role::PlatformAdmin => Ok(true),
        _ => Err(AppError::Denied(crate::domain::permission::Denied(
            "只有平台管理员可以导出涉密事项".into(),
        ))),
    }
}

fn checklist_title(conn: &crate::store::Connection, scope: Scope) -> Result<String, AppError> {
    let name = match scope {
        Scope::Unit(id) => store::units::unit(conn, id)?.full_name(),
        Scope::Region(id) => store::units::list_regions(conn)?
            .into_iter()
            .find(|r| r.id == id)
            .map(|r| r.name)
            .unwrap_or_default(),
        Scope::All => "全部单位".into(),
    };
    Ok(format!("{name}监管事项—检查实施清单"))
}

/// Turns required checklists into annex-5 rows; unstarted ones come
/// prefilled with what the unit cannot choose (code, level, 实施主体).
struct RowMaker<'c> {
    conn: &'c crate::store::Connection,
    units: HashMap<Id, Unit>,
    include_classified: bool,
}

impl RowMaker<'_> {
    fn row(&mut self, req: store::checklists::Required) -> Result<Option<ChecklistRow>, AppError> {
        if req.classified && !self.include_classified {
            return Ok(None);
        }
        if !self.units.contains_key(&req.unit_id) {
            let u = store::units::unit(self.conn, req.unit_id)?;
            self.units.insert(req.unit_id, u);
        }
        let unit = &self.units[&req.unit_id];
        let (fields, version) = match req.checklist {
            Some(c) => (c.fields, c.version),
            None => (
                ChecklistFields {
                    item_code: req.sub_code,
                    level: Some(unit.region_level),
                    subject_name: unit.full_name(),
                    subject_code: unit.uscc.clone().unwrap_or_default(),
                    ..Default::default()
                },
                0,
            ),
        };
        Ok(Some(ChecklistRow {
            fields,
            version_tag: format!("{}:{}", req.unit_id, version),
        }))
    }
}

/// The checklist rows of a scope, and the title of the file. Holds every
/// row at once (tests and benchmarks compare with it); the export itself
/// streams them through `export_checklists`.
pub fn checklist_rows(
    store: &Store,
    scope: Scope,
    include_classified: bool,
) -> Result<(String, Vec<ChecklistRow>), AppError> {
    let conn = store.conn();
    let mut maker = RowMaker {
        conn,
        units: HashMap::new(),
        include_classified,
    };
    let mut rows = Vec::new();
    for req in store::checklists::required(conn, scope)? {
        rows.extend(maker.row(req)?);
    }
    Ok((checklist_title(conn, scope)?, rows))
}

/// Writes annex 5 for a scope. The rows are read on a second connection on
/// another thread (one consistent read) and written as they arrive, so
/// memory holds the channel's rows and one cached unit per unit seen, not
/// the export: a province's 684,000 rows peak at about 25 MB.
pub fn export_checklists(
    store: &Store,
    scope: Scope,
    include_classified: bool,
    out: impl std::io::Write + std::io::Seek + Send,
) -> Result<usize, AppError> {
    let title = checklist_title(store.conn(), scope)?;
    // Opened here, read on the other thread.
    let second = views::another_connection(store)?;
    let (send, receive) = std::sync::mpsc::sync_channel::<Result<ChecklistRow, AppError>>(2048);
    let reader = std::thread::spawn(move || {
        let read =
            || -> Result<(), AppError> {
                let s = second;
                let mut maker = RowMaker {
                    conn: s.conn(),
                    units: HashMap::new(),
                    include_classified,
                };
                let mut failed = None;
                store::checklists::for_each_required(s.conn(), scope, &mut |req| match maker
                    .row(req)
                {
                    Ok(Some(row)) => send.send(Ok(row)).is_ok(),
                    Ok(None) => true,
                    Err(e) => {
                        failed = Some(e);
                        false
                    }
                })?;
                failed.map_or(Ok(()), Err)
            };
        if let Err(e) = read() {
            let _ = send.send(Err(e));
        }
    });
    let mut failure = None;
    // The receiver goes with the rows: should the writer stop early, the
    // reader's next send fails and it ends, rather than wait forever on a
    // full channel for the join below.
    let rows = receive.into_iter().map_while(|r| match r {
        Ok(row) => Some(row),
        Err(e) => {
            failure = Some(e);
            None
        }
    });
    let written = crate::xlsx::write::write_checklists(out, &title, rows);
    let reader_ended = reader.join();
    if let Some(e) = failure {
        return Err(e);
    }
    if reader_ended.is_err() {
        // A panic on the reading thread closed the channel early: the file
        // would silently lack the rest of the rows.
        return Err(AppError::Invalid(
            "读取检查实施清单时程序内部出错，导出未完成；请重试，或把这一情况报告平台管理员".into(),
        ));
    }
    written.map_err(|e| AppError::Invalid(e.to_string()))
}

/// Which catalogue annex 4 prints.
#[derive(Debug, Clone)]
pub enum CatalogueScope {
    /// The sub-items a unit claims.
    Unit(Id),
    /// Local items (地方监管事项): one unit's (its 5/18 report), or the
    /// city's; in the given review states (none given: the unit's all,
    /// the city's from 待审核 on).
    Local {
        unit: Option<Id>,
        states: Vec<crate::domain::ReviewState>,
    },
}

/// The states a city-wide annex 4 shows unless asked: what has been
/// reported (drafts and returned items are still the units' own work).
pub const REPORTED_STATES: &[crate::domain::ReviewState] = &[
    crate::domain::ReviewState::Submitted,
    crate::domain::ReviewState::Approved,
    crate::domain::ReviewState::Entered,
];

/// Annex 4's content: title, the 填报单位/电话 line, rows.
pub struct CatalogueDoc {
    pub title: String,
    pub filler: String,
    pub phone: String,
    pub rows: Vec<crate::xlsx::write::CatalogueRow>,
}

fn catalogue_row(
    main: &crate::domain::MainItem,
    sub: &crate::domain::SubItem,
) -> crate::xlsx::write::CatalogueRow {
    let permit = match (main.permit_name.as_str(), main.permit_type) {
        ("", _) => String::new(),
        (name, Some(t)) => format!("{name}（{}）", t.label()),
        (name, None) => name.to_string(),
    };
    crate::xlsx::write::CatalogueRow {
        department: main.department.clone(),
        main_name: main.name.clone(),
        permit,
        sub_name: sub.name.clone(),
        target: sub.target.clone(),
        measures: sub.measures.clone(),
        basis: sub.basis_text.clone(),
        process: sub.process.clone(),
        result: sub.result.clone(),
        levels: sub
            .levels
            .iter()
            .map(|l| l.label())
            .collect::<Vec<_>>()
            .join("、"),
        local: None,
    }
}

/// The phone of a unit's liaison, else of the person exporting.
fn contact_phone(store: &Store, unit_id: Id, actor: Option<&Actor>) -> Result<String, AppError> {
    let accounts = store::accounts::list(store.conn())?;
    Ok(accounts
        .iter()
        .find(|a| a.unit_id == unit_id && a.is_liaison && a.active)
        .map(|a| a.mobile.clone())
        .or_else(|| actor.map(|a| a.effective().mobile.clone()))
        .unwrap_or_default())
}

pub fn catalogue_rows(
    store: &Store,
    actor: Option<&Actor>,
    scope: CatalogueScope,
    include_classified: bool,
) -> Result<CatalogueDoc, AppError> {
    let conn = store.conn();
    let mut mains: HashMap<Id, crate::domain::MainItem> = HashMap::new();
    let mut pairs = Vec::new();
    // A local item's review state, by sub-item: the 状态 column.
    let mut item_states: HashMap<Id, crate::domain::ReviewState> = HashMap::new();
    let (title, filler_unit) = match scope {
        CatalogueScope::Unit(unit_id) => {
            let unit = store::units::unit(conn, unit_id)?;
            for claim in store::claims::claims_of_unit(conn, unit_id)? {
                pairs.push(store::catalogue::sub_item(conn, claim.sub_item_id)?);
            }
            (format!("{}监管事项清单", unit.full_name()), unit)
        }
        CatalogueScope::Local { unit, states } => {
            let states: &[crate::domain::ReviewState] = match (&unit, states.is_empty()) {
                (_, false) => &states,
                (Some(_), true) => crate::domain::ReviewState::ALL,
                (None, true) => REPORTED_STATES,
            };
            let hidden = super::views::hidden_local(store, actor)?;
            for item in store::local_items::list(conn, None)? {
                if unit.is_some_and(|u| u != item.unit_id) || !states.contains(&item.state) {
                    continue;
                }
                for sub in store::catalogue::sub_items_of(conn, item.main_item_id)? {
                    if !hidden.contains(&sub.id) {
                        item_states.insert(sub.id, item.state);
                        pairs.push(sub);
                    }
                }
            }
            match unit {
                Some(unit_id) => {
                    let unit = store::units::unit(conn, unit_id)?;
                    (format!("{}市级监管事项目录清单", unit.full_name()), unit)
                }
                None => {
                    let unit = match actor {
                        Some(a) => store::units::unit(conn, a.effective().unit_id)?,
                        None => {
                            return Err(AppError::Invalid(
                                "导出地方监管事项需要账号（填报单位取自账号）".into(),
                            ));
                        }
                    };
                    let city = store::units::list_regions(conn)?
                        .into_iter()
                        .find(|r| r.level == crate::domain::Level::City)
                        .map(|r| r.name)
                        .unwrap_or_default();
                    (format!("{city}市级监管事项目录清单"), unit)
                }
            }
        }
    };
    let mut rows = Vec::new();
    pairs.sort_by(|a, b| a.code.cmp(&b.code));
    for sub in pairs {
        if sub.classified && !include_classified {
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(e) = mains.entry(sub.main_item_id) {
            e.insert(store::catalogue::main_item(conn, sub.main_item_id)?);
        }
        let main = &mains[&sub.main_item_id];
        let mut row = catalogue_row(main, &sub);
        row.local = item_states
            .get(&sub.id)
            .map(|s| (main.code.clone(), sub.code.clone(), s.label().to_string()));
        rows.push(row);
    }
    rows.sort_by(|a, b| a.department.cmp(&b.department));
    Ok(CatalogueDoc {
        title,
        phone: contact_phone(store, filler_unit.id, actor)?,
        filler: filler_unit.full_name(),
        rows,
    })
}

/// Annex 2's two tables: city units' people, and counties' people.
pub fn account_rows(
    store: &Store,
) -> Result<
    (
        Vec<crate::xlsx::write::AccountRow>,
        Vec<crate::xlsx::write::AccountRow>,
    ),
    AppError,
> {
    let conn = store.conn();
    let mut city = Vec::new();
    let mut county = Vec::new();
    for a in store::accounts::list(conn)?
        .into_iter()
        .filter(|a| a.active)
    {
        let unit = store::units::unit(conn, a.unit_id)?;
        if unit.region_level == crate::domain::Level::County {
            county.push(crate::xlsx::write::AccountRow {
                place: unit.region_name.clone(),
                post: format!("{} {}", unit.name, a.office_post)
                    .trim()
                    .to_string(),
                name: a.name,
                mobile: a.mobile,
            });
        } else {
            city.push(crate::xlsx::write::AccountRow {
                place: unit.name.clone(),
                post: a.office_post,
                name: a.name,
                mobile: a.mobile,
            });
        }
    }
    Ok((city, county))
}
