//! `jianguan progress`: the progress table from the shell, per unit ranked
//! or per county summed.

use super::{Context, output};
use crate::app::progress::{self, Figures};
use crate::domain::format_time;
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

/// The columns of a unit's line, in the shell and in the report.
const HEADERS: [&str; 15] = [
    "排名",
    "单位",
    "区划",
    "认领",
    "行使",
    "认领完成时间",
    "认领节点",
    "应填清单",
    "未开始",
    "草稿",
    "完整",
    "已填报",
    "完成率",
    "清单节点",
    "地方事项 待审/通过/退回",
];

fn cells(s: &progress::Standing) -> Vec<String> {
    let f = &s.figures;
    vec![
        s.rank.to_string(),
        s.unit.clone(),
        s.region.clone(),
        f.claimed.to_string(),
        f.exercised.to_string(),
        s.claims_finished_at.map(format_time).unwrap_or_default(),
        s.claims_state.label().to_string(),
        f.required.to_string(),
        f.not_started().to_string(),
        f.draft.to_string(),
        f.complete.to_string(),
        f.filed.to_string(),
        percent(f),
        s.checklists_state.label().to_string(),
        format!("{}/{}/{}", f.local[1], f.local[2] + f.local[4], f.local[3]),
    ]
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
        let (totals, all) = progress::totals(&rows);
        if ctx.json {
            output::json(
                &serde_json::json!({ "as_of": format_time(now), "regions": totals, "all": all }),
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        println!("截至 {}，按区划汇总", format_time(now));
        let mut table: Vec<Vec<String>> = totals
            .iter()
            .map(|t| {
                let f = &t.figures;
                vec![
                    t.name.clone(),
                    t.units.to_string(),
                    f.claimed.to_string(),
                    format!("{}/{}", f.claims_finished, t.units),
                    f.required.to_string(),
                    f.filed.to_string(),
                    percent(f),
                    t.overdue.to_string(),
                ]
            })
            .collect();
        table.push(vec![
            "合计".into(),
            rows.len().to_string(),
            all.claimed.to_string(),
            format!("{}/{}", all.claims_finished, rows.len()),
            all.required.to_string(),
            all.filed.to_string(),
            percent(&all),
            totals.iter().map(|t| t.overdue).sum::<usize>().to_string(),
        ]);
        output::table(
            &[
                "区划",
                "单位数",
                "认领",
                "认领完成",
                "应填清单",
                "已填报",
                "完成率",
                "逾期单位",
            ],
            &table,
        );
        return Ok(ExitCode::SUCCESS);
    }
    rows.sort_by_key(|s| (s.rank, s.unit_id));
    if ctx.json {
        output::json(&serde_json::json!({ "as_of": format_time(now), "units": rows }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("截至 {}，{} 个单位", format_time(now), rows.len());
    let table: Vec<Vec<String>> = rows.iter().map(cells).collect();
    output::table(&HEADERS, &table);
    Ok(ExitCode::SUCCESS)
}

/// A unit's line as typed cells, for the workbook: counts are numbers,
/// completion a percentage (— when nothing is required).
fn typed_cells(s: &progress::Standing) -> Vec<Cell> {
    let f = &s.figures;
    let text = |t: String| Cell::Text(t);
    vec![
        Cell::Int(s.rank as i64),
        text(s.unit.clone()),
        text(s.region.clone()),
        Cell::Int(f.claimed),
        Cell::Int(f.exercised),
        text(s.claims_finished_at.map(format_time).unwrap_or_default()),
        text(s.claims_state.label().to_string()),
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
        text(s.checklists_state.label().to_string()),
        Cell::Int(f.local[0]),
        Cell::Int(f.local[1]),
        Cell::Int(f.local[2]),
        Cell::Int(f.local[3]),
        Cell::Int(f.local[4]),
    ]
}

/// The report's columns: the table's, the five local-item states apart,
/// and the change since the baseline.
const REPORT_HEADERS: [&str; 21] = [
    "排名",
    "单位",
    "区划",
    "认领",
    "行使",
    "认领完成时间",
    "认领节点",
    "应填清单",
    "未开始",
    "草稿",
    "完整",
    "已填报",
    "完成率",
    "清单节点",
    "地方事项草稿",
    "待审核",
    "审核通过",
    "退回修改",
    "已录入",
    "名次变化",
    "完成率变化",
];

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
    let headers = REPORT_HEADERS.to_vec();
    let all: Vec<Vec<Cell>> = report.rows.iter().map(|(s, c)| line(s, *c)).collect();
    let overdue: Vec<Vec<Cell>> = report
        .rows
        .iter()
        .filter(|(s, _)| s.is_overdue())
        .map(|(s, c)| line(s, *c))
        .collect();
    let mut sheets = vec![
        (
            "排名".to_string(),
            format!("“互联网+监管”事项梳理进度通报（截至 {when}）{since}"),
            all,
        ),
        (
            "逾期单位".to_string(),
            format!("逾期单位（截至 {when}）：{} 个", overdue.len()),
            overdue,
        ),
    ];
    let mut regions: Vec<(i64, String)> = Vec::new();
    for (s, _) in &report.rows {
        if s.level == crate::domain::Level::County
            && !regions.iter().any(|(id, _)| *id == s.region_id)
        {
            regions.push((s.region_id, s.region.clone()));
        }
    }
    for (id, name) in regions {
        let rows: Vec<Vec<Cell>> = report
            .rows
            .iter()
            .filter(|(s, _)| s.region_id == id)
            .map(|(s, c)| line(s, *c))
            .collect();
        sheets.push((name.clone(), format!("{name}（截至 {when}）"), rows));
    }
    // The 序号 column comes first in every sheet.
    let sheets: Vec<crate::xlsx::write::Sheet> = sheets
        .into_iter()
        .map(|(name, title, rows)| {
            let mut h = vec!["序号"];
            h.extend(headers.iter().copied());
            crate::xlsx::write::Sheet {
                name,
                title,
                headers: h,
                rows,
            }
        })
        .collect();
    super::export::atomically(output, |tmp| {
        Ok(crate::xlsx::write::write_sheets(tmp, &sheets)?)
    })?;
    println!(
        "已导出 {} 个单位的进度通报到 {}{since}",
        report.rows.len(),
        output.display()
    );
    // Only a report that was written, of now, becomes a baseline.
    if rebuild {
        println!("（按 --as-of 还原的通报不作为以后比较的基准）");
    } else if no_record {
        println!("（--no-record：未记为以后比较的基准）");
    } else {
        progress::record_report(&mut store, &actor, &report)
            .map_err(|e| anyhow::anyhow!("通报已导出，但未能记为比较基准：{e}"))?;
    }
    Ok(ExitCode::SUCCESS)
}
