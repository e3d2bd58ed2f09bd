//! Creating a database: regions, the annex-1 units, milestones and the
//! first platform_admin; with `--demo`, a realistic catalogue and work in
//! every state. All in one transaction, logged as one change-log row.

use super::AppError;
use super::accounts::bootstrap_admin;
use crate::domain::checklist::derived_state;
use crate::domain::local_item::{provisional_main_code, provisional_sub_code};
use crate::domain::{
    Account, ChecklistFields, ChecklistState, Claim, Id, InspectionKind, ItemStatus, Level,
    MainItem, NewAccount, ReviewState, Role, Source, SubItem, Timestamp, Unit, UnitCategory, Uscc,
    parse_time,
};
use crate::seed;
use crate::store::Connection;
use crate::store::changelog::{self, NewEntry};
use crate::store::checklists::{NewChecklist, Source as ChecklistSource};
use crate::store::local_items::Change;
use crate::store::units::NewUnit;
use crate::store::{self, Store};
use serde::Serialize;
use std::collections::HashMap;

/// The person who runs `init`: the first platform_admin.
pub struct AdminInput {
    pub login: String,
    pub name: String,
    pub mobile: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct InitSummary {
    pub regions: usize,
    pub units: usize,
    pub accounts: usize,
    pub main_items: usize,
    pub sub_items: usize,
    pub legal_bases: usize,
    pub claims: usize,
    pub checklists: usize,
    pub local_items: usize,
    /// Days the notice's 2019 schedule was moved by (demo only).
    pub milestone_shift_days: i64,
    /// A demo account whose login was the runner's: (its login, the one it
    /// got instead), since the runner's login is the platform admin's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_demo_login: Option<(String, String)>,
}

fn seed_err(e: seed::SeedError) -> AppError {
    AppError::Invalid(format!("内置种子数据有误：{e}"))
}

/// The unit every fresh database's first admin belongs to.
pub const ADMIN_UNIT: &str = "大数据管理局";

/// Creates a new database's content. Refuses a file that has data already.
pub fn init(
    store: &mut Store,
    admin: &AdminInput,
    demo: bool,
    now: Timestamp,
) -> Result<InitSummary, AppError> {
    let store_name = store.path().display().to_string();
    store.write(|tx| {
        // "jginit": of several `init` at once on PostgreSQL, the others
        // wait here and then find the database filled.
        store::lock_until_commit(tx, 0x6a67_696e_6974)?;
        if !store::units::list_regions(tx)?.is_empty() {
            return Err(AppError::Invalid(format!(
                "数据库 {} 已经初始化过，未作修改",
                store_name
            )));
        }
        let mut summary = InitSummary::default();
        let regions = insert_regions(tx)?;
        summary.regions = regions.len();
        let city = regions["410100"];
        let mut units = HashMap::new();
        for u in seed::city_units().map_err(seed_err)? {
            let id = store::units::insert_unit(
                tx,
                &NewUnit {
                    name: &u.name,
                    category: u.category,
                    region_id: city,
                    // Real codes come from the units themselves (`unit set
                    // --code`, `import units`); only the demo makes some up.
                    uscc: demo
                        .then(|| demo_uscc("410100", units.len() as u32 + 1))
                        .as_deref(),
                    counterparts: &u.counterparts,
                },
            )?;
            units.insert(u.name, id);
        }
        let shift = if demo { demo_shift_days(now) } else { 0 };
        summary.milestone_shift_days = shift;
        for m in seed::milestones().map_err(seed_err)? {
            let due = parse_time(&m.due).map_err(AppError::Invalid)? + shift * 86_400;
            store::milestones::insert(tx, &m.key, &m.name, m.audience, due, now)?;
        }
        let admin = bootstrap_admin(
            tx,
            &NewAccount {
                login: admin.login.clone(),
                name: admin.name.clone(),
                unit_id: units[ADMIN_UNIT],
                office_post: "技术指导".into(),
                mobile: admin.mobile.clone(),
                role: Role::PlatformAdmin,
                is_liaison: false,
            },
            now,
        )?;
        if demo {
            store::units::set_meta(tx, "demo", "1")?;
            Demo {
                tx,
                now,
                admin: &admin,
                regions: &regions,
                units: &mut units,
                summary: &mut summary,
            }
            .fill()?;
        }
        summary.units = units.len();
        summary.accounts = store::accounts::list(tx)?.len();
        let after = serde_json::to_string(&summary).unwrap_or_default();
        changelog::append(
            tx,
            &NewEntry {
                at: now,
                account_id: Some(admin.id),
                acting_as: None,
                action: if demo { "init_demo" } else { "init" },
                entity: "database",
                entity_id: "main",
                before: None,
                after: Some(&after),
            },
        )?;
        Ok(summary)
    })
}

fn insert_regions(tx: &Connection) -> Result<HashMap<String, Id>, AppError> {
    let mut ids: HashMap<String, Id> = HashMap::new();
    for r in seed::regions().map_err(seed_err)? {
        let parent = r.parent_code.as_ref().and_then(|c| ids.get(c).copied());
        let id = store::units::insert_region(tx, &r.code, &r.name, r.level, parent)?;
        ids.insert(r.code, id);
    }
    Ok(ids)
}

/// A valid, made-up 统一社会信用代码 for a government organ (登记管理部门
/// 1, 机构类别 1) of a region.
pub fn demo_uscc(region_code: &str, n: u32) -> String {
    let org = format!("{:09}", 5_000_000 + n as u64 * 7_919);
    Uscc::with_check_character(&format!("11{region_code}{org}"))
        .map(|u| u.to_string())
        .unwrap_or_default()
}

/// Whole days that put today between the city claim deadline (2019-05-14)
/// and the checklist deadline (2019-05-25): today plays 2019-05-17.
fn demo_shift_days(now: Timestamp) -> i64 {
    let played = parse_time("2019-05-17 00:00").unwrap_or(0);
    (now - played).div_euclid(86_400)
}

struct Demo<'a> {
    tx: &'a Connection,
    now: Timestamp,
    admin: &'a Account,
    regions: &'a HashMap<String, Id>,
    units: &'a mut HashMap<String, Id>,
    summary: &'a mut InitSummary,
}

/// Demo accounts: one per role, and operators of the units that hold demo work.
const DEMO_ACCOUNTS: &[(&str, &str, &str, &str, Role, &str)] = &[
    // login, 姓名, unit, 处室及职务, role, mobile
    (
        "zhangwei",
        "张伟",
        "市场监督管理局",
        "法规科 科长",
        Role::Operator,
        "13838000001",
    ),
    (
        "lina",
        "李娜",
        "城市管理局",
        "政策法规处 副处长",
        Role::Operator,
        "13838000002",
    ),
    (
        "yangmin",
        "杨敏",
        "园林局",
        "办公室 科员",
        Role::Operator,
        "13838000003",
    ),
    (
        "zhouqiang",
        "周强",
        "水利局",
        "水政水资源处 处长",
        Role::Operator,
        "13838000004",
    ),
    (
        "wuhui",
        "吴慧",
        "文物局",
        "文物保护处 科员",
        Role::Operator,
        "13838000005",
    ),
    (
        "xutao",
        "徐涛",
        "城乡建设局",
        "燃气管理处 科长",
        Role::Operator,
        "13838000006",
    ),
    (
        "wangfang",
        "王芳",
        "司法局",
        "行政执法协调监督处 处长",
        Role::LegalReviewer,
        "13838000007",
    ),
    (
        "liuyang",
        "刘洋",
        "人民政府办公厅（政务服务办公室）",
        "审改处 副处长",
        Role::Coordinator,
        "13838000008",
    ),
    (
        "chenjing",
        "陈静",
        "金水区人民政府办公室",
        "县级管理员",
        Role::CountyAdmin,
        "13838000009",
    ),
    (
        "zhaolei",
        "赵磊",
        "金水区市场监督管理局",
        "法规股 股长",
        Role::Operator,
        "13838000010",
    ),
    (
        "sunli",
        "孙丽",
        "中牟县市场监督管理局",
        "办公室 主任",
        Role::Operator,
        "13838000011",
    ),
    (
        "zhoujie",
        "周杰",
        "金水区城市管理局",
        "法规股 科员",
        Role::Operator,
        "13838000012",
    ),
];

/// The login a demo account gets when the runner's OS login is its own:
/// `LOGIN.demo` (another demo login never ends so).
fn demo_login_instead(login: &str) -> String {
    format!("{login}.demo")
}

/// County units of the demo: (region code, name, category).
const DEMO_COUNTY_UNITS: &[(&str, &str, UnitCategory)] = &[
    ("410105", "金水区人民政府办公室", UnitCategory::Other),
    (
        "410105",
        "金水区市场监督管理局",
        UnitCategory::GovernmentDepartment,
    ),
    (
        "410105",
        "金水区城市管理局",
        UnitCategory::GovernmentDepartment,
    ),
    ("410122", "中牟县人民政府办公室", UnitCategory::Other),
    (
        "410122",
        "中牟县市场监督管理局",
        UnitCategory::GovernmentDepartment,
    ),
    (
        "410181",
        "巩义市市场监督管理局",
        UnitCategory::GovernmentDepartment,
    ),
];

impl Demo<'_> {
    fn fill(&mut self) -> Result<(), AppError> {
        for (i, (region, name, category)) in DEMO_COUNTY_UNITS.iter().enumerate() {
            let id = store::units::insert_unit(
                self.tx,
                &NewUnit {
                    name,
                    category: *category,
                    region_id: self.regions[*region],
                    uscc: Some(demo_uscc(region, 100 + i as u32).as_str()),
                    counterparts: &[],
                },
            )?;
            self.units.insert(name.to_string(), id);
        }
        let mut accounts: HashMap<&str, Id> = HashMap::new();
        for (login, name, unit, post, role, mobile) in DEMO_ACCOUNTS {
            // The person running init keeps the login as platform admin;
            // the demo's own person of that login is kept under another,
            // so that every demo unit still has its operator and its work.
            let login = if *login == self.admin.login {
                let renamed = demo_login_instead(login);
                self.summary.renamed_demo_login = Some((login.to_string(), renamed.clone()));
                renamed
            } else {
                login.to_string()
            };
            let id = store::accounts::insert_account(
                self.tx,
                &NewAccount {
                    login,
                    name: name.to_string(),
                    unit_id: self.units[*unit],
                    office_post: post.to_string(),
                    mobile: mobile.to_string(),
                    role: *role,
                    is_liaison: true,
                },
                // Made before the accounts milestone (it plays 05-10 of a
                // schedule where today is 05-17).
                self.now - 9 * 86_400,
            )?;
            accounts.insert(unit, id);
        }
        let bases = self.insert_bases()?;
        let subs_by_dept = self.insert_catalogue(&bases)?;
        self.insert_local_items(&bases, &accounts)?;
        self.insert_work(&subs_by_dept, &accounts)?;
        Ok(())
    }

    fn insert_bases(&mut self) -> Result<HashMap<String, Id>, AppError> {
        let mut ids = HashMap::new();
        for b in seed::legal_bases().map_err(seed_err)? {
            let id =
                store::catalogue::upsert_basis(self.tx, &b.title, b.kind, &b.article, &b.excerpt)?;
            ids.insert(b.key, id);
        }
        self.summary.legal_bases = ids.len();
        Ok(ids)
    }

    fn insert_sub(
        &mut self,
        main: &MainItem,
        code: String,
        s: &seed::SeedSubItem,
        bases: &HashMap<String, Id>,
    ) -> Result<SubItem, AppError> {
        let mut texts = Vec::new();
        for key in &s.bases {
            texts.push(store::catalogue::basis(self.tx, bases[key])?.citation());
        }
        let (measures, process, result) = category_texts(s.category);
        let mut sub = SubItem {
            id: 0,
            code,
            main_item_id: main.id,
            name: s.name.clone(),
            category: s.category,
            target: s.target.clone(),
            measures: measures.into(),
            basis_text: texts.join("；"),
            process: process.into(),
            result: result.into(),
            levels: s.levels.clone(),
            classified: s.classified,
            status: ItemStatus::InUse,
            version: 1,
        };
        sub.id = store::catalogue::insert_sub_item(self.tx, &sub, self.now)?;
        for key in &s.bases {
            store::catalogue::link_basis(self.tx, sub.id, bases[key])?;
        }
        self.summary.sub_items += 1;
        Ok(sub)
    }

    /// National and provincial items; returns sub-items per department.
    fn insert_catalogue(
        &mut self,
        bases: &HashMap<String, Id>,
    ) -> Result<HashMap<String, Vec<SubItem>>, AppError> {
        let mut by_dept: HashMap<String, Vec<SubItem>> = HashMap::new();
        let cat = seed::demo_catalogue().map_err(seed_err)?;
        for (d, dept) in cat.departments.iter().enumerate() {
            let lead = if dept.source == Source::Provincial {
                2
            } else {
                1
            };
            for (m, item) in dept.main_items.iter().enumerate() {
                let mut main = MainItem {
                    id: 0,
                    code: format!("{lead}{:02}{:03}00000000", d + 1, m + 1),
                    name: item.name.clone(),
                    department: dept.name.clone(),
                    permit_name: item.permit_name.clone(),
                    permit_type: item.permit_type,
                    permit_code: String::new(),
                    source: dept.source,
                    status: ItemStatus::InUse,
                    owner_unit_id: None,
                    version: 1,
                };
                main.id = store::catalogue::insert_main_item(self.tx, &main, self.now)?;
                self.summary.main_items += 1;
                for (s, sub) in item.sub_items.iter().enumerate() {
                    let code = format!("{lead}{:02}{:03}{:03}00000", d + 1, m + 1, s + 1);
                    let sub = self.insert_sub(&main, code, sub, bases)?;
                    by_dept.entry(dept.name.clone()).or_default().push(sub);
                }
            }
        }
        Ok(by_dept)
    }

    fn insert_local_items(
        &mut self,
        bases: &HashMap<String, Id>,
        accounts: &HashMap<&str, Id>,
    ) -> Result<(), AppError> {
        let cat = seed::demo_catalogue().map_err(seed_err)?;
        let reviewer = accounts.get("司法局").copied().unwrap_or(self.admin.id);
        for (i, l) in cat.local_items.iter().enumerate() {
            let unit_id = self.units[l.unit.as_str()];
            let unit = store::units::unit(self.tx, unit_id)?;
            let by = accounts
                .get(l.unit.as_str())
                .copied()
                .unwrap_or(self.admin.id);
            let power = store::catalogue::insert_power_entry(
                self.tx,
                &format!("QZ410100-{:04}", i + 1),
                &l.power_entry,
                unit_id,
                "行政检查",
            )?;
            // 谁审批、谁监管: the garden bureau approves felling of city
            // trees, a 林木采伐许可 of another line (建议认领 shows it).
            if i == 0
                && let Some(&garden) = self.units.get("园林局")
            {
                store::catalogue::insert_power_entry(
                    self.tx,
                    "QZ410100-0901",
                    "城市树木砍伐、迁移审批（林木采伐许可）",
                    garden,
                    "行政许可",
                )?;
            }
            let mut main = MainItem {
                id: 0,
                code: provisional_main_code("410100", i as u32 + 1),
                name: l.name.clone(),
                department: unit.full_name(),
                permit_name: String::new(),
                permit_type: None,
                permit_code: String::new(),
                source: Source::City,
                status: ItemStatus::InUse,
                owner_unit_id: Some(unit_id),
                version: 1,
            };
            main.id = store::catalogue::insert_main_item(self.tx, &main, self.now)?;
            self.summary.main_items += 1;
            for (s, sub) in l.sub_items.iter().enumerate() {
                self.insert_sub(
                    &main,
                    provisional_sub_code(&main.code, s as u32 + 1),
                    sub,
                    bases,
                )?;
            }
            let hour = 3600;
            store::local_items::insert(
                self.tx,
                main.id,
                unit_id,
                Some(power),
                by,
                self.now - 3 * 86_400,
            )?;
            // Walk the item through the review states it is to show.
            use ReviewState::*;
            let path: &[(ReviewState, Id)] = match l.state {
                Draft => &[],
                Submitted => &[(Submitted, by)],
                Returned => &[(Submitted, by), (Returned, reviewer)],
                Approved => &[(Submitted, by), (Approved, reviewer)],
                Entered => &[(Submitted, by), (Approved, reviewer), (Entered, by)],
            };
            for (k, (state, who)) in path.iter().enumerate() {
                let current = store::local_items::get(self.tx, main.id)?;
                store::local_items::update(
                    self.tx,
                    main.id,
                    &Change {
                        state: *state,
                        power_entry_id: Some(power),
                        official_code: (*state == Entered).then_some(l.extra.as_str()),
                        return_reason: (*state == Returned).then_some(l.extra.as_str()),
                    },
                    current.version,
                    *who,
                    self.now - (2 * 86_400) + (k as i64 + 1) * 5 * hour,
                )?;
            }
            // Entered: the national system's codes replace the DF ones (a
            // sub-item's: the main code with its 9th digit the sequence).
            if l.state == Entered && crate::domain::local_item::is_national_code(&l.extra) {
                let subs: Vec<(Id, String)> = store::catalogue::sub_items_of(self.tx, main.id)?
                    .iter()
                    .enumerate()
                    .map(|(k, s)| (s.id, format!("{}{}{}", &l.extra[..8], k + 1, &l.extra[9..])))
                    .collect();
                store::catalogue::set_official_codes(self.tx, main.id, &l.extra, &subs)?;
            }
            // Approval claims the item for the unit that compiled it.
            if matches!(l.state, Approved | Entered) {
                let subs: Vec<Id> = store::catalogue::sub_items_of(self.tx, main.id)?
                    .iter()
                    .map(|s| s.id)
                    .collect();
                store::claims::claim(
                    self.tx,
                    unit_id,
                    &subs,
                    true,
                    reviewer,
                    self.now - 2 * 86_400 + 10 * hour,
                )?;
            }
            self.summary.local_items += 1;
        }
        Ok(())
    }

    /// Claims and checklists in every state for a few units.
    fn insert_work(
        &mut self,
        by_dept: &HashMap<String, Vec<SubItem>>,
        accounts: &HashMap<&str, Id>,
    ) -> Result<(), AppError> {
        let samr: Vec<&SubItem> = [
            "国家市场监督管理总局",
            "国家药品监督管理局",
            "河南省市场监督管理局",
        ]
        .iter()
        .flat_map(|d| by_dept.get(*d).into_iter().flatten())
        .collect();
        let urban: Vec<&SubItem> = by_dept
            .get("住房和城乡建设部")
            .into_iter()
            .flatten()
            .filter(|s| {
                s.name.contains("市容")
                    || s.name.contains("建筑垃圾")
                    || s.name.contains("户外广告")
            })
            .collect();
        let city_samr = self.units["市场监督管理局"];
        let jinshui_samr = self.units["金水区市场监督管理局"];
        let zhongmou_samr = self.units["中牟县市场监督管理局"];
        let city_urban = self.units["城市管理局"];
        let day = 86_400;
        // 市场监督管理局: everything at city level but the last two main
        // items of its national line, which 建议认领 (g) then offers;
        // claiming finished on time.
        let mut line_mains: Vec<Id> = by_dept
            .get("国家市场监督管理总局")
            .into_iter()
            .flatten()
            .map(|s| s.main_item_id)
            .collect();
        line_mains.sort_unstable();
        line_mains.dedup();
        let left_for_suggestion: Vec<Id> = line_mains.iter().rev().take(2).copied().collect();
        let city_items: Vec<&SubItem> = samr
            .iter()
            .copied()
            .filter(|s| s.levels.contains(&Level::City))
            .filter(|s| !left_for_suggestion.contains(&s.main_item_id))
            .collect();
        self.claim(city_samr, &city_items, accounts, self.now - 4 * day, |_| {
            true
        })?;
        // At 09:00 of the day the demo plays 2019-05-14, the deadline's
        // day: on time whatever the hour the demo is made at.
        let today = self.now - (self.now + 8 * 3600).rem_euclid(day);
        store::claims::finish(
            self.tx,
            city_samr,
            accounts["市场监督管理局"],
            today - 3 * day + 9 * 3600,
        )?;
        // 城市管理局: a few, claiming not finished.
        self.claim(city_urban, &urban, accounts, self.now - 2 * day, |_| true)?;
        // 共同实施: outdoor advertising is also the market regulator's.
        let ads: Vec<&SubItem> = urban
            .iter()
            .copied()
            .filter(|s| s.name.contains("户外广告"))
            .collect();
        self.claim(city_samr, &ads, accounts, self.now - 2 * day, |_| true)?;
        // 金水区: county-level items, a few not exercised; finished.
        let county_items: Vec<&SubItem> = samr
            .iter()
            .copied()
            .filter(|s| s.levels.contains(&Level::County))
            .collect();
        self.claim(
            jinshui_samr,
            &county_items,
            accounts,
            self.now - 2 * day,
            |i| i % 7 != 3,
        )?;
        store::claims::finish(
            self.tx,
            jinshui_samr,
            accounts["金水区市场监督管理局"],
            self.now - 2 * day + 3600,
        )?;
        // 中牟县: only a third so far.
        let some: Vec<&SubItem> = county_items.iter().copied().step_by(3).collect();
        self.claim(zhongmou_samr, &some, accounts, self.now - day, |_| true)?;

        // Checklists: the city files most, the county reuses the city's.
        let city_inspections: Vec<&SubItem> = city_items
            .iter()
            .copied()
            .filter(|s| s.category == crate::domain::Category::Inspection)
            .collect();
        let mut city_lists: HashMap<Id, (Id, i64)> = HashMap::new();
        for (i, sub) in city_inspections.iter().enumerate() {
            let state = match i % 6 {
                0..=2 => Some(ChecklistState::Filed),
                3 => Some(ChecklistState::Complete),
                4 => Some(ChecklistState::Draft),
                _ => None, // 未开始
            };
            if let Some(state) = state {
                let id = self.checklist(
                    city_samr,
                    Level::City,
                    sub,
                    state,
                    accounts["市场监督管理局"],
                    None,
                )?;
                city_lists.insert(sub.id, (id, 1));
            }
        }
        let county_inspections: Vec<&SubItem> = county_items
            .iter()
            .copied()
            .filter(|s| s.category == crate::domain::Category::Inspection)
            .collect();
        for (i, sub) in county_inspections.iter().enumerate() {
            let reuse = city_lists.get(&sub.id).copied();
            let state = match i % 5 {
                0 | 1 => Some(ChecklistState::Complete),
                2 => Some(ChecklistState::Filed),
                3 => Some(ChecklistState::Draft),
                _ => None,
            };
            if let Some(state) = state {
                self.checklist(
                    jinshui_samr,
                    Level::County,
                    sub,
                    state,
                    accounts["金水区市场监督管理局"],
                    reuse.filter(|_| state != ChecklistState::Draft),
                )?;
            }
        }
        Ok(())
    }

    fn claim(
        &mut self,
        unit: Id,
        items: &[&SubItem],
        accounts: &HashMap<&str, Id>,
        at: Timestamp,
        exercised: impl Fn(usize) -> bool,
    ) -> Result<(), AppError> {
        let unit_name = store::units::unit(self.tx, unit)?.name;
        let by = accounts
            .get(unit_name.as_str())
            .copied()
            .unwrap_or(self.admin.id);
        for (i, s) in items.iter().enumerate() {
            self.summary.claims += store::claims::insert_claims(
                self.tx,
                &[Claim {
                    unit_id: unit,
                    sub_item_id: s.id,
                    exercised: exercised(i),
                    note: String::new(),
                    claimed_by: by,
                    claimed_at: at + i as i64 * 60,
                }],
            )?
            .len();
        }
        Ok(())
    }

    fn checklist(
        &mut self,
        unit_id: Id,
        level: Level,
        sub: &SubItem,
        state: ChecklistState,
        by: Id,
        source: Option<(Id, i64)>,
    ) -> Result<Id, AppError> {
        let unit = store::units::unit(self.tx, unit_id)?;
        let mut fields = demo_fields(&unit, level, sub);
        if state == ChecklistState::Draft {
            fields.content.clear();
            fields.random_frequency = "经常".into();
        }
        let saved_state = if state == ChecklistState::Filed {
            state
        } else {
            derived_state(&fields)
        };
        let id = store::checklists::insert(
            self.tx,
            &NewChecklist {
                sub_item_id: sub.id,
                unit_id,
                level,
                fields: &fields,
                state: saved_state,
                source: ChecklistSource {
                    id: source.map(|s| s.0),
                    version: source.map(|s| s.1),
                },
                by,
                at: self.now - 86_400,
            },
        )?;
        self.summary.checklists += 1;
        Ok(id)
    }
}

/// 监管措施, 监管流程, 监管结果 as the national catalogue words them per category.
pub fn category_texts(c: crate::domain::Category) -> (&'static str, &'static str, &'static str) {
    use crate::domain::Category::*;
    match c {
        Inspection => (
            "现场检查、书面检查、抽样检测",
            "制定检查计划－实施检查－制作检查记录－依法处理－信息公示",
            "检查记录、责令整改通知书",
        ),
        Penalty => (
            "警告、罚款、没收违法所得",
            "立案－调查取证－审核－告知－听证（依申请）－决定－送达－执行",
            "行政处罚决定书",
        ),
        Enforcement => (
            "查封、扣押",
            "审批－通知当事人到场－告知－制作现场笔录－送达决定书－解除或依法处理",
            "查封（扣押）决定书、现场笔录",
        ),
        Other => (
            "责令改正、约谈",
            "发现问题－告知－督促整改－复查",
            "整改通知书、约谈记录",
        ),
    }
}

/// A complete checklist of the kind operators write.
pub fn demo_fields(unit: &Unit, level: Level, sub: &SubItem) -> ChecklistFields {
    let sampling = sub.name.contains("抽") || sub.name.contains("食品");
    ChecklistFields {
        item_code: sub.code.clone(),
        level: Some(level),
        subject_name: unit.full_name(),
        subject_code: unit.uscc.clone().unwrap_or_default(),
        target_main: sub.target.clone(),
        target_sub: String::new(),
        inspection_kind: Some(
            if sub.name.contains("非现场") || sub.name.contains("监测") {
                InspectionKind::OffSite
            } else {
                InspectionKind::OnSite
            },
        ),
        methods: vec!["实地检查".into(), "查阅资料".into()],
        random_included: Some(true),
        random_ratio: "不低于5%".into(),
        random_frequency: "每年1次".into(),
        content: format!(
            "检查{}的主体资格、许可条件保持、管理制度落实、相关台账记录及依法履行义务情况",
            sub.target
        ),
        sampling: Some(sampling),
        sampling_content: if sampling {
            "按年度抽检计划抽取样品送检".into()
        } else {
            String::new()
        },
        cooperation: Some(false),
        cooperation_org: String::new(),
        ..Default::default()
    }
}
