//! The secrets list: virtualized (only the rows on screen are read from the core), filtered
//! as you type, sorted by any column the core sorts by, optionally grouped by name prefix.
//!
//! **Why this file is long:** about a quarter of it is its tests; the rest is one screen
//! (virtualized rows, filter, sort, groups).

use std::collections::{BTreeSet, HashMap};

use coffer_core::vault::{SecretQuery, SecretSummary, SortBy};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget};

use super::health;
use crate::tui::action::{Cmd, Effect, Request, Run};
use crate::tui::format;
use crate::tui::layout;
use crate::tui::popups::{Input, InputFor, Popup};
use crate::tui::shell::{Nav, Shell};
use health::HealthState;

/// One line of the list: a group header or a secret (by its offset in the core's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Header(usize),
    Row(usize),
}

#[derive(Debug)]
pub struct SecretsState {
    pub filter: String,
    pub editing: bool,
    pub sort: SortBy,
    pub descending: bool,
    pub include_deleted: bool,
    pub grouped: bool,
    pub runs: Vec<Run>,
    pub folded: BTreeSet<String>,
    pub items: Vec<Item>,
    pub total: usize,
    /// The loaded rows, by offset in the core's order.
    pub rows: HashMap<usize, SecretSummary>,
    pub selected: usize,
    pub scroll: usize,
    /// The secret to keep selected when the rows come back from a refresh.
    pub keep_arn: Option<String>,
    pub want: u64,
    pub want_groups: u64,
    pub requested: Vec<(usize, usize)>,
    pub loading: bool,
}

impl Default for SecretsState {
    fn default() -> Self {
        Self {
            filter: String::new(),
            editing: false,
            sort: SortBy::Name,
            descending: false,
            include_deleted: false,
            grouped: false,
            runs: vec![],
            folded: BTreeSet::new(),
            items: vec![],
            total: 0,
            rows: HashMap::new(),
            selected: 0,
            scroll: 0,
            keep_arn: None,
            want: 0,
            want_groups: 0,
            requested: vec![],
            loading: false,
        }
    }
}

/// The sort order `s` steps through.
const SORTS: [SortBy; 7] = [
    SortBy::Name,
    SortBy::Description,
    SortBy::LastChanged,
    SortBy::LastAccessed,
    SortBy::Tags,
    SortBy::Created,
    SortBy::Deletion,
];

pub fn sort_name(s: SortBy) -> &'static str {
    match s {
        SortBy::Name => "name",
        SortBy::LastChanged => "last changed",
        SortBy::LastAccessed => "last accessed",
        SortBy::Created => "created",
        SortBy::Deletion => "deletion date",
        SortBy::Description => "description",
        SortBy::Tags => "tags",
    }
}

impl SecretsState {
    pub fn len(&self) -> usize {
        if self.grouped {
            self.items.len()
        } else {
            self.total
        }
    }

    pub fn item(&self, i: usize) -> Option<Item> {
        if self.grouped {
            self.items.get(i).copied()
        } else if i < self.total {
            Some(Item::Row(i))
        } else {
            None
        }
    }

    pub fn query(&self) -> SecretQuery {
        SecretQuery {
            text: self.filter.clone(),
            sort_by: if self.grouped {
                SortBy::Name
            } else {
                self.sort
            },
            descending: !self.grouped && self.descending,
            include_deleted: self.include_deleted,
            ..SecretQuery::default()
        }
    }

    pub fn selected_row(&self) -> Option<&SecretSummary> {
        match self.item(self.selected)? {
            Item::Row(abs) => self.rows.get(&abs),
            Item::Header(_) => None,
        }
    }

    fn rebuild_items(&mut self) {
        self.items.clear();
        for (i, run) in self.runs.iter().enumerate() {
            match &run.prefix {
                Some(p) => {
                    self.items.push(Item::Header(i));
                    if !self.folded.contains(p) {
                        self.items
                            .extend((run.start..run.start + run.count).map(Item::Row));
                    }
                }
                None => self.items.push(Item::Row(run.start)),
            }
        }
        self.total = self.runs.iter().map(|r| r.count).sum();
    }

    fn clamp(&mut self, rows: usize) {
        let len = self.len();
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.scroll {
            self.scroll = self.selected;
        } else if self.selected >= self.scroll + rows {
            self.scroll = self.selected + 1 - rows;
        }
        self.scroll = self.scroll.min(len.saturating_sub(rows.min(len)));
    }

    /// Offsets the rows around the visible window need, merged into ranges.
    fn ranges(&self, rows: usize) -> Vec<(usize, usize)> {
        let from = self.scroll.saturating_sub(rows);
        let to = (self.scroll + 2 * rows).min(self.len());
        let mut out: Vec<(usize, usize)> = vec![];
        for i in from..to {
            if let Some(Item::Row(abs)) = self.item(i) {
                match out.last_mut() {
                    Some((start, len)) if *start + *len == abs => *len += 1,
                    _ => out.push((abs, 1)),
                }
            }
        }
        out
    }

    fn visible_loaded(&self, rows: usize) -> bool {
        let to = (self.scroll + rows).min(self.len());
        (self.scroll..to).all(|i| match self.item(i) {
            Some(Item::Row(abs)) => self.rows.contains_key(&abs),
            _ => true,
        })
    }
}

impl SecretsState {
    pub fn view_rows(&self, sh: &Shell) -> usize {
        let (_, table) = layout::info_and_table(sh.body());
        layout::table_rows(table)
    }

    /// Reads the rows around the window if some on screen are missing (or `force`).
    pub(crate) fn fetch(&mut self, sh: &mut Shell, force: bool) -> Vec<Effect> {
        let rows = self.view_rows(sh);
        let s = &mut *self;
        s.clamp(rows);
        if !force && s.visible_loaded(rows) {
            return vec![];
        }
        let ranges = if s.grouped || s.total > 0 || !force {
            s.ranges(rows)
        } else {
            vec![(0, 3 * rows)]
        };
        let ranges = if ranges.is_empty() {
            vec![(0, 3 * rows)]
        } else {
            ranges
        };
        if !force && s.loading && s.requested == ranges {
            return vec![];
        }
        let seq = sh.next_seq();
        let s = &mut *self;
        s.want = seq;
        s.loading = true;
        s.requested = ranges.clone();
        vec![Effect::Send(Request::Secrets {
            seq,
            query: s.query(),
            ranges,
        })]
    }

    /// Re-reads the list; `reset` for a new filter or order (back to the top), otherwise
    /// the selected secret stays selected.
    pub fn refresh(&mut self, sh: &mut Shell, reset: bool) -> Vec<Effect> {
        let s = &mut *self;
        if reset {
            s.selected = 0;
            s.scroll = 0;
            s.keep_arn = None;
        } else {
            s.keep_arn = s.selected_row().map(|r| r.arn.clone());
        }
        if s.grouped {
            let seq = sh.next_seq();
            self.want_groups = seq;
            self.loading = true;
            return vec![Effect::Send(Request::Groups {
                seq,
                query: self.query(),
            })];
        }
        self.fetch(sh, true)
    }

    pub(crate) fn loaded(
        &mut self,
        sh: &mut Shell,
        seq: u64,
        total: usize,
        rows: Vec<(usize, SecretSummary)>,
    ) -> Vec<Effect> {
        if seq != self.want {
            return vec![];
        }
        let view = self.view_rows(sh);
        let s = &mut *self;
        s.loading = false;
        if !s.grouped {
            s.total = total;
        }
        s.rows = rows.into_iter().collect();
        if let Some(arn) = s.keep_arn.take() {
            let found = s
                .rows
                .iter()
                .find(|(_, r)| r.arn == arn)
                .map(|(abs, _)| *abs);
            if let Some(abs) = found {
                let item = if s.grouped {
                    s.items.iter().position(|i| *i == Item::Row(abs))
                } else {
                    Some(abs)
                };
                if let Some(i) = item {
                    let rel = s.selected.saturating_sub(s.scroll);
                    s.selected = i;
                    s.scroll = i.saturating_sub(rel);
                }
            }
        }
        s.clamp(view);
        self.fetch(sh, false)
    }

    pub(crate) fn groups_loaded(
        &mut self,
        sh: &mut Shell,
        seq: u64,
        runs: Vec<Run>,
    ) -> Vec<Effect> {
        if seq != self.want_groups {
            return vec![];
        }
        self.runs = runs;
        self.rebuild_items();
        self.fetch(sh, true)
    }

    pub(crate) fn move_by(&mut self, sh: &mut Shell, delta: isize) -> Vec<Effect> {
        let len = self.len();
        if len == 0 {
            return vec![];
        }
        let s = &mut *self;
        s.selected = s.selected.saturating_add_signed(delta).min(len - 1);
        self.fetch(sh, false)
    }

    pub(crate) fn key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let page = self.view_rows(sh) as isize;
        if self.editing {
            return match cmd {
                Cmd::Submit => {
                    self.editing = false;
                    vec![]
                }
                Cmd::Cancel => {
                    self.editing = false;
                    self.filter.clear();
                    self.refresh(sh, true)
                }
                Cmd::Backspace => {
                    self.filter.pop();
                    self.refresh(sh, true)
                }
                _ => vec![],
            };
        }
        match cmd {
            Cmd::Up => self.move_by(sh, -1),
            Cmd::Down => self.move_by(sh, 1),
            Cmd::PageUp => self.move_by(sh, -page),
            Cmd::PageDown => self.move_by(sh, page),
            Cmd::Top => self.move_by(sh, isize::MIN / 2),
            Cmd::Bottom => self.move_by(sh, isize::MAX / 2),
            Cmd::Filter => {
                self.editing = true;
                vec![]
            }
            Cmd::Back => {
                if self.filter.is_empty() {
                    return vec![];
                }
                self.filter.clear();
                self.refresh(sh, true)
            }
            Cmd::Sort => {
                if self.grouped {
                    sh.info("The grouped view is sorted by name (p ungroups).");
                    return vec![];
                }
                let s = &mut *self;
                let i = SORTS.iter().position(|x| *x == s.sort).unwrap_or(0);
                let mut next = SORTS[(i + 1) % SORTS.len()];
                if next == SortBy::Deletion && !s.include_deleted {
                    next = SORTS[0];
                }
                s.sort = next;
                self.refresh(sh, true)
            }
            Cmd::ReverseSort => {
                self.descending = !self.descending;
                self.refresh(sh, true)
            }
            Cmd::ToggleDeleted => {
                let s = &mut *self;
                s.include_deleted = !s.include_deleted;
                if !s.include_deleted && s.sort == SortBy::Deletion {
                    s.sort = SortBy::Name;
                }
                self.refresh(sh, true)
            }
            Cmd::Group => {
                let s = &mut *self;
                s.grouped = !s.grouped;
                s.rows.clear();
                s.items.clear();
                s.runs.clear();
                s.total = 0;
                self.refresh(sh, true)
            }
            Cmd::Fold => self.fold(sh),
            Cmd::Open => match self.item(self.selected) {
                Some(Item::Header(_)) => self.fold(sh),
                Some(Item::Row(_)) => match self.selected_row() {
                    Some(r) => {
                        let (arn, name) = (r.arn.clone(), r.name.clone());
                        sh.go(Nav::OpenDetail { arn, name })
                    }
                    None => vec![],
                },
                None => vec![],
            },
            Cmd::Create => {
                sh.popup = Some(Popup::Input(Input::new(
                    "Create a secret",
                    vec!["The new secret's name (1–512 of A-Z a-z 0-9 / _ + = . @ -).".into()],
                    "",
                    false,
                    InputFor::CreateName,
                )));
                vec![]
            }
            Cmd::ScheduleDeletion => match self.selected_row() {
                Some(r) => {
                    let (arn, name) = (r.arn.clone(), r.name.clone());
                    sh.popup = Some(Popup::Input(Input::recovery_window(arn, name)));
                    vec![]
                }
                None => vec![],
            },
            Cmd::Restore => match self.selected_row() {
                Some(r) if r.deletion_date.is_some() => {
                    let arn = r.arn.clone();
                    sh.send(Request::Restore { arn })
                }
                Some(r) => {
                    let msg = format!("{} is not scheduled for deletion.", r.name);
                    sh.info(msg);
                    vec![]
                }
                None => vec![],
            },
            _ => vec![],
        }
    }

    fn fold(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let s = &mut *self;
        let Some(Item::Header(run)) = s.item(s.selected) else {
            return vec![];
        };
        let Some(prefix) = s.runs[run].prefix.clone() else {
            return vec![];
        };
        if !s.folded.remove(&prefix) {
            s.folded.insert(prefix);
        }
        s.rebuild_items();
        if let Some(i) = s.items.iter().position(|i| *i == Item::Header(run)) {
            s.selected = i;
        }
        self.fetch(sh, false)
    }
}

/// Which columns fit: (name, description, changed, accessed, rotates, deletion, tags).
fn columns(width: u16, deleted: bool) -> (Vec<&'static str>, Vec<Constraint>) {
    let mut names = vec!["Name"];
    let mut widths = vec![Constraint::Fill(3)];
    if width >= 120 {
        names.push("Description");
        widths.push(Constraint::Fill(3));
    }
    names.extend(["Health", "Changed", "Accessed", "Rotates"]);
    widths.extend([
        Constraint::Length(6),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(7),
    ]);
    if deleted {
        names.push("Deletion");
        widths.push(Constraint::Length(9));
    }
    names.push("Tags");
    widths.push(Constraint::Fill(2));
    (names, widths)
}

impl SecretsState {
    pub fn render(&self, sh: &Shell, health: &HealthState, area: Rect, buf: &mut Buffer) {
        let t = sh.theme;
        let s = self;
        let (info, table) = layout::info_and_table(area);
        let mut spans = vec![];
        if s.editing || !s.filter.is_empty() {
            spans.push(Span::styled("/ ", t.title()));
            spans.push(Span::raw(s.filter.clone()));
            if s.editing {
                spans.push(Span::styled("▏", t.title()));
            }
            spans.push(Span::raw("  "));
        }
        let order = if s.grouped {
            "grouped by prefix".to_string()
        } else {
            format!(
                "by {} {}",
                sort_name(s.sort),
                if s.descending { "↓" } else { "↑" }
            )
        };
        spans.push(Span::styled(
            format!(
                "{} secret{} · {}{}{}",
                s.total,
                if s.total == 1 { "" } else { "s" },
                order,
                if s.include_deleted {
                    " · with scheduled deletions"
                } else {
                    ""
                },
                if s.loading { " · loading…" } else { "" },
            ),
            t.dim(),
        ));
        Paragraph::new(Line::from(spans)).render(info, buf);

        let rows_n = layout::table_rows(table);
        let (names, widths) = columns(table.width, s.include_deleted);
        let header = Row::new(names.iter().map(|n| {
            let sorted = !s.grouped
                && matches!(
                    (*n, s.sort),
                    ("Name", SortBy::Name)
                        | ("Description", SortBy::Description)
                        | ("Tags", SortBy::Tags)
                        | ("Changed", SortBy::LastChanged)
                        | ("Accessed", SortBy::LastAccessed)
                        | ("Deletion", SortBy::Deletion)
                );
            let arrow = if sorted {
                if s.descending { "↓" } else { "↑" }
            } else {
                ""
            };
            Cell::from(format!("{n}{arrow}"))
        }))
        .style(t.header());
        let wide = table.width >= 120;
        let mut rows = vec![];
        for i in s.scroll..(s.scroll + rows_n).min(s.len()) {
            rows.push(match s.item(i) {
                Some(Item::Header(r)) => {
                    let run = &s.runs[r];
                    let p = run.prefix.clone().unwrap_or_default();
                    let mark = if s.folded.contains(&p) { "▸" } else { "▾" };
                    Row::new(vec![Cell::from(format!("{mark} {p} ({})", run.count))])
                        .style(t.title())
                }
                Some(Item::Row(abs)) => match s.rows.get(&abs) {
                    Some(r) => self.row(sh, health, r, wide),
                    None => Row::new(vec![Cell::from("…")]),
                },
                None => Row::new(vec![Cell::from("")]),
            });
        }
        let empty = rows.is_empty();
        let mut state =
            TableState::default().with_selected(Some(s.selected.saturating_sub(s.scroll)));
        StatefulWidget::render(
            Table::new(rows, widths)
                .header(header)
                .column_spacing(1)
                .row_highlight_style(t.selected())
                .highlight_symbol("▶ "),
            table,
            buf,
            &mut state,
        );
        if empty && !s.loading {
            let msg = if s.filter.is_empty() {
                "No secrets yet. Press n (or :create NAME) to create one."
            } else {
                "No secret matches the filter. Esc clears it."
            };
            Paragraph::new(Line::styled(msg, t.dim()))
                .render(Rect::new(table.x, table.y + 1, table.width, 1), buf);
        }
    }

    fn row(&self, sh: &Shell, health: &HealthState, r: &SecretSummary, wide: bool) -> Row<'static> {
        let t = sh.theme;
        let indent = if self.grouped && r.name.contains('/') {
            "  "
        } else {
            ""
        };
        let mut cells = vec![Cell::from(format!("{indent}{}", r.name))];
        if wide {
            cells.push(Cell::from(r.description.clone().unwrap_or_default()));
        }
        // The worst finding of the last health report about this secret (Health screen, 6).
        cells.push(match health.worst_for_secret(&r.arn) {
            Some(sev) => Cell::from(Span::styled(
                health::severity_short(sev),
                health::severity_style(t, sev),
            )),
            None => Cell::from(Span::styled("—", t.dim())),
        });
        cells.push(Cell::from(format::day(Some(r.last_changed_date))));
        cells.push(Cell::from(format::day(r.last_accessed_date)));
        cells.push(match r.next_rotation_date {
            // The window is open (or was missed while nothing ran): the engine takes it next.
            Some(d) if format::days_left(d, sh.now_ms) == 0 => {
                Cell::from(Span::styled("due", t.title()))
            }
            Some(d) => Cell::from(format!("in {}d", format::days_left(d, sh.now_ms))),
            None => Cell::from("—"),
        });
        if self.include_deleted {
            cells.push(match r.deletion_date {
                Some(d) => Cell::from(Span::styled(
                    format!("in {}d", format::days_left(d, sh.now_ms)),
                    t.danger(),
                )),
                None => Cell::from(""),
            });
        }
        cells.push(Cell::from(format::tags(&r.tags)));
        let row = Row::new(cells);
        if r.deletion_date.is_some() {
            row.style(t.dim())
        } else {
            row
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{Action, Loaded};
    use crate::tui::app::App;
    use crate::tui::app::Screen;

    fn row(i: usize) -> SecretSummary {
        SecretSummary {
            arn: format!("arn:aws:secretsmanager:us-east-1:1:secret:s{i}-abcdef"),
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
        }
    }

    fn app() -> App {
        crate::tui::testkit::unlocked_app()
    }

    /// Answers the last secrets request from a list of `n` secrets.
    fn answer(a: &mut App, fx: Vec<Effect>, n: usize) -> Vec<Effect> {
        let Some(Effect::Send(Request::Secrets { seq, ranges, .. })) = fx.into_iter().last() else {
            return vec![];
        };
        let rows = ranges
            .iter()
            .flat_map(|(o, l)| (*o..(*o + *l).min(n)).map(|i| (i, row(i))))
            .collect();
        a.update(Action::loaded(Loaded::Secrets {
            seq,
            total: n,
            rows,
        }))
    }

    #[test]
    fn the_rotates_column_counts_days_to_the_next_window_and_says_due_once_it_is_open() {
        const DAY: f64 = 86_400.0;
        let mut a = app();
        a.sh.now_ms = 20_000 * 86_400_000;
        let now = a.sh.now_ms as f64 / 1000.0;
        let fx = a.secrets.refresh(&mut a.sh, true);
        let Some(Effect::Send(Request::Secrets { seq, .. })) = fx.into_iter().last() else {
            panic!("no fetch")
        };
        let mut soon = row(0);
        soon.next_rotation_date = Some(now + 2.5 * DAY);
        let mut open = row(1);
        open.next_rotation_date = Some(now - 3600.0);
        a.update(Action::loaded(Loaded::Secrets {
            seq,
            total: 3,
            rows: vec![(0, soon), (1, open), (2, row(2))],
        }));
        let area = Rect::new(0, 0, 100, 12);
        let mut buf = Buffer::empty(area);
        a.secrets.render(&a.sh, &a.health, area, &mut buf);
        let line = |y: u16| {
            (0..area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        };
        let text: Vec<String> = (0..area.height).map(line).collect();
        let of = |name: &str| {
            text.iter()
                .find(|l| l.contains(&format!(" {name} ")))
                .unwrap_or_else(|| panic!("{name} is listed: {text:#?}"))
                .clone()
        };
        assert!(text.iter().any(|l| l.contains("Rotates")));
        assert!(of("s0").contains("in 3d"), "{}", of("s0"));
        assert!(of("s1").contains(" due "), "{}", of("s1"));
        assert!(!of("s2").contains("due") && !of("s2").contains("in "));
    }

    #[test]
    fn typing_a_filter_queries_from_the_top_with_the_text() {
        let mut a = app();
        a.update(Action::Key(Cmd::Filter));
        assert!(a.secrets.editing);
        let fx = a.update(Action::Char('p'));
        let fx2 = a.update(Action::Char('!'));
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Secrets { query, .. })] if query.text == "p")
        );
        assert!(
            matches!(&fx2[..], [Effect::Send(Request::Secrets { query, .. })] if query.text == "p!")
        );
        let fx = a.update(Action::Key(Cmd::Backspace));
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Secrets { query, .. })] if query.text == "p")
        );
        a.update(Action::Key(Cmd::Submit));
        assert!(!a.secrets.editing);
        assert_eq!(a.secrets.filter, "p");
        let fx = a.update(Action::Key(Cmd::Back));
        assert!(a.secrets.filter.is_empty());
        assert_eq!(fx.len(), 1);
    }

    #[test]
    fn only_the_window_is_read_and_scrolling_reads_more() {
        let mut a = app();
        let fx = a.secrets.refresh(&mut a.sh, true);
        let more = answer(&mut a, fx, 100_000);
        assert!(more.is_empty(), "the first window covers the screen");
        assert_eq!(a.secrets.total, 100_000);
        assert!(a.secrets.rows.len() <= 3 * a.secrets.view_rows(&a.sh));
        let fx = a.update(Action::Key(Cmd::Bottom));
        assert_eq!(a.secrets.selected, 99_999);
        let Some(Effect::Send(Request::Secrets { ranges, .. })) = fx.first() else {
            panic!("no fetch")
        };
        assert!(ranges[0].0 > 99_000);
        answer(&mut a, fx, 100_000);
        assert!(a.secrets.selected_row().is_some());
    }

    #[test]
    fn a_refresh_keeps_the_selected_secret_by_arn() {
        let mut a = app();
        let fx = a.secrets.refresh(&mut a.sh, true);
        answer(&mut a, fx, 50);
        a.update(Action::Key(Cmd::Down));
        a.update(Action::Key(Cmd::Down));
        let fx = a.update(Action::loaded(Loaded::Changed));
        assert_eq!(a.secrets.keep_arn.as_deref(), Some(row(2).arn.as_str()));
        // Another process created a secret before it: it moves down one row.
        let Some(Effect::Send(Request::Secrets { seq, .. })) = fx.into_iter().last() else {
            panic!()
        };
        let rows = (0..40).map(|i| (i + 1, row(i))).collect();
        a.update(Action::loaded(Loaded::Secrets {
            seq,
            total: 51,
            rows,
        }));
        assert_eq!(a.secrets.selected, 3);
        assert_eq!(a.secrets.selected_row().unwrap().name, "s2");
    }

    #[test]
    fn sort_cycles_and_reverses_and_deleted_toggles() {
        let mut a = app();
        a.update(Action::Key(Cmd::Sort));
        assert_eq!(a.secrets.sort, SortBy::Description);
        a.update(Action::Key(Cmd::Sort));
        assert_eq!(a.secrets.sort, SortBy::LastChanged);
        let fx = a.update(Action::Key(Cmd::ReverseSort));
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Secrets { query, .. })] if query.descending)
        );
        let fx = a.update(Action::Key(Cmd::ToggleDeleted));
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Secrets { query, .. })] if query.include_deleted)
        );
        for _ in 0..4 {
            a.update(Action::Key(Cmd::Sort));
        }
        assert_eq!(a.secrets.sort, SortBy::Deletion);
        a.update(Action::Key(Cmd::ToggleDeleted));
        assert_eq!(a.secrets.sort, SortBy::Name);
    }

    #[test]
    fn groups_fold_and_unfold() {
        let mut a = app();
        let fx = a.update(Action::Key(Cmd::Group));
        let Some(Effect::Send(Request::Groups { seq, .. })) = fx.first() else {
            panic!()
        };
        let runs = vec![
            Run {
                prefix: Some("dev/".into()),
                start: 0,
                count: 3,
            },
            Run {
                prefix: None,
                start: 3,
                count: 1,
            },
            Run {
                prefix: Some("prod/".into()),
                start: 4,
                count: 2,
            },
        ];
        a.update(Action::loaded(Loaded::Groups { seq: *seq, runs }));
        assert_eq!(a.secrets.len(), (1 + 3) + 1 + (1 + 2));
        a.update(Action::Key(Cmd::Fold));
        assert_eq!(a.secrets.len(), 1 + 1 + 3);
        assert_eq!(a.secrets.item(1), Some(Item::Row(3)));
        a.update(Action::Key(Cmd::Open));
        assert_eq!(a.secrets.len(), 8);
        a.update(Action::Key(Cmd::Sort));
        assert!(
            a.sh.status
                .as_ref()
                .unwrap()
                .text
                .contains("sorted by name")
        );
    }

    #[test]
    fn enter_opens_the_selected_secret_and_x_asks_for_the_window() {
        let mut a = app();
        let fx = a.secrets.refresh(&mut a.sh, true);
        answer(&mut a, fx, 5);
        let fx = a.update(Action::Key(Cmd::Open));
        assert_eq!(a.sh.screen, Screen::Detail);
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Detail { arn, .. })] if arn == &row(0).arn)
        );
        a.update(Action::Key(Cmd::Back));
        a.update(Action::Key(Cmd::ScheduleDeletion));
        assert!(matches!(a.sh.popup, Some(Popup::Input(_))));
    }

    #[test]
    fn create_asks_for_a_name_and_restore_needs_a_deletion() {
        let mut a = app();
        let fx = a.secrets.refresh(&mut a.sh, true);
        answer(&mut a, fx, 5);
        assert!(a.update(Action::Key(Cmd::Restore)).is_empty());
        a.update(Action::Key(Cmd::Create));
        assert!(matches!(&a.sh.popup, Some(Popup::Input(i)) if i.purpose == InputFor::CreateName));
    }
}
