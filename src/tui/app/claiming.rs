//! Claiming from the tree: claim, unclaim and 是否行使 on the marked rows
//! (or the row under the cursor), 认领完成, and undo of this session's
//! bulk actions. An action on more than one row asks first, saying how
//! many rows and how many of them are not on screen. The answers to every
//! question of the TUI (this module's `Pending`) are read here too.

use super::{App, Pane};
use crate::app::claims::{self, ClaimReport};
use crate::app::views;
use crate::app::{Actor, AppError};
use crate::domain::{Id, Role, format_time};
use crate::tui::action::Action;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A write waiting for the user's yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// The sub-items, and a note on those left out (not in use).
    Claim(Vec<Id>, String),
    Unclaim(Vec<Id>),
    Exercised(Vec<Id>, bool),
    Finish,
    /// Withdraw the unit's 认领完成 (a platform_admin acting for it).
    Reopen(Id),
    /// Put a draft left by a dropped session back into the form.
    RestoreDraft(Box<crate::tui::form::draft::Draft>),
    /// The form has unsaved edits and the operator is leaving it: s saves,
    /// d discards, anything else stays.
    Leave(Leave),
    /// Save a change to an 已填报 checklist, which returns it to 完整.
    SaveFiled,
}

/// Where the operator was going when the form with unsaved edits asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leave {
    /// Back to the list (Esc).
    Close,
    /// Out of the TUI (q, Ctrl-c).
    Quit,
    /// To another pane.
    Focus(Pane),
    /// On to the next unfinished checklist (`]`).
    Next,
}

/// The confirmation overlay: the question and what a yes does.
#[derive(Debug, Clone)]
pub struct Pending {
    pub question: String,
    pub op: Op,
}

/// One undoable action of this session: its change-log row and what the
/// status line calls it.
#[derive(Debug, Clone)]
pub(super) struct Done {
    log_id: Id,
    what: String,
}

impl App {
    fn unit_name(&self) -> String {
        self.claiming
            .as_ref()
            .map(|c| c.unit.clone())
            .unwrap_or_else(|| "本单位".into())
    }

    /// Claim, unclaim or toggle 是否行使 on the targets; asks first when
    /// they are more than one, saying how many are not on screen.
    pub(super) fn bulk(&mut self, action: Action) {
        if self.actor.is_none() {
            self.status = "只能浏览：没有账号，不能认领".into();
            return;
        }
        let (ids, picked) = self.tree.targets();
        if ids.is_empty() {
            self.status = format!(
                "没有可操作的子项：按 {} 标记事项，或把光标移到事项上",
                self.keymap.keys_of(Action::Pick)
            );
            return;
        }
        let (ids, skipped, refused) = if action == Action::Claim {
            self.without_unclaimable(ids)
        } else {
            (ids, String::new(), 0)
        };
        if ids.is_empty() {
            self.status = format!("没有可认领的子项{skipped}");
            return;
        }
        let n = ids.len();
        let (op, verb) = match action {
            Action::Claim => (Op::Claim(ids, skipped.clone()), "认领".to_string()),
            Action::Unclaim => (Op::Unclaim(ids), "取消认领".to_string()),
            _ => {
                // All exercised: set them not exercised; otherwise exercised.
                let all = ids
                    .iter()
                    .all(|id| self.tree.marks.claims.get(id) == Some(&true));
                (Op::Exercised(ids, !all), exercised_verb(!all).to_string())
            }
        };
        if n > 1 || refused > 0 {
            let whose = if picked {
                "已标记的"
            } else {
                "当前行下的"
            };
            // Items the unit may not claim are named below the question,
            // so the yes is to claiming the rest knowingly.
            let rest = if refused > 0 { "其余" } else { "" };
            let left_out = if refused > 0 {
                format!("\n\n另有{}", skipped.trim_start_matches('；'))
            } else {
                String::new()
            };
            let ids = match &op {
                Op::Claim(ids, _) | Op::Unclaim(ids) | Op::Exercised(ids, _) => ids.as_slice(),
                _ => &[],
            };
            let unseen = unseen_note(self.tree.unseen(ids), n);
            self.confirm = Some(Pending {
                question: format!(
                    "为{}{verb}{whose}{rest} {n} 个子项？\n{unseen}{left_out}\n\n按 y 确认，其他键取消（确认后可按 {} 撤销）",
                    self.unit_name(),
                    self.keymap.keys_of(Action::Undo)
                ),
                op,
            });
        } else {
            self.execute(op);
        }
    }

    /// Cancelled and suspended items, items whose 监管层级 leaves out the
    /// unit's level, and local items not yet approved cannot be claimed: a
    /// bulk claim leaves them out and says so, rather than failing as a
    /// whole. Returns the rest, the note, and how many were refused (not
    /// counting items not in use).
    fn without_unclaimable(&self, ids: Vec<Id>) -> (Vec<Id>, String, usize) {
        let mut note = String::new();
        let mut out: std::collections::HashSet<Id> = std::collections::HashSet::new();
        let idle = self.tree.not_in_use(&ids);
        if !idle.is_empty() {
            note.push_str(&format!(
                "；{} 项不在用，未认领：{}",
                idle.len(),
                first_names(idle.iter().map(|(_, n)| n.clone()))
            ));
            out.extend(idle.iter().map(|(id, _)| *id));
        }
        let unit_id = self.actor.as_ref().map(|a| a.effective().unit_id);
        let refused = match unit_id.map(|u| claims::left_out(&self.store, u, &ids)) {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                note.push_str(&format!("；无法核对能否认领：{e}"));
                Vec::new()
            }
            None => Vec::new(),
        };
        if !refused.is_empty() {
            note.push_str(&format!(
                "；{} 项不能认领（监管层级不含本单位层级，或地方事项尚未审核通过）：{}",
                refused.len(),
                first_names(refused.iter().map(claims::LeftOut::short))
            ));
            out.extend(refused.iter().map(|o| o.sub_item_id));
        }
        (
            ids.into_iter().filter(|id| !out.contains(id)).collect(),
            note,
            refused.len(),
        )
    }

    /// 认领完成: always asks, since only a platform_admin can withdraw it.
    pub(super) fn finish(&mut self) {
        let Some(actor) = &self.actor else {
            self.status = "只能浏览：没有账号".into();
            return;
        };
        if let Some(at) = self.claiming.as_ref().and_then(|c| c.finished_at) {
            if actor.real.role == Role::PlatformAdmin {
                self.confirm = Some(Pending {
                    question: format!(
                        "撤销{}于 {} 记录的认领完成？\n\n按 y 确认，其他键取消",
                        self.unit_name(),
                        format_time(at)
                    ),
                    op: Op::Reopen(actor.effective().unit_id),
                });
            } else {
                self.status = format!(
                    "本单位已于 {} 认领完成；如需撤销请联系平台管理员",
                    format_time(at)
                );
            }
            return;
        }
        let claimed = self.tree.marks.claims.len();
        let idle = self.tree.marks.claims.values().filter(|e| !**e).count();
        self.confirm = Some(Pending {
            question: format!(
                "确认{}认领完成？\n\n已认领 {claimed} 项，其中 {idle} 项不行使。\n认领完成后只有平台管理员可以撤销。\n\n按 y 确认，其他键取消",
                self.unit_name()
            ),
            op: Op::Finish,
        });
    }

    /// A key while a question is shown. Most questions take y (or Enter)
    /// for yes and anything else for no; the draft question wants y or d
    /// and asks again otherwise (a stray key must not delete a draft);
    /// leaving a form takes s, d, or stays.
    pub(super) fn answer_key(&mut self, key: KeyEvent) {
        let Some(p) = self.confirm.take() else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let letter = match key.code {
            KeyCode::Char(c) => Some(c.to_ascii_lowercase()),
            _ => None,
        };
        match p.op {
            Op::RestoreDraft(d) => match letter {
                Some('y') if !ctrl => self.restore_draft(*d),
                Some('d') if !ctrl => self.drop_draft(),
                // Ctrl-c still leaves the program; the draft stays on disk.
                Some('c') if ctrl => {
                    self.quit = true;
                }
                _ => {
                    self.status = "请回答：按 y 恢复草稿，按 d 丢弃草稿".into();
                    self.confirm = Some(Pending {
                        question: p.question,
                        op: Op::RestoreDraft(d),
                    });
                }
            },
            Op::Leave(to) => match letter {
                Some('s') => self.save_and_leave(to),
                Some('d') if !ctrl => self.discard_and_leave(to),
                _ => self.status = "留在表单：修改尚未保存".into(),
            },
            op => {
                let yes = matches!(key.code, KeyCode::Char('y' | 'Y') | KeyCode::Enter) && !ctrl;
                match (yes, op) {
                    (true, Op::SaveFiled) => {
                        self.write_form(false);
                    }
                    (true, op) => self.execute(op),
                    (false, _) => self.status = "已取消，未做任何改动".into(),
                }
            }
        }
    }

    fn execute(&mut self, op: Op) {
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let before = self.tree.marks.clone();
        let result = match &op {
            Op::Claim(ids, skipped) => {
                claims::claim_many(&mut self.store, &actor, ids, true).map(|r| {
                    let msg = format!(
                        "已认领 {} 项（其中 {} 项原已认领）{skipped}",
                        ids.len(),
                        r.unchanged
                    );
                    (msg, done(&r, format!("认领 {} 项", r.changed.len())))
                })
            }
            Op::Unclaim(ids) => claims::unclaim_many(&mut self.store, &actor, ids).map(|r| {
                let kept = r
                    .changed
                    .iter()
                    .filter(|id| before.checklists.contains_key(id))
                    .count();
                let mut msg = format!(
                    "已取消认领 {} 项（其中 {} 项原未认领）",
                    ids.len(),
                    r.unchanged
                );
                if kept > 0 {
                    msg.push_str(&format!("；{kept} 项已填的检查实施清单仍保留"));
                }
                (msg, done(&r, format!("取消认领 {} 项", r.changed.len())))
            }),
            Op::Exercised(ids, value) => {
                claims::set_exercised(&mut self.store, &actor, ids, *value).map(|r| {
                    let unclaimed = ids
                        .iter()
                        .filter(|id| !before.claims.contains_key(id))
                        .count();
                    let verb = exercised_verb(*value);
                    let mut msg = format!(
                        "已{verb} {} 项（其中 {} 项原已如此）",
                        ids.len() - unclaimed,
                        r.unchanged - unclaimed.min(r.unchanged)
                    );
                    if unclaimed > 0 {
                        msg.push_str(&format!("；{unclaimed} 项尚未认领，未改动"));
                    }
                    (msg, done(&r, format!("{verb} {} 项", r.changed.len())))
                })
            }
            Op::Finish => claims::finish_claiming(&mut self.store, &actor)
                .map(|at| (format!("已记录认领完成：{}", format_time(at)), None)),
            Op::Reopen(unit) => claims::undo_finish_claiming(&mut self.store, &actor, *unit)
                .map(|_| (format!("已撤销{}的认领完成", self.unit_name()), None)),
            // Answered in `answer_key`, never executed as a write here.
            Op::RestoreDraft(_) | Op::Leave(_) | Op::SaveFiled => return,
        };
        match result {
            Ok((msg, undoable)) => {
                self.status = msg;
                if let Some(d) = undoable {
                    self.undo.push(d);
                }
                if matches!(op, Op::Claim(..) | Op::Unclaim(_) | Op::Exercised(..)) {
                    self.tree.clear_picks();
                }
                self.after_own_write(&actor);
            }
            Err(e) => self.status = failed(&op, &e),
        }
    }

    /// `u`: undoes this session's last claim action, as a new logged one.
    pub(super) fn undo_last(&mut self) {
        let Some(actor) = self.actor.clone() else {
            self.status = "只能浏览：没有账号".into();
            return;
        };
        let Some(last) = self.undo.pop() else {
            self.status = "本次没有可撤销的认领操作".into();
            return;
        };
        match claims::undo(&mut self.store, &actor, last.log_id) {
            Ok(u) => {
                let r = &u.report;
                let mut msg = format!("已撤销“{}”：恢复 {} 项", last.what, r.changed.len());
                if r.unchanged > 0 {
                    msg.push_str(&format!("（{} 项已被改动过，保持现状）", r.unchanged));
                }
                self.status = msg;
                self.after_own_write(&actor);
            }
            Err(e) => {
                self.status = format!("无法撤销“{}”：{e}", last.what);
                // Worth another try unless it can never succeed.
                if !matches!(e, AppError::Invalid(_) | AppError::Denied(_)) {
                    self.undo.push(last);
                }
            }
        }
    }

    /// Our own commits do not change `data_version` for this connection:
    /// read the marks and the title line's state again here.
    fn after_own_write(&mut self, actor: &Actor) {
        match views::marks(&self.store, Some(actor)) {
            Ok(m) => self.tree.set_marks(m),
            Err(e) => self.status = format!("{}；但刷新失败：{e}", self.status),
        }
        self.claiming = views::claiming_state(&self.store, actor.effective().unit_id).ok();
        self.forget_cached_item();
        self.reread_progress();
    }
}

/// Where the rows of a bulk action are, from the tree's (filtered out,
/// collapsed) count: the yes is to rows the operator may not be looking at.
fn unseen_note((filtered, collapsed): (usize, usize), n: usize) -> String {
    let hidden = filtered + collapsed;
    if hidden == 0 {
        return format!("这 {n} 项都在目录当前显示的行中。");
    }
    let mut why = Vec::new();
    if filtered > 0 {
        why.push(format!("{filtered} 项被筛选隐藏"));
    }
    if collapsed > 0 {
        why.push(format!("{collapsed} 项在收起的行下"));
    }
    format!("其中 {hidden} 项目录中现在看不到（{}）。", why.join("，"))
}

fn exercised_verb(exercised: bool) -> &'static str {
    if exercised {
        "设为行使"
    } else {
        "设为不行使"
    }
}

fn done(r: &ClaimReport, what: String) -> Option<Done> {
    r.log_id.map(|log_id| Done { log_id, what })
}

fn failed(op: &Op, e: &AppError) -> String {
    let what = match op {
        Op::Claim(..) => "认领",
        Op::Unclaim(_) => "取消认领",
        Op::Exercised(..) => "修改是否行使",
        Op::Finish => "记录认领完成",
        Op::Reopen(_) => "撤销认领完成",
        Op::RestoreDraft(_) => "恢复草稿",
        Op::Leave(_) | Op::SaveFiled => "保存",
    };
    format!("{what}失败，未做任何改动：{e}")
}

/// The first three of a list, joined, with 等 when there are more.
fn first_names(names: impl ExactSizeIterator<Item = String>) -> String {
    let more = if names.len() > 3 { "等" } else { "" };
    let first: Vec<String> = names.take(3).collect();
    format!("{}{more}", first.join("、"))
}

#[cfg(test)]
mod tests {
    use super::unseen_note;

    #[test]
    fn the_question_says_how_many_rows_are_out_of_sight_and_why() {
        assert_eq!(unseen_note((0, 0), 3), "这 3 项都在目录当前显示的行中。");
        assert_eq!(
            unseen_note((124, 0), 131),
            "其中 124 项目录中现在看不到（124 项被筛选隐藏）。"
        );
        assert_eq!(
            unseen_note((2, 5), 9),
            "其中 7 项目录中现在看不到（2 项被筛选隐藏，5 项在收起的行下）。"
        );
    }
}
