//! Clicks and the wheel, mapped onto what was drawn there (the layout is shared with the
//! renderer).

use super::ui::header_tabs;
use super::{App, Screen};
use crate::tui::action::{Cmd, Effect};
use crate::tui::layout::{self, hit};
use crate::tui::screens::approvals::approvals_offset;
use crate::tui::screens::detail::Tab;
use crate::tui::screens::detail_rotation_view;
use crate::tui::screens::detail_view::tab_spans;

impl App {
    pub(crate) fn click(&mut self, column: u16, row: u16) -> Vec<Effect> {
        if self.sh.session.is_none() || self.sh.popup.is_some() {
            return vec![];
        }
        let areas = layout::areas(self.sh.area());
        if hit(areas.header, column, row) {
            return match header_tabs(areas.header, super::ui::Badges::of(self))
                .into_iter()
                .find(|(_, x0, x1)| column >= *x0 && column < *x1)
            {
                Some((screen, _, _)) => self.go(screen),
                None => vec![],
            };
        }
        let body = areas.body;
        match self.sh.screen {
            Screen::Secrets => {
                let (_, table) = layout::info_and_table(body);
                let Some(i) = row_at(table, row).map(|r| r + self.secrets.scroll) else {
                    return vec![];
                };
                if i >= self.secrets.len() {
                    return vec![];
                }
                if i == self.secrets.selected {
                    return self.secrets.key(&mut self.sh, Cmd::Open);
                }
                self.secrets.selected = i;
                self.secrets.fetch(&mut self.sh, false)
            }
            Screen::Deletions => {
                let (_, table) = layout::info_and_table(body);
                let Some(i) = row_at(table, row).map(|r| r + self.deletions.scroll) else {
                    return vec![];
                };
                if i < self.deletions.total {
                    self.deletions.selected = i;
                }
                vec![]
            }
            Screen::Audit => {
                let (_, list, side) = layout::audit(body);
                if hit(side, column, row) {
                    self.audit.side_focus = true;
                    return vec![];
                }
                if let Some(r) = row_at(list, row) {
                    let i = r + self.audit.scroll;
                    if i < self.audit.events.len() {
                        self.audit.selected = i;
                        self.audit.side_focus = false;
                        self.audit.side_scroll = 0;
                    }
                }
                vec![]
            }
            Screen::Health => self.health.click(&mut self.sh, row),
            Screen::Approvals => {
                let (_, table, _) =
                    layout::approvals(body, self.approvals.background_lines(&self.sh));
                let a = &mut self.approvals;
                if let Some(r) = row_at(table, row) {
                    let i = approvals_offset(a.selected, table) + r;
                    if i < a.rows.len() {
                        a.selected = i;
                    }
                }
                vec![]
            }
            Screen::Principals => {
                let (_, list, detail) = layout::principals(body);
                let p = &mut self.principals;
                if hit(detail, column, row) {
                    p.key_focus = p.principal().is_some_and(|r| !r.keys.is_empty());
                    return vec![];
                }
                if !p.loaded || !hit(list, column, row) {
                    return vec![];
                }
                let top = layout::scroll_to(p.selected, list.height);
                let i = top + (row - list.y) as usize;
                if i < p.entries().len() {
                    return self.principals.select(i);
                }
                vec![]
            }
            Screen::Detail => {
                let (_, tabs, content) = layout::detail(body);
                if hit(tabs, column, row) {
                    return match tab_spans(tabs)
                        .into_iter()
                        .find(|(_, x0, x1)| column >= *x0 && column < *x1)
                    {
                        Some((tab, _, _)) => self.select_tab(tab),
                        None => vec![],
                    };
                }
                if self.detail.as_ref().is_some_and(|d| d.tab == Tab::Access) {
                    return self.access_click(content, column, row);
                }
                if let Some(d) = self.detail.as_mut().filter(|d| d.tab == Tab::Rotation) {
                    let (_, history, _) = detail_rotation_view::areas(content, d.attempts().len());
                    if let Some(r) = row_at(history, row)
                        .map(|r| r + detail_rotation_view::history_offset(d.attempt_sel, history))
                        && r < d.attempts().len()
                    {
                        d.attempt_sel = r;
                        d.steps_scroll = 0;
                    }
                    return vec![];
                }
                let Some(r) = row_at(content, row) else {
                    return vec![];
                };
                if let Some(d) = self.detail.as_mut() {
                    match d.tab {
                        Tab::Versions if r < d.versions().len() => d.version_sel = r,
                        Tab::Tags => d.tag_sel = r,
                        Tab::Activity if r < d.activity.len() => d.activity_sel = r,
                        Tab::Value => d.value_sel = r.saturating_sub(1),
                        _ => {}
                    }
                }
                vec![]
            }
        }
    }

    pub(crate) fn wheel(&mut self, down: bool, column: u16, row: u16) -> Vec<Effect> {
        if self.sh.session.is_none() {
            return vec![];
        }
        if self.sh.screen == Screen::Audit && self.sh.popup.is_none() {
            let (_, _, side) = layout::audit(self.sh.body());
            self.audit.side_focus = hit(side, column, row);
        }
        let cmd = if down { Cmd::Down } else { Cmd::Up };
        let mut out = vec![];
        for _ in 0..3 {
            out.extend(self.update(crate::tui::action::Action::Key(cmd)));
        }
        out
    }
}

impl App {
    /// A click on the Access tab selects a principal or one of its actions.
    fn access_click(
        &mut self,
        content: ratatui::layout::Rect,
        column: u16,
        row: u16,
    ) -> Vec<Effect> {
        let (principals, actions, _) = layout::access(content);
        let Some(d) = self.detail.as_mut() else {
            return vec![];
        };
        if hit(principals, column, row)
            && let Some(r) = row_at(principals, row)
            && r < d.access_principals().len()
        {
            d.access_principal = r;
            d.access_on_actions = false;
            let n = d.selected_principal().map_or(0, |p| p.decisions.len());
            d.access_action = d.access_action.min(n.saturating_sub(1));
        } else if hit(actions, column, row)
            && let Some(r) = row_at(actions, row)
            && d.selected_principal()
                .is_some_and(|p| r < p.decisions.len())
        {
            d.access_action = r;
            d.access_on_actions = true;
        }
        vec![]
    }
}

/// The data row (0-based) a screen row falls on in a table whose first line is its header.
fn row_at(table: ratatui::layout::Rect, row: u16) -> Option<usize> {
    (row > table.y && row < table.y + table.height).then(|| (row - table.y - 1) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{Action, Loaded, Request};
    use crate::tui::app::Session;
    use crate::tui::theme::Theme;
    use coffer_core::vault::SecretSummary;

    fn app() -> App {
        let mut a = App::new("v".into(), None, false, 300_000, Theme { color: false });
        a.sh.session = Some(Session {
            operator: "admin".into(),
            account: "1".into(),
            region: "us-east-1".into(),
            principal_arn: "arn:aws:iam::1:user/admin".into(),
        });
        let fx = a.secrets.refresh(&mut a.sh, true);
        let Some(Effect::Send(Request::Secrets { seq, .. })) = fx.first() else {
            panic!()
        };
        let rows = (0..30)
            .map(|i| {
                (
                    i,
                    SecretSummary {
                        arn: format!("arn{i}"),
                        name: format!("s{i}"),
                        description: None,
                        created_date: 0.0,
                        last_changed_date: 0.0,
                        last_accessed_date: None,
                        deleted_date: None,
                        deletion_date: None,
                        tags: vec![],
                        version_count: 1,
                        kms_key_id: None,
                        next_rotation_date: None,
                    },
                )
            })
            .collect();
        a.update(Action::loaded(Loaded::Secrets {
            seq: *seq,
            total: 30,
            rows,
        }));
        a
    }

    #[test]
    fn a_click_selects_a_row_and_a_second_click_opens_it() {
        let mut a = app();
        // Header line 0, info line 1, table header line 2, first row line 3.
        a.update(Action::Click { column: 5, row: 5 });
        assert_eq!(a.secrets.selected, 2);
        let fx = a.update(Action::Click { column: 5, row: 5 });
        assert_eq!(a.sh.screen, Screen::Detail);
        assert!(matches!(&fx[..], [Effect::Send(Request::Detail { arn, .. })] if arn == "arn2"));
    }

    #[test]
    fn the_wheel_scrolls_three_rows_and_the_header_switches_screens() {
        let mut a = app();
        a.update(Action::Wheel {
            down: true,
            column: 5,
            row: 10,
        });
        assert_eq!(a.secrets.selected, 3);
        let (_, x0, _) = header_tabs(layout::areas(a.sh.area()).header, Default::default())[2];
        a.update(Action::Click {
            column: x0 + 1,
            row: 0,
        });
        assert_eq!(a.sh.screen, Screen::Audit);
    }
}
