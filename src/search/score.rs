//! How well a typed term matches a text, one scoring for Chinese text and
//! for pinyin: every matched character earns points, more when it follows
//! the previous matched one, and gaps cost; so a whole run beats the same
//! characters scattered, and a match at the start beats one further in.
//! The best alignment is found by dynamic programming over (text
//! character, letters of the term consumed), as fzf does.

use super::pinyin::Readings;

/// Points per matched character.
const MATCHED: i32 = 16;
/// Extra points for a character right after the previous matched one.
const RUN: i32 = 8;
/// Extra points when the match starts the text, or follows a separator.
const START: i32 = 8;
const AFTER_SEPARATOR: i32 = 4;
/// The cost of the first skipped character of a gap, and of each next one.
const GAP_OPEN: i32 = 3;
const GAP_EXTEND: i32 = 1;
/// A term longer than this is matched only as a whole (no alignment).
pub const LONGEST: usize = 62;

const NONE: i32 = i32::MIN / 4;

/// A text's characters, on the stack when short (catalogue names are).
pub struct Chars {
    stack: [char; 64],
    len: usize,
    heap: Vec<char>,
}

impl Chars {
    pub fn of(text: &str) -> Chars {
        let mut c = Chars {
            stack: ['\0'; 64],
            len: 0,
            heap: Vec::new(),
        };
        for ch in text.chars() {
            if c.len < c.stack.len() {
                c.stack[c.len] = ch;
            } else {
                if c.heap.is_empty() {
                    c.heap.extend_from_slice(&c.stack);
                }
                c.heap.push(ch);
            }
            c.len += 1;
        }
        c
    }

    pub fn get(&self) -> &[char] {
        if self.heap.is_empty() {
            &self.stack[..self.len]
        } else {
            &self.heap
        }
    }
}

/// What a term is matched against a text by.
#[derive(Clone, Copy)]
pub enum Pattern<'a> {
    /// Characters, each matching itself.
    Chars(&'a [char]),
    /// Lower-case letters, each character taking a beginning of one of its
    /// readings (`Readings::lengths`).
    Letters(&'a [u8], Readings),
}

impl Pattern<'_> {
    fn len(&self) -> usize {
        match self {
            Pattern::Chars(q) => q.len(),
            Pattern::Letters(q, _) => q.len(),
        }
    }

    /// The numbers of units of the term from `j` that `c` can take (bit L).
    /// `single` has bit j set when no character can take more than one
    /// letter from j (the next letter never follows it in a syllable, as
    /// in initials like spjd): then one bit of `c`'s initials (`initials`,
    /// looked up once per character) answers.
    fn lengths(&self, c: char, initials: u32, j: usize, single: u64) -> u64 {
        match self {
            Pattern::Chars(q) => u64::from(q[j] == c) << 1,
            Pattern::Letters(q, r) => {
                let b = q[j];
                if single & 1 << j != 0 && !c.is_ascii() && b.is_ascii_lowercase() {
                    u64::from(initials & 1 << (b - b'a') != 0) << 1
                } else {
                    r.lengths(c, q, j)
                }
            }
        }
    }

    /// The initials of `c`, for `lengths` (none for Chinese text).
    fn initials(&self, c: char) -> u32 {
        match self {
            Pattern::Chars(_) => 0,
            Pattern::Letters(_, r) => r.initials_mask(c),
        }
    }

    /// The positions j from which a character takes at most one unit.
    fn single(&self) -> u64 {
        match self {
            Pattern::Chars(_) => u64::MAX,
            Pattern::Letters(q, r) => (0..q.len())
                .filter(|&j| {
                    q.get(j + 1)
                        .is_none_or(|&n| n != super::pinyin::WILD && !r.within_syllable(q[j], n))
                        && q[j] != super::pinyin::WILD
                })
                .fold(0, |m, j| m | 1 << j),
        }
    }
}

/// The points a match starting at `i` gets for where it starts: the start
/// of the text or after a separator (the character before, `before`)
/// earns a bonus, and further in costs a little (capped, so a long text
/// is not shut out).
pub fn start_points(i: usize, before: Option<char>) -> i32 {
    let placed = match before {
        None => START,
        Some(c) if is_separator(c) => AFTER_SEPARATOR,
        Some(_) => 0,
    };
    placed - (i as i32).min(16) / 2
}

fn is_separator(c: char) -> bool {
    match c {
        c if c.is_ascii() => !c.is_ascii_alphanumeric(),
        // Chinese characters, most of every text: no table lookup.
        '\u{4E00}'..='\u{9FFF}' => false,
        c => !c.is_alphanumeric(),
    }
}

/// The points of a contiguous match of `chars` characters taking `units`
/// units of the term, starting at `start` after `before`: what `align`
/// gives such a run.
pub fn run_points(start: usize, before: Option<char>, chars: usize, units: usize) -> i32 {
    MATCHED * chars as i32
        + (units - chars) as i32
        + RUN * (chars as i32 - 1)
        + start_points(start, before)
}

/// The best alignment's points, and with `trace` the matched characters'
/// indexes; None when the term is not a subsequence of the text.
pub fn align(pattern: Pattern, text: &[char], trace: Option<&mut Vec<usize>>) -> Option<i32> {
    align_with_run(pattern, text, trace).map(|(best, _)| best)
}

/// As `align`, with the points of the best alignment as one run (all
/// matched characters adjacent), if there is one.
pub fn align_with_run(
    pattern: Pattern,
    text: &[char],
    trace: Option<&mut Vec<usize>>,
) -> Option<(i32, Option<i32>)> {
    let m = pattern.len();
    if m == 0 || m > LONGEST || text.is_empty() {
        return None;
    }
    let single = pattern.single();
    // run[j]: best with j units taken and the last matched character the
    // previous one; gap[j]: best with the last matched one further back.
    let mut run = [NONE; LONGEST + 1];
    let mut gap = [NONE; LONGEST + 1];
    let mut next = [NONE; LONGEST + 1];
    // solid[j]: as run[j], with every matched character adjacent.
    let mut solid = [NONE; LONGEST + 1];
    let mut solid_next = [NONE; LONGEST + 1];
    let mut best_solid = NONE;
    // For the trace: per character, per state reached, where it came from
    // (units before, and whether from `run`); per gap state, the last
    // matched character.
    let tracing = trace.is_some();
    let mut from: Vec<[(u8, bool); LONGEST + 1]> = Vec::new();
    let mut last_of_gap: Vec<[u32; LONGEST + 1]> = Vec::new();
    let mut best = (NONE, 0usize);
    // Only filled when tracing (resetting them for every character would
    // cost more than the scoring itself).
    let mut step = [(0u8, false); LONGEST + 1];
    let mut gap_last = [0u32; LONGEST + 1];
    for (i, &c) in text.iter().enumerate() {
        next[..=m].fill(NONE);
        solid_next[..=m].fill(NONE);
        let initials = pattern.initials(c);
        for j in 0..m {
            let before_run = run[j];
            let before_gap = if j == 0 { 0 } else { gap[j] };
            if before_run == NONE && before_gap == NONE {
                continue;
            }
            let mut lengths = pattern.lengths(c, initials, j, single);
            while lengths != 0 {
                let l = lengths.trailing_zeros() as usize;
                lengths &= lengths - 1;
                let gain = MATCHED + l as i32 - 1;
                let by_solid = if j == 0 {
                    gain + start_points(i, i.checked_sub(1).map(|b| text[b]))
                } else if solid[j] == NONE {
                    NONE
                } else {
                    solid[j] + gain + RUN
                };
                solid_next[j + l] = solid_next[j + l].max(by_solid);
                let by_run = if before_run == NONE {
                    NONE
                } else {
                    before_run + gain + RUN
                };
                let by_gap = if before_gap == NONE {
                    NONE
                } else if j == 0 {
                    gain + start_points(i, i.checked_sub(1).map(|b| text[b]))
                } else {
                    before_gap + gain
                };
                let (points, from_run) = if by_run >= by_gap {
                    (by_run, true)
                } else {
                    (by_gap, false)
                };
                if points > next[j + l] {
                    next[j + l] = points;
                    if tracing {
                        step[j + l] = (j as u8, from_run);
                    }
                }
            }
        }
        if next[m] > best.0 {
            best = (next[m], i);
        }
        best_solid = best_solid.max(solid_next[m]);
        solid[..=m].copy_from_slice(&solid_next[..=m]);
        // Character i skipped: states whose last match came before it.
        for j in 1..=m {
            let (a, b) = (run[j] - GAP_OPEN, gap[j] - GAP_EXTEND);
            if tracing {
                gap_last[j] = if a >= b {
                    i.saturating_sub(1) as u32
                } else {
                    last_of_gap.last().map_or(0, |g| g[j])
                };
            }
            gap[j] = if run[j] == NONE && gap[j] == NONE {
                NONE
            } else {
                a.max(b)
            };
        }
        run[..=m].copy_from_slice(&next[..=m]);
        if tracing {
            from.push(step);
            last_of_gap.push(gap_last);
        }
    }
    if best.0 == NONE {
        return None;
    }
    if let Some(out) = trace {
        // Walk back from the best end: each matched character says how
        // many units came before it and whether it followed the previous
        // character or a gap (whose last match `last_of_gap` kept).
        out.clear();
        let (mut i, mut j) = (best.1, m);
        loop {
            out.push(i);
            let (before, from_run) = from[i][j];
            j = before as usize;
            if j == 0 || i == 0 {
                break;
            }
            i = if from_run {
                i - 1
            } else {
                // `last_of_gap[i - 1]` is the gap state after character
                // i - 1: its last match.
                last_of_gap[i - 1][j] as usize
            };
        }
        out.reverse();
    }
    Some((best.0, (best_solid != NONE).then_some(best_solid)))
}

/// Whether matched characters (in order) include one alone, with neither
/// neighbour matched: 食…品…经…管 strewn, not 食品…检查.
pub fn loose(at: &[usize]) -> bool {
    at.len() >= 2
        && (0..at.len()).any(|k| {
            let before = k > 0 && at[k - 1] + 1 == at[k];
            let after = k + 1 < at.len() && at[k] + 1 == at[k + 1];
            !before && !after
        })
}

/// How pinyin letters match a text (`align_letters`).
pub struct Aligned {
    /// The best alignment's points.
    pub best: i32,
    /// The best run's points, if the letters match as a run.
    pub run: Option<i32>,
    /// The best alignment has a character matched alone (`loose`).
    pub loose: bool,
}

/// `align_with_run` for pinyin letters in `text`: by `initials_only` when
/// every letter takes one character by its initial, else by the full
/// alignment.
pub fn align_letters(
    q: &[u8],
    readings: Readings,
    text: &str,
    trace: Option<&mut Vec<usize>>,
) -> Option<Aligned> {
    if initials_alone(q, readings) {
        return initials_only(q, readings, text, trace);
    }
    // Syllables: a run if there is one (exact, quick), else the letters
    // taken greedily, each character as many as its reading allows (the
    // full alignment would be exact but costs too much over every text:
    // the rare text only a shorter take matches, as zhan in 只汉, is
    // found by its initials or not at all).
    if let Some((start, end)) = readings.find_in(text, q) {
        let before = start.checked_sub(1).and_then(|b| text.chars().nth(b));
        let points = run_points(start, before, end - start, q.len());
        if let Some(out) = trace {
            *out = (start..end).collect();
        }
        return Some(Aligned {
            best: points,
            run: Some(points),
            loose: false,
        });
    }
    greedy(q, readings, text, trace)
}

/// Letters matched apart, each character taking the longest beginning of
/// its readings it can; scored as `align` scores.
fn greedy(
    q: &[u8],
    readings: Readings,
    text: &str,
    trace: Option<&mut Vec<usize>>,
) -> Option<Aligned> {
    let mut j = 0;
    let mut points = 0;
    let mut previous: Option<usize> = None;
    let mut previous_joined = false;
    let mut alone = false;
    let mut at = Vec::new();
    let mut before: Option<char> = None;
    for (i, c) in text.chars().enumerate() {
        if j == q.len() {
            break;
        }
        let taken = readings.lengths(c, q, j);
        if taken != 0 {
            let l = 63 - taken.leading_zeros() as usize;
            let joined = previous.is_some_and(|p| p + 1 == i);
            if previous.is_some() && !joined && !previous_joined {
                alone = true;
            }
            points += MATCHED + l as i32 - 1
                + match previous {
                    None => start_points(i, before),
                    Some(p) if p + 1 == i => RUN,
                    Some(p) => -GAP_OPEN - GAP_EXTEND * (i - p - 2) as i32,
                };
            previous = Some(i);
            previous_joined = joined;
            at.push(i);
            j += l;
        }
        before = Some(c);
    }
    if j < q.len() {
        return None;
    }
    alone |= at.len() >= 2 && !previous_joined;
    if let Some(out) = trace {
        *out = at;
    }
    Some(Aligned {
        best: points,
        run: None,
        loose: alone,
    })
}

/// Whether every letter of `q` takes one character by its initial (no
/// letter can follow the one before it in a syllable): `initials_only`.
pub fn initials_alone(q: &[u8], readings: Readings) -> bool {
    q.len() <= LONGEST
        && q.iter().all(u8::is_ascii_lowercase)
        && Pattern::Letters(q, readings).single().count_ones() as usize == q.len()
}

/// `align_with_run` for letters that each take one character by its
/// initial (spjdjc: no letter can follow the one before in a syllable), as
/// fzf's first algorithm does: the first place the letters all match, made
/// as short as it can be from its end, scored as `align` scores; and the
/// first run of them all (Shift-And). Read straight from the text, several
/// times quicker than the full alignment: initials are most of what is
/// typed.
fn initials_only(
    q: &[u8],
    readings: Readings,
    text: &str,
    trace: Option<&mut Vec<usize>>,
) -> Option<Aligned> {
    let mask = |c: char| readings.letters_of(c);
    let m = q.len();
    let bit = |j: usize| 1u32 << (q[j] - b'a');
    // Per letter, the places in the query it stands at (for Shift-And).
    let mut places = [0u64; 26];
    for (k, &b) in q.iter().enumerate() {
        places[(b - b'a') as usize] |= 1 << k;
    }
    let done = 1u64 << (m - 1);
    // Forward: the first place all letters match in order (its last
    // character and the byte after it), and the first run of them all.
    let mut j = 0;
    let mut end: Option<(usize, usize)> = None;
    let mut shift = 0u64;
    let mut run: Option<usize> = None;
    let mut recent = ['\0'; LONGEST + 2];
    for (i, (byte, c)) in text.char_indices().enumerate() {
        let mut letters = mask(c);
        if end.is_none() && letters & bit(j) != 0 {
            j += 1;
            if j == m {
                end = Some((i, byte + c.len_utf8()));
            }
        }
        if run.is_none() {
            let mut here = 0u64;
            while letters != 0 {
                here |= places[letters.trailing_zeros() as usize];
                letters &= letters - 1;
            }
            shift = (shift << 1 | 1) & here;
            recent[i % recent.len()] = c;
            if shift & done != 0 {
                run = Some(i + 1 - m);
            }
        }
        if end.is_some() && run.is_some() {
            break;
        }
    }
    let (last, end_byte) = end?;
    let run_points = run.map(|s| {
        let before = s.checked_sub(1).map(|b| recent[b % recent.len()]);
        run_points(s, before, m, m)
    });
    // Backward from there: the latest start, so the shortest place.
    let mut j = m;
    let mut start = (last, end_byte);
    let mut i = last + 1;
    for (byte, c) in text[..end_byte].char_indices().rev() {
        i -= 1;
        if mask(c) & bit(j - 1) != 0 {
            j -= 1;
            if j == 0 {
                start = (i, byte);
                break;
            }
        }
    }
    // Its points, forward, as `align` counts them.
    let before_start = text[..start.1].chars().next_back();
    let mut points = 0;
    let mut j = 0;
    let mut previous: Option<usize> = None;
    // Whether the previous match follows the one before it, and whether a
    // match stood alone (`loose`), without keeping the places.
    let mut previous_joined = false;
    let mut alone = false;
    let mut at = Vec::new();
    for (k, c) in text[start.1..end_byte].chars().enumerate() {
        let i = start.0 + k;
        if j < m && mask(c) & bit(j) != 0 {
            let joined = previous.is_some_and(|p| p + 1 == i);
            if previous.is_some() && !joined && !previous_joined {
                alone = true;
            }
            points += MATCHED
                + match previous {
                    None => start_points(i, before_start),
                    Some(p) if p + 1 == i => RUN,
                    Some(p) => -GAP_OPEN - GAP_EXTEND * (i - p - 2) as i32,
                };
            previous = Some(i);
            previous_joined = joined;
            if trace.is_some() {
                at.push(i);
            }
            j += 1;
        }
    }
    alone |= m >= 2 && !previous_joined;
    if let Some(out) = trace {
        *out = match run {
            Some(s) => (s..s + m).collect(),
            None => at,
        };
    }
    Some(Aligned {
        best: run_points.unwrap_or(points).max(points),
        run: run_points,
        loose: run_points.is_none() && alone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn zh(q: &str, text: &str) -> Option<(i32, Vec<usize>)> {
        let (q, t) = (chars(q), chars(text));
        let mut trace = Vec::new();
        let points = align(Pattern::Chars(&q), &t, Some(&mut trace))?;
        assert_eq!(align(Pattern::Chars(&q), &t, None), Some(points));
        Some((points, trace))
    }

    fn py(q: &str, text: &str) -> Option<(i32, Vec<usize>)> {
        let r = Readings::default();
        let mut trace = Vec::new();
        let points = align_letters(q.as_bytes(), r, text, Some(&mut trace))?.best;
        assert_eq!(
            align_letters(q.as_bytes(), r, text, None).map(|p| p.best),
            Some(points)
        );
        // The full alignment agrees that it matches.
        let t = chars(text);
        assert!(align(Pattern::Letters(q.as_bytes(), r), &t, None).is_some());
        Some((points, trace))
    }

    #[test]
    fn a_character_alone_is_loose() {
        assert!(!loose(&[1, 2, 10, 11]));
        assert!(loose(&[1, 2, 6, 12]));
        assert!(loose(&[0, 5]));
        assert!(!loose(&[3]));
        assert!(!loose(&[]));
    }

    #[test]
    fn runs_beat_scattered_characters() {
        let (whole, at) = zh("监督检查", "对食品的监督检查").unwrap();
        assert_eq!(at, vec![4, 5, 6, 7]);
        assert_eq!(whole, run_points(4, Some('的'), 4, 4));
        let (apart, at) = zh("食品检查", "对食品生产企业的监督检查").unwrap();
        assert_eq!(at, vec![1, 2, 10, 11]);
        assert!(whole > apart);
        assert_eq!(zh("检查食品", "对食品的监督检查"), None);
    }

    #[test]
    fn the_start_counts() {
        let (first, _) = zh("特种设备", "特种设备安全法").unwrap();
        let (later, _) = zh("特种设备", "对特种设备的检查").unwrap();
        assert!(first > later);
    }

    #[test]
    fn runs_are_told_apart() {
        let text = "对食品生产企业的监督检查";
        let t = chars(text);
        let r = Readings::default();
        for q in [&b"jdjc"[..], b"spjd"] {
            let full = align_with_run(Pattern::Letters(q, r), &t, None).unwrap();
            let quick = align_letters(q, r, text, None).unwrap();
            assert_eq!(full.1.is_some(), quick.run.is_some(), "{q:?}");
        }
        let a = align_letters(b"jdjc", r, text, None).unwrap();
        assert_eq!(Some(a.best), a.run);
        let a = align_letters(b"spjd", r, text, None).unwrap();
        assert_eq!((a.run, a.loose), (None, false), "食品 and 监督, both whole");
        let a = align_letters(b"sjc", r, "对食品生产的监督检查", None).unwrap();
        assert!(a.loose, "s alone");
        let (best, run) = align_with_run(Pattern::Letters(b"jiandujc", r), &t, None).unwrap();
        assert_eq!(Some(best), run);
        let q: Vec<char> = "监督检查".chars().collect();
        let (best, run) = align_with_run(Pattern::Chars(&q), &t, None).unwrap();
        assert_eq!(Some(best), run);
    }

    #[test]
    fn pinyin_as_a_subsequence_of_initials_and_syllables() {
        let (_, at) = py("spjdjc", "对食品生产企业的监督检查").unwrap();
        assert_eq!(at, vec![1, 2, 8, 9, 10, 11]);
        // A run at the very end, and one letter.
        assert_eq!(py("jc", "监督检查").unwrap().1, vec![2, 3]);
        assert_eq!(py("c", "监督检查").unwrap().1, vec![3]);
        // Syllables apart are taken greedily, leftmost: 食品…监…查.
        let (_, at) = py("shipinjc", "对食品生产企业的监督检查").unwrap();
        assert_eq!(at, vec![1, 2, 8, 11]);
        let (_, at) = py("shipinjiancha", "对食品生产企业的监督检查").unwrap();
        assert_eq!(at, vec![1, 2, 8, 11]);
        // zh, a two-letter initial, and 行 read háng.
        assert!(py("zhjc", "执法检查").is_some());
        assert!(py("yhjd", "对银行的监督").is_some());
        assert_eq!(py("spx", "食品安全"), None);
        // A run of syllables beats the same letters spread out.
        let (run, _) = py("jc", "检查").unwrap();
        let (spread, _) = py("jc", "检验和抽查").unwrap();
        assert!(run > spread);
    }

    #[test]
    fn the_trace_follows_the_best_alignment_through_gaps() {
        // 食 twice: the alignment keeping 食品 together wins.
        let (_, at) = zh("食品安全", "食用的食品安全").unwrap();
        assert_eq!(at, vec![3, 4, 5, 6]);
        let (_, at) = zh("abc", "a_b__c").unwrap();
        assert_eq!(at, vec![0, 2, 5]);
    }
}
