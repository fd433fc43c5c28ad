//! How dates, ids and tags are written on screen.

use coffer_core::model::Tag;

const DAY_MS: i64 = 86_400_000;

fn ts(ms: i64) -> Option<jiff::Timestamp> {
    jiff::Timestamp::from_millisecond(ms).ok()
}

/// `2025-01-02 13:45` (UTC) from epoch seconds.
pub fn minute(secs: f64) -> String {
    ts((secs * 1000.0) as i64)
        .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// `2025-01-02` from epoch seconds, `—` when there is none.
pub fn day(secs: Option<f64>) -> String {
    secs.and_then(|s| ts((s * 1000.0) as i64))
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "—".into())
}

/// `2025-01-02 13:45:07` from epoch milliseconds.
pub fn second_ms(ms: i64) -> String {
    ts(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// `2025-01-02 13:45` (UTC) from epoch milliseconds.
pub fn minute_ms(ms: i64) -> String {
    ts(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// A length of time, coarsely: `6d 14h`, `3h 12m`, `4m 10s`, `42s`.
pub fn span(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m) = (s / 86_400, s / 3600 % 24, s / 60 % 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {}s", s % 60)
    } else {
        format!("{s}s")
    }
}

/// How long a step took: `350 ms`, `2.4 s`.
pub fn duration_ms(ms: i64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// Whole days from `now_ms` until a deletion date (epoch seconds), rounded up.
pub fn days_left(deletion_secs: f64, now_ms: i64) -> i64 {
    let left = (deletion_secs * 1000.0) as i64 - now_ms;
    if left <= 0 {
        0
    } else {
        (left + DAY_MS - 1) / DAY_MS
    }
}

pub use coffer_core::said::short_id;

/// `env=prod team=platform`.
pub fn tags(tags: &[Tag]) -> String {
    tags.iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last part of an ARN after `/` or `:` (a principal's name).
pub fn principal_name(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

/// A parsed time for the audit filters: RFC 3339, or an age like `24h`, `7d`, `30m`.
pub fn parse_when(s: &str, now_ms: i64) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(Some(t.as_millisecond()));
    }
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: i64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a time (RFC 3339, or like 24h / 7d / 30m)"))?;
    let ms = match unit.trim() {
        "m" => n * 60_000,
        "h" => n * 3_600_000,
        "d" => n * DAY_MS,
        _ => {
            return Err(format!(
                "'{s}' is not a time (RFC 3339, or like 24h / 7d / 30m)"
            ));
        }
    };
    Ok(Some(now_ms - ms))
}

/// The function's name from its ARN (`arn:aws:lambda:…:function:pw` → `pw`).
pub fn function_name(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_left_rounds_up_and_stops_at_zero() {
        let now = 1_700_000_000_000;
        assert_eq!(days_left((now + DAY_MS) as f64 / 1000.0, now), 1);
        assert_eq!(days_left((now + DAY_MS + 1) as f64 / 1000.0, now), 2);
        assert_eq!(days_left((now - 5) as f64 / 1000.0, now), 0);
    }

    #[test]
    fn times_parse_as_ages_or_dates() {
        let now = 1_700_000_000_000;
        assert_eq!(parse_when("24h", now), Ok(Some(now - DAY_MS)));
        assert_eq!(parse_when("", now), Ok(None));
        assert!(parse_when("soon", now).is_err());
        assert_eq!(
            parse_when("2023-11-14T22:13:20Z", now),
            Ok(Some(1_700_000_000_000))
        );
    }

    #[test]
    fn ids_and_principals_shorten() {
        assert_eq!(short_id("0123456789"), "01234567");
        assert_eq!(principal_name("arn:aws:iam::1:user/admin"), "admin");
    }
}
