//! One secret, in tabs: Overview, Value (masked until revealed), Versions (labels, diff,
//! move, roll back), Rotation (in `detail_rotation`), Tags, Policy and Access (in
//! `detail_policy`) and Activity (its audit events).

use coffer_core::model::labels::VersionLabels;
use coffer_core::vault::policies::EffectiveAccess;
use coffer_core::vault::rotation::{RotationApprovalSettings, RotationAttempt};
use coffer_core::vault::{AuditEventView, AuditPage, SecretView, VersionView};
use coffer_core::{Error, SecretValue};
use zeroize::Zeroizing;

use crate::tui::action::{Cmd, Effect, PolicyView, Request, RevealFor};
use crate::tui::popups::{Confirm, Diff, Input, InputFor, MoveLabel, Popup};
use crate::tui::shell::{Nav, Shell};
pub use crate::tui::shell::{TABS, Tab};

/// A value the operator revealed. Never printed by `Debug`.
pub struct Revealed {
    pub version_id: String,
    pub value: SecretValue,
    /// The value's top-level JSON keys and their values, when it is a JSON object.
    pub fields: Option<Vec<(String, Zeroizing<String>)>>,
}

impl std::fmt::Debug for Revealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revealed")
            .field("version_id", &self.version_id)
            .finish_non_exhaustive()
    }
}

/// Something a tab asks the vault for when it is opened (an audited request, so it is not
/// re-read on every live refresh).
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Idle,
    Loading,
    Ready(T),
    /// The AWS error code and message.
    Failed(String),
}

impl<T> Load<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Self::Ready(v) => Some(v),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct DetailState {
    pub arn: String,
    pub name: String,
    pub tab: Tab,
    pub view: Option<SecretView>,
    pub want: u64,
    pub show_deprecated: bool,
    pub version_sel: usize,
    pub marked: Option<String>,
    pub revealed: Option<Revealed>,
    pub value_sel: usize,
    pub tag_sel: usize,
    pub activity: Vec<AuditEventView>,
    pub activity_sel: usize,
    pub activity_next: Option<i64>,
    pub want_activity: u64,
    pub policy: Load<PolicyView>,
    pub want_policy: u64,
    pub policy_scroll: usize,
    pub access: Load<EffectiveAccess>,
    pub want_access: u64,
    pub access_principal: usize,
    pub access_action: usize,
    /// Whether ↑/↓ move through the actions (else through the principals).
    pub access_on_actions: bool,
    /// The rotation attempts, newest first (re-read on every change while the tab is open).
    pub rotation: Load<Vec<RotationAttempt>>,
    pub want_rotation: u64,
    pub attempt_sel: usize,
    /// The first line of the selected attempt's steps pane.
    pub steps_scroll: usize,
    /// The approval settings in force (an audited read: on opening the tab and after acts).
    pub approval: Load<RotationApprovalSettings>,
    pub want_approval: u64,
    /// The vault's replica regions (for the Replicas tab's add dialog and reachability).
    pub regions: Load<Vec<coffer_core::vault::ReplicaRegionView>>,
    pub want_regions: u64,
    pub replica_sel: usize,
}

impl DetailState {
    pub fn new(arn: String, name: String) -> Self {
        Self {
            arn,
            name,
            tab: Tab::Overview,
            view: None,
            want: 0,
            show_deprecated: false,
            version_sel: 0,
            marked: None,
            revealed: None,
            value_sel: 0,
            tag_sel: 0,
            activity: vec![],
            activity_sel: 0,
            activity_next: None,
            want_activity: 0,
            policy: Load::Idle,
            want_policy: 0,
            policy_scroll: 0,
            access: Load::Idle,
            want_access: 0,
            access_principal: 0,
            access_action: 0,
            access_on_actions: false,
            rotation: Load::Idle,
            want_rotation: 0,
            attempt_sel: 0,
            steps_scroll: 0,
            approval: Load::Idle,
            want_approval: 0,
            regions: Load::Idle,
            want_regions: 0,
            replica_sel: 0,
        }
    }

    /// The versions the Versions tab lists (deprecated ones only on demand), newest first.
    pub fn versions(&self) -> Vec<&VersionView> {
        self.view
            .iter()
            .flat_map(|v| v.versions.iter())
            .filter(|v| self.show_deprecated || !v.version_stages.is_empty())
            .collect()
    }

    pub fn selected_version(&self) -> Option<&VersionView> {
        self.versions().get(self.version_sel).copied()
    }

    /// The version holding a label.
    pub fn holder(&self, label: &str) -> Option<&VersionView> {
        self.view
            .as_ref()?
            .versions
            .iter()
            .find(|v| v.version_stages.iter().any(|s| s == label))
    }

    /// The dialog that moves a label onto the selected version.
    pub fn move_label(&self) -> Option<MoveLabel> {
        let d = self;
        let view = d.view.as_ref()?;
        let target = d.selected_version()?.version_id.clone();
        let mut choices: Vec<String> = view
            .versions
            .iter()
            .filter(|v| v.version_id != target)
            .flat_map(|v| v.version_stages.iter().cloned())
            .collect();
        choices.sort_by_key(|l| (l != "AWSCURRENT", l != "AWSPREVIOUS", l.clone()));
        choices.dedup();
        Some(MoveLabel {
            arn: d.arn.clone(),
            name: d.name.clone(),
            target,
            label: choices.first().cloned().unwrap_or_default(),
            choices,
            choice: 0,
            versions: view
                .versions
                .iter()
                .map(|v| VersionLabels {
                    version_id: v.version_id.clone(),
                    stages: v.version_stages.clone(),
                })
                .collect(),
        })
    }

    pub fn is_deleted(&self) -> bool {
        self.view
            .as_ref()
            .is_some_and(|v| v.deletion_date.is_some())
    }
}

impl DetailState {
    pub(crate) fn refresh(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let seq = sh.next_seq();
        let d = &mut *self;
        d.want = seq;
        let mut out = vec![Effect::Send(Request::Detail {
            seq,
            arn: d.arn.clone(),
        })];
        match d.tab {
            Tab::Activity => out.extend(self.load_activity(sh, None)),
            Tab::Rotation => out.extend(self.load_rotation(sh)),
            Tab::Replicas => out.extend(self.load_regions(sh)),
            _ => {}
        }
        out
    }

    fn load_activity(&mut self, sh: &mut Shell, before: Option<i64>) -> Vec<Effect> {
        let seq = sh.next_seq();
        let d = &mut *self;
        d.want_activity = seq;
        vec![Effect::Send(Request::Activity {
            seq,
            arn: d.arn.clone(),
            before,
        })]
    }

    pub(crate) fn loaded(
        &mut self,
        sh: &mut Shell,
        seq: u64,
        detail: Result<SecretView, Error>,
    ) -> Vec<Effect> {
        let d = &mut *self;
        if d.want != seq {
            return vec![];
        }
        match detail {
            Ok(v) => {
                d.name = v.secret.name.clone();
                d.view = Some(v);
                let n = d.versions().len();
                d.version_sel = d.version_sel.min(n.saturating_sub(1));
                let t = d.view.as_ref().map_or(0, |v| v.secret.tag_list().len());
                d.tag_sel = d.tag_sel.min(t.saturating_sub(1));
                vec![]
            }
            Err(e) => {
                let name = d.name.clone();
                sh.error(format!("{name}: {}: {}", e.code.as_str(), e.message));
                sh.go(Nav::CloseDetail)
            }
        }
    }

    pub(crate) fn activity_loaded(
        &mut self,
        seq: u64,
        before: Option<i64>,
        page: AuditPage,
    ) -> Vec<Effect> {
        let d = &mut *self;
        if d.want_activity != seq {
            return vec![];
        }
        if before.is_none() {
            d.activity = page.events;
        } else {
            d.activity.extend(page.events);
        }
        d.activity_next = page.next_before_sequence;
        d.activity_sel = d.activity_sel.min(d.activity.len().saturating_sub(1));
        vec![]
    }

    pub(crate) fn revealed(
        &mut self,
        sh: &mut Shell,
        arn: String,
        version_id: String,
        value: SecretValue,
    ) {
        if self.arn != arn {
            return;
        }
        let d = &mut *self;
        let fields = value.json_fields();
        d.revealed = Some(Revealed {
            version_id,
            value,
            fields,
        });
        d.value_sel = 0;
        d.tab = Tab::Value;
        sh.info("Value revealed (audited as GetSecretValue). r hides it.");
    }

    fn reveal(&mut self, sh: &mut Shell, version_id: Option<String>) -> Vec<Effect> {
        let d = &*self;
        let vid = version_id.or_else(|| d.holder("AWSCURRENT").map(|v| v.version_id.clone()));
        match vid {
            Some(version_id) => {
                let arn = d.arn.clone();
                sh.busy = Some(("GetSecretValue…".into(), sh.now_ms));
                sh.send(Request::Reveal {
                    arn,
                    version_id,
                    purpose: RevealFor::Value,
                })
            }
            None => {
                sh.info("This secret has no value yet.");
                vec![]
            }
        }
    }

    pub(crate) fn key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let d = &mut *self;
        let tab = d.tab;
        match cmd {
            Cmd::NextTab | Cmd::PrevTab => {
                let i = TABS.iter().position(|t| *t == tab).unwrap_or(0);
                let n = TABS.len();
                let next = if cmd == Cmd::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                return self.select_tab(sh, TABS[next]);
            }
            Cmd::Back => {
                return sh.go(Nav::CloseDetail);
            }
            Cmd::ScheduleDeletion => {
                let (arn, name) = (d.arn.clone(), d.name.clone());
                sh.popup = Some(Popup::Input(Input::recovery_window(arn, name)));
                return vec![];
            }
            Cmd::Restore => {
                if !d.is_deleted() {
                    sh.info("This secret is not scheduled for deletion.");
                    return vec![];
                }
                let arn = d.arn.clone();
                return sh.send(Request::Restore { arn });
            }
            Cmd::PutValue => {
                let (arn, name) = (d.arn.clone(), d.name.clone());
                sh.popup = Some(Popup::Input(Input::put_value(arn, name)));
                return vec![];
            }
            Cmd::PutGenerated => {
                let arn = d.arn.clone();
                return sh.send(Request::PutGenerated { arn });
            }
            Cmd::Describe => {
                let arn = d.arn.clone();
                let current = d
                    .view
                    .as_ref()
                    .and_then(|v| v.secret.description.clone())
                    .unwrap_or_default();
                sh.popup = Some(Popup::Input(Input::new(
                    "Description",
                    vec!["The secret's description (up to 2048 characters).".into()],
                    &current,
                    false,
                    InputFor::Description { arn },
                )));
                return vec![];
            }
            Cmd::SetType => {
                let arn = d.arn.clone();
                let current = d
                    .view
                    .as_ref()
                    .and_then(|v| v.secret.secret_type.clone())
                    .unwrap_or_default();
                sh.popup = Some(Popup::Input(Input::new(
                    "Type",
                    vec![
                        "The partner holding this managed external secret (e.g. SalesforceClientSecret), up to 256 characters.".into(),
                    ],
                    &current,
                    false,
                    InputFor::SecretType { arn },
                )));
                return vec![];
            }
            _ => {}
        }
        match tab {
            Tab::Overview => vec![],
            Tab::Value => self.value_key(sh, cmd),
            Tab::Versions => self.versions_key(sh, cmd),
            Tab::Rotation => self.rotation_key(sh, cmd),
            Tab::Replicas => self.replicas_key(sh, cmd),
            Tab::Tags => self.tags_key(sh, cmd),
            Tab::Policy => self.policy_key(sh, cmd),
            Tab::Access => self.access_key(sh, cmd),
            Tab::Activity => self.activity_key(sh, cmd),
        }
    }

    pub fn select_tab(&mut self, sh: &mut Shell, tab: Tab) -> Vec<Effect> {
        let d = &mut *self;
        d.tab = tab;
        match tab {
            Tab::Activity => {
                d.activity_sel = 0;
                self.load_activity(sh, None)
            }
            Tab::Policy => self.load_policy(sh),
            Tab::Access => self.load_access(sh),
            Tab::Rotation => {
                let mut out = self.load_rotation(sh);
                out.extend(self.load_approval(sh));
                out
            }
            Tab::Replicas => self.load_regions(sh),
            _ => vec![],
        }
    }

    fn value_key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let d = &mut *self;
        let n = d
            .revealed
            .as_ref()
            .and_then(|r| r.fields.as_ref())
            .map_or(0, Vec::len);
        match cmd {
            Cmd::Up => d.value_sel = d.value_sel.saturating_sub(1),
            Cmd::Down => d.value_sel = (d.value_sel + 1).min(n.saturating_sub(1)),
            Cmd::Reveal => {
                if d.revealed.take().is_some() {
                    sh.info("Value hidden.");
                    return vec![];
                }
                return self.reveal(sh, None);
            }
            Cmd::CopyKey | Cmd::CopyAll => {
                let name = d.name.clone();
                let Some(r) = d.revealed.as_ref() else {
                    sh.info("Reveal the value first (r).");
                    return vec![];
                };
                let picked = match (&r.fields, cmd) {
                    (Some(f), Cmd::CopyKey) => f
                        .get(d.value_sel)
                        .map(|(k, v)| (v.clone(), format!("key '{k}' of {name}"))),
                    _ => Some((r.value.text(), format!("the value of {name}"))),
                };
                if let Some((text, what)) = picked {
                    return sh.copy(text, what);
                }
            }
            _ => {}
        }
        vec![]
    }

    fn versions_key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let d = &mut *self;
        let n = d.versions().len();
        match cmd {
            Cmd::Up => d.version_sel = d.version_sel.saturating_sub(1),
            Cmd::Down => d.version_sel = (d.version_sel + 1).min(n.saturating_sub(1)),
            Cmd::Top => d.version_sel = 0,
            Cmd::Bottom => d.version_sel = n.saturating_sub(1),
            Cmd::Deprecated => {
                d.show_deprecated = !d.show_deprecated;
                let n = d.versions().len();
                d.version_sel = d.version_sel.min(n.saturating_sub(1));
            }
            Cmd::Mark => {
                let vid = d.selected_version().map(|v| v.version_id.clone());
                d.marked = if d.marked == vid { None } else { vid };
            }
            Cmd::Reveal => {
                let vid = d.selected_version().map(|v| v.version_id.clone());
                if let Some(v) = vid {
                    return self.reveal(sh, Some(v));
                }
            }
            Cmd::Diff => return self.start_diff(sh),
            Cmd::MoveLabel => {
                if let Some(m) = d.move_label() {
                    sh.popup = Some(Popup::MoveLabel(m));
                }
            }
            Cmd::RollBack => return self.roll_back(sh),
            _ => {}
        }
        vec![]
    }

    fn start_diff(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let d = &*self;
        let (Some(marked), Some(sel)) = (d.marked.clone(), d.selected_version()) else {
            sh.info("Mark a version with Space, select another, then press =.");
            return vec![];
        };
        if marked == sel.version_id {
            sh.info("Select a different version than the marked one.");
            return vec![];
        }
        let created = |id: &str| {
            d.view
                .as_ref()
                .and_then(|v| v.versions.iter().find(|x| x.version_id == id))
                .map_or(0.0, |v| v.created_date)
        };
        let (old, new) = if created(&marked) <= sel.created_date {
            (marked, sel.version_id.clone())
        } else {
            (sel.version_id.clone(), marked)
        };
        let arn = d.arn.clone();
        sh.popup = Some(Popup::Diff(Diff::new(
            d.name.clone(),
            old.clone(),
            new.clone(),
        )));
        let mut out = sh.send(Request::Reveal {
            arn: arn.clone(),
            version_id: old,
            purpose: RevealFor::DiffOld,
        });
        out.extend(sh.send(Request::Reveal {
            arn,
            version_id: new,
            purpose: RevealFor::DiffNew,
        }));
        out
    }

    fn roll_back(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let d = &*self;
        let Some(target) = d.selected_version() else {
            return vec![];
        };
        let current = d.holder("AWSCURRENT").map(|v| v.version_id.clone());
        if current.as_deref() == Some(target.version_id.as_str()) {
            sh.info("This version is already AWSCURRENT.");
            return vec![];
        }
        if !target.has_value {
            sh.error("This version has no value: it cannot become AWSCURRENT.");
            return vec![];
        }
        let to = target.version_id.clone();
        let short = |s: &str| crate::tui::format::short_id(s).to_string();
        let mut lines = vec![
            format!("Roll back {}:", d.name),
            format!(
                "  AWSCURRENT   {} → {}",
                current.as_deref().map_or("(none)".into(), short),
                short(&to)
            ),
        ];
        if let Some(c) = &current {
            let prev = d.holder("AWSPREVIOUS").map(|v| short(&v.version_id));
            lines.push(format!(
                "  AWSPREVIOUS  {} → {}",
                prev.unwrap_or_else(|| "(none)".into()),
                short(c)
            ));
        }
        lines.push(String::new());
        lines.push(
            "Every application that reads the secret gets this older value from now on.".into(),
        );
        let arn = d.arn.clone();
        sh.popup = Some(Popup::Confirm(Confirm::new(
            "Roll back",
            lines,
            Request::MoveLabel {
                arn,
                label: "AWSCURRENT".into(),
                to,
                from: current,
            },
        )));
        vec![]
    }

    fn tags_key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let d = &mut *self;
        let tags = d
            .view
            .as_ref()
            .map(|v| v.secret.tag_list().to_vec())
            .unwrap_or_default();
        let arn = d.arn.clone();
        match cmd {
            Cmd::Up => d.tag_sel = d.tag_sel.saturating_sub(1),
            Cmd::Down => d.tag_sel = (d.tag_sel + 1).min(tags.len().saturating_sub(1)),
            Cmd::AddTag => {
                sh.popup = Some(Popup::Input(Input::new(
                    "Add a tag",
                    vec!["KEY=VALUE (a key of 1–128 characters; aws: is reserved).".into()],
                    "",
                    false,
                    InputFor::AddTag { arn },
                )));
            }
            Cmd::EditTag => {
                if let Some(t) = tags.get(d.tag_sel) {
                    sh.popup = Some(Popup::Input(Input::new(
                        "Edit a tag",
                        vec![format!("The new value of tag '{}'.", t.key)],
                        &t.value,
                        false,
                        InputFor::EditTag {
                            arn,
                            key: t.key.clone(),
                        },
                    )));
                }
            }
            Cmd::RemoveTag => {
                if let Some(t) = tags.get(d.tag_sel) {
                    sh.popup = Some(Popup::Confirm(Confirm::new(
                        "Remove a tag",
                        vec![
                            format!("Remove the tag {}={} from {}?", t.key, t.value, d.name),
                            "Policies and filters that match on this tag stop matching.".into(),
                        ],
                        Request::Untag {
                            arn,
                            key: t.key.clone(),
                        },
                    )));
                }
            }
            _ => {}
        }
        vec![]
    }

    fn activity_key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let d = &mut *self;
        let n = d.activity.len();
        match cmd {
            Cmd::Up => d.activity_sel = d.activity_sel.saturating_sub(1),
            Cmd::Down => {
                d.activity_sel = (d.activity_sel + 1).min(n.saturating_sub(1));
                if d.activity_sel + 1 >= n
                    && let Some(before) = d.activity_next
                {
                    return self.load_activity(sh, Some(before));
                }
            }
            _ => {}
        }
        vec![]
    }
}
