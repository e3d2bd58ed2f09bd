//! 设定依据 as catalogue cells write it: “《中华人民共和国食品安全法》第一百一十条；
//! 《…》第八十七条”, split into citations of one title and one article.

use super::enums::BasisKind;

/// One cited document and article (empty when the whole document is cited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// With the book-title marks: 《…》.
    pub title: String,
    pub article: String,
    /// Text quoted after a colon, if any.
    pub excerpt: String,
}

const NUMERALS: &str = "零〇一二三四五六七八九十百千0123456789０１２３４５６７８９";

/// Finds “第…条”, optionally followed by “第…款” and “第…项”, from `from`.
fn articles(segment: &str) -> Vec<String> {
    let chars: Vec<char> = segment.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '第' {
            let mut j = i + 1;
            while j < chars.len() && NUMERALS.contains(chars[j]) {
                j += 1;
            }
            if j > i + 1 && j < chars.len() && chars[j] == '条' {
                let mut end = j + 1;
                // 款 and 项 belong to the article just read.
                for unit in ['款', '项'] {
                    if end < chars.len() && chars[end] == '第' {
                        let mut k = end + 1;
                        while k < chars.len() && NUMERALS.contains(chars[k]) {
                            k += 1;
                        }
                        if k > end + 1 && k < chars.len() && chars[k] == unit {
                            end = k + 1;
                        }
                    }
                }
                out.push(chars[i..end].iter().collect());
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn excerpt_of(segment: &str) -> String {
    segment
        .split_once(['：', ':'])
        .map(|(_, rest)| rest.trim().trim_end_matches(['；', ';']).trim().to_string())
        .unwrap_or_default()
}

/// Splits a 设定依据 cell into citations.
pub fn parse_citations(text: &str) -> Vec<Citation> {
    let text = text.trim();
    let mut out = Vec::new();
    if text.contains('《') {
        let mut rest = text;
        while let Some(open) = rest.find('《') {
            let after = &rest[open..];
            let Some(close) = after.find('》') else {
                break;
            };
            let title = after[..close + '》'.len_utf8()].to_string();
            let tail = &after[close + '》'.len_utf8()..];
            let segment_end = tail.find('《').unwrap_or(tail.len());
            let segment = &tail[..segment_end];
            let excerpt = excerpt_of(segment);
            let head = segment.split(['：', ':']).next().unwrap_or("");
            let arts = articles(head);
            if arts.is_empty() {
                out.push(Citation {
                    title: title.clone(),
                    article: String::new(),
                    excerpt,
                });
            } else {
                for a in arts {
                    out.push(Citation {
                        title: title.clone(),
                        article: a,
                        excerpt: excerpt.clone(),
                    });
                }
            }
            rest = &tail[segment_end..];
        }
        return out;
    }
    // No book-title marks: “食品安全法第八十七条；药品管理法”.
    for piece in text.split(['；', ';', '\n', '、']) {
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        let (name, arts) = match piece.find('第') {
            Some(p) => (&piece[..p], articles(&piece[p..])),
            None => (piece, Vec::new()),
        };
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let title = format!("《{name}》");
        if arts.is_empty() {
            out.push(Citation {
                title,
                article: String::new(),
                excerpt: String::new(),
            });
        } else {
            for a in arts {
                out.push(Citation {
                    title: title.clone(),
                    article: a,
                    excerpt: String::new(),
                });
            }
        }
    }
    out
}

/// Titles the same document may be cited under: with and without the
/// “中华人民共和国” prefix.
pub fn title_variants(title: &str) -> Vec<String> {
    let inner = title.trim_start_matches('《').trim_end_matches('》');
    let mut v = vec![format!("《{inner}》")];
    match inner.strip_prefix("中华人民共和国") {
        Some(short) => v.push(format!("《{short}》")),
        None if inner.ends_with('法') && !inner.ends_with("办法") => {
            v.push(format!("《中华人民共和国{inner}》"))
        }
        None => {}
    }
    v
}

/// A best guess of a new basis's kind from its title, for bases first met
/// in an imported file.
pub fn guess_kind(title: &str) -> BasisKind {
    let inner = title.trim_start_matches('《').trim_end_matches('》');
    // “郑州市…”, “河南省…”: a place name of two or more characters first.
    let chars: Vec<char> = inner.chars().collect();
    let local = !inner.starts_with("中华人民共和国")
        && chars
            .iter()
            .take(8)
            .position(|c| matches!(c, '省' | '市' | '县'))
            .is_some_and(|p| p >= 2 && chars[p - 1] != '城');
    if inner.ends_with('法') && !inner.ends_with("办法") {
        BasisKind::Law
    } else if inner.ends_with("条例") {
        if local {
            BasisKind::LocalRegulation
        } else {
            BasisKind::AdministrativeRegulation
        }
    } else if [
        "办法",
        "规定",
        "规则",
        "细则",
        "办法（试行）",
        "规定（试行）",
    ]
    .iter()
    .any(|s| inner.ends_with(s))
    {
        if local {
            BasisKind::LocalGovernmentRule
        } else {
            BasisKind::DepartmentalRule
        }
    } else {
        BasisKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse_citations(text)
            .into_iter()
            .map(|c| (c.title, c.article))
            .collect()
    }

    #[test]
    fn several_bases_with_articles() {
        assert_eq!(
            pairs(
                "《中华人民共和国食品安全法》第一百一十条；《中华人民共和国食品安全法》第八十七条"
            ),
            vec![
                ("《中华人民共和国食品安全法》".into(), "第一百一十条".into()),
                ("《中华人民共和国食品安全法》".into(), "第八十七条".into())
            ]
        );
    }

    #[test]
    fn one_title_several_articles_and_paragraphs() {
        assert_eq!(
            pairs("《中华人民共和国药品管理法》第九十九条第一款、第一百一十五条"),
            vec![
                (
                    "《中华人民共和国药品管理法》".into(),
                    "第九十九条第一款".into()
                ),
                (
                    "《中华人民共和国药品管理法》".into(),
                    "第一百一十五条".into()
                )
            ]
        );
    }

    #[test]
    fn whole_documents_and_line_breaks() {
        assert_eq!(
            pairs("1.《农药管理条例》\n2.《兽药管理条例》第三条第二款第一项"),
            vec![
                ("《农药管理条例》".into(), String::new()),
                ("《兽药管理条例》".into(), "第三条第二款第一项".into())
            ]
        );
    }

    #[test]
    fn quoted_text_after_a_colon_is_the_excerpt() {
        let c = parse_citations(
            "《中华人民共和国食品安全法》第八十七条：县级以上人民政府食品安全监督管理部门应当对食品进行定期或者不定期的抽样检验。",
        );
        assert_eq!(c.len(), 1);
        assert!(c[0].excerpt.starts_with("县级以上"));
    }

    #[test]
    fn without_book_title_marks() {
        assert_eq!(
            pairs("食品安全法第八十七条；物业管理条例"),
            vec![
                ("《食品安全法》".into(), "第八十七条".into()),
                ("《物业管理条例》".into(), String::new())
            ]
        );
    }

    #[test]
    fn variants_and_kinds() {
        assert_eq!(
            title_variants("《食品安全法》"),
            vec![
                "《食品安全法》".to_string(),
                "《中华人民共和国食品安全法》".to_string()
            ]
        );
        assert_eq!(guess_kind("《中华人民共和国食品安全法》"), BasisKind::Law);
        assert_eq!(
            guess_kind("《物业管理条例》"),
            BasisKind::AdministrativeRegulation
        );
        assert_eq!(
            guess_kind("《郑州市燃气管理条例》"),
            BasisKind::LocalRegulation
        );
        assert_eq!(
            guess_kind("《郑州市城市生活垃圾分类管理办法》"),
            BasisKind::LocalGovernmentRule
        );
        assert_eq!(
            guess_kind("《食品生产许可管理办法》"),
            BasisKind::DepartmentalRule
        );
    }
}
