//! `jianguan whoami`, and the overview shown by plain `jianguan`.

use super::output::{say, say_err};
use super::{Context, init, output, vocab};
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

/// What marks a demo database wherever the database is named.
pub const DEMO: &str = "演示数据";

/// The database as the overview and whoami name it: its path, and
/// 演示数据 for a demo.
fn database_line(ctx: &Context, demo: bool) -> String {
    let mark = if demo {
        format!("（{DEMO}，不是真实数据）")
    } else {
        String::new()
    };
    format!("数据库：{}{mark}", ctx.db_shown())
}

pub fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    let demo = store::units::is_demo(store.conn())?;
    let database = || {
        vocab::Obj::new()
            .put("database", ctx.db_shown())
            .put("demo", demo)
    };
    let actor = match Actor::resolve(&store, &ctx.login, ctx.as_login.as_deref()) {
        Ok(a) => a,
        Err(e @ crate::app::AppError::NoAccount(_)) => {
            if ctx.json {
                output::json(
                    &vocab::Obj::new()
                        .put("login", &ctx.login)
                        .put("account", None::<()>)
                        .put("acting_as", None::<()>)
                        .extend(database()),
                )?;
            } else {
                say!("{e}");
                say!("{}", database_line(ctx, demo));
            }
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(e.into()),
    };
    let account = actor.effective();
    let unit = store::units::unit(store.conn(), account.unit_id)?;
    if ctx.json {
        output::json(
            &vocab::Obj::new()
                .put("login", &ctx.login)
                .obj("account", vocab::account(account, &unit))
                .put(
                    "acting_as",
                    actor.acting_as.as_ref().map(|a| a.login.as_str()),
                )
                .extend(database()),
        )?;
    } else {
        say!("系统用户：{}", ctx.login);
        if store.is_postgres() && actor.real.login != ctx.login {
            say!("数据库角色：{}（按此角色对应账号）", actor.real.login);
        }
        if let Some(other) = &actor.acting_as {
            say!("代为操作：{}（{}）", other.name, other.login);
        }
        say!("姓名：{}", account.name);
        say!("单位：{}", unit.full_name());
        say!("角色：{}", account.role.label());
        if !account.office_post.is_empty() {
            say!("处室及职务：{}", account.office_post);
        }
        say!("{}", database_line(ctx, demo));
    }
    Ok(ExitCode::SUCCESS)
}

/// Plain `jianguan`: create the demo database on first use of the default
/// path, then open the TUI (or, when output is not a terminal, print where
/// things stand).
pub fn overview(ctx: &Context, default_path: bool) -> anyhow::Result<ExitCode> {
    let mut created = false;
    if default_path && std::fs::symlink_metadata(&ctx.db).is_err() {
        // Another first run that got there meanwhile made the same demo.
        match init::create(ctx, true, None, None) {
            Ok(_) => created = true,
            Err(e) if std::fs::symlink_metadata(&ctx.db).is_err() => return Err(e),
            Err(_) => {}
        }
    }
    if created {
        say_err!(
            "首次运行：已创建演示数据库 {}\n\
             其中的单位、人员、统一社会信用代码和清单都是生成的示例（{DEMO}），不能用于正式填报。\n\
             建立正式数据库：jianguan init --db 路径（平台管理员运行；多人共享的服务器由 root 运行 jianguan server-setup），\n\
             之后用 jianguan --db 路径（或环境变量 JIANGUAN_DB）打开它。",
            ctx.db.display()
        );
    }
    let store = ctx.open()?;
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() && !ctx.json {
        if created {
            // The screen is about to be cleared: the notice must be read first.
            eprint!("按回车键打开演示数据库的终端界面……");
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
        }
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
    let demo = store::units::is_demo(conn)?;
    if ctx.json {
        let milestones: Vec<_> = store::milestones::list(conn)?
            .iter()
            .map(vocab::milestone)
            .collect();
        output::json(
            &vocab::Obj::new()
                .put("database", ctx.db_shown())
                .put("demo", demo)
                .put("department_count", counts.departments)
                .put("main_item_count", counts.main_items)
                .put("sub_item_count", counts.sub_items)
                .put("legal_basis_count", counts.legal_bases)
                .put("power_list_count", counts.power_list)
                .put("claim_count", store::claims::count_claims(conn)?)
                .put("checklist_count", store::checklists::count(conn)?)
                .objs("milestones", milestones),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    say!("{}", database_line(ctx, demo));
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
