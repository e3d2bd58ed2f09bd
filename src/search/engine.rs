//! The search index and its ranking. A query is terms apart by spaces, all
//! of which must match (`query`); each term scores by `score`, and a hit
//! ranks by its weakest term's tier — a code's beginning, then a run of
//! the text (characters, an article's number or pinyin), then a basis's
//! excerpt, then a scattered match — and within the tier by points. When
//! no hit matches as a run, `near` finds texts one character away.

use super::pinyin::Readings;
use super::query::{Term, terms};
use super::score::{self, Chars, Pattern};
use crate::domain::{Id, numerals};
use serde::Serialize;

/// What a hit is, in the order hits of equal standing are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A department (部门): the top of the catalogue tree.
    Department,
    /// A main item (监管事项主项).
    MainItem,
    /// A sub-item (监管事项子项).
    Item,
    /// A local item (地方监管事项), found by name, DF or official code.
    LocalItem,
    /// A legal basis (设定依据).
    Basis,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Department => "部门",
            Kind::MainItem => "主项",
            Kind::Item => "子项",
            Kind::LocalItem => "地方事项",
            Kind::Basis => "设定依据",
        }
    }

    pub const ALL: [Kind; 5] = [
        Kind::Department,
        Kind::MainItem,
        Kind::Item,
        Kind::LocalItem,
        Kind::Basis,
    ];
}

/// Something that can be found.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub kind: Kind,
    /// The row's id; for a department, its place in the list.
    pub id: Id,
    pub code: String,
    /// Another code it is found by: a local item's DF code once it has an
    /// official one. Empty for most.
    pub alt_code: String,
    /// The searched text: a name, a basis's citation.
    pub text: String,
    /// Shown beside it: the department, the basis's kind and status
    /// (shared: many entries have the same).
    pub detail: std::sync::Arc<str>,
}

/// How a hit matched (its weakest term).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// A code's beginning.
    Code,
    /// A run of the text.
    Text,
    /// An article's number, in digits or Chinese numerals.
    Article,
    /// A run of pinyin initials or syllables.
    Pinyin,
    /// The query stands in a basis's excerpt (full-text search).
    Excerpt,
    /// The characters or pinyin in order, apart.
    Fuzzy,
    /// One character substituted, missing or extra (近似结果).
    Near,
}

impl How {
    /// The tier a term's match puts a hit in: its first digit of score.
    fn tier(self) -> i32 {
        match self {
            How::Code => 4,
            How::Text | How::Article | How::Pinyin => 3,
            How::Excerpt => 2,
            How::Fuzzy => 1,
            How::Near => 0,
        }
    }
}

/// Small (16 bytes): a short query has a hit for most of the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Index into the index's entries.
    pub entry: usize,
    pub score: i32,
    pub how: How,
    /// Scattered with a character matched alone (`score::loose`): listed
    /// with the near hits when the query has nothing better.
    #[serde(skip)]
    pub loose: bool,
}

impl Hit {
    /// Whether it is one character away (listed under 近似结果).
    pub fn is_near(&self) -> bool {
        self.how == How::Near
    }

    /// Whether it matched as a run (not scattered, not near).
    fn is_run(&self) -> bool {
        self.how.tier() >= 2
    }

    /// Whether it is what was typed: a run, or words apart each found
    /// whole (食品…检查), not characters strewn one by one.
    fn is_exact(&self) -> bool {
        self.is_run() || self.how == How::Fuzzy && !self.loose
    }
}

/// One term's match in one text.
struct TermMatch {
    points: i32,
    how: How,
    /// Scattered with a character matched alone (食品…经…管, not 食品…检查):
    /// approximate when nothing better is found.
    loose: bool,
}

/// A term with what its matching needs, worked out once per query.
struct Prepared {
    term: Term,
    text: String,
    /// Bloom bits of the characters the text must hold.
    bloom: u128,
    /// Letters that must start some character (they cannot continue a
    /// syllable after the letter before them).
    initials: u32,
}

/// Many short strings in one allocation, read in order by a scan (a
/// `String` each would send the scan all over memory).
struct Strings {
    all: String,
    ends: Vec<u32>,
}

impl Strings {
    /// Room for `count` strings of `bytes` in all, reserved at once (a
    /// string grown by doubling holds twice its memory at the peak).
    fn with_capacity(bytes: usize, count: usize) -> Strings {
        Strings {
            all: String::with_capacity(bytes),
            ends: Vec::with_capacity(count),
        }
    }

    fn push(&mut self, s: &str) {
        self.all.push_str(s);
        self.ends.push(self.all.len() as u32);
    }

    fn len(&self, i: usize) -> usize {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        (self.ends[i] - start) as usize
    }

    fn shrink(&mut self) {
        self.all.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.all[start..self.ends[i] as usize]
    }
}

/// One entry as the index keeps it (`Index::entry`).
#[derive(Debug, Clone, Copy)]
pub struct EntryRef<'a> {
    pub kind: Kind,
    pub id: Id,
    pub code: &'a str,
    pub alt_code: &'a str,
    pub text: &'a str,
    pub detail: &'a str,
}

/// The entries column by column: a province's quarter of a million
/// entries as `Entry` values would take more than twice the memory, and a
/// scan reads the columns it needs in order.
pub struct Index {
    /// Per entry: its text as shown.
    texts: Strings,
    /// Per entry: its text in the form search compares
    /// (`numerals::search_key`), or empty when that is the text itself.
    keys: Strings,
    /// Per entry: its code and other code (2i, 2i + 1).
    codes: Strings,
    /// The first bytes codes start with (lower case), so that a query no
    /// code can start with skips them.
    code_starts: u128,
    /// Per entry: its kind, for ranking without touching the rest.
    kinds: Vec<Kind>,
    ids: Vec<Id>,
    /// Per entry: its detail, as a place in `details` (a department's
    /// name is the detail of thousands).
    detail_of: Vec<u32>,
    details: Vec<std::sync::Arc<str>>,
    detail_places: std::collections::HashMap<std::sync::Arc<str>, u32>,
    /// Per entry: how many characters its key has (a long text ranks
    /// lower).
    lengths: Vec<u16>,
    /// Per entry: letters that can start a pinyin match (see `Readings`).
    initials: Vec<u32>,
    /// Per entry: a 128-bit Bloom filter of its characters, to skip texts
    /// that cannot contain a query character.
    blooms: Vec<u128>,
    /// Basis id → entry, for full-text hits found in the database.
    bases: std::collections::HashMap<Id, usize>,
    readings: Readings,
}

/// Runs a scan over `0..len` in two halves on two threads when it is long
/// enough to be worth it (the UI thread is idle meanwhile).
fn split_scan<I, F>(len: usize, scan: F) -> Vec<Hit>
where
    F: Fn(std::ops::Range<usize>) -> I + Sync,
    I: Iterator<Item = Hit>,
{
    let collect = |r: std::ops::Range<usize>| scan(r).collect::<Vec<Hit>>();
    if len < 4_000 {
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

pub(crate) fn bloom(text: &str) -> u128 {
    text.chars().fold(0, |m, c| m | bloom_bit(c))
}

/// The char index of byte `byte` of `text`.
fn char_at(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

/// The char index of byte `byte` of `text`, and the character before it.
fn place(text: &str, byte: usize) -> (usize, Option<char>) {
    let head = &text[..byte];
    (head.chars().count(), head.chars().next_back())
}

/// The character before char index `i` of `text`.
fn before(text: &str, i: usize) -> Option<char> {
    i.checked_sub(1).and_then(|b| text.chars().nth(b))
}

/// A code beginning with the typed `q`: the whole code first.
fn code_match(code: &str, q: &str) -> TermMatch {
    TermMatch {
        points: 500 - (code.len() - q.len()) as i32,
        how: How::Code,
        loose: false,
    }
}

/// Where `第{number}` stands as an article (条), clause (款), item (项),
/// chapter or section in `key`: the char range of 第…条.
fn article_in(key: &str, number: &str) -> Option<(usize, usize)> {
    let needle = format!("第{number}");
    let mut from = 0;
    while let Some(at) = key[from..].find(&needle) {
        let byte = from + at;
        let after = &key[byte + needle.len()..];
        if after
            .chars()
            .next()
            .is_some_and(|c| matches!(c, '条' | '款' | '项' | '章' | '节'))
        {
            let start = char_at(key, byte);
            return Some((start, start + needle.chars().count() + 1));
        }
        from = byte + needle.len();
    }
    None
}

impl Index {
    pub fn new(entries: Vec<Entry>) -> Self {
        let bytes = entries.iter().map(|e| e.text.len()).sum();
        let mut index = Index::with_capacity(entries.len(), bytes);
        for e in entries {
            index.push(e);
        }
        index.finish()
    }

    /// An empty index with room for `count` entries of `bytes` of text,
    /// filled by `push` and closed by `finish`.
    pub fn with_capacity(count: usize, bytes: usize) -> Self {
        Index {
            texts: Strings::with_capacity(bytes, count),
            keys: Strings::with_capacity(0, count),
            codes: Strings::with_capacity(16 * count, 2 * count),
            code_starts: 0,
            kinds: Vec::with_capacity(count),
            ids: Vec::with_capacity(count),
            detail_of: Vec::with_capacity(count),
            details: Vec::new(),
            detail_places: std::collections::HashMap::new(),
            lengths: Vec::with_capacity(count),
            initials: Vec::with_capacity(count),
            blooms: Vec::with_capacity(count),
            bases: std::collections::HashMap::new(),
            readings: Readings::default(),
        }
    }

    /// Adds an entry.
    pub fn push(&mut self, e: Entry) {
        let i = self.ids.len();
        if e.kind == Kind::Basis {
            self.bases.insert(e.id, i);
        }
        let (key, _) = numerals::search_key(&e.text);
        self.initials.push(self.readings.initials_of(&key));
        self.blooms.push(bloom(&key));
        self.lengths
            .push(key.chars().count().min(u16::MAX as usize) as u16);
        self.keys.push(if key == e.text { "" } else { &key });
        self.texts.push(&e.text);
        for c in [&e.code, &e.alt_code] {
            self.codes.push(c);
            if let Some(b) = c.bytes().next().filter(u8::is_ascii) {
                self.code_starts |= 1 << b.to_ascii_lowercase();
            }
        }
        self.kinds.push(e.kind);
        self.ids.push(e.id);
        let place = match self.detail_places.get(&e.detail) {
            Some(&p) => p,
            None => {
                let p = self.details.len() as u32;
                self.details.push(e.detail.clone());
                self.detail_places.insert(e.detail, p);
                p
            }
        };
        self.detail_of.push(place);
    }

    /// Done adding: spare room given back.
    pub fn finish(mut self) -> Self {
        self.texts.shrink();
        self.keys.shrink();
        self.codes.shrink();
        self.detail_places = std::collections::HashMap::new();
        self
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn entry(&self, i: usize) -> EntryRef<'_> {
        EntryRef {
            kind: self.kinds[i],
            id: self.ids[i],
            code: self.codes.get(2 * i),
            alt_code: self.codes.get(2 * i + 1),
            text: self.texts.get(i),
            detail: &self.details[self.detail_of[i] as usize],
        }
    }

    fn key(&self, i: usize) -> &str {
        if self.keys.len(i) == 0 {
            self.texts.get(i)
        } else {
            self.keys.get(i)
        }
    }

    /// The code a query starting with `first` may begin, if any: the
    /// entry's code or its other code.
    fn code_for(&self, i: usize, q: &str) -> Option<&str> {
        let first = q.as_bytes()[0].to_ascii_lowercase();
        if first >= 128 || self.code_starts & 1 << first == 0 {
            return None;
        }
        [self.codes.get(2 * i), self.codes.get(2 * i + 1)]
            .into_iter()
            .find(|c| c.get(..q.len()).is_some_and(|c| c.eq_ignore_ascii_case(q)))
    }

    fn prepare(&self, query: &str) -> Vec<Prepared> {
        let mut out: Vec<Prepared> = terms(query)
            .into_iter()
            .map(|term| {
                let text = match &term {
                    Term::Digits(s) | Term::Latin(s) => s.clone(),
                    Term::Numeral(_, c) | Term::Chinese(c) => c.iter().collect(),
                };
                let bloom = match &term {
                    Term::Chinese(_) => bloom(&text),
                    _ => 0,
                };
                let initials = match &term {
                    Term::Latin(s) => self.readings.required_initials(s.as_bytes()),
                    _ => 0,
                };
                Prepared {
                    term,
                    text,
                    bloom,
                    initials,
                }
            })
            .collect();
        // The cheapest and most selective first: most texts fail there.
        out.sort_by_key(|p| match p.term {
            Term::Chinese(_) => 0,
            Term::Digits(_) | Term::Numeral(..) => 1,
            Term::Latin(_) => 2,
        });
        out
    }

    /// How one prepared term matches entry `i`, if it does.
    fn match_term(&self, i: usize, p: &Prepared) -> Option<TermMatch> {
        let key = self.key(i);
        match &p.term {
            Term::Chinese(q) => {
                if self.blooms[i] & p.bloom != p.bloom {
                    return None;
                }
                if let Some(byte) = key.find(p.text.as_str()) {
                    let (start, before) = place(key, byte);
                    let whole = if key.len() == p.text.len() { 100 } else { 0 };
                    return Some(TermMatch {
                        points: score::run_points(start, before, q.len(), q.len()) + whole,
                        how: How::Text,
                        loose: false,
                    });
                }
                // A number is matched whole: 第10条 is not 第110条 apart.
                if q.len() < 2 || q.iter().any(char::is_ascii_digit) {
                    return None;
                }
                let chars = Chars::of(key);
                let mut at = Vec::new();
                let points = score::align(Pattern::Chars(q), chars.get(), Some(&mut at))?;
                Some(TermMatch {
                    points,
                    how: How::Fuzzy,
                    loose: score::loose(&at),
                })
            }
            Term::Digits(d) => {
                if let Some(code) = self.code_for(i, d) {
                    return Some(code_match(code, d));
                }
                self.number_in(key, d, d)
            }
            Term::Numeral(n, _) => self.number_in(key, &n.to_string(), &p.text),
            Term::Latin(q) => {
                if let Some(code) = self.code_for(i, q) {
                    return Some(code_match(code, q));
                }
                if self.initials[i] & p.initials != p.initials {
                    return None;
                }
                let bytes = q.as_bytes();
                if bytes.len() == 1 {
                    // Nearly everything matches one letter: rank by length
                    // and find the place only for rows on screen.
                    return Some(TermMatch {
                        points: score::run_points(1, Some(' '), 1, 1),
                        how: How::Pinyin,
                        loose: false,
                    });
                }
                // Letters with digits or a dash read as a code or a run
                // (spaq87): never aligned apart, which a long code-like
                // term would make slow for nothing.
                if !bytes.iter().all(u8::is_ascii_lowercase) || bytes.len() > score::LONGEST {
                    return self
                        .readings
                        .find_in(key, bytes)
                        .map(|(start, end)| TermMatch {
                            points: score::run_points(
                                start,
                                before(key, start),
                                end - start,
                                end - start,
                            ),
                            how: How::Pinyin,
                            loose: false,
                        });
                }
                let a = score::align_letters(bytes, self.readings, key, None)?;
                Some(match a.run {
                    Some(points) => TermMatch {
                        points,
                        how: How::Pinyin,
                        loose: false,
                    },
                    None => TermMatch {
                        points: a.best,
                        how: How::Fuzzy,
                        loose: a.loose,
                    },
                })
            }
        }
    }

    /// A number term: an article's number (第87条), else the characters as
    /// typed (`raw`) in the text.
    fn number_in(&self, key: &str, number: &str, raw: &str) -> Option<TermMatch> {
        if let Some((start, end)) = article_in(key, number) {
            // Above the same characters found as plain text.
            return Some(TermMatch {
                points: score::run_points(start, before(key, start), end - start, end - start) + 8,
                how: How::Article,
                loose: false,
            });
        }
        // The digits as a whole number (GB 2760), not inside another
        // (10 is not in 第110条).
        let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
        let byte = key.match_indices(raw).map(|(b, _)| b).find(|&b| {
            !digit(key[..b].chars().next_back()) && !digit(key[b + raw.len()..].chars().next())
        })?;
        let n = raw.chars().count();
        let (start, before) = place(key, byte);
        Some(TermMatch {
            points: score::run_points(start, before, n, n),
            how: How::Text,
            loose: false,
        })
    }

    /// Scores entry `i` against every term; None when one does not match.
    fn score(&self, i: usize, terms: &[Prepared]) -> Option<Hit> {
        let mut points = 0;
        let mut how = How::Code;
        let mut loose = false;
        for p in terms {
            let m = self.match_term(i, p)?;
            points += m.points;
            loose |= m.loose;
            if m.how.tier() < how.tier() {
                how = m.how;
            }
        }
        let mut hit = self.hit(i, how, points);
        hit.loose = loose;
        Some(hit)
    }

    /// A hit with its score: the tier, then the points less a little for a
    /// long text (a law's short title before long names holding it).
    fn hit(&self, i: usize, how: How, points: i32) -> Hit {
        // Codes rank by code alone.
        let length = match how {
            How::Code => 0,
            _ => i32::from(self.lengths[i]),
        };
        let score = how.tier() * 1000 + (points - length / 4).clamp(0, 999);
        Hit {
            entry: i,
            score,
            how,
            loose: false,
        }
    }

    /// Every entry matching `q` (among `within`, when a shorter query's
    /// matches are known), best first; with those one character away
    /// after them when nothing matches as a run.
    pub fn search(&self, q: &str, within: Option<&[Hit]>) -> Vec<Hit> {
        let mut hits = self.matches(q, within);
        if wants_near(q, &hits) {
            demote_loose(&mut hits);
            hits.extend(self.near(q, &hits, &|| false).unwrap_or_default());
        }
        self.sort(&mut hits);
        hits
    }

    /// The entries matching `q` (among the hits of a shorter query it
    /// narrows, `within`), in entry order.
    pub fn matches(&self, q: &str, within: Option<&[Hit]>) -> Vec<Hit> {
        let terms = self.prepare(q);
        if terms.is_empty() {
            return Vec::new();
        }
        let score = |i: usize| self.score(i, &terms);
        match within {
            Some(hits) => split_scan(hits.len(), |r| {
                hits[r].iter().filter_map(|h| score(h.entry))
            }),
            None => split_scan(self.len(), |r| r.filter_map(score)),
        }
    }

    /// The entries one character away from the query (substituted, missing
    /// or extra, in one term of 4 Chinese characters or 5 letters, the
    /// other terms matching as usual), not among `found`; in no order.
    /// None when `cancelled` says so before the scan is done (a newer
    /// query is waiting).
    pub fn near(
        &self,
        q: &str,
        found: &[Hit],
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Option<Vec<Hit>> {
        let terms = self.prepare(q);
        let skip: std::collections::HashSet<usize> = found.iter().map(|h| h.entry).collect();
        let mut out: std::collections::HashMap<usize, Hit> = std::collections::HashMap::new();
        for (k, p) in terms.iter().enumerate() {
            if !p.term.wants_near() {
                continue;
            }
            let others: Vec<&Prepared> = terms
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, p)| p)
                .collect();
            let near = super::typo::Near::new(&p.term, self.readings);
            let hits = split_scan(self.len(), |r| {
                r.take_while(|i| i % 4096 != 0 || !cancelled())
                    .filter(|&i| near.may_match(self.blooms[i], self.initials[i]))
                    .filter(|i| !skip.contains(i))
                    .filter_map(|i| {
                        let mut points = 0;
                        for o in &others {
                            points += self.match_term(i, o)?.points;
                        }
                        points += near.find(self.key(i), self.blooms[i], self.initials[i], None)?;
                        Some(self.hit(i, How::Near, points))
                    })
            });
            if cancelled() {
                return None;
            }
            for h in hits {
                let best = out.entry(h.entry).or_insert_with(|| h.clone());
                if self.rank(best) > self.rank(&h) {
                    *best = h;
                }
            }
        }
        Some(out.into_values().collect())
    }

    /// The order of hits as one number, smaller first. Near hits after all
    /// others; then higher score first; on equal scores
    /// by kind (departments, main items, sub-items, local items, bases);
    /// then code order for code matches (entries are in code order),
    /// shorter texts first otherwise; then entry order. One integer, so
    /// ordering the hits of a short query (most of the catalogue) touches
    /// no entries.
    fn rank(&self, h: &Hit) -> u64 {
        let near = h.is_near() as u64;
        let score = (8191 - h.score.clamp(0, 8191)) as u64;
        let kind = self.kinds[h.entry] as u64;
        let length = if h.how == How::Code {
            0
        } else {
            u64::from(self.lengths[h.entry]).min(0x7FFF)
        };
        near << 63 | score << 50 | kind << 47 | length << 32 | (h.entry as u64 & 0xFFFF_FFFF)
    }

    /// Adds the bases whose excerpt holds the query (found by the database's
    /// full-text index) to `hits`, scored below runs in their texts; the
    /// caller orders them (`keep_best`).
    pub fn add_excerpt_hits(&self, hits: &mut Vec<Hit>, basis_ids: &[Id]) {
        let have: std::collections::HashSet<usize> = hits.iter().map(|h| h.entry).collect();
        for id in basis_ids {
            if let Some(&i) = self.bases.get(id)
                && !have.contains(&i)
            {
                hits.push(self.hit(i, How::Excerpt, 0));
            }
        }
    }

    fn sort(&self, hits: &mut [Hit]) {
        hits.sort_unstable_by_key(|h| self.rank(h));
    }

    /// Keeps the best `k` hits, in order, without sorting the rest: a short
    /// query can match most of the catalogue.
    pub fn keep_best(&self, hits: &mut Vec<Hit>, k: usize) {
        *hits = self.best(hits, k);
    }

    /// The best `k` of `hits`, in order: one pass keeping the `k` best
    /// ranks so far (nothing the size of `hits` is allocated).
    pub fn best(&self, hits: &[Hit], k: usize) -> Vec<Hit> {
        let mut kept: std::collections::BinaryHeap<(u64, u32)> =
            std::collections::BinaryHeap::with_capacity(k.min(hits.len()) + 1);
        for (p, h) in hits.iter().enumerate() {
            let rank = self.rank(h);
            if kept.len() < k {
                kept.push((rank, p as u32));
            } else if kept.peek().is_some_and(|&(worst, _)| rank < worst) {
                kept.pop();
                kept.push((rank, p as u32));
            }
        }
        kept.into_sorted_vec()
            .into_iter()
            .map(|(_, p)| hits[p as usize].clone())
            .collect()
    }

    /// The characters a near match marks in `key`.
    fn near_marks(&self, term: &Term, key: &str, i: usize) -> Vec<usize> {
        let mut at = Vec::new();
        super::typo::Near::new(term, self.readings).find(
            key,
            self.blooms[i],
            self.initials[i],
            Some(&mut at),
        );
        at
    }

    /// The characters of a hit's text that matched the query (indexes into
    /// the text as shown), computed when it is shown.
    pub fn highlight(&self, hit: &Hit, q: &str) -> Vec<usize> {
        let e = self.entry(hit.entry);
        let (key, map) = numerals::search_key(e.text);
        let chars = Chars::of(&key);
        let chars = chars.get();
        let mut marked: Vec<usize> = Vec::new();
        let n = chars.len();
        let run = |marked: &mut Vec<usize>, start: usize, end: usize| {
            marked.extend(start..end.min(n));
        };
        for p in self.prepare(q) {
            match &p.term {
                Term::Chinese(t) => {
                    if let Some(byte) = key.find(p.text.as_str()) {
                        let s = char_at(&key, byte);
                        run(&mut marked, s, s + t.len());
                    } else if hit.is_near() {
                        marked.extend(self.near_marks(&p.term, &key, hit.entry));
                    } else {
                        let mut at = Vec::new();
                        score::align(Pattern::Chars(t), chars, Some(&mut at));
                        marked.extend(at);
                    }
                }
                Term::Digits(d) => {
                    if let Some((s, e)) = article_in(&key, d) {
                        run(&mut marked, s, e);
                    } else if let Some(byte) = key.find(d.as_str()) {
                        let s = char_at(&key, byte);
                        run(&mut marked, s, s + d.len());
                    }
                }
                Term::Numeral(n, raw) => {
                    if let Some((s, e)) = article_in(&key, &n.to_string()) {
                        run(&mut marked, s, e);
                    } else if let Some(byte) = key.find(p.text.as_str()) {
                        let s = char_at(&key, byte);
                        run(&mut marked, s, s + raw.len());
                    }
                }
                Term::Latin(l) => {
                    let bytes = l.as_bytes();
                    if let Some((s, e)) = self.readings.find_in(&key, bytes) {
                        run(&mut marked, s, e);
                    } else if hit.is_near() {
                        marked.extend(self.near_marks(&p.term, &key, hit.entry));
                    } else {
                        let mut at = Vec::new();
                        score::align_letters(bytes, self.readings, &key, Some(&mut at));
                        marked.extend(at);
                    }
                }
            }
        }
        marked.sort_unstable();
        marked.dedup();
        let text: Vec<char> = e.text.chars().collect();
        let mut shown: Vec<usize> = Vec::with_capacity(marked.len());
        for (n, &k) in marked.iter().enumerate() {
            let Some(&o) = map.get(k) else { continue };
            shown.push(o as usize);
            // 87 stands for 八十七: mark all of it when 第 and 条 are.
            if let Some(&next) = marked.get(n + 1).filter(|&&m| m == k + 1)
                && let Some(&to) = map.get(next)
                && (o as usize + 1..to as usize)
                    .all(|c| text.get(c).is_some_and(|c| numerals::is_numeral(*c)))
            {
                shown.extend(o as usize + 1..to as usize);
            }
        }
        shown.sort_unstable();
        shown.dedup();
        shown
    }
}

/// Whether to look for texts one character away: some term is long
/// enough (4 Chinese characters, 5 letters) and nothing matches as typed
/// (`Hit::is_exact`).
pub fn wants_near(q: &str, hits: &[Hit]) -> bool {
    terms(q).iter().any(Term::wants_near) && !hits.iter().any(Hit::is_exact)
}

/// When near hits are looked for, the scattered hits with a character
/// matched alone (食品经管 in 《…食品小作坊、小经营店…管理条例》) are no
/// better guesses than they: they go below the line too, after the near
/// runs (their points are a scattered match's, below a near run's).
pub fn demote_loose(hits: &mut [Hit]) {
    for h in hits.iter_mut().filter(|h| h.loose && h.how == How::Fuzzy) {
        h.how = How::Near;
        h.score = (h.score - 1000).clamp(0, 999);
    }
}

/// Whether a query is worth the database's full-text search of excerpts:
/// one term of Chinese text.
pub fn wants_excerpts(q: &str) -> bool {
    matches!(terms(q).as_slice(), [Term::Chinese(_)])
}

pub use super::query::narrows;

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        let e = |kind, id, code: &str, text: &str| Entry {
            kind,
            id,
            code: code.into(),
            alt_code: String::new(),
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
            e(Kind::Basis, 7, "", "《中华人民共和国食品安全法》"),
            e(Kind::Department, 8, "", "国家市场监督管理总局"),
        ])
    }

    fn ids(ix: &Index, q: &str) -> Vec<Id> {
        ix.search(q, None)
            .iter()
            .map(|h| ix.entry(h.entry).id)
            .collect()
    }

    #[test]
    fn runs_rank_above_scattered_matches() {
        let ix = index();
        let hits = ix.search("食品安全", None);
        assert_eq!(ix.entry(hits[0].entry).id, 7, "the short title first");
        assert_eq!(hits[0].how, How::Text);
        // 食品…检查 apart still matches, scattered.
        let apart = ix.search("食品检查", None);
        assert!(apart.iter().all(|h| h.how == How::Fuzzy));
        assert_eq!(ix.entry(apart[0].entry).id, 2, "the shorter text first");
    }

    #[test]
    fn articles_in_either_writing() {
        let ix = index();
        for q in [
            "87",
            "第87条",
            "八十七",
            "第八十七条",
            "87条",
            "食品安全法第87条",
            "食品安全法 八十七",
            "spaq 87",
        ] {
            assert_eq!(ids(&ix, q).first(), Some(&5), "{q}");
        }
        assert_eq!(ids(&ix, "第88条"), Vec::<Id>::new());
    }

    #[test]
    fn pinyin_initials_full_syllables_and_heteronyms() {
        let ix = index();
        assert_eq!(ids(&ix, "spaq")[..2], [7, 5]);
        let shipin = ids(&ix, "shipin");
        // 视频 (shìpín) is a homophone of 食品: both match.
        assert!(shipin.contains(&1) && shipin.contains(&6) && shipin.contains(&5));
        assert_eq!(ids(&ix, "yh"), vec![3]);
        // 长期 (chángqī) first; 生产企业 has 产企 (chǎnqǐ) too.
        assert_eq!(ids(&ix, "cq")[0], 4);
        // Initials apart: 食品…监督检查 (and 视频监…的检查).
        let apart = ids(&ix, "spjdjc");
        assert!(apart.contains(&1) && apart.contains(&2), "{apart:?}");
    }

    #[test]
    fn several_words_all_match_in_any_order() {
        let ix = index();
        assert_eq!(ids(&ix, "食品 jc"), vec![2, 1]);
        assert_eq!(ids(&ix, "jc 食品"), vec![2, 1]);
        assert!(ids(&ix, "食品 银行").is_empty());
    }

    #[test]
    fn one_wrong_character_below_the_rest() {
        let ix = index();
        let hits = ix.search("食品销收者", None);
        assert_eq!(ix.entry(hits[0].entry).id, 2);
        assert!(hits[0].is_near());
        assert_eq!(ids(&ix, "监督减查").len(), 4, "the four 监督检查");
        // Too short to guess.
        assert!(ids(&ix, "监督减").is_empty());
        assert_eq!(ids(&ix, "guojiashichang")[0], 8);
        assert_eq!(ids(&ix, "guojiashichanf")[0], 8, "one letter off");
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
        let first = ix.matches("jd", None);
        let narrowed: Vec<Id> = ix
            .search("jdjc", Some(&first))
            .iter()
            .map(|h| ix.entry(h.entry).id)
            .collect();
        assert_eq!(narrowed, ids(&ix, "jdjc"));
    }

    #[test]
    fn highlights_are_positions_in_the_text_as_shown() {
        let ix = index();
        let hits = ix.search("食品检查", None);
        assert_eq!(ix.highlight(&hits[0], "食品检查"), vec![1, 2, 9, 10]);
        let hits = ix.search("食品安全法第87条", None);
        let h = ix.highlight(&hits[0], "食品安全法第87条");
        // 《中华人民共和国 is skipped; 食品安全法 and 第八十七条 are marked.
        assert_eq!(h, (8..13).chain(14..19).collect::<Vec<_>>());
    }
}
