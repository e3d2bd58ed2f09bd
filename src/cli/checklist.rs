//! `jianguan checklist`: a unit's inspection checklists (检查实施清单) from
//! the shell: which are required and where they stand, and one in full.

use super::output::say;
use super::{Context, output, resolve_unit, vocab};
use crate::app::views;
use crate::domain::{ChecklistField, ChecklistState, NOT_STARTED, format_time};
use crate::store::checklists::Required;
use anyhow::bail;
use clap::{Args, Subcommand};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ChecklistCommand {
    /// 列出单位需填报的全部清单及其状态（未开始/草稿/完整/已填报）
    List(ListArgs),
    /// 显示一份清单的全部字段
    Show(ShowArgs),
}

#[derive(Args)]
pub struct ListArgs {
    /// 单位（默认本单位），如“市场监督管理局”或“金水区市场监督管理局”
    #[arg(long, value_name = "NAME")]
    unit: Option<String>,
    /// 只列出这种状态的：未开始、草稿、完整、已填报
    #[arg(long, value_name = "STATE")]
    state: Option<String>,
}

#[derive(Args)]
pub struct ShowArgs {
    /// 子项编码（监管事项目录编码）
    code: String,
    /// 单位（默认本单位）
    #[arg(long, value_name = "NAME")]
    unit: Option<String>,
}

/// The unit's required checklists, 涉密 ones only for the unit itself or a
/// platform_admin.
fn rows(ctx: &Context, unit: Option<&str>) -> anyhow::Result<(String, Vec<Required>)> {
    let store = ctx.open()?;
    let actor = ctx.actor(&store)?;
    let me = actor.effective();
    let unit_id = match unit {
        Some(name) => resolve_unit(&store, name)?.id,
        None => me.unit_id,
    };
    // The unit claims every row: `sees_classified` with its own claims.
    let see_secret = crate::domain::permission::sees_classified(me.role, unit_id == me.unit_id);
    let (name, _) = views::unit_label(&store, unit_id)?;
    let rows = views::required_checklists(&store, unit_id)?
        .into_iter()
        .filter(|r| see_secret || !r.classified)
        .collect();
    Ok((name, rows))
}

pub fn run(ctx: &Context, cmd: &ChecklistCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ChecklistCommand::List(args) => list(ctx, args),
        ChecklistCommand::Show(args) => show(ctx, args),
    }
}

fn list(ctx: &Context, args: &ListArgs) -> anyhow::Result<ExitCode> {
    let wanted = match args.state.as_deref().map(str::trim) {
        None => None,
        Some(NOT_STARTED) => Some(None),
        Some(s) => match ChecklistState::parse(s) {
            Ok(st) => Some(Some(st)),
            Err(_) => bail!("“{s}”不是清单状态：可写 未开始、草稿、完整、已填报"),
        },
    };
    let (unit, rows) = rows(ctx, args.unit.as_deref())?;
    let rows: Vec<Required> = rows
        .into_iter()
        .filter(|r| wanted.is_none_or(|w| w == r.checklist.as_ref().map(|c| c.state)))
        .collect();
    if ctx.json {
        let out: Vec<_> = rows
            .iter()
            .map(|r| {
                let o = vocab::Obj::new()
                    .put("sub_item_code", &r.sub_code)
                    .put("sub_item_name", &r.sub_name);
                vocab::checklist_state(o, "state", r.checklist.as_ref().map(|c| c.state))
                    .put("version", r.checklist.as_ref().map(|c| c.version))
            })
            .collect();
        output::json(
            &vocab::Obj::new()
                .put("unit", &unit)
                .put("count", out.len())
                .objs("checklists", out),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    say!("{unit}：{} 份", rows.len());
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.sub_code.clone(),
                ChecklistState::label_of(r.checklist.as_ref().map(|c| c.state)).to_string(),
                r.checklist
                    .as_ref()
                    .map(|c| c.version.to_string())
                    .unwrap_or_default(),
                r.sub_name.clone(),
            ]
        })
        .collect();
    output::table(&["子项编码", "状态", "版本", "子项名称"], &table);
    Ok(ExitCode::SUCCESS)
}

fn show(ctx: &Context, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let (unit, rows) = rows(ctx, args.unit.as_deref())?;
    let code = crate::domain::text::code(&args.code);
    let Some(r) = rows.into_iter().find(|r| r.sub_code == code) else {
        bail!(
            "{unit}不需要填报编码为 {code} 的检查实施清单（未认领、认领时标为不行使，或不是行政检查事项）"
        );
    };
    let Some(c) = &r.checklist else {
        if ctx.json {
            let o = vocab::Obj::new()
                .put("unit", &unit)
                .put("sub_item_code", &code)
                .put("sub_item_name", &r.sub_name);
            output::json(&vocab::checklist_state(o, "state", None).put("version", None::<i64>))?;
        } else {
            say!("{unit}：{code} {} 的检查实施清单：未开始", r.sub_name);
        }
        return Ok(ExitCode::SUCCESS);
    };
    let warnings = crate::domain::checklist::checklist_warnings(&c.fields);
    if ctx.json {
        let fields: Vec<_> = ChecklistField::ALL
            .iter()
            .map(|f| {
                vocab::Obj::new()
                    .tag("field", *f)
                    .put("value", c.fields.text_of(*f))
                    .put(
                        "warnings",
                        warnings
                            .iter()
                            .filter(|w| w.field == *f)
                            .map(|w| w.reason.as_str())
                            .collect::<Vec<_>>(),
                    )
            })
            .collect();
        output::json(
            &vocab::Obj::new()
                .put("unit", &unit)
                .put("sub_item_code", &code)
                .put("sub_item_name", &r.sub_name)
                .tag("state", c.state)
                .put("version", c.version)
                .time("updated_at", Some(c.updated_at))
                .objs("fields", fields),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    say!("{unit}：{code} {}", r.sub_name);
    say!(
        "状态：{}（第 {} 版，{} 保存）",
        c.state.label(),
        c.version,
        format_time(c.updated_at)
    );
    for f in ChecklistField::ALL {
        say!("{}：{}", f.label(), c.fields.text_of(*f));
        // Accepted, but worth a second look before filing.
        for w in warnings.iter().filter(|w| w.field == *f) {
            say!("  ？{}", w.reason);
        }
    }
    Ok(ExitCode::SUCCESS)
}
