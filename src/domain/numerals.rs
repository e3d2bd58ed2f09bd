//! Numbers as officials write them: 第八十七条 and 第87条 are the same
//! article (条), 款 and 项 likewise; 《中华人民共和国食品安全法》 is cited as
//! 食品安全法. Search and `basis impact` compare texts in the one form made
//! here (`search_key`), so any of these writings finds the others.

/// The value of a number written in Chinese numerals (八十七, 一百一十,
/// 一百零五, 两千), in digits (87, full-width ８７ too), or None when `s` is
/// not one number.
pub fn parse_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    let chars: Vec<char> = s.chars().collect();
    if !chars.iter().any(|c| matches!(c, '十' | '百' | '千')) {
        // Digits one by one: 二〇二一, 八七.
        let mut n: u32 = 0;
        for c in chars {
            n = n.checked_mul(10)?.checked_add(digit(c)?)?;
        }
        return Some(n);
    }
    let mut total: u32 = 0;
    // The digit read but not yet given its place.
    let mut pending: Option<u32> = None;
    for c in chars {
        let place = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            // 零 only keeps the places apart (一百零五).
            _ => {
                let d = digit(c)?;
                if pending.is_some() && d != 0 {
                    return None;
                }
                pending = (d != 0).then_some(d);
                continue;
            }
        };
        // 十 alone is 10: its 1 is unwritten.
        total = total.checked_add(pending.take().unwrap_or(1).checked_mul(place)?)?;
    }
    total.checked_add(pending.unwrap_or(0))
}

/// The value of one Chinese digit (〇/零 to 九, 两).
fn digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return ascii_digit(c),
    })
}

/// An ASCII or full-width digit's value.
fn ascii_digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// Whether `c` can be part of a written number.
pub fn is_numeral(c: char) -> bool {
    digit(c).is_some() || matches!(c, '十' | '百' | '千')
}

/// The units a number in a citation counts: 第…条, 第…款, 第…项, and the
/// 章 and 节 that group articles.
fn is_unit(c: char) -> bool {
    matches!(c, '条' | '款' | '项' | '章' | '节')
}

/// The title words a citation may leave out.
const STATE_NAME: &str = "中华人民共和国";

/// A text in the form search compares, and for each of its characters the
/// index of the original character it comes from (to mark matches in the
/// text as shown):
/// - 第八十七条 → 第87条 (and 款, 项, 章, 节 alike);
/// - the book-title marks 《》 are left out, and so is 中华人民共和国 before
///   a name (食品安全法 is how the law is called);
/// - full-width digits and letters become ASCII, letters lower case.
pub fn search_key(text: &str) -> (String, Vec<u32>) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '《' {
            i += 1;
            continue;
        }
        // 中华人民共和国 before a name (a law's, an office's) is left out.
        let state = STATE_NAME.chars().count();
        if c == '中'
            && chars.len() > i + state
            && chars[i..i + state].iter().copied().eq(STATE_NAME.chars())
        {
            i += state;
            continue;
        }
        if c == '》' {
            i += 1;
            continue;
        }
        if c == '第'
            && let Some((value, end)) = numbered(&chars, i + 1)
        {
            out.push('第');
            map.push(i as u32);
            for d in value.to_string().chars() {
                out.push(d);
                map.push((i + 1) as u32);
            }
            out.push(chars[end]);
            map.push(end as u32);
            i = end + 1;
            continue;
        }
        out.push(half_width(c));
        map.push(i as u32);
        i += 1;
    }
    (out, map)
}

/// A number written from `start` and closed by a unit (条, 款…): its value
/// and the unit's index.
fn numbered(chars: &[char], start: usize) -> Option<(u32, usize)> {
    let end = start
        + chars[start..]
            .iter()
            .take_while(|c| is_numeral(**c))
            .count();
    if end == start || end >= chars.len() || !is_unit(chars[end]) {
        return None;
    }
    let value = parse_number(&chars[start..end].iter().collect::<String>())?;
    Some((value, end))
}

/// Full-width ASCII (ＡＢＣ１２３) as ASCII, lower case.
fn half_width(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// A typed query in the form of `search_key`, where a number before a
/// unit may leave out its 第 (87条 is 第87条).
pub fn query_key(query: &str) -> String {
    let (key, _) = search_key(query);
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::with_capacity(key.len() + 3);
    let mut i = 0;
    while i < chars.len() {
        let before = i.checked_sub(1).map(|p| chars[p]);
        if before != Some('第')
            && !before.is_some_and(is_numeral)
            && is_numeral(chars[i])
            && let Some((value, end)) = numbered(&chars, i)
        {
            out.push('第');
            out.push_str(&value.to_string());
            out.push(chars[end]);
            i = end + 1;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// A citation typed as 食品安全法第87条, 《中华人民共和国食品安全法》第八十七条 or
/// just 食品安全法: the law's key (`law_key`) and the article's, if one is
/// named (第87条, or 第87条第2款).
pub fn split_citation(query: &str) -> (String, Option<String>) {
    let key = query_key(query.trim());
    let chars: Vec<char> = key.chars().collect();
    // The article starts at the first 第 followed by digits and a unit.
    let start = (0..chars.len()).find(|&i| {
        chars[i] == '第'
            && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())
            && numbered(&chars, i + 1).is_some()
    });
    match start {
        Some(s) => (
            law_key(&chars[..s].iter().collect::<String>()),
            Some(chars[s..].iter().collect::<String>().trim().to_string()),
        ),
        None => (law_key(&key), None),
    }
}

/// `split_citation`, where the article may also be a bare number after
/// the law's name, as typed in a hurry: 食品安全法 八十七, 食品安全法 87,
/// 食品安全法87. Chinese numerals count only after a space: a title may
/// end in one (…统一).
pub fn split_law_and_article(query: &str) -> (String, Option<String>) {
    let split = split_citation(query);
    if split.1.is_some() {
        return split;
    }
    let t = query.trim();
    let chars: Vec<char> = t.chars().collect();
    let run = chars.iter().rev().take_while(|c| is_numeral(**c)).count();
    let cut = chars.len() - run;
    if run == 0 || cut == 0 {
        return split;
    }
    let spaced = chars[cut - 1].is_whitespace();
    if !spaced && !chars[cut..].iter().all(|c| ascii_digit(*c).is_some()) {
        return split;
    }
    let number: String = chars[cut..].iter().collect();
    match parse_number(&number) {
        Some(n) => (
            law_key(&chars[..cut].iter().collect::<String>()),
            Some(format!("第{n}条")),
        ),
        None => split,
    }
}

/// Where an article stands among a law's: the whole document (no
/// article) first, then by its numbers (第87条 before 第110条, 第87条 before
/// 第87条第2款), then what has no number, by text.
pub fn article_order(article: &str) -> (bool, Vec<u32>, String) {
    let key = article_key(article);
    let mut numbers = Vec::new();
    let mut run = String::new();
    for c in key.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
        } else if !run.is_empty() {
            numbers.push(run.parse().unwrap_or(u32::MAX));
            run.clear();
        }
    }
    (
        !article.trim().is_empty(),
        if numbers.is_empty() {
            vec![u32::MAX]
        } else {
            numbers
        },
        key,
    )
}

/// A law's title as it is compared: 《中华人民共和国食品安全法》 → 食品安全法.
pub fn law_key(title: &str) -> String {
    let t = title.trim();
    let t = t.strip_prefix('《').unwrap_or(t);
    let t = t.strip_suffix('》').unwrap_or(t);
    let t = t.strip_prefix(STATE_NAME).unwrap_or(t);
    search_key(&format!("《{t}》")).0
}

/// An article as it is compared: 第八十七条 → 第87条; 87 and 八十七 alone
/// are taken as 第87条.
pub fn article_key(article: &str) -> String {
    let a = article.trim();
    match parse_number(a) {
        Some(n) => format!("第{n}条"),
        None => query_key(a),
    }
}

/// The article (or 款) a clause belongs to, in `article_key` form:
/// 第87条第1款第2项 → 第87条第1款 → 第87条 → None. A catalogue that cites
/// only the article answers for its 款 and 项.
pub fn enclosing(key: &str) -> Option<String> {
    let cut = key.rfind('第').filter(|&i| i > 0)?;
    let outer = &key[..cut];
    outer
        .chars()
        .last()
        .is_some_and(|c| matches!(c, '条' | '款'))
        .then(|| outer.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_either_writing() {
        for (s, n) in [
            ("87", 87),
            ("８７", 87),
            ("八十七", 87),
            ("十", 10),
            ("十五", 15),
            ("一百一十", 110),
            ("一百零五", 105),
            ("一百二十二", 122),
            ("两千", 2000),
            ("二〇二一", 2021),
            ("三", 3),
            ("零", 0),
        ] {
            assert_eq!(parse_number(s), Some(n), "{s}");
        }
        for s in ["", "八十七条", "abc", "十十x", "第八"] {
            assert_eq!(parse_number(s), None, "{s}");
        }
    }

    #[test]
    fn citations_have_one_form() {
        let (key, map) = search_key("《中华人民共和国食品安全法》第八十七条");
        assert_eq!(key, "食品安全法第87条");
        // 食 is the 9th character of the original (after 《 and 7 more).
        assert_eq!(map[0], 8);
        assert_eq!(map.len(), key.chars().count());
        assert_eq!(search_key("第一百一十条第二款").0, "第110条第2款");
        assert_eq!(search_key("对ＧＢ２７６０标准").0, "对gb2760标准");
        // 一 outside a citation stays a character.
        assert_eq!(search_key("统一的第一次").0, "统一的第一次");
        assert_eq!(query_key("87条"), "第87条");
        assert_eq!(query_key("食品安全法第87条"), "食品安全法第87条");
        assert_eq!(query_key("中华人民共和国食品安全法"), "食品安全法");
        assert_eq!(query_key("中华人民共和国"), "中华人民共和国");
    }

    #[test]
    fn a_bare_number_after_the_name_is_the_article() {
        for q in [
            "食品安全法 八十七",
            "食品安全法 87",
            "食品安全法87",
            "食品安全法 八十七条",
            "《中华人民共和国食品安全法》 87",
        ] {
            assert_eq!(
                split_law_and_article(q),
                ("食品安全法".into(), Some("第87条".into())),
                "{q}"
            );
        }
        assert_eq!(
            split_law_and_article("食品安全法"),
            ("食品安全法".into(), None)
        );
        // A title ending in 一 keeps it.
        assert_eq!(split_law_and_article("标准统一"), ("标准统一".into(), None));
        assert_eq!(split_law_and_article("87"), ("87".into(), None));
    }

    #[test]
    fn articles_sort_by_their_numbers() {
        let mut articles = vec![
            "第一百一十条",
            "第八十七条第二款",
            "",
            "附则",
            "第八十七条",
            "第九条",
        ];
        articles.sort_by_key(|a| article_order(a));
        assert_eq!(
            articles,
            [
                "",
                "第九条",
                "第八十七条",
                "第八十七条第二款",
                "第一百一十条",
                "附则"
            ]
        );
    }

    #[test]
    fn a_typed_citation_splits_into_law_and_article() {
        assert_eq!(
            split_citation("食品安全法第87条"),
            ("食品安全法".into(), Some("第87条".into()))
        );
        assert_eq!(
            split_citation("《中华人民共和国食品安全法》第八十七条"),
            ("食品安全法".into(), Some("第87条".into()))
        );
        assert_eq!(split_citation("食品安全法"), ("食品安全法".into(), None));
        assert_eq!(
            split_citation("中华人民共和国食品安全法 第87条"),
            ("食品安全法".into(), Some("第87条".into()))
        );
        assert_eq!(law_key("《中华人民共和国食品安全法》"), "食品安全法");
        assert_eq!(law_key("中华人民共和国食品安全法"), "食品安全法");
        assert_eq!(
            law_key("《河南省食品小作坊管理条例》"),
            "河南省食品小作坊管理条例"
        );
        assert_eq!(article_key("87"), "第87条");
        assert_eq!(article_key("八十七"), "第87条");
        assert_eq!(article_key("第八十七条"), "第87条");
        assert_eq!(article_key("87条"), "第87条");
    }

    #[test]
    fn a_clause_belongs_to_its_article() {
        assert_eq!(
            enclosing("第87条第1款第2项").as_deref(),
            Some("第87条第1款")
        );
        assert_eq!(enclosing("第87条第1款").as_deref(), Some("第87条"));
        assert_eq!(enclosing("第87条"), None);
        assert_eq!(enclosing("附则第2条"), None);
        assert_eq!(article_key("第八十七条第一款"), "第87条第1款");
        assert_eq!(article_key("87条1款"), "第87条第1款");
    }
}
