//! Drawing the audit log.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget, Wrap,
};

use super::audit::AuditState;
use crate::tui::format;
use crate::tui::layout;
use crate::tui::shell::Shell;

impl AuditState {
    pub fn render(&self, sh: &Shell, area: Rect, buf: &mut Buffer) {
        let t = sh.theme;
        let a = self;
        let (info, list, side) = layout::audit(area);
        let mut spans = vec![
            Span::styled(" Audit ", t.title()),
            Span::raw(a.filter.describe()),
        ];
        if a.follow {
            spans.push(Span::styled(" · following", t.ok()));
        }
        spans.push(Span::styled(
            format!(" · {} events in the vault", a.total_events),
            t.dim(),
        ));
        match &a.chain {
            Some(r) if r.intact => spans.push(Span::styled(" · chain intact", t.ok())),
            Some(r) => spans.push(Span::styled(
                format!(
                    " · chain BROKEN at #{}",
                    r.first_broken_sequence.unwrap_or_default()
                ),
                t.danger(),
            )),
            None => {}
        }
        if let Some(r) = &a.chain {
            spans.push(Span::styled(
                match &r.last_anchor {
                    Some(an) => format!(
                        " · last anchor #{} {}",
                        an.sequence,
                        an.time.get(..16).unwrap_or(&an.time).replace('T', " ")
                    ),
                    None => " · never anchored".into(),
                },
                t.dim(),
            ));
        }
        Paragraph::new(Line::from(spans)).render(info, buf);

        let n = layout::table_rows(list);
        let wide = list.width >= 100;
        let rows = a.events.iter().skip(a.scroll).take(n).map(|e| {
            let outcome = match &e.error_code {
                Some(c) => Span::styled(c.trim_end_matches("Exception").to_string(), t.danger()),
                None => Span::raw("ok"),
            };
            let secret = e
                .secret_arn
                .as_deref()
                .and_then(|arn| arn.split_once(":secret:").map(|(_, n)| n))
                .map(|n| n.rsplit_once('-').map_or(n, |(a, _)| a))
                .unwrap_or("");
            Row::new(vec![
                Cell::from(format!("{}", e.sequence)),
                Cell::from(if wide {
                    format::second_ms(e.time_ms)
                } else {
                    format::second_ms(e.time_ms)
                        .get(5..)
                        .unwrap_or_default()
                        .to_string()
                }),
                Cell::from(e.event_name.clone()),
                Cell::from(secret.to_string()),
                Cell::from(format::principal_name(&e.principal_arn).to_string()),
                Cell::from(e.front_end.clone()),
                Cell::from(outcome),
            ])
        });
        let rows: Vec<Row> = rows.collect();
        let empty = rows.is_empty();
        let mut st = TableState::default().with_selected(Some(a.selected.saturating_sub(a.scroll)));
        let list_style = if a.side_focus { t.dim() } else { t.selected() };
        StatefulWidget::render(
            Table::new(
                rows,
                [
                    Constraint::Length(if wide { 8 } else { 5 }),
                    Constraint::Length(if wide { 19 } else { 14 }),
                    Constraint::Fill(3),
                    Constraint::Fill(3),
                    Constraint::Length(6),
                    Constraint::Length(8),
                    Constraint::Fill(2),
                ],
            )
            .header(
                Row::new(vec![
                    "#",
                    "Time (UTC)",
                    "Event",
                    "Secret",
                    "Who",
                    "Via",
                    "Outcome",
                ])
                .style(t.header()),
            )
            .row_highlight_style(list_style)
            .highlight_symbol("▶ "),
            list,
            buf,
            &mut st,
        );
        if empty {
            let msg = if a.loading {
                " Loading…"
            } else {
                " No event matches. f changes the filters."
            };
            Paragraph::new(Line::styled(msg, t.dim()))
                .render(Rect::new(list.x, list.y + 1, list.width, 1), buf);
        }
        let title = if a.side_focus {
            " Event (Tab: back to the list) "
        } else {
            " Event (Tab) "
        };
        let block = Block::bordered().title(Span::styled(title, t.title()));
        let text = a
            .events
            .get(a.selected)
            .map(|e| serde_json::to_string_pretty(&e.event).unwrap_or_default())
            .unwrap_or_default();
        Paragraph::new(text)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((a.side_scroll, 0))
            .render(side, buf);
    }
}
