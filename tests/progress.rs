//! The progress figures, milestone states and ranks over units whose work
//! is written here with known times, so every answer is known.

mod common;

use common::*;
use jianguan::app::progress::{self, Standing};
use jianguan::domain::progress::MilestoneState::*;
use jianguan::domain::{
    Category, ChecklistFields, ChecklistState, Claim, Id, Level, Timestamp, Unit,
};
use jianguan::store::checklists::{NewChecklist, Source};
use jianguan::store::{self, Store};

fn unit(s: &Store, name: &str) -> Unit {
    store::units::find_units(s.conn(), name)
        .unwrap()
        .into_iter()
        .find(|u| u.region_level == Level::City)
        .unwrap()
}

fn due(s: &Store, key: &str) -> Timestamp {
    store::milestones::by_key(s.conn(), key).unwrap().due_at
}

/// Claims `subs` for the unit at `at`, 是否行使 yes.
fn claim(s: &Store, unit: Id, subs: &[Id], at: Timestamp) {
    let claims: Vec<Claim> = subs
        .iter()
        .map(|&id| Claim {
            unit_id: unit,
            sub_item_id: id,
            exercised: true,
            note: String::new(),
            claimed_by: 1,
            claimed_at: at,
        })
        .collect();
    store::claims::insert_claims(s.conn(), &claims).unwrap();
}

fn checklist(s: &Store, unit: Id, sub: Id, state: ChecklistState, at: Timestamp) {
    store::checklists::insert(
        s.conn(),
        &NewChecklist {
            sub_item_id: sub,
            unit_id: unit,
            level: Level::City,
            fields: &ChecklistFields::default(),
            state,
            source: Source::default(),
            by: 1,
            at,
        },
    )
    .unwrap();
}

fn row<'a>(rows: &'a [Standing], unit: &Unit) -> &'a Standing {
    rows.iter().find(|r| r.unit_id == unit.id).unwrap()
}

#[test]
fn figures_states_and_ranks_with_known_answers() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo_db(dir.path(), "p.db"));
    let claims_due = due(&s, "claims_city");
    let lists_due = due(&s, "checklists");
    let hour = 3600;
    // Four city units with nothing in the demo.
    let [a, b, c, d] =
        ["教育局", "科学技术局", "工业和信息化局", "民族宗教事务局"].map(|n| unit(&s, n));
    let inspections: Vec<Id> = store::catalogue::tree_rows(s.conn())
        .unwrap()
        .into_iter()
        .filter(|r| r.category == Category::Inspection && r.levels.admits(Level::City))
        .map(|r| r.sub_id)
        .take(4)
        .collect();
    let penalty: Id = store::catalogue::tree_rows(s.conn())
        .unwrap()
        .into_iter()
        .find(|r| r.category == Category::Penalty && r.levels.admits(Level::City))
        .unwrap()
        .sub_id;

    // A: claims 2 inspections + 1 penalty, finishes on time, files both
    // checklists before the deadline.
    claim(
        &s,
        a.id,
        &[inspections[0], inspections[1], penalty],
        claims_due - 10 * hour,
    );
    store::claims::finish(s.conn(), a.id, 1, claims_due - hour).unwrap();
    checklist(
        &s,
        a.id,
        inspections[0],
        ChecklistState::Filed,
        lists_due - 5 * hour,
    );
    checklist(
        &s,
        a.id,
        inspections[1],
        ChecklistState::Filed,
        lists_due - 2 * hour,
    );
    // B: the same work, claiming finished late.
    claim(
        &s,
        b.id,
        &[inspections[0], inspections[1], penalty],
        claims_due - 10 * hour,
    );
    store::claims::finish(s.conn(), b.id, 1, claims_due + hour).unwrap();
    checklist(
        &s,
        b.id,
        inspections[0],
        ChecklistState::Filed,
        lists_due - 5 * hour,
    );
    checklist(
        &s,
        b.id,
        inspections[1],
        ChecklistState::Filed,
        lists_due - 2 * hour,
    );
    // C: claims 4 inspections, finished on time; one filed, one complete,
    // one draft, one not started.
    claim(&s, c.id, &inspections, claims_due - 10 * hour);
    store::claims::finish(s.conn(), c.id, 1, claims_due - 2 * hour).unwrap();
    checklist(
        &s,
        c.id,
        inspections[0],
        ChecklistState::Filed,
        lists_due - 9 * hour,
    );
    checklist(
        &s,
        c.id,
        inspections[1],
        ChecklistState::Complete,
        lists_due - 9 * hour,
    );
    checklist(
        &s,
        c.id,
        inspections[2],
        ChecklistState::Draft,
        lists_due - 9 * hour,
    );
    // D: exactly what C has, to tie with it.
    claim(&s, d.id, &inspections, claims_due - 10 * hour);
    store::claims::finish(s.conn(), d.id, 1, claims_due - 3 * hour).unwrap();
    checklist(
        &s,
        d.id,
        inspections[0],
        ChecklistState::Filed,
        lists_due - 9 * hour,
    );
    checklist(
        &s,
        d.id,
        inspections[1],
        ChecklistState::Complete,
        lists_due - 9 * hour,
    );
    checklist(
        &s,
        d.id,
        inspections[2],
        ChecklistState::Draft,
        lists_due - 9 * hour,
    );

    // Each has its 管理员, who is also its 联络人, before the accounts deadline.
    let accounts_due = due(&s, "accounts");
    for (i, u) in [&a, &b, &c, &d].into_iter().enumerate() {
        store::accounts::insert_account(
            s.conn(),
            &jianguan::domain::NewAccount {
                login: format!("unit{i}"),
                name: format!("管理员{i}"),
                unit_id: u.id,
                office_post: String::new(),
                mobile: format!("1380000000{i}"),
                role: jianguan::domain::Role::Operator,
                is_liaison: true,
            },
            accounts_due - 2 * hour,
        )
        .unwrap();
    }

    // Between the two deadlines: accounts and claims are due.
    let now = claims_due + 2 * hour;
    let rows = progress::standings(&s, now).unwrap();
    let (ra, rb, rc, rd) = (
        row(&rows, &a),
        row(&rows, &b),
        row(&rows, &c),
        row(&rows, &d),
    );
    assert_eq!(
        (ra.figures.claimed, ra.figures.required, ra.figures.filed),
        (3, 2, 2)
    );
    assert_eq!(ra.figures.per_mille(), 1000);
    assert_eq!(
        (ra.claims_state, ra.checklists_state),
        (Some(OnTime), Some(OnTime))
    );
    assert_eq!(ra.checklists_done_at, Some(lists_due - 2 * hour));
    assert_eq!(
        (rb.claims_state, rb.checklists_state),
        (Some(Late), Some(OnTime))
    );
    assert_eq!(
        (
            rc.figures.required,
            rc.figures.not_started(),
            rc.figures.draft,
            rc.figures.complete,
            rc.figures.filed
        ),
        (4, 1, 1, 1, 1)
    );
    assert_eq!(rc.figures.per_mille(), 250);
    assert_eq!(
        (rc.claims_state, rc.checklists_state),
        (Some(OnTime), Some(Pending))
    );
    // A unit that has not finished claiming is overdue now.
    let lina_unit = unit(&s, "城市管理局");
    assert_eq!(row(&rows, &lina_unit).claims_state, Some(Overdue));
    // Only the milestones due so far count: all four did all the due work,
    // B late (a missed milestone), the others ranked by when they met the
    // last one (D finished claiming first, then C, then A).
    let rank = |r: &Standing| r.rank.unwrap();
    assert_eq!((ra.share, rc.share), (Some(1000), Some(1000)));
    assert!(rank(rd) < rank(rc) && rank(rc) < rank(ra) && rank(ra) < rank(rb));

    // After the checklist deadline: C and D are overdue with a quarter filed
    // and tie; B, late once but complete, ranks above them; A first of the four.
    let later = lists_due + hour;
    let rows = progress::standings(&s, later).unwrap();
    let (ra, rb, rc, rd) = (
        row(&rows, &a),
        row(&rows, &b),
        row(&rows, &c),
        row(&rows, &d),
    );
    assert_eq!(rc.checklists_state, Some(Overdue));
    assert_eq!(ra.checklists_state, Some(OnTime));
    assert_eq!(rc.share, Some(571), "(2 + 1 + 1) / (2 + 1 + 4)");
    assert_eq!(rc.rank, rd.rank, "identical work shares a rank");
    assert!(rank(ra) < rank(rb) && rank(rb) < rank(rc));
    // Ties share a rank and the next rank skips past them.
    let tied = rows
        .iter()
        .filter(|r| r.rank == rc.rank && r.level == Level::City)
        .count();
    assert!(tied >= 2);
    assert!(
        !rows
            .iter()
            .filter(|r| r.level == Level::City)
            .any(|r| r.rank.is_some_and(|x| x > rank(rc) && x < rank(rc) + tied))
    );
    // The coordinating offices are listed but not ranked.
    let office = unit(&s, "大数据管理局");
    assert_eq!(row(&rows, &office).rank, None);
    assert!(!row(&rows, &office).duty);

    // Sums per region: the four units are among the city's own.
    let (totals, all) = progress::totals(&rows);
    let city = totals.iter().find(|t| t.region_id == a.region_id).unwrap();
    assert!(city.figures.required >= 2 + 2 + 4 + 4);
    assert_eq!(
        all.claimed,
        rows.iter().map(|r| r.figures.claimed).sum::<i64>()
    );
}

#[test]
fn as_of_a_past_time_the_change_log_gives_back_the_figures_of_then() {
    use jianguan::app::{checklists, claims, local_items, views};
    use jianguan::domain::ReviewState;
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "asof.db"));
    let then = jianguan::app::now();
    let before: Vec<_> = progress::standings(&s, then)
        .unwrap()
        .into_iter()
        .map(|r| (r.unit_id, r.figures, r.claims_finished_at))
        .collect();
    // Everything below happens after `then`.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let lina = actor(&s, "lina");
    let unit = lina.effective().unit_id;
    let mine: Vec<Id> = store::claims::claims_of_unit(s.conn(), unit)
        .unwrap()
        .iter()
        .map(|c| c.sub_item_id)
        .collect();
    let fresh: Vec<Id> = store::catalogue::tree_rows(s.conn())
        .unwrap()
        .into_iter()
        .filter(|r| !r.classified && !mine.contains(&r.sub_id) && r.levels.admits(Level::City))
        .map(|r| r.sub_id)
        .take(3)
        .collect();
    claims::claim_many(&mut s, &lina, &fresh, true).unwrap();
    claims::unclaim_many(&mut s, &lina, &mine[..1]).unwrap();
    claims::set_exercised(&mut s, &lina, &mine[1..2], false).unwrap();
    claims::finish_claiming(&mut s, &lina).unwrap();
    // A checklist of the city's filed now; a local item returned now.
    let zhangwei = actor(&s, "zhangwei");
    let complete = store::checklists::list_for_unit(s.conn(), zhangwei.effective().unit_id)
        .unwrap()
        .into_iter()
        .find(|c| c.state == ChecklistState::Complete)
        .unwrap();
    checklists::save_checklist(
        &mut s,
        &zhangwei,
        checklists::SaveRequest {
            sub_item_id: complete.sub_item_id,
            fields: complete.fields.clone(),
            expected_version: Some(complete.version),
            submit: true,
        },
    )
    .unwrap();
    let wangfang = actor(&s, "wangfang");
    let waiting =
        views::local_items(&s, Some(&wangfang), None, Some(ReviewState::Submitted)).unwrap();
    local_items::return_for_changes(
        &mut s,
        &wangfang,
        waiting[0].main_item_id,
        waiting[0].version,
        "补充",
    )
    .unwrap();
    // Now differs from then …
    let now: Vec<_> = progress::standings(&s, then)
        .unwrap()
        .into_iter()
        .map(|r| (r.unit_id, r.figures, r.claims_finished_at))
        .collect();
    assert_ne!(now, before);
    // … and the change log gives then back.
    let rebuilt: Vec<_> = progress::standings_at(&s, then)
        .unwrap()
        .into_iter()
        .map(|r| (r.unit_id, r.figures, r.claims_finished_at))
        .collect();
    assert_eq!(rebuilt, before);
}

#[test]
fn the_daily_report_compares_with_an_earlier_day_and_its_numbers_are_numbers() {
    use calamine::{Data, Reader, open_workbook_auto};
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let db = db_at(&dir.path().join("r.db"));
    let run_at = |now: Option<&str>, args: &[&str]| {
        let mut c = Command::new(bin());
        c.arg("--db").arg(&db).args(args);
        if let Some(t) = now {
            c.env("JIANGUAN_NOW", t);
        }
        c.output().unwrap()
    };
    let run = |args: &[&str]| run_at(None, args);
    let out = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).to_string();
    assert!(run(&["init", "--demo"]).status.success());
    let yesterday = jianguan::domain::format_time(jianguan::app::now() - 86_400);
    // Yesterday's report: nothing earlier to compare with; recorded.
    let first = dir.path().join("通报1.xlsx");
    let o = run_at(
        Some(&yesterday),
        &["export", "progress", "-o", first.to_str().unwrap()],
    );
    assert!(out(&o).contains("此前没有更早一天的通报"), "{}", out(&o));
    // A failed export, an --as-of one and an operator's record nothing.
    let o = run(&["export", "progress", "-o", "/nonexistent/x.xlsx"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&[
        "export",
        "progress",
        "--as-of",
        "2019-05-16 17:00",
        "-o",
        dir.path().join("asof.xlsx").to_str().unwrap(),
    ]);
    assert!(out(&o).contains("不作为以后比较的基准"), "{}", out(&o));
    let never = dir.path().join("never.xlsx");
    let o = run(&[
        "--as",
        "lina",
        "export",
        "progress",
        "-o",
        never.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!never.exists(), "refused before the file is written");
    let s = open(&db);
    let recorded: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM progress_reports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(recorded, 1);
    drop(s);
    // The city management bureau finishes claiming today (late); today's
    // reports both compare with yesterday's.
    let o = run(&["--as", "lina", "claim", "--finished"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for name in ["通报2.xlsx", "通报3.xlsx"] {
        let file = dir.path().join(name);
        let o = run(&["export", "progress", "-o", file.to_str().unwrap()]);
        assert!(
            out(&o).contains(&format!("变化较 {yesterday}")),
            "{}",
            out(&o)
        );
    }
    let mut wb = open_workbook_auto(dir.path().join("通报3.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec![
            "市直排名",
            "县区排名",
            "逾期单位",
            "金水区",
            "中牟县",
            "巩义市",
            "说明"
        ]
    );
    let ranking = wb.worksheet_range("市直排名").unwrap();
    let header: Vec<String> = (0..27)
        .map(|c| ranking.get_value((1, c)).unwrap().to_string())
        .collect();
    assert_eq!(
        header[1..10],
        [
            "排名",
            "单位",
            "区划",
            "账号",
            "认领",
            "目录上报",
            "目录录入",
            "清单填报",
            "完成度"
        ]
    );
    assert_eq!(header[25], "名次变化");
    assert_eq!(header[26], "完成度变化");
    let row = (2..ranking.height() as u32)
        .find(|r| *ranking.get_value((*r, 2)).unwrap() == "郑州市城市管理局")
        .unwrap();
    // Numbers, not text: a spreadsheet sums and sorts them.
    assert!(matches!(ranking.get_value((row, 1)), Some(Data::Float(_))));
    assert!(matches!(ranking.get_value((row, 10)), Some(Data::Float(_))));
    assert!(matches!(ranking.get_value((row, 9)), Some(Data::Float(_))));
    assert!(matches!(ranking.get_value((row, 25)), Some(Data::Float(_))));
    // Claiming done (if late): the share of its due work moved.
    let change = ranking.get_value((row, 26)).unwrap();
    assert!(matches!(change, Data::Float(f) if *f != 0.0), "{change:?}");
    // The coordinating offices are listed, not ranked.
    let office = (2..ranking.height() as u32)
        .find(|r| *ranking.get_value((*r, 2)).unwrap() == "郑州市大数据管理局")
        .unwrap();
    assert_eq!(ranking.get_value((office, 1)).unwrap().to_string(), "—");
    let counties = wb.worksheet_range("县区排名").unwrap();
    assert_eq!(
        counties.height() - 2,
        3,
        "金水区, 中牟县, 巩义市 ranked as regions"
    );
    let notes = wb.worksheet_range("说明").unwrap();
    assert!(
        notes
            .get_value((4, 2))
            .unwrap()
            .to_string()
            .starts_with("排名规则")
    );
}

#[test]
fn every_milestone_kind_zero_claims_nothing_asked_and_counties_as_regions() {
    use jianguan::domain::progress::MilestoneKind;
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo_db(dir.path(), "k.db"));
    let hour = 3600;
    let claims_due = due(&s, "claims_city");
    let accounts_due = due(&s, "accounts");
    let reported_due = due(&s, "catalogue_reported");
    let state =
        |r: &Standing, k: MilestoneKind| r.milestones.iter().find(|m| m.kind == k).unwrap().state;
    // 统计局: its 管理员 made on time, 认领完成 recorded with nothing claimed.
    let stats = unit(&s, "统计局");
    store::accounts::insert_account(
        s.conn(),
        &jianguan::domain::NewAccount {
            login: "tongji".into(),
            name: "统计员".into(),
            unit_id: stats.id,
            office_post: String::new(),
            mobile: "13800000099".into(),
            role: jianguan::domain::Role::Operator,
            is_liaison: true,
        },
        accounts_due - hour,
    )
    .unwrap();
    store::claims::finish(s.conn(), stats.id, 1, claims_due - hour).unwrap();
    let now = reported_due + hour;
    let rows = progress::standings(&s, now).unwrap();
    let r = row(&rows, &stats);
    assert_eq!(state(r, MilestoneKind::Accounts), Some(OnTime));
    assert_eq!(r.problems, vec!["认领完成但未认领任何事项".to_string()]);
    assert_eq!(state(r, MilestoneKind::Claims), Some(Overdue), "not done");
    // Nothing asked of it for checklists or local items: “—”.
    for k in [
        MilestoneKind::Reported,
        MilestoneKind::Entered,
        MilestoneKind::Checklists,
    ] {
        assert_eq!(state(r, k), None, "{k:?}");
    }
    // The city's local catalogue: 城市管理局 submitted one item and had one
    // approved and entered (the demo's review history, made days before).
    let urban = row(&rows, &unit(&s, "城市管理局"));
    let reported = urban
        .milestones
        .iter()
        .find(|m| m.kind == MilestoneKind::Reported)
        .unwrap();
    assert_eq!((reported.required, reported.done), (2, 2));
    // A county unit is asked nothing about the city's catalogue.
    let county = rows
        .iter()
        .find(|r| r.level == Level::County && r.duty)
        .unwrap();
    assert_eq!(state(county, MilestoneKind::Reported), None);
    assert_eq!(state(county, MilestoneKind::Entered), None);
    // Counties as regions: each the sum of its units with duties, ranked.
    let regions = progress::region_standings(&rows, now);
    assert_eq!(
        regions.iter().map(|r| r.rank).collect::<Vec<_>>(),
        {
            let mut v: Vec<usize> = regions.iter().map(|r| r.rank).collect();
            v.sort_unstable();
            v
        },
        "listed in rank order"
    );
    for region in &regions {
        let units: Vec<&Standing> = rows
            .iter()
            .filter(|r| r.region_id == region.region_id && r.duty)
            .collect();
        assert_eq!(region.units, units.len());
        assert_eq!(
            region.figures.required,
            units.iter().map(|u| u.figures.required).sum::<i64>()
        );
        for (k, m) in region.milestones.iter().enumerate() {
            assert_eq!(
                m.required,
                units.iter().map(|u| u.milestones[k].required).sum::<i64>()
            );
        }
        // Its units are ranked among themselves: ranks start at 1.
        assert!(units.iter().any(|u| u.rank == Some(1)));
    }
    // The county government offices are listed, not ranked.
    let office = rows
        .iter()
        .find(|r| r.unit.contains("人民政府办公室") && r.level == Level::County)
        .unwrap();
    assert_eq!((office.duty, office.rank), (false, None));
}
