//! The one way a file is written for the user (exports, reports, backups,
//! new databases). The target's directory may be shared with others who can
//! plant names in it, so: the content goes to a temporary file created
//! exclusively (never through a symlink) under an unpredictable name beside
//! the target, and only a complete file is moved into place — by link(2),
//! which never replaces anything, or by rename(2), which replaces the
//! directory entry (a symlink there is replaced, never written through). A
//! failure, a panic or SIGINT/SIGTERM/SIGHUP removes the temporary file;
//! the target is untouched until the move.

use anyhow::{Context as _, anyhow, bail};
use std::ffi::CString;
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

/// What moving the finished file into place may do to an existing target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Fail, naming the target, if anything exists there.
    Never,
    /// Replace the directory entry in one step (readers see the old file or
    /// the new one, never a half-written one).
    Atomically,
}

/// Writes `target` through `write`, with the mode a newly created file
/// gets (0666 less the umask) and the directory's group.
pub fn write_new(
    target: &Path,
    replace: Replace,
    write: impl FnOnce(&mut File) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    // Said before the work, not after it: the move would refuse anyway.
    if let Ok(meta) = std::fs::symlink_metadata(target) {
        if meta.is_dir() {
            bail!("无法写入 {}：这是一个目录，未作改动", target.display());
        }
        if replace == Replace::Never {
            return Err(cannot_place(
                target,
                &std::io::Error::from(ErrorKind::AlreadyExists),
            ));
        }
    }
    let mut tmp = TempFile::create(target, "tmp")?;
    write(tmp.file()).with_context(|| format!("未能写成 {}，该文件未作改动", target.display()))?;
    tmp.set_mode(0o666 & !umask())?;
    tmp.persist(replace)
}

/// An export or report (.xlsx): written whole, then put in place of
/// whatever the target named (exports have always overwritten).
pub fn write_xlsx(
    target: &Path,
    write: impl FnOnce(&mut File) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if target.extension().and_then(|e| e.to_str()) != Some("xlsx") {
        bail!("输出文件应以 .xlsx 结尾：{}", target.display());
    }
    write_new(target, Replace::Atomically, write)
}

/// The directory a target lives in ("." for a bare file name).
pub fn dir_of(target: &Path) -> &Path {
    target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The process's umask, read without changing it (umask(2) cannot).
pub fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// 16 hex digits from /dev/urandom (the clock and pid only when that cannot
/// be read: O_EXCL still keeps the file ours, the name is just guessable).
fn random_suffix() -> String {
    let mut bytes = [0u8; 8];
    let read = File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    let n = match read {
        Ok(()) => u64::from_ne_bytes(bytes),
        Err(_) => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            nanos ^ (u64::from(std::process::id()) << 40)
        }
    };
    format!("{n:016x}")
}

/// Why a file could not be made in `dir`, from the error's kind.
fn cannot_create(dir: &Path, target: &Path, e: &std::io::Error) -> anyhow::Error {
    let why = match e.kind() {
        ErrorKind::NotFound if !dir.exists() => format!("目录 {} 不存在", dir.display()),
        ErrorKind::NotFound => format!("无法在目录 {} 中新建文件", dir.display()),
        ErrorKind::PermissionDenied => format!("没有在目录 {} 中新建文件的权限", dir.display()),
        ErrorKind::NotADirectory => format!("{} 不是目录", dir.display()),
        ErrorKind::ReadOnlyFilesystem => "所在的文件系统只读".to_string(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "磁盘已满或超出配额".to_string(),
        _ => e.to_string(),
    };
    anyhow!("无法写入 {}：{why}，未作改动", target.display())
}

/// Why the finished file could not take the target's name.
fn cannot_place(target: &Path, e: &std::io::Error) -> anyhow::Error {
    let why = match e.kind() {
        ErrorKind::AlreadyExists => {
            return anyhow!(
                "{} 已存在，未作修改；换一个文件名，或先移走该文件",
                target.display()
            );
        }
        ErrorKind::IsADirectory | ErrorKind::DirectoryNotEmpty => "这是一个目录".to_string(),
        ErrorKind::PermissionDenied => format!(
            "没有在目录 {} 中改名或替换文件的权限",
            dir_of(target).display()
        ),
        ErrorKind::ReadOnlyFilesystem => "所在的文件系统只读".to_string(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "磁盘已满或超出配额".to_string(),
        _ => e.to_string(),
    };
    anyhow!("无法写入 {}：{why}，未作改动", target.display())
}

/// A file of ours under a temporary name beside its target, removed unless
/// `persist` moves it into place.
pub struct TempFile {
    path: PathBuf,
    target: PathBuf,
    file: File,
    /// (device, inode) of what we created: the name is removed or moved only
    /// while it still names this file.
    id: (u64, u64),
    done: bool,
    signals: Option<SignalCleanup>,
}

impl TempFile {
    /// `.NAME.TAG-RANDOM` beside `target`: a new empty file, mode 0600,
    /// created with O_CREAT|O_EXCL|O_NOFOLLOW (a name planted there, symlink
    /// or not, makes this try another name, never opens it).
    pub fn create(target: &Path, tag: &str) -> anyhow::Result<TempFile> {
        let dir = dir_of(target);
        let name = target
            .file_name()
            .with_context(|| format!("{} 不是文件名", target.display()))?;
        for _ in 0..16 {
            let mut tmp_name = std::ffi::OsString::from(".");
            tmp_name.push(name);
            tmp_name.push(format!(".{tag}-{}", random_suffix()));
            let path = dir.join(&tmp_name);
            let opened = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_CLOEXEC)
                .open(&path);
            match opened {
                Ok(file) => {
                    let meta = file.metadata()?;
                    return Ok(TempFile {
                        path,
                        target: target.to_path_buf(),
                        file,
                        id: (meta.dev(), meta.ino()),
                        done: false,
                        signals: None,
                    });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(cannot_create(dir, target, &e)),
            }
        }
        bail!(
            "无法在目录 {} 中新建临时文件（名称一再被占用），未写入 {}",
            dir.display(),
            target.display()
        )
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the file (and SQLite's files beside it) on SIGINT, SIGTERM
    /// and SIGHUP too, until it is persisted or dropped: for long builds.
    pub fn remove_on_signal(&mut self) {
        if self.signals.is_none() {
            self.signals = Some(SignalCleanup::new(&self.path));
        }
    }

    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// True while the temporary name still names the file we created.
    pub fn is_still_ours(&self) -> bool {
        std::fs::symlink_metadata(&self.path)
            .map(|m| (m.dev(), m.ino()) == self.id)
            .unwrap_or(false)
    }

    pub fn set_mode(&self, mode: u32) -> anyhow::Result<()> {
        self.file
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("无法设置 {} 的权限", self.path.display()))
    }

    /// Whether another descriptor of this process has the file we created
    /// open: after SQLite opened the temporary name, proof that it opened
    /// this file and not one swapped in under the name meanwhile. None
    /// where /proc cannot tell.
    pub fn opened_elsewhere_here(&self) -> Option<bool> {
        use std::os::fd::AsRawFd;
        let own = self.file.as_raw_fd().to_string();
        let entries = std::fs::read_dir("/proc/self/fd").ok()?;
        Some(entries.flatten().any(|e| {
            e.file_name().to_str() != Some(own.as_str())
                && std::fs::metadata(e.path()).is_ok_and(|m| (m.dev(), m.ino()) == self.id)
        }))
    }

    /// Gives the file to `gid` (EPERM when the user is not in that group).
    pub fn set_group(&self, gid: u32) -> std::io::Result<()> {
        std::os::unix::fs::fchown(&self.file, None, Some(gid))
    }

    /// Flushes the content to disk and moves the file to its target's name;
    /// then flushes the directory, so the name survives a power cut.
    pub fn persist(mut self, replace: Replace) -> anyhow::Result<()> {
        self.file
            .sync_all()
            .map_err(|e| cannot_create(dir_of(&self.target), &self.target, &e))?;
        if !self.is_still_ours() {
            bail!(
                "临时文件 {} 已被他人改动或移走，未写入 {}",
                self.path.display(),
                self.target.display()
            );
        }
        match replace {
            Replace::Never => self.link_into_place()?,
            Replace::Atomically => std::fs::rename(&self.path, &self.target)
                .map_err(|e| cannot_place(&self.target, &e))?,
        }
        self.done = true;
        // The file is in place; a directory that cannot be synced (some
        // filesystems refuse) only loses durability, not the file.
        if let Ok(d) = File::open(dir_of(&self.target)) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// link(2) fails if the target exists (a symlink included) and never
    /// follows one; then the temporary name goes. Where hard links are not
    /// supported, renameat2(RENAME_NOREPLACE) gives the same guarantee.
    fn link_into_place(&mut self) -> anyhow::Result<()> {
        match link_open_file(&self.file, &self.path, &self.target) {
            Ok(()) => {
                let _ = std::fs::remove_file(&self.path);
                Ok(())
            }
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(nix::libc::EPERM | nix::libc::EOPNOTSUPP | nix::libc::EMLINK)
                ) =>
            {
                nix::fcntl::renameat2(
                    nix::fcntl::AT_FDCWD,
                    &self.path,
                    nix::fcntl::AT_FDCWD,
                    &self.target,
                    nix::fcntl::RenameFlags::RENAME_NOREPLACE,
                )
                .map_err(|errno| cannot_place(&self.target, &std::io::Error::from(errno)))
            }
            Err(e) => Err(cannot_place(&self.target, &e)),
        }
    }
}

/// Links the very file `file` has open at `target` (through its
/// /proc/self/fd entry, so a name swapped meanwhile cannot be what gets
/// linked); by its path where /proc is not mounted.
fn link_open_file(file: &File, path: &Path, target: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let by_fd = format!("/proc/self/fd/{}", file.as_raw_fd());
    if !Path::new(&by_fd).exists() {
        return std::fs::hard_link(path, target);
    }
    nix::unistd::linkat(
        nix::fcntl::AT_FDCWD,
        by_fd.as_str(),
        nix::fcntl::AT_FDCWD,
        target,
        nix::fcntl::AtFlags::AT_SYMLINK_FOLLOW,
    )
    .map_err(std::io::Error::from)
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.done || !self.is_still_ours() {
            return;
        }
        let _ = std::fs::remove_file(&self.path);
        // SQLite's files beside a database built under this name.
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut side = self.path.as_os_str().to_owned();
            side.push(suffix);
            let side = PathBuf::from(side);
            if std::fs::symlink_metadata(&side)
                .is_ok_and(|m| m.is_file() && m.uid() == nix::unistd::geteuid().as_raw())
            {
                let _ = std::fs::remove_file(&side);
            }
        }
    }
}

/// While a long build runs under a temporary name (`init`), SIGINT,
/// SIGTERM and SIGHUP remove the file and its SQLite side files, then do
/// what they did before (die, or call the handler that was installed). The
/// previous dispositions come back when the guard is dropped.
struct SignalCleanup {
    owner: bool,
    saved: Vec<(nix::libc::c_int, nix::libc::sigaction)>,
}

mod signal_state {
    use std::ffi::c_char;
    use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, AtomicUsize};

    pub const SIGNALS: [nix::libc::c_int; 3] =
        [nix::libc::SIGINT, nix::libc::SIGTERM, nix::libc::SIGHUP];
    /// One guard at a time (only `init` asks for one).
    pub static ACTIVE: AtomicBool = AtomicBool::new(false);
    /// The paths to unlink: leaked C strings, never freed (a handler on
    /// another thread may be reading one), only unhooked.
    pub static PATHS: [AtomicPtr<c_char>; 4] = [const { AtomicPtr::new(std::ptr::null_mut()) }; 4];
    /// The handler each signal had before, and its flags.
    pub static PREVIOUS: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];
    pub static PREVIOUS_FLAGS: [AtomicI32; 3] = [const { AtomicI32::new(0) }; 3];
}

extern "C" fn on_signal(
    sig: nix::libc::c_int,
    info: *mut nix::libc::siginfo_t,
    context: *mut std::ffi::c_void,
) {
    use nix::libc;
    use signal_state::*;
    // Only async-signal-safe calls here: unlink, signal, raise.
    for slot in &PATHS {
        let p = slot.load(Ordering::Acquire);
        if !p.is_null() {
            unsafe { libc::unlink(p) };
        }
    }
    let Some(i) = SIGNALS.iter().position(|&s| s == sig) else {
        return;
    };
    let previous = PREVIOUS[i].load(Ordering::Acquire);
    let flags = PREVIOUS_FLAGS[i].load(Ordering::Acquire);
    if previous == libc::SIG_IGN {
        return;
    }
    if previous == libc::SIG_DFL {
        // Blocked while this handler runs: delivered on return, and fatal.
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
        return;
    }
    unsafe {
        if flags & libc::SA_SIGINFO != 0 {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut std::ffi::c_void) =
                std::mem::transmute(previous);
            f(sig, info, context);
        } else {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(previous);
            f(sig);
        }
    }
}

impl SignalCleanup {
    /// Hooks the signals for the temporary file at `path` (nothing when a
    /// guard is already active).
    fn new(path: &Path) -> SignalCleanup {
        use nix::libc;
        use signal_state::*;
        let mut guard = SignalCleanup {
            owner: false,
            saved: Vec::new(),
        };
        if ACTIVE.swap(true, Ordering::AcqRel) {
            return guard;
        }
        guard.owner = true;
        for (slot, suffix) in PATHS.iter().zip(["", "-wal", "-shm", "-journal"]) {
            let mut bytes = path.as_os_str().as_bytes().to_vec();
            bytes.extend_from_slice(suffix.as_bytes());
            if let Ok(c) = CString::new(bytes) {
                slot.store(c.into_raw(), Ordering::Release);
            }
        }
        for (i, &sig) in SIGNALS.iter().enumerate() {
            // SAFETY: plain sigaction(2) calls on zeroed structs; the
            // handler above uses only async-signal-safe functions.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                // An ignored signal (SIGINT of a background job) stays so.
                if libc::sigaction(sig, std::ptr::null(), &mut old) != 0
                    || old.sa_sigaction == libc::SIG_IGN
                {
                    continue;
                }
                PREVIOUS[i].store(old.sa_sigaction, Ordering::Release);
                PREVIOUS_FLAGS[i].store(old.sa_flags, Ordering::Release);
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = on_signal
                    as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut std::ffi::c_void)
                    as usize;
                new.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
                libc::sigemptyset(&mut new.sa_mask);
                if libc::sigaction(sig, &new, std::ptr::null_mut()) == 0 {
                    guard.saved.push((sig, old));
                }
            }
        }
        guard
    }
}

impl Drop for SignalCleanup {
    fn drop(&mut self) {
        use signal_state::*;
        if !self.owner {
            return;
        }
        for (sig, old) in self.saved.drain(..) {
            // SAFETY: restores the disposition saved by `new`.
            unsafe { nix::libc::sigaction(sig, &old, std::ptr::null_mut()) };
        }
        for slot in &PATHS {
            slot.store(std::ptr::null_mut(), Ordering::Release);
        }
        ACTIVE.store(false, Ordering::Release);
    }
}

/// Opens a user's file for reading with the user's own ids, refusing the
/// server database's files (reachable by a name like /proc/self/fd/5).
pub fn open_user(path: &Path) -> std::io::Result<File> {
    let file = File::open(path)?;
    if crate::privilege::is_server_file(&file.metadata()?) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("{} 是服务器数据库的文件，不能这样读取", path.display()),
        ));
    }
    Ok(file)
}

/// A user's text file, read with `open_user`.
pub fn read_user_text(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    open_user(path)?.read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn never_refuses_an_existing_target_naming_it_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.db");
        std::fs::write(&target, "theirs").unwrap();
        let e = write_new(&target, Replace::Never, |f| {
            use std::io::Write;
            Ok(f.write_all(b"mine")?)
        })
        .unwrap_err();
        assert!(e.to_string().contains("a.db 已存在"), "{e}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "theirs");
        assert_eq!(names(dir.path()), ["a.db"]);
    }

    #[test]
    fn a_failing_or_panicking_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r.xlsx");
        let e = write_xlsx(&target, |_| anyhow::bail!("表格写不下去")).unwrap_err();
        assert!(format!("{e:#}").contains("表格写不下去"), "{e:#}");
        let panicked = std::panic::catch_unwind(|| {
            let _ = write_xlsx(&target, |_| panic!("boom"));
        });
        assert!(panicked.is_err());
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn the_file_is_written_with_the_usual_mode_and_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r.xlsx");
        for text in ["one", "two"] {
            write_xlsx(&target, |f| {
                use std::io::Write;
                Ok(f.write_all(text.as_bytes())?)
            })
            .unwrap();
            assert_eq!(std::fs::read_to_string(&target).unwrap(), text);
        }
        let mode = std::fs::metadata(&target).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o666 & !umask());
        assert_eq!(names(dir.path()), ["r.xlsx"]);
    }

    #[test]
    fn a_temporary_name_swapped_by_someone_else_is_neither_moved_nor_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("b.db");
        let tmp = TempFile::create(&target, "backup").unwrap();
        let tmp_path = tmp.path().to_path_buf();
        assert!(
            tmp_path
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(".b.db.backup-")
        );
        assert_eq!(tmp.opened_elsewhere_here(), Some(false));
        let seen = File::open(&tmp_path).unwrap();
        assert_eq!(tmp.opened_elsewhere_here(), Some(true));
        drop(seen);
        // Another's file put in its place.
        let planted = dir.path().join("planted");
        std::fs::write(&planted, "planted").unwrap();
        std::fs::rename(&planted, &tmp_path).unwrap();
        assert!(!tmp.is_still_ours());
        let e = tmp.persist(Replace::Never).unwrap_err();
        assert!(e.to_string().contains("b.db"), "{e}");
        assert!(!target.exists());
        assert_eq!(std::fs::read_to_string(&tmp_path).unwrap(), "planted");
    }

    #[test]
    fn temporary_names_are_unpredictable() {
        let a = random_suffix();
        let b = random_suffix();
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
    }
}
