//! One wrong character: where a text holds a term with one character
//! substituted, missing or extra (食品安全监督减查 finds 监督检查, 餐钦服务
//! finds 餐饮服务). Chinese terms are compared by edit distance to any run of
//! the text; pinyin terms are tried with each letter left out, replaced or
//! added (as a letter matching any).

use super::pinyin::{Readings, WILD};
use super::query::Term;
use super::score::{self, Chars, Pattern};

pub enum Near {
    Chinese {
        chars: Vec<char>,
        /// The two halves: a run one edit away holds one of them whole.
        halves: [String; 2],
        /// The term with one character left out, and the Bloom bits of its
        /// characters: matched apart, as the term itself would be.
        dropped: Vec<(Vec<char>, u128)>,
    },
    Letters {
        /// The term with one letter replaced, added (as a letter matching
        /// any) or left out, matched as a run; and with one letter left
        /// out, matched apart (`score::align_letters`). Each with the
        /// letters it needs to start a character (a quick rejection).
        runs: Vec<(Vec<u8>, u32)>,
        apart: Vec<(Vec<u8>, u32)>,
        readings: Readings,
    },
    /// Initials (spjdjx): all but one of the letters, in order, apart. A
    /// wrong letter and an extra one are both a letter left out; a
    /// missing one needs nothing (the rest match apart already).
    Initials {
        q: Vec<u8>,
        readings: Readings,
    },
    None,
}

/// The points of a near match as a run: above any found apart (whose
/// points `best_apart` keeps below).
const AS_RUN: i32 = 400;

impl Near {
    pub fn new(term: &Term, readings: Readings) -> Near {
        match term {
            Term::Chinese(chars) if chars.len() >= 2 => {
                let mid = chars.len() / 2;
                let dropped = (0..chars.len())
                    .map(|k| {
                        let mut v = chars.clone();
                        v.remove(k);
                        let bloom = super::engine::bloom(&v.iter().collect::<String>());
                        (v, bloom)
                    })
                    .collect();
                Near::Chinese {
                    halves: [chars[..mid].iter().collect(), chars[mid..].iter().collect()],
                    chars: chars.clone(),
                    dropped,
                }
            }
            Term::Latin(s) if score::initials_alone(s.as_bytes(), readings) => Near::Initials {
                q: s.as_bytes().to_vec(),
                readings,
            },
            Term::Latin(s) => {
                let q = s.as_bytes();
                let mut runs = Vec::new();
                for k in 0..q.len() {
                    let mut replaced = q.to_vec();
                    replaced[k] = WILD;
                    runs.push(replaced);
                }
                for k in 0..=q.len() {
                    let mut longer = q.to_vec();
                    longer.insert(k, WILD);
                    runs.push(longer);
                }
                // Apart too, one letter left out (shipinjiamcha): each
                // variant taken greedily (`score::align_letters`).
                let mut shorter: Vec<Vec<u8>> = (0..q.len())
                    .map(|k| {
                        let mut v = q.to_vec();
                        v.remove(k);
                        v
                    })
                    .collect();
                shorter.dedup();
                runs.extend(shorter.iter().cloned());
                let needs = |v: Vec<Vec<u8>>| -> Vec<(Vec<u8>, u32)> {
                    v.into_iter()
                        .filter(|v| v.len() >= 2)
                        .map(|v| {
                            let need = readings.required_initials(&v);
                            (v, need)
                        })
                        .collect()
                };
                Near::Letters {
                    runs: needs(runs),
                    apart: needs(shorter),
                    readings,
                }
            }
            _ => Near::None,
        }
    }

    /// A quick look at a text's Bloom bits and initials: false when
    /// nothing in it can be one character away.
    pub fn may_match(&self, bloom: u128, initials: u32) -> bool {
        match self {
            Near::Chinese { dropped, .. } => dropped.iter().any(|(_, b)| bloom & b == *b),
            Near::Letters { runs, apart, .. } => runs
                .iter()
                .chain(apart)
                .any(|(_, need)| initials & need == *need),
            Near::Initials { q, .. } => {
                let need = q.iter().fold(0u32, |a, &b| a | 1 << (b - b'a'));
                (need & !initials).count_ones() <= 1
            }
            Near::None => false,
        }
    }

    /// The points of the closest match in `key` (its Bloom bits `bloom`,
    /// the letters that can start one of its characters `initials`), and
    /// with `trace` the matched characters; None when nothing is one
    /// character away.
    pub fn find(
        &self,
        key: &str,
        bloom: u128,
        initials: u32,
        mut trace: Option<&mut Vec<usize>>,
    ) -> Option<i32> {
        // Closeness: a run first, then where it starts; not its length (a
        // letter matching any may reach into the next character).
        let mut mark_run = |start: usize, len: usize| {
            if let Some(t) = trace.as_deref_mut() {
                t.clear();
                t.extend(start..start + len);
            }
            let before = start.checked_sub(1).and_then(|b| key.chars().nth(b));
            AS_RUN + score::start_points(start, before)
        };
        match self {
            Near::Chinese {
                chars: term,
                halves,
                dropped,
            } => {
                if halves.iter().any(|h| key.contains(h.as_str()))
                    && let Some((start, len)) = within_one(term, key)
                {
                    return Some(mark_run(start, len));
                }
                let mut apart = dropped.iter().filter(|(_, b)| bloom & b == *b).peekable();
                apart.peek()?;
                let chars = Chars::of(key);
                best_apart(apart.map(|(v, _)| Pattern::Chars(v)), chars.get(), trace)
            }
            Near::Letters {
                runs,
                apart,
                readings,
            } => {
                if let Some((s, e)) = runs
                    .iter()
                    .filter(|(_, need)| initials & need == *need)
                    .find_map(|(v, _)| readings.find_in(key, v))
                {
                    return Some(mark_run(s, e - s));
                }
                // Apart: the best of the term less one letter.
                let mut best: Option<(i32, Vec<usize>)> = None;
                for (v, _) in apart.iter().filter(|(_, need)| initials & need == *need) {
                    let mut at = Vec::new();
                    if let Some(a) = score::align_letters(v, *readings, key, Some(&mut at))
                        && best.as_ref().is_none_or(|(b, _)| a.best > *b)
                    {
                        best = Some((a.best.min(AS_RUN - 20), at));
                    }
                }
                let (points, at) = best?;
                if let Some(t) = trace {
                    *t = at;
                }
                Some(points)
            }
            Near::Initials { q, readings } => {
                let k = initials_but_one(q, *readings, key, initials)?;
                let mut v = q.clone();
                v.remove(k);
                let a = score::align_letters(&v, *readings, key, trace)?;
                Some(a.best.min(AS_RUN - 20))
            }
            Near::None => None,
        }
    }
}

/// Which letter of initials `q` can be left out for the rest to match
/// `text` in order, each letter a character's initial: the greedy match
/// of each beginning (earliest) against that of each end (latest), two
/// passes over the text.
fn initials_but_one(q: &[u8], readings: Readings, text: &str, initials: u32) -> Option<usize> {
    let m = q.len();
    if !(2..=63).contains(&m) {
        return None;
    }
    let need = q.iter().fold(0u32, |a, &b| a | 1 << (b - b'a'));
    if (need & !initials).count_ones() > 1 {
        return None;
    }
    let mask = |c: char| readings.letters_of(c);
    // first[k]: where q[..=k] ends, matched earliest; last[k]: where
    // q[k..] starts, matched latest.
    let mut first = [usize::MAX; 64];
    let mut last = [usize::MAX; 64];
    let mut j = 0;
    for (i, c) in text.chars().enumerate() {
        if j < m && mask(c) & 1 << (q[j] - b'a') != 0 {
            first[j] = i;
            j += 1;
        }
    }
    let n = text.chars().count();
    let mut j = m;
    for (back, c) in text.chars().rev().enumerate() {
        if j > 0 && mask(c) & 1 << (q[j - 1] - b'a') != 0 {
            j -= 1;
            last[j] = n - 1 - back;
        }
    }
    (0..m).find(|&k| {
        let before = if k == 0 {
            Some(None)
        } else {
            (first[k - 1] != usize::MAX).then_some(Some(first[k - 1]))
        };
        let after = if k + 1 == m {
            Some(None)
        } else {
            (last[k + 1] != usize::MAX).then_some(Some(last[k + 1]))
        };
        match (before, after) {
            (Some(Some(b)), Some(Some(a))) => b < a,
            (Some(_), Some(_)) => true,
            _ => false,
        }
    })
}

/// The best of several patterns matched apart (`score::align`).
fn best_apart<'a>(
    patterns: impl Iterator<Item = Pattern<'a>>,
    chars: &[char],
    mut trace: Option<&mut Vec<usize>>,
) -> Option<i32> {
    let mut best: Option<i32> = None;
    let mut at = Vec::new();
    for p in patterns {
        let want = trace.is_some().then_some(&mut at);
        if let Some(points) = score::align(p, chars, want)
            && best.is_none_or(|b| points > b)
        {
            best = Some(points.min(AS_RUN - 20));
            if let Some(t) = trace.as_deref_mut() {
                t.clone_from(&at);
            }
        }
    }
    best
}

/// The run of `text` at edit distance at most 1 from `pattern` (Sellers'
/// algorithm: an edit distance where the run may start anywhere): its
/// char index and length, the closest and then the first.
fn within_one(pattern: &[char], text: &str) -> Option<(usize, usize)> {
    let m = pattern.len();
    // Per pattern prefix: distance, and where the run started.
    let mut col: Vec<(usize, usize)> = (0..=m).map(|j| (j, 0)).collect();
    let mut next = col.clone();
    let mut best: Option<(usize, usize, usize)> = None;
    for (i, c) in text.chars().enumerate() {
        next[0] = (0, i + 1);
        for j in 1..=m {
            let diagonal = (
                col[j - 1].0 + usize::from(pattern[j - 1] != c),
                col[j - 1].1,
            );
            let extra_in_text = (col[j].0 + 1, col[j].1);
            let missing_in_text = (next[j - 1].0 + 1, next[j - 1].1);
            next[j] = diagonal.min(extra_in_text).min(missing_in_text);
        }
        let (distance, start) = next[m];
        // The closest; of runs as close from the same start, the longest.
        if distance <= 1 && best.is_none_or(|(d, s, _)| distance < d || distance == d && start == s)
        {
            best = Some((distance, start, i + 1 - start));
        }
        std::mem::swap(&mut col, &mut next);
    }
    best.map(|(_, s, n)| (s, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(term: Term, text: &str) -> Option<Vec<usize>> {
        let r = Readings::default();
        let mut at = Vec::new();
        let bloom = super::super::engine::bloom(text);
        Near::new(&term, r).find(text, bloom, r.initials_of(text), Some(&mut at))?;
        Some(at)
    }

    fn zh(q: &str, text: &str) -> Option<(usize, usize)> {
        near(Term::Chinese(q.chars().collect()), text).map(|at| (at[0], at.len()))
    }

    fn py(q: &str, text: &str) -> Option<(usize, usize)> {
        near(Term::Latin(q.into()), text).map(|at| (at[0], at.len()))
    }

    #[test]
    fn one_chinese_character_substituted_missing_or_extra() {
        assert_eq!(zh("监督减查", "对食品的监督检查"), Some((4, 4)));
        assert_eq!(zh("餐钦服务", "对餐饮服务的检查"), Some((1, 4)));
        // Missing in the query: 监督查 ← 监督检查 (the run is 4 long).
        assert_eq!(zh("食品监督查", "食品监督检查"), Some((0, 6)));
        // Extra in the query.
        assert_eq!(zh("监督检检查", "对食品的监督检查"), Some((4, 4)));
        assert_eq!(zh("监减督差", "对食品的监督检查"), None, "two away");
        // Apart, as the term itself would match: 食品安全…监督检查.
        assert_eq!(
            near(
                Term::Chinese("食品安全监督减查".chars().collect()),
                "对食品安全的监督检查"
            ),
            Some(vec![1, 2, 3, 4, 6, 7, 9])
        );
    }

    #[test]
    fn one_letter_off_in_pinyin() {
        assert!(py("jiandy", "监督检查").is_some(), "substituted");
        assert!(py("jiandujc", "监督检查").is_some(), "exact is within one");
        assert!(py("jianduxjc", "监督检查").is_some(), "extra");
        assert!(
            py("jiandjc", "监督检查").is_some(),
            "jiand: d is 督's initial"
        );
        assert!(py("qqqqq", "监督检查").is_none());
        assert!(py("jiandujcx", "监督检查").is_some(), "extra at the end");
    }
}
