//! Where each region of the screen is. Rendering and mouse handling both ask here, so a
//! click lands on what was drawn.

use ratatui::layout::{Constraint, Layout, Rect};

#[derive(Debug, Clone, Copy)]
pub struct Areas {
    pub header: Rect,
    pub body: Rect,
    pub status: Rect,
    pub hints: Rect,
}

pub fn areas(size: Rect) -> Areas {
    let [header, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(size);
    Areas {
        header,
        body,
        status,
        hints,
    }
}

/// A body split into one info line and a table below it.
pub fn info_and_table(body: Rect) -> (Rect, Rect) {
    let [info, table] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(body);
    (info, table)
}

/// Rows of data a table shows (its first line is the column header).
pub fn table_rows(table: Rect) -> usize {
    table.height.saturating_sub(1).max(1) as usize
}

/// The detail screen: title, tab bar, content.
pub fn detail(body: Rect) -> (Rect, Rect, Rect) {
    let [title, tabs, content] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(body);
    (title, tabs, content)
}

/// The approvals screen: info line, the queue, and the selected rotation below it.
pub fn approvals(body: Rect, background_lines: u16) -> (Rect, Rect, Rect) {
    let [info, table, side] = Layout::vertical([
        Constraint::Length(1 + background_lines),
        Constraint::Fill(1),
        Constraint::Length(3),
    ])
    .areas(body);
    (info, table, side)
}

/// The Health screen: info line, the findings, and the selected finding's evidence below.
pub fn health(body: Rect) -> (Rect, Rect, Rect) {
    let [info, list, side] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(7),
    ])
    .areas(body);
    (info, list, side)
}

/// The audit screen: filter line, then the list and the event side by side (or stacked on
/// a narrow terminal).
pub fn audit(body: Rect) -> (Rect, Rect, Rect) {
    let (info, rest) = info_and_table(body);
    let [list, side] = if rest.width >= 120 {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(rest)
    } else {
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(rest)
    };
    (info, list, side)
}

/// The Access tab: principals, the selected principal's actions, and the statements that
/// decided the selected action — side by side when wide, the statements below otherwise.
pub fn access(content: Rect) -> (Rect, Rect, Rect) {
    if content.width >= 120 {
        let [p, a, s] = Layout::horizontal([
            Constraint::Length(34),
            Constraint::Length(50),
            Constraint::Fill(1),
        ])
        .spacing(1)
        .areas(content);
        return (p, a, s);
    }
    // A header and every action (the secretsmanager ones and kms:Decrypt).
    let rows = coffer_core::vault::policies::SECRET_ACTIONS.len() as u16 + 2;
    let top = rows.min(content.height.saturating_sub(3));
    let [upper, s] = Layout::vertical([Constraint::Length(top), Constraint::Min(1)]).areas(content);
    let [p, a] = Layout::horizontal([Constraint::Length(30), Constraint::Fill(1)])
        .spacing(1)
        .areas(upper);
    (p, a, s)
}

/// The Principals screen: info line, then the grouped list and the detail side by side.
pub fn principals(body: Rect) -> (Rect, Rect, Rect) {
    let (info, rest) = info_and_table(body);
    let w = if rest.width >= 120 { 36 } else { 22 };
    let [list, detail] = Layout::horizontal([Constraint::Length(w), Constraint::Fill(1)])
        .spacing(1)
        .areas(rest);
    (info, list, detail)
}

/// The first list line shown when `selected` must be visible in `height` lines.
pub fn scroll_to(selected: usize, height: u16) -> usize {
    selected.saturating_sub((height as usize).saturating_sub(1))
}

/// A centred dialog of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// How many rows these lines take when wrapped to `width` columns (roughly, by characters).
pub fn wrapped_rows(lines: &[String], width: u16) -> u16 {
    let w = width.max(1) as usize;
    lines
        .iter()
        .map(|l| l.chars().count().div_ceil(w).max(1) as u16)
        .sum()
}

/// Whether a point is inside a rectangle.
pub fn hit(r: Rect, column: u16, row: u16) -> bool {
    column >= r.x && column < r.x + r.width && row >= r.y && row < r.y + r.height
}
