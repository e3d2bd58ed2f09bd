//! `jianguan whoami`, and the overview shown by plain `jianguan`.

use super::output::{say, say_err};
use super::{Context, init, output};
use crate::app::Actor;
use crate::domain::format_time;
use crate::store;
use std::process::ExitCode;

/// The account line of the TUI's title.
fn describe_actor(
    store: &crate::store::Store,
    actor: &Result<Actor, crate::app::AppError>,
    login: &str,
) -> String {
    match actor {
        Ok(a) => {
            let acc = a.effective();
            let unit = store::units::unit(store.conn(), acc.unit_id)
                .map(|u| u.full_name())
                .unwrap_or_default();
            let acting = match &a.acting_as {
                Some(_) => format!("，由 {} 代为操作", a.real.name),
                None => String::new(),
            };
            format!("{}（{}，{}{}）", acc.name, unit, acc.role.label(), acting)
        }
        Err(_) => format!("系统用户 {login} 没有账号：只能浏览"),
    }
}

fn tui(ctx: &Context, store: crate::store::Store) -> anyhow::Result<ExitCode> {
    use crate::tui::keymap::Keymap;
    let actor = ctx.actor(&store);
    // Browsing without an account is fine; a failed --as is not.
    if ctx.as_login.is_some()
        && let Err(e) = &actor
    {
        anyhow::bail!("{e}");
    }
    let who = describe_actor(&store, &actor, &ctx.login);
    let (keymap, warning) = Keymap::load(Keymap::user_file().as_deref());
    let mut app = crate::tui::app::App::new(store, actor.ok(), keymap, who)?;
    if let Some(w) = warning {
        app.status = w;
    }
    crate::tui::run(app)?;
    Ok(ExitCode::SUCCESS)
}

pub fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    let actor = match Actor::resolve(&store, &ctx.login, ctx.as_login.as_deref()) {
        Ok(a) => a,
        Err(e @ crate::app::AppError::NoAccount(_)) => {
            if ctx.json {
                output::json(&serde_json::json!({ "login": ctx.login, "account": null }))?;
            } else {
                say!("{e}");
            }
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(e.into()),
    };
    let account = actor.effective();
    let unit = store::units::unit(store.conn(), account.unit_id)?;
    if ctx.json {
        output::json(&serde_json::json!({
            "login": ctx.login,
            "account": account,
            "acting_for": actor.acting_as.as_ref().map(|_| &account.login),
            "unit": unit,
            "database": ctx.db,
        }))?;
    } else {
        say!("系统用户：{}", ctx.login);
        if let Some(other) = &actor.acting_as {
            say!("代为操作：{}（{}）", other.name, other.login);
        }
        say!("姓名：{}", account.name);
        say!("单位：{}", unit.full_name());
        say!("角色：{}", account.role.label());
        if !account.office_post.is_empty() {
            say!("处室及职务：{}", account.office_post);
        }
        say!("数据库：{}", ctx.db.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Plain `jianguan`: create the demo database on first use of the default
/// path, then open the TUI (or, when output is not a terminal, print where
/// things stand).
pub fn overview(ctx: &Context, default_path: bool) -> anyhow::Result<ExitCode> {
    if default_path && std::fs::symlink_metadata(&ctx.db).is_err() {
        say_err!("首次运行：在 {} 创建演示数据库……", ctx.db.display());
        // Another first run that got there meanwhile made the same demo.
        if let Err(e) = init::create(ctx, true, None, None)
            && std::fs::symlink_metadata(&ctx.db).is_err()
        {
            return Err(e);
        }
    }
    let store = ctx.open()?;
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() && !ctx.json {
        return tui(ctx, store);
    }
    let conn = store.conn();
    let counts = store::catalogue::counts(conn)?;
    let who = match ctx.actor(&store) {
        Ok(a) => {
            let unit = store::units::unit(conn, a.effective().unit_id)?;
            format!(
                "{}（{}，{}）",
                a.effective().name,
                unit.full_name(),
                a.effective().role.label()
            )
        }
        Err(e) => e.to_string(),
    };
    if ctx.json {
        output::json(&serde_json::json!({
            "database": ctx.db,
            "catalogue": counts,
            "claims": store::claims::count_claims(conn)?,
            "checklists": store::checklists::count(conn)?,
            "milestones": store::milestones::list(conn)?,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    say!("数据库：{}", ctx.db.display());
    say!("当前账号：{who}");
    say!(
        "目录：{} 个监管部门，{} 个主项，{} 个子项，{} 项设定依据",
        counts.departments,
        counts.main_items,
        counts.sub_items,
        counts.legal_bases
    );
    say!(
        "认领 {} 条，检查实施清单 {} 份",
        store::claims::count_claims(conn)?,
        store::checklists::count(conn)?
    );
    say!("时间节点：");
    for m in store::milestones::list(conn)? {
        say!(
            "  {}  {}（{}）",
            format_time(m.due_at),
            m.name,
            m.audience.label()
        );
    }
    say!("\n可用命令见 `jianguan --help`。");
    Ok(ExitCode::SUCCESS)
}
