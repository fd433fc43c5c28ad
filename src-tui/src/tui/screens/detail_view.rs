//! Drawing the secret detail screen.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget, Wrap};

use super::detail::{DetailState, TABS, Tab};
use super::detail_policy_view;
use super::detail_rotation_view;
use crate::tui::format;
use crate::tui::layout;
use crate::tui::shell::Shell;
use crate::tui::theme::Theme;

/// Where each tab's title is on the tab bar (for clicks).
pub fn tab_spans(area: Rect) -> Vec<(Tab, u16, u16)> {
    let mut x = area.x + 1;
    TABS.iter()
        .map(|t| {
            // Padded titles side by side (no gap): nine tabs fit 80 columns.
            let w = t.title().len() as u16 + 2;
            let span = (*t, x, x + w);
            x += w;
            span
        })
        .collect()
}

impl DetailState {
    pub fn render(&self, sh: &Shell, area: Rect, buf: &mut Buffer) {
        let d = self;
        let t = sh.theme;
        let (title, tabs, content) = layout::detail(area);
        let mut head = vec![Span::styled(format!(" {} ", d.name), t.title())];
        if let Some(del) = d.view.as_ref().and_then(|v| v.deletion_date) {
            head.push(Span::styled(
                format!(
                    " scheduled for deletion on {} ({} days left) ",
                    format::day(Some(del)),
                    format::days_left(del, sh.now_ms)
                ),
                t.danger(),
            ));
        }
        Paragraph::new(Line::from(head)).render(title, buf);
        let mut spans = vec![Span::raw(" ")];
        for (tab, _, _) in tab_spans(tabs) {
            let style = if tab == d.tab {
                t.active_tab()
            } else {
                t.base()
            };
            spans.push(Span::styled(format!(" {} ", tab.title()), style));
        }
        Paragraph::new(Line::from(spans)).render(tabs, buf);
        if d.view.is_none() {
            Paragraph::new(Line::styled(" Loading…", t.dim())).render(content, buf);
            return;
        }
        match d.tab {
            Tab::Overview => overview(d, t, content, buf),
            Tab::Value => value(d, t, content, buf),
            Tab::Versions => versions(d, t, content, buf),
            Tab::Rotation => detail_rotation_view::rotation(d, t, sh.now_ms, content, buf),
            Tab::Replicas => super::detail_replicas::view(d, t, content, buf),
            Tab::Tags => tags(d, t, content, buf),
            Tab::Policy => detail_policy_view::policy(d, t, content, buf),
            Tab::Access => detail_policy_view::access(d, t, content, buf),
            Tab::Activity => activity(d, t, content, buf),
        }
    }
}

fn overview(d: &DetailState, t: Theme, area: Rect, buf: &mut Buffer) {
    let Some(v) = d.view.as_ref() else { return };
    let s = &v.secret;
    let kv = |k: &str, val: String| {
        Line::from(vec![
            Span::styled(format!(" {k:<14}"), t.title()),
            Span::raw(val),
        ])
    };
    let current = d.holder("AWSCURRENT").map_or("—".to_string(), |v| {
        format::short_id(&v.version_id).to_string()
    });
    let mut lines = vec![
        Line::styled(" ARN", t.title()),
        Line::raw(format!(" {}", s.arn)),
        kv(
            "Description",
            s.description.clone().unwrap_or_else(|| "—".into()),
        ),
        kv(
            "Type",
            s.secret_type
                .clone()
                .unwrap_or_else(|| "— (not a managed external secret)".into()),
        ),
        kv(
            "KMS key",
            s.kms_key_id
                .clone()
                .unwrap_or_else(|| "alias/aws/secretsmanager (default)".into()),
        ),
        kv("Created", format::minute(s.created_date)),
        kv(
            "Last changed",
            s.last_changed_date.map_or("—".into(), format::minute),
        ),
        kv("Last accessed", format::day(s.last_accessed_date)),
        kv(
            "Versions",
            format!("{} (AWSCURRENT {current})", v.versions.len()),
        ),
        kv(
            "Tags",
            if s.tag_list().is_empty() {
                "—".into()
            } else {
                format::tags(s.tag_list())
            },
        ),
        kv(
            "Region",
            s.primary_region
                .clone()
                .unwrap_or_else(|| "home region".into()),
        ),
    ];
    if let Some(del) = v.deletion_date {
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<14}", "Deletion"), t.danger()),
            Span::styled(format::minute(del), t.danger()),
        ]));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

fn value(d: &DetailState, t: Theme, area: Rect, buf: &mut Buffer) {
    let Some(r) = d.revealed.as_ref() else {
        let current = d.holder("AWSCURRENT");
        let lines = match current {
            Some(v) => vec![
                Line::raw(""),
                Line::from(vec![
                    Span::raw(" Value of version "),
                    Span::styled(format::short_id(&v.version_id).to_string(), t.title()),
                    Span::raw(" ("),
                    Span::styled(v.version_stages.join(" "), t.label()),
                    Span::raw(")"),
                ]),
                Line::raw(""),
                Line::styled("   ••••••••••••••••", t.dim()),
                Line::raw(""),
                Line::raw(" Hidden. Press r to reveal it — a reveal is audited as GetSecretValue;"),
                Line::raw(" opening the secret is not."),
            ],
            None => vec![Line::raw(" This secret has no value yet. P puts one.")],
        };
        Paragraph::new(lines).render(area, buf);
        return;
    };
    let stages = d
        .view
        .as_ref()
        .and_then(|v| v.versions.iter().find(|x| x.version_id == r.version_id))
        .map(|v| v.version_stages.join(" "))
        .unwrap_or_default();
    let head = Line::from(vec![
        Span::raw(" Version "),
        Span::styled(format::short_id(&r.version_id).to_string(), t.title()),
        Span::raw(" "),
        Span::styled(stages, t.label()),
        Span::styled(
            "  revealed · c copies a key · C the whole value · r hides",
            t.dim(),
        ),
    ]);
    let [h, body] =
        ratatui::layout::Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    Paragraph::new(head).render(h, buf);
    match &r.fields {
        Some(fields) => {
            let rows = fields
                .iter()
                .map(|(k, v)| Row::new(vec![Cell::from(k.clone()), Cell::from(v.to_string())]));
            let mut st = TableState::default().with_selected(Some(d.value_sel));
            StatefulWidget::render(
                Table::new(rows, [Constraint::Fill(1), Constraint::Fill(3)])
                    .header(Row::new(vec!["Key", "Value"]).style(t.header()))
                    .row_highlight_style(t.selected())
                    .highlight_symbol("▶ "),
                body,
                buf,
                &mut st,
            );
        }
        None => {
            let text = r.value.text();
            Paragraph::new(text.to_string())
                .wrap(Wrap { trim: false })
                .render(body, buf);
        }
    }
}

fn versions(d: &DetailState, t: Theme, area: Rect, buf: &mut Buffer) {
    let list = d.versions();
    let rows = list.iter().map(|v| {
        let mark = if d.marked.as_deref() == Some(v.version_id.as_str()) {
            "◆"
        } else {
            " "
        };
        let labels = if v.version_stages.is_empty() {
            Span::styled("(deprecated)", t.dim())
        } else {
            Span::styled(v.version_stages.join(" "), t.label())
        };
        Row::new(vec![
            Cell::from(format!("{mark}{}", format::short_id(&v.version_id))),
            Cell::from(labels),
            Cell::from(format::minute(v.created_date)),
            Cell::from(format::day(v.last_accessed_date)),
            Cell::from(if v.has_value { "" } else { "no value" }),
        ])
    });
    let hidden = d
        .view
        .as_ref()
        .map_or(0, |v| v.versions.len())
        .saturating_sub(list.len());
    let title = if d.show_deprecated {
        format!("Version (all {})", list.len())
    } else if hidden > 0 {
        format!("Version ({hidden} hidden)")
    } else {
        "Version".into()
    };
    let mut st = TableState::default().with_selected(Some(d.version_sel));
    StatefulWidget::render(
        Table::new(
            rows,
            [
                Constraint::Length(22),
                Constraint::Fill(2),
                Constraint::Length(16),
                Constraint::Length(10),
                Constraint::Length(8),
            ],
        )
        .header(
            Row::new(vec![title.as_str(), "Labels", "Created", "Accessed", ""]).style(t.header()),
        )
        .row_highlight_style(t.selected())
        .highlight_symbol("▶ "),
        area,
        buf,
        &mut st,
    );
}

fn tags(d: &DetailState, t: Theme, area: Rect, buf: &mut Buffer) {
    let tags = d.view.as_ref().map(|v| v.secret.tag_list()).unwrap_or(&[]);
    if tags.is_empty() {
        Paragraph::new(" No tags. Press a to add one.").render(area, buf);
        return;
    }
    let rows = tags.iter().map(|tg| {
        Row::new(vec![
            Cell::from(tg.key.clone()),
            Cell::from(tg.value.clone()),
        ])
    });
    let mut st = TableState::default().with_selected(Some(d.tag_sel));
    StatefulWidget::render(
        Table::new(rows, [Constraint::Fill(1), Constraint::Fill(2)])
            .header(Row::new(vec!["Key", "Value"]).style(t.header()))
            .row_highlight_style(t.selected())
            .highlight_symbol("▶ "),
        area,
        buf,
        &mut st,
    );
}

fn activity(d: &DetailState, t: Theme, area: Rect, buf: &mut Buffer) {
    if d.activity.is_empty() {
        Paragraph::new(" No events for this secret yet.").render(area, buf);
        return;
    }
    let rows = d.activity.iter().map(|e| {
        let outcome = match &e.error_code {
            Some(c) => Span::styled(c.clone(), t.danger()),
            None => Span::raw("ok"),
        };
        Row::new(vec![
            Cell::from(format::second_ms(e.time_ms)),
            Cell::from(e.event_name.clone()),
            Cell::from(format::principal_name(&e.principal_arn).to_string()),
            Cell::from(e.front_end.clone()),
            Cell::from(
                e.version_ids
                    .iter()
                    .map(|v| format::short_id(v))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Cell::from(outcome),
        ])
    });
    let mut st = TableState::default().with_selected(Some(d.activity_sel));
    StatefulWidget::render(
        Table::new(
            rows,
            [
                Constraint::Length(19),
                Constraint::Fill(2),
                Constraint::Length(8),
                Constraint::Length(8),
                Constraint::Length(8),
                Constraint::Fill(1),
            ],
        )
        .header(
            Row::new(vec![
                "Time (UTC)",
                "Event",
                "Who",
                "Via",
                "Version",
                "Outcome",
            ])
            .style(t.header()),
        )
        .row_highlight_style(t.selected())
        .highlight_symbol("▶ "),
        area,
        buf,
        &mut st,
    );
}
