//! `jianguan basis`: what rests on a legal basis, and its status.

use super::output::{say, say_err};
use super::{Context, output, vocab};
use crate::app::Actor;
use crate::app::bases::{self, Impact, LawImpact, Named};
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
    /// 依据：法律法规的名称（食品安全法、《中华人民共和国食品安全法》），可带条款（食品安全法第87条、食品安全法 八十七）；名称不全、错一个字、拼音、条款号（87）或摘录中的词句也可，按 jianguan search 查找
    query: String,
    /// 只看其中一条：第八十七条、87、八十七、87条；全文 指引用整部的那一条
    #[arg(long, value_name = "条款")]
    article: Option<String>,
    /// 用编号指定其中一条依据（编号见查询结果或出错时的列表）
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

fn resolve(store: &Store, actor: Option<&Actor>, which: &Which) -> anyhow::Result<Named> {
    Ok(bases::resolve(
        store,
        actor,
        &which.query,
        which.article.as_deref(),
        which.id,
    )?)
}

/// The one basis row the arguments name: a status is set on one article,
/// so a law of several is an error that lists them.
fn resolve_one(store: &Store, actor: &Actor, which: &Which) -> anyhow::Result<LegalBasis> {
    let named = resolve(store, Some(actor), which)?;
    if let Some(b) = named.one() {
        return Ok(b.clone());
    }
    let law = &named.law;
    let list: Vec<String> = law
        .bases
        .iter()
        .map(|b| {
            format!(
                "  --id {}  {}  --article {}",
                b.id,
                b.citation(),
                bases::article_label(b)
            )
        })
        .collect();
    bail!(
        "{}有 {} 条依据，状态是一条一条设置的，不能对整部法律法规设置：请用 --article 或 --id 指定其中一条：\n{}",
        law.title,
        law.bases.len(),
        list.join("\n")
    )
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

/// The whole-law export's columns: which article, then `HEADERS`.
const LAW_HEADERS: [&str; 8] = [
    "条款",
    "依据状态",
    "单位",
    "子项编码",
    "子项名称",
    "是否行使",
    "检查实施清单",
    "说明",
];

fn counts(sub_items: usize, claims: usize, checklists: usize) -> String {
    format!("{sub_items} 个子项，{claims} 个认领，{checklists} 份检查实施清单")
}

/// One article's object in `--json`: its basis, counts and lines.
fn impact_json(i: &Impact) -> vocab::Obj {
    vocab::Obj::new()
        .obj("basis", vocab::basis(&i.basis))
        .put("sub_item_count", i.sub_items)
        .put("claim_count", i.claims)
        .put("checklist_count", i.checklists)
        .objs("lines", i.lines.iter().map(vocab::impact_line).collect())
}

fn impact(ctx: &Context, args: &ImpactArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    let actor = ctx.actor(&store).ok();
    let named = resolve(&store, actor.as_ref(), &args.which)?;
    let note = named.note.as_deref();
    if let Some(basis) = named.one() {
        let i = bases::impact(&store, actor.as_ref(), basis.id)?;
        return one_article(ctx, args, &i, note);
    }
    let l = bases::law_impact(&store, actor.as_ref(), &named.scope())?;
    whole_law(ctx, args, &l, named.law.bases.len(), note)
}

/// How the query was read, after a heading: （目录只到条：按第八十七条统计）.
fn noted(note: Option<&str>) -> String {
    note.map(|n| format!("（{n}）")).unwrap_or_default()
}

fn one_article(
    ctx: &Context,
    args: &ImpactArgs,
    i: &Impact,
    note: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let title = format!(
        "{}（{}，{}）影响范围：{}{}",
        i.basis.citation(),
        i.basis.kind.label(),
        i.basis.status.label(),
        counts(i.sub_items, i.claims, i.checklists),
        noted(note)
    );
    if let Some(path) = &args.output {
        write_xlsx(path, |tmp| {
            crate::xlsx::write::write_report(tmp, "依据影响范围", &title, &HEADERS, &rows(i))?;
            Ok(())
        })?;
        say_err!("已导出到 {}", path.display());
    }
    if ctx.json {
        output::json(&impact_json(i).put("note", note))?;
    } else {
        say!("{title}");
        if i.lines.is_empty() {
            say!("{NO_LINES}");
        } else {
            output::table(&HEADERS, &rows(i));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Every article of a law, each with its own counts and table, and the
/// law's totals (each sub-item once, however many articles it cites).
/// Said where an article has no lines, in both reports.
const NO_LINES: &str = "（没有引用此条的子项）";

/// `l` is the law, or the articles of it the query matched (of `whole`
/// rows: `note` says which and how to see them all).
fn whole_law(
    ctx: &Context,
    args: &ImpactArgs,
    l: &LawImpact,
    whole: usize,
    note: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let kind = l
        .law
        .bases
        .first()
        .map(|b| b.kind.label())
        .unwrap_or_default();
    let total = format!(
        "{}（同一子项引用本法多条时只计一次）",
        counts(l.sub_items, l.claims, l.checklists)
    );
    let part = if l.articles.len() < whole {
        format!("其中 {} 条（共 {whole} 条）", l.articles.len())
    } else {
        format!("{} 条", l.articles.len())
    };
    let title = format!(
        "{}（{kind}）影响范围：{part}依据，合计 {total}{}",
        l.law.title,
        noted(note)
    );
    let heading = |i: &Impact| {
        let whole = if i.basis.article.trim().is_empty() {
            "全文，"
        } else {
            ""
        };
        format!(
            "{}（{whole}{}）：{}",
            i.basis.citation(),
            i.basis.status.label(),
            counts(i.sub_items, i.claims, i.checklists)
        )
    };
    if let Some(path) = &args.output {
        let all: Vec<Vec<String>> = l
            .articles
            .iter()
            .flat_map(|i| {
                let article = bases::article_label(&i.basis);
                let status = i.basis.status.label().to_string();
                rows(i).into_iter().map(move |r| {
                    let mut row = vec![article.clone(), status.clone()];
                    row.extend(r);
                    row
                })
            })
            .collect();
        write_xlsx(path, |tmp| {
            crate::xlsx::write::write_report(tmp, "依据影响范围", &title, &LAW_HEADERS, &all)?;
            Ok(())
        })?;
        say_err!("已导出到 {}", path.display());
    }
    if ctx.json {
        let first = l.law.bases.first();
        output::json(
            &vocab::Obj::new()
                .obj(
                    "law",
                    vocab::Obj::new()
                        .put("title", &l.law.title)
                        .put("name", &l.law.name)
                        .tag_opt("kind", first.map(|b| b.kind)),
                )
                .put("note", note)
                .objs("articles", l.articles.iter().map(impact_json).collect())
                .obj(
                    "totals",
                    vocab::Obj::new()
                        .put("article_count", l.articles.len())
                        .put("sub_item_count", l.sub_items)
                        .put("claim_count", l.claims)
                        .put("checklist_count", l.checklists),
                ),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    say!("{title}");
    for i in &l.articles {
        say!("");
        say!("{}", heading(i));
        if i.lines.is_empty() {
            say!("{NO_LINES}");
        } else {
            output::table(&HEADERS, &rows(i));
        }
    }
    say!("");
    say!("合计：{total}");
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
    let basis = resolve_one(&store, &actor, &args.which)?;
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
