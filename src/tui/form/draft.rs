//! Drafts of the checklist form that survive an SSH drop or a crash: the
//! form writes what is typed to a small file after every change (through
//! `files::write_new`: a new file of ours under a temporary name, moved
//! into place whole, never written through a symlink planted at the name),
//! removes it when the checklist is saved, and the next start offers it
//! back.

use crate::domain::{ChecklistField, ChecklistFields, Id, Timestamp};
use crate::files::{Replace, write_new};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// What was being typed, and what it was typed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub sub_item_id: Id,
    pub sub_name: String,
    /// The version the form was opened at (None: not yet started).
    pub base_version: Option<i64>,
    pub fields: ChecklistFields,
    pub at: Timestamp,
    /// Values taken from the catalogue that were still to be confirmed, by
    /// their labels (older drafts have none).
    #[serde(default)]
    pub from_catalogue: Vec<String>,
}

impl Draft {
    /// The fields named in `from_catalogue` that still exist.
    pub fn unconfirmed(&self) -> Vec<ChecklistField> {
        ChecklistField::ALL
            .iter()
            .copied()
            .filter(|f| self.from_catalogue.iter().any(|l| l == f.label()))
            .collect()
    }
}

/// Where drafts live by default: `drafts/` in the platform data directory.
pub fn default_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("cn", "jianguan", "jianguan")
        .map(|d| d.data_dir().join("drafts"))
}

/// One draft per database file and account.
fn file(dir: &Path, db: &Path, login: &str) -> PathBuf {
    let db = db.canonicalize().unwrap_or_else(|_| db.to_path_buf());
    let hash = Sha256::digest(db.to_string_lossy().as_bytes());
    let short: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let login: String = login
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    dir.join(format!("{short}-{login}.json"))
}

pub fn save(dir: &Path, db: &Path, login: &str, draft: &Draft) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let text = serde_json::to_string(draft)?;
    write_new(&file(dir, db, login), Replace::Atomically, |f| {
        use std::io::Write;
        f.write_all(text.as_bytes())?;
        Ok(())
    })
}

/// The draft left for this database and account, if a readable one is.
/// The draft file of (database, account) held by one running session: a
/// second session of the same account neither offers the first one's draft
/// (its `d` would delete work still being typed) nor writes over it.
pub struct DraftLock(#[allow(dead_code)] nix::fcntl::Flock<std::fs::File>);

/// Takes the lock, or None when another session holds it (or the lock
/// file cannot be made: then drafts are not kept, as without a directory).
pub fn lock(dir: &Path, db: &Path, login: &str) -> Option<DraftLock> {
    std::fs::create_dir_all(dir).ok()?;
    let mut name = file(dir, db, login).into_os_string();
    name.push(".lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(PathBuf::from(name))
        .ok()?;
    nix::fcntl::Flock::lock(f, nix::fcntl::FlockArg::LockExclusiveNonblock)
        .ok()
        .map(DraftLock)
}

pub fn load(dir: &Path, db: &Path, login: &str) -> Option<Draft> {
    let text = crate::files::read_user_text(&file(dir, db, login)).ok()?;
    serde_json::from_str(&text).ok()
}

pub fn discard(dir: &Path, db: &Path, login: &str) {
    let _ = std::fs::remove_file(file(dir, db, login));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_draft_loads_back_per_database_and_account_and_is_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let fields = ChecklistFields {
            content: "一、资质\n二、过程".into(),
            ..Default::default()
        };
        let d = Draft {
            sub_item_id: 7,
            sub_name: "对食品生产的监督检查".into(),
            base_version: Some(3),
            fields,
            at: 1,
            from_catalogue: vec!["检查方式".into()],
        };
        save(dir.path(), &db, "lina", &d).unwrap();
        assert_eq!(load(dir.path(), &db, "lina"), Some(d.clone()));
        assert_eq!(d.unconfirmed(), vec![ChecklistField::Methods]);
        assert_eq!(load(dir.path(), &db, "zhangwei"), None);
        assert_eq!(load(dir.path(), &dir.path().join("b.db"), "lina"), None);
        discard(dir.path(), &db, "lina");
        assert_eq!(load(dir.path(), &db, "lina"), None);
    }

    #[test]
    fn a_symlink_planted_at_the_draft_name_is_replaced_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let drafts = dir.path().join("drafts");
        std::fs::create_dir_all(&drafts).unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "原有内容").unwrap();
        let name = file(&drafts, &db, "lina");
        std::os::unix::fs::symlink(&victim, &name).unwrap();
        let d = Draft {
            sub_item_id: 1,
            sub_name: "子项".into(),
            base_version: None,
            fields: ChecklistFields::default(),
            at: 2,
            from_catalogue: vec![],
        };
        save(&drafts, &db, "lina", &d).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "原有内容");
        assert!(!std::fs::symlink_metadata(&name).unwrap().is_symlink());
        assert_eq!(load(&drafts, &db, "lina"), Some(d));
        // Nothing is left beside it under a temporary name.
        let names: Vec<_> = std::fs::read_dir(&drafts).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
