//! Legal bases: the impact view over the demo database, status changes by
//! role, and the impact export.

mod common;

use common::*;
use jianguan::app::{AppError, bases};
use jianguan::domain::BasisStatus;
use std::process::Command;

fn food_safety_110(s: &jianguan::store::Store) -> jianguan::domain::LegalBasis {
    let found = bases::find(s, "《中华人民共和国食品安全法》第一百一十条").unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().unwrap()
}

#[test]
fn the_impact_lists_every_sub_item_claim_and_checklist_by_unit() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo_db(dir.path(), "i.db"));
    let basis = food_safety_110(&s);
    let i = bases::impact(&s, None, basis.id).unwrap();
    // The same figures counted another way, straight from the tables.
    let count = |sql: &str| -> usize {
        s.conn()
            .query_row(sql, [basis.id], |r| r.get::<_, i64>(0))
            .unwrap() as usize
    };
    let subs = count("SELECT count(*) FROM sub_item_bases WHERE basis_id = ?1");
    let claims = count(
        "SELECT count(*) FROM claims WHERE sub_item_id IN
         (SELECT sub_item_id FROM sub_item_bases WHERE basis_id = ?1)",
    );
    let lists = count(
        "SELECT count(*) FROM checklists k JOIN claims c
           ON c.sub_item_id = k.sub_item_id AND c.unit_id = k.unit_id
         WHERE k.sub_item_id IN (SELECT sub_item_id FROM sub_item_bases WHERE basis_id = ?1)",
    );
    assert_eq!((i.sub_items, i.claims, i.checklists), (subs, claims, lists));
    assert!(
        subs > 0 && claims > subs,
        "claimed by city and county: {claims}"
    );
    // By unit: the rows of one unit are together, unclaimed items last.
    let units: Vec<&str> = i.lines.iter().map(|l| l.unit.as_str()).collect();
    let mut seen = Vec::new();
    for u in &units {
        if seen.last() != Some(u) {
            assert!(!seen.contains(u), "{u} appears in two runs");
            seen.push(u);
        }
    }
    assert!(units.contains(&"郑州市市场监督管理局"));
    assert!(units.contains(&"金水区市场监督管理局"));
    let states: Vec<&str> = i.lines.iter().map(|l| l.checklist.as_str()).collect();
    assert!(states.contains(&"已填报"), "{states:?}");
}

#[test]
fn only_the_admin_and_the_legal_reviewer_set_a_status_and_a_stale_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "i.db"));
    let basis = food_safety_110(&s);
    let before = content_dump(&s);
    for login in ["zhangwei", "liuyang", "chenjing"] {
        let a = actor(&s, login);
        let r = bases::set_status(&mut s, &a, basis.id, BasisStatus::Repealed, basis.version);
        assert!(matches!(r, Err(AppError::Denied(_))), "{login}: {r:?}");
    }
    assert_eq!(content_dump(&s), before);
    let wangfang = actor(&s, "wangfang");
    let after = bases::set_status(
        &mut s,
        &wangfang,
        basis.id,
        BasisStatus::UnderRevision,
        basis.version,
    )
    .unwrap();
    assert_eq!(after.status, BasisStatus::UnderRevision);
    assert_eq!(after.version, basis.version + 1);
    // Someone working from the old version is told, and nothing changes.
    let admin = actor(&s, ADMIN);
    let e = bases::set_status(
        &mut s,
        &admin,
        basis.id,
        BasisStatus::Repealed,
        basis.version,
    )
    .unwrap_err();
    assert!(e.to_string().contains("已被别人改过"), "{e}");
    let log = jianguan::store::changelog::recent(s.conn(), 1).unwrap();
    assert_eq!(log[0].action, "set_basis_status");
}

#[test]
fn the_impact_exports_to_a_spreadsheet_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "i.db");
    let out = dir.path().join("影响.xlsx");
    let o = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args(["basis", "impact", "食品安全法", "--id", "2", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(&out).unwrap();
    let range = wb.worksheet_range("依据影响范围").unwrap();
    let title = range.get_value((0, 0)).unwrap().to_string();
    assert!(
        title.contains("《中华人民共和国食品安全法》第一百一十条"),
        "{title}"
    );
    assert_eq!(range.get_value((1, 1)).unwrap().to_string(), "单位");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let lines = stdout.lines().count() - 2; // title and header
    assert_eq!(range.height() - 2, lines, "every line exported");
    // Several matches without --id: the candidates are listed.
    let o = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args(["basis", "impact", "食品安全法"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--id 2"));
}
