//! What a key can ask for. Keys map to actions through the keymap; panes
//! react to actions, never to keys, so rebinding needs no code.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    FocusTree,
    FocusItem,
    FocusChecklist,
    FocusProgress,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Expand,
    Collapse,
    Toggle,
    ExpandAll,
    CollapseAll,
    FilterMine,
    FilterUnclaimed,
    FilterCategory,
    FilterSource,
    FilterDepartment,
    ClearFilters,
    ToggleMouse,
    Search,
    Pick,
    PickRange,
    PickAll,
    ClearPicks,
    Claim,
    Unclaim,
    ToggleExercised,
    FinishClaiming,
    Undo,
}

impl Action {
    /// A word or two for the status line's key hints.
    pub fn short(self) -> &'static str {
        match self {
            Action::Search => "搜索",
            Action::Pick => "标记",
            Action::PickRange => "标记范围",
            Action::PickAll => "全部标记",
            Action::ClearPicks => "清除标记",
            Action::Claim => "认领",
            Action::Unclaim => "取消认领",
            Action::ToggleExercised => "是否行使",
            Action::FinishClaiming => "认领完成",
            Action::Undo => "撤销",
            Action::Toggle => "展开",
            Action::FilterMine => "已认领",
            Action::FilterUnclaimed => "未认领",
            Action::FilterCategory => "类别",
            Action::FilterSource => "来源",
            Action::FilterDepartment => "本部门",
            Action::ClearFilters => "清除筛选",
            other => other.describe(),
        }
    }

    /// What the action does, for the help overlay and the status line.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "退出",
            Action::Help => "帮助",
            Action::NextPane => "下一窗格",
            Action::PrevPane => "上一窗格",
            Action::FocusTree => "事项目录",
            Action::FocusItem => "事项详情",
            Action::FocusChecklist => "检查实施清单",
            Action::FocusProgress => "进度",
            Action::Up => "上移",
            Action::Down => "下移",
            Action::PageUp => "上翻页",
            Action::PageDown => "下翻页",
            Action::Top => "到顶",
            Action::Bottom => "到底",
            Action::Expand => "展开",
            Action::Collapse => "收起",
            Action::Toggle => "展开/收起",
            Action::ExpandAll => "全部展开",
            Action::CollapseAll => "全部收起",
            Action::FilterMine => "只看本单位已认领",
            Action::FilterUnclaimed => "只看未认领",
            Action::FilterCategory => "按类别筛选",
            Action::FilterSource => "按来源筛选",
            Action::FilterDepartment => "只看当前部门",
            Action::ClearFilters => "清除筛选",
            Action::ToggleMouse => "开关鼠标",
            Action::Search => "搜索名称/拼音/编码",
            Action::Pick => "标记（主项连同子项）",
            Action::PickRange => "标记从上次标记处到此行",
            Action::PickAll => "标记筛选出的全部子项",
            Action::ClearPicks => "清除全部标记",
            Action::Claim => "认领标记的或当前行",
            Action::Unclaim => "取消认领",
            Action::ToggleExercised => "切换是否行使",
            Action::FinishClaiming => "本单位认领完成",
            Action::Undo => "撤销上一个认领操作",
        }
    }
}
