//! `jianguan progress`: the progress table from the shell, per unit ranked
//! or per county summed.

use super::{Context, output};
use crate::app::progress::{self, Figures};
use crate::domain::format_time;
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

/// `jianguan export progress`: the daily 通报 as a workbook, recorded so
/// the next one shows the change.
pub fn export(
    ctx: &Context,
    as_of: Option<&str>,
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
    let report = progress::record_report(&mut store, &actor, at, rebuild)?;
    let when = format_time(report.as_of);
    let since = report
        .previous
        .map(|t| format!("（变化较 {} 的通报）", format_time(t)))
        .unwrap_or_else(|| "（首次通报，无变化可比）".into());
    let change = |c: Option<progress::Change>| match c {
        None => ("—".to_string(), "—".to_string()),
        Some(c) => (
            format!("{:+}", c.rank),
            format!("{:+}.{}%", c.per_mille / 10, (c.per_mille % 10).abs()),
        ),
    };
    let line = |s: &progress::Standing, c: Option<progress::Change>| {
        let (rank_change, pct_change) = change(c);
        let mut row = cells(s);
        row.extend([rank_change, pct_change]);
        row
    };
    let mut headers = HEADERS.to_vec();
    headers.extend(["名次变化", "完成率变化"]);
    let all: Vec<Vec<String>> = report.rows.iter().map(|(s, c)| line(s, *c)).collect();
    let overdue: Vec<Vec<String>> = report
        .rows
        .iter()
        .filter(|(s, _)| s.is_overdue())
        .map(|(s, c)| line(s, *c))
        .collect();
    let mut sheets = vec![
        (
            "排名".to_string(),
            format!("“互联网+监管”事项梳理进度通报（截至 {when}）{since}"),
            headers.clone(),
            all,
        ),
        (
            "逾期单位".to_string(),
            format!("逾期单位（截至 {when}）：{} 个", overdue.len()),
            headers.clone(),
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
        let rows: Vec<Vec<String>> = report
            .rows
            .iter()
            .filter(|(s, _)| s.region_id == id)
            .map(|(s, c)| line(s, *c))
            .collect();
        sheets.push((
            name.clone(),
            format!("{name}（截至 {when}）"),
            headers.clone(),
            rows,
        ));
    }
    // The 序号 column comes first in every sheet.
    let sheets: Vec<crate::xlsx::write::Sheet> = sheets
        .into_iter()
        .map(|(name, title, h, rows)| {
            let mut headers = vec!["序号"];
            headers.extend(h);
            crate::xlsx::write::Sheet {
                name,
                title,
                headers,
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
    Ok(ExitCode::SUCCESS)
}
