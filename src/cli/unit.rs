//! `jianguan unit add|set|list`: the units of the city and its counties.

use super::output::say;
use super::{Context, output, vocab};
use crate::app::units::{UnitInput, UnitUpdate, create_unit, update_unit};
use crate::app::views;
use crate::domain::UnitCategory;
use crate::store;
use anyhow::Context as _;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum UnitCommand {
    /// 新建单位（平台管理员：任意单位；县级管理员：本县（市、区）的单位）
    #[command(after_help = "示例：\n  \
        jianguan unit add --name 金水区市场监督管理局 --region 金水区 --category 政府工作部门 \\\n      \
        --code 11410105MB0000000D --counterpart 郑州市市场监督管理局")]
    Add {
        /// 单位名称，如“金水区市场监督管理局”
        #[arg(long)]
        name: String,
        /// 所属区划：名称或6位代码，如“金水区”或“410105”
        #[arg(long)]
        region: String,
        /// 单位类别：政府工作部门、直属事业单位、其他
        #[arg(long, value_parser = parse_category, default_value = "政府工作部门")]
        category: UnitCategory,
        /// 统一社会信用代码（18位；可以以后用 unit set 补填）
        #[arg(long, value_name = "USCC")]
        code: Option<String>,
        /// 对口上级部门（系统一条线），可写多次或用“、”分隔
        #[arg(long, value_name = "DEPARTMENT")]
        counterpart: Vec<String>,
    },
    /// 修改单位的名称、统一社会信用代码、类别或对口上级部门；本单位的检查实施清单的
    /// 实施主体随之更新（记入操作记录）
    #[command(after_help = "示例：\n  \
        jianguan unit set 市场监督管理局 --code 11410100MB1234567W\n  \
        jianguan unit set 金水区城市管理局 --name 金水区城市管理和综合执法局\n  \
        jianguan unit set 市场监督管理局 --counterpart 国家市场监督管理总局 --counterpart 国家药品监督管理局")]
    Set {
        /// 单位名称：“市场监督管理局”（市直）或“金水区市场监督管理局”
        unit: String,
        /// 新的统一社会信用代码
        #[arg(long, value_name = "USCC")]
        code: Option<String>,
        /// 新名称
        #[arg(long, value_name = "NEW")]
        name: Option<String>,
        /// 单位类别
        #[arg(long, value_parser = parse_category)]
        category: Option<UnitCategory>,
        /// 对口上级部门（替换原有的；可写多次或用“、”分隔）
        #[arg(long, value_name = "DEPARTMENT")]
        counterpart: Vec<String>,
    },
    /// 列出单位：区划、类别、统一社会信用代码、是否有管理员和联络人，并列出未设置代码的单位
    List {
        /// 只列某个区划的单位（名称或6位代码）
        #[arg(long, value_name = "REGION")]
        region: Option<String>,
    },
}

fn parse_category(s: &str) -> Result<UnitCategory, String> {
    UnitCategory::parse(s).map_err(|e| e.to_string())
}

pub fn run(ctx: &Context, cmd: UnitCommand) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open()?;
    match cmd {
        UnitCommand::Add {
            name,
            region,
            category,
            code,
            counterpart,
        } => {
            let actor = ctx.actor(&store)?;
            let unit = create_unit(
                &mut store,
                &actor,
                &UnitInput {
                    name,
                    category,
                    region,
                    uscc: code,
                    counterparts: counterpart,
                },
            )
            .context("未创建单位")?;
            if ctx.json {
                output::json(&vocab::unit(&unit))?;
            } else {
                say!(
                    "已创建单位 {}（{}，{}，统一社会信用代码 {}）",
                    unit.full_name(),
                    unit.region_name,
                    unit.category.label(),
                    unit.uscc.as_deref().unwrap_or("未设置")
                );
            }
        }
        UnitCommand::Set {
            unit,
            code,
            name,
            category,
            counterpart,
        } => {
            let target = super::resolve_unit(&store, &unit)?;
            let actor = ctx.actor(&store)?;
            let done = update_unit(
                &mut store,
                &actor,
                target.id,
                &UnitUpdate {
                    name,
                    category,
                    uscc: code,
                    counterparts: (!counterpart.is_empty()).then_some(counterpart),
                },
            )
            .context("未修改单位")?;
            if ctx.json {
                output::json(
                    &vocab::unit(&done.unit)
                        .put("changed", done.changed)
                        .put("followed_checklist_count", done.checklists_followed),
                )?;
            } else if !done.changed {
                say!("{} 已是这样，未作修改", done.unit.full_name());
            } else {
                let u = &done.unit;
                say!(
                    "已修改单位 {}：统一社会信用代码 {}，{}，对口上级部门 {}",
                    u.full_name(),
                    u.uscc.as_deref().unwrap_or("未设置"),
                    u.category.label(),
                    if u.counterparts.is_empty() {
                        "无".to_string()
                    } else {
                        u.counterparts.join("、")
                    }
                );
                if done.checklists_followed > 0 {
                    say!(
                        "本单位 {} 份检查实施清单的实施主体已随之更新",
                        done.checklists_followed
                    );
                }
            }
        }
        UnitCommand::List { region } => {
            let actor = ctx.actor(&store).ok();
            let mut units = views::unit_overview(&store, actor.as_ref())?;
            if let Some(r) = &region {
                let found = store::units::find_region(store.conn(), r)?
                    .with_context(|| format!("没有区划“{r}”（写名称或6位代码）"))?;
                units.retain(|u| u.region == found.name);
            }
            if ctx.json {
                let out: Vec<_> = units.iter().map(vocab::unit_overview).collect();
                output::json(&out)?;
                return Ok(ExitCode::SUCCESS);
            }
            let yes = |b: bool| if b { "有" } else { "无" }.to_string();
            let rows: Vec<Vec<String>> = units
                .iter()
                .map(|u| {
                    vec![
                        u.name.clone(),
                        u.region.clone(),
                        u.category.label().to_string(),
                        u.uscc.clone().unwrap_or_else(|| "未设置".into()),
                        yes(u.has_admin),
                        yes(u.has_liaison),
                        u.counterparts.join("、"),
                    ]
                })
                .collect();
            output::table(
                &[
                    "单位",
                    "区划",
                    "类别",
                    "统一社会信用代码",
                    "管理员",
                    "联络人",
                    "对口上级部门",
                ],
                &rows,
            );
            let missing: Vec<&str> = units
                .iter()
                .filter(|u| u.uscc.is_none())
                .map(|u| u.name.as_str())
                .collect();
            say!();
            say!("共 {} 个单位", units.len());
            if !missing.is_empty() {
                say!(
                    "{} 个单位未设置统一社会信用代码（其检查实施清单不能完整）：{}",
                    missing.len(),
                    missing.join("、")
                );
                say!("设置：jianguan unit set 单位 --code 代码，或 jianguan import units 文件");
            }
            if store::units::is_demo(store.conn())? {
                say!("（演示数据库：统一社会信用代码和人员均为生成的示例，不是真实数据）");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
