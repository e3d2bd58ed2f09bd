//! WAL checkpoints off the writer's path. SQLite's automatic checkpoint
//! runs inside the COMMIT that crosses 1,000 WAL pages, so one bulk claim
//! would pay for copying everyone's recent pages into the database file.
//! Instead a commit that leaves the WAL that long asks a short-lived thread,
//! on a connection of its own, for a PASSIVE checkpoint (it never blocks
//! readers or writers and is safe to interrupt at any point); only when
//! that falls far behind does the commit checkpoint itself.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// WAL pages after which a checkpoint is asked for (SQLite's default).
const PAGES: i32 = 1000;

/// WAL pages beyond which the background thread is not keeping up (a batch
/// committing without pause, like `init --scale`): the committing
/// connection then checkpoints at once, as SQLite itself would, so the WAL
/// cannot grow without bound.
const INLINE: i32 = 8 * PAGES;

struct Checkpointer {
    path: PathBuf,
    /// The server database: its connection is made with the privilege.
    server: bool,
    running: AtomicBool,
}

impl Checkpointer {
    fn start(self: &Arc<Self>) {
        if self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let me = Arc::clone(self);
        std::thread::spawn(move || {
            // A failure only leaves the WAL longer until the next try.
            let _ = checkpoint(&me.path, me.server);
            me.running.store(false, Ordering::Release);
        });
    }
}

fn checkpoint(path: &Path, server: bool) -> rusqlite::Result<()> {
    let conn = super::open::reconnect(path, server)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.wal_checkpoint_v2(None::<&str>, rusqlite::wal::CheckpointMode::PASSIVE)?;
    Ok(())
}

/// Replaces the automatic checkpoint of `conn` (a WAL connection to
/// `path`) by the background one. Installed once the connection is made,
/// outside the privileged part of opening: the thread it starts must not
/// inherit the raised group.
pub fn install(conn: &mut rusqlite::Connection, path: &Path, server: bool) -> rusqlite::Result<()> {
    let c = Arc::new(Checkpointer {
        path: path.to_path_buf(),
        server,
        running: AtomicBool::new(false),
    });
    conn.wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, pages: i32| {
        if pages >= INLINE {
            // Busy (another checkpoint running) is no failure of the commit.
            let _ = wal.checkpoint();
        } else if pages >= PAGES {
            c.start();
        }
        Ok(())
    }))
}
