//! Claiming (认领) through the services: counts, refusals, undo through the
//! change log, 认领完成, and who else claims an item (共同实施).

mod common;

use common::*;
use jianguan::app::claims::{self, ClaimReport};
use jianguan::app::{AppError, views};
use jianguan::domain::{Claim, Id, ItemStatus};
use jianguan::store::{self, Store};

/// In-use sub-items the unit does not claim yet, in catalogue order.
fn unclaimed(s: &Store, login: &str, n: usize) -> Vec<Id> {
    let unit = actor(s, login).effective().unit_id;
    let level = store::units::unit_ref(s.conn(), unit).unwrap().level;
    let mine: Vec<Id> = store::claims::claims_of_unit(s.conn(), unit)
        .unwrap()
        .iter()
        .map(|c| c.sub_item_id)
        .collect();
    store::catalogue::tree_rows(s.conn())
        .unwrap()
        .into_iter()
        .filter(|r| r.status == ItemStatus::InUse && !r.classified && !mine.contains(&r.sub_id))
        .filter(|r| r.levels.admits(level))
        .map(|r| r.sub_id)
        .take(n)
        .collect()
}

fn claimed_by(s: &Store, login: &str) -> Vec<Claim> {
    let unit = actor(s, login).effective().unit_id;
    store::claims::claims_of_unit(s.conn(), unit).unwrap()
}

#[test]
fn claiming_counts_each_item_once_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "c.db"));
    let lina = actor(&s, "lina");
    let ids = unclaimed(&s, "lina", 3);
    let r = claims::claim_many(&mut s, &lina, &ids[..2], true).unwrap();
    assert_eq!((r.changed.len(), r.unchanged), (2, 0));
    assert!(r.log_id.is_some());
    // Repeats and duplicates: only the new one changes.
    let again = [ids[0], ids[1], ids[2], ids[2]];
    let r = claims::claim_many(&mut s, &lina, &again, false).unwrap();
    assert_eq!(r.changed, vec![ids[2]]);
    assert_eq!(r.unchanged, 2);
    // Claimed “not exercised”: the two already claimed become 不行使, as
    // asked (logged), rather than the flag being dropped silently.
    assert_eq!(r.made_idle, vec![ids[0], ids[1]]);
    // Nothing new: nothing written, not even a log row.
    let log = store::changelog::count(s.conn()).unwrap();
    let r = claims::claim_many(&mut s, &lina, &ids, true).unwrap();
    assert_eq!(
        r,
        ClaimReport {
            changed: vec![],
            unchanged: 3,
            log_id: None,
            made_idle: vec![],
        }
    );
    assert_eq!(store::changelog::count(s.conn()).unwrap(), log);
    // A plain claim of claimed items leaves their 是否行使 alone.
    let exercised: Vec<bool> = ids
        .iter()
        .map(|id| {
            store::claims::claim_of(s.conn(), lina.effective().unit_id, *id)
                .unwrap()
                .unwrap()
                .exercised
        })
        .collect();
    assert_eq!(exercised, vec![false, false, false]);
}

#[test]
fn a_cancelled_or_unknown_item_refuses_the_whole_claim_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "c.db"));
    let lina = actor(&s, "lina");
    let mut ids = unclaimed(&s, "lina", 6);
    // As a catalogue re-import leaves an item that vanished from the list.
    let cancelled = store::catalogue::sub_item(s.conn(), ids.pop().unwrap()).unwrap();
    s.conn()
        .execute(
            "UPDATE sub_items SET status = 'cancelled' WHERE id = ?1",
            [cancelled.id],
        )
        .unwrap();
    ids.push(cancelled.id);
    ids.push(999_999);
    let before = content_dump(&s);
    let e = claims::claim_many(&mut s, &lina, &ids, true).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains(&cancelled.name)
            && msg.contains(&cancelled.code)
            && msg.contains("已取消")
            && msg.contains("编号 999999 的子项不存在"),
        "{msg}"
    );
    assert_eq!(content_dump(&s), before, "nothing claimed");
}

#[test]
fn coordinators_and_county_admins_cannot_claim_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "c.db"));
    let ids = unclaimed(&s, "lina", 3);
    let before = content_dump(&s);
    for login in ["liuyang", "chenjing", "wangfang"] {
        let a = actor(&s, login);
        match claims::claim_many(&mut s, &a, &ids, true) {
            Err(AppError::Denied(d)) => assert!(d.to_string().contains("无权"), "{d}"),
            other => panic!("{login} claimed: {other:?}"),
        }
        assert!(matches!(
            claims::finish_claiming(&mut s, &a),
            Err(AppError::Denied(_))
        ));
    }
    assert_eq!(content_dump(&s), before);
}

#[test]
fn undo_reverses_claims_unclaims_and_exercised_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "c.db"));
    let lina = actor(&s, "lina");
    let start = claimed_by(&s, "lina");

    // Undo a claim: the added claims go, the earlier ones stay.
    let ids = unclaimed(&s, "lina", 4);
    let mut with_old = ids.clone();
    with_old.push(start[0].sub_item_id);
    let r = claims::claim_many(&mut s, &lina, &with_old, true).unwrap();
    assert_eq!(r.changed.len(), 4);
    let u = claims::undo(&mut s, &lina, r.log_id.unwrap()).unwrap();
    assert_eq!(u.action, "认领");
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(u.report.changed, sorted);
    assert_eq!(claimed_by(&s, "lina"), start);
    // Twice is refused.
    let e = claims::undo(&mut s, &lina, r.log_id.unwrap()).unwrap_err();
    assert!(e.to_string().contains("已经撤销过"), "{e}");

    // Undo an unclaim: the claims come back exactly (who, when, 是否行使).
    let some: Vec<Id> = start.iter().take(3).map(|c| c.sub_item_id).collect();
    claims::set_exercised(&mut s, &lina, &some[..1], false).unwrap();
    let before_unclaim = claimed_by(&s, "lina");
    let r = claims::unclaim_many(&mut s, &lina, &some).unwrap();
    assert_eq!(claimed_by(&s, "lina").len(), start.len() - 3);
    claims::undo(&mut s, &lina, r.log_id.unwrap()).unwrap();
    assert_eq!(claimed_by(&s, "lina"), before_unclaim);

    // Undo 是否行使.
    let r = claims::set_exercised(&mut s, &lina, &some, false).unwrap();
    assert_eq!(r.changed.len(), 2, "one was already not exercised");
    let u = claims::undo(&mut s, &lina, r.log_id.unwrap()).unwrap();
    assert_eq!(u.report.changed.len(), 2);
    assert_eq!(claimed_by(&s, "lina"), before_unclaim);

    // Each undo is itself logged, and the chain holds.
    let recent = store::changelog::recent(s.conn(), 3).unwrap();
    let actions: Vec<&str> = recent.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["undo_set_exercised", "set_exercised", "undo_unclaim"]
    );
    assert!(store::changelog::verify(s.conn()).unwrap().is_empty());
}

#[test]
fn only_your_own_claim_actions_can_be_undone() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "c.db"));
    let lina = actor(&s, "lina");
    let ids = unclaimed(&s, "zhangwei", 2);
    let zhangwei = actor(&s, "zhangwei");
    let theirs = claims::claim_many(&mut s, &zhangwei, &ids, true).unwrap();
    let before = content_dump(&s);
    let e = claims::undo(&mut s, &lina, theirs.log_id.unwrap()).unwrap_err();
    assert!(e.to_string().contains("只能撤销本人"), "{e}");
    // A log row that is not a claim action (the demo's first rows are).
    let e = claims::undo(&mut s, &zhangwei, 1).unwrap_err();
    assert!(matches!(e, AppError::Invalid(_)), "{e}");
    assert_eq!(content_dump(&s), before);
}

#[test]
fn claiming_finished_is_stamped_once_and_withdrawn_only_by_the_platform_admin() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "c.db"));
    let lina = actor(&s, "lina");
    let unit = lina.effective().unit_id;
    assert_eq!(
        views::claiming_state(&s, unit).unwrap().finished_at,
        None,
        "the demo leaves 城市管理局 unfinished"
    );
    let at = claims::finish_claiming(&mut s, &lina).unwrap();
    let state = views::claiming_state(&s, unit).unwrap();
    assert_eq!(state.finished_at, Some(at));
    assert_eq!(state.unit, "郑州市城市管理局");
    assert!(state.due_at.is_some(), "the city claiming deadline applies");
    // Asking again keeps the first time.
    assert_eq!(claims::finish_claiming(&mut s, &lina).unwrap(), at);
    // The operator cannot withdraw it; the platform admin can.
    assert!(matches!(
        claims::undo_finish_claiming(&mut s, &lina, unit),
        Err(AppError::Denied(_))
    ));
    let admin = actor(&s, ADMIN);
    assert!(claims::undo_finish_claiming(&mut s, &admin, unit).unwrap());
    assert_eq!(views::claiming_state(&s, unit).unwrap().finished_at, None);
    // Also while acting for the unit's operator (--as), logged as such.
    claims::finish_claiming(&mut s, &lina).unwrap();
    let admin_as_lina = jianguan::app::Actor::resolve(&s, ADMIN, Some("lina")).unwrap();
    assert!(claims::undo_finish_claiming(&mut s, &admin_as_lina, unit).unwrap());
    let last = &store::changelog::recent(s.conn(), 1).unwrap()[0];
    assert_eq!(last.action, "undo_finish_claiming");
    assert_eq!(last.account_id, Some(admin.real.id));
    assert_eq!(last.acting_as, Some(lina.real.id));
}

#[test]
fn the_tree_marks_show_other_units_of_the_region_claiming_an_item() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "c.db"));
    let lina = actor(&s, "lina");
    let zhangwei = actor(&s, "zhangwei");
    let zhaolei = actor(&s, "zhaolei");
    let shared = unclaimed(&s, "lina", 1)[0];
    claims::claim_many(&mut s, &zhangwei, &[shared], true).unwrap();
    // A county unit claiming it is not a co-implementer at the city level.
    claims::claim_many(&mut s, &zhaolei, &[shared], true).unwrap();
    let marks = views::marks(&s, Some(&lina)).unwrap();
    let others: Vec<&str> = marks.others[&shared].iter().map(|n| n.as_ref()).collect();
    assert_eq!(others, vec!["市场监督管理局"]);
    // Claiming what another unit claims is allowed.
    let r = claims::claim_many(&mut s, &lina, &[shared], true).unwrap();
    assert_eq!(r.changed, vec![shared]);
    let item = views::item(&s, shared).unwrap();
    assert_eq!(item.claimers.len(), 3);
}

#[test]
fn a_classified_item_is_claimed_first_only_by_the_platform_admin_for_the_unit() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "secret.db"));
    let zhangwei = actor(&s, "zhangwei");
    let secret: i64 = s
        .conn()
        .query_row(
            "SELECT id FROM sub_items WHERE classified = 1 ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // A guessed code reads like one that does not exist, and nothing is written.
    let before = store::changelog::count(s.conn()).unwrap();
    let refused = claims::claim_many(&mut s, &zhangwei, &[secret], true).unwrap_err();
    assert!(refused.to_string().contains("不存在"), "{refused}");
    assert_eq!(store::changelog::count(s.conn()).unwrap(), before);
    // The platform admin, acting for the unit, may; then the unit sees it.
    let admin_as = jianguan::app::Actor::resolve(&s, ADMIN, Some("zhangwei")).unwrap();
    claims::claim_many(&mut s, &admin_as, &[secret], true).unwrap();
    let unit = zhangwei.effective().unit_id;
    assert!(
        store::claims::claims_of_unit(s.conn(), unit)
            .unwrap()
            .iter()
            .any(|c| c.sub_item_id == secret)
    );
    // Claiming it again as the operator is no longer refused.
    claims::claim_many(&mut s, &zhangwei, &[secret], true).unwrap();
}
