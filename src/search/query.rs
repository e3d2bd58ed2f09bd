//! A typed query as terms: words apart by spaces, each matched on its own
//! (all must match, in any order), each by what it is made of.

use crate::domain::numerals;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// Digits: a code's beginning, an article's number (87 is 第87条), or
    /// digits in the text.
    Digits(String),
    /// A number in Chinese numerals (八十七): an article's number, or the
    /// characters themselves.
    Numeral(u32, Vec<char>),
    /// Letters (and maybe digits or a dash): a code's beginning (DF410100-),
    /// or pinyin, initials or syllables, as a subsequence.
    Latin(String),
    /// Chinese text, in the form of `numerals::search_key` (食品安全法第87条):
    /// a run of the text, else a subsequence.
    Chinese(Vec<char>),
}

impl Term {
    /// The term a typed word makes; None when nothing in it can match
    /// (punctuation alone, 《》).
    fn of(word: &str) -> Option<Term> {
        let key = numerals::query_key(word);
        if !key.chars().any(char::is_alphanumeric) {
            return None;
        }
        if key.chars().all(|c| c.is_ascii_digit()) {
            return Some(Term::Digits(key));
        }
        if key.is_ascii() {
            return Some(Term::Latin(key));
        }
        if let Some(n) =
            numerals::parse_number(&key).filter(|_| key.chars().all(numerals::is_numeral))
        {
            return Some(Term::Numeral(n, key.chars().collect()));
        }
        Some(Term::Chinese(key.chars().collect()))
    }

    /// How many characters (letters for Latin) the term has: the typo
    /// search needs 4 Chinese characters or 5 letters.
    pub fn len(&self) -> usize {
        match self {
            Term::Digits(s) | Term::Latin(s) => s.len(),
            Term::Numeral(_, c) | Term::Chinese(c) => c.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether one wrong character is worth looking for.
    pub fn wants_near(&self) -> bool {
        match self {
            // A wrong number is another article, not a typing error.
            Term::Chinese(c) => c.len() >= 4 && !c.iter().any(char::is_ascii_digit),
            Term::Latin(s) => s.bytes().filter(u8::is_ascii_lowercase).count() >= 5,
            Term::Digits(_) | Term::Numeral(..) => false,
        }
    }

    /// Whether every match of `longer` (this term typed further) is a
    /// match of this term: true of code beginnings, runs and
    /// subsequences, not of numbers (8 is not a part of 第87条's article).
    fn narrowed_by(&self, longer: &Term) -> bool {
        match (self, longer) {
            (Term::Latin(a), Term::Latin(b)) => b.starts_with(a.as_str()),
            (Term::Chinese(a), Term::Chinese(b)) => {
                b.starts_with(a) && !a.iter().any(|c| numerals::is_numeral(*c))
            }
            _ => false,
        }
    }
}

/// The terms of a query; empty when it has none.
pub fn terms(query: &str) -> Vec<Term> {
    query
        .split(is_break)
        .map(|w| w.trim_matches(is_quote))
        .filter(|w| !w.is_empty())
        .filter_map(Term::of)
        .collect()
}

/// What parts words as a space does: spaces and tabs, and the commas and
/// enumeration marks a copied citation carries (食品安全法，87).
fn is_break(c: char) -> bool {
    c.is_whitespace() || c.is_control() || matches!(c, ',' | '，' | '、' | ';' | '；')
}

/// Quotation marks around a word (“食品安全法”, 「…」) are not part of it.
fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '”' | '‘' | '’' | '「' | '」' | '『' | '』' | '〈' | '〉'
    )
}

/// A longer query narrows a shorter one's matches when it only adds to it:
/// the same terms, the last typed further, or more terms after them.
pub fn narrows(previous: &str, next: &str) -> bool {
    let (p, n) = (terms(previous), terms(next));
    if p.is_empty() || p.len() > n.len() {
        return false;
    }
    let last = p.len() - 1;
    p[..last] == n[..last] && (p[last] == n[last] || p[last].narrowed_by(&n[last]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_by_what_they_are_made_of() {
        assert_eq!(
            terms(" 食品  jc　87 "),
            vec![
                Term::Chinese("食品".chars().collect()),
                Term::Latin("jc".into()),
                Term::Digits("87".into())
            ]
        );
        assert_eq!(
            terms("八十七"),
            vec![Term::Numeral(87, "八十七".chars().collect())]
        );
        assert_eq!(
            terms("87条"),
            vec![Term::Chinese("第87条".chars().collect())]
        );
        assert_eq!(terms("SPAQ"), vec![Term::Latin("spaq".into())]);
        assert_eq!(terms("ＤＦ４１"), vec![Term::Latin("df41".into())]);
        assert!(terms("   ").is_empty());
        assert!(terms("《》 * ?").is_empty(), "nothing that can match");
        assert_eq!(
            terms("“食品安全法”，87"),
            vec![
                Term::Chinese("食品安全法".chars().collect()),
                Term::Digits("87".into())
            ]
        );
    }

    #[test]
    fn which_queries_narrow_which() {
        assert!(narrows("jd", "jdjc"));
        assert!(narrows("食品", "食品安全"));
        assert!(narrows("食品", "食品 jc"));
        assert!(narrows("食品 j", "食品 jc"));
        assert!(!narrows("jd", "监督"));
        assert!(!narrows("食品 jc", "食品 j"));
        assert!(!narrows("8", "87"), "article 87 is not among article 8's");
        assert!(!narrows("八", "八十"));
        assert!(!narrows("", "a"));
    }
}
