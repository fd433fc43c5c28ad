//! The audit log: newest first, paged from the core by sequence number (never loaded whole),
//! with filters, follow mode, the full event beside the list and the chain's status.

use coffer_core::audit::VerifyReport;
use coffer_core::vault::{AuditEventView, AuditPage};

use crate::tui::action::{Cmd, Effect, PageKind, Request};
use crate::tui::layout;
pub use crate::tui::popups::audit_filters::{AuditFilter, PAGE};
use crate::tui::popups::{AuditFilterForm, Popup};
use crate::tui::shell::{Nav, Screen, Shell};

/// How many events the window keeps (`PAGE`: how many a page reads).
pub const WINDOW: usize = 3 * PAGE;

#[derive(Debug, Default)]
pub struct AuditState {
    pub filter: AuditFilter,
    /// A window of events, newest first.
    pub events: Vec<AuditEventView>,
    pub selected: usize,
    pub scroll: usize,
    /// Where the next older page starts (`None` at the oldest).
    pub older: Option<i64>,
    /// Whether the window starts at the newest matching event.
    pub at_newest: bool,
    pub total_events: i64,
    pub follow: bool,
    pub chain: Option<VerifyReport>,
    /// The event pane has the keyboard (Tab), and its scroll.
    pub side_focus: bool,
    pub side_scroll: u16,
    pub want: u64,
    pub loading: bool,
}

impl AuditState {
    pub fn rows(&self, sh: &Shell) -> usize {
        let (_, list, _) = layout::audit(sh.body());
        layout::table_rows(list)
    }

    fn request(&mut self, sh: &mut Shell, kind: PageKind) -> Vec<Effect> {
        let mut query = match self.filter.query(sh.now_ms) {
            Ok(q) => q,
            Err(e) => {
                sh.error(e);
                return vec![];
            }
        };
        match kind {
            PageKind::Replace => {}
            PageKind::Older => query.before_sequence = self.older,
            PageKind::Newer => query.after_sequence = self.events.first().map(|e| e.sequence),
        }
        let seq = sh.next_seq();
        self.want = seq;
        self.loading = true;
        vec![Effect::Send(Request::Audit { seq, query, kind })]
    }

    /// Reads the newest page; `keep` leaves the selection where it is.
    pub fn refresh(&mut self, sh: &mut Shell, keep: bool) -> Vec<Effect> {
        if !keep {
            self.selected = 0;
            self.scroll = 0;
            self.side_scroll = 0;
        }
        self.request(sh, PageKind::Replace)
    }

    /// The vault changed: show new events on top without moving the operator's place.
    pub(crate) fn changed(&mut self, sh: &mut Shell) -> Vec<Effect> {
        if self.events.is_empty() {
            return self.refresh(sh, false);
        }
        if self.at_newest && !self.loading {
            return self.request(sh, PageKind::Newer);
        }
        vec![]
    }

    pub(crate) fn loaded(
        &mut self,
        sh: &Shell,
        seq: u64,
        kind: PageKind,
        page: AuditPage,
    ) -> Vec<Effect> {
        if seq != self.want {
            return vec![];
        }
        let rows = self.rows(sh);
        let a = &mut *self;
        a.loading = false;
        a.total_events = page.total_events;
        match kind {
            PageKind::Replace => {
                a.events = page.events;
                a.older = page.next_before_sequence;
                a.at_newest = true;
            }
            PageKind::Older => {
                a.events.extend(page.events);
                a.older = page.next_before_sequence;
                if a.events.len() > WINDOW {
                    let cut = a.events.len() - WINDOW;
                    a.events.drain(..cut);
                    a.selected = a.selected.saturating_sub(cut);
                    a.scroll = a.scroll.saturating_sub(cut);
                    a.at_newest = false;
                }
            }
            PageKind::Newer => {
                let n = page.events.len();
                a.at_newest = n < PAGE;
                let mut newer = page.events;
                newer.reverse();
                newer.append(&mut a.events);
                a.events = newer;
                if a.follow {
                    a.selected = 0;
                    a.scroll = 0;
                } else {
                    a.selected += n;
                    a.scroll += n;
                }
                if a.events.len() > WINDOW {
                    a.events.truncate(WINDOW);
                    a.older = a.events.last().map(|e| e.sequence);
                }
            }
        }
        a.selected = a.selected.min(a.events.len().saturating_sub(1));
        if a.selected >= a.scroll + rows {
            a.scroll = a.selected + 1 - rows;
        }
        a.scroll = a.scroll.min(a.selected);
        vec![]
    }

    fn move_by(&mut self, sh: &mut Shell, delta: isize) -> Vec<Effect> {
        let rows = self.rows(sh);
        let a = &mut *self;
        if a.side_focus {
            a.side_scroll = a.side_scroll.saturating_add_signed(delta as i16);
            return vec![];
        }
        let n = a.events.len();
        let target = a.selected as isize + delta;
        if target < 0 && !a.at_newest && !a.loading {
            a.selected = 0;
            a.scroll = 0;
            return self.request(sh, PageKind::Newer);
        }
        a.selected = (target.max(0) as usize).min(n.saturating_sub(1));
        a.side_scroll = 0;
        if a.selected < a.scroll {
            a.scroll = a.selected;
        } else if a.selected >= a.scroll + rows {
            a.scroll = a.selected + 1 - rows;
        }
        if a.selected + rows >= n && a.older.is_some() && !a.loading {
            return self.request(sh, PageKind::Older);
        }
        vec![]
    }

    pub(crate) fn key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let page = self.rows(sh) as isize;
        match cmd {
            Cmd::Up => self.move_by(sh, -1),
            Cmd::Down => self.move_by(sh, 1),
            Cmd::PageUp => self.move_by(sh, -page),
            Cmd::PageDown => self.move_by(sh, page),
            Cmd::Top => self.refresh(sh, false),
            Cmd::Bottom => self.move_by(sh, WINDOW as isize),
            Cmd::SwitchPane => {
                self.side_focus = !self.side_focus;
                vec![]
            }
            Cmd::ErrorsOnly => {
                self.filter.errors_only = !self.filter.errors_only;
                self.refresh(sh, false)
            }
            Cmd::Follow => {
                self.follow = !self.follow;
                if self.follow {
                    sh.info("Following new events.");
                    self.refresh(sh, false)
                } else {
                    sh.info("Stopped following.");
                    vec![]
                }
            }
            Cmd::Verify => sh.send(Request::Verify),
            Cmd::AuditFilters => {
                sh.popup = Some(Popup::AuditFilters(AuditFilterForm::new(
                    self.filter.clone(),
                )));
                vec![]
            }
            Cmd::Back => sh.go(Nav::Go(Screen::Secrets)),
            _ => vec![],
        }
    }

    pub(crate) fn verified(&mut self, sh: &mut Shell, report: VerifyReport) {
        if report.intact {
            sh.info(format!(
                "Audit chain intact: {} events verified.",
                report.events_checked
            ));
        } else {
            sh.error(format!(
                "Audit chain BROKEN at event {}: {}",
                report.first_broken_sequence.unwrap_or_default(),
                report.problem.clone().unwrap_or_default()
            ));
        }
        self.chain = Some(report);
    }

    /// Shows the audit log filtered to one secret.
    pub fn show_secret(&mut self, sh: &mut Shell, secret: String) -> Vec<Effect> {
        self.filter.secret = secret;
        sh.screen = Screen::Audit;
        self.refresh(sh, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{Action, Loaded};
    use crate::tui::app::App;
    use coffer_core::audit::{AdditionalEventData, AuditEvent, UserIdentity};

    pub fn event(seq: i64) -> AuditEventView {
        AuditEventView {
            sequence: seq,
            time_ms: seq * 1000,
            event_name: "GetSecretValue".into(),
            principal_arn: "arn:aws:iam::1:user/admin".into(),
            front_end: "tui".into(),
            source_ip: "127.0.0.1".into(),
            secret_arn: None,
            version_ids: vec![],
            version_stages: vec![],
            error_code: None,
            error_message: None,
            event: AuditEvent {
                event_version: "1.08".into(),
                event_time: String::new(),
                event_source: "secretsmanager.amazonaws.com".into(),
                event_name: "GetSecretValue".into(),
                aws_region: "us-east-1".into(),
                source_ip_address: "127.0.0.1".into(),
                user_agent: "coffer".into(),
                user_identity: UserIdentity {
                    kind: "IAMUser".into(),
                    arn: "arn:aws:iam::1:user/admin".into(),
                    account_id: "1".into(),
                    user_name: None,
                },
                request_parameters: serde_json::json!({}),
                response_elements: None,
                error_code: None,
                error_message: None,
                request_id: "r".into(),
                event_id: "e".into(),
                read_only: true,
                event_type: "AwsApiCall".into(),
                resources: vec![],
                recipient_account_id: "1".into(),
                additional_event_data: AdditionalEventData::default(),
            },
        }
    }

    fn page(from: i64, n: i64, newest_first: bool) -> AuditPage {
        let mut events: Vec<_> = (0..n).map(|i| event(from - i)).collect();
        if !newest_first {
            events.reverse();
        }
        AuditPage {
            next_before_sequence: (n as usize == PAGE).then(|| from - n + 1),
            events,
            total_events: 1_000_000,
        }
    }

    fn answer(a: &mut App, fx: Vec<Effect>, page: AuditPage) {
        let audit = fx.into_iter().find_map(|e| match e {
            Effect::Send(Request::Audit { seq, kind, .. }) => Some((seq, kind)),
            _ => None,
        });
        let Some((seq, kind)) = audit else {
            panic!("no audit request")
        };
        a.update(Action::loaded(Loaded::Audit { seq, kind, page }));
    }

    fn app() -> App {
        let mut a = crate::tui::testkit::unlocked_app();
        a.update(Action::Tick {
            now_ms: 1_000_000_000,
        });
        let fx = a.update(Action::Key(Cmd::GoAudit));
        answer(&mut a, fx, page(1_000_000, PAGE as i64, true));
        a
    }

    #[test]
    fn the_default_filter_is_the_last_day() {
        let q = AuditFilter::default().query(100_000_000).unwrap();
        assert_eq!(q.from_ms, Some(100_000_000 - 86_400_000));
        assert_eq!(q.limit, PAGE);
    }

    #[test]
    fn scrolling_down_reads_older_pages_and_the_window_stays_bounded() {
        let mut a = app();
        let mut oldest = 1_000_000 - PAGE as i64 + 1;
        for _ in 0..5 {
            let fx = a.update(Action::Key(Cmd::Bottom));
            let Some(Effect::Send(Request::Audit { query, .. })) = fx.first() else {
                panic!("no older page")
            };
            assert_eq!(query.before_sequence, Some(oldest));
            answer(&mut a, fx, page(oldest - 1, PAGE as i64, true));
            oldest -= PAGE as i64;
        }
        assert!(a.audit.events.len() <= WINDOW);
        assert!(!a.audit.at_newest);
        // Going up past the top of the window reads the newer page; Home the newest.
        a.audit.selected = 0;
        a.audit.scroll = 0;
        let fx = a.update(Action::Key(Cmd::Up));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::Audit {
                kind: PageKind::Newer,
                ..
            })]
        ));
        let fx = a.update(Action::Key(Cmd::Top));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::Audit {
                kind: PageKind::Replace,
                ..
            })]
        ));
    }

    #[test]
    fn new_events_appear_on_top_and_the_selection_stays_unless_following() {
        let mut a = app();
        a.update(Action::Key(Cmd::Down));
        let fx = a.update(Action::loaded(Loaded::Changed));
        answer(&mut a, fx, page(1_000_002, 2, false));
        assert_eq!(a.audit.events[0].sequence, 1_000_002);
        assert_eq!(a.audit.events[a.audit.selected].sequence, 999_999);
        let fx = a.update(Action::Key(Cmd::Follow));
        assert!(a.audit.follow);
        answer(&mut a, fx, page(1_000_002, PAGE as i64, true));
        let fx = a.update(Action::loaded(Loaded::Changed));
        answer(&mut a, fx, page(1_000_003, 1, false));
        assert_eq!(a.audit.selected, 0);
        assert_eq!(a.audit.events[0].sequence, 1_000_003);
    }

    #[test]
    fn filters_errors_verify_and_panes() {
        let mut a = app();
        let fx = a.update(Action::Key(Cmd::ErrorsOnly));
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Audit { query, .. })] if query.errors_only)
        );
        let fx = a.update(Action::Key(Cmd::Verify));
        assert!(matches!(&fx[..], [Effect::Send(Request::Verify)]));
        assert!(a.sh.busy.is_some());
        a.update(Action::loaded(Loaded::Verified(VerifyReport {
            events_checked: 9,
            intact: false,
            first_broken_sequence: Some(4),
            problem: Some("event 4 does not verify".into()),
            last_anchor: None,
        })));
        assert!(
            a.sh.status
                .as_ref()
                .unwrap()
                .text
                .contains("BROKEN at event 4")
        );
        a.update(Action::Key(Cmd::SwitchPane));
        a.update(Action::Key(Cmd::Down));
        assert_eq!(a.audit.side_scroll, 1);
        a.update(Action::Key(Cmd::AuditFilters));
        assert!(matches!(a.sh.popup, Some(Popup::AuditFilters(_))));
    }

    #[test]
    fn a_bad_time_is_reported_not_sent() {
        let mut a = app();
        a.audit.filter.since = "yesterday".into();
        let fx = a.audit.refresh(&mut a.sh, false);
        assert!(fx.is_empty());
        assert!(a.sh.status.as_ref().unwrap().error);
    }
}
