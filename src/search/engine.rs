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
    /// Shown beside it: the department, the basis's kind and status
    /// (shared: many entries have the same).
    pub detail: std::sync::Arc<str>,
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
    pub score: i32,
    /// The order of hits as one number, smaller first (see `rank`).
    #[serde(skip)]
    pub rank: u64,
    pub how: How,
    /// The matched characters (char range), where known without more work.
    pub span: Option<(u32, u32)>,
}

pub struct Index {
    entries: Vec<Entry>,
    /// Per entry: letters that can start a pinyin match (see `Readings`).
    initials: Vec<u32>,
    /// Per entry: a 128-bit Bloom filter of its characters, to skip texts
    /// that cannot contain a query character.
    blooms: Vec<u128>,
    /// Per entry: a Bloom filter of adjacent initials (see `Readings`).
    pairs: Vec<u128>,
    /// Basis id → entry, for full-text hits found in the database.
    bases: std::collections::HashMap<Id, usize>,
    readings: Readings,
    fuzzy: SkimMatcherV2,
}

/// Runs a scan over `0..len` in two halves on two threads when it is long
/// enough to be worth it (the UI thread is idle meanwhile).
fn split_scan<I, F>(len: usize, scan: F) -> Vec<Hit>
where
    F: Fn(std::ops::Range<usize>) -> I + Sync,
    I: Iterator<Item = Hit>,
{
    let collect = |r: std::ops::Range<usize>| {
        // Sized up front: a short query matches most entries, and regrowing
        // would fault in fresh pages each time.
        let mut out = Vec::with_capacity(r.len());
        out.extend(scan(r));
        out
    };
    if len < 20_000 {
        return collect(0..len);
    }
    let half = len / 2;
    std::thread::scope(|scope| {
        let upper = scope.spawn(|| collect(half..len));
        let mut lower = collect(0..half);
        lower.extend(
            upper
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
        );
        lower
    })
}

fn bloom_bit(c: char) -> u128 {
    1 << ((c as u32).wrapping_mul(0x9E37_79B1) >> 25)
}

fn bloom(text: &str) -> u128 {
    text.chars().fold(0, |m, c| m | bloom_bit(c))
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
        let bases = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == Kind::Basis)
            .map(|(i, e)| (e.id, i))
            .collect();
        let readings = Readings::default();
        let initials = entries
            .iter()
            .map(|e| readings.initials_of(&e.text))
            .collect();
        let blooms = entries.iter().map(|e| bloom(&e.text)).collect();
        let pairs = entries.iter().map(|e| readings.pairs_of(&e.text)).collect();
        Index {
            entries,
            initials,
            blooms,
            pairs,
            bases,
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
    fn score(&self, i: usize, q: &str, qlen: usize, kind: &Shape) -> Option<Hit> {
        let e = &self.entries[i];
        let text = e.text.as_str();
        // Characters, approximated by bytes/3 for Chinese text: only a tie-break.
        let length_penalty = (text.len() as i32 / 3 - qlen as i32).max(0) / 4;
        match kind {
            Shape::Digits => e.code.starts_with(q).then(|| Hit {
                entry: i,
                score: 4000 - (e.code.len() as i32 - q.len() as i32),
                rank: 0,
                how: How::Code,
                span: None,
            }),
            Shape::Chinese => {
                let need = bloom(q);
                if self.blooms[i] & need != need {
                    return None;
                }
                if let Some(byte) = text.find(q) {
                    let pos = text[..byte].chars().count();
                    return Some(Hit {
                        entry: i,
                        score: 3000 - 2 * pos as i32 - length_penalty,
                        rank: 0,
                        how: How::Text,
                        span: Some((pos as u32, (pos + qlen) as u32)),
                    });
                }
                // A fuzzy match needs every character; most texts fail here.
                if qlen < 2 || !q.chars().all(|c| text.contains(c)) {
                    return None;
                }
                self.fuzzy.fuzzy_match(text, q).map(|s| Hit {
                    entry: i,
                    score: 1000 + s.min(999) as i32 - length_penalty,
                    rank: 0,
                    how: How::Fuzzy,
                    span: None,
                })
            }
            Shape::Ascii => {
                // The query is lowered; codes such as DF410100-0001 are not.
                if e.code
                    .get(..q.len())
                    .is_some_and(|c| c.eq_ignore_ascii_case(q))
                {
                    return Some(Hit {
                        entry: i,
                        score: 4000,
                        rank: 0,
                        how: How::Code,
                        span: None,
                    });
                }
                let first = q.as_bytes()[0];
                if !first.is_ascii_lowercase() || self.initials[i] & (1 << (first - b'a')) == 0 {
                    return None;
                }
                let second = q.as_bytes().get(1).copied();
                if let Some(b) = second
                    && b.is_ascii_lowercase()
                    && !self.readings.within_syllable(first, b)
                    && self.pairs[i] & crate::search::pinyin::pair_bit(first - b'a', b - b'a') == 0
                {
                    return None;
                }
                if q.len() == 1 {
                    // Nearly everything matches one letter: rank by length and
                    // find the place only for rows on screen (`highlight`).
                    return Some(Hit {
                        entry: i,
                        score: 2000 - length_penalty,
                        rank: 0,
                        how: How::Pinyin,
                        span: None,
                    });
                }
                self.readings
                    .find_in(text, q.as_bytes())
                    .map(|(start, end)| Hit {
                        entry: i,
                        score: 2000 - 2 * start as i32 - length_penalty,
                        rank: 0,
                        how: How::Pinyin,
                        span: Some((start as u32, end as u32)),
                    })
            }
        }
    }

    /// Every entry matching `q` (among `within`, when a shorter query's
    /// matches are known), best first, items before bases on equal footing.
    pub fn search(&self, q: &str, within: Option<&[usize]>) -> Vec<Hit> {
        let mut hits = self.matches(q, within);
        self.sort(&mut hits);
        hits
    }

    /// The entries matching `q`, in no particular order.
    pub fn matches(&self, q: &str, within: Option<&[usize]>) -> Vec<Hit> {
        let q = q.trim();
        if q.is_empty() {
            return Vec::new();
        }
        let kind = shape(q);
        let lowered;
        let q = if matches!(kind, Shape::Ascii) {
            lowered = q.to_ascii_lowercase();
            lowered.as_str()
        } else {
            q
        };
        let qlen = q.chars().count();
        let score = |i: usize| self.score(i, q, qlen, &kind);
        let hits: Vec<Hit> = match within {
            Some(ids) => split_scan(ids.len(), |r| ids[r].iter().filter_map(|&i| score(i))),
            None => split_scan(self.entries.len(), |r| r.filter_map(score)),
        };
        let mut hits = hits;
        for h in &mut hits {
            h.rank = self.rank(h);
        }
        hits
    }

    /// Higher score first; on equal scores items before bases; then code
    /// order for code matches (entries are in code order), shorter texts
    /// first otherwise; then entry order. One integer, so ordering the hits
    /// of a short query (most of the catalogue) touches no entries.
    fn rank(&self, h: &Hit) -> u64 {
        let e = &self.entries[h.entry];
        let score = (8191 - h.score.clamp(0, 8191)) as u64;
        let kind = (e.kind == Kind::Basis) as u64;
        let length = if h.how == How::Code {
            0
        } else {
            (e.text.len() as u64).min(0xFFFF)
        };
        score << 50 | kind << 49 | length << 32 | (h.entry as u64 & 0xFFFF_FFFF)
    }

    /// Adds the bases whose excerpt holds the query (found by the database's
    /// full-text index) to `hits`, scored below direct name matches; the
    /// caller orders them (`keep_best`).
    pub fn add_excerpt_hits(&self, hits: &mut Vec<Hit>, basis_ids: &[Id]) {
        for id in basis_ids {
            if let Some(&i) = self.bases.get(id)
                && !hits.iter().any(|h| h.entry == i)
            {
                let mut h = Hit {
                    entry: i,
                    score: 2500,
                    rank: 0,
                    how: How::Excerpt,
                    span: None,
                };
                h.rank = self.rank(&h);
                hits.push(h);
            }
        }
    }

    fn order(&self, a: &Hit, b: &Hit) -> std::cmp::Ordering {
        a.rank.cmp(&b.rank)
    }

    fn sort(&self, hits: &mut [Hit]) {
        hits.sort_by(|a, b| self.order(a, b));
    }

    /// Keeps the best `k` hits, in order, without sorting the rest: a short
    /// query can match most of the catalogue.
    pub fn keep_best(&self, hits: &mut Vec<Hit>, k: usize) {
        if hits.len() > k && k > 0 {
            hits.select_nth_unstable_by(k - 1, |a, b| self.order(a, b));
            hits.truncate(k);
        }
        self.sort(hits);
    }

    /// The matched characters of a hit, computed when it is shown.
    pub fn highlight(&self, hit: &Hit, q: &str) -> Vec<usize> {
        match hit.span {
            Some((a, b)) => (a as usize..b as usize).collect(),
            None if hit.how == How::Fuzzy => self
                .fuzzy
                .fuzzy_indices(&self.entries[hit.entry].text, q.trim())
                .map(|(_, idx)| idx)
                .unwrap_or_default(),
            None if hit.how == How::Pinyin => self
                .readings
                .find_in(
                    &self.entries[hit.entry].text,
                    q.trim().to_ascii_lowercase().as_bytes(),
                )
                .map(|(a, b)| (a..b).collect())
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }
}

/// Whether a query is worth the database's full-text search of excerpts.
pub fn wants_excerpts(q: &str) -> bool {
    matches!(shape(q.trim()), Shape::Chinese)
}

/// A longer query narrows a shorter one's matches: code prefixes, pinyin
/// runs, substrings and fuzzy (subsequence) matches of “abc” are all among
/// those of “ab”.
pub fn narrows(previous: &str, next: &str) -> bool {
    let (p, n) = (previous.trim(), next.trim());
    !p.is_empty()
        && n.starts_with(p)
        && matches!(
            (shape(p), shape(n)),
            (Shape::Digits, Shape::Digits)
                | (Shape::Ascii, Shape::Ascii)
                | (Shape::Chinese, Shape::Chinese)
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
            detail: "".into(),
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
        assert!(narrows("监督", "监督检查"));
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
