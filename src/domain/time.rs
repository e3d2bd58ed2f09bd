//! Times as the notice writes them: Beijing time (UTC+8), minutes.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// “2019-05-14 17:00” in Beijing time.
pub fn format_time(epoch: i64) -> String {
    match DateTime::from_timestamp(epoch, 0) {
        Some(t) => t
            .with_timezone(&beijing())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => format!("@{epoch}"),
    }
}

/// The start (00:00, Beijing time) of the calendar day of `epoch`.
pub fn day_start(epoch: i64) -> i64 {
    let offset = 8 * 3600;
    (epoch + offset).div_euclid(86_400) * 86_400 - offset
}

/// Parses “2019-05-14 17:00”, “2019-05-14T17:00:00”, or “2019-05-14” (end of
/// that day, 24:00) in Beijing time; or an RFC 3339 time with its own offset.
pub fn parse_time(text: &str) -> Result<i64, String> {
    let s = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return local(n);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let next = d.succ_opt().ok_or_else(|| format!("日期“{s}”超出范围"))?;
        return local(next.and_hms_opt(0, 0, 0).ok_or("无效时间")?);
    }
    Err(format!(
        "时间“{s}”格式不对，应为“2019-05-14 17:00”或“2019-05-14”"
    ))
}

fn local(n: NaiveDateTime) -> Result<i64, String> {
    beijing()
        .from_local_datetime(&n)
        .single()
        .map(|t| t.timestamp())
        .ok_or_else(|| format!("无效时间“{n}”"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_midnight_beijing_time() {
        let evening = parse_time("2019-05-14 23:59").unwrap();
        let morning = parse_time("2019-05-14 00:30").unwrap();
        assert_eq!(day_start(evening), parse_time("2019-05-14 00:00").unwrap());
        assert_eq!(day_start(morning), day_start(evening));
        assert_eq!(
            day_start(parse_time("2019-05-15 00:00").unwrap()),
            parse_time("2019-05-15 00:00").unwrap()
        );
    }

    #[test]
    fn round_trip_in_beijing_time() {
        let t = parse_time("2019-05-14 17:00").unwrap();
        assert_eq!(t, 1557824400);
        assert_eq!(format_time(t), "2019-05-14 17:00");
        assert_eq!(parse_time("2019-05-14T17:00:00").unwrap(), t);
        assert_eq!(parse_time("2019-05-14T09:00:00Z").unwrap(), t);
    }

    #[test]
    fn a_date_alone_means_the_end_of_that_day() {
        assert_eq!(
            format_time(parse_time("2019-05-10").unwrap()),
            "2019-05-11 00:00"
        );
        assert!(parse_time("五月十日").unwrap_err().contains("格式不对"));
    }
}
