//! `jianguan local` and `jianguan review`: local items (地方监管事项) and
//! their legality review (合法性审核) from the shell.

use super::output::say;
use super::{Context, output, resolve_unit, vocab};
use crate::app::views::{self, LocalRow};
use crate::app::{local_items, views::LocalDetail};
use crate::domain::{ReviewState, Role, format_time};
use crate::store::{self, Store};
use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum LocalCommand {
    /// 列出地方监管事项及其审核状态（部门管理员默认只看本单位）
    List(LocalListArgs),
    /// 标记已录入：记下国家系统给主项和每个子项的14位编码（审核通过后；本单位或平台管理员）。
    /// 此后目录、检查实施清单和导出都用这些编码，原 DF 编码仍可搜索
    #[command(after_help = "示例：\n  \
        jianguan local enter DF410100-0001 --official 41100100000002 \\\n      \
        --sub DF410100-0001-01=41100100100002 --sub DF410100-0001-02=41100100200002\n\n\
        多个事项可用 jianguan import entered 文件 一次导入（列：地方编码、国家系统编码）。")]
    Enter(EnterArgs),
}

#[derive(Args)]
pub struct EnterArgs {
    /// 主项的地方编码，如 DF410100-0001
    code: String,
    /// 国家系统给主项的14位编码
    #[arg(long, value_name = "14DIGITS")]
    official: String,
    /// 子项的地方编码=国家系统编码，每个子项一次（也可只写序号：01=…）
    #[arg(long, value_name = "DF…-NN=14DIGITS")]
    sub: Vec<String>,
}

#[derive(Args)]
pub struct LocalListArgs {
    /// 只列出这种状态的：草稿、待审核、审核通过、退回修改、已录入
    #[arg(long, value_name = "STATE")]
    state: Option<String>,
    /// 只列出这个单位的
    #[arg(long, value_name = "NAME")]
    unit: Option<String>,
}

#[derive(Subcommand)]
pub enum ReviewCommand {
    /// 待审核的地方监管事项，先提交的在前
    List,
    /// 一个事项的全部内容：子项、设定依据及其状态、权责清单、审核记录
    Show(CodeArg),
    /// 审核通过（合法性审核员）
    Approve(CodeArg),
    /// 退回修改，须写明理由（合法性审核员）
    Return(ReturnArgs),
}

#[derive(Args)]
pub struct CodeArg {
    /// 主项编码（如 DF410100-0001）
    code: String,
}

#[derive(Args)]
pub struct ReturnArgs {
    /// 主项编码
    code: String,
    /// 退回理由
    #[arg(long)]
    reason: String,
}

fn print_rows(ctx: &Context, rows: &[LocalRow]) -> anyhow::Result<()> {
    if ctx.json {
        return output::json(&rows.iter().map(vocab::local_row).collect::<Vec<_>>());
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.code.clone(),
                if r.basis_repealed {
                    format!("{}（依据已废止）", r.state.label())
                } else {
                    r.state.label().to_string()
                },
                r.version.to_string(),
                format_time(r.since),
                r.unit.clone(),
                r.name.clone(),
            ]
        })
        .collect();
    output::table(
        &["主项编码", "状态", "版本", "时间", "单位", "名称"],
        &table,
    );
    Ok(())
}

pub fn run_local(ctx: &Context, cmd: &LocalCommand) -> anyhow::Result<ExitCode> {
    let args = match cmd {
        LocalCommand::List(args) => args,
        LocalCommand::Enter(args) => return enter(ctx, args),
    };
    let store = ctx.open()?;
    let state = match &args.state {
        None => None,
        Some(s) => Some(ReviewState::parse(s).map_err(|_| {
            anyhow::anyhow!("“{s}”不是审核状态：可写 草稿、待审核、审核通过、退回修改、已录入")
        })?),
    };
    let unit = match (&args.unit, ctx.actor(&store)) {
        (Some(name), _) => Some(resolve_unit(&store, name)?.id),
        (None, Ok(a)) if a.effective().role == Role::Operator => Some(a.effective().unit_id),
        _ => None,
    };
    let rows = views::local_items(&store, ctx.actor(&store).ok().as_ref(), unit, state)?;
    print_rows(ctx, &rows)?;
    Ok(ExitCode::SUCCESS)
}

fn enter(ctx: &Context, args: &EnterArgs) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open()?;
    let actor = ctx.actor(&store)?;
    let d = find(ctx, &store, &args.code)?;
    let mut subs = Vec::new();
    for pair in &args.sub {
        let (which, code) = pair
            .split_once('=')
            .with_context(|| format!("“{pair}”应写成 子项地方编码=14位编码"))?;
        let which = which.trim();
        // A sub-item by its code (DF or national, also after entry), or
        // by its number under the DF code given (“01”).
        let found = [which.to_string(), format!("{}-{which}", args.code.trim())]
            .iter()
            .find_map(|c| {
                store::catalogue::sub_item_by_code(store.conn(), c)
                    .ok()
                    .flatten()
                    .filter(|s| s.main_item_id == d.row.main_item_id)
            })
            .with_context(|| format!("{} 没有子项“{which}”", args.code.trim()))?;
        subs.push((found.id, code.trim().to_string()));
    }
    let codes = local_items::EnteredCodes {
        main: args.official.clone(),
        subs,
    };
    local_items::mark_entered(
        &mut store,
        &actor,
        d.row.main_item_id,
        d.row.version,
        &codes,
    )?;
    let after = views::local_item(&store, Some(&actor), d.row.main_item_id)?;
    if ctx.json {
        return show(ctx, &after).map(|()| ExitCode::SUCCESS);
    }
    say!(
        "{} {}：已录入，编码 {}",
        d.row.code,
        d.row.name,
        after.row.code
    );
    for (before, _) in &d.subs {
        if let Some((now, _)) = after.subs.iter().find(|(s, _)| s.id == before.id) {
            say!("  子项 {} → {}", before.code, now.code);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A local item by its code (DF or national), as the viewer may see it:
/// one not yet approved of another unit is not found.
fn find(ctx: &Context, store: &Store, code: &str) -> anyhow::Result<LocalDetail> {
    let code = code.trim();
    let actor = ctx.actor(store).ok();
    let missing = || format!("没有主项编码为 {code} 的地方监管事项");
    let main = store::catalogue::main_item_by_code(store.conn(), code)?.with_context(missing)?;
    views::local_item(store, actor.as_ref(), main.id).map_err(|_| anyhow::anyhow!(missing()))
}

fn show(ctx: &Context, d: &LocalDetail) -> anyhow::Result<()> {
    if ctx.json {
        let subs: Vec<_> = d
            .subs
            .iter()
            .map(|(s, bases)| {
                vocab::Obj::new()
                    .put("code", &s.code)
                    .put("name", &s.name)
                    .tag("category", s.category)
                    .objs("bases", bases.iter().map(vocab::basis).collect())
            })
            .collect();
        let power_entry = d.power_entry.as_ref().map(|p| {
            vocab::Obj::new()
                .put("code", &p.code)
                .put("name", &p.name)
                // 事项类型 as the power list writes it: free text, no key.
                .put("type_text", &p.kind)
        });
        return output::json(
            &vocab::local_row(&d.row)
                .objs("sub_items", subs)
                .opt_obj("power_entry", power_entry)
                .put("problems", &d.problems)
                .objs("history", d.history.iter().map(vocab::local_step).collect()),
        );
    }
    let r = &d.row;
    say!("{} {}（{}）", r.code, r.name, r.unit);
    say!("状态：{}（第 {} 版）", r.state.label(), r.version);
    if let Some(reason) = &r.return_reason {
        say!("退回理由：{reason}");
    }
    match &d.power_entry {
        Some(p) => {
            say!("权责清单：{} {}（{}）", p.code, p.name, p.kind);
            say!("本事项：  {}", r.name);
        }
        None => say!("权责清单：（未关联）"),
    }
    for (s, bases) in &d.subs {
        say!("  子项 {} {}（{}）", s.code, s.name, s.category.label());
        for b in bases {
            say!(
                "    依据：{}（{}，{}）",
                b.citation(),
                b.kind.label(),
                b.status.label()
            );
        }
    }
    for p in &d.problems {
        say!("问题：{p}");
    }
    say!("审核记录：");
    for h in &d.history {
        say!("  {}", h.describe());
    }
    Ok(())
}

pub fn run_review(ctx: &Context, cmd: &ReviewCommand) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open()?;
    match cmd {
        ReviewCommand::List => {
            let rows = views::local_items(
                &store,
                ctx.actor(&store).ok().as_ref(),
                None,
                Some(ReviewState::Submitted),
            )?;
            if !ctx.json && rows.is_empty() {
                say!("没有待审核的地方监管事项");
                return Ok(ExitCode::SUCCESS);
            }
            print_rows(ctx, &rows)?;
        }
        ReviewCommand::Show(a) => show(ctx, &find(ctx, &store, &a.code)?)?,
        ReviewCommand::Approve(a) => {
            let actor = ctx.actor(&store)?;
            let d = find(ctx, &store, &a.code)?;
            let after =
                local_items::approve(&mut store, &actor, d.row.main_item_id, d.row.version)?;
            if ctx.json {
                let now = views::local_item(&store, Some(&actor), d.row.main_item_id)?;
                output::json(&vocab::local_row(&now.row))?;
            } else {
                say!("{} {}：{}", d.row.code, d.row.name, after.state.label());
            }
        }
        ReviewCommand::Return(a) => {
            let actor = ctx.actor(&store)?;
            let d = find(ctx, &store, &a.code)?;
            if a.reason.trim().is_empty() {
                bail!("退回修改必须填写理由（--reason）");
            }
            let after = local_items::return_for_changes(
                &mut store,
                &actor,
                d.row.main_item_id,
                d.row.version,
                &a.reason,
            )?;
            if ctx.json {
                let now = views::local_item(&store, Some(&actor), d.row.main_item_id)?;
                output::json(&vocab::local_row(&now.row))?;
            } else {
                say!("{} {}：{}", d.row.code, d.row.name, after.state.label());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
