//! The one vocabulary of `--json` output (README, “JSON output”): every
//! command names the same thing with the same key, gives each state as a
//! stable English key with its Chinese label beside it (`"state": "filed",
//! "state_label": "已填报"`), and each time as ISO 8601 in Beijing time.
//!
//! The JSON is built here from the domain's types rather than by serde on
//! them: their serialisation is what the change log records and must not
//! follow the shape of the output.

use crate::app::claims::{LeftOut, Why};
use crate::app::import::{ImportReport, RowError};
use crate::app::progress::{Figures, RegionStanding, Standing};
use crate::app::views::{LocalRow, LocalStep, UnitAccount, UnitOverview};
use crate::domain::progress::MilestoneStatus;
use crate::domain::{
    Account, ChecklistState, ClaimState, LegalBasis, Milestone, NOT_STARTED, Timestamp, Unit, YesNo,
};
use crate::domain::{Labeled, ReviewState};
use crate::search::engine::{How, Kind};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use serde_json::Value;

/// A JSON object built key by key, printed in the order written (a
/// `serde_json::Map` would sort its keys).
#[derive(Default)]
pub struct Obj(Vec<(String, Item)>);

enum Item {
    Value(Value),
    Obj(Obj),
    Objs(Vec<Obj>),
}

impl Obj {
    pub fn new() -> Self {
        Obj::default()
    }

    fn set(mut self, key: &str, item: Item) -> Self {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = item,
            None => self.0.push((key.to_string(), item)),
        }
        self
    }

    /// A plain value (for an object of this vocabulary use `obj`, `objs`).
    pub fn put(self, key: &str, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.set(key, Item::Value(value))
    }

    pub fn obj(self, key: &str, value: Obj) -> Self {
        self.set(key, Item::Obj(value))
    }

    /// `obj`, or null.
    pub fn opt_obj(self, key: &str, value: Option<Obj>) -> Self {
        match value {
            Some(o) => self.obj(key, o),
            None => self.put(key, Value::Null),
        }
    }

    pub fn objs(self, key: &str, values: Vec<Obj>) -> Self {
        self.set(key, Item::Objs(values))
    }

    /// `key` and `key_label`: the state's English key and Chinese label.
    pub fn tag(self, key: &str, value: impl Labeled) -> Self {
        self.tag_opt(key, Some(value))
    }

    /// `tag`, both null when there is none.
    pub fn tag_opt(self, key: &str, value: Option<impl Labeled>) -> Self {
        let label = format!("{key}_label");
        self.put(key, value.map(Labeled::key))
            .put(&label, value.map(Labeled::label))
    }

    /// A time as ISO 8601 in Beijing time, null when there is none.
    pub fn time(self, key: &str, at: Option<Timestamp>) -> Self {
        self.put(key, at.map(iso_time))
    }

    /// Every key of `other` after these.
    pub fn extend(mut self, other: Obj) -> Self {
        for (key, item) in other.0 {
            self = self.set(&key, item);
        }
        self
    }
}

impl Serialize for Item {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Item::Value(v) => v.serialize(s),
            Item::Obj(o) => o.serialize(s),
            Item::Objs(list) => list.serialize(s),
        }
    }
}

impl Serialize for Obj {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, item) in &self.0 {
            map.serialize_entry(key, item)?;
        }
        map.end()
    }
}

#[cfg(test)]
impl From<Obj> for Value {
    fn from(o: Obj) -> Value {
        serde_json::to_value(o).unwrap_or(Value::Null)
    }
}

/// “2019-05-14T17:00:00+08:00”.
pub fn iso_time(at: Timestamp) -> String {
    let beijing = FixedOffset::east_opt(8 * 3600);
    match (DateTime::from_timestamp(at, 0), beijing) {
        (Some(t), Some(offset)) => t.with_timezone(&offset).to_rfc3339(),
        _ => format!("@{at}"),
    }
}

/// A unit: `name` is its full name (郑州市市场监督管理局), `code` its
/// 统一社会信用代码 (null while not set).
pub fn unit(u: &Unit) -> Obj {
    Obj::new()
        .put("name", u.full_name())
        .put("code", &u.uscc)
        .put("region", &u.region_name)
        .tag("level", u.region_level)
        .tag("category", u.category)
        .put("counterparts", &u.counterparts)
        .put("version", u.version)
}

/// A unit as `unit list` shows it, with its accounts.
pub fn unit_overview(u: &UnitOverview) -> Obj {
    Obj::new()
        .put("name", &u.name)
        .put("code", &u.uscc)
        .put("region", &u.region)
        .tag("category", u.category)
        .put("has_admin", u.has_admin)
        .put("has_liaison", u.has_liaison)
        .put("counterparts", &u.counterparts)
        .objs("accounts", u.accounts.iter().map(unit_account).collect())
}

fn unit_account(a: &UnitAccount) -> Obj {
    Obj::new()
        .put("login", &a.login)
        .put("name", &a.name)
        .tag("role", a.role)
        .put("is_liaison", a.is_liaison)
        .put("active", a.active)
        .put("mobile", &a.mobile)
}

/// An account, with its unit's full name and code.
pub fn account(a: &Account, of: &Unit) -> Obj {
    Obj::new()
        .put("login", &a.login)
        .put("name", &a.name)
        .put("unit", of.full_name())
        .put("unit_code", &of.uscc)
        .tag("role", a.role)
        .put("office_post", &a.office_post)
        .put("mobile", &a.mobile)
        .put("is_liaison", a.is_liaison)
        .put("active", a.active)
        .put("version", a.version)
}

pub fn milestone(m: &Milestone) -> Obj {
    Obj::new()
        .put("key", &m.key)
        .put("name", &m.name)
        .tag("audience", m.audience)
        .time("due_at", Some(m.due_at))
        .put("version", m.version)
}

/// A legal basis; `id` is what `basis … --id` takes.
pub fn basis(b: &LegalBasis) -> Obj {
    Obj::new()
        .put("id", b.id)
        .put("citation", b.citation())
        .put("title", &b.title)
        .put("article", &b.article)
        .tag("kind", b.kind)
        .tag("status", b.status)
        .put("excerpt", &b.excerpt)
        .put("version", b.version)
}

/// A local item (地方监管事项) in a list: `code` and `name` are its main
/// item's, `state_at` when it reached its review state.
pub fn local_row(r: &LocalRow) -> Obj {
    Obj::new()
        .put("code", &r.code)
        .put("name", &r.name)
        .put("unit", &r.unit)
        .tag("state", r.state)
        .put("version", r.version)
        .time("state_at", Some(r.since))
        .put("return_reason", &r.return_reason)
        .put("official_code", &r.official_code)
        .put("sub_item_count", r.sub_items)
        .put("basis_repealed", r.basis_repealed)
}

/// One step of a local item's review: `from` is null for its creation.
pub fn local_step(h: &LocalStep) -> Obj {
    Obj::new()
        .time("at", Some(h.at))
        .put("who", &h.who)
        .tag_opt("from", h.from)
        .tag("to", h.to)
        .put("reason", &h.reason)
        .put("item_version", h.item_version)
}

/// A required checklist's state: a `ChecklistState`, or not_started.
pub fn checklist_state(obj: Obj, key: &str, state: Option<ChecklistState>) -> Obj {
    obj.put(key, ChecklistState::key_of(state))
        .put(&format!("{key}_label"), ChecklistState::label_of(state))
}

/// A line of `basis impact`: a sub-item, a claim of it (or none: `unit`
/// null) and the claimer's checklist (null when none is needed).
pub fn impact_line(l: &crate::app::bases::ImpactLine) -> Obj {
    let claim = match l.exercised.as_str() {
        "" => ClaimState::Unclaimed,
        yes_no => ClaimState::of(YesNo::parse(yes_no).ok().map(YesNo::as_bool)),
    };
    let o = Obj::new()
        .put(
            "unit",
            (claim != ClaimState::Unclaimed).then_some(l.unit.as_str()),
        )
        .put("sub_item_code", &l.sub_code)
        .put("sub_item_name", &l.sub_name)
        .tag("claim_state", claim);
    let o = match l.checklist.as_str() {
        "" => o
            .put("checklist_state", Value::Null)
            .put("checklist_state_label", Value::Null),
        NOT_STARTED => checklist_state(o, "checklist_state", None),
        label => checklist_state(o, "checklist_state", ChecklistState::parse(label).ok()),
    };
    o.put("note", &l.note)
}

/// A sub-item a unit may not claim: `why` says which rule, `reason` says
/// it in a sentence.
pub fn left_out(l: &LeftOut) -> Obj {
    let o = Obj::new()
        .put("sub_item_code", &l.code)
        .put("sub_item_name", &l.name)
        .put("reason", l.reason());
    match &l.why {
        Why::Level { levels, unit_level } => o
            .put("why", "level")
            .put("levels", levels.iter().map(|l| l.key()).collect::<Vec<_>>())
            .tag("unit_level", *unit_level),
        Why::Unreleased { state } => o.put("why", "unreleased").tag("state", *state),
    }
}

pub fn figures(f: &Figures) -> Obj {
    let local = crate::app::progress::REVIEW_ORDER
        .iter()
        .zip(f.local)
        .fold(Obj::new(), |o, (s, n): (&ReviewState, i64)| {
            o.put(s.key(), n)
        });
    Obj::new()
        .put("claimed", f.claimed)
        .put("exercised", f.exercised)
        .put("claims_finished", f.claims_finished)
        .obj("local", local)
        .put("local_reported_by_due", f.local_reported_by_due)
        .put("local_entered_by_due", f.local_entered_by_due)
        .put("required", f.required)
        .put("not_started", f.not_started())
        .put("draft", f.draft)
        .put("complete", f.complete)
        .put("filed", f.filed)
}

/// A milestone of a unit or a county: `state` not_asked (label “—”) when
/// nothing is asked of it.
pub fn milestone_status(m: &MilestoneStatus) -> Obj {
    let o = Obj::new().tag("kind", m.kind);
    let o = match m.state {
        Some(s) => o.tag("state", s),
        None => o.put("state", NOT_ASKED).put("state_label", m.label()),
    };
    o.put("required", m.required)
        .put("done", m.done)
        .time("done_at", m.done_at)
        .time("due_at", m.due)
}

/// The state of a milestone that asks nothing of the unit.
pub const NOT_ASKED: &str = "not_asked";

pub fn standing(s: &Standing) -> Obj {
    Obj::new()
        .put("unit", &s.unit)
        .put("region", &s.region)
        .tag("level", s.level)
        .put("duty", s.duty)
        .put("rank", s.rank)
        .put("share_per_mille", s.share)
        .obj("figures", figures(&s.figures))
        .objs(
            "milestones",
            s.milestones.iter().map(milestone_status).collect(),
        )
        .time("claims_finished_at", s.claims_finished_at)
        .tag_opt("claims_state", s.claims_state)
        .time("checklists_done_at", s.checklists_done_at)
        .tag_opt("checklists_state", s.checklists_state)
        .put("problems", &s.problems)
}

pub fn region_standing(r: &RegionStanding) -> Obj {
    Obj::new()
        .put("name", &r.name)
        .put("rank", r.rank)
        .put("unit_count", r.units)
        .put("share_per_mille", r.share)
        .obj("figures", figures(&r.figures))
        .objs(
            "milestones",
            r.milestones.iter().map(milestone_status).collect(),
        )
}

fn row_errors(errors: &[RowError]) -> Vec<Obj> {
    errors
        .iter()
        .map(|e| {
            Obj::new()
                .put("sheet", &e.sheet)
                .put("row", e.row)
                .put("column", &e.column)
                .put("reason", &e.reason)
        })
        .collect()
}

pub fn import_report(r: &ImportReport) -> Obj {
    Obj::new()
        .put("row_count", r.rows)
        .put("added", r.added)
        .put("changed", r.changed)
        .put("unchanged", r.unchanged)
        .put("cancelled", r.cancelled)
        .put("kept_claim_count", r.kept_claims)
        .put("kept_checklist_count", r.kept_checklists)
        .objs("rejected", row_errors(&r.rejected))
        .objs("incomplete", row_errors(&r.incomplete))
        .objs("warnings", row_errors(&r.warnings))
        .objs("conflicts", row_errors(&r.conflicts))
        .put("written", r.written)
}

impl Labeled for Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Department => "department",
            Kind::MainItem => "main_item",
            Kind::Item => "item",
            Kind::LocalItem => "local_item",
            Kind::Basis => "basis",
        }
    }
    fn label(self) -> &'static str {
        Kind::label(self)
    }
}

impl Labeled for How {
    fn key(self) -> &'static str {
        match self {
            How::Code => "code",
            How::Text => "text",
            How::Article => "article",
            How::Excerpt => "excerpt",
            How::Fuzzy => "fuzzy",
            How::Pinyin => "pinyin",
            How::Near => "near",
        }
    }
    fn label(self) -> &'static str {
        match self {
            How::Code => "编码",
            How::Text => "名称",
            How::Article => "条款号",
            How::Excerpt => "依据原文",
            How::Fuzzy => "分散匹配",
            How::Pinyin => "拼音",
            How::Near => "近似结果",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_8601_in_beijing_time() {
        let t = crate::domain::parse_time("2019-05-14 17:00").unwrap();
        assert_eq!(iso_time(t), "2019-05-14T17:00:00+08:00");
    }

    #[test]
    fn a_tag_is_the_key_and_its_label() {
        let v: Value = Obj::new()
            .tag("state", ChecklistState::Filed)
            .tag_opt("from", None::<ReviewState>)
            .into();
        assert_eq!(
            v,
            serde_json::json!({
                "state": "filed", "state_label": "已填报",
                "from": null, "from_label": null,
            })
        );
    }

    #[test]
    fn keys_print_in_the_order_written() {
        let o = Obj::new()
            .put("name", "x")
            .obj("inner", Obj::new().put("z", 1).put("a", 2))
            .put("code", "y");
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"{"name":"x","inner":{"z":1,"a":2},"code":"y"}"#
        );
    }

    #[test]
    fn search_keys_match_their_serde_names() {
        for k in [Kind::Item, Kind::Basis] {
            assert_eq!(serde_json::to_value(k).unwrap(), Labeled::key(k));
        }
        for h in [How::Code, How::Text, How::Excerpt, How::Fuzzy, How::Pinyin] {
            assert_eq!(serde_json::to_value(h).unwrap(), Labeled::key(h));
        }
    }
}
