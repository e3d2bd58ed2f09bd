//! `jianguan export checklists|catalogue|accounts -o FILE`.

use super::output::say;
use super::{Context, resolve_unit};
use crate::app::export;
use crate::files::write_xlsx;
use crate::store::checklists::Scope;
use crate::store::{self, Store};
use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ScopeArgs {
    /// 只导出此单位，如“市场监督管理局”“金水区市场监督管理局”
    #[arg(long, conflicts_with = "county")]
    unit: Option<String>,
    /// 只导出此县（市、区）的所有单位
    #[arg(long)]
    county: Option<String>,
}

#[derive(Subcommand)]
pub enum ExportCommand {
    /// 检查实施清单（附件5格式，可离线填写后用 import checklists 导回）
    Checklists {
        #[command(flatten)]
        scope: ScopeArgs,
        /// 输出文件（.xlsx）
        #[arg(short, long)]
        output: PathBuf,
        /// 包含涉密事项（仅平台管理员）
        #[arg(long)]
        include_classified: bool,
    },
    /// 监管事项目录清单（附件4格式）
    #[command(after_help = "示例：\n  \
        jianguan export catalogue -o 本单位认领的事项.xlsx\n  \
        jianguan export catalogue --local -o 本单位市级监管事项目录清单.xlsx     部门管理员：本单位编制的（5月18日上报）\n  \
        jianguan export catalogue --local -o 全市.xlsx                           协调员、平台管理员：全市待审核及以后的\n  \
        jianguan export catalogue --local --unit 城市管理局 --state 审核通过 --state 已录入 -o 城管.xlsx")]
    Catalogue {
        /// 单位：不加 --local 时为该单位认领的事项（默认为当前账号的单位）；加 --local 时为该单位编制的地方监管事项
        #[arg(long)]
        unit: Option<String>,
        /// 地方监管事项（附件4，带“状态”列）：部门管理员默认为本单位编制的全部；协调员、平台管理员默认为全市待审核、审核通过、已录入的
        #[arg(long)]
        local: bool,
        /// 只导出这些审核状态的地方监管事项（可写多次）：草稿、待审核、审核通过、退回修改、已录入
        #[arg(long, value_name = "STATE", requires = "local")]
        state: Vec<String>,
        /// 输出文件（.xlsx）
        #[arg(short, long)]
        output: PathBuf,
        /// 包含涉密事项（仅平台管理员）
        #[arg(long)]
        include_classified: bool,
    },
    /// 管理员信息表（附件2：表1 市直部门，表2 县（市、区））
    Accounts {
        /// 输出文件（.xlsx）
        #[arg(short, long)]
        output: PathBuf,
    },
    /// 每日进度通报：排名（含较上次通报的变化）、逾期单位、各县（市、区）分表；
    /// 同时记下本次通报，供下次比较（协调员、平台管理员）
    Progress {
        /// 截至某一时刻（如“2019-05-16 17:00”，按操作记录还原）；默认现在。还原的通报不作为比较基准
        #[arg(long, value_name = "DATETIME")]
        as_of: Option<String>,
        /// 只导出，不记为以后通报比较的基准（默认：文件写成后记下，次日起的通报与它比较）
        #[arg(long)]
        no_record: bool,
        /// 输出文件（.xlsx）
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// The scope of an export: `--unit`, `--county`, or the reader's own unit
/// (everything for those without one).
fn scope(ctx: &Context, store: &Store, args: &ScopeArgs) -> anyhow::Result<Scope> {
    if let Some(name) = &args.unit {
        return Ok(Scope::Unit(resolve_unit(store, name)?.id));
    }
    if let Some(name) = &args.county {
        let region = store::units::find_region(store.conn(), name)?
            .with_context(|| format!("没有县（市、区）“{name}”"))?;
        return Ok(Scope::Region(region.id));
    }
    Ok(match ctx.actor(store) {
        Ok(a) if a.effective().role == crate::domain::Role::Operator => {
            Scope::Unit(a.effective().unit_id)
        }
        _ => Scope::All,
    })
}

pub fn run(ctx: &Context, cmd: ExportCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    let actor = ctx.actor(&store).ok();
    match cmd {
        ExportCommand::Checklists {
            scope: s,
            output,
            include_classified,
        } => {
            let classified = export::classified_allowed(actor.as_ref(), include_classified)?;
            let which = scope(ctx, &store, &s)?;
            let mut count = 0;
            write_xlsx(&output, |p| {
                count = export::export_checklists(&store, which, classified, p)?;
                Ok(())
            })?;
            say!("已导出 {count} 份检查实施清单到 {}", output.display());
        }
        ExportCommand::Catalogue {
            unit,
            local,
            state,
            output,
            include_classified,
        } => {
            let classified = export::classified_allowed(actor.as_ref(), include_classified)?;
            let which = if local {
                let states = state
                    .iter()
                    .map(|s| {
                        crate::domain::ReviewState::parse(s).map_err(|_| {
                            anyhow::anyhow!(
                                "“{s}”不是审核状态：可写 草稿、待审核、审核通过、退回修改、已录入"
                            )
                        })
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                // An operator's report is its own unit's; coordinators see the city.
                let unit = match (&unit, &actor) {
                    (Some(name), _) => Some(resolve_unit(&store, name)?.id),
                    (None, Some(a)) if a.effective().role == crate::domain::Role::Operator => {
                        Some(a.effective().unit_id)
                    }
                    _ => None,
                };
                export::CatalogueScope::Local { unit, states }
            } else {
                match (&unit, &actor) {
                    (Some(name), _) => export::CatalogueScope::Unit(resolve_unit(&store, name)?.id),
                    (None, Some(a)) => export::CatalogueScope::Unit(a.effective().unit_id),
                    (None, None) => bail!("请用 --unit 指定单位，或 --local 导出地方监管事项"),
                }
            };
            let doc = export::catalogue_rows(&store, actor.as_ref(), which, classified)?;
            write_xlsx(&output, |p| {
                Ok(crate::xlsx::write::write_catalogue(
                    p,
                    &doc.title,
                    &doc.filler,
                    &doc.phone,
                    &doc.rows,
                )?)
            })?;
            say!("已导出 {} 个子项到 {}", doc.rows.len(), output.display());
        }
        ExportCommand::Progress {
            as_of,
            no_record,
            output,
        } => {
            drop(store);
            return super::standings::export(ctx, as_of.as_deref(), no_record, &output);
        }
        ExportCommand::Accounts { output } => {
            let (city, county) = export::account_rows(&store)?;
            write_xlsx(&output, |p| {
                Ok(crate::xlsx::write::write_accounts(p, &city, &county)?)
            })?;
            say!(
                "已导出 {} + {} 个账号到 {}",
                city.len(),
                county.len(),
                output.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
