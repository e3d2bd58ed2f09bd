//! `jianguan backup FILE`: a consistent copy of the database, taken while
//! others keep working, checked before it takes its name.

use super::Context;
use super::output::say;
use crate::app::AppError;
use crate::domain::Role;
use crate::domain::permission::Denied;
use crate::files::{Replace, TempFile};
use crate::store::{Store, changelog};
use anyhow::{Context as _, bail};
use clap::Args;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct BackupArgs {
    /// 备份文件（仅平台管理员可备份；不能是正在使用的数据库本身）
    file: PathBuf,
    /// 用新备份替换已有的文件（整体替换；正在被使用的数据库不会被替换）
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Context, args: &BackupArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    // A backup holds everything, classified items included.
    let actor = ctx.actor(&store)?;
    if actor.effective().role != Role::PlatformAdmin {
        return Err(AppError::Denied(Denied(format!(
            "只有平台管理员可以备份数据库（备份含全部数据，包括涉密事项），{}的角色是{}",
            actor.effective().name,
            actor.effective().role.label()
        )))
        .into());
    }
    let target = &args.file;
    if store.is_postgres() {
        let (entries, head) = changelog::head(store.conn())?;
        let url = store.path().display().to_string();
        let server = crate::store::postgres::server_options(&url);
        let owner = crate::store::postgres::owner(store.conn())?;
        let restored = crate::store::postgres::with_database(&url, "新库名");
        let database = shell_word(std::path::Path::new(
            &crate::store::postgres::database_name(&url),
        ));
        let file = shell_word(target);
        bail!(
            "PostgreSQL 数据库由服务器备份，jianguan 不写备份文件（{} 未创建）。请由数据库管理员以表的属主（或超级用户）运行：\n  \
             pg_dump -Fc {server} -U {owner} -d {database} -f {file}\n\
             恢复到新库（由超级用户建库，属主仍为 {owner}，再以属主恢复）：\n  \
             createdb {server} -U 超级用户 -O {owner} 新库名 && pg_restore {server} -U {owner} -d 新库名 {file}\n\
             再运行 jianguan --db '{restored}' check --head {entries}:{head} 证明恢复的是这份操作记录；\n\
             并对新库运行 jianguan pg-roles，按其说明执行，各账号才能登录。\n\
             当前操作记录 {entries} 条，链头 {entries}:{head}（请记下）",
            target.display(),
        );
    }
    if is_same_file(target, &store) {
        bail!("备份文件不能是数据库本身：{}", target.display());
    }
    if let Ok(meta) = std::fs::symlink_metadata(target) {
        if !args.force {
            bail!(
                "{} 已存在，未作修改；换一个文件名，或加 --force 替换",
                target.display()
            );
        }
        if meta.is_dir() {
            bail!("{} 是一个目录；请给出备份文件名", target.display());
        }
        refuse_if_open(target)?;
    }
    let t = Instant::now();
    let mut tmp = TempFile::create(target, "backup")?;
    store
        .backup_into(tmp.path(), || tmp.opened_elsewhere_here() != Some(false))
        .with_context(|| format!("未能备份到 {}，未作改动", target.display()))?;
    if !tmp.is_still_ours() {
        bail!(
            "备份用的临时文件 {} 被他人改动，已放弃；{} 未作改动",
            tmp.path().display(),
            target.display()
        );
    }
    let took = t.elapsed().as_secs_f64();
    // The copy must stand on its own before it gets the name.
    let (count, hash) = {
        let copy = Store::open_copy(tmp.path())
            .with_context(|| format!("无法打开刚做的备份，未写入 {}", target.display()))?;
        let mut problems: Vec<String> = copy
            .integrity_check()?
            .into_iter()
            .filter(|l| l != "ok")
            .collect();
        problems.extend(changelog::verify(copy.conn())?);
        if !problems.is_empty() {
            bail!(
                "备份未通过检查，已丢弃，{} 未作改动：{}",
                target.display(),
                problems.join("；")
            );
        }
        changelog::head(copy.conn())?
    };
    let group_note = match_live_file(&tmp, &store)?;
    let size = tmp.file().metadata().map(|m| m.len()).unwrap_or(0);
    if args.force && std::fs::symlink_metadata(target).is_ok() {
        // Again, just before: a database opened meanwhile is not replaced.
        refuse_if_open(target)?;
        tmp.persist(Replace::Atomically)?;
    } else {
        tmp.persist(Replace::Never)?;
    }
    say!(
        "已备份到 {}：{:.1} MB，用时 {took:.1} 秒，副本检查通过",
        target.display(),
        size as f64 / 1_048_576.0,
    );
    say!(
        "副本的操作记录 {count} 条，链头 {count}:{hash}（请记下；日后可用 jianguan check --head {count}:{hash} 证明此前的记录未被改写或截断）"
    );
    if let Some(note) = group_note {
        say!("{note}");
    }
    Ok(ExitCode::SUCCESS)
}

fn is_same_file(a: &Path, store: &Store) -> bool {
    match (std::fs::metadata(a), store.file_metadata()) {
        (Ok(x), Ok(y)) => (x.dev(), x.ino()) == (y.dev(), y.ino()),
        _ => false,
    }
}

/// Replacing a database that a process has open corrupts it for that
/// process (its -wal would be replayed onto the new file): refused when
/// SQLite's files are beside it or a lock on it is held.
fn refuse_if_open(target: &Path) -> anyhow::Result<()> {
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        if std::fs::symlink_metadata(&side).is_ok() {
            bail!(
                "{} 是正在使用（或未正常关闭）的数据库：旁边有 {}。替换它会损坏正在使用它的程序的数据，未作改动；\
                 请换一个文件名，或让使用它的人都退出（{} 随之消失）后再加 --force",
                target.display(),
                side.display(),
                side.display()
            );
        }
    }
    if let Some(pid) = lock_holder(target) {
        bail!(
            "{} 正被进程 {pid} 使用（持有数据库锁），未作改动；请换一个文件名，或等它退出后再加 --force",
            target.display()
        );
    }
    Ok(())
}

/// The process holding one of SQLite's locks on `path` (the lock bytes at
/// 1 GiB), if any: F_GETLK asks without taking one.
fn lock_holder(path: &Path) -> Option<i32> {
    use nix::libc;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    // SAFETY: F_GETLK on an open descriptor with a zeroed, filled flock.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_WRLCK as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    lock.l_start = 0x4000_0000;
    lock.l_len = 512 + 2;
    let r = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut lock) };
    (r == 0 && lock.l_type != libc::F_UNLCK as libc::c_short).then_some(lock.l_pid)
}

/// The live file's mode and group, so that a backup is no more readable
/// than the database. The group only where the user may give it (a member
/// of that group): otherwise it stays the user's, and the note says so.
fn match_live_file(tmp: &TempFile, store: &Store) -> anyhow::Result<Option<String>> {
    let live_meta = store
        .file_metadata()
        .with_context(|| format!("无法读取 {} 的属性", store.path().display()))?;
    let mut note = None;
    let mine = std::fs::metadata(tmp.path())?.gid();
    if live_meta.gid() != mine
        && let Err(e) = tmp.set_group(live_meta.gid())
    {
        let name = |gid: u32| {
            nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(gid))
                .ok()
                .flatten()
                .map_or_else(|| gid.to_string(), |g| g.name)
        };
        note = Some(if crate::privilege::server_db().is_some() {
            // The server mode: nobody is in the data group, by design.
            format!(
                "备份文件只有你能读写（权限 0600，用户组 {}）；服务器数据库的数据组 {} 不含任何人，这是正常的",
                name(mine),
                name(live_meta.gid())
            )
        } else {
            format!(
                "注意：备份文件的用户组为 {}，而不是数据库的 {}（{}），因此只有你能读写（权限 0600）",
                name(mine),
                name(live_meta.gid()),
                if e.kind() == std::io::ErrorKind::PermissionDenied {
                    "你不在该组中"
                } else {
                    "无法更改"
                }
            )
        });
    }
    // A copy that could not take the database's group keeps no group or
    // other access: whoever is in the group it got instead (that of the
    // directory, say) must not read every account and 涉密 item in it.
    let mode = if note.is_some() {
        live_meta.mode() & 0o700
    } else {
        live_meta.mode() & 0o777
    };
    tmp.set_mode(mode)?;
    Ok(note)
}

/// A file name as a shell reads it: quoted when it holds anything but
/// letters, digits and `/._-+:`.
fn shell_word(path: &Path) -> String {
    let s = path.display().to_string();
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+:".contains(&b))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
