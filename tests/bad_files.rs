//! The malformed-spreadsheet corpus (tests/data/bad, made by
//! tests/data/make_bad_corpus.py): each file is imported by the real binary
//! and must print exactly what its NAME.expected says, exit 1, and leave the
//! database as it was.
//!
//! An expected file starts with the command line, then the exit code, then
//! stdout and stderr. `JG_BLESS=1 cargo test --test bad_files` writes them
//! from what the binary prints now (read the diff before committing).

mod common;

use common::{bin, content_dump, demo_by_binary, open};
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad")
}

/// The arguments that import `name`: its kind is the part before the first
/// dash; checklists are a unit's, imported as one of its operators.
fn default_args(name: &str) -> Vec<String> {
    let kind = if name.starts_with("power-list-") {
        "power-list"
    } else {
        name.split('-').next().expect("a kind prefix")
    };
    let mut args = Vec::new();
    if kind == "checklists" {
        args.extend(["--as".to_string(), "zhangwei".to_string()]);
    }
    args.extend(["import".to_string(), kind.to_string(), name.to_string()]);
    args
}

/// What running `args` printed, in the expected file's form.
fn run(db: &Path, args: &[String]) -> String {
    let o = Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .current_dir(corpus())
        .env_remove("JIANGUAN_DB")
        .output()
        .expect("run jianguan");
    format!(
        "$ jianguan {}\nexit {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        o.status
            .code()
            .map_or("signal".to_string(), |c| c.to_string()),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn every_malformed_file_is_refused_with_its_message_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "demo.db");
    let before = content_dump(&open(&db));
    let bless = std::env::var_os("JG_BLESS").is_some();

    let mut files: Vec<String> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".expected"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "the corpus has {} files", files.len());

    let mut failures = Vec::new();
    for name in &files {
        let expected_path = corpus().join(format!("{name}.expected"));
        let expected = std::fs::read_to_string(&expected_path).ok();
        let args: Vec<String> = match &expected {
            Some(e) => e
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("$ jianguan "))
                .unwrap_or_else(|| panic!("{name}.expected: no command line"))
                .split(' ')
                .map(String::from)
                .collect(),
            None => default_args(name),
        };
        let got = run(&db, &args);
        if bless {
            std::fs::write(&expected_path, &got).unwrap();
        } else if expected.as_deref() != Some(got.as_str()) {
            failures.push(format!(
                "{name}:\n--- expected\n{}\n--- got\n{got}",
                expected.as_deref().unwrap_or("(no .expected file)")
            ));
        }
        assert!(got.contains("\nexit 1\n"), "{name} was not refused:\n{got}");
        assert!(
            content_dump(&open(&db)) == before,
            "{name} changed the database"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
