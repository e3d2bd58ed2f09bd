//! The search index and its ranking. Direct Chinese matches rank above
//! fuzzy ones, and those above pinyin matches; a query of digits matches
//! code prefixes.

use super::pinyin::Readings;
use crate::domain::Id;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A sub-item (监管事项子项).
    Item,
    /// A legal basis (设定依据).
    Basis,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Item => "监管事项",
            Kind::Basis => "设定依据",
        }
    }
}

/// Something that can be found.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub kind: Kind,
    pub id: Id,
    pub code: String,
    /// The searched text: an item's name, a basis's citation.
    pub text: String,
    /// Shown beside it: the department, the basis's kind and status.
    pub detail: String,
}

/// How a hit matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    Code,
    Text,
    /// The query stands in a basis's excerpt (full-text search).
    Excerpt,
    Fuzzy,
    Pinyin,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Index into the index's entries.
    pub entry: usize,
    pub score: i64,
    pub how: How,
    /// The matched characters (char range), where known without more work.
    pub span: Option<(usize, usize)>,
}

pub struct Index {
    entries: Vec<Entry>,
    /// Basis id → entry, for full-text hits found in the database.
    bases: std::collections::HashMap<Id, usize>,
    chars: Vec<Box<[char]>>,
    readings: Readings,
    fuzzy: SkimMatcherV2,
}

/// What a query is made of decides how it is matched.
enum Shape {
    Digits,
    Ascii,
    Chinese,
}

fn shape(q: &str) -> Shape {
    if q.bytes().all(|b| b.is_ascii_digit()) {
        Shape::Digits
    } else if q.is_ascii() {
        Shape::Ascii
    } else {
        Shape::Chinese
    }
}

impl Index {
    pub fn new(entries: Vec<Entry>) -> Self {
        let mut readings = Readings::default();
        let chars = entries
            .iter()
            .map(|e| {
                readings.learn(&e.text);
                e.text.chars().collect::<Vec<_>>().into_boxed_slice()
            })
            .collect();
        let bases = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == Kind::Basis)
            .map(|(i, e)| (e.id, i))
            .collect();
        Index {
            entries,
            bases,
            chars,
            readings,
            fuzzy: SkimMatcherV2::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entry(&self, i: usize) -> &Entry {
        &self.entries[i]
    }

    /// Scores one entry; None when it does not match.
    fn score(&self, i: usize, q: &str, qchars: &[char], kind: &Shape) -> Option<Hit> {
        let e = &self.entries[i];
        let text = &self.chars[i];
        let length_penalty = (text.len() as i64 - qchars.len() as i64).max(0) / 4;
        match kind {
            Shape::Digits => {
                if e.code.starts_with(q) {
                    return Some(Hit {
                        entry: i,
                        score: 4000 - (e.code.len() as i64 - q.len() as i64),
                        how: How::Code,
                        span: None,
                    });
                }
                None
            }
            Shape::Chinese => {
                if let Some(pos) = text.windows(qchars.len()).position(|w| w == qchars) {
                    return Some(Hit {
                        entry: i,
                        score: 3000 - 2 * pos as i64 - length_penalty,
                        how: How::Text,
                        span: Some((pos, pos + qchars.len())),
                    });
                }
                self.fuzzy.fuzzy_match(&e.text, q).map(|s| Hit {
                    entry: i,
                    score: 1000 + s.min(999) - length_penalty,
                    how: How::Fuzzy,
                    span: None,
                })
            }
            Shape::Ascii => {
                let lower = q.to_ascii_lowercase();
                if e.code.starts_with(&lower) {
                    return Some(Hit {
                        entry: i,
                        score: 4000,
                        how: How::Code,
                        span: None,
                    });
                }
                self.readings
                    .find(text, lower.as_bytes())
                    .map(|(start, end)| Hit {
                        entry: i,
                        score: 2000 - 2 * start as i64 - length_penalty,
                        how: How::Pinyin,
                        span: Some((start, end)),
                    })
            }
        }
    }

    /// Every entry matching `q` (among `within`, when a shorter query's
    /// matches are known), best first, items before bases on equal footing.
    pub fn search(&self, q: &str, within: Option<&[usize]>) -> Vec<Hit> {
        let q = q.trim();
        if q.is_empty() {
            return Vec::new();
        }
        let qchars: Vec<char> = q.chars().collect();
        let kind = shape(q);
        let mut hits: Vec<Hit> = match within {
            Some(ids) => ids
                .iter()
                .filter_map(|&i| self.score(i, q, &qchars, &kind))
                .collect(),
            None => (0..self.entries.len())
                .filter_map(|i| self.score(i, q, &qchars, &kind))
                .collect(),
        };
        self.sort(&mut hits);
        hits
    }

    /// Adds the bases whose excerpt holds the query (found by the database's
    /// full-text index) to `hits`, ranked below direct name matches.
    pub fn add_excerpt_hits(&self, hits: &mut Vec<Hit>, basis_ids: &[Id]) {
        let mut added = false;
        for id in basis_ids {
            if let Some(&i) = self.bases.get(id)
                && !hits.iter().any(|h| h.entry == i)
            {
                hits.push(Hit {
                    entry: i,
                    score: 2500,
                    how: How::Excerpt,
                    span: None,
                });
                added = true;
            }
        }
        if added {
            self.sort(hits);
        }
    }

    /// Best first; items before bases on equal scores; code order for code
    /// matches; shorter texts first.
    fn sort(&self, hits: &mut [Hit]) {
        hits.sort_by(|a, b| {
            let (ea, eb) = (&self.entries[a.entry], &self.entries[b.entry]);
            b.score
                .cmp(&a.score)
                .then(ea.kind.cmp(&eb.kind))
                .then(if a.how == How::Code {
                    ea.code.cmp(&eb.code)
                } else {
                    std::cmp::Ordering::Equal
                })
                .then(self.chars[a.entry].len().cmp(&self.chars[b.entry].len()))
        });
    }

    /// The matched characters of a hit, computed when it is shown.
    pub fn highlight(&self, hit: &Hit, q: &str) -> Vec<usize> {
        match hit.span {
            Some((a, b)) => (a..b).collect(),
            None if hit.how == How::Fuzzy => self
                .fuzzy
                .fuzzy_indices(&self.entries[hit.entry].text, q.trim())
                .map(|(_, idx)| idx)
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }
}

/// Whether a query is worth the database's full-text search of excerpts.
pub fn wants_excerpts(q: &str) -> bool {
    matches!(shape(q.trim()), Shape::Chinese)
}

/// A longer query narrows a shorter one's matches: pinyin and substring
/// matches of “abc” are among those of “ab”.
pub fn narrows(previous: &str, next: &str) -> bool {
    let (p, n) = (previous.trim(), next.trim());
    !p.is_empty()
        && n.starts_with(p)
        && matches!(
            (shape(p), shape(n)),
            (Shape::Digits, Shape::Digits) | (Shape::Ascii, Shape::Ascii)
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        let e = |kind, id, code: &str, text: &str| Entry {
            kind,
            id,
            code: code.into(),
            text: text.into(),
            detail: String::new(),
        };
        Index::new(vec![
            e(Kind::Item, 1, "10100100100000", "对食品生产企业的监督检查"),
            e(Kind::Item, 2, "10100200100000", "对食品销售者的监督检查"),
            e(Kind::Item, 3, "13400100100000", "对商业银行业务的监督检查"),
            e(Kind::Item, 4, "13400200100000", "对长期护理保险的监督检查"),
            e(Kind::Basis, 5, "", "《中华人民共和国食品安全法》第八十七条"),
            e(Kind::Item, 6, "10200100100000", "对视频监控设备的检查"),
        ])
    }

    fn ids(ix: &Index, q: &str) -> Vec<Id> {
        ix.search(q, None)
            .iter()
            .map(|h| ix.entry(h.entry).id)
            .collect()
    }

    #[test]
    fn chinese_substrings_rank_above_fuzzy_and_pinyin() {
        let ix = index();
        let hits = ix.search("食品安全", None);
        assert_eq!(ix.entry(hits[0].entry).id, 5);
        assert_eq!(hits[0].how, How::Text);
        // 食品…检查 apart still matches, fuzzily.
        let apart = ix.search("食品检查", None);
        assert!(apart.iter().all(|h| h.how == How::Fuzzy));
        assert_eq!(ix.entry(apart[0].entry).id, 2, "the shorter text first");
    }

    #[test]
    fn pinyin_initials_full_syllables_and_heteronyms() {
        let ix = index();
        assert_eq!(ids(&ix, "spaq"), vec![5]);
        let shipin = ids(&ix, "shipin");
        // 视频 (shìpín) is a homophone of 食品: both match.
        assert!(shipin.contains(&1) && shipin.contains(&6) && shipin.contains(&5));
        assert_eq!(ids(&ix, "yh"), vec![3]);
        // 长期 (chángqī) first; 生产企业 has 产企 (chǎnqǐ) too.
        assert_eq!(ids(&ix, "cq")[0], 4);
    }

    #[test]
    fn code_prefixes_and_no_match() {
        let ix = index();
        assert_eq!(ids(&ix, "1340"), vec![3, 4]);
        assert!(ids(&ix, "qqqq").is_empty());
        assert!(ids(&ix, "  ").is_empty());
    }

    #[test]
    fn a_longer_query_narrows_the_previous_matches() {
        let ix = index();
        let first = ix.search("jd", None);
        let within: Vec<usize> = first.iter().map(|h| h.entry).collect();
        assert!(narrows("jd", "jdjc"));
        assert!(!narrows("jd", "监督"));
        let narrowed: Vec<Id> = ix
            .search("jdjc", Some(&within))
            .iter()
            .map(|h| ix.entry(h.entry).id)
            .collect();
        assert_eq!(narrowed, ids(&ix, "jdjc"));
    }

    #[test]
    fn fuzzy_highlights_are_char_positions() {
        let ix = index();
        let hits = ix.search("食品检查", None);
        let h = ix.highlight(&hits[0], "食品检查");
        assert_eq!(h, vec![1, 2, 9, 10]);
    }
}
