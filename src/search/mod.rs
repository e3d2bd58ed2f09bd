//! Search over departments, items, local items and legal bases: terms
//! apart by spaces, each matched by its text, article numbers in either
//! writing, pinyin initials or syllables as a subsequence, or a code's
//! beginning; one wrong character when nothing else matches.

pub mod engine;
pub mod pinyin;
pub mod query;
pub mod score;
pub mod typo;
pub mod worker;
