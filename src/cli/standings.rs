//! `jianguan progress`: the progress table from the shell, per unit ranked
//! or per county summed.

use super::output::say;
use super::{Context, output, vocab};
use crate::app::progress::{self, Figures};
use crate::domain::format_time;
use crate::domain::progress::MilestoneKind;
use crate::xlsx::write::Cell;
use clap::Args;
use std::process::ExitCode;

#[derive(Args)]
pub struct ProgressArgs {
    /// 按县（市、区）汇总，市直部门合为一行
    #[arg(long)]
    county: bool,
    /// 截至某一时刻（如“2019-05-16 17:00”），按操作记录还原当时的进度
    #[arg(long, value_name = "DATETIME")]
    as_of: Option<String>,
}

/// The columns a unit's line starts with, in the shell and in the report:
/// the rank, the unit, each milestone's state (named as the pane names
/// them), then the figures behind them.
fn leading() -> Vec<&'static str> {
    let mut h = vec!["排名", "单位", "区划"];
    h.extend(MilestoneKind::ALL.map(MilestoneKind::label));
    h.extend([
        "完成度",
        "认领数",
        "行使",
        "认领完成时间",
        "应填清单",
        "未开始",
        "草稿",
        "完整",
        "已填报",
        "清单完成率",
    ]);
    h
}

/// A county's line (县区排名), in the shell and in the report.
fn region_headers() -> Vec<&'static str> {
    let mut h = vec!["排名", "区划", "单位数"];
    h.extend(MilestoneKind::ALL.map(MilestoneKind::label));
    h.extend(["完成度", "认领数", "应填清单", "已填报", "清单完成率"]);
    h
}

/// The shell's columns: the local items in one, and the problems.
fn headers() -> Vec<&'static str> {
    let mut h = leading();
    h.extend(["地方事项 草稿/待审/通过/退回/录入", "问题"]);
    h
}

/// The report's columns: the five local-item states apart (numbers to sum),
/// the problems, and the change since the baseline.
fn report_headers() -> Vec<&'static str> {
    let mut h = leading();
    h.extend([
        "地方事项草稿",
        "待审核",
        "审核通过",
        "退回修改",
        "已录入",
        "问题",
        "名次变化",
        "完成度变化",
    ]);
    h
}

use progress::RANKING_RULE as RULE;

/// A share per mille as “47.0%”, or “—”.
fn share_text(share: Option<u32>) -> String {
    share.map_or("—".into(), |pm| format!("{}.{}%", pm / 10, pm % 10))
}

fn cells(s: &progress::Standing) -> Vec<String> {
    let f = &s.figures;
    let mut row = vec![s.rank_text(), s.unit.clone(), s.region.clone()];
    row.extend(s.milestones.iter().map(|m| {
        let overdue = m.state == Some(crate::domain::progress::MilestoneState::Overdue);
        format!("{}{}", if overdue { "!" } else { "" }, m.label())
    }));
    row.extend([
        share_text(s.share),
        f.claimed.to_string(),
        f.exercised.to_string(),
        s.claims_finished_at.map(format_time).unwrap_or_default(),
        f.required.to_string(),
        f.not_started().to_string(),
        f.draft.to_string(),
        f.complete.to_string(),
        f.filed.to_string(),
        percent(f),
        f.local.map(|n| n.to_string()).join("/"),
        s.problems.join("；"),
    ]);
    row
}

/// “47.0%”, or “—” when nothing is required yet.
fn percent(f: &Figures) -> String {
    if f.required == 0 {
        return "—".into();
    }
    let pm = f.per_mille();
    format!("{}.{}%", pm / 10, pm % 10)
}

pub fn run(ctx: &Context, args: &ProgressArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    let (now, mut rows) = match &args.as_of {
        None => {
            let now = crate::app::now();
            (now, progress::standings(&store, now)?)
        }
        Some(text) => {
            let at =
                crate::domain::parse_time(text).map_err(|e| anyhow::anyhow!("--as-of：{e}"))?;
            (at, progress::standings_at(&store, at)?)
        }
    };
    if args.county {
        let regions = progress::region_standings(&rows, now);
        if ctx.json {
            output::json(&vocab::Obj::new().time("as_of", Some(now)).objs(
                "regions",
                regions.iter().map(vocab::region_standing).collect(),
            ))?;
            return Ok(ExitCode::SUCCESS);
        }
        say!("截至 {}，县（市、区）排名", format_time(now));
        let table: Vec<Vec<String>> = regions
            .iter()
            .map(|r| {
                let f = &r.figures;
                let mut row = vec![r.rank.to_string(), r.name.clone(), r.units.to_string()];
                row.extend(
                    r.milestones
                        .iter()
                        .map(|m| format!("{} {}/{}", m.label(), m.done, m.required)),
                );
                row.extend([
                    share_text(r.share),
                    f.claimed.to_string(),
                    f.required.to_string(),
                    f.filed.to_string(),
                    percent(f),
                ]);
                row
            })
            .collect();
        output::table(&region_headers(), &table);
        return Ok(ExitCode::SUCCESS);
    }
    rows.sort_by_key(|s| (!s.duty, s.level, s.region_id, s.rank_order(), s.unit_id));
    if ctx.json {
        output::json(
            &vocab::Obj::new()
                .time("as_of", Some(now))
                .objs("units", rows.iter().map(vocab::standing).collect()),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    say!("截至 {}，{} 个单位", format_time(now), rows.len());
    let (ranked, apart): (Vec<_>, Vec<_>) = rows.iter().partition(|s| s.duty);
    let city: Vec<Vec<String>> = ranked
        .iter()
        .filter(|s| s.level != crate::domain::Level::County)
        .map(|s| cells(s))
        .collect();
    say!("\n市直单位排名");
    output::table(&headers(), &city);
    let county: Vec<Vec<String>> = ranked
        .iter()
        .filter(|s| s.level == crate::domain::Level::County)
        .map(|s| cells(s))
        .collect();
    if !county.is_empty() {
        say!("\n县（市、区）单位（在本区划内排名；区划排名见 --county）");
        output::table(&headers(), &county);
    }
    if !apart.is_empty() {
        say!("\n不参加排名的单位（协调机构、县（市、区）政府办公室）");
        let apart: Vec<Vec<String>> = apart.iter().map(|s| cells(s)).collect();
        output::table(&headers(), &apart);
    }
    say!("\n{RULE}");
    Ok(ExitCode::SUCCESS)
}

/// A unit's line as typed cells, for the workbook: counts are numbers,
/// completion a percentage (— when nothing is required).
fn typed_cells(s: &progress::Standing) -> Vec<Cell> {
    let f = &s.figures;
    let text = |t: String| Cell::Text(t);
    let mut row = vec![
        s.rank.map_or(Cell::None, |r| Cell::Int(r as i64)),
        text(s.unit.clone()),
        text(s.region.clone()),
    ];
    row.extend(s.milestones.iter().map(|m| text(m.label().to_string())));
    row.extend([
        s.share
            .map_or(Cell::None, |pm| Cell::Percent(pm as f64 / 1000.0)),
        Cell::Int(f.claimed),
        Cell::Int(f.exercised),
        text(s.claims_finished_at.map(format_time).unwrap_or_default()),
        Cell::Int(f.required),
        Cell::Int(f.not_started()),
        Cell::Int(f.draft),
        Cell::Int(f.complete),
        Cell::Int(f.filed),
        if f.required == 0 {
            Cell::None
        } else {
            Cell::Percent(f.per_mille() as f64 / 1000.0)
        },
        Cell::Int(f.local[0]),
        Cell::Int(f.local[1]),
        Cell::Int(f.local[2]),
        Cell::Int(f.local[3]),
        Cell::Int(f.local[4]),
        text(s.problems.join("；")),
    ]);
    row
}

/// `jianguan export progress`: the daily 通报 as a workbook. Once the file
/// is written it becomes the baseline later days' reports compare with —
/// unless it was rebuilt for a past time (`--as-of`) or `--no-record`.
pub fn export(
    ctx: &Context,
    as_of: Option<&str>,
    no_record: bool,
    output: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open()?;
    let actor = ctx.actor(&store)?;
    let (at, rebuild) = match as_of {
        None => (crate::app::now(), false),
        Some(text) => (
            crate::domain::parse_time(text).map_err(|e| anyhow::anyhow!("--as-of：{e}"))?,
            true,
        ),
    };
    if !rebuild && !no_record {
        progress::may_record(&mut store, &actor)?;
    }
    let report = progress::report(&store, at, rebuild)?;
    let when = format_time(report.as_of);
    let since = report
        .previous
        .map(|t| format!("（变化较 {} 的通报）", format_time(t)))
        .unwrap_or_else(|| "（此前没有更早一天的通报，无变化可比）".into());
    let line = |s: &progress::Standing, c: Option<progress::Change>| {
        let mut row = typed_cells(s);
        match c {
            Some(c) => row.extend([
                Cell::Change(c.rank),
                Cell::PercentChange(c.per_mille as f64 / 1000.0),
            ]),
            None => row.extend([Cell::None, Cell::None]),
        }
        row
    };
    use crate::xlsx::write::{ChartSpec, Sheet};
    let headers: Vec<&str> = std::iter::once("序号").chain(report_headers()).collect();
    // Columns counted from 序号 (0): the unit's name, and 完成度.
    let by_unit = |title: String| {
        Some(ChartSpec {
            title,
            line: false,
            label_col: 2,
            value_col: 9,
            skip_rows: 0,
        })
    };
    let sheet = |name: &str, title: String, rows: Vec<Vec<Cell>>, chart| Sheet {
        name: name.to_string(),
        title,
        headers: headers.clone(),
        rows,
        chart,
    };
    let is_city = |s: &progress::Standing| s.level != crate::domain::Level::County;
    let city: Vec<Vec<Cell>> = report
        .rows
        .iter()
        .filter(|(s, _)| is_city(s))
        .map(|(s, c)| line(s, *c))
        .collect();
    let overdue: Vec<Vec<Cell>> = report
        .rows
        .iter()
        .filter(|(s, _)| s.duty && s.is_overdue())
        .map(|(s, c)| line(s, *c))
        .collect();
    let standings: Vec<progress::Standing> = report.rows.iter().map(|(s, _)| s.clone()).collect();
    let regions = progress::region_standings(&standings, report.as_of);
    let region_headers: Vec<&str> = std::iter::once("序号").chain(region_headers()).collect();
    let region_rows: Vec<Vec<Cell>> = regions
        .iter()
        .map(|r| {
            let f = &r.figures;
            let mut row = vec![
                Cell::Int(r.rank as i64),
                Cell::Text(r.name.clone()),
                Cell::Int(r.units as i64),
            ];
            row.extend(
                r.milestones
                    .iter()
                    .map(|m| Cell::Text(format!("{}（{}/{}）", m.label(), m.done, m.required))),
            );
            row.extend([
                r.share
                    .map_or(Cell::None, |pm| Cell::Percent(pm as f64 / 1000.0)),
                Cell::Int(f.claimed),
                Cell::Int(f.required),
                Cell::Int(f.filed),
                if f.required == 0 {
                    Cell::None
                } else {
                    Cell::Percent(f.per_mille() as f64 / 1000.0)
                },
            ]);
            row
        })
        .collect();
    let mut sheets = vec![
        sheet(
            "市直排名",
            format!("“互联网+监管”事项梳理进度通报：市直单位（截至 {when}）{since}"),
            city,
            by_unit(format!("市直单位完成度（截至 {when}）")),
        ),
        Sheet {
            name: "县区排名".into(),
            title: format!("县（市、区）排名（截至 {when}）"),
            headers: region_headers,
            rows: region_rows,
            chart: Some(ChartSpec {
                title: format!("县（市、区）完成度（截至 {when}）"),
                line: false,
                label_col: 2,
                value_col: 9,
                skip_rows: 0,
            }),
        },
        sheet(
            "逾期单位",
            format!(
                "逾期单位（截至 {when}）：{} 个；排名：市直单位为市直排名，县（市、区）单位为本区划内排名",
                overdue.len()
            ),
            overdue,
            None,
        ),
    ];
    for r in &regions {
        let rows: Vec<Vec<Cell>> = report
            .rows
            .iter()
            .filter(|(s, _)| s.region_id == r.region_id)
            .map(|(s, c)| line(s, *c))
            .collect();
        sheets.push(sheet(
            &r.name,
            format!("{}（截至 {when}；单位在本区划内排名）", r.name),
            rows,
            by_unit(format!("{}各单位完成度", r.name)),
        ));
    }
    // 说明: the rule, the time of the data, the baseline, and the city's
    // last 14 days.
    let required: i64 = report.rows.iter().map(|(s, _)| s.figures.required).sum();
    let trend = progress::daily_completion(&store, report.as_of, 14, required)?;
    let day = |i: usize| {
        let t = report.as_of - (trend.len() - 1 - i) as i64 * 86_400;
        format_time(t)[..10].to_string()
    };
    let mut notes: Vec<Vec<Cell>> = vec![
        vec![Cell::Text("数据截至".into()), Cell::Text(when.clone())],
        vec![
            Cell::Text("比较基准".into()),
            Cell::Text(since.trim_matches(['（', '）']).to_string()),
        ],
        vec![Cell::Text("排名规则".into()), Cell::Text(RULE.into())],
    ];
    let info_rows = notes.len() as u32;
    notes.extend(
        trend
            .iter()
            .enumerate()
            .map(|(i, pm)| vec![Cell::Text(day(i)), Cell::Percent(*pm as f64 / 1000.0)]),
    );
    sheets.push(Sheet {
        name: "说明".into(),
        title: format!("说明，及全市近14天检查实施清单完成率（截至 {when}）"),
        headers: vec!["序号", "项目/日期", "内容/完成率"],
        rows: notes,
        chart: Some(ChartSpec {
            title: "全市清单完成率（近14天）".into(),
            line: true,
            label_col: 1,
            value_col: 2,
            skip_rows: info_rows,
        }),
    });
    crate::files::write_xlsx(output, |tmp| {
        Ok(crate::xlsx::write::write_sheets(tmp, &sheets)?)
    })?;
    say!(
        "已导出 {} 个单位的进度通报到 {}{since}",
        report.rows.len(),
        output.display()
    );
    // Only a report that was written, of now, becomes a baseline.
    if rebuild {
        say!("（按 --as-of 还原的通报不作为以后比较的基准）");
    } else if no_record {
        say!("（--no-record：未记为以后比较的基准）");
    } else {
        progress::record_report(&mut store, &actor, &report)
            .map_err(|e| anyhow::anyhow!("通报已导出，但未能记为比较基准：{e}"))?;
    }
    let (count, head) = crate::store::changelog::head(store.conn())?;
    println!(
        "操作记录 {count} 条，链头 {count}:{head}（请随通报存档；日后可用 jianguan check --head {count}:{head} 证明此前的记录未被改写或截断）"
    );
    Ok(ExitCode::SUCCESS)
}
