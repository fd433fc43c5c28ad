use jiff::Timestamp;

/// AWS JSON 1.1 dates: seconds since the epoch, with milliseconds as the fraction.
pub fn epoch_seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

pub fn from_epoch_ms(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Midnight UTC of the day holding `ms`: `LastAccessedDate` has day precision.
pub fn day_start(ms: i64) -> i64 {
    ms.div_euclid(86_400_000) * 86_400_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_start_truncates_to_utc_midnight() {
        assert_eq!(day_start(86_400_000 * 3 + 5), 86_400_000 * 3);
        assert_eq!(day_start(-1), -86_400_000);
        assert_eq!(epoch_seconds(1500), 1.5);
    }
}
