//! Field-by-field choice between two versions of a checklist: after a lost
//! race (mine or the one saved first) and when a reused upper-level
//! checklist changed (keep mine or take the upper level's).

use crate::domain::{Checklist, ChecklistField, ChecklistFields};
use crate::tui::draw::{block, clear_wide_edges, overlay};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// Why the choice is asked.
#[derive(Debug, Clone)]
pub enum Purpose {
    /// Another operator saved first: theirs is the row as it is now.
    Conflict(Box<Checklist>),
    /// The reused upper-level checklist changed: theirs is it now.
    Upper(Box<Checklist>),
}

pub struct Choose {
    pub purpose: Purpose,
    /// Who “theirs” is, for the column title.
    pub theirs_label: String,
    /// The differing fields and whether to take theirs.
    pub rows: Vec<(ChecklistField, bool)>,
    mine: ChecklistFields,
    cursor: usize,
}

pub enum Outcome {
    Stay,
    Cancel,
    /// The chosen fields from theirs (the rest stay mine).
    Apply(Vec<ChecklistField>),
}

impl Choose {
    pub fn new(purpose: Purpose, theirs_label: String, mine: &ChecklistFields) -> Self {
        let theirs = match &purpose {
            Purpose::Conflict(c) | Purpose::Upper(c) => &c.fields,
        };
        let skip: &[ChecklistField] = match purpose {
            // The unit's own: never taken from the upper level.
            Purpose::Upper(_) => &[
                ChecklistField::ItemCode,
                ChecklistField::Level,
                ChecklistField::SubjectName,
                ChecklistField::SubjectCode,
            ],
            Purpose::Conflict(_) => &[],
        };
        let rows = mine
            .differing(theirs)
            .into_iter()
            .filter(|f| !skip.contains(f))
            .map(|f| (f, false))
            .collect();
        Choose {
            purpose,
            theirs_label,
            rows,
            mine: mine.clone(),
            cursor: 0,
        }
    }

    /// After a lost race: a field I left as it was when I opened the form
    /// (`base`) but they changed is theirs by default, so keeping the rest
    /// of my copy does not undo their work; a field we both changed is
    /// mine by default, and shown.
    pub fn conflict(
        theirs: Box<Checklist>,
        theirs_label: String,
        mine: &ChecklistFields,
        base: Option<&ChecklistFields>,
    ) -> Self {
        let mut c = Choose::new(Purpose::Conflict(theirs), theirs_label, mine);
        if let Some(base) = base {
            for (field, take) in &mut c.rows {
                *take = mine.text_of(*field) == base.text_of(*field);
            }
        }
        c
    }

    pub fn theirs(&self) -> &Checklist {
        match &self.purpose {
            Purpose::Conflict(c) | Purpose::Upper(c) => c,
        }
    }

    /// Mine with the chosen fields of theirs.
    pub fn merged(&self) -> ChecklistFields {
        let mut f = self.mine.clone();
        for (field, take) in &self.rows {
            if *take {
                f.take(*field, &self.theirs().fields);
            }
        }
        f
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Esc => return Outcome::Cancel,
            KeyCode::Up | KeyCode::Char('k') => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                self.cursor = (self.cursor + 1).min(self.rows.len().saturating_sub(1))
            }
            KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => {
                if let Some(r) = self.rows.get_mut(self.cursor) {
                    r.1 = !r.1;
                }
            }
            KeyCode::Char('m') => self.rows.iter_mut().for_each(|r| r.1 = false),
            KeyCode::Char('t') => self.rows.iter_mut().for_each(|r| r.1 = true),
            KeyCode::Enter => {
                return Outcome::Apply(
                    self.rows
                        .iter()
                        .filter(|(_, take)| *take)
                        .map(|(f, _)| *f)
                        .collect(),
                );
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let rect = overlay(frame, area);
        clear_wide_edges(frame, rect);
        let (title, take_word) = match self.purpose {
            Purpose::Conflict(_) => (" 保存冲突：逐项选择保留哪一方 ", "对方"),
            Purpose::Upper(_) => (" 上级已更新：逐项选择是否同步 ", "上级"),
        };
        let b = block(title.into(), true);
        let inner = b.inner(rect);
        frame.render_widget(b, rect);
        let [head, list, foot] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(format!("{}：{}", take_word, self.theirs_label)),
                Line::from({
                    let theirs = self.rows.iter().filter(|(_, t)| *t).count();
                    if theirs == 0 {
                        format!("{} 项不同；默认全部保留我的", self.rows.len())
                    } else {
                        format!(
                            "{} 项不同；默认取对方 {theirs} 项（我没有改过、对方改了的），其余保留我的",
                            self.rows.len()
                        )
                    }
                }),
            ]),
            head,
        );
        let half = (list.width as usize).saturating_sub(16) / 2;
        let cut = |s: String| -> String {
            let one = s.replace('\n', " / ");
            let mut out = String::new();
            let mut w = 0;
            for c in one.chars() {
                let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if w + cw > half.saturating_sub(1) {
                    out.push_str("..");
                    break;
                }
                out.push(c);
                w += cw;
            }
            out
        };
        let mut lines = Vec::new();
        for (i, (field, take)) in self.rows.iter().enumerate() {
            let mark = if *take {
                format!("[{take_word}]")
            } else {
                "[我的]".to_string()
            };
            lines.push(crate::tui::draw::row(
                Line::from(format!("{mark} {}", field.label())),
                i == self.cursor,
            ));
            lines.push(Line::from(format!(
                "    我的：{}",
                cut(self.mine.text_of(*field))
            )));
            lines.push(Line::from(format!(
                "    {take_word}：{}",
                cut(self.theirs().fields.text_of(*field))
            )));
        }
        let per = 3;
        let height = list.height as usize;
        let skip = (self.cursor * per + per).saturating_sub(height);
        frame.render_widget(
            Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()),
            list,
        );
        frame.render_widget(
            Paragraph::new(format!(
                "j/k 移动  Space 切换  m 全用我的  t 全用{take_word}  Enter 确定  Esc 取消"
            )),
            foot,
        );
    }
}

impl Choose {
    /// The chooser's keys, as `on_key` reads them.
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
    ) -> Vec<crate::tui::commands::Command> {
        let theirs = match self.purpose {
            Purpose::Conflict(_) => "对方",
            Purpose::Upper(_) => "上级",
        };
        crate::tui::commands::Commands::new(keymap)
            .text("Space/Left/Right", "切换这一项用哪一方", true)
            .key(KeyCode::Char('m'), "全部用我的", "全用我的")
            .key(
                KeyCode::Char('t'),
                &format!("全部用{theirs}的"),
                &format!("全用{theirs}"),
            )
            .key(KeyCode::Enter, "按所选合并", "确定")
            .key(KeyCode::Esc, "不合并，表单保持原样", "取消")
            .text("Up/k  Down/j", "上移、下移", false)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ChecklistState;
    use ratatui::crossterm::event::KeyModifiers;

    fn checklist(fields: ChecklistFields) -> Checklist {
        Checklist {
            id: 1,
            sub_item_id: 1,
            unit_id: 1,
            fields,
            state: ChecklistState::Draft,
            source_id: None,
            source_version: None,
            version: 4,
            updated_at: 0,
            updated_by: 1,
        }
    }

    #[test]
    fn after_a_lost_race_what_only_they_changed_is_theirs_by_default() {
        let base = ChecklistFields {
            content: "原内容".into(),
            target_main: "原对象".into(),
            ..Default::default()
        };
        // I changed the content; they changed the object (and cleared
        // nothing of mine).
        let mine = ChecklistFields {
            content: "我的内容".into(),
            ..base.clone()
        };
        let theirs = ChecklistFields {
            target_main: "他们的对象".into(),
            ..base.clone()
        };
        let c = Choose::conflict(
            Box::new(checklist(theirs)),
            "张伟".into(),
            &mine,
            Some(&base),
        );
        assert_eq!(
            c.rows,
            vec![
                (ChecklistField::TargetMain, true),
                (ChecklistField::Content, false)
            ]
        );
        let m = c.merged();
        assert_eq!(m.target_main, "他们的对象", "their change is not undone");
        assert_eq!(m.content, "我的内容", "mine is kept");
        // Without the version I started from, everything stays mine.
        let blind = Choose::conflict(
            Box::new(checklist(ChecklistFields {
                target_main: "他们的对象".into(),
                ..base.clone()
            })),
            "张伟".into(),
            &mine,
            None,
        );
        assert!(blind.rows.iter().all(|(_, take)| !take));
    }

    #[test]
    fn merge_takes_only_the_chosen_fields_of_theirs() {
        let mine = ChecklistFields {
            content: "我的内容".into(),
            target_main: "我的对象".into(),
            subject_name: "我的主体".into(),
            ..Default::default()
        };
        let theirs = ChecklistFields {
            content: "他们的内容".into(),
            target_main: "他们的对象".into(),
            subject_name: "上级主体".into(),
            ..Default::default()
        };
        let mut c = Choose::new(
            Purpose::Conflict(Box::new(checklist(theirs.clone()))),
            "张伟".into(),
            &mine,
        );
        assert_eq!(c.rows.len(), 3);
        let k = |c: KeyCode| KeyEvent::new(c, KeyModifiers::NONE);
        // Second row (target_main comes before content): take theirs.
        c.on_key(k(KeyCode::Down));
        c.on_key(k(KeyCode::Char(' ')));
        let Outcome::Apply(taken) = c.on_key(k(KeyCode::Enter)) else {
            panic!("applied")
        };
        assert_eq!(taken, vec![ChecklistField::TargetMain]);
        let m = c.merged();
        assert_eq!(m.target_main, "他们的对象");
        assert_eq!(m.content, "我的内容");
        // From an upper level, the unit's own 实施主体 is never offered.
        let u = Choose::new(
            Purpose::Upper(Box::new(checklist(theirs))),
            "市级".into(),
            &mine,
        );
        assert!(
            u.rows
                .iter()
                .all(|(f, _)| *f != ChecklistField::SubjectName)
        );
    }
}
