//! The bundled seed files of `seeds/`, parsed. Pure: the text is compiled
//! in, and `app::init` writes what is parsed here.

use crate::domain::{
    Audience, BasisKind, Category, Level, PermitType, ReviewState, Source, UnitCategory,
    UnknownLabel,
};

const REGIONS: &str = include_str!("../../seeds/regions.tsv");
const UNITS: &str = include_str!("../../seeds/units.tsv");
const MILESTONES: &str = include_str!("../../seeds/milestones.tsv");
const LEGAL_BASES: &str = include_str!("../../seeds/legal_bases.tsv");
const DEMO_CATALOGUE: &str = include_str!("../../seeds/demo_catalogue.txt");

/// A seed file line that does not parse: a bug in `seeds/`, caught by tests.
#[derive(Debug, thiserror::Error)]
#[error("seeds/{file} 第{line}行：{reason}")]
pub struct SeedError {
    pub file: &'static str,
    pub line: usize,
    pub reason: String,
}

fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, l.split('\t').map(str::trim).collect()))
}

fn field<'a>(
    file: &'static str,
    line: usize,
    cols: &[&'a str],
    i: usize,
) -> Result<&'a str, SeedError> {
    cols.get(i).copied().ok_or(SeedError {
        file,
        line,
        reason: format!("缺少第{}列", i + 1),
    })
}

fn bad(file: &'static str, line: usize) -> impl Fn(UnknownLabel) -> SeedError {
    move |e| SeedError {
        file,
        line,
        reason: e.to_string(),
    }
}

pub struct SeedRegion {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent_code: Option<String>,
}

pub fn regions() -> Result<Vec<SeedRegion>, SeedError> {
    const F: &str = "regions.tsv";
    rows(REGIONS)
        .map(|(n, c)| {
            Ok(SeedRegion {
                code: field(F, n, &c, 0)?.to_string(),
                name: field(F, n, &c, 1)?.to_string(),
                level: Level::parse(field(F, n, &c, 2)?).map_err(bad(F, n))?,
                parent_code: c.get(3).filter(|s| !s.is_empty()).map(|s| s.to_string()),
            })
        })
        .collect()
}

pub struct SeedUnit {
    pub category: UnitCategory,
    pub name: String,
    pub counterparts: Vec<String>,
}

/// The city units of annex 1 plus the coordinating offices.
pub fn city_units() -> Result<Vec<SeedUnit>, SeedError> {
    const F: &str = "units.tsv";
    rows(UNITS)
        .map(|(n, c)| {
            Ok(SeedUnit {
                category: UnitCategory::parse(field(F, n, &c, 1)?).map_err(bad(F, n))?,
                name: field(F, n, &c, 2)?.to_string(),
                counterparts: c
                    .get(3)
                    .map(|s| {
                        s.split('、')
                            .filter(|p| !p.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

pub struct SeedMilestone {
    pub key: String,
    pub name: String,
    pub audience: Audience,
    pub due: String,
}

pub fn milestones() -> Result<Vec<SeedMilestone>, SeedError> {
    const F: &str = "milestones.tsv";
    rows(MILESTONES)
        .map(|(n, c)| {
            Ok(SeedMilestone {
                key: field(F, n, &c, 0)?.to_string(),
                name: field(F, n, &c, 1)?.to_string(),
                audience: Audience::parse(field(F, n, &c, 2)?).map_err(bad(F, n))?,
                due: field(F, n, &c, 3)?.to_string(),
            })
        })
        .collect()
}

pub struct SeedBasis {
    pub key: String,
    pub title: String,
    pub kind: BasisKind,
    pub article: String,
    pub excerpt: String,
}

pub fn legal_bases() -> Result<Vec<SeedBasis>, SeedError> {
    const F: &str = "legal_bases.tsv";
    rows(LEGAL_BASES)
        .map(|(n, c)| {
            Ok(SeedBasis {
                key: field(F, n, &c, 0)?.to_string(),
                title: field(F, n, &c, 1)?.to_string(),
                kind: BasisKind::parse(field(F, n, &c, 2)?).map_err(bad(F, n))?,
                article: c.get(3).unwrap_or(&"").to_string(),
                excerpt: c.get(4).unwrap_or(&"").to_string(),
            })
        })
        .collect()
}

pub struct SeedSubItem {
    pub category: Category,
    pub name: String,
    pub target: String,
    pub bases: Vec<String>,
    pub levels: Vec<Level>,
    pub classified: bool,
}

pub struct SeedMainItem {
    pub name: String,
    pub permit_name: String,
    pub permit_type: Option<PermitType>,
    pub sub_items: Vec<SeedSubItem>,
}

pub struct SeedDepartment {
    pub name: String,
    pub source: Source,
    pub main_items: Vec<SeedMainItem>,
}

/// A local item of the demo, compiled by a city unit.
pub struct SeedLocalItem {
    pub unit: String,
    pub name: String,
    pub state: ReviewState,
    pub power_entry: String,
    /// 退回理由 (退回修改) or the national code (已录入).
    pub extra: String,
    pub sub_items: Vec<SeedSubItem>,
}

pub struct SeedCatalogue {
    pub departments: Vec<SeedDepartment>,
    pub local_items: Vec<SeedLocalItem>,
}

fn parse_levels(s: &str) -> Vec<Level> {
    let mut levels: Vec<Level> = s
        .chars()
        .filter_map(|c| match c {
            '国' => Some(Level::National),
            '省' => Some(Level::Province),
            '市' => Some(Level::City),
            '县' => Some(Level::County),
            _ => None,
        })
        .collect();
    levels.dedup();
    levels
}

/// Parses `seeds/demo_catalogue.txt` (its header says the format).
pub fn demo_catalogue() -> Result<SeedCatalogue, SeedError> {
    const F: &str = "demo_catalogue.txt";
    let mut cat = SeedCatalogue {
        departments: Vec::new(),
        local_items: Vec::new(),
    };
    // Which list the next `S` line belongs to.
    enum Open {
        None,
        Main,
        Local,
    }
    let mut open = Open::None;
    for (i, line) in DEMO_CATALOGUE.lines().enumerate() {
        let n = i + 1;
        let err = |reason: &str| SeedError {
            file: F,
            line: n,
            reason: reason.to_string(),
        };
        let Some((tag, rest)) = line.split_once(' ') else {
            continue;
        };
        let c: Vec<&str> = rest.split('|').map(str::trim).collect();
        let get = |i: usize| c.get(i).copied().unwrap_or("");
        match tag {
            "@" => {
                cat.departments.push(SeedDepartment {
                    name: get(0).to_string(),
                    source: Source::parse(get(1)).map_err(bad(F, n))?,
                    main_items: Vec::new(),
                });
                open = Open::None;
            }
            "M" => {
                let dept = cat
                    .departments
                    .last_mut()
                    .ok_or_else(|| err("主项前没有 @ 部门行"))?;
                dept.main_items.push(SeedMainItem {
                    name: get(0).to_string(),
                    permit_name: get(1).to_string(),
                    permit_type: match get(2) {
                        "" => None,
                        t => Some(PermitType::parse(t).map_err(bad(F, n))?),
                    },
                    sub_items: Vec::new(),
                });
                open = Open::Main;
            }
            "L" => {
                cat.local_items.push(SeedLocalItem {
                    unit: get(0).to_string(),
                    name: get(1).to_string(),
                    state: ReviewState::parse(get(2)).map_err(bad(F, n))?,
                    power_entry: get(3).to_string(),
                    extra: get(4).to_string(),
                    sub_items: Vec::new(),
                });
                open = Open::Local;
            }
            "S" => {
                let sub = SeedSubItem {
                    category: Category::parse(get(0)).map_err(bad(F, n))?,
                    name: get(1).to_string(),
                    target: get(2).to_string(),
                    bases: get(3).split_whitespace().map(str::to_string).collect(),
                    levels: parse_levels(get(4)),
                    classified: get(5) == "涉密",
                };
                if sub.levels.is_empty() {
                    return Err(err("子项缺少监管层级"));
                }
                let list = match open {
                    Open::Main => cat
                        .departments
                        .last_mut()
                        .and_then(|d| d.main_items.last_mut())
                        .map(|m| &mut m.sub_items),
                    Open::Local => cat.local_items.last_mut().map(|l| &mut l.sub_items),
                    Open::None => None,
                };
                list.ok_or_else(|| err("子项前没有主项"))?.push(sub);
            }
            _ => {}
        }
    }
    Ok(cat)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn seeds_parse_and_meet_the_demo_minimums() {
        assert_eq!(regions().unwrap().len(), 17);
        let units = city_units().unwrap();
        assert_eq!(units.len(), 44);
        assert_eq!(units[25].name, "市场监督管理局");
        assert_eq!(milestones().unwrap().len(), 6);
        let cat = demo_catalogue().unwrap();
        let mains: usize = cat
            .departments
            .iter()
            .map(|d| d.main_items.len())
            .sum::<usize>()
            + cat.local_items.len();
        let subs: usize = cat
            .departments
            .iter()
            .flat_map(|d| &d.main_items)
            .map(|m| m.sub_items.len())
            .sum::<usize>()
            + cat
                .local_items
                .iter()
                .map(|l| l.sub_items.len())
                .sum::<usize>();
        assert!(cat.departments.len() >= 12);
        assert!(mains >= 80, "{mains}");
        assert!(subs >= 250, "{subs}");
        let categories: HashSet<Category> = cat
            .departments
            .iter()
            .flat_map(|d| &d.main_items)
            .flat_map(|m| &m.sub_items)
            .map(|s| s.category)
            .collect();
        assert_eq!(categories.len(), 4);
    }

    #[test]
    fn every_cited_basis_exists_and_there_are_forty_distinct_titles() {
        let bases = legal_bases().unwrap();
        let keys: HashSet<&str> = bases.iter().map(|b| b.key.as_str()).collect();
        assert_eq!(keys.len(), bases.len(), "duplicate basis key");
        let cat = demo_catalogue().unwrap();
        let cited = cat
            .departments
            .iter()
            .flat_map(|d| &d.main_items)
            .flat_map(|m| &m.sub_items)
            .chain(cat.local_items.iter().flat_map(|l| &l.sub_items))
            .flat_map(|s| &s.bases);
        for key in cited {
            assert!(keys.contains(key.as_str()), "unknown basis key {key}");
        }
        let titles: HashSet<&str> = bases.iter().map(|b| b.title.as_str()).collect();
        assert!(titles.len() >= 40);
        assert!(
            bases
                .iter()
                .all(|b| b.title.starts_with('《') && b.title.ends_with('》'))
        );
    }

    #[test]
    fn local_items_rest_on_local_bases() {
        let bases = legal_bases().unwrap();
        let cat = demo_catalogue().unwrap();
        for l in &cat.local_items {
            let kinds: Vec<BasisKind> = l
                .sub_items
                .iter()
                .flat_map(|s| &s.bases)
                .filter_map(|k| bases.iter().find(|b| &b.key == k).map(|b| b.kind))
                .collect();
            assert!(kinds.iter().any(|k| k.is_local()), "{}", l.name);
        }
    }
}
