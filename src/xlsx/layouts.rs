//! The spreadsheet layouts the government uses, as column lists shared by
//! the reader (which finds columns by header text) and the writers.

/// One column of a layout.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Stable name used by the importers.
    pub key: &'static str,
    /// The header as the annex writes it.
    pub header: &'static str,
    /// The merged group cell above it in two-row headers, if any.
    pub group: Option<&'static str>,
    /// Other headers seen in real files for the same column.
    pub synonyms: &'static [&'static str],
    pub required: bool,
}

const fn col(key: &'static str, header: &'static str, required: bool) -> Column {
    Column {
        key,
        header,
        group: None,
        synonyms: &[],
        required,
    }
}

const fn syn(
    key: &'static str,
    header: &'static str,
    synonyms: &'static [&'static str],
    required: bool,
) -> Column {
    Column {
        key,
        header,
        group: None,
        synonyms,
        required,
    }
}

const fn grouped(
    key: &'static str,
    group: &'static str,
    header: &'static str,
    required: bool,
) -> Column {
    Column {
        key,
        header,
        group: Some(group),
        synonyms: &[],
        required,
    }
}

/// 附件5 检查实施清单: the 18 columns of the 11 items, in order.
pub const CHECKLIST: &[Column] = &[
    syn(
        "item_code",
        "监管事项目录编码",
        &["事项编码", "监管事项编码", "子项编码", "目录编码"],
        true,
    ),
    syn("level", "行使层级", &["层级"], true),
    grouped("subject_name", "实施主体", "实施主体名称", false),
    grouped("subject_code", "实施主体", "实施主体编码", false),
    grouped("entrust_name", "委托部门", "委托部门名称", false),
    grouped("entrust_code", "委托部门", "委托部门编码", false),
    grouped("target_main", "监管对象", "监管对象主项", false),
    grouped("target_sub", "监管对象", "监管对象子项", false),
    col("inspection_kind", "检查类别", false),
    col("methods", "检查方式", false),
    grouped("random_included", "双随机信息", "是否纳入双随机", false),
    grouped("random_ratio", "双随机信息", "检查比例", false),
    grouped("random_frequency", "双随机信息", "检查频次", false),
    grouped("content", "检查内容", "检查内容（日常）", false),
    grouped("sampling", "监督抽检", "是否抽检", false),
    grouped("sampling_content", "监督抽检", "监督抽检内容", false),
    grouped("cooperation", "协同机构", "是否协同", false),
    grouped("cooperation_org", "协同机构", "协同机构", false),
    // Not in annex 5: a hidden column that lets a filled file come back
    // with compare-and-swap. “单位编号:版本”.
    col("version_tag", VERSION_HEADER, false),
];

/// Header of the hidden round-trip column of checklist exports.
pub const VERSION_HEADER: &str = "数据版本（请勿修改）";

/// The groups of annex 5's first header row, with how many columns each spans.
pub fn checklist_groups() -> Vec<(&'static str, usize, usize)> {
    let mut out: Vec<(&'static str, usize, usize)> = Vec::new();
    for (i, c) in CHECKLIST.iter().enumerate() {
        if let Some(g) = c.group {
            match out.last_mut() {
                Some((name, _, last)) if *name == g && *last + 1 == i => *last = i,
                _ => out.push((g, i, i)),
            }
        }
    }
    out
}

/// The national catalogue file: one row per sub-item, main-item columns
/// repeated or merged down.
pub const CATALOGUE: &[Column] = &[
    syn("department", "监管部门", &["实施部门", "主管部门"], true),
    syn(
        "main_code",
        "主项编码",
        &[
            "事项编码",
            "监管事项编码",
            "主项目录编码",
            "监管事项主项编码",
        ],
        true,
    ),
    syn(
        "main_name",
        "主项名称",
        &[
            "监管事项",
            "监管事项名称",
            "监管事项（主项）",
            "监管事项主项",
            "主项",
        ],
        true,
    ),
    syn(
        "permit_name",
        "对应的许可事项",
        &["对应许可事项", "许可事项"],
        false,
    ),
    syn("permit_type", "许可事项类型", &["许可类型"], false),
    syn("permit_code", "许可事项编码", &["许可编码"], false),
    syn(
        "sub_code",
        "子项编码",
        &["监管事项子项编码", "子项目录编码", "监管事项目录编码"],
        true,
    ),
    syn("sub_name", "子项名称", &["监管事项子项", "子项"], true),
    syn(
        "category",
        "子项类别",
        &["类别", "子项类型", "监管类别", "事项类别"],
        true,
    ),
    col("target", "监管对象", false),
    col("measures", "监管措施", false),
    syn("basis", "设定依据", &["监管依据", "法律依据"], false),
    col("process", "监管流程", false),
    col("result", "监管结果", false),
    syn("levels", "监管层级", &["行使层级", "实施层级"], true),
    syn("source", "事项来源", &["来源"], false),
    syn("classified", "是否涉密", &["涉密"], false),
    syn("status", "事项状态", &["状态"], false),
];

/// 附件4 监管事项目录清单: 序号 and the ten catalogue fields.
pub const ANNEX4_HEADERS: &[&str] = &[
    "序号",
    "监管部门",
    "监管事项（主项）",
    "对应的许可事项",
    "监管事项子项",
    "监管对象",
    "监管措施",
    "设定依据",
    "监管流程",
    "监管结果",
    "监管层级",
];

/// 权责清单.
pub const POWER_LIST: &[Column] = &[
    syn(
        "code",
        "权责事项编码",
        &["事项编码", "编码", "权力编码"],
        true,
    ),
    syn(
        "name",
        "权责事项名称",
        &["事项名称", "名称", "权力名称"],
        true,
    ),
    syn("unit", "实施主体", &["单位名称", "实施部门", "单位"], true),
    syn("region", "地区名称", &["区划", "地区"], false),
    syn("kind", "事项类型", &["职权类型", "权力类型", "类型"], false),
];

/// Accounts: annex 2's columns plus what an account needs (login, role).
pub const ACCOUNTS: &[Column] = &[
    syn("login", "登录名", &["系统用户名", "用户名", "账号"], true),
    col("name", "姓名", true),
    syn("unit", "单位名称", &["单位", "部门名称"], true),
    syn("region", "地区名称", &["区划"], false),
    syn("post", "处室及职务", &["单位及职务", "职务"], false),
    syn("mobile", "联系电话", &["手机号", "手机", "电话"], true),
    col("role", "角色", false),
    syn("liaison", "是否联络人", &["联络人"], false),
];

/// Units of a city or county: annex 1's columns, the region, the code and
/// the counterpart departments (系统一条线).
pub const UNITS: &[Column] = &[
    syn("name", "单位名称", &["单位", "部门名称"], true),
    syn(
        "region",
        "所属区划",
        &["区划", "地区名称", "所属地区"],
        true,
    ),
    syn("category", "单位类别", &["单位分类"], false),
    syn(
        "uscc",
        "统一社会信用代码",
        &["单位统一社会信用代码", "信用代码"],
        false,
    ),
    syn(
        "counterparts",
        "对口上级部门",
        &["对口部门", "上级主管部门"],
        false,
    ),
];

/// Codes the national system gave entered local items: one row a main
/// item or sub-item.
pub const ENTERED: &[Column] = &[
    syn(
        "local_code",
        "地方编码",
        &["临时编码", "DF编码", "原编码"],
        true,
    ),
    syn(
        "official_code",
        "国家系统编码",
        &["国家编码", "事项编码", "系统编码"],
        true,
    ),
];

/// 附件2 表1 and 表2 headers.
pub const ANNEX2_CITY: &[&str] = &["序号", "单位名称", "处室及职务", "姓名", "联系电话"];
pub const ANNEX2_COUNTY: &[&str] = &["序号", "地区名称", "单位及职务", "姓名", "联系电话"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex5_has_eighteen_columns_in_seven_groups() {
        assert_eq!(CHECKLIST.len() - 1, 18);
        let groups = checklist_groups();
        let names: Vec<&str> = groups.iter().map(|g| g.0).collect();
        assert_eq!(
            names,
            [
                "实施主体",
                "委托部门",
                "监管对象",
                "双随机信息",
                "检查内容",
                "监督抽检",
                "协同机构"
            ]
        );
        assert_eq!(groups[3], ("双随机信息", 10, 12));
    }

    #[test]
    fn annex4_has_ten_fields() {
        assert_eq!(ANNEX4_HEADERS.len(), 11);
    }
}
