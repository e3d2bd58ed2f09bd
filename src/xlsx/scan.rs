//! What calamine's cell reader does not tell about an .xlsx sheet, found by
//! scanning its XML: merged regions (`<mergeCell ref="A1:B2"/>`) and
//! formulas saved without a computed value (files written by scripts and
//! never opened in Excel, which read as blank cells). calamine can list
//! merges too, but only by parsing the whole sheet a second time; this scan
//! costs a fraction of that and runs beside calamine's own read.

use calamine::Dimensions;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// The value of attribute `name` in the tag starting at `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let end = tag.find('>').unwrap_or(tag.len());
    let tag = &tag[..end];
    let pat = format!(" {name}=\"");
    let start = tag.find(&pat)? + pat.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Every occurrence of `<tag ` in `xml`, as the text from there on.
fn tags<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    xml.match_indices(open.as_str())
        .map(|(i, _)| &xml[i..])
        .collect()
}

/// “AB12” → (row 11, column 27), zero-based.
fn cell_ref(r: &str) -> Option<(u32, u32)> {
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &r[letters.len()..];
    let mut col: u32 = 0;
    for c in letters.chars() {
        col = col * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

fn read_entry<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Option<String> {
    let mut f = zip.by_name(name).ok()?;
    let mut s = String::with_capacity(f.size() as usize);
    f.read_to_string(&mut s).ok()?;
    Some(s)
}

/// What the scan found in one sheet.
#[derive(Debug, Clone, Default)]
pub struct SheetScan {
    pub merges: Vec<Dimensions>,
    /// Cells holding a formula but no saved value: (row, column) → formula.
    pub uncached: HashMap<(u32, u32), String>,
}

/// Formula cells without a saved value: `<c r="B3"><f>A1&amp;A2</f><v/></c>`.
fn uncached_formulas(xml: &str) -> HashMap<(u32, u32), String> {
    let mut out = HashMap::new();
    for (i, _) in xml.match_indices("<f") {
        let rest = &xml[i + 2..];
        if !rest.starts_with(['>', ' ', '/']) {
            continue; // <filterColumn …> and the like
        }
        let Some(cell_start) = xml[..i].rfind("<c ") else {
            continue;
        };
        let Some(cell_end) = xml[i..].find("</c>").map(|e| i + e) else {
            continue;
        };
        let cell = &xml[cell_start..cell_end];
        let has_value = cell
            .find("<v>")
            .is_some_and(|v| !cell[v + 3..].starts_with("</v>"));
        if has_value {
            continue;
        }
        let Some(at) = attr(cell, "r").and_then(cell_ref) else {
            continue;
        };
        let formula = rest
            .split_once('>')
            .filter(|(open, _)| !open.ends_with('/'))
            .and_then(|(_, body)| body.split_once("</f>"))
            .map_or(String::new(), |(f, _)| unescape(f));
        out.insert(at, formula);
    }
    out
}

/// The scan of every sheet of an .xlsx file, by sheet name; None when the
/// file cannot be read this way (the caller then asks calamine for merges).
pub fn xlsx_scan(path: &Path) -> Option<HashMap<String, SheetScan>> {
    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).ok()?;
    let workbook = read_entry(&mut zip, "xl/workbook.xml")?;
    let rels = read_entry(&mut zip, "xl/_rels/workbook.xml.rels")?;
    let targets: HashMap<&str, &str> = tags(&rels, "Relationship")
        .into_iter()
        .filter_map(|t| Some((attr(t, "Id")?, attr(t, "Target")?)))
        .collect();
    let mut out = HashMap::new();
    for sheet in tags(&workbook, "sheet") {
        let name = unescape(attr(sheet, "name")?);
        let id = attr(sheet, "r:id")?;
        let target = targets.get(id)?;
        let entry = match target.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => format!("xl/{target}"),
        };
        let xml = read_entry(&mut zip, &entry)?;
        let mut regions = Vec::new();
        // mergeCells follow sheetData: look from there on only.
        if let Some(at) = xml.rfind("<mergeCells") {
            for m in tags(&xml[at..], "mergeCell") {
                let Some((a, b)) = attr(m, "ref").and_then(|r| r.split_once(':')) else {
                    continue;
                };
                if let (Some(start), Some(end)) = (cell_ref(a), cell_ref(b)) {
                    regions.push(Dimensions::new(start, end));
                }
            }
        }
        let uncached = uncached_formulas(&xml);
        out.insert(
            name,
            SheetScan {
                merges: regions,
                uncached,
            },
        );
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("R3"), Some((2, 17)));
        assert_eq!(cell_ref("AB12"), Some((11, 27)));
        assert_eq!(cell_ref("A0"), None);
    }

    #[test]
    fn attributes_in_any_order() {
        let t = r#"<sheet state="hidden" name="A &amp; B" sheetId="2" r:id="rId2"/>"#;
        assert_eq!(attr(t, "name"), Some("A &amp; B"));
        assert_eq!(attr(t, "r:id"), Some("rId2"));
        assert_eq!(unescape("A &amp; B"), "A & B");
    }

    #[test]
    fn formulas_without_a_saved_value() {
        let xml = concat!(
            r#"<sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c>"#,
            r#"<c r="B1"><f>A1&amp;"x"</f><v /></c><c r="C1" t="str"><f t="shared" si="0"/></c>"#,
            r#"<c r="D1"><v>5</v></c></row></sheetData><autoFilter><filterColumn colId="0"/></autoFilter>"#
        );
        let found = uncached_formulas(xml);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[&(0, 1)], "A1&\"x\"");
        assert_eq!(found[&(0, 2)], "");
    }
}
