//! What a file is, by its first bytes rather than its name, and opening it
//! as that: operators get
//! files renamed by hand, “xls” files that are web pages exported by other
//! systems, CSVs, PDFs. Each gets a message that says what it is and what
//! to do, instead of a parser's error.

use super::error::{RESAVE, ReadError, corrupt_file};
use calamine::{OdsError, Sheets, Xls, XlsError, Xlsx, XlsxError, open_workbook};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A zip package: .xlsx (or another OOXML file).
    Xlsx,
    /// A zip package whose first entry names an OpenDocument spreadsheet.
    Ods,
    /// An OLE compound file: .xls, or a password-protected .xlsx.
    Ole,
    Empty,
    /// Not a spreadsheet: what it is, in words an operator knows.
    Other(&'static str),
}

const ZIP: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP: &[u8] = b"PK\x05\x06";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Looks at the first bytes of `path`.
pub fn sniff(path: &Path) -> std::io::Result<Kind> {
    let mut head = Vec::with_capacity(1024);
    crate::files::open_user(path)?
        .take(1024)
        .read_to_end(&mut head)?;
    Ok(kind_of(&head))
}

/// The kind of a file that starts with `head` (up to its first 1,024 bytes).
pub fn kind_of(head: &[u8]) -> Kind {
    if head.is_empty() {
        return Kind::Empty;
    }
    if head.starts_with(ZIP) || head.starts_with(EMPTY_ZIP) {
        // An OpenDocument package stores “mimetype” first, uncompressed.
        let ods = head.get(30..38) == Some(b"mimetype".as_slice())
            && contains(head, b"opendocument.spreadsheet");
        return if ods { Kind::Ods } else { Kind::Xlsx };
    }
    if head.starts_with(OLE) {
        return Kind::Ole;
    }
    if head.starts_with(b"%PDF") {
        return Kind::Other("PDF 文件");
    }
    if head.starts_with(b"\x89PNG")
        || head.starts_with(b"\xFF\xD8\xFF")
        || head.starts_with(b"GIF8")
    {
        return Kind::Other("图片");
    }
    if head.starts_with(b"{\\rtf") {
        return Kind::Other("RTF 文档");
    }
    let text = String::from_utf8_lossy(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head));
    let lower = text.trim_start().to_ascii_lowercase();
    if lower.starts_with('<') {
        if lower.contains("urn:schemas-microsoft-com:office:spreadsheet") {
            return Kind::Other("Excel 2003 XML 表格");
        }
        if lower.contains("<html") || lower.contains("<table") || lower.contains("<!doctype") {
            return Kind::Other("网页（HTML）格式的文件，常见于业务系统导出的“xls”");
        }
        return Kind::Other("XML 文件");
    }
    // Excel's “Unicode 文本” export: UTF-16 with a byte-order mark.
    if looks_like_text(head) || head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Kind::Other("文本文件（CSV 或制表符分隔的文本）");
    }
    Kind::Other("无法识别格式的文件")
}

/// True when `path` is a readable zip archive with no spreadsheet package
/// inside (a folder of files zipped up and sent on).
pub fn plain_zip(path: &Path) -> bool {
    let Ok(file) = crate::files::open_user(path) else {
        return false;
    };
    let Ok(zip) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
        return false;
    };
    [
        "[Content_Types].xml",
        "xl/workbook.xml",
        "mimetype",
        "content.xml",
    ]
    .iter()
    .all(|n| zip.index_for_name(n).is_none())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// No control bytes but tab and line ends: text in UTF-8 or GBK alike.
fn looks_like_text(head: &[u8]) -> bool {
    head.iter()
        .all(|&b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r'))
}

/// Opens `path` as the kind its first bytes say it is.
pub(super) fn open_by_kind(
    path: &Path,
    kind: Kind,
    file: &str,
) -> Result<Sheets<BufReader<File>>, ReadError> {
    Ok(match kind {
        Kind::Empty => {
            return Err(ReadError::Empty {
                file: file.to_string(),
            });
        }
        Kind::Other(what) => {
            return Err(ReadError::NotASpreadsheet {
                file: file.to_string(),
                what,
                advice: RESAVE,
            });
        }
        Kind::Xlsx => match open_workbook(path) {
            Ok(x) => Sheets::Xlsx(x),
            Err(_) if plain_zip(path) => {
                return Err(ReadError::NotASpreadsheet {
                    file: file.to_string(),
                    what: "ZIP 压缩包",
                    advice: "请解压后导入其中的表格文件",
                });
            }
            Err(e) => return Err(corrupt_file(file, XlsxError::to_string(&e))),
        },
        // calamine reads every sheet of an .ods when opening it.
        Kind::Ods => match open_workbook(path) {
            Ok(x) => Sheets::Ods(x),
            Err(OdsError::CellLimitExceeded { requested, .. }) => {
                return Err(ReadError::TooLarge {
                    file: file.to_string(),
                    cells: requested,
                });
            }
            Err(e) => return Err(corrupt_file(file, OdsError::to_string(&e))),
        },
        Kind::Ole => match open_workbook::<Xls<_>, _>(path) {
            Ok(x) => Sheets::Xls(x),
            Err(XlsError::Password) => {
                return Err(ReadError::Encrypted {
                    file: file.to_string(),
                });
            }
            // A password-protected .xlsx is an OLE file holding the package.
            Err(e) => match open_workbook::<Xlsx<_>, _>(path) {
                Err(XlsxError::Password) => {
                    return Err(ReadError::Encrypted {
                        file: file.to_string(),
                    });
                }
                _ => return Err(corrupt_file(file, e.to_string())),
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_first_bytes() {
        assert_eq!(kind_of(b""), Kind::Empty);
        assert_eq!(kind_of(b"PK\x03\x04\x14\x00"), Kind::Xlsx);
        let mut ods = b"PK\x03\x04".to_vec();
        ods.resize(30, 0);
        ods.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet");
        assert_eq!(kind_of(&ods), Kind::Ods);
        assert_eq!(kind_of(OLE), Kind::Ole);
        assert_eq!(kind_of(b"%PDF-1.7"), Kind::Other("PDF 文件"));
        assert!(
            matches!(kind_of(b"\xEF\xBB\xBF<html><table>"), Kind::Other(w) if w.contains("HTML"))
        );
        assert!(
            matches!(kind_of("编码,名称\r\n1,a".as_bytes()), Kind::Other(w) if w.contains("CSV"))
        );
        assert!(matches!(kind_of(b"\x00\x01\x02"), Kind::Other(w) if w.contains("无法识别")));
        assert!(
            matches!(kind_of(b"\xFF\xFE\x16\x76\xA1\x7B"), Kind::Other(w) if w.contains("CSV"))
        );
    }
}
