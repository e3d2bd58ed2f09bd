//! Read-only views shared by the TUI and the CLI. Reads need no
//! transaction of their own: each is one or a few statements.

use super::{Actor, AppError};
use crate::domain::{
    Checklist, ChecklistState, Id, LegalBasis, MainItem, Role, SubItem, Timestamp,
};
pub use crate::store::catalogue::TreeRow;
use crate::store::{self, Store};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What the catalogue tree shows for the current account.
pub struct TreeData {
    pub rows: Vec<TreeRow>,
    pub marks: Marks,
    /// 涉密 items not claimed by the unit are shown only to a platform_admin.
    pub show_classified: bool,
}

/// The current unit's marks on sub-items. Few rows: cheap to read again
/// after a commit.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// Claimed sub-items → exercised.
    pub claims: HashMap<Id, bool>,
    pub checklists: HashMap<Id, ChecklistState>,
    /// Other units of the same region claiming a sub-item (共同实施).
    pub others: HashMap<Id, Vec<Arc<str>>>,
}

pub fn marks(store: &Store, actor: Option<&Actor>) -> Result<Marks, AppError> {
    let Some(a) = actor else {
        return Ok(Default::default());
    };
    let conn = store.conn();
    let unit = a.effective().unit_id;
    let claims = store::claims::claims_of_unit(conn, unit)?
        .into_iter()
        .map(|c| (c.sub_item_id, c.exercised))
        .collect();
    // One shared string per unit name, however many items it claims.
    let mut names: HashMap<String, Arc<str>> = HashMap::new();
    let mut others: HashMap<Id, Vec<Arc<str>>> = HashMap::new();
    for (sub, name) in store::claims::co_claimers(conn, unit)? {
        let name = names
            .entry(name)
            .or_insert_with_key(|n| Arc::from(n.as_str()))
            .clone();
        others.entry(sub).or_default().push(name);
    }
    Ok(Marks {
        claims,
        checklists: store::checklists::states_of_unit(conn, unit)?,
        others,
    })
}

/// Where the unit stands with 认领完成, for the title line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimingState {
    /// The unit's full name (郑州市城市管理局).
    pub unit: String,
    pub finished_at: Option<Timestamp>,
    /// The unit's claiming deadline (市直 or 县区 milestone).
    pub due_at: Option<Timestamp>,
}

pub fn claiming_state(store: &Store, unit_id: Id) -> Result<ClaimingState, AppError> {
    let conn = store.conn();
    let unit = store::units::unit(conn, unit_id)?;
    let due_at = store::milestones::list(conn)?
        .into_iter()
        .find(|m| m.key.starts_with("claims") && m.audience.covers(unit.region_level))
        .map(|m| m.due_at);
    Ok(ClaimingState {
        unit: unit.full_name(),
        finished_at: store::claims::finished_at(conn, unit_id)?,
        due_at,
    })
}

/// Departments and their sub-item counts: the top of the tree.
pub fn departments(store: &Store) -> Result<Vec<(String, i64)>, AppError> {
    Ok(store::catalogue::department_counts(store.conn())?)
}

/// `init --demo` made this database (the TUI's title says 演示数据).
pub fn is_demo(store: &Store) -> Result<bool, AppError> {
    Ok(store::units::is_demo(store.conn())?)
}

/// Changes whenever the catalogue does.
pub fn catalogue_stamp(store: &Store) -> Result<(i64, i64, i64), AppError> {
    Ok(store::catalogue::catalogue_stamp(store.conn())?)
}

/// Another connection to the same file, for reading on another thread.
pub fn another_connection(store: &Store) -> Result<Store, AppError> {
    Ok(store::open(
        store.path(),
        &store::OpenOptions {
            create: false,
            allow_network_fs: store.network_filesystem().is_some(),
        },
    )?)
}

/// Sub-items of local items not yet 审核通过 that the viewer may not see.
pub(crate) fn hidden_local(store: &Store, actor: Option<&Actor>) -> Result<HashSet<Id>, AppError> {
    Ok(store::local_items::unreleased_sub_items(store.conn())?
        .into_iter()
        .filter(|u| !sees_unreleased(actor, u.owner_unit_id))
        .map(|u| u.sub_item_id)
        .collect())
}

/// 涉密 sub-items the viewer may not see (`permission::sees_classified`):
/// every one without an account, none for a platform_admin, else those
/// the viewer's unit does not claim.
pub(crate) fn hidden_classified(
    store: &Store,
    actor: Option<&Actor>,
) -> Result<HashSet<Id>, AppError> {
    let conn = store.conn();
    let classified = store::catalogue::classified_sub_items(conn)?;
    let Some(viewer) = actor.map(Actor::effective) else {
        return Ok(classified.into_iter().collect());
    };
    if classified.is_empty() || crate::domain::permission::sees_classified(viewer.role, false) {
        return Ok(HashSet::new());
    }
    let claimed: HashSet<Id> = store::claims::claims_of_unit(conn, viewer.unit_id)?
        .into_iter()
        .map(|c| c.sub_item_id)
        .collect();
    Ok(classified
        .into_iter()
        .filter(|id| !crate::domain::permission::sees_classified(viewer.role, claimed.contains(id)))
        .collect())
}

pub fn tree(store: &Store, actor: Option<&Actor>) -> Result<TreeData, AppError> {
    let hidden = hidden_local(store, actor)?;
    let mut rows = store::catalogue::tree_rows(store.conn())?;
    if !hidden.is_empty() {
        rows.retain(|r| !hidden.contains(&r.sub_id));
    }
    let show_classified = actor.is_some_and(|a| a.effective().role == Role::PlatformAdmin);
    Ok(TreeData {
        rows,
        marks: marks(store, actor)?,
        show_classified,
    })
}

/// Everything the item pane shows about a sub-item.
#[derive(Debug, Clone)]
pub struct ItemDetails {
    pub sub: SubItem,
    pub main: MainItem,
    pub bases: Vec<LegalBasis>,
    /// Units that claim it (共同实施), with whether they exercise it.
    pub claimers: Vec<(String, bool)>,
}

pub fn item(store: &Store, sub_id: Id) -> Result<ItemDetails, AppError> {
    let conn = store.conn();
    let sub = store::catalogue::sub_item(conn, sub_id)?;
    let main = store::catalogue::main_item(conn, sub.main_item_id)?;
    let bases = store::catalogue::bases_of_sub_item(conn, sub_id)?;
    let mut claimers = Vec::new();
    for (unit, exercised) in store::claims::claimers(conn, sub_id)? {
        claimers.push((store::units::unit(conn, unit)?.full_name(), exercised));
    }
    Ok(ItemDetails {
        sub,
        main,
        bases,
        claimers,
    })
}

pub fn checklist(store: &Store, unit_id: Id, sub_id: Id) -> Result<Option<Checklist>, AppError> {
    Ok(store::checklists::find(store.conn(), sub_id, unit_id)?)
}

/// What search looks through: departments, main items, sub-items (涉密
/// ones only for those who may see them), local items (those not yet
/// approved only for those who may see them) and legal bases.
pub fn search_entries(
    store: &Store,
    actor: Option<&Actor>,
) -> Result<Vec<crate::search::engine::Entry>, AppError> {
    let mut entries = Vec::new();
    each_search_entry(store, actor, &mut |e| entries.push(e))?;
    Ok(entries)
}

/// The search index of what the viewer may find (`search_entries`),
/// built as the rows are read: a province's entries are never all held as
/// values at once.
pub fn search_index(
    store: &Store,
    actor: Option<&Actor>,
) -> Result<crate::search::engine::Index, AppError> {
    let (subs, mains, bytes) = store::catalogue::item_counts(store.conn())?;
    let mut index = crate::search::engine::Index::with_capacity(subs + mains + 1024, bytes);
    each_search_entry(store, actor, &mut |e| index.push(e))?;
    Ok(index.finish())
}

/// Every entry of `search_entries`, one at a time.
fn each_search_entry(
    store: &Store,
    actor: Option<&Actor>,
    each: &mut dyn FnMut(crate::search::engine::Entry),
) -> Result<(), AppError> {
    use crate::search::engine::{Entry, Kind};
    use std::sync::Arc;
    let conn = store.conn();
    let (claimed, see_all): (HashSet<Id>, bool) = match actor {
        Some(a) => (
            store::claims::claims_of_unit(conn, a.effective().unit_id)?
                .into_iter()
                .map(|c| c.sub_item_id)
                .collect(),
            a.effective().role == Role::PlatformAdmin,
        ),
        None => (Default::default(), false),
    };
    let hidden = hidden_local(store, actor)?;
    let local: HashMap<Id, crate::domain::LocalItem> = store::local_items::list(conn, None)?
        .into_iter()
        .map(|l| (l.main_item_id, l))
        .collect();
    // Departments repeat on every row: one shared copy each.
    let mut departments: HashMap<String, Arc<str>> = HashMap::new();
    let mut shared = |d: String| {
        departments
            .entry(d)
            .or_insert_with_key(|d| Arc::from(d.as_str()))
            .clone()
    };
    // Main items with a sub-item the viewer sees, and those with none.
    let mut shown_mains: HashSet<Id> = HashSet::new();
    let mut with_subs: HashSet<Id> = HashSet::new();
    store::catalogue::search_rows(conn, &mut |r| {
        with_subs.insert(r.main_item_id);
        if (r.classified && !see_all && !claimed.contains(&r.id)) || hidden.contains(&r.id) {
            return;
        }
        shown_mains.insert(r.main_item_id);
        each(Entry {
            kind: Kind::Item,
            id: r.id,
            code: r.code,
            alt_code: r.provisional_code,
            text: r.name,
            detail: shared(r.department),
        });
    })?;
    // Entries of every kind in one list: the kind ranks them, not the
    // place (`Index::rank`).
    let mut per_department: Vec<(Arc<str>, usize)> = Vec::new();
    store::catalogue::search_main_rows(conn, &mut |r, is_local| {
        let item = local.get(&r.id);
        let visible = match item {
            Some(l) => sees_local(actor, l),
            None => shown_mains.contains(&r.id) || !with_subs.contains(&r.id),
        };
        if !visible {
            return;
        }
        let department = shared(r.department);
        match per_department.iter_mut().find(|(d, _)| *d == department) {
            Some((_, n)) => *n += 1,
            None => per_department.push((department.clone(), 1)),
        }
        let (kind, detail) = match item.filter(|_| is_local) {
            Some(l) => (
                Kind::LocalItem,
                Arc::from(format!("{}，{}", department, l.state.label())),
            ),
            None => (Kind::MainItem, department),
        };
        each(Entry {
            kind,
            id: r.id,
            code: r.code,
            alt_code: r.provisional_code,
            text: r.name,
            detail,
        });
    })?;
    per_department.sort_by_cached_key(|(d, _)| crate::search::pinyin::sort_key(d));
    for (i, (d, n)) in per_department.into_iter().enumerate() {
        each(Entry {
            kind: Kind::Department,
            id: i as Id,
            code: String::new(),
            alt_code: String::new(),
            text: d.to_string(),
            detail: Arc::from(format!("{n} 个主项")),
        });
    }
    // A local basis cited only by what the viewer may not see (another
    // unit's draft) would tell of it by its title.
    let classified = hidden_classified(store, actor)?;
    let mut seen_citer: HashMap<Id, bool> = HashMap::new();
    for (basis, sub) in store::catalogue::local_basis_citers(conn)? {
        let visible = !hidden.contains(&sub) && !classified.contains(&sub);
        *seen_citer.entry(basis).or_default() |= visible;
    }
    for b in store::catalogue::all_bases(conn)? {
        if seen_citer.get(&b.id) == Some(&false) {
            continue;
        }
        each(Entry {
            kind: Kind::Basis,
            id: b.id,
            code: String::new(),
            alt_code: String::new(),
            text: b.citation(),
            detail: format!("{}，{}", b.kind.label(), b.status.label()).into(),
        });
    }
    Ok(())
}

/// A legal basis and the sub-items that cite it.
pub fn basis(
    store: &Store,
    actor: Option<&Actor>,
    basis_id: Id,
) -> Result<(LegalBasis, Vec<SubItem>), AppError> {
    let conn = store.conn();
    let hidden = hidden_local(store, actor)?;
    let classified = hidden_classified(store, actor)?;
    let mut items = store::catalogue::sub_items_citing(conn, basis_id)?;
    items.retain(|s| !hidden.contains(&s.id) && !classified.contains(&s.id));
    Ok((store::catalogue::basis(conn, basis_id)?, items))
}

/// The checklists a unit must fill: its claimed 行政检查 sub-items, by code,
/// with the checklist where one is started.
pub fn required_checklists(
    store: &Store,
    unit_id: Id,
) -> Result<Vec<store::checklists::Required>, AppError> {
    Ok(store::checklists::required(
        store.conn(),
        store::checklists::Scope::Unit(unit_id),
    )?)
}

/// A unit's full name (郑州市市场监督管理局) and level (行使层级).
/// One unit, as stored.
pub fn unit(store: &Store, unit_id: Id) -> Result<crate::domain::Unit, AppError> {
    Ok(store::units::unit(store.conn(), unit_id)?)
}

pub fn unit_label(store: &Store, unit_id: Id) -> Result<(String, crate::domain::Level), AppError> {
    let u = store::units::unit(store.conn(), unit_id)?;
    Ok((u.full_name(), u.region_level))
}

/// A local item in a list or the review queue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LocalRow {
    pub main_item_id: Id,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub state: crate::domain::ReviewState,
    pub version: i64,
    /// When it reached its state (for 待审核: when it was submitted).
    pub since: crate::domain::Timestamp,
    pub return_reason: Option<String>,
    pub official_code: Option<String>,
    pub sub_items: usize,
    /// A basis of one of its sub-items is 已废止 (依据已废止).
    pub basis_repealed: bool,
}

/// Whether the viewer may see a local item: once 审核通过 everyone may;
/// before, its own unit, the reviewer, coordinators and the platform admin.
fn sees_local(actor: Option<&Actor>, item: &crate::domain::LocalItem) -> bool {
    use crate::domain::ReviewState::{Approved, Entered};
    matches!(item.state, Approved | Entered) || sees_unreleased(actor, item.unit_id)
}

/// Whether the viewer sees a unit's local items before they are approved.
fn sees_unreleased(actor: Option<&Actor>, owner_unit: Id) -> bool {
    actor
        .map(Actor::effective)
        .is_some_and(|v| crate::domain::permission::sees_unreleased(v.role, v.unit_id, owner_unit))
}

/// Local items the viewer may see, oldest change first; of one unit, or all.
pub fn local_items(
    store: &Store,
    actor: Option<&Actor>,
    unit_id: Option<Id>,
    state: Option<crate::domain::ReviewState>,
) -> Result<Vec<LocalRow>, AppError> {
    let conn = store.conn();
    let names: HashMap<Id, String> = store::units::list_units(conn)?
        .into_iter()
        .map(|u| (u.id, u.full_name()))
        .collect();
    let mut out = Vec::new();
    for item in store::local_items::list(conn, state)? {
        if unit_id.is_some_and(|u| u != item.unit_id) || !sees_local(actor, &item) {
            continue;
        }
        let unit = names.get(&item.unit_id).cloned().unwrap_or_default();
        out.push(local_row(conn, item, unit)?);
    }
    Ok(out)
}

fn local_row(
    conn: &crate::store::Connection,
    item: crate::domain::LocalItem,
    unit: String,
) -> Result<LocalRow, AppError> {
    let main = store::catalogue::main_item(conn, item.main_item_id)?;
    let subs = store::catalogue::sub_items_of(conn, item.main_item_id)?;
    let mut basis_repealed = false;
    for s in &subs {
        basis_repealed |= store::catalogue::bases_of_sub_item(conn, s.id)?
            .iter()
            .any(|b| b.status == crate::domain::BasisStatus::Repealed);
    }
    Ok(LocalRow {
        main_item_id: item.main_item_id,
        code: main.code,
        name: main.name,
        unit,
        state: item.state,
        version: item.version,
        since: item.updated_at,
        return_reason: item.return_reason,
        official_code: item.official_code,
        sub_items: subs.len(),
        basis_repealed,
    })
}

/// One step of a local item's history, with who took it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LocalStep {
    pub at: crate::domain::Timestamp,
    pub who: String,
    pub from: Option<crate::domain::ReviewState>,
    pub to: crate::domain::ReviewState,
    pub reason: Option<String>,
    pub item_version: i64,
}

impl LocalStep {
    /// “2019-05-16 10:00  待审核 -> 退回修改（第 3 版）郑州市司法局 王芳：理由”
    pub fn describe(&self) -> String {
        format!(
            "{}  {} -> {}（第 {} 版）{}{}",
            crate::domain::format_time(self.at),
            self.from.map_or("新建", |s| s.label()),
            self.to.label(),
            self.item_version,
            self.who,
            self.reason
                .as_deref()
                .map(|r| format!("：{r}"))
                .unwrap_or_default()
        )
    }
}

/// Everything the review shows of a local item: the main item, its
/// sub-items with their bases (and each basis's status), the power-list
/// entry, the rule problems, and the history of states and reasons.
#[derive(Debug, Clone)]
pub struct LocalDetail {
    pub row: LocalRow,
    pub main: MainItem,
    pub subs: Vec<(SubItem, Vec<LegalBasis>)>,
    pub power_entry: Option<crate::domain::PowerListEntry>,
    pub problems: Vec<String>,
    pub history: Vec<LocalStep>,
}

/// One local item the viewer may see (one it may not is not found).
pub fn local_item(
    store: &Store,
    actor: Option<&Actor>,
    main_item_id: Id,
) -> Result<LocalDetail, AppError> {
    let conn = store.conn();
    let item = store::local_items::get(conn, main_item_id)?;
    if !sees_local(actor, &item) {
        return Err(AppError::Store(store::StoreError::NotFound(
            "这个地方监管事项（尚未审核通过的只有编制单位、审核员和协调员可见）".into(),
        )));
    }
    let unit = store::units::unit(conn, item.unit_id)?.full_name();
    let power_entry_id = item.power_entry_id;
    let row = local_row(conn, item, unit)?;
    let mut subs = Vec::new();
    for s in store::catalogue::sub_items_of(conn, main_item_id)? {
        let bases = store::catalogue::bases_of_sub_item(conn, s.id)?;
        subs.push((s, bases));
    }
    let power_entry = match power_entry_id {
        Some(id) => Some(store::catalogue::power_entry(conn, id)?),
        None => None,
    };
    let mut history = Vec::new();
    for h in store::local_items::history(conn, main_item_id)? {
        history.push(LocalStep {
            at: h.at,
            who: store::accounts::describe(conn, h.account_id)?,
            from: h.from,
            to: h.to,
            reason: h.reason,
            item_version: h.item_version,
        });
    }
    Ok(LocalDetail {
        row,
        main: store::catalogue::main_item(conn, main_item_id)?,
        subs,
        power_entry,
        problems: crate::app::local_items::problems(conn, main_item_id)?,
        history,
    })
}

/// What the local-item editor picks from: every legal basis, and the
/// unit's power-list entries.
pub fn local_item_choices(
    store: &Store,
    unit_id: Id,
) -> Result<(Vec<LegalBasis>, Vec<crate::domain::PowerListEntry>), AppError> {
    let conn = store.conn();
    Ok((
        store::catalogue::all_bases(conn)?,
        store::catalogue::power_entries_of_unit(conn, unit_id)?,
    ))
}

/// The local-item side of a main item, if it is one.
pub fn local_item_state(
    store: &Store,
    main_item_id: Id,
) -> Result<Option<crate::domain::LocalItem>, AppError> {
    Ok(store::local_items::find(store.conn(), main_item_id)?)
}

pub fn milestones(store: &Store) -> Result<Vec<crate::domain::Milestone>, AppError> {
    Ok(store::milestones::list(store.conn())?)
}

/// One account as the 单位与账号 overview lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitAccount {
    pub login: String,
    /// 姓名
    pub name: String,
    pub role: Role,
    /// 联络人
    pub is_liaison: bool,
    pub active: bool,
    pub mobile: String,
}

/// A unit in the 单位与账号 overview: its code, whether someone can work
/// for it (an admin) and be reached for it (a liaison), and its accounts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitOverview {
    pub unit_id: Id,
    /// The full name (郑州市市场监督管理局).
    pub name: String,
    /// 区划
    pub region: String,
    pub category: crate::domain::UnitCategory,
    /// 统一社会信用代码, None while not set.
    pub uscc: Option<String>,
    /// An active account that works for the unit (see `counts_as_admin`).
    pub has_admin: bool,
    /// An active 联络人.
    pub has_liaison: bool,
    /// 对口上级部门 (系统一条线).
    pub counterparts: Vec<String>,
    /// Liaison first, then in the order they were created.
    pub accounts: Vec<UnitAccount>,
}

/// The units a platform_admin or coordinator (all of them) or a
/// county_admin (its own county's) looks after, with their accounts.
/// Other roles, and a login without an account, are refused: the accounts
/// of other units (names, mobiles) are not theirs to read.
pub fn unit_overview(store: &Store, actor: Option<&Actor>) -> Result<Vec<UnitOverview>, AppError> {
    let conn = store.conn();
    let Some(viewer) = actor.map(Actor::effective) else {
        return Err(AppError::Denied(crate::domain::permission::Denied(
            "没有 jianguan 账号，不能查看单位与账号".into(),
        )));
    };
    let region = match viewer.role {
        Role::PlatformAdmin | Role::Coordinator => None,
        Role::CountyAdmin => Some(store::units::unit(conn, viewer.unit_id)?.region_id),
        other => {
            // Short enough for the TUI's status line at 80 columns.
            return Err(AppError::Denied(crate::domain::permission::Denied(
                format!(
                    "{}不能查看单位与账号（仅平台管理员、协调员、县级管理员可以）",
                    other.label()
                ),
            )));
        }
    };
    let mut by_unit: HashMap<Id, Vec<crate::domain::Account>> = HashMap::new();
    // Listed liaison first, then by id: the order `accounts` keeps.
    for a in store::accounts::list(conn)? {
        by_unit.entry(a.unit_id).or_default().push(a);
    }
    let mut out = Vec::new();
    for unit in store::units::list_units(conn)? {
        if region.is_some_and(|r| r != unit.region_id) {
            continue;
        }
        let accounts = by_unit.remove(&unit.id).unwrap_or_default();
        let has_admin = accounts
            .iter()
            .any(|a| a.active && counts_as_admin(&unit, a.role));
        let has_liaison = accounts.iter().any(|a| a.active && a.is_liaison);
        out.push(UnitOverview {
            unit_id: unit.id,
            name: unit.full_name(),
            region: unit.region_name.clone(),
            category: unit.category,
            uscc: unit.uscc.clone().filter(|c| !c.trim().is_empty()),
            has_admin,
            has_liaison,
            counterparts: unit.counterparts.clone(),
            accounts: accounts
                .into_iter()
                .map(|a| UnitAccount {
                    login: a.login,
                    name: a.name,
                    role: a.role,
                    is_liaison: a.is_liaison,
                    active: a.active,
                    mobile: a.mobile,
                })
                .collect(),
        });
    }
    Ok(out)
}

/// Whether an account of `role` is the unit's 管理员 (annex 2: the person
/// who claims and fills for it). A department needs an operator or its
/// county_admin; the coordinating offices (市政务办, 市大数据管理局, a
/// county's 人民政府办公室: the units of category 其他) claim nothing, so
/// whoever holds an account there — coordinator, platform_admin — counts.
fn counts_as_admin(unit: &crate::domain::Unit, role: Role) -> bool {
    unit.category == crate::domain::UnitCategory::Other
        || matches!(role, Role::Operator | Role::CountyAdmin)
}
