//! `jianguan search QUERY`: the TUI's search from the shell.

use super::output::say;
use super::{Context, output, vocab};
use crate::app::views;
use crate::search::engine::{Index, Kind};
use clap::{Args, ValueEnum};
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// 监管事项
    Item,
    /// 设定依据
    Basis,
}

#[derive(Args)]
pub struct SearchArgs {
    /// 名称、编码前缀、拼音首字母或全拼，如“食品安全”“spaq”“shipin”“1010”
    query: String,
    /// 只找一种
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// 最多列出几条
    #[arg(long, default_value_t = 20)]
    limit: usize,
}

pub fn run(ctx: &Context, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    let actor = ctx.actor(&store).ok();
    let index = Index::new(views::search_entries(&store, actor.as_ref())?);
    let wanted = args.kind.map(|k| match k {
        KindArg::Item => Kind::Item,
        KindArg::Basis => Kind::Basis,
    });
    let mut hits = index.search(&args.query, None);
    if crate::search::engine::wants_excerpts(&args.query) {
        let ids = crate::store::catalogue::bases_containing(store.conn(), &args.query)?;
        index.add_excerpt_hits(&mut hits, &ids);
        let n = hits.len();
        index.keep_best(&mut hits, n);
    }
    let hits: Vec<_> = hits
        .into_iter()
        .filter(|h| wanted.is_none_or(|k| index.entry(h.entry).kind == k))
        .collect();
    let total = hits.len();
    // Grouped as the TUI shows them: items, then bases.
    let mut shown: Vec<_> = hits.into_iter().take(args.limit).collect();
    shown.sort_by_key(|h| index.entry(h.entry).kind);
    if ctx.json {
        let rows: Vec<_> = shown
            .iter()
            .map(|h| {
                let e = index.entry(h.entry);
                // A basis has no code: its id is what `basis … --id` takes.
                let o = vocab::Obj::new().tag("kind", e.kind);
                let o = match e.kind {
                    Kind::Item => o
                        .put("code", &e.code)
                        .put("name", &e.text)
                        .put("department", &*e.detail),
                    Kind::Basis => o
                        .put("id", e.id)
                        .put("name", &e.text)
                        .put("detail", &*e.detail),
                };
                o.tag("matched_by", h.how).put("score", h.score)
            })
            .collect();
        output::json(
            &vocab::Obj::new()
                .put("query", &args.query)
                .put("count", total)
                .objs("hits", rows),
        )?;
    } else {
        let mut kind = None;
        for h in &shown {
            let e = index.entry(h.entry);
            if kind != Some(e.kind) {
                kind = Some(e.kind);
                say!("{}：", e.kind.label());
            }
            match e.kind {
                Kind::Item => say!("  {}  {}  （{}）", e.code, e.text, e.detail),
                Kind::Basis => say!("  {}  （{}）", e.text, e.detail),
            }
        }
        if total == 0 {
            say!("没有找到“{}”", args.query);
        } else if total > shown.len() {
            say!("共 {total} 条，只列出前 {} 条（--limit 可调）", shown.len());
        }
    }
    Ok(if total == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
