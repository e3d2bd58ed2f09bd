//! `jianguan import catalogue|power-list|accounts|checklists|units FILE`.

use super::output::{say, say_err};
use super::progress::Progress;
use super::{Context, output};
use crate::app::AppError;
use crate::app::import::{
    ImportOptions, ImportReport, accounts, catalogue, checklists, entered, power_list, units,
};
use crate::xlsx::{self, layouts};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct FileArgs {
    /// 电子表格文件（.xlsx、.xls 或 .ods）
    file: PathBuf,
    /// 只检查并报告将新增、修改、取消、拒绝的内容，不写入
    #[arg(long)]
    dry_run: bool,
    /// 跳过有问题的行，只导入无误的行（默认：有任何问题则全部不导入）
    #[arg(long)]
    skip_bad_rows: bool,
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// 导入国家或省级监管事项目录（平台管理员）：按编码新增或更新；文件所涉监管部门中
    /// 文件里已没有的事项标记为“取消”，其认领和检查实施清单保留
    Catalogue(FileArgs),
    /// 导入权责清单（平台管理员）
    PowerList(FileArgs),
    /// 导入账号（附件2的列，另需“登录名”列；可加“角色”“是否联络人”列）
    Accounts(FileArgs),
    /// 导入填好的检查实施清单（附件5，由 export checklists 导出的文件）
    Checklists(FileArgs),
    /// 导入单位（列：单位名称、所属区划、单位类别、统一社会信用代码、对口上级部门）：
    /// 新单位创建，已有单位（同区划同名）更新代码、类别和对口部门。平台管理员任意单位，
    /// 县级管理员本县（市、区）的单位
    Units(FileArgs),
    /// 导入国家系统给地方监管事项的编码（列：地方编码、国家系统编码；主项和每个子项各一行）：
    /// 各事项标记为已录入
    Entered(FileArgs),
}

pub fn run(ctx: &Context, cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    let (args, layout, label) = match &cmd {
        ImportCommand::Catalogue(a) => (a, layouts::CATALOGUE, "导入目录"),
        ImportCommand::PowerList(a) => (a, layouts::POWER_LIST, "导入权责清单"),
        ImportCommand::Accounts(a) => (a, layouts::ACCOUNTS, "导入账号"),
        ImportCommand::Checklists(a) => (a, layouts::CHECKLIST, "导入检查实施清单"),
        ImportCommand::Units(a) => (a, layouts::UNITS, "导入单位"),
        ImportCommand::Entered(a) => (a, layouts::ENTERED, "导入国家系统编码"),
    };
    let mut store = ctx.open()?;
    let actor = ctx.actor(&store)?;
    say_err!("读取 {} ……", args.file.display());
    let sheets = xlsx::read(&args.file, layout)?;
    let opts = ImportOptions {
        dry_run: args.dry_run,
        skip_bad_rows: args.skip_bad_rows,
    };
    let mut progress = Progress::new(label);
    let mut tick = |done, total| progress.update(done, total);
    let result = match &cmd {
        ImportCommand::Catalogue(_) => {
            catalogue::import_catalogue(&mut store, &actor, &sheets, opts, &mut tick)
        }
        ImportCommand::PowerList(_) => {
            power_list::import_power_list(&mut store, &actor, &sheets, opts)
        }
        ImportCommand::Accounts(_) => accounts::import_accounts(&mut store, &actor, &sheets, opts),
        ImportCommand::Checklists(_) => {
            checklists::import_checklists(&mut store, &actor, &sheets, opts, &mut tick)
        }
        ImportCommand::Units(_) => units::import_units(&mut store, &actor, &sheets, opts),
        ImportCommand::Entered(_) => entered::import_entered(&mut store, &actor, &sheets, opts),
    };
    let (report, blocked) = match result {
        Ok(r) => (r, false),
        Err(AppError::Rejected(r)) => (*r, true),
        Err(e) => return Err(e.into()),
    };
    print_report(ctx, &report, opts, blocked)?;
    if matches!(cmd, ImportCommand::Accounts(_))
        && store.is_postgres()
        && !blocked
        && !opts.dry_run
        && report.added > 0
        && !ctx.json
    {
        say!("{}", super::pg_roles::rerun_hint("新账号"));
    }
    Ok(if blocked || !report.conflicts.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(
    ctx: &Context,
    r: &ImportReport,
    opts: ImportOptions,
    blocked: bool,
) -> anyhow::Result<()> {
    if ctx.json {
        return output::json(&super::vocab::import_report(r));
    }
    for e in &r.rejected {
        say!("{e}");
    }
    for e in &r.conflicts {
        say!("{e}（冲突）");
    }
    if !blocked {
        for e in &r.incomplete {
            say!("{e}（存为草稿）");
        }
        for e in &r.warnings {
            say!("{e}（已接受，请确认）");
        }
    }
    let problems = if r.rejected.is_empty() && r.conflicts.is_empty() {
        String::new()
    } else {
        format!(
            "；有问题 {} 处，冲突 {} 行",
            r.rejected.len(),
            r.conflicts.len()
        )
    };
    if blocked {
        say!("共 {} 行{problems}", r.rows);
        say!("文件有问题，未导入任何内容；修改后重新导入，或加 --skip-bad-rows 只导入无误的行");
        return Ok(());
    }
    let verb = if opts.dry_run { "将" } else { "已" };
    say!(
        "共 {} 行：{verb}新增 {}，{verb}修改 {}，未变 {}{}{problems}",
        r.rows,
        r.added,
        r.changed,
        r.unchanged,
        if r.cancelled > 0 {
            format!(
                "，{verb}标记取消 {}（保留其认领 {} 条、检查实施清单 {} 份）",
                r.cancelled, r.kept_claims, r.kept_checklists
            )
        } else {
            String::new()
        },
    );
    let drafts = r
        .incomplete
        .iter()
        .map(|e| (&e.sheet, e.row))
        .collect::<std::collections::HashSet<_>>()
        .len();
    if drafts > 0 {
        say!(
            "其中 {drafts} 行尚未填完整，{verb}存为草稿（上面列出各行缺少的内容），补全后可再次导入或在界面中填报"
        );
    }
    if opts.dry_run {
        say!("（试运行，未写入）");
    }
    Ok(())
}
