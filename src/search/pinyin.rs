//! Pinyin matching: `spaq` and `shipin` find 食品安全. Every reading of a
//! heteronym counts (`yh` finds 银行 although 行 is usually xíng), and the
//! query must match a contiguous run of characters, each by its initial or
//! its whole syllable; the last syllable may be typed only in part.

use pinyin::ToPinyinMulti;

/// First and last code points of the CJK Unified Ideographs block, where
/// nearly every character of the catalogue lies: looked up by index.
const FIRST: u32 = 0x4E00;
const LAST: u32 = 0x9FFF;

/// The toneless readings of every character of the block, and the initials
/// of each as a bit mask (bit 0 = a … bit 25 = z). Built once per process.
type Table = Vec<(&'static [&'static str], u32)>;

static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();

/// For each letter, the letters that follow it inside some syllable.
static INSIDE: std::sync::OnceLock<[u32; 26]> = std::sync::OnceLock::new();

/// In a query, a letter that stands for any one letter (the typo search
/// tries the query with one letter changed or added this way).
pub const WILD: u8 = 0;

fn readings_of(c: char) -> (&'static [&'static str], u32) {
    let mut v: Vec<&'static str> = match c.to_pinyin_multi() {
        Some(multi) => (0..multi.count())
            .filter_map(|i| multi.get_opt(i))
            .map(|p| p.plain())
            .collect(),
        None => Vec::new(),
    };
    v.dedup();
    let mask = v
        .iter()
        .filter_map(|r| r.bytes().next())
        .filter(u8::is_ascii_lowercase)
        .fold(0u32, |m, b| m | 1 << (b - b'a'));
    // One small slice per character, made once for the whole process.
    (Box::leak(v.into_boxed_slice()), mask)
}

/// Looks up characters' readings (a handle on the shared table).
#[derive(Debug, Clone, Copy)]
pub struct Readings {
    table: &'static Table,
    /// The initials of the table alone.
    masks: &'static [u32],
}

static MASKS: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();

impl Default for Readings {
    fn default() -> Self {
        let table = TABLE.get_or_init(|| {
            (FIRST..=LAST)
                .map(|u| char::from_u32(u).map(readings_of).unwrap_or((&[], 0)))
                .collect()
        });
        let masks = MASKS.get_or_init(|| table.iter().map(|(_, m)| *m).collect());
        Readings { table, masks }
    }
}

impl Readings {
    /// Readings of a character; characters outside the CJK block (rare in
    /// catalogue text) have none.
    fn get(&self, c: char) -> (&'static [&'static str], u32) {
        let u = c as u32;
        if (FIRST..=LAST).contains(&u) {
            self.table[(u - FIRST) as usize]
        } else {
            (&[], 0)
        }
    }

    /// The letters that can start a pinyin match somewhere in `text`, as a
    /// bit mask (bit 0 = a): computed once per entry, it answers one-letter
    /// queries and rejects most texts for longer ones.
    pub fn initials_of(&self, text: &str) -> u32 {
        text.chars().fold(0, |m, c| {
            if c.is_ascii_alphabetic() {
                m | 1 << (c.to_ascii_lowercase() as u8 - b'a')
            } else {
                m | self.get(c).1
            }
        })
    }

    /// The letters `c`'s readings start with (bit 0 = a); none for a
    /// character outside the CJK block. From a table of its own, small
    /// enough to stay in the cache while a search scans every text.
    pub fn initials_mask(&self, c: char) -> u32 {
        let u = c as u32;
        if (FIRST..=LAST).contains(&u) {
            self.masks[(u - FIRST) as usize]
        } else {
            0
        }
    }

    /// The letters `c` can stand for as a character of a pinyin match: a
    /// letter itself, a Chinese character its readings' initials (bit 0 =
    /// a); nothing for other characters.
    pub fn letters_of(&self, c: char) -> u32 {
        if c.is_ascii_alphabetic() {
            1 << (c.to_ascii_lowercase() as u8 - b'a')
        } else if c.is_ascii() {
            0
        } else {
            self.initials_mask(c)
        }
    }

    /// The letters of a pinyin term that must each start a character: the
    /// first, and any that never follows the letter before it inside a
    /// syllable (the p of “sp”); none after a `WILD`, which may be anything.
    /// A text whose initials lack one of them cannot match.
    pub fn required_initials(&self, q: &[u8]) -> u32 {
        let mut need = 0u32;
        for (k, &b) in q.iter().enumerate() {
            if !b.is_ascii_lowercase() {
                continue;
            }
            let starts = match k {
                0 => true,
                _ => q[k - 1] != WILD && !self.within_syllable(q[k - 1], b),
            };
            if starts {
                need |= 1 << (b - b'a');
            }
        }
        need
    }

    /// Whether letter `b` can follow letter `a` inside one syllable.
    pub fn within_syllable(&self, a: u8, b: u8) -> bool {
        let inside = INSIDE.get_or_init(|| {
            let mut t = [0u32; 26];
            for (readings, _) in self.table.iter() {
                for r in readings.iter() {
                    for w in r.as_bytes().windows(2) {
                        if w[0].is_ascii_lowercase() && w[1].is_ascii_lowercase() {
                            t[(w[0] - b'a') as usize] |= 1 << (w[1] - b'a');
                        }
                    }
                }
            }
            t
        });
        a.is_ascii_lowercase()
            && b.is_ascii_lowercase()
            && inside[(a - b'a') as usize] & (1 << (b - b'a')) != 0
    }

    /// Whether `c` can stand for the letter `b` (its initial, or itself).
    fn can_start(&self, c: char, b: u8) -> bool {
        if b == WILD {
            return c.is_ascii_alphanumeric() || !self.get(c).0.is_empty();
        }
        if c.is_ascii_alphanumeric() {
            return c.to_ascii_lowercase() as u8 == b;
        }
        b.is_ascii_lowercase() && self.get(c).1 & (1 << (b - b'a')) != 0
    }

    /// How many letters of `query[j..]` the character `c` can take, as a
    /// bit mask (bit L: the first L letters): any beginning of one of its
    /// readings (the initial, `zh`, the whole syllable), or the character
    /// itself when it is a letter or digit.
    pub fn lengths(&self, c: char, query: &[u8], j: usize) -> u64 {
        let rest = &query[j..];
        let Some(&first) = rest.first() else {
            return 0;
        };
        if c.is_ascii_alphanumeric() {
            return u64::from(first == WILD || c.to_ascii_lowercase() as u8 == first) << 1;
        }
        let (readings, initials) = self.get(c);
        // Most characters cannot start with the letter: one bit says so.
        if first != WILD && (!first.is_ascii_lowercase() || initials & 1 << (first - b'a') == 0) {
            return 0;
        }
        let mut mask = 0u64;
        for r in readings {
            for (l, (&a, &b)) in r.as_bytes().iter().zip(rest).enumerate() {
                if a != b && b != WILD || l >= 62 {
                    break;
                }
                mask |= 1 << (l + 1);
            }
        }
        mask
    }

    /// Where `query` (lower-case ASCII) matches `text` as pinyin: the char
    /// range of the first matching run.
    pub fn find_in(&self, text: &str, query: &[u8]) -> Option<(usize, usize)> {
        let first = *query.first()?;
        if query.len() == 1 {
            return text
                .chars()
                .position(|c| self.can_start(c, first))
                .map(|p| (p, p + 1));
        }
        // Catalogue names are short: keep their characters on the stack.
        let mut stack = ['\0'; 48];
        let heap: Vec<char>;
        let chars: &[char] = if text.chars().count() <= stack.len() {
            let mut n = 0;
            for c in text.chars() {
                stack[n] = c;
                n += 1;
            }
            &stack[..n]
        } else {
            heap = text.chars().collect();
            &heap
        };
        // Places already tried in vain (character, letters left): without
        // them a long query of syllables, each also an initial, branches
        // exponentially.
        let mut failed = Failed::default();
        (0..chars.len())
            .filter(|&s| self.can_start(chars[s], first))
            .find_map(|start| {
                self.run(chars, start, query, &mut failed)
                    .map(|end| (start, end))
            })
    }

    /// Matches `query` from `text[j..]`; returns the end of the run.
    fn run(&self, text: &[char], j: usize, query: &[u8], failed: &mut Failed) -> Option<usize> {
        if failed.has(j, query.len()) {
            return None;
        }
        let found = self.run_unmemoized(text, j, query, failed);
        if found.is_none() {
            failed.add(j, query.len());
        }
        found
    }

    fn run_unmemoized(
        &self,
        text: &[char],
        j: usize,
        query: &[u8],
        failed: &mut Failed,
    ) -> Option<usize> {
        if query.is_empty() {
            return Some(j);
        }
        let c = *text.get(j)?;
        if c.is_ascii_alphanumeric() {
            return if query[0] == WILD || c.to_ascii_lowercase() as u8 == query[0] {
                self.run(text, j + 1, &query[1..], failed)
            } else {
                None
            };
        }
        let same = |a: &[u8], b: &[u8]| a.iter().zip(b).all(|(x, y)| x == y || *y == WILD);
        for r in self.get(c).0 {
            let r = r.as_bytes();
            if r.is_empty() {
                continue;
            }
            // The whole syllable …
            if query.len() >= r.len() && same(r, &query[..r.len()]) {
                if let Some(end) = self.run(text, j + 1, &query[r.len()..], failed) {
                    return Some(end);
                }
            } else if query.len() < r.len() && same(r, query) {
                // … or its beginning, when the query ends here.
                return Some(j + 1);
            }
            // … or its initial.
            if (r[0] == query[0] || query[0] == WILD)
                && let Some(end) = self.run(text, j + 1, &query[1..], failed)
            {
                return Some(end);
            }
        }
        None
    }
}

/// Which (character, letters left) a run was already tried from in vain;
/// beyond 64 of either it remembers nothing (and only repeats work).
struct Failed([u64; 64]);

impl Default for Failed {
    fn default() -> Self {
        Failed([0; 64])
    }
}

impl Failed {
    fn has(&self, j: usize, left: usize) -> bool {
        j < 64 && left < 64 && self.0[j] & 1 << left != 0
    }

    fn add(&mut self, j: usize, left: usize) {
        if j < 64 && left < 64 {
            self.0[j] |= 1 << left;
        }
    }
}

/// Words in names whose reading is not their characters' most common one
/// (长葛 is cháng gě, not zhǎng gě; 中牟 is zhōng mù): the place names and
/// words unit names carry. Longest first is not needed: none overlaps.
const NAME_READINGS: &[(&str, &[&str])] = &[
    ("长葛", &["chang", "ge"]),
    ("长垣", &["chang", "yuan"]),
    ("长沙", &["chang", "sha"]),
    ("长春", &["chang", "chun"]),
    ("长安", &["chang", "an"]),
    ("长治", &["chang", "zhi"]),
    ("中牟", &["zhong", "mu"]),
    ("浚县", &["xun", "xian"]),
    ("尉氏", &["yu", "shi"]),
    ("荥阳", &["xing", "yang"]),
    ("重庆", &["chong", "qing"]),
    ("成都", &["cheng", "du"]),
    ("首都", &["shou", "du"]),
    ("厦门", &["xia", "men"]),
    ("六安", &["lu", "an"]),
    ("蚌埠", &["beng", "bu"]),
    ("番禺", &["pan", "yu"]),
    ("单县", &["shan", "xian"]),
    ("西藏", &["xi", "zang"]),
    ("银行", &["yin", "hang"]),
    ("会计", &["kuai", "ji"]),
];

/// The key names sort by in every table: their pinyin, syllable by
/// syllable (安阳 before 北京 before 郑州; 西安 before 先), with the usual
/// reading of the heteronyms names contain, then the name itself so that
/// equal readings still have one order. Letters and digits sort as
/// themselves, lower case.
pub fn sort_key(name: &str) -> String {
    use pinyin::ToPinyin;
    let chars: Vec<char> = name.chars().collect();
    let mut syllables: Vec<String> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let word = NAME_READINGS.iter().find(|(w, _)| {
            let n = w.chars().count();
            chars.len() >= i + n && w.chars().eq(chars[i..i + n].iter().copied())
        });
        if let Some((w, readings)) = word {
            syllables.extend(readings.iter().map(|r| r.to_string()));
            i += w.chars().count();
            continue;
        }
        let c = chars[i];
        syllables.push(match c.to_pinyin() {
            Some(p) => p.plain().to_string(),
            None => c.to_lowercase().collect(),
        });
        i += 1;
    }
    // U+0001 sorts below the space between syllables: 安 before 安阳.
    format!("{}\u{1}{name}", syllables.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str, q: &str) -> Option<(usize, usize)> {
        Readings::default().find_in(text, q.as_bytes())
    }

    #[test]
    fn initials_and_whole_syllables() {
        assert_eq!(find("对食品安全的监督检查", "spaq"), Some((1, 5)));
        assert_eq!(find("对食品安全的监督检查", "shipin"), Some((1, 3)));
        assert_eq!(find("对食品安全的监督检查", "shipinaq"), Some((1, 5)));
        assert_eq!(find("对食品安全的监督检查", "jdjc"), Some((6, 10)));
        assert_eq!(find("对食品安全的监督检查", "j"), Some((6, 7)));
    }

    #[test]
    fn every_reading_of_a_heteronym() {
        assert!(find("银行业监督", "yh").is_some());
        assert!(find("银行业监督", "yinhang").is_some());
        assert!(find("长期护理", "cq").is_some());
        assert!(find("长期护理", "zq").is_some(), "长 is also zhǎng");
    }

    #[test]
    fn runs_must_be_contiguous_and_may_end_mid_syllable() {
        assert_eq!(find("食品安全", "sq"), None, "食 and 全 are not adjacent");
        assert_eq!(find("食品安全", "shipi"), Some((0, 2)));
        assert_eq!(find("食品安全", "xyz"), None);
        assert_eq!(find("GB 2760 标准", "gb"), Some((0, 2)));
    }

    #[test]
    fn names_sort_by_pinyin_with_the_readings_names_use() {
        let mut names = vec![
            "郑州",
            "北京",
            "安阳",
            "长葛",
            "登封",
            "安",
            "中牟县",
            "中原区",
        ];
        names.sort_by_cached_key(|n| sort_key(n));
        assert_eq!(
            names,
            [
                "安",
                "安阳",
                "北京",
                "长葛",
                "登封",
                "郑州",
                "中牟县",
                "中原区"
            ]
        );
        // Syllable by syllable: xi an before xian.
        assert!(sort_key("西安") < sort_key("先"));
        assert!(
            sort_key("ABC局") < sort_key("安阳"),
            "{}",
            sort_key("ABC局")
        );
    }
}
