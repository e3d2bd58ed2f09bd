//! `jianguan basis`: what rests on a legal basis, and its status.

use super::output::{say, say_err};
use super::{Context, output, vocab};
use crate::app::bases::{self, Impact};
use crate::domain::{BasisStatus, LegalBasis};
use crate::files::write_xlsx;
use crate::store::Store;
use anyhow::bail;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum BasisCommand {
    /// 列出依据某部法律法规的全部子项、各单位的认领和检查实施清单
    Impact(ImpactArgs),
    /// 设置设定依据的状态：现行有效、修订中、已废止（平台管理员或法制审核员）
    SetStatus(StatusArgs),
}

#[derive(Args)]
pub struct Which {
    /// 依据：《标题》第…条、标题，或其中的词句
    query: String,
    /// 查询对应多部依据时，用编号指定其中一部
    #[arg(long)]
    id: Option<i64>,
}

#[derive(Args)]
pub struct ImpactArgs {
    #[command(flatten)]
    which: Which,
    /// 同时导出为电子表格（.xlsx）
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args)]
pub struct StatusArgs {
    #[command(flatten)]
    which: Which,
    /// 新状态：现行有效、修订中、已废止
    status: String,
}

/// The one basis the arguments name; several or none is an error that
/// lists the candidates.
fn resolve(store: &Store, which: &Which) -> anyhow::Result<LegalBasis> {
    let found = bases::find(store, &which.query)?;
    if let Some(id) = which.id {
        return match found.into_iter().find(|b| b.id == id) {
            Some(b) => Ok(b),
            None => bail!("“{}”的结果中没有编号 {id}", which.query),
        };
    }
    match found.len() {
        0 => bail!("没有找到设定依据“{}”", which.query),
        1 => Ok(found.into_iter().next().unwrap_or_else(|| unreachable!())),
        n => {
            let list: Vec<String> = found
                .iter()
                .take(10)
                .map(|b| format!("  --id {}  {}", b.id, b.citation()))
                .collect();
            bail!(
                "“{}”对应 {n} 部依据，请写得更具体，或用 --id 指定：\n{}",
                which.query,
                list.join("\n")
            )
        }
    }
}

pub fn run(ctx: &Context, cmd: &BasisCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BasisCommand::Impact(args) => impact(ctx, args),
        BasisCommand::SetStatus(args) => set_status(ctx, args),
    }
}

fn rows(i: &Impact) -> Vec<Vec<String>> {
    i.lines
        .iter()
        .map(|l| {
            vec![
                l.unit.clone(),
                l.sub_code.clone(),
                l.sub_name.clone(),
                l.exercised.clone(),
                l.checklist.clone(),
                l.note.clone(),
            ]
        })
        .collect()
}

const HEADERS: [&str; 6] = [
    "单位",
    "子项编码",
    "子项名称",
    "是否行使",
    "检查实施清单",
    "说明",
];

fn impact(ctx: &Context, args: &ImpactArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    let basis = resolve(&store, &args.which)?;
    let i = bases::impact(&store, ctx.actor(&store).ok().as_ref(), basis.id)?;
    let title = format!(
        "{}（{}，{}）影响范围：{} 个子项，{} 个认领，{} 份检查实施清单",
        i.basis.citation(),
        i.basis.kind.label(),
        i.basis.status.label(),
        i.sub_items,
        i.claims,
        i.checklists
    );
    if let Some(path) = &args.output {
        write_xlsx(path, |tmp| {
            crate::xlsx::write::write_report(tmp, "依据影响范围", &title, &HEADERS, &rows(&i))?;
            Ok(())
        })?;
        say_err!("已导出到 {}", path.display());
    }
    if ctx.json {
        output::json(
            &vocab::Obj::new()
                .obj("basis", vocab::basis(&i.basis))
                .put("sub_item_count", i.sub_items)
                .put("claim_count", i.claims)
                .put("checklist_count", i.checklists)
                .objs("lines", i.lines.iter().map(vocab::impact_line).collect()),
        )?;
    } else {
        say!("{title}");
        output::table(&HEADERS, &rows(&i));
    }
    Ok(ExitCode::SUCCESS)
}

fn set_status(ctx: &Context, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open()?;
    let actor = ctx.actor(&store)?;
    let Ok(status) = BasisStatus::parse(&args.status) else {
        bail!(
            "“{}”不是依据状态：可写 现行有效、修订中、已废止",
            args.status
        );
    };
    let basis = resolve(&store, &args.which)?;
    let after = bases::set_status(&mut store, &actor, basis.id, status, basis.version)?;
    let i = bases::impact(&store, ctx.actor(&store).ok().as_ref(), after.id)?;
    if ctx.json {
        output::json(
            &vocab::basis(&after)
                .tag("previous_status", basis.status)
                .put("sub_item_count", i.sub_items)
                .put("claim_count", i.claims),
        )?;
    } else {
        say!(
            "{}：{} → {}；依据它的有 {} 个子项、{} 个认领（jianguan basis impact 查看明细）",
            after.citation(),
            basis.status.label(),
            after.status.label(),
            i.sub_items,
            i.claims
        );
    }
    Ok(ExitCode::SUCCESS)
}
