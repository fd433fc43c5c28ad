//! Drawing the Principals screen: the list grouped by kind on the left, the selected
//! principal's detail (ARN, dates, tags, policies, access keys) on the right.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph, Widget, Wrap};

use super::principals::{Entry, KINDS, PrincipalsState};
use crate::tui::action::{Principal, PrincipalKind};
use crate::tui::format;
use crate::tui::layout;
use crate::tui::shell::Shell;
use crate::tui::theme::Theme;

impl PrincipalsState {
    pub fn render(&self, sh: &Shell, area: Rect, buf: &mut Buffer) {
        let t = sh.theme;
        let p = self;
        let (info, list, detail) = layout::principals(area);
        let count = |k: PrincipalKind| p.rows.iter().filter(|r| r.kind == k).count();
        Paragraph::new(Line::from(vec![
            Span::styled(" Principals ", t.title()),
            Span::styled(
                format!(
                    "{} operator(s), {} user(s), {} role(s), {} group(s), {} policy(ies)",
                    count(PrincipalKind::Operator),
                    count(PrincipalKind::User),
                    count(PrincipalKind::Role),
                    count(PrincipalKind::Group),
                    count(PrincipalKind::Policy),
                ),
                t.dim(),
            ),
        ]))
        .render(info, buf);
        if !p.loaded {
            Paragraph::new(Line::styled(" Loading…", t.dim())).render(list, buf);
            return;
        }
        let entries = p.entries();
        let top = layout::scroll_to(p.selected, list.height);
        let lines: Vec<Line> = entries
            .iter()
            .enumerate()
            .skip(top)
            .take(list.height as usize)
            .map(|(i, e)| {
                let sel = i == p.selected;
                let (text, style) = match e {
                    Entry::Head(k) => (format!("{} ({})", title(*k), count(*k)), t.header()),
                    Entry::Item(r) => (format!("  {}", p.rows[*r].name), t.base()),
                };
                let marker = if sel { "▶ " } else { "  " };
                let style = if sel && !p.key_focus {
                    t.selected()
                } else {
                    style
                };
                Line::from(vec![Span::raw(marker), Span::styled(text, style)])
            })
            .collect();
        Paragraph::new(lines).render(list, buf);
        let block = Block::default()
            .borders(Borders::LEFT)
            .border_style(t.dim())
            .padding(Padding::left(1));
        let inner = block.inner(detail);
        block.render(detail, buf);
        let lines = match p.principal() {
            Some(r) => principal_lines(t, r, p.key_focus.then_some(p.key_sel)),
            None => head_lines(t, p.kind()),
        };
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}

fn title(k: PrincipalKind) -> &'static str {
    KINDS.iter().find(|(x, _)| *x == k).map_or("", |(_, n)| n)
}

fn field<'a>(t: Theme, label: &'a str, value: impl Into<String>) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<11}"), t.label()),
        Span::raw(value.into()),
    ])
}

/// What a kind is, for a selected section head.
fn head_lines(t: Theme, k: PrincipalKind) -> Vec<Line<'static>> {
    let about = match k {
        PrincipalKind::Operator => {
            "People who unlock the vault, each with a passphrase of their own (a key slot). Removing one re-keys the vault."
        }
        PrincipalKind::User => {
            "IAM users: applications that sign requests to the endpoint with access keys."
        }
        PrincipalKind::Role => {
            "IAM roles: assumed through their trust policy; keys sign as the role's session."
        }
        PrincipalKind::Group => "IAM groups: their policies apply to every member user.",
        PrincipalKind::Policy => {
            "Customer managed policies of this vault, to attach to principals."
        }
    };
    vec![
        Line::styled(title(k).to_string(), t.title()),
        Line::raw(""),
        Line::raw(about.to_string()),
        Line::raw(""),
        Line::styled(format!("n creates a {} here.", k.word()), t.dim()),
    ]
}

fn principal_lines(t: Theme, r: &Principal, key_sel: Option<usize>) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::from(vec![
            Span::styled(format!("{} ", r.name), t.title()),
            Span::styled(r.kind.word(), t.dim()),
        ]),
        field(t, "ARN", r.arn.clone()),
        field(t, "Created", format::minute(r.created)),
    ];
    if let Some((mem, it)) = r.kdf {
        out.push(field(
            t,
            "Key slot",
            format!("Argon2id, {mem} KiB, {it} iterations"),
        ));
    }
    if let Some(d) = &r.description {
        out.push(field(t, "Description", d.clone()));
    }
    if !r.detailed {
        out.push(Line::raw(""));
        out.push(Line::styled(
            "Reading its policies and access keys…",
            t.dim(),
        ));
        return out;
    }
    if r.kind != PrincipalKind::Policy {
        out.push(field(
            t,
            "Tags",
            if r.tags.is_empty() {
                "—".to_string()
            } else {
                format::tags(&r.tags)
            },
        ));
        out.push(Line::raw(""));
        out.push(Line::styled("Inline policies", t.header()));
        if r.inline.is_empty() {
            out.push(Line::styled("  none (e puts one)", t.dim()));
        }
        out.extend(r.inline.iter().map(|n| Line::raw(format!("  {n}"))));
        out.push(Line::styled("Attached policies", t.header()));
        if r.attached.is_empty() {
            out.push(Line::styled("  none (a attaches one)", t.dim()));
        }
        out.extend(r.attached.iter().map(|a| Line::raw(format!("  {a}"))));
    }
    if matches!(
        r.kind,
        PrincipalKind::Operator | PrincipalKind::User | PrincipalKind::Role
    ) {
        out.push(Line::styled("Access keys", t.header()));
        if r.keys.is_empty() {
            out.push(Line::styled("  none (K creates one)", t.dim()));
        }
        for (i, k) in r.keys.iter().enumerate() {
            let sel = key_sel == Some(i);
            let (status, style) = if k.is_active() {
                ("Active  ", t.ok())
            } else {
                ("Inactive", t.danger())
            };
            let id_style = if sel { t.selected() } else { t.base() };
            out.push(Line::from(vec![
                Span::raw(if sel { "▶ " } else { "  " }),
                Span::styled(k.access_key_id.clone(), id_style),
                Span::raw("  "),
                Span::styled(status, style),
                Span::styled(format!("  {}", format::day(Some(k.create_date))), t.dim()),
            ]));
        }
    }
    if let Some(doc) = &r.document {
        let heading = if r.kind == PrincipalKind::Policy {
            "Policy document"
        } else {
            "Trust policy"
        };
        out.push(Line::styled(heading, t.header()));
        out.extend(pretty(doc).lines().map(|l| Line::raw(format!("  {l}"))));
    }
    out
}

/// A JSON document indented for reading (as stored when it does not parse).
fn pretty(doc: &str) -> String {
    serde_json::from_str::<serde_json::Value>(doc)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| doc.to_string())
}
