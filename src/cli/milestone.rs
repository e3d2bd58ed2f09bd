//! `jianguan milestone list|set`: the notice's deadlines (时间节点). A real
//! city starts from the notice's 2019 dates and moves them to its own.

use super::output::say;
use super::{Context, output, vocab};
use crate::app::{milestones, views};
use crate::domain::{format_time, parse_time};
use anyhow::Context as _;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum MilestoneCommand {
    /// 列出时间节点（键、名称、适用范围、截止时间）
    List,
    /// 调整一个时间节点的截止时间（平台管理员、协调员；记入操作记录）
    #[command(after_help = "示例：\n  \
        jianguan milestone set claims_city \"2026-12-14 17:00\"\n  \
        jianguan milestone set accounts 2026-12-10        只写日期表示当日24:00")]
    Set {
        /// 时间节点的键（见 milestone list），如 claims_city
        key: String,
        /// 截止时间（北京时间），如“2026-12-14 17:00”或“2026-12-10”
        due: String,
    },
}

pub fn run(ctx: &Context, cmd: MilestoneCommand) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open()?;
    match cmd {
        MilestoneCommand::List => {
            let list = views::milestones(&store)?;
            if ctx.json {
                output::json(&list.iter().map(vocab::milestone).collect::<Vec<_>>())?;
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|m| {
                    vec![
                        m.key.clone(),
                        m.name.clone(),
                        m.audience.label().to_string(),
                        format_time(m.due_at),
                    ]
                })
                .collect();
            output::table(&["键", "名称", "适用范围", "截止时间"], &rows);
        }
        MilestoneCommand::Set { key, due } => {
            let at = parse_time(&due).map_err(anyhow::Error::msg)?;
            let actor = ctx.actor(&store)?;
            let current = views::milestones(&store)?
                .into_iter()
                .find(|m| m.key == key)
                .with_context(|| {
                    format!("没有时间节点“{key}”（jianguan milestone list 列出全部）")
                })?;
            let after = milestones::set_due(&mut store, &actor, &key, at, current.version)
                .context("未调整时间节点")?;
            if ctx.json {
                output::json(&vocab::milestone(&after))?;
            } else {
                say!(
                    "{}：截止时间由 {} 改为 {}",
                    after.name,
                    format_time(current.due_at),
                    format_time(after.due_at)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
