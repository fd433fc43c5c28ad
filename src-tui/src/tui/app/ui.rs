//! Drawing: a pure function of the state (`impl Widget for &App`), one region at a time.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{App, Screen};
use crate::tui::keymap::hints_for;
use crate::tui::layout;
use crate::tui::popups;

const SCREENS: [(Screen, &str); 6] = [
    (Screen::Secrets, "1 Secrets"),
    (Screen::Deletions, "2 Deletions"),
    (Screen::Audit, "3 Audit"),
    (Screen::Principals, "4 Principals"),
    (Screen::Approvals, "5 Approvals"),
    (Screen::Health, "6 Health"),
];

/// The counts the header's screen names carry: rotations waiting for approval, findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Badges {
    pub pending: usize,
    pub findings: usize,
}

impl Badges {
    pub fn of(app: &App) -> Self {
        Self {
            pending: app.approvals.rows.len(),
            findings: app.health.count(),
        }
    }

    fn of_screen(self, screen: Screen) -> usize {
        match screen {
            Screen::Approvals => self.pending,
            Screen::Health => self.findings,
            _ => 0,
        }
    }
}

/// A screen's name on the header line; Approvals and Health carry their counts. On a
/// terminal too narrow for every name with its key, the keys are left out.
fn screen_name(screen: Screen, name: &str, badges: Badges, narrow: bool) -> String {
    let name = if narrow {
        name.split_once(' ').map_or(name, |(_, n)| n)
    } else {
        name
    };
    match badges.of_screen(screen) {
        0 => name.to_string(),
        n => format!("{name} ({n})"),
    }
}

/// Whether the screens' names with their keys do not fit on the header line.
fn narrow(area: Rect, badges: Badges) -> bool {
    let full: usize = SCREENS
        .iter()
        .map(|(s, name)| screen_name(*s, name, badges, false).chars().count() + 3)
        .sum();
    8 + full > area.width as usize
}

/// Where each screen's name is on the header line (for clicks).
pub fn header_tabs(area: Rect, badges: Badges) -> Vec<(Screen, u16, u16)> {
    let mut x = area.x + 8;
    let narrow = narrow(area, badges);
    SCREENS
        .iter()
        .map(|(s, name)| {
            let w = screen_name(*s, name, badges, narrow).chars().count() as u16 + 2;
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
        if self.sh.session.is_none() {
            self.unlock.render(&self.sh, a.body, buf);
        } else {
            match self.sh.screen {
                Screen::Secrets => self.secrets.render(&self.sh, &self.health, a.body, buf),
                Screen::Detail => {
                    if let Some(d) = &self.detail {
                        d.render(&self.sh, a.body, buf);
                    }
                }
                Screen::Deletions => self.deletions.render(&self.sh, a.body, buf),
                Screen::Audit => self.audit.render(&self.sh, a.body, buf),
                Screen::Principals => self.principals.render(&self.sh, a.body, buf),
                Screen::Approvals => self.approvals.render(&self.sh, a.body, buf),
                Screen::Health => self.health.render(&self.sh, a.body, buf),
            }
        }
        if let Some(p) = &self.sh.popup {
            let suggestions = match p {
                popups::Popup::Palette(p) => self.suggestions(&p.input),
                _ => vec![],
            };
            popups::render(p, self.sh.theme, self.sh.now_ms, &suggestions, a.body, buf);
        }
        status(self, a.status, buf);
        hints(self, a.hints, buf);
    }
}

fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.sh.theme;
    let mut spans = vec![Span::styled(" Coffer ", t.key()), Span::raw(" ")];
    if let Some(s) = &app.sh.session {
        let current = if app.sh.screen == Screen::Detail {
            Screen::Secrets
        } else {
            app.sh.screen
        };
        let badges = Badges::of(app);
        let narrow = narrow(area, badges);
        for (screen, name) in SCREENS {
            let style = if screen == current {
                t.active_tab()
            } else if badges.of_screen(screen) > 0 {
                t.label()
            } else {
                t.base()
            };
            spans.push(Span::styled(
                format!(" {} ", screen_name(screen, name, badges, narrow)),
                style,
            ));
            spans.push(Span::raw(" "));
        }
        if app.sh.read_only {
            spans.push(Span::styled(" READ-ONLY ", t.danger()));
        }
        if let Some(c) = &app.sh.copied {
            let left = ((c.clear_at_ms - app.sh.now_ms).max(0) + 999) / 1000;
            spans.push(Span::styled(
                format!(" clipboard clears in {left}s "),
                t.label(),
            ));
        }
        spans.extend(running_badge(app));
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let who = format!(" {}@{} {}", s.operator, s.account, s.region);
        let short = format!(" {}@{}", s.operator, s.account);
        let room = (area.width as usize).saturating_sub(used);
        if who.chars().count() <= room {
            spans.push(Span::styled(who, t.dim()));
        } else if short.chars().count() <= room {
            spans.push(Span::styled(short, t.dim()));
        } else if s.operator.chars().count() < room {
            spans.push(Span::styled(format!(" {}", s.operator), t.dim()));
        }
    } else {
        spans.push(Span::styled("locked", t.dim()));
        if app.sh.read_only {
            spans.push(Span::styled(" READ-ONLY ", t.danger()));
        }
        spans.push(Span::raw(" "));
        spans.extend(running_badge(app));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// What else runs on this vault (session agent, endpoints), when anything does.
fn running_badge(app: &App) -> Option<Span<'static>> {
    let text = crate::tui::running::badge(&app.sh.running, app.sh.via_session)?;
    Some(Span::styled(format!(" {text} "), app.sh.theme.label()))
}

fn status(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.sh.theme;
    let line = if let Some((what, since)) = &app.sh.busy {
        let secs = (app.sh.now_ms - since).max(0) / 1000;
        const SPIN: [&str; 4] = ["|", "/", "-", "\\"];
        let frame = SPIN[((app.sh.now_ms / 250).rem_euclid(4)) as usize];
        Line::styled(format!(" {frame} {what}… {secs}s"), t.title())
    } else if let Some(s) = &app.sh.status {
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
    let t = app.sh.theme;
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
