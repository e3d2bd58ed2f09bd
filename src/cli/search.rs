//! `jianguan search QUERY`: the TUI's search from the shell.

use super::output::say;
use super::{Context, output, vocab};
use crate::app::views;
use crate::search::engine::Kind;
use clap::{Args, ValueEnum};
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// 部门
    Department,
    /// 监管事项主项
    MainItem,
    /// 监管事项子项
    Item,
    /// 地方监管事项（按名称、DF 编码或正式编码）
    LocalItem,
    /// 设定依据
    Basis,
}

#[derive(Args)]
#[command(after_help = "查询写法：\n  \
食品安全监督检查   名称中的字（连续的排在前，分散的在后）\n  \
spjdjc  shipin   拼音首字母或全拼，可不连续\n  \
食品 jc          空格分开的几个词须都匹配，顺序不限\n  \
食品安全法第87条  条款号写数字或汉字均可：87、第87条、八十七、第八十七条\n  \
1010  DF4101     编码开头\n\
没有完全匹配时（中文 4 字以上、拼音 5 个字母以上），错一个字的结果列在“近似结果”之下。")]
pub struct SearchArgs {
    /// 名称、拼音（首字母或全拼）、条款号或编码开头，如“食品安全”“spaq”“食品安全法 87”“1010”
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
    let index = views::search_index(&store, actor.as_ref())?;
    let wanted = args.kind.map(|k| match k {
        KindArg::Department => Kind::Department,
        KindArg::MainItem => Kind::MainItem,
        KindArg::Item => Kind::Item,
        KindArg::LocalItem => Kind::LocalItem,
        KindArg::Basis => Kind::Basis,
    });
    let mut hits = crate::search::worker::answer(&index, Some(&store), &args.query)?;
    hits.retain(|h| wanted.is_none_or(|k| index.entry(h.entry).kind == k));
    let total = hits.len();
    index.keep_best(&mut hits, args.limit);
    if ctx.json {
        let rows: Vec<_> = hits
            .iter()
            .map(|h| {
                let e = index.entry(h.entry);
                let o = vocab::Obj::new().tag("kind", e.kind);
                // A basis has no code: its id is what `basis … --id` takes.
                let o = match e.kind {
                    Kind::Basis => o.put("id", e.id),
                    Kind::Department => o,
                    _ => o.put("code", e.code),
                };
                let o = if e.alt_code.is_empty() {
                    o
                } else {
                    o.put("other_code", e.alt_code)
                };
                let o = o.put("name", e.text);
                let o = match e.kind {
                    Kind::Item | Kind::MainItem => o.put("department", e.detail),
                    _ => o.put("detail", e.detail),
                };
                o.tag("matched_by", h.how)
                    .put("near", h.is_near())
                    .put("score", h.score)
            })
            .collect();
        output::json(
            &vocab::Obj::new()
                .put("query", &args.query)
                .put("count", total)
                .objs("hits", rows),
        )?;
    } else {
        let mut near_said = false;
        for h in &hits {
            let e = index.entry(h.entry);
            if h.is_near() && !near_said {
                near_said = true;
                say!("—— 近似结果（错一个字）——");
            }
            let code = if e.alt_code.is_empty() {
                e.code.to_string()
            } else {
                format!("{}（原 {}）", e.code, e.alt_code)
            };
            let code = if code.is_empty() {
                String::new()
            } else {
                format!("{code}  ")
            };
            say!("{}  {code}{}  （{}）", e.kind.label(), e.text, e.detail);
        }
        if total == 0 {
            say!("没有找到“{}”", args.query);
        } else if total > hits.len() {
            say!("共 {total} 条，只列出前 {} 条（--limit 可调）", hits.len());
        }
    }
    Ok(if total == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
