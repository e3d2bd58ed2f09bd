//! Rules for account fields (annex 2 of the notice).

/// A mainland mobile number: 11 digits starting with 1.
pub fn validate_mobile(mobile: &str) -> Result<(), String> {
    let m = mobile.trim();
    if m.len() == 11 && m.starts_with('1') && m.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("手机号“{m}”应为以1开头的11位数字"))
    }
}

/// An OS login name as `useradd` accepts it.
pub fn validate_login(login: &str) -> Result<(), String> {
    let ok = !login.is_empty()
        && login.len() <= 32
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        && !login.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "登录名“{login}”应为系统用户名（字母、数字、._-，不超过32位）"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers() {
        assert!(validate_mobile("13800138000").is_ok());
        assert!(validate_mobile(" 13800138000 ").is_ok());
        assert!(validate_mobile("23800138000").is_err());
        assert!(validate_mobile("1380013800").is_err());
        assert!(validate_mobile("1380013800a").is_err());
    }

    #[test]
    fn logins() {
        assert!(validate_login("zhang.san").is_ok());
        assert!(validate_login("").is_err());
        assert!(validate_login("张三").is_err());
        assert!(validate_login("-x").is_err());
    }
}
