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
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|s| {
            let f = &s.figures;
            vec![
                s.rank.to_string(),
                s.unit.clone(),
                f.claimed.to_string(),
                s.claims_state.label().to_string(),
                f.required.to_string(),
                f.not_started().to_string(),
                f.draft.to_string(),
                f.complete.to_string(),
                f.filed.to_string(),
                percent(f),
                s.checklists_state.label().to_string(),
                format!("{}/{}", f.local[1], f.local[3]),
            ]
        })
        .collect();
    output::table(
        &[
            "排名",
            "单位",
            "认领",
            "认领节点",
            "应填清单",
            "未开始",
            "草稿",
            "完整",
            "已填报",
            "完成率",
            "清单节点",
            "地方事项 待审/退回",
        ],
        &table,
    );
    Ok(ExitCode::SUCCESS)
}
