//! Drawing: a pure function of the state (`impl Widget for &App`), one region at a time.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::app::{App, Screen};
use super::keymap::hints_for;
use super::layout;
use super::popups;
use super::screens::{audit_view, deletions, detail_view, principals_view, secrets, unlock};

const SCREENS: [(Screen, &str); 4] = [
    (Screen::Secrets, "1 Secrets"),
    (Screen::Deletions, "2 Deletions"),
    (Screen::Audit, "3 Audit"),
    (Screen::Principals, "4 Principals"),
];

/// Where each screen's name is on the header line (for clicks).
pub fn header_tabs(area: Rect) -> Vec<(Screen, u16, u16)> {
    let mut x = area.x + 8;
    SCREENS
        .iter()
        .map(|(s, name)| {
            let w = name.chars().count() as u16 + 2;
            let r = (*s, x, x + w);
            x += w + 1;
            r
        })
        .collect()
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let a = layout::areas(area);
        header(self, a.header, buf);
        if self.session.is_none() {
            unlock::render(self, a.body, buf);
        } else {
            match self.screen {
                Screen::Secrets => secrets::render(self, a.body, buf),
                Screen::Detail => detail_view::render(self, a.body, buf),
                Screen::Deletions => deletions::render(self, a.body, buf),
                Screen::Audit => audit_view::render(self, a.body, buf),
                Screen::Principals => principals_view::render(self, a.body, buf),
            }
        }
        popups::render(self, a.body, buf);
        status(self, a.status, buf);
        hints(self, a.hints, buf);
    }
}

fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let mut spans = vec![Span::styled(" Coffer ", t.key()), Span::raw(" ")];
    if let Some(s) = &app.session {
        let current = if app.screen == Screen::Detail {
            Screen::Secrets
        } else {
            app.screen
        };
        for ((screen, name), _) in SCREENS.iter().zip(header_tabs(area)) {
            let style = if *screen == current {
                t.active_tab()
            } else {
                t.base()
            };
            spans.push(Span::styled(format!(" {name} "), style));
            spans.push(Span::raw(" "));
        }
        if app.read_only {
            spans.push(Span::styled(" READ-ONLY ", t.danger()));
        }
        if let Some(c) = &app.copied {
            let left = ((c.clear_at_ms - app.now_ms).max(0) + 999) / 1000;
            spans.push(Span::styled(
                format!(" clipboard clears in {left}s "),
                t.label(),
            ));
        }
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let who = format!(" {}@{} {}", s.operator, s.account, s.region);
        let who = if used + who.chars().count() > area.width as usize {
            format!(" {}@{}", s.operator, s.account)
        } else {
            who
        };
        spans.push(Span::styled(who, t.dim()));
    } else {
        spans.push(Span::styled("locked", t.dim()));
        if app.read_only {
            spans.push(Span::styled(" READ-ONLY ", t.danger()));
        }
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

fn status(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let line = if let Some((what, since)) = &app.busy {
        let secs = (app.now_ms - since).max(0) / 1000;
        const SPIN: [&str; 4] = ["|", "/", "-", "\\"];
        let frame = SPIN[((app.now_ms / 250).rem_euclid(4)) as usize];
        Line::styled(format!(" {frame} {what}… {secs}s"), t.title())
    } else if let Some(s) = &app.status {
        Line::styled(
            format!(" {}", s.text),
            if s.error { t.danger() } else { t.base() },
        )
    } else {
        Line::raw("")
    };
    Paragraph::new(line).render(area, buf);
}

fn hints(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let all = hints_for(app.ctx());
    let width = |k: &str, h: &str| k.chars().count() + h.chars().count() + 3;
    let globals: usize = all
        .iter()
        .filter(|x| x.2)
        .map(|(k, h, _)| width(k, h))
        .sum();
    let mut budget = (area.width as usize).saturating_sub(globals);
    let mut spans = vec![];
    for (key, help, global) in &all {
        if !global {
            if width(key, help) > budget {
                continue;
            }
            budget -= width(key, help);
        }
        spans.push(Span::styled(format!(" {key} "), t.key()));
        spans.push(Span::raw(format!("{help} ")));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}
