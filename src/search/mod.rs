//! Search over item names and codes and legal-basis titles and articles:
//! fuzzy on the Chinese text, pinyin initials and syllables, code prefixes.

pub mod engine;
pub mod pinyin;
pub mod worker;
