//! The logins closest to one mistyped after `--as`: by spelling, by
//! prefix, or by the account holder's name in pinyin (张伟 → zhangwei, zw).

use crate::domain::Account;

/// How far `typed` is from an account: None when not close at all.
/// Smaller is closer; a prefix or a whole name counts as one edit.
fn distance(typed: &str, a: &Account) -> Option<usize> {
    let typed = typed.trim().to_lowercase();
    if typed.is_empty() {
        return None;
    }
    let login = a.login.to_lowercase();
    let (full, initials) = pinyin_of(&a.name);
    if typed == a.name.trim() || typed == full || (initials.len() >= 2 && typed == initials) {
        return Some(0);
    }
    let starts = |whole: &str| typed.chars().count() >= 2 && whole.starts_with(&typed);
    let prefix = starts(&login) || (!full.is_empty() && starts(&full)) || login.starts_with(&typed);
    let spelled = levenshtein(&typed, &login).min(if full.is_empty() {
        usize::MAX
    } else {
        levenshtein(&typed, &full)
    });
    // One edit in three characters still reads as the same word.
    let allowed = (typed.chars().count() / 3).max(1);
    match (prefix, spelled <= allowed) {
        (true, _) => Some(spelled.min(1)),
        (false, true) => Some(spelled),
        (false, false) => None,
    }
}

/// The name's pinyin without tones, whole (zhangwei) and by initials (zw);
/// characters without a reading are kept as they are.
fn pinyin_of(name: &str) -> (String, String) {
    use pinyin::ToPinyin;
    let mut full = String::new();
    let mut initials = String::new();
    for c in name.trim().chars() {
        match c.to_pinyin() {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None if c.is_ascii_alphanumeric() => {
                full.push(c.to_ascii_lowercase());
                initials.push(c.to_ascii_lowercase());
            }
            None => {}
        }
    }
    (full, initials)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Up to five active accounts closest to `typed`, closest first.
pub fn closest<'a>(typed: &str, accounts: &'a [Account]) -> Vec<&'a Account> {
    let mut found: Vec<(usize, &Account)> = accounts
        .iter()
        .filter(|a| a.active)
        .filter_map(|a| distance(typed, a).map(|d| (d, a)))
        .collect();
    found.sort_by(|(d1, a1), (d2, a2)| d1.cmp(d2).then_with(|| a1.login.cmp(&a2.login)));
    found.into_iter().take(5).map(|(_, a)| a).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn account(login: &str, name: &str) -> Account {
        Account {
            id: 1,
            login: login.into(),
            name: name.into(),
            unit_id: 1,
            office_post: String::new(),
            mobile: String::new(),
            role: Role::Operator,
            is_liaison: false,
            active: true,
            version: 1,
        }
    }

    fn logins(typed: &str, all: &[Account]) -> Vec<String> {
        closest(typed, all)
            .into_iter()
            .map(|a| a.login.clone())
            .collect()
    }

    #[test]
    fn prefixes_typos_and_names_in_pinyin_find_the_login() {
        let all = [
            account("zhangwei", "张伟"),
            account("lina", "李娜"),
            account("wangfang", "王芳"),
            account("zw2", "赵文"),
        ];
        assert_eq!(logins("zhangw", &all), ["zhangwei"]);
        assert_eq!(logins("zhagnwei", &all), ["zhangwei"]);
        assert_eq!(logins("张伟", &all), ["zhangwei"]);
        assert_eq!(logins("lin", &all), ["lina"]);
        // 王芳's login need not be her pinyin for her name to find it.
        let renamed = [account("wf01", "王芳")];
        assert_eq!(logins("wangfang", &renamed), ["wf01"]);
        assert_eq!(logins("wf", &renamed), ["wf01"]);
        assert!(logins("qwertyuiop", &all).is_empty());
    }

    #[test]
    fn inactive_accounts_are_not_offered() {
        let mut gone = account("zhangwei", "张伟");
        gone.active = false;
        assert!(logins("zhangw", &[gone]).is_empty());
    }

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "ab"), 2);
        assert_eq!(levenshtein("张伟", "张伟"), 0);
    }
}
