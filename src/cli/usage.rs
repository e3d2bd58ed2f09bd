//! The command line's own words in Chinese: usage errors (an unknown
//! flag, a missing value …) as a sentence naming the argument, the usage
//! line and where help is; and the headings and built-in lines of
//! `--help`. Exit code 2 for usage errors, 0 for `--help` and `--version`.

use super::Cli;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Command, CommandFactory, FromArgMatches};
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

/// An error in how the command was written (exit code 2), as opposed to
/// one in what it was asked to do (1).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The command line, or the exit code after help, the version or a usage
/// error has been printed.
pub fn parse() -> Result<Cli, ExitCode> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let mut cmd = Cli::command();
    let parsed = cmd
        .try_get_matches_from_mut(args.iter().cloned())
        .and_then(|m| Cli::from_arg_matches(&m));
    parsed.map_err(|e| report(&e, &cmd, &args))
}

/// The usage line of the (sub)command the words name: for the errors
/// clap gives none with (a value its parser refused).
fn usage_of(cmd: &Command, args: &[OsString]) -> String {
    let program = args
        .first()
        .and_then(|a| Path::new(a).file_name())
        .map_or_else(|| "jianguan".into(), |n| n.to_string_lossy().into_owned());
    let mut path = vec![program];
    let mut here = cmd;
    for word in args.iter().skip(1).filter_map(|a| a.to_str()) {
        if let Some(sub) = here.find_subcommand(word) {
            path.push(sub.get_name().to_string());
            here = sub;
        }
    }
    here.clone()
        .bin_name(path.join(" "))
        .render_usage()
        .to_string()
}

/// Prints what clap stopped at, in Chinese, and says how to exit.
fn report(e: &clap::Error, cmd: &Command, args: &[OsString]) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            print!("{}", help_text(&e.render().to_string()));
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprintln!("用法错误：缺少子命令或参数，见下面的用法\n");
            eprint!("{}", help_text(&e.render().to_string()));
            ExitCode::from(2)
        }
        _ => {
            let usage = string(e, ContextKind::Usage).unwrap_or_else(|| usage_of(cmd, args));
            eprintln!("{}", error_text(e, &usage));
            ExitCode::from(2)
        }
    }
}

/// A part of the error as text, None when absent or empty.
fn string(e: &clap::Error, kind: ContextKind) -> Option<String> {
    let text = match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join("、")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("、"),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }?;
    (!text.is_empty()).then_some(text)
}

/// The sentence for one usage error.
fn sentence(e: &clap::Error) -> String {
    let arg = string(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = string(e, ContextKind::InvalidValue).unwrap_or_default();
    let mut text = match e.kind() {
        ErrorKind::UnknownArgument => format!("不认识的参数“{arg}”"),
        ErrorKind::InvalidSubcommand => format!(
            "没有子命令“{}”",
            string(e, ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg} 后面缺少值"),
        ErrorKind::InvalidValue => format!("“{value}”不是 {arg} 可用的值"),
        ErrorKind::ValueValidation => {
            // Our own parsers explain in Chinese; the standard ones (numbers)
            // in English, which is left out.
            match std::error::Error::source(e)
                .map(|s| s.to_string())
                .filter(|s| !s.is_ascii())
            {
                Some(why) => format!("{arg}：{why}"),
                None => format!("“{value}”不是 {arg} 可用的值"),
            }
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand => format!(
            "“{}”后面须写子命令",
            string(e, ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::ArgumentConflict => match string(e, ContextKind::PriorArg) {
            Some(prior) if prior == arg => format!("{arg} 只能写一次"),
            Some(prior) => format!("{arg} 不能与 {prior} 同时使用"),
            None => format!("{arg} 不能与已写的参数同时使用"),
        },
        ErrorKind::NoEquals => format!("{arg} 的值须用等号连写，如 {arg}=值"),
        ErrorKind::TooManyValues => format!("{arg} 多出了值“{value}”"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{arg} 的值的个数不对")
        }
        ErrorKind::InvalidUtf8 => "参数中有不是 UTF-8 编码的文字".to_string(),
        _ => "命令行写得不对".to_string(),
    };
    if let Some(valid) = string(e, ContextKind::ValidValue) {
        text.push_str(&format!("；可用的值：{valid}"));
    }
    if let Some(valid) = string(e, ContextKind::ValidSubcommand) {
        text.push_str(&format!("；可用的子命令：{valid}"));
    }
    for kind in [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ] {
        if let Some(similar) = string(e, kind) {
            text.push_str(&format!("；是不是要写 {similar}？"));
        }
    }
    text
}

/// The whole message: the sentence, the usage line, and where help is.
fn error_text(e: &clap::Error, usage: &str) -> String {
    let usage = help_text(usage);
    format!(
        "用法错误：{}\n\n{}\n\n用 {} --help 查看用法",
        sentence(e),
        usage.trim_end(),
        command_of(&usage)
    )
}

/// “jianguan claim” of “用法：jianguan claim <--codes <FILE>|…>”.
fn command_of(usage: &str) -> String {
    let first = usage.lines().next().unwrap_or_default();
    let line = first.strip_prefix("用法：").unwrap_or(first);
    let words: Vec<&str> = line
        .split_whitespace()
        .take_while(|w| !w.starts_with(['[', '<', '-']))
        .collect();
    if words.is_empty() {
        "jianguan".into()
    } else {
        words.join(" ")
    }
}

/// clap's English in help and usage, in Chinese: the headings, the lines
/// of its built-in flags and `help` command, and the bracketed notes.
fn help_text(text: &str) -> String {
    const HEADINGS: [(&str, &str); 3] = [
        ("Commands:", "命令："),
        ("Arguments:", "参数："),
        ("Options:", "选项："),
    ];
    const PHRASES: [(&str, &str); 12] = [
        (
            "Print help (see more with '--help')",
            "显示帮助（--help 显示详细说明）",
        ),
        (
            "Print help (see a summary with '-h')",
            "显示帮助（-h 只显示摘要）",
        ),
        (
            "Print this message or the help of the given subcommand(s)",
            "显示帮助，或某个子命令的帮助",
        ),
        ("Print help for the subcommand(s)", "显示这些子命令的帮助"),
        ("Print help", "显示帮助"),
        ("Print version", "显示版本"),
        ("Possible values:", "可选值："),
        ("[default: ", "[默认："),
        ("[env: ", "[环境变量："),
        ("[possible values: ", "[可选值："),
        ("[aliases: ", "[别名："),
        ("[alias: ", "[别名："),
    ];
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let mut line = match HEADINGS.iter().find(|(en, _)| body == *en) {
            Some((_, zh)) => format!("{zh}{}", &line[body.len()..]),
            None => match body.strip_prefix("Usage: ") {
                Some(rest) => format!("用法：{rest}{}", &line[body.len()..]),
                None => line.to_string(),
            },
        };
        for (en, zh) in PHRASES {
            if line.contains(en) {
                line = line.replace(en, zh);
            }
        }
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(args: &[&str]) -> String {
        let mut all = vec!["jianguan"];
        all.extend_from_slice(args);
        let args: Vec<OsString> = all.iter().map(OsString::from).collect();
        let mut cmd = Cli::command();
        match cmd.try_get_matches_from_mut(args.iter().cloned()) {
            Ok(_) => panic!("{args:?} parsed"),
            Err(e) => {
                let usage = string(&e, ContextKind::Usage).unwrap_or_else(|| usage_of(&cmd, &args));
                error_text(&e, &usage)
            }
        }
    }

    #[test]
    fn unknown_flags_say_so_in_chinese_with_usage_and_help() {
        let text = error_of(&["claim", "--departmnt", "x"]);
        assert!(
            text.starts_with("用法错误：不认识的参数“--departmnt”"),
            "{text}"
        );
        assert!(text.contains("是不是要写 --department"), "{text}");
        assert!(text.contains("\n\n用法：jianguan claim "), "{text}");
        assert!(
            text.ends_with("用 jianguan claim --help 查看用法"),
            "{text}"
        );
        assert!(
            !text.contains("error:") && !text.contains("Usage:"),
            "{text}"
        );
    }

    #[test]
    fn missing_values_arguments_and_subcommands() {
        let text = error_of(&["--as"]);
        assert!(
            text.starts_with("用法错误：--as <LOGIN> 后面缺少值\n"),
            "{text}"
        );
        let text = error_of(&["--db"]);
        assert!(
            text.starts_with("用法错误：--db <PATH> 后面缺少值"),
            "{text}"
        );
        let text = error_of(&["review", "return", "DF410100-0001"]);
        assert!(
            text.starts_with("用法错误：缺少必需的参数：--reason <REASON>"),
            "{text}"
        );
        let text = error_of(&["reveiw"]);
        assert!(text.starts_with("用法错误：没有子命令“reveiw”"), "{text}");
        assert!(text.contains("是不是要写 review"), "{text}");
        let text = error_of(&["search", "x", "--kind", "law"]);
        assert!(
            text.starts_with(
                "用法错误：“law”不是 --kind <KIND> 可用的值；可用的值：department、main-item、item、local-item、basis"
            ),
            "{text}"
        );
        let text = error_of(&["search", "x", "--limit", "many"]);
        assert!(
            text.starts_with("用法错误：“many”不是 --limit <LIMIT> 可用的值"),
            "{text}"
        );
        let text = error_of(&[
            "account", "add", "--login", "a", "--name", "b", "--unit", "c", "--mobile", "1",
            "--role", "boss",
        ]);
        assert!(
            text.starts_with("用法错误：--role <ROLE>：“boss”不是有效的角色，应为："),
            "{text}"
        );
        assert!(text.contains("\n\n用法：jianguan account add "), "{text}");
        assert!(
            text.ends_with("用 jianguan account add --help 查看用法"),
            "{text}"
        );
    }

    #[test]
    fn help_headings_and_built_in_lines_are_chinese() {
        let help = help_text(&Cli::command().render_help().to_string());
        assert!(
            help.contains("\n用法：jianguan [OPTIONS] [COMMAND]\n"),
            "{help}"
        );
        assert!(
            help.contains("\n命令：\n") && help.contains("\n选项：\n"),
            "{help}"
        );
        assert!(
            help.contains("显示帮助") && help.contains("显示版本"),
            "{help}"
        );
        assert!(help.contains("[环境变量：JIANGUAN_DB"), "{help}");
        let long = help_text(
            &Cli::command()
                .find_subcommand_mut("search")
                .map(|c| c.render_long_help().to_string())
                .unwrap_or_default(),
        );
        assert!(
            long.contains("可选值：") && long.contains("[默认：20]"),
            "{long}"
        );
        assert!(!long.contains("Possible"), "{long}");
        for en in ["Usage:", "Options:", "Commands:", "Print "] {
            assert!(!help.contains(en), "{en}: {help}");
        }
    }

    #[test]
    fn the_command_of_a_usage_line() {
        assert_eq!(
            command_of("用法：jianguan claim <--codes <FILE>>"),
            "jianguan claim"
        );
        assert_eq!(command_of("用法：jianguan [OPTIONS] [COMMAND]"), "jianguan");
    }
}
