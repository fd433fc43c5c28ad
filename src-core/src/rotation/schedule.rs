//! When a secret rotates: `AutomaticallyAfterDays`, `rate(...)` or AWS's six-field `cron(...)`,
//! each with a window (`Duration`) that a due rotation must start inside.

use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::api::RotationRules;
use crate::{Error, Result};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// AWS refuses schedules that rotate more often than this.
const MIN_INTERVAL_MS: i64 = 4 * HOUR_MS;

/// A time span `[start, end)` in epoch milliseconds in which a rotation may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Window {
    pub fn contains(&self, t_ms: i64) -> bool {
        self.start_ms <= t_ms && t_ms < self.end_ms
    }
}

#[derive(Debug, Clone)]
enum Every {
    Days(i64),
    Hours(i64),
    /// A cron expression; `hourly` when it fires more than once a day, which gives it a
    /// one-hour default window instead of the rest of the UTC day.
    Cron {
        cron: Box<Cron>,
        hourly: bool,
    },
}

/// A parsed, validated `RotationRules`.
#[derive(Debug, Clone)]
pub struct Schedule {
    every: Every,
    duration_ms: Option<i64>,
}

fn day_start(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS) * DAY_MS
}

/// The start of the `rate(n hours)` slot holding `ms`: slots start at midnight UTC and
/// every `n` hours after it, and start again at the next midnight.
fn hours_slot(ms: i64, n: i64) -> i64 {
    let day = day_start(ms);
    day + (ms - day).div_euclid(n * HOUR_MS) * n * HOUR_MS
}

/// The slot after the one holding `ms` (the next midnight when the day has no more).
fn next_hours_slot(ms: i64, n: i64) -> i64 {
    (hours_slot(ms, n) + n * HOUR_MS).min(day_start(ms) + DAY_MS)
}

fn utc(ms: i64) -> jiff::Zoned {
    Timestamp::from_millisecond(ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(TimeZone::UTC)
}

fn parse_rate(expr: &str) -> Result<Every> {
    let bad = || {
        Error::invalid_parameter(format!(
            "The schedule expression '{expr}' is not valid: write rate(N hours) or rate(N days)."
        ))
    };
    let inner = expr
        .strip_prefix("rate(")
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(bad)?;
    let mut parts = inner.split_whitespace();
    let n: i64 = parts.next().and_then(|n| n.parse().ok()).ok_or_else(bad)?;
    let unit = parts.next().ok_or_else(bad)?;
    if parts.next().is_some() || n < 1 {
        return Err(bad());
    }
    match unit {
        "hour" | "hours" => {
            if n < 4 {
                return Err(Error::invalid_parameter(
                    "A rotation schedule must not rotate more often than every four hours.",
                ));
            }
            if n > 23 {
                return Err(Error::invalid_parameter(format!(
                    "The schedule expression '{expr}' is not valid: a rate in hours is 4 to 23 hours; use days for longer."
                )));
            }
            Ok(Every::Hours(n))
        }
        "day" | "days" if n <= 1000 => Ok(Every::Days(n)),
        _ => Err(bad()),
    }
}

fn parse_cron(expr: &str) -> Result<Every> {
    let bad = |why: &str| {
        Error::invalid_parameter(format!(
            "The schedule expression '{expr}' is not valid: {why}."
        ))
    };
    let inner = expr
        .strip_prefix("cron(")
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| bad("write cron(minutes hours day-of-month month day-of-week year)"))?;
    let fields: Vec<&str> = inner.split_whitespace().collect();
    if fields.len() != 6 {
        return Err(bad(
            "a cron expression has six fields: minutes hours day-of-month month day-of-week year",
        ));
    }
    if fields[0] != "0" {
        return Err(bad(
            "the minutes field must be 0: rotation windows open on the hour",
        ));
    }
    if fields[5] != "*" {
        return Err(bad("the year field must be *"));
    }
    let (dom, dow) = (fields[2], fields[4]);
    if (dom == "?") == (dow == "?") {
        return Err(bad(
            "exactly one of day-of-month and day-of-week must be '?'",
        ));
    }
    // croner wants `*` where AWS writes `?`; AWS's day-of-week 1-7 is SUN-SAT, croner's
    // "alternative weekdays" mode.
    let pattern = format!(
        "0 {} {} {} {} {} {}",
        fields[0],
        fields[1],
        if dom == "?" { "*" } else { dom },
        fields[3],
        if dow == "?" { "*" } else { dow },
        fields[5]
    );
    let cron = CronParser::builder()
        .seconds(Seconds::Required)
        .year(Year::Required)
        .alternative_weekdays(true)
        // AWS writes steps from a start value (`4/12`: 04:00 and 16:00).
        .sloppy_ranges(true)
        .build()
        .parse(&pattern)
        .map_err(|e| bad(&e.to_string()))?;
    let hour = fields[1];
    let hourly = hour.contains(['*', '/', ',', '-']);
    Ok(Every::Cron {
        cron: Box::new(cron),
        hourly,
    })
}

fn parse_duration(d: &str) -> Result<i64> {
    let hours: i64 = d
        .strip_suffix('h')
        .filter(|n| !n.is_empty() && n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
        .filter(|n| (1..=24).contains(n))
        .ok_or_else(|| {
            Error::invalid_parameter(format!(
                "The rotation window Duration '{d}' is not valid: write 1h to 24h."
            ))
        })?;
    Ok(hours * HOUR_MS)
}

impl Schedule {
    /// Validates `rules` as AWS does: `AutomaticallyAfterDays` 1–1000 or a `ScheduleExpression`
    /// (not both), a `Duration` of 1–24 hours that fits before the next window, and never
    /// more often than every four hours.
    pub fn parse(rules: &RotationRules) -> Result<Self> {
        let schedule = Self::read(rules)?;
        schedule.check_spacing()?;
        Ok(schedule)
    }

    /// Reads rules RotateSecret already validated (a secret's stored rules): the spacing
    /// check, which walks the next occurrences of a cron expression, is not repeated on
    /// every DescribeSecret, ListSecrets entry and scheduler tick.
    pub fn stored(rules: &RotationRules) -> Result<Self> {
        Self::read(rules)
    }

    fn read(rules: &RotationRules) -> Result<Self> {
        let every = match (&rules.automatically_after_days, &rules.schedule_expression) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_parameter(
                    "You can't specify both AutomaticallyAfterDays and ScheduleExpression.",
                ));
            }
            (Some(d), None) => {
                // moto 5.2.5's words (test_rotate_secret_rotation_period_validation).
                if !(1..=1000).contains(d) {
                    return Err(Error::invalid_parameter(
                        "RotationRules.AutomaticallyAfterDays must be within 1-1000.",
                    ));
                }
                Every::Days(*d)
            }
            (None, Some(e)) => {
                let e = e.trim();
                if e.starts_with("rate(") {
                    parse_rate(e)?
                } else if e.starts_with("cron(") {
                    parse_cron(e)?
                } else {
                    return Err(Error::invalid_parameter(format!(
                        "The schedule expression '{e}' is not valid: write rate(...) or cron(...)."
                    )));
                }
            }
            (None, None) => {
                return Err(Error::invalid_parameter(
                    "RotationRules needs AutomaticallyAfterDays or ScheduleExpression.",
                ));
            }
        };
        let duration_ms = rules.duration.as_deref().map(parse_duration).transpose()?;
        Ok(Self { every, duration_ms })
    }

    fn check_spacing(&self) -> Result<()> {
        match &self.every {
            Every::Hours(n) => {
                if self.duration_ms.is_some_and(|d| d > n * HOUR_MS) {
                    return Err(Error::invalid_parameter(
                        "The rotation window must not extend into the next rotation window.",
                    ));
                }
            }
            Every::Days(_) => {}
            Every::Cron { cron, .. } => {
                let mut last: Option<i64> = None;
                let start = utc(Timestamp::now().as_millisecond());
                for t in cron.clone().iter_after(start).take(64) {
                    let ms = t.timestamp().as_millisecond();
                    if let Some(prev) = last {
                        let gap = ms - prev;
                        if gap < MIN_INTERVAL_MS {
                            return Err(Error::invalid_parameter(
                                "A rotation schedule must not rotate more often than every four hours.",
                            ));
                        }
                        if self
                            .duration_ms
                            .is_some_and(|d| d > gap || ms + d > day_start(ms) + DAY_MS)
                        {
                            return Err(Error::invalid_parameter(
                                "The rotation window must not extend into the next rotation window.",
                            ));
                        }
                    }
                    last = Some(ms);
                }
                if last.is_none() {
                    return Err(Error::invalid_parameter(
                        "The cron expression never fires in the future.",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The window that opens at `start_ms`.
    fn window_at(&self, start_ms: i64) -> Window {
        let default = match &self.every {
            Every::Days(_) | Every::Cron { hourly: false, .. } => {
                day_start(start_ms) + DAY_MS - start_ms
            }
            Every::Hours(_) | Every::Cron { hourly: true, .. } => HOUR_MS,
        };
        Window {
            start_ms,
            end_ms: start_ms + self.duration_ms.unwrap_or(default),
        }
    }

    fn cron_next(cron: &Cron, after_ms: i64, inclusive: bool) -> Option<i64> {
        cron.find_next_occurrence(&utc(after_ms), inclusive)
            .ok()
            .map(|t| t.timestamp().as_millisecond())
    }

    /// The first window after the last rotation (or after rotation was turned on).
    pub fn window_after(&self, last_ms: i64) -> Option<Window> {
        let start = match &self.every {
            Every::Days(n) => day_start(last_ms + n * DAY_MS),
            Every::Hours(n) => next_hours_slot(last_ms, *n),
            Every::Cron { cron, .. } => Self::cron_next(cron, last_ms, false)?,
        };
        Some(self.window_at(start))
    }

    /// The window the next rotation belongs in: the one after the last rotation, or, when
    /// that one closed unseen (the laptop was asleep), the first on the schedule's grid that
    /// has not closed yet at `now_ms`.
    pub fn next_window(&self, last_ms: i64, now_ms: i64) -> Option<Window> {
        let due = self.window_after(last_ms)?;
        if due.end_ms > now_ms {
            return Some(due);
        }
        match &self.every {
            Every::Days(_) => {
                let today = self.window_at(day_start(now_ms));
                Some(if today.end_ms > now_ms {
                    today
                } else {
                    self.window_at(day_start(now_ms) + DAY_MS)
                })
            }
            Every::Hours(n) => {
                let this_slot = self.window_at(hours_slot(now_ms, *n));
                Some(if this_slot.end_ms > now_ms {
                    this_slot
                } else {
                    self.window_at(next_hours_slot(now_ms, *n))
                })
            }
            Every::Cron { cron, .. } => {
                let mut from = now_ms - DAY_MS;
                for _ in 0..64 {
                    let s = Self::cron_next(cron, from, true)?;
                    let w = self.window_at(s);
                    if w.end_ms > now_ms {
                        return Some(w);
                    }
                    from = s + 1000;
                }
                None
            }
        }
    }

    /// How many window starts a console shows when it previews a schedule (as it is typed)
    /// or a secret's next rotations: both consoles show this many.
    pub const PREVIEW_WINDOWS: usize = 5;

    /// The next `n` window starts after `after_ms`, for a console's schedule preview.
    pub fn preview(&self, after_ms: i64, n: usize) -> Vec<i64> {
        let mut out = Vec::with_capacity(n);
        let mut last = after_ms;
        while out.len() < n {
            let Some(w) = self.window_after(last) else {
                break;
            };
            out.push(w.start_ms);
            last = w.start_ms;
        }
        out
    }

    /// A secret's next `n` window starts, as a Rotation tab lists them: its next rotation
    /// date, then the windows its stored rules open after that.
    pub fn upcoming(next_ms: i64, rules: &RotationRules, n: usize) -> Vec<i64> {
        let mut out = vec![next_ms];
        if let Ok(s) = Self::stored(rules) {
            out.extend(s.preview(next_ms, n.saturating_sub(1)));
        }
        out.truncate(n);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(days: Option<i64>, expr: Option<&str>, duration: Option<&str>) -> RotationRules {
        RotationRules {
            automatically_after_days: days,
            schedule_expression: expr.map(str::to_string),
            duration: duration.map(str::to_string),
        }
    }

    fn ms(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn automatically_after_days_opens_a_whole_utc_day_window_n_days_later() {
        let s = Schedule::parse(&rules(Some(30), None, None)).unwrap();
        let w = s.window_after(ms("2026-01-01T15:20:00Z")).unwrap();
        assert_eq!(w.start_ms, ms("2026-01-31T00:00:00Z"));
        assert_eq!(w.end_ms, ms("2026-02-01T00:00:00Z"));
    }

    #[test]
    fn rate_in_hours_has_a_one_hour_window_by_default_and_duration_overrides_it() {
        // Slots start at midnight: 00, 06, 12, 18.
        let s = Schedule::parse(&rules(None, Some("rate(6 hours)"), None)).unwrap();
        let w = s.window_after(ms("2026-01-01T10:30:00Z")).unwrap();
        assert_eq!(w.start_ms, ms("2026-01-01T12:00:00Z"));
        assert_eq!(w.end_ms - w.start_ms, HOUR_MS);
        let s = Schedule::parse(&rules(None, Some("rate(6 hours)"), Some("3h"))).unwrap();
        let w = s.window_after(ms("2026-01-01T10:30:00Z")).unwrap();
        assert_eq!(w.end_ms - w.start_ms, 3 * HOUR_MS);
    }

    #[test]
    fn cron_uses_aws_fields_with_day_of_week_one_as_sunday() {
        // 02:00 UTC every Sunday.
        let s = Schedule::parse(&rules(None, Some("cron(0 2 ? * 1 *)"), Some("2h"))).unwrap();
        // 2026-01-01 is a Thursday; the next Sunday is 2026-01-04.
        let w = s.window_after(ms("2026-01-01T00:00:00Z")).unwrap();
        assert_eq!(w.start_ms, ms("2026-01-04T02:00:00Z"));
        assert_eq!(w.end_ms, ms("2026-01-04T04:00:00Z"));
    }

    #[test]
    fn cron_at_a_fixed_hour_keeps_its_window_open_to_the_end_of_the_utc_day() {
        let s = Schedule::parse(&rules(None, Some("cron(0 16 1 * ? *)"), None)).unwrap();
        let w = s.window_after(ms("2026-03-05T00:00:00Z")).unwrap();
        assert_eq!(w.start_ms, ms("2026-04-01T16:00:00Z"));
        assert_eq!(w.end_ms, ms("2026-04-02T00:00:00Z"));
    }

    #[test]
    fn a_missed_window_moves_to_the_next_one_not_yet_closed() {
        let s = Schedule::parse(&rules(Some(1), None, Some("2h"))).unwrap();
        let last = ms("2026-01-01T12:00:00Z");
        // The due window (Jan 2, 00:00-02:00) passed while asleep; at 05:00 the next is Jan 3.
        let w = s.next_window(last, ms("2026-01-02T05:00:00Z")).unwrap();
        assert_eq!(w.start_ms, ms("2026-01-03T00:00:00Z"));
        // Inside the due window it is that one.
        let w = s.next_window(last, ms("2026-01-02T01:00:00Z")).unwrap();
        assert_eq!(w.start_ms, ms("2026-01-02T00:00:00Z"));
        assert!(w.contains(ms("2026-01-02T01:00:00Z")));
    }

    #[test]
    fn a_rate_in_hours_starts_again_at_midnight() {
        // rate(5 hours): 00, 05, 10, 15, 20, then 00 the next day.
        let s = Schedule::parse(&rules(None, Some("rate(5 hours)"), None)).unwrap();
        let w = s.window_after(ms("2026-01-01T21:00:00Z")).unwrap();
        assert_eq!(w.start_ms, ms("2026-01-02T00:00:00Z"));
    }

    /// AWS's documented examples, each with the windows it must open after 2026-01-01
    /// (a Thursday).
    #[test]
    fn aws_documented_schedule_examples_fire_when_they_should() {
        let cases: [(&str, &[&str]); 9] = [
            (
                "rate(4 hours)",
                &["2026-01-01T04:00:00Z", "2026-01-01T08:00:00Z"],
            ),
            (
                "rate(1 day)",
                &["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"],
            ),
            (
                "rate(10 days)",
                &["2026-01-11T00:00:00Z", "2026-01-21T00:00:00Z"],
            ),
            (
                "cron(0 4/12 * * ? *)",
                &[
                    "2026-01-01T04:00:00Z",
                    "2026-01-01T16:00:00Z",
                    "2026-01-02T04:00:00Z",
                ],
            ),
            (
                "cron(0 16 1,15 * ? *)",
                &[
                    "2026-01-01T16:00:00Z",
                    "2026-01-15T16:00:00Z",
                    "2026-02-01T16:00:00Z",
                ],
            ),
            (
                "cron(0 8/8 * * ? *)",
                &["2026-01-01T08:00:00Z", "2026-01-01T16:00:00Z"],
            ),
            (
                "cron(0 16 L * ? *)",
                &["2026-01-31T16:00:00Z", "2026-02-28T16:00:00Z"],
            ),
            (
                "cron(0 0 ? * SUN#1 *)",
                &["2026-01-04T00:00:00Z", "2026-02-01T00:00:00Z"],
            ),
            (
                "cron(0 10 ? * MON-FRI *)",
                &[
                    "2026-01-01T10:00:00Z",
                    "2026-01-02T10:00:00Z",
                    "2026-01-05T10:00:00Z",
                ],
            ),
        ];
        for (expr, want) in cases {
            let s = Schedule::parse(&rules(None, Some(expr), None))
                .unwrap_or_else(|e| panic!("{expr}: {}", e.message));
            let got = s.preview(ms("2026-01-01T00:00:00Z"), want.len());
            let want: Vec<i64> = want.iter().map(|w| ms(w)).collect();
            assert_eq!(got, want, "{expr}");
        }
    }

    #[test]
    fn invalid_rules_are_refused_with_invalid_parameter() {
        for (days, expr, dur) in [
            (Some(0), None, None),
            (Some(1001), None, None),
            (Some(3), Some("rate(3 days)"), None),
            (None, Some("rate(2 hours)"), None),
            (None, Some("rate(0 days)"), None),
            (None, Some("rate(5 weeks)"), None),
            (None, Some("cron(0 * * * ? *)"), None),
            (None, Some("cron(30 2 * * ? *)"), None),
            (None, Some("cron(0 2 * * ? 2027)"), None),
            (None, Some("rate(24 hours)"), None),
            (None, Some("cron(0 22 * * ? *)"), Some("4h")),
            (None, Some("cron(0 2 * * * *)"), None),
            (None, Some("cron(0 2 ? * 1)"), None),
            (None, Some("every day"), None),
            (None, Some("rate(4 hours)"), Some("5h")),
            (Some(1), None, Some("25h")),
            (Some(1), None, Some("0h")),
            (Some(1), None, Some("3")),
            (None, None, None),
        ] {
            let e = Schedule::parse(&rules(days, expr, dur)).unwrap_err();
            assert_eq!(
                e.code,
                crate::ErrorCode::InvalidParameter,
                "{days:?} {expr:?} {dur:?}"
            );
        }
    }

    #[test]
    fn preview_lists_the_next_window_starts() {
        let s = Schedule::parse(&rules(None, Some("rate(10 days)"), None)).unwrap();
        let p = s.preview(ms("2026-01-01T08:00:00Z"), 3);
        assert_eq!(
            p,
            vec![
                ms("2026-01-11T00:00:00Z"),
                ms("2026-01-21T00:00:00Z"),
                ms("2026-01-31T00:00:00Z")
            ]
        );
    }

    #[test]
    fn upcoming_starts_at_the_secrets_next_rotation_date() {
        let r = rules(None, Some("rate(10 days)"), None);
        let next = ms("2026-01-05T00:00:00Z");
        assert_eq!(
            Schedule::upcoming(next, &r, 3),
            vec![next, ms("2026-01-15T00:00:00Z"), ms("2026-01-25T00:00:00Z")]
        );
        assert!(Schedule::upcoming(next, &r, 0).is_empty());
    }
}
