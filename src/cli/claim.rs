//! `jianguan claim`: bulk claiming (认领) from the shell, for the account's
//! own unit.

use super::output::say;
use super::{Context, output, vocab};
use crate::app::{claims, views};
use crate::domain::Id;
use crate::search::engine::Kind;
use crate::store;
use anyhow::{Context as _, bail};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["codes", "search", "department", "suggested", "finished", "reopen"])))]
pub struct ClaimArgs {
    /// 文本文件，每行一个子项编码（# 开头的行和空行忽略）
    #[arg(long, value_name = "FILE")]
    codes: Option<PathBuf>,
    /// 认领搜索到的全部子项（与 jianguan search 相同的匹配，不含“近似结果”；可先加 --dry-run 看清单）
    #[arg(long, value_name = "QUERY")]
    search: Option<String>,
    /// 认领某个监管部门的全部在用子项，如“国家市场监督管理总局”
    #[arg(long, value_name = "NAME")]
    department: Option<String>,
    /// 认领建议认领的事项：对口上级部门（系统一条线）的事项，和本单位审批的许可对应的事项
    /// （谁审批、谁监管）；逐项列出理由。先加 --dry-run 看看
    #[arg(long, conflicts_with = "unclaim")]
    suggested: bool,
    /// 取消认领
    #[arg(long)]
    unclaim: bool,
    /// 认领但标记为“不行使”（须认领而本单位实际不行使的事项）
    #[arg(long, conflicts_with = "unclaim")]
    not_exercised: bool,
    /// 只报告将认领或取消多少项，不写入
    #[arg(long)]
    dry_run: bool,
    /// 记录本单位“认领完成”（记下时间；之后只有平台管理员可撤销）
    #[arg(long, conflicts_with_all = ["unclaim", "not_exercised", "dry_run"])]
    finished: bool,
    /// 撤销某单位的“认领完成”（仅平台管理员），如“郑州市城市管理局”
    #[arg(long, value_name = "UNIT", conflicts_with_all = ["unclaim", "not_exercised", "dry_run"])]
    reopen: Option<String>,
}

/// `--finished` and `--reopen`: 认领完成 recorded or withdrawn.
fn finish(ctx: &Context, args: &ClaimArgs) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open()?;
    let actor = ctx.actor(&store)?;
    let (unit, finished_at, message) = match &args.reopen {
        None => {
            let at = claims::finish_claiming(&mut store, &actor)?;
            let unit = views::claiming_state(&store, actor.effective().unit_id)?.unit;
            let message = format!("{unit}认领完成：{}", crate::domain::format_time(at));
            (unit, Some(at), message)
        }
        Some(name) => {
            let found = store::units::find_units(store.conn(), name)?;
            let [unit] = found.as_slice() else {
                bail!(
                    "“{name}”{}，请写出单位全称，如“郑州市城市管理局”",
                    if found.is_empty() {
                        "不是已知的单位"
                    } else {
                        "对应多个单位"
                    }
                );
            };
            let was = claims::undo_finish_claiming(&mut store, &actor, unit.id)?;
            let message = if was {
                format!("已撤销{}的认领完成", unit.full_name())
            } else {
                format!("{}尚未认领完成，无需撤销", unit.full_name())
            };
            (unit.full_name(), None, message)
        }
    };
    if ctx.json {
        output::json(
            &vocab::Obj::new()
                .put("unit", unit)
                .put("finished", finished_at.is_some())
                .time("finished_at", finished_at),
        )?;
    } else {
        say!("{message}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The sub-items the arguments name; unknown codes are an error naming them.
fn targets(ctx: &Context, store: &store::Store, args: &ClaimArgs) -> anyhow::Result<Vec<Id>> {
    let conn = store.conn();
    // Local items other units may not see yet are unknown here too.
    let actor = ctx.actor(store).ok();
    let mut hidden = views::hidden_local(store, actor.as_ref())?;
    // 涉密 items the account may not see are unknown too (only the platform
    // admin, acting for a unit, claims one first).
    if actor
        .as_ref()
        .is_none_or(|a| a.real.role != crate::domain::Role::PlatformAdmin)
    {
        hidden.extend(views::hidden_classified(store, actor.as_ref())?);
    }
    if let Some(file) = &args.codes {
        let text = crate::files::read_user_text(file)
            .with_context(|| format!("无法读取 {}", file.display()))?;
        let mut ids = Vec::new();
        let mut unknown = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let code = crate::domain::text::code(line);
            if code.is_empty() || code.starts_with('#') {
                continue;
            }
            match store::catalogue::sub_item_by_code(conn, &code)? {
                Some(s) if !hidden.contains(&s.id) => ids.push(s.id),
                _ => unknown.push(format!("第{}行 {code}", n + 1)),
            }
        }
        if !unknown.is_empty() {
            bail!(
                "{} 中没有这些子项编码，未作任何认领：{}",
                file.display(),
                unknown.join("、")
            );
        }
        return Ok(ids);
    }
    if args.suggested {
        let actor = ctx.actor(store)?;
        let list = crate::app::suggest::for_actor(store, Some(&actor))?;
        if !ctx.json {
            for s in &list {
                say!("  {} {}（{}）", s.code, s.name, s.reason);
            }
        }
        return Ok(list.into_iter().map(|s| s.sub_item_id).collect());
    }
    if let Some(q) = &args.search {
        let actor = ctx.actor(store).ok();
        let index = views::search_index(store, actor.as_ref())?;
        // What matches as typed; never the 近似结果 (one character away).
        let ids: Vec<Id> = index
            .matches(q, None)
            .iter()
            .map(|h| index.entry(h.entry))
            .filter(|e| e.kind == Kind::Item)
            .map(|e| e.id)
            .collect();
        if ids.is_empty() {
            bail!(
                "没有与“{q}”匹配的子项，未作任何认领（近似结果不认领；用 jianguan search 看能找到什么）"
            );
        }
        return Ok(ids);
    }
    let name = args.department.as_deref().unwrap_or_default();
    // A whole department means what the tree shows of it: not the 涉密
    // items the viewer may not see (claiming them would reveal them).
    let classified = views::hidden_classified(store, ctx.actor(store).ok().as_ref())?;
    let ids: Vec<Id> = store::catalogue::tree_rows(conn)?
        .into_iter()
        .filter(|r| r.department == name && r.status == crate::domain::ItemStatus::InUse)
        .filter(|r| !hidden.contains(&r.sub_id) && !classified.contains(&r.sub_id))
        .map(|r| r.sub_id)
        .collect();
    if ids.is_empty() {
        bail!("没有监管部门“{name}”的在用子项");
    }
    Ok(ids)
}

pub fn run(ctx: &Context, args: &ClaimArgs) -> anyhow::Result<ExitCode> {
    if args.finished || args.reopen.is_some() {
        return finish(ctx, args);
    }
    let mut store = ctx.open()?;
    let actor = ctx.actor(&store)?;
    let mut ids = targets(ctx, &store, args)?;
    // What was suggested, with the reasons, before it is claimed.
    let suggested = if args.suggested && ctx.json {
        crate::app::suggest::for_actor(&store, Some(&actor))?
    } else {
        Vec::new()
    };
    ids.sort_unstable();
    ids.dedup();
    let unit = actor.effective().unit_id;
    // Items the unit may not claim (outside its 监管层级, or local items
    // not yet approved) are named and left out; the rest is claimed.
    let left_out = if args.unclaim {
        Vec::new()
    } else {
        claims::left_out(&store, unit, &ids)?
    };
    if !left_out.is_empty() {
        let out: std::collections::HashSet<Id> = left_out.iter().map(|o| o.sub_item_id).collect();
        ids.retain(|id| !out.contains(id));
    }
    // A dry run goes through the same checks and writes, rolled back.
    let r = match (args.dry_run, args.unclaim) {
        (true, unclaim) => claims::preview(&mut store, &actor, &ids, unclaim, !args.not_exercised)?,
        (false, true) => claims::unclaim_many(&mut store, &actor, &ids)?,
        (false, false) => claims::claim_many(&mut store, &actor, &ids, !args.not_exercised)?,
    };
    // “已认领 N 项（其中 M 项原已认领）”: N counts every item asked for.
    let verb = match (args.dry_run, args.unclaim) {
        (true, true) => "将取消认领",
        (true, false) => "将认领",
        (false, true) => "已取消认领",
        (false, false) => "已认领",
    };
    let (changed, unchanged) = (r.changed.len(), r.unchanged);
    if ctx.json {
        let state =
            (!args.unclaim).then(|| crate::domain::ClaimState::of(Some(!args.not_exercised)));
        let unit_name = store::units::unit(store.conn(), unit)?.full_name();
        let suggested: Vec<_> = suggested
            .iter()
            .map(|s| {
                vocab::Obj::new()
                    .put("sub_item_code", &s.code)
                    .put("sub_item_name", &s.name)
                    .put("department", &s.department)
                    .put("reason", &s.reason)
            })
            .collect();
        output::json(
            &vocab::Obj::new()
                .put("unit", unit_name)
                .put("unclaim", args.unclaim)
                .put("dry_run", args.dry_run)
                .tag_opt("claim_state", state)
                .put("count", ids.len())
                .put("changed", changed)
                .put("unchanged", unchanged)
                .put("made_not_exercised", r.made_idle.len())
                .objs("suggested", suggested)
                .objs("left_out", left_out.iter().map(vocab::left_out).collect()),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if !left_out.is_empty() {
        say!(
            "{} 项不能认领，{}：",
            left_out.len(),
            if args.dry_run {
                "将不认领"
            } else {
                "未认领"
            }
        );
        for o in &left_out {
            say!("  {}", o.reason());
        }
    }
    // A search can match more than meant: a dry run lists what it found.
    if args.dry_run && args.search.is_some() {
        for id in &ids {
            let s = store::catalogue::sub_item(store.conn(), *id)?;
            say!("  {} {}", s.code, s.name);
        }
    }
    if args.unclaim {
        say!("{verb} {} 项（其中 {unchanged} 项原未认领）", ids.len());
    } else {
        say!("{verb} {} 项（其中 {unchanged} 项原已认领）", ids.len());
    }
    if !r.made_idle.is_empty() {
        let verb = if args.dry_run { "将改" } else { "已改" };
        say!("其中原已认领的 {} 项{verb}为不行使", r.made_idle.len());
    }
    // Everything asked for was refused: that is a failure, not a success.
    Ok(if ids.is_empty() && !left_out.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
