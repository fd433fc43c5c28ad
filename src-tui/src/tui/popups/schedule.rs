//! The rotation schedule dialog: days, or a `rate()`/`cron()` expression, and an optional
//! window Duration, checked as they are typed (the core's own parser) with the next run
//! times shown before anything is saved.

use coffer_core::api::RotationRules;
use coffer_core::rotation::schedule::Schedule;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use crate::tui::format;
use crate::tui::layout;
use crate::tui::theme::Theme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleForm {
    pub arn: String,
    pub name: String,
    /// The function chosen in this dialog's flow (`None`: keep the secret's).
    pub function_arn: Option<String>,
    /// A number of days, or `rate(...)` / `cron(...)`.
    pub every: String,
    pub duration: String,
    /// 0: the schedule, 1: the duration.
    pub field: usize,
}

impl ScheduleForm {
    pub fn new(
        arn: String,
        name: String,
        function_arn: Option<String>,
        rules: Option<&RotationRules>,
    ) -> Self {
        let every = match rules {
            Some(RotationRules {
                automatically_after_days: Some(d),
                ..
            }) => d.to_string(),
            Some(RotationRules {
                schedule_expression: Some(e),
                ..
            }) => e.clone(),
            _ => "30".into(),
        };
        Self {
            arn,
            name,
            function_arn,
            every,
            duration: rules.and_then(|r| r.duration.clone()).unwrap_or_default(),
            field: 0,
        }
    }

    /// The rules as typed: a bare number is `AutomaticallyAfterDays`.
    pub fn rules(&self) -> RotationRules {
        let every = self.every.trim();
        let duration = Some(self.duration.trim().to_string()).filter(|d| !d.is_empty());
        match every.parse::<i64>() {
            Ok(days) => RotationRules {
                automatically_after_days: Some(days),
                schedule_expression: None,
                duration,
            },
            Err(_) => RotationRules {
                automatically_after_days: None,
                schedule_expression: Some(every.to_string()),
                duration,
            },
        }
    }

    /// The next window starts after `now_ms` (as many as the consoles preview), or why the
    /// rules are not valid.
    pub fn check(&self, now_ms: i64) -> Result<Vec<i64>, String> {
        Schedule::parse(&self.rules())
            .map(|s| s.preview(now_ms, Schedule::PREVIEW_WINDOWS))
            .map_err(|e| e.message)
    }

    pub fn field_mut(&mut self) -> &mut String {
        if self.field == 0 {
            &mut self.every
        } else {
            &mut self.duration
        }
    }

    pub fn push(&mut self, c: char) {
        self.field_mut().push(c);
    }

    pub fn render(&self, t: Theme, now_ms: i64, area: Rect, buf: &mut Buffer) {
        let width = 76.min(area.width);
        let field = |label: &str, value: &str, on: bool| {
            let mut spans = vec![
                Span::styled(format!(" {label:<10}"), t.title()),
                Span::styled(if on { "> " } else { "  " }, t.title()),
                Span::raw(value.to_string()),
            ];
            if on {
                spans.push(Span::styled("▏", t.title()));
            }
            Line::from(spans)
        };
        let mut lines = vec![
            Line::raw(format!(" When does {} rotate?", self.name)),
            Line::styled(
                " Days (1–1000), rate(10 days), rate(12 hours), cron(0 4 ? * SUN *); UTC",
                t.dim(),
            ),
            Line::raw(""),
            field("Schedule", &self.every, self.field == 0),
            field("Duration", &self.duration, self.field == 1),
            Line::styled(
                "            the window to rotate in, 1h–24h (empty: until the day ends)",
                t.dim(),
            ),
            Line::raw(""),
        ];
        match self.check(now_ms) {
            Ok(next) => {
                lines.push(Line::styled(" ✓ Next runs (UTC):", t.ok()));
                for ms in next {
                    lines.push(Line::raw(format!(
                        "   {}  (in {})",
                        format::minute_ms(ms),
                        format::span(ms - now_ms)
                    )));
                }
            }
            Err(e) => lines.push(Line::styled(format!(" ✗ {e}"), t.danger())),
        }
        if let Some(f) = &self.function_arn {
            lines.push(Line::raw(""));
            lines.push(Line::raw(format!(
                " Rotation function: {}",
                format::function_name(f)
            )));
        }
        let inner = width.saturating_sub(2).max(1);
        let rows: u16 = lines
            .iter()
            .map(|l| (l.width() as u16).max(1).div_ceil(inner))
            .sum();
        let r = layout::centered(area, width, rows + 2);
        Clear.render(r, buf);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(Span::styled(
                " Rotation schedule — Enter saves (it does not rotate now) ",
                t.title(),
            )))
            .render(r, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;
    use crate::tui::action::{Cmd, Effect, Request};
    use crate::tui::app::App;
    use crate::tui::popups::Popup;
    use crate::tui::theme::Theme;

    fn app(every: &str) -> App {
        let mut a = App::new("v.db".into(), None, false, 1, Theme { color: false });
        a.update(Action::Tick {
            now_ms: 1_736_935_200_000,
        });
        let mut f = ScheduleForm::new("arn".into(), "db".into(), None, None);
        f.every = every.into();
        a.sh.popup = Some(Popup::Schedule(f));
        a
    }

    #[test]
    fn a_bare_number_is_days_and_an_expression_is_kept_as_written() {
        let mut f = ScheduleForm::new("a".into(), "n".into(), None, None);
        assert_eq!(f.rules().automatically_after_days, Some(30));
        f.every = "rate(12 hours)".into();
        f.duration = "2h".into();
        let r = f.rules();
        assert_eq!(r.schedule_expression.as_deref(), Some("rate(12 hours)"));
        assert_eq!(r.duration.as_deref(), Some("2h"));
        assert_eq!(f.check(0).unwrap().len(), Schedule::PREVIEW_WINDOWS);
    }

    #[test]
    fn an_invalid_schedule_is_refused_and_the_dialog_stays_open() {
        let mut a = app("rate(1 hours)");
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        assert!(a.sh.status.as_ref().unwrap().error);
        assert!(matches!(a.sh.popup, Some(Popup::Schedule(_))));
    }

    #[test]
    fn typing_goes_to_the_field_in_focus_and_enter_saves_without_rotating() {
        let mut a = app("");
        for c in "7".chars() {
            a.update(Action::Char(c));
        }
        a.update(Action::Key(Cmd::Down));
        for c in "3h".chars() {
            a.update(Action::Char(c));
        }
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::PutSchedule { rules, function_arn: None, .. })]
                if rules.automatically_after_days == Some(7) && rules.duration.as_deref() == Some("3h")
        ));
        assert!(a.sh.popup.is_none());
    }
}
