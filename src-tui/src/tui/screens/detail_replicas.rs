//! The Replicas tab: where a secret is replicated and how each replica stands
//! (`ReplicationStatus`), with add, remove, promote and retry; on a replica, its primary
//! region and promotion here.

use coffer_core::Error;
use coffer_core::acts::Act;
use coffer_core::api::{CrossAccountPrimaryType, CrossAccountReplicaEntry, ReplicationStatusType};
use coffer_core::vault::ReplicaRegionView;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget, Wrap};

use super::detail::{DetailState, Load};
use crate::tui::action::{Cmd, Effect, Request};
use crate::tui::format;
use crate::tui::popups::{Confirm, Input, InputFor, Popup};
use crate::tui::shell::Shell;
use crate::tui::theme::Theme;

impl DetailState {
    /// The secret's replicas, as its detail says.
    pub fn replicas(&self) -> &[ReplicationStatusType] {
        self.view
            .as_ref()
            .map_or(&[], |v| v.secret.replication_status.as_slice())
    }

    /// The primary region, when this secret is a replica of another region's secret.
    pub fn replica_of(&self) -> Option<&str> {
        self.view.as_ref()?.secret.replica_of()
    }

    /// Its cross-account primary, when this secret is another account's replica.
    pub fn cross_account_primary(&self) -> Option<&CrossAccountPrimaryType> {
        self.view.as_ref()?.secret.cross_account_primary.as_ref()
    }

    /// Its cross-account replicas (at most one associated; detached ones stay listed).
    pub fn cross_account_replicas(&self) -> &[CrossAccountReplicaEntry] {
        self.view
            .as_ref()
            .map_or(&[], |v| v.secret.cross_account_replicas.as_slice())
    }
}

impl DetailState {
    pub(crate) fn load_regions(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let seq = sh.next_seq();
        let d = &mut *self;
        d.want_regions = seq;
        if d.regions.ready().is_none() {
            d.regions = Load::Loading;
        }
        vec![Effect::Send(Request::ReplicaRegions { seq })]
    }

    pub(crate) fn regions_loaded(
        &mut self,
        seq: u64,
        regions: Result<Vec<ReplicaRegionView>, Error>,
    ) -> Vec<Effect> {
        if self.want_regions != seq {
            return vec![];
        }
        let d = &mut *self;
        d.regions = match regions {
            Ok(r) => Load::Ready(r),
            Err(e) => Load::Failed(format!("{}: {}", e.code.as_str(), e.message)),
        };
        vec![]
    }

    pub(crate) fn replicas_key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let d = &mut *self;
        let (arn, name) = (d.arn.clone(), d.name.clone());
        let n = d.replicas().len();
        let selected = d.replicas().get(d.replica_sel).map(|r| r.region.clone());
        match cmd {
            Cmd::Up => d.replica_sel = d.replica_sel.saturating_sub(1),
            Cmd::Down => d.replica_sel = (d.replica_sel + 1).min(n.saturating_sub(1)),
            Cmd::AddReplica => {
                if let Some(primary) = d.replica_of() {
                    let msg =
                        format!("{name} is a replica of {primary}'s secret: replicate it there.");
                    sh.info(msg);
                    return vec![];
                }
                let mut lines = vec![format!(
                    "Replicate {name} to a replica region: type REGION, or REGION KMS-KEY to seal it there under that key."
                )];
                match d.regions.ready() {
                    Some(rs) if rs.is_empty() => lines.push(
                        "This vault has no replica regions yet: add one with `coffer replica-region add --region R --vault FILE`."
                            .into(),
                    ),
                    Some(rs) => {
                        let taken: Vec<&str> = d.replicas().iter().map(|r| r.region.as_str()).collect();
                        let free: Vec<String> = rs
                            .iter()
                            .filter(|r| !taken.contains(&r.region.as_str()))
                            .map(|r| format!("{} ({})", r.region, r.vault_path))
                            .collect();
                        lines.push(if free.is_empty() {
                            "Every replica region already holds a replica of it.".into()
                        } else {
                            format!("Regions: {}", free.join(", "))
                        });
                    }
                    None => {}
                }
                sh.popup = Some(Popup::Input(Input::new(
                    "Add a replica region",
                    lines,
                    "",
                    false,
                    InputFor::AddReplica { arn },
                )));
            }
            Cmd::RemoveReplica => {
                let Some(region) = selected else {
                    sh.info("This secret has no replicas to remove.");
                    return vec![];
                };
                sh.popup = Some(Popup::Confirm(Confirm::new(
                    "Remove replica",
                    vec![
                        format!("Remove the replica of {name} in {region}?"),
                        "It is deleted there (at once, or when its vault file can next be reached)."
                            .into(),
                    ],
                    Request::RemoveReplica { arn, region },
                )));
            }
            Cmd::PromoteReplica => {
                if let Some(primary) = d.replica_of().map(str::to_string).or_else(|| {
                    d.cross_account_primary()
                        .map(|p| p.primary_secret_arn.clone())
                }) {
                    sh.popup = Some(Popup::Confirm(Confirm::new(
                        "Promote this replica",
                        vec![
                            format!(
                                "Make {name} a standalone secret here (StopReplicationToReplica)?"
                            ),
                            format!(
                                "It stops receiving {primary}'s changes and takes writes here; {primary} lets it go."
                            ),
                        ],
                        Request::StopReplication { arn },
                    )));
                    return vec![];
                }
                let Some(region) = selected else {
                    sh.info("This secret has no replicas to promote.");
                    return vec![];
                };
                sh.popup = Some(Popup::Confirm(Confirm::new(
                    "Promote replica",
                    vec![
                        format!("Make the replica of {name} in {region} a standalone secret there?"),
                        "It stops receiving this secret's changes; this secret stops replicating there."
                            .into(),
                    ],
                    Request::PromoteReplica { arn, region },
                )));
            }
            Cmd::SyncReplicas => return sh.send(Request::Act(Act::SyncReplicas)),
            Cmd::AssociateCrossAccount => {
                if d.replica_of().is_some() || d.cross_account_primary().is_some() {
                    sh.info(format!(
                        "{name} is a replica: only a primary secret has cross-account replicas."
                    ));
                    return vec![];
                }
                sh.popup = Some(Popup::Input(Input::new(
                    "Associate a cross-account replica",
                    vec![
                        format!("The ARN of the replica another account made for {name} (CreateSecret with CrossAccountPrimaryARN naming it):"),
                        "Its account's vault must be registered: coffer replica-account add --account-id ID --replica-vault FILE.".into(),
                    ],
                    "",
                    false,
                    InputFor::AssociateCrossAccount { arn },
                )));
            }
            Cmd::DisassociateCrossAccount => {
                let Some(replica_arn) = d
                    .cross_account_replicas()
                    .iter()
                    .find(|r| r.replication_status != "Detached")
                    .or_else(|| d.cross_account_replicas().first())
                    .map(|r| r.replica_secret_arn.clone())
                else {
                    sh.info("This secret has no cross-account replica.");
                    return vec![];
                };
                sh.popup = Some(Popup::Confirm(Confirm::new(
                    "Disassociate cross-account replica",
                    vec![
                        format!("Stop replicating {name} to {replica_arn}?"),
                        "The replica stays in its account, Detached, until its account makes it standalone."
                            .into(),
                    ],
                    Request::DisassociateCrossAccount { arn, replica_arn },
                )));
            }
            _ => {}
        }
        vec![]
    }

    /// The add-replica dialog's answer: `REGION` or `REGION KMS-KEY`.
    pub(crate) fn replica_region_typed(sh: &mut Shell, arn: String, text: &str) -> Vec<Effect> {
        let mut words = text.split_whitespace();
        let Some(region) = words.next() else {
            sh.error("Type a region name, like eu-west-1.");
            return vec![];
        };
        sh.send(Request::Replicate {
            arn,
            region: region.to_string(),
            kms_key_id: words.next().map(str::to_string),
        })
    }
}

pub fn view(d: &DetailState, t: Theme, area: Rect, buf: &mut Buffer) {
    // The selected region's whole message (a refusal says why, at more length than its cell).
    let message = d
        .replicas()
        .get(d.replica_sel)
        .and_then(|r| r.status_message.clone());
    let cross = cross_account_lines(d, t);
    let [head, table, said, across, foot] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(if message.is_some() { 5 } else { 0 }),
        Constraint::Length(cross.len() as u16),
        Constraint::Length(4),
    ])
    .areas(area);
    if let Some(p) = d.cross_account_primary() {
        let mut lines = vec![
            Line::from(vec![
                Span::styled(" Cross-account replica ", t.title()),
                Span::raw("of "),
                Span::styled(p.primary_secret_arn.clone(), t.base()),
            ]),
            Line::from(vec![
                Span::raw(" Status: "),
                Span::styled(
                    p.replication_status.clone(),
                    status_style(t, &p.replication_status),
                ),
            ]),
        ];
        if let Some(m) = &p.status_message {
            lines.push(Line::raw(format!(" {m}")));
        }
        lines.push(Line::styled(
            " It takes its versions from its primary's account and no writes here; P makes it a standalone secret.",
            t.dim(),
        ));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(area, buf);
        return;
    }
    if let Some(primary) = d.replica_of() {
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(" Replica ", t.title()),
                Span::raw(format!("of the secret in {primary} (its primary region).")),
            ]),
            Line::styled(
                " It takes writes only from its primary; P promotes it to a standalone secret here.",
                t.dim(),
            ),
        ])
        .render(area, buf);
        return;
    }
    let replicas = d.replicas();
    let summary = if replicas.is_empty() {
        " Not replicated. a replicates it to a replica region.".to_string()
    } else {
        let in_sync = replicas.iter().filter(|r| r.status == "InSync").count();
        format!(
            " Replicated to {} region(s), {in_sync} in sync. Primary region: this vault.",
            replicas.len()
        )
    };
    Paragraph::new(vec![
        Line::styled(" Replicas", t.title()),
        Line::raw(summary),
    ])
    .render(head, buf);
    let rows: Vec<Row> = replicas
        .iter()
        .map(|r| {
            let style = match r.status.as_str() {
                "InSync" => t.ok(),
                "Failed" => t.danger(),
                _ => t.base(),
            };
            Row::new(vec![
                Cell::from(format!(" {}", r.region)),
                Cell::from(Span::styled(r.status.clone(), style)),
                Cell::from(r.kms_key_id.clone().unwrap_or_default()),
                Cell::from(format::day(r.last_accessed_date)),
                Cell::from(r.status_message.clone().unwrap_or_default()),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(17),
        Constraint::Length(11),
        Constraint::Length(24),
        Constraint::Length(12),
        Constraint::Min(10),
    ];
    let mut state =
        TableState::default().with_selected((!replicas.is_empty()).then_some(d.replica_sel));
    StatefulWidget::render(
        Table::new(rows, widths)
            .header(
                Row::new([" Region", "Status", "KMS key", "Accessed", "Message"]).style(t.header()),
            )
            .row_highlight_style(t.selected()),
        table,
        buf,
        &mut state,
    );
    if let Some(m) = message {
        Paragraph::new(vec![
            Line::styled(" Message", t.header()),
            Line::raw(format!(" {m}")),
        ])
        .wrap(Wrap { trim: false })
        .render(said, buf);
    }
    Paragraph::new(cross).render(across, buf);
    let regions = match &d.regions {
        Load::Ready(rs) if rs.is_empty() => vec![Line::styled(
            " No replica regions: coffer replica-region add --region R --vault FILE",
            t.dim(),
        )],
        Load::Ready(rs) => rs
            .iter()
            .map(|r| {
                Line::from(vec![
                    Span::styled(format!(" {:<16}", r.region), t.title()),
                    if r.replaced {
                        Span::styled("REPLACED    ", t.danger())
                    } else if r.reachable {
                        Span::styled("reachable   ", t.ok())
                    } else {
                        Span::styled("unreachable ", t.danger())
                    },
                    Span::styled(r.vault_path.clone(), t.dim()),
                ])
            })
            .collect(),
        Load::Failed(e) => vec![Line::styled(format!(" {e}"), t.danger())],
        _ => vec![Line::styled(" Loading the replica regions…", t.dim())],
    };
    let mut lines = vec![Line::styled(" Replica regions", t.header())];
    lines.extend(regions);
    Paragraph::new(lines).render(foot, buf);
}

fn status_style(t: Theme, status: &str) -> ratatui::style::Style {
    match status {
        "InSync" => t.ok(),
        "Failed" => t.danger(),
        "Detached" | "Pending" => t.dim(),
        _ => t.base(),
    }
}

/// A primary's cross-account replicas with their status (and message), or how to add one.
fn cross_account_lines(d: &DetailState, t: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(" Cross-account replicas", t.header())];
    let replicas = d.cross_account_replicas();
    if replicas.is_empty() {
        lines.push(Line::styled(
            " None. c associates one another account made for this secret.",
            t.dim(),
        ));
    }
    for r in replicas {
        lines.push(Line::from(vec![
            Span::raw(" "),
            Span::styled(
                format!("{:<11}", r.replication_status),
                status_style(t, &r.replication_status),
            ),
            Span::raw(r.replica_secret_arn.clone()),
        ]));
        if let Some(m) = &r.status_message {
            lines.push(Line::styled(format!("   {m}"), t.dim()));
        }
    }
    lines
}
