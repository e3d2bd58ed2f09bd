//! Pinyin matching: `spaq` and `shipin` find 食品安全. Every reading of a
//! heteronym counts (`yh` finds 银行 although 行 is usually xíng), and the
//! query must match a contiguous run of characters, each by its initial or
//! its whole syllable; the last syllable may be typed only in part.

use pinyin::ToPinyinMulti;
use std::collections::HashMap;

/// The toneless readings of each character met so far.
#[derive(Debug, Default, Clone)]
pub struct Readings {
    cache: HashMap<char, Vec<&'static str>>,
}

impl Readings {
    pub fn of(&mut self, c: char) -> &[&'static str] {
        self.cache.entry(c).or_insert_with(|| {
            let mut v: Vec<&'static str> = match c.to_pinyin_multi() {
                Some(multi) => (0..multi.count())
                    .filter_map(|i| multi.get_opt(i))
                    .map(|p| p.plain())
                    .collect(),
                None => Vec::new(),
            };
            v.dedup();
            v
        })
    }

    /// Builds the table for all characters of `texts` (so later lookups
    /// need no mutation and can be shared by reference).
    pub fn learn(&mut self, text: &str) {
        for c in text.chars() {
            self.of(c);
        }
    }

    fn get(&self, c: char) -> &[&'static str] {
        self.cache.get(&c).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Where `query` (lower-case ASCII) matches `text` as pinyin: the char
    /// range of the first matching run.
    pub fn find(&self, text: &[char], query: &[u8]) -> Option<(usize, usize)> {
        if query.is_empty() {
            return None;
        }
        (0..text.len()).find_map(|start| self.run(text, start, query).map(|end| (start, end)))
    }

    /// Matches `query` from `text[j..]`; returns the end of the run.
    fn run(&self, text: &[char], j: usize, query: &[u8]) -> Option<usize> {
        if query.is_empty() {
            return Some(j);
        }
        let c = *text.get(j)?;
        if c.is_ascii_alphanumeric() {
            return if c.to_ascii_lowercase() as u8 == query[0] {
                self.run(text, j + 1, &query[1..])
            } else {
                None
            };
        }
        for r in self.get(c) {
            let r = r.as_bytes();
            if r.is_empty() {
                continue;
            }
            // The whole syllable …
            if query.len() >= r.len() && &query[..r.len()] == r {
                if let Some(end) = self.run(text, j + 1, &query[r.len()..]) {
                    return Some(end);
                }
            } else if r.starts_with(query) {
                // … or its beginning, when the query ends here.
                return Some(j + 1);
            }
            // … or its initial.
            if r[0] == query[0]
                && let Some(end) = self.run(text, j + 1, &query[1..])
            {
                return Some(end);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str, q: &str) -> Option<(usize, usize)> {
        let mut r = Readings::default();
        r.learn(text);
        let chars: Vec<char> = text.chars().collect();
        r.find(&chars, q.as_bytes())
    }

    #[test]
    fn initials_and_whole_syllables() {
        assert_eq!(find("对食品安全的监督检查", "spaq"), Some((1, 5)));
        assert_eq!(find("对食品安全的监督检查", "shipin"), Some((1, 3)));
        assert_eq!(find("对食品安全的监督检查", "shipinaq"), Some((1, 5)));
        assert_eq!(find("对食品安全的监督检查", "jdjc"), Some((6, 10)));
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
    }
}
