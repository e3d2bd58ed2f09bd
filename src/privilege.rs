//! The data group's privilege in the server mode: the only code that holds it.
//!
//! The installed binary is setgid to a data group no person is in; the
//! server database lives in a directory only that group may enter. At start
//! the privilege is kept as the saved gid alone, so everything the program
//! does runs with the user's own ids; `with_data_group` raises it on the
//! calling thread for as long as SQLite opens (or closes) the configured
//! database and its -wal and -shm. Imports, exports, backups, drafts and any
//! other `--db` are therefore opened exactly as the user could open them.

use nix::unistd::{Gid, Group, getegid, getgid};
use std::cell::Cell;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The server configuration. A constant: a path the user could choose would
/// let them name any file for the privilege to open.
pub const CONFIG_PATH: &str = "/etc/jianguan.toml";

/// What `/etc/jianguan.toml` holds (written by `jianguan server-setup`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// The server database, an absolute path.
    pub db: PathBuf,
    /// The group the binary is setgid to and the database belongs to.
    pub data_group: String,
}

impl ServerConfig {
    pub fn to_toml(&self) -> String {
        // A path or group name that TOML cannot hold as a basic string
        // is refused by server-setup before it gets here.
        toml::to_string(self).unwrap_or_default()
    }
}

struct State {
    /// Started with an effective gid other than the real one.
    started_setgid: bool,
    server: Option<Server>,
}

struct Server {
    /// The configured database, resolved while the privilege could see it.
    db: PathBuf,
    data: Gid,
    real: Gid,
}

static STATE: OnceLock<State> = OnceLock::new();

/// Sets up the privilege. Call first thing in `main`: the process-wide
/// change of ids must happen while the process has one thread.
pub fn init() {
    let real = getgid();
    let effective = getegid();
    if real == effective {
        let _ = STATE.set(State {
            started_setgid: false,
            server: None,
        });
        return;
    }
    let server = match load(effective) {
        Ok((db, _)) => {
            // Effective back to the user's own gid; the data gid stays only
            // as the saved one, for `with_data_group` to raise.
            if let Err(e) = nix::unistd::setresgid(real, real, effective) {
                eprintln!("jianguan：无法放下数据组权限（{e}），不能继续运行");
                std::process::exit(1);
            }
            Some(Server {
                db,
                data: effective,
                real,
            })
        }
        Err(why) => {
            if let Err(e) = nix::unistd::setresgid(real, real, real) {
                eprintln!("jianguan：无法放下数据组权限（{e}），不能继续运行");
                std::process::exit(1);
            }
            eprintln!(
                "jianguan：{why}；本次以普通用户身份运行，不能打开服务器数据库\
                 （请 root 运行 chown root:root {CONFIG_PATH} && chmod 0644 {CONFIG_PATH}，\
                 或重新运行 jianguan server-setup）"
            );
            None
        }
    };
    let _ = STATE.set(State {
        started_setgid: true,
        server,
    });
}

fn state() -> &'static State {
    STATE.get_or_init(|| State {
        started_setgid: getgid() != getegid(),
        server: None,
    })
}

/// True when the program was started setgid (whether or not the
/// configuration was trusted): test switches are then never honoured.
pub fn started_setgid() -> bool {
    state().started_setgid
}

/// The configured server database, in the server mode.
pub fn server_db() -> Option<&'static Path> {
    state().server.as_ref().map(|s| s.db.as_path())
}

/// The configured database when `path` names it (resolved with the user's
/// own ids: a path only the privilege could resolve is not followed).
/// Opening that path with the privilege is what the server mode is for; the
/// caller opens the returned path, not the one it was given, so a symlink
/// the user swaps in the meantime leads nowhere else.
pub fn server_database(path: &Path) -> Option<&'static Path> {
    let db = server_db()?;
    if path == db {
        return Some(db);
    }
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    (resolve(&absolute).as_deref() == Some(db)).then_some(db)
}

/// The canonical form of `path`; for a file that cannot be resolved (it
/// does not exist yet, or its directory may not be entered), its resolved
/// directory and its name.
fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty())?;
    Some(std::fs::canonicalize(dir).ok()?.join(name))
}

thread_local! {
    /// Nesting depth of `with_data_group` on this thread.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f` with the data group as this thread's effective gid, and lowers
/// it again before returning, also on error or panic. Only for opening and
/// closing the configured database (see `store::open`). `f` must not spawn a
/// thread: a new thread inherits its creator's ids. Outside the server mode
/// it just runs `f`.
pub(crate) fn with_data_group<T>(f: impl FnOnce() -> T) -> T {
    let Some(server) = &state().server else {
        return f();
    };
    let _raised = Raised::new(server);
    f()
}

/// The raised effective gid of this thread; lowered when dropped.
struct Raised {
    real: Gid,
    raised: bool,
}

impl Raised {
    fn new(server: &Server) -> Raised {
        let outer = DEPTH.with(|d| {
            let depth = d.get();
            d.set(depth + 1);
            depth == 0
        });
        // A failed raise leaves the thread with the user's ids: the open
        // then fails as it would for the user.
        let raised = outer && set_thread_egid(server.data).is_ok();
        Raised {
            real: server.real,
            raised,
        }
    }
}

impl Drop for Raised {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
        if self.raised && set_thread_egid(self.real).is_err() {
            // Going on with the privilege raised is never acceptable.
            eprintln!("jianguan：无法放下数据组权限，立即退出");
            std::process::abort();
        }
    }
}

/// Sets the effective gid of the calling thread only. glibc's `setresgid`
/// would apply it to every thread of the process; the raw system call is
/// per thread on Linux.
fn set_thread_egid(gid: Gid) -> nix::Result<()> {
    #[cfg(any(target_arch = "x86", target_arch = "arm"))]
    let call = libc::SYS_setresgid32;
    #[cfg(not(any(target_arch = "x86", target_arch = "arm")))]
    let call = libc::SYS_setresgid;
    let unchanged = libc::gid_t::MAX;
    // SAFETY: setresgid takes three integers and touches no memory of ours.
    let rc = unsafe { libc::syscall(call, unchanged, gid.as_raw(), unchanged) };
    nix::errno::Errno::result(rc).map(drop)
}

/// Reads the trusted configuration and checks it against the binary's
/// group; returns the resolved database path. Runs while the data group is
/// still the effective gid (the database's directory may only be entered
/// with it).
fn load(effective: Gid) -> Result<(PathBuf, ServerConfig), String> {
    let config = read_config(Path::new(CONFIG_PATH))?;
    let group = Group::from_name(&config.data_group)
        .ok()
        .flatten()
        .ok_or_else(|| {
            format!(
                "{CONFIG_PATH} 中的数据组“{}”在系统中不存在",
                config.data_group
            )
        })?;
    if group.gid != effective {
        return Err(format!(
            "{CONFIG_PATH} 中的数据组“{}”（gid {}）不是本程序文件所属的组（gid {}）",
            config.data_group, group.gid, effective
        ));
    }
    let db = resolve(&config.db).unwrap_or_else(|| config.db.clone());
    Ok((db, config))
}

/// Why a configuration file may not be trusted, if it may not: it must be a
/// regular file (not a link) owned by root that no group or other may write.
pub fn distrust(is_file: bool, uid: u32, mode: u32) -> Option<String> {
    if !is_file {
        Some("不是普通文件".into())
    } else if uid != 0 {
        Some(format!("属主不是 root（uid {uid}）"))
    } else if mode & 0o022 != 0 {
        Some(format!(
            "除 root 外还有人可以写入（权限 {:04o}）",
            mode & 0o7777
        ))
    } else {
        None
    }
}

/// Reads and checks a server configuration file.
pub fn read_config(path: &Path) -> Result<ServerConfig, String> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "没有服务器配置 {}（请由 root 运行 jianguan server-setup）",
                path.display()
            ),
            _ => format!("无法读取服务器配置 {}：{e}", path.display()),
        })?;
    // Checked on the open file, so what is read is what was checked.
    let meta = file
        .metadata()
        .map_err(|e| format!("无法读取服务器配置 {}：{e}", path.display()))?;
    if let Some(why) = distrust(meta.is_file(), meta.uid(), meta.mode()) {
        return Err(format!(
            "服务器配置 {} 不可信：{why}（应为 root 所有、权限 0644）",
            path.display()
        ));
    }
    let mut text = String::new();
    file.by_ref()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| format!("无法读取服务器配置 {}：{e}", path.display()))?;
    let config: ServerConfig = toml::from_str(&text)
        .map_err(|e| format!("服务器配置 {} 格式有误：{e}", path.display()))?;
    if !config.db.is_absolute() {
        return Err(format!(
            "服务器配置 {} 中的 db 必须是绝对路径（现为 {}）",
            path.display(),
            config.db.display()
        ));
    }
    Ok(config)
}

/// The (device, inode) of the server database and its -wal and -shm as
/// this process opened them. Their descriptors stay reachable through
/// /proc/self/fd, which ignores the directory's permissions: a user file
/// named that way must not be read through them.
static SERVER_FILES: std::sync::Mutex<Vec<(u64, u64)>> = std::sync::Mutex::new(Vec::new());

/// Records the server files; call while the privilege is raised, after
/// SQLite has opened them.
pub(crate) fn remember_server_files(db: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(mut known) = SERVER_FILES.lock() else {
        return;
    };
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        if let Ok(m) = std::fs::metadata(&name)
            && !known.contains(&(m.dev(), m.ino()))
        {
            known.push((m.dev(), m.ino()));
        }
    }
}

/// Whether an open file is one of the server's.
pub fn is_server_file(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    SERVER_FILES
        .lock()
        .map(|known| known.contains(&(meta.dev(), meta.ino())))
        .unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn only_a_root_owned_regular_file_that_only_root_may_write_is_trusted() {
        assert_eq!(distrust(true, 0, 0o100644), None);
        assert_eq!(distrust(true, 0, 0o100600), None);
        assert_eq!(distrust(true, 0, 0o100444), None);
        assert_eq!(
            distrust(true, 0, 0o100664).as_deref(),
            Some("除 root 外还有人可以写入（权限 0664）")
        );
        assert_eq!(
            distrust(true, 0, 0o100646).as_deref(),
            Some("除 root 外还有人可以写入（权限 0646）")
        );
        assert_eq!(
            distrust(true, 1000, 0o100644).as_deref(),
            Some("属主不是 root（uid 1000）")
        );
        assert_eq!(
            distrust(false, 0, 0o040755).as_deref(),
            Some("不是普通文件")
        );
    }

    fn write(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    #[test]
    fn a_configuration_file_is_read_only_when_trusted_and_well_formed() {
        let dir = tempfile::tempdir().unwrap();
        let good = "db = \"/srv/jianguan/city.db\"\ndata_group = \"jianguan-data\"\n";
        let p = write(dir.path(), "good.toml", good, 0o644);
        let me = nix::unistd::geteuid();
        if me.is_root() {
            assert_eq!(
                read_config(&p).unwrap(),
                ServerConfig {
                    db: "/srv/jianguan/city.db".into(),
                    data_group: "jianguan-data".into()
                }
            );
            let writable = write(dir.path(), "writable.toml", good, 0o664);
            let e = read_config(&writable).unwrap_err();
            assert!(
                e.contains("不可信：除 root 外还有人可以写入（权限 0664）"),
                "{e}"
            );
            let relative = write(
                dir.path(),
                "relative.toml",
                "db = \"city.db\"\ndata_group = \"g\"\n",
                0o644,
            );
            let e = read_config(&relative).unwrap_err();
            assert!(e.contains("必须是绝对路径"), "{e}");
            let unknown = write(
                dir.path(),
                "unknown.toml",
                "db = \"/x.db\"\ndata_group = \"g\"\nextra = 1\n",
                0o644,
            );
            assert!(read_config(&unknown).unwrap_err().contains("格式有误"));
            // Handed to a user: no longer root's.
            let theirs = write(dir.path(), "theirs.toml", good, 0o644);
            nix::unistd::chown(&theirs, Some(nix::unistd::Uid::from_raw(4242)), None).unwrap();
            let e = read_config(&theirs).unwrap_err();
            assert!(e.contains("属主不是 root（uid 4242）"), "{e}");
        } else {
            let e = read_config(&p).unwrap_err();
            assert!(e.contains("属主不是 root"), "{e}");
        }
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        let e = read_config(&link).unwrap_err();
        assert!(
            e.contains("无法读取服务器配置"),
            "a link is not followed: {e}"
        );
        let e = read_config(&dir.path().join("none.toml")).unwrap_err();
        assert!(e.contains("没有服务器配置"), "{e}");
    }

    #[test]
    fn the_written_configuration_reads_back() {
        let c = ServerConfig {
            db: "/srv/监管/city.db".into(),
            data_group: "jianguan-data".into(),
        };
        let back: ServerConfig = toml::from_str(&c.to_toml()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn outside_the_server_mode_nothing_is_raised() {
        assert_eq!(with_data_group(getegid), getegid());
        assert_eq!(server_database(Path::new("/srv/jianguan/city.db")), None);
    }
}
