//! Why a spreadsheet could not be read, in words an operator can act on.

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("无法读取 {file}：{detail}")]
    Unreadable { file: String, detail: String },
    #[error("{file} 是空文件（0 字节），请确认文件已完整复制")]
    Empty { file: String },
    #[error("无法读取 {file}：这是{what}，不是 Excel 表格；{advice}")]
    NotASpreadsheet {
        file: String,
        what: &'static str,
        advice: &'static str,
    },
    #[error(
        "无法读取 {file}：文件设有打开密码；请在 Excel 或 WPS 中取消密码，另存为 .xlsx 后再导入"
    )]
    Encrypted { file: String },
    #[error(
        "无法读取 {file}：文件已损坏或不完整（{detail}）；请重新导出或重新复制该文件，或在 Excel 或 WPS 中打开后另存为 .xlsx"
    )]
    Corrupt { file: String, detail: String },
    #[error(
        "无法读取 {file}：表格展开后有 {cells} 个单元格（多为一直排到表尾的空行空列），超出可读取的范围；请删除多余的行列，或另存为 .xlsx 后再导入"
    )]
    TooLarge { file: String, cells: usize },
    #[error("{file}：没有找到表头。工作表“{sheet}”缺少必需的列：{missing}{hidden}")]
    MissingColumns {
        file: String,
        sheet: String,
        missing: String,
        /// A note naming hidden sheets (which are not read), or "".
        hidden: String,
    },
    #[error(
        "{file}：每个工作表的前 {rows} 行中都没有找到表头，表头应包含这些列：{expected}{hidden}"
    )]
    NoHeader {
        file: String,
        rows: usize,
        expected: String,
        hidden: String,
    },
    #[error("{file}：没有可见的工作表{hidden}")]
    NoSheets { file: String, hidden: String },
    #[error("{file}：工作表“{sheets}”只有表头，没有数据行")]
    NoRows { file: String, sheets: String },
}

pub(super) const RESAVE: &str = "请在 Excel 或 WPS 中打开，另存为 .xlsx 后再导入";

/// The note on hidden sheets added to “not found” errors.
pub(super) fn hidden_note(hidden: &[String]) -> String {
    if hidden.is_empty() {
        return String::new();
    }
    let names: Vec<String> = hidden.iter().map(|h| format!("“{h}”")).collect();
    format!(
        "（隐藏的工作表不读取：{}；如要导入，请先在 Excel 或 WPS 中取消隐藏）",
        names.join("、")
    )
}

pub(super) fn corrupt_file(file: &str, detail: String) -> ReadError {
    ReadError::Corrupt {
        file: file.to_string(),
        detail,
    }
}

/// A panic inside calamine, as the detail of a “corrupt file” error.
pub(super) fn panic_detail(message: &str) -> String {
    format!("解析时出错：{message}")
}
