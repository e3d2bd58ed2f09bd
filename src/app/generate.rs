//! Deterministic synthetic data at the sizes of SPEC §7, for benchmarks:
//! `jianguan init --demo --scale city|province`. Names are built from the
//! demo catalogue's departments and supervised parties, so they read like a
//! real catalogue; bases are the real ones of each department.

use super::AppError;
use super::init::{category_texts, demo_fields, demo_uscc};
use crate::domain::checklist::derived_state;
use crate::domain::{
    Category, ChecklistState, Claim, Id, ItemStatus, Level, MainItem, NewAccount, Role, Source,
    SubItem, Timestamp, UnitCategory,
};
use crate::seed;
use crate::store::Connection;
use crate::store::changelog::{self, NewEntry};
use crate::store::checklists::{NewChecklist, Source as ChecklistSource};
use crate::store::units::NewUnit;
use crate::store::{self, Store};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// ~15 regions × ~45 units, ~5k main items / ~30k sub-items, ~100k claims, ~40k checklists.
    City,
    /// ~200 regions, ~9k units, ~210k sub-items (≥ 200k searchable strings for
    /// the search benchmark), ~1.5M claims, ~600k checklists.
    Province,
}

impl std::str::FromStr for Scale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "city" | "市" => Ok(Scale::City),
            "province" | "省" => Ok(Scale::Province),
            _ => Err(format!("规模“{s}”应为 city 或 province")),
        }
    }
}

struct Sizes {
    main_items: usize,
    subs_per_main: usize,
    claims_per_unit: usize,
    /// Per mille of claimed inspection items that have a checklist.
    checklist_per_mille: u64,
}

impl Scale {
    fn sizes(self) -> Sizes {
        match self {
            Scale::City => Sizes {
                main_items: 5_000,
                subs_per_main: 6,
                claims_per_unit: 150,
                checklist_per_mille: 780,
            },
            Scale::Province => Sizes {
                main_items: 35_000,
                subs_per_main: 6,
                claims_per_unit: 165,
                checklist_per_mille: 780,
            },
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Generated {
    pub regions: usize,
    pub units: usize,
    pub accounts: usize,
    pub main_items: usize,
    pub sub_items: usize,
    pub claims: usize,
    pub checklists: usize,
}

/// splitmix64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The other cities of 河南省 (statistical codes), for province scale.
const CITIES: &[(&str, &str)] = &[
    ("410200", "开封市"),
    ("410300", "洛阳市"),
    ("410400", "平顶山市"),
    ("410500", "安阳市"),
    ("410600", "鹤壁市"),
    ("410700", "新乡市"),
    ("410800", "焦作市"),
    ("410900", "濮阳市"),
    ("411000", "许昌市"),
    ("411100", "漯河市"),
    ("411200", "三门峡市"),
    ("411300", "南阳市"),
    ("411400", "商丘市"),
    ("411500", "信阳市"),
    ("411600", "周口市"),
    ("411700", "驻马店市"),
    ("419001", "济源市"),
];

/// County-level names of a synthetic city: its districts and counties.
const COUNTY_SUFFIXES: &[&str] = &[
    "城区",
    "东区",
    "西区",
    "南区",
    "北区",
    "新区",
    "高新区",
    "经济开发区",
    "东县",
    "西县",
    "南县",
];

const ASPECTS: &[&str] = &[
    "执行法律法规",
    "落实主体责任",
    "许可条件保持",
    "安全管理制度落实",
    "从业人员资格",
    "台账记录",
    "信息公示",
    "风险隐患排查",
    "应急预案落实",
    "质量管理体系运行",
    "整改措施落实",
    "投诉举报处理",
];

const VIOLATIONS: &[&str] = &[
    "未按规定建立台账",
    "未按规定公示信息",
    "拒绝、阻碍监督检查",
    "不再符合许可条件继续经营",
    "提供虚假材料",
    "未按规定报告",
    "超范围经营",
    "未落实整改要求",
];

const FIELDS: &[&str] = &[
    "经营活动",
    "生产活动",
    "安全管理",
    "质量管理",
    "许可事项",
    "日常管理",
    "从业行为",
    "设施设备",
    "服务行为",
    "网络经营活动",
    "备案事项",
    "档案管理",
];

/// Generates into a database that `init --demo` has just filled.
pub fn generate(
    store: &mut Store,
    scale: Scale,
    now: Timestamp,
    progress: &mut dyn FnMut(&str),
) -> Result<Generated, AppError> {
    let sizes = scale.sizes();
    store.write(|tx| {
        let mut g = Generated::default();
        let mut rng = Rng(0x4A49_414E);
        progress("生成目录……");
        let subs = catalogue(tx, &sizes, now, &mut rng, &mut g)?;
        progress("生成区划和单位……");
        let units = regions_and_units(tx, scale, now, &mut g)?;
        progress(&format!(
            "生成认领和检查实施清单（{} 个单位）……",
            units.len()
        ));
        work(tx, &sizes, &units, &subs, now, &mut rng, &mut g, progress)?;
        let after = serde_json::to_string(&g).unwrap_or_default();
        changelog::append(
            tx,
            &NewEntry {
                at: now,
                account_id: None,
                acting_as: None,
                action: "generate",
                entity: "database",
                entity_id: match scale {
                    Scale::City => "city",
                    Scale::Province => "province",
                },
                before: None,
                after: Some(&after),
            },
        )?;
        Ok(g)
    })
}

/// One department's vocabulary, from the demo catalogue.
struct Dept {
    name: String,
    objects: Vec<String>,
    bases: Vec<Id>,
}

fn departments(tx: &Connection) -> Result<Vec<Dept>, AppError> {
    let cat = seed::demo_catalogue().map_err(|e| AppError::Invalid(e.to_string()))?;
    let keys: HashMap<String, (String, String)> = seed::legal_bases()
        .map_err(|e| AppError::Invalid(e.to_string()))?
        .into_iter()
        .map(|b| (b.key, (b.title, b.article)))
        .collect();
    let mut out = Vec::new();
    for d in cat
        .departments
        .iter()
        .filter(|d| d.source == Source::National)
    {
        let mut objects: Vec<String> = Vec::new();
        let mut bases = Vec::new();
        for s in d.main_items.iter().flat_map(|m| &m.sub_items) {
            for o in s.target.split('、') {
                if !objects.iter().any(|x| x == o) {
                    objects.push(o.to_string());
                }
            }
            for k in &s.bases {
                let (title, article) = &keys[k];
                let id = store::catalogue::basis_id(tx, title, article)?.ok_or_else(|| {
                    AppError::Invalid(format!("演示依据{title}{article}不在数据库中"))
                })?;
                if !bases.contains(&id) {
                    bases.push(id);
                }
            }
        }
        out.push(Dept {
            name: d.name.clone(),
            objects,
            bases,
        });
    }
    Ok(out)
}

fn catalogue(
    tx: &Connection,
    sizes: &Sizes,
    now: Timestamp,
    rng: &mut Rng,
    g: &mut Generated,
) -> Result<Vec<(Id, Category, Vec<Level>)>, AppError> {
    let depts = departments(tx)?;
    let mut subs = Vec::new();
    let level_sets: [&[Level]; 4] = [
        &[Level::City, Level::County],
        &[Level::Province, Level::City, Level::County],
        &[Level::Province, Level::City],
        &[Level::National, Level::Province, Level::City, Level::County],
    ];
    for i in 0..sizes.main_items {
        let d = &depts[i % depts.len()];
        let k = i / depts.len();
        let obj = &d.objects[k % d.objects.len()];
        let field = FIELDS[(k / d.objects.len()) % FIELDS.len()];
        let mut main = MainItem {
            id: 0,
            // 9 leading: never collides with the demo's 1/2-led codes.
            code: format!("9{:05}00000000", i + 1),
            name: format!("对{obj}{field}的行政检查"),
            department: d.name.clone(),
            permit_name: String::new(),
            permit_type: None,
            permit_code: String::new(),
            source: Source::National,
            status: ItemStatus::InUse,
            owner_unit_id: None,
            version: 1,
        };
        main.id = store::catalogue::insert_main_item(tx, &main, now)?;
        g.main_items += 1;
        for s in 0..sizes.subs_per_main {
            let (category, name) = match s {
                0..=2 => (
                    Category::Inspection,
                    format!(
                        "对{obj}{field}{}情况的监督检查",
                        ASPECTS[(k + s * 5) % ASPECTS.len()]
                    ),
                ),
                3 | 4 => (
                    Category::Penalty,
                    format!(
                        "对{obj}{}的行政处罚",
                        VIOLATIONS[(k + s) % VIOLATIONS.len()]
                    ),
                ),
                _ if k % 2 == 0 => (
                    Category::Enforcement,
                    format!("查封、扣押{obj}用于违法{field}的物品"),
                ),
                _ => (Category::Other, format!("对{obj}{field}问题的责令改正")),
            };
            let (measures, process, result) = category_texts(category);
            let levels = level_sets[rng.below(level_sets.len())].to_vec();
            let basis = d.bases[rng.below(d.bases.len())];
            let sub = SubItem {
                id: 0,
                code: format!("9{:05}{:03}00000", i + 1, s + 1),
                main_item_id: main.id,
                name,
                category,
                target: obj.clone(),
                measures: measures.into(),
                basis_text: store::catalogue::basis(tx, basis)?.citation(),
                process: process.into(),
                result: result.into(),
                levels: levels.clone(),
                classified: rng.below(500) == 0,
                status: ItemStatus::InUse,
                version: 1,
            };
            let id = store::catalogue::insert_sub_item(tx, &sub, now)?;
            store::catalogue::link_basis(tx, id, basis)?;
            subs.push((id, category, levels));
            g.sub_items += 1;
        }
    }
    Ok(subs)
}

/// A generated unit: id, level, its operator account.
struct GenUnit {
    id: Id,
    level: Level,
    account: Id,
}

fn regions_and_units(
    tx: &Connection,
    scale: Scale,
    now: Timestamp,
    g: &mut Generated,
) -> Result<Vec<GenUnit>, AppError> {
    let annex: Vec<seed::SeedUnit> = seed::city_units()
        .map_err(|e| AppError::Invalid(e.to_string()))?
        .into_iter()
        .filter(|u| u.category != UnitCategory::Other)
        .collect();
    let province = store::units::find_region(tx, "410000")?
        .ok_or_else(|| AppError::Invalid("没有区划 410000（河南省）".into()))?
        .id;
    // (region id, code, short name, level)
    let mut targets: Vec<(Id, String, String, Level)> = Vec::new();
    for r in store::units::list_regions(tx)? {
        if r.level == Level::County {
            targets.push((r.id, r.code.clone(), r.name.clone(), Level::County));
        }
    }
    if scale == Scale::Province {
        for (code, name) in CITIES {
            let city = store::units::insert_region(tx, code, name, Level::City, Some(province))?;
            g.regions += 1;
            targets.push((city, code.to_string(), name.to_string(), Level::City));
            let short = name.trim_end_matches('市');
            for (j, suffix) in COUNTY_SUFFIXES.iter().enumerate() {
                let ccode = format!("{}{:02}", &code[..4], j + 2);
                let cname = format!("{short}{suffix}");
                let id =
                    store::units::insert_region(tx, &ccode, &cname, Level::County, Some(city))?;
                g.regions += 1;
                targets.push((id, ccode, cname, Level::County));
            }
        }
    }
    let mut units = Vec::new();
    for (region_id, code, region_name, level) in &targets {
        let short = region_name.trim_end_matches(['市', '县', '区']);
        for (j, u) in annex.iter().enumerate() {
            let name = if *level == Level::County {
                format!("{short}{}", u.name)
            } else {
                u.name.clone()
            };
            let uscc = demo_uscc(code, 1_000 + j as u32);
            let id = store::units::insert_unit(
                tx,
                &NewUnit {
                    name: &name,
                    category: u.category,
                    region_id: *region_id,
                    uscc: Some(&uscc),
                    counterparts: &u.counterparts,
                },
            )?;
            let login = format!("u{id}");
            let mobile = format!("139{:08}", id);
            let account = store::accounts::insert_account(
                tx,
                &NewAccount {
                    login,
                    name: format!("操作员{id}"),
                    unit_id: id,
                    office_post: "法规科 科员".into(),
                    mobile,
                    role: Role::Operator,
                    is_liaison: true,
                },
                now,
            )?;
            units.push(GenUnit {
                id,
                level: *level,
                account,
            });
            g.units += 1;
            g.accounts += 1;
        }
    }
    Ok(units)
}

#[allow(clippy::too_many_arguments)]
fn work(
    tx: &Connection,
    sizes: &Sizes,
    units: &[GenUnit],
    subs: &[(Id, Category, Vec<Level>)],
    now: Timestamp,
    rng: &mut Rng,
    g: &mut Generated,
    progress: &mut dyn FnMut(&str),
) -> Result<(), AppError> {
    for (n, unit) in units.iter().enumerate() {
        let full = store::units::unit(tx, unit.id)?;
        // A unit's claims are a run of one department's items (系统一条线).
        let start = rng.below(subs.len());
        let mut taken = 0;
        let mut i = start;
        while taken < sizes.claims_per_unit {
            let (sub_id, category, levels) = &subs[i % subs.len()];
            i += 1;
            if !levels.contains(&unit.level) {
                if i - start > subs.len() {
                    break;
                }
                continue;
            }
            let at = now - rng.below(5 * 86_400) as i64;
            store::claims::insert_claims(
                tx,
                &[Claim {
                    unit_id: unit.id,
                    sub_item_id: *sub_id,
                    exercised: rng.below(10) != 0,
                    note: String::new(),
                    claimed_by: unit.account,
                    claimed_at: at,
                }],
            )?;
            taken += 1;
            g.claims += 1;
            if *category == Category::Inspection
                && (rng.below(1000) as u64) < sizes.checklist_per_mille
            {
                let sub = store::catalogue::sub_item(tx, *sub_id)?;
                let mut fields = demo_fields(&full, unit.level, &sub);
                let roll = rng.below(10);
                if roll < 3 {
                    fields.content.clear();
                }
                let state = if roll >= 6 {
                    ChecklistState::Filed
                } else {
                    derived_state(&fields)
                };
                store::checklists::insert(
                    tx,
                    &NewChecklist {
                        sub_item_id: *sub_id,
                        unit_id: unit.id,
                        level: unit.level,
                        fields: &fields,
                        state,
                        source: ChecklistSource::default(),
                        by: unit.account,
                        at: at + 3600,
                    },
                )?;
                g.checklists += 1;
            }
        }
        if n % 1000 == 999 {
            progress(&format!("  {}/{} 个单位", n + 1, units.len()));
        }
    }
    Ok(())
}
