//! The secret detail's Rotation tab: the configuration and schedule, the approval settings in
//! force, and the history of attempts step by step; rotate now, edit the schedule, cancel,
//! retry a failed attempt, and the approval toggles. The history is not an audited read, so
//! it follows every change; the approval settings are, so they are read when the tab opens
//! and after the operator's own acts.

use coffer_core::Error;
use coffer_core::vault::rotation::{
    AttemptStatus, RotationApprovalSettings, RotationAttempt, RotationFunction,
};

use super::detail::{DetailState, Load};
use crate::tui::action::{Cmd, Effect, FunctionFor, Request};
pub use crate::tui::format::function_name;
use crate::tui::popups::{Confirm, Input, InputFor, Popup, ScheduleForm};
use crate::tui::shell::Shell;

impl DetailState {
    pub fn attempts(&self) -> &[RotationAttempt] {
        self.rotation.ready().map_or(&[], Vec::as_slice)
    }

    pub fn selected_attempt(&self) -> Option<&RotationAttempt> {
        self.attempts().get(self.attempt_sel)
    }

    /// The rotation function the secret is set up with.
    pub fn function_arn(&self) -> Option<&str> {
        self.view.as_ref()?.secret.rotation_lambda_arn.as_deref()
    }

    pub fn rotation_enabled(&self) -> bool {
        self.view
            .as_ref()
            .is_some_and(|v| v.secret.rotation_enabled == Some(true))
    }

    /// The attempt that has not ended (waiting, running or failed), if any: the newest.
    pub fn unfinished_attempt(&self) -> Option<&RotationAttempt> {
        self.attempts().first().filter(|a| a.status.is_unfinished())
    }

    /// The next `n` window starts: the core's next rotation date, then the schedule's.
    pub fn next_windows(&self, n: usize) -> Vec<i64> {
        self.view
            .as_ref()
            .map_or_else(Vec::new, |v| v.secret.upcoming_windows(n))
    }
}

/// The rules as the operator wrote them: `AutomaticallyAfterDays 30`, `rate(7 days)`, with
/// the window's Duration.
pub fn rules_text(rules: &coffer_core::api::RotationRules) -> String {
    let every = match (&rules.automatically_after_days, &rules.schedule_expression) {
        (Some(d), _) => format!("AutomaticallyAfterDays {d}"),
        (None, Some(e)) => e.clone(),
        (None, None) => "—".into(),
    };
    match &rules.duration {
        Some(d) => format!("{every} · Duration {d}"),
        None => every,
    }
}

impl DetailState {
    pub(crate) fn load_rotation(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let seq = sh.next_seq();
        let d = &mut *self;
        d.want_rotation = seq;
        if d.rotation.ready().is_none() {
            d.rotation = Load::Loading;
        }
        vec![Effect::Send(Request::RotationHistory {
            seq,
            arn: d.arn.clone(),
        })]
    }

    pub(crate) fn load_approval(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let seq = sh.next_seq();
        let d = &mut *self;
        d.want_approval = seq;
        if d.approval.ready().is_none() {
            d.approval = Load::Loading;
        }
        vec![Effect::Send(Request::RotationSettings {
            seq,
            arn: d.arn.clone(),
        })]
    }

    pub(crate) fn rotation_loaded(
        &mut self,
        seq: u64,
        history: Result<Vec<RotationAttempt>, Error>,
    ) -> Vec<Effect> {
        if self.want_rotation != seq {
            return vec![];
        }
        let d = &mut *self;
        d.rotation = match history {
            Ok(h) => Load::Ready(h),
            Err(e) => Load::Failed(format!("{}: {}", e.code.as_str(), e.message)),
        };
        d.attempt_sel = d.attempt_sel.min(d.attempts().len().saturating_sub(1));
        vec![]
    }

    pub(crate) fn approval_loaded(
        &mut self,
        seq: u64,
        settings: Result<RotationApprovalSettings, Error>,
    ) -> Vec<Effect> {
        if self.want_approval != seq {
            return vec![];
        }
        let d = &mut *self;
        d.approval = match settings {
            Ok(s) => Load::Ready(s),
            Err(e) => Load::Failed(format!("{}: {}", e.code.as_str(), e.message)),
        };
        vec![]
    }

    pub(crate) fn rotation_key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let d = &mut *self;
        let n = d.attempts().len();
        let (arn, name) = (d.arn.clone(), d.name.clone());
        match cmd {
            Cmd::Up | Cmd::Down | Cmd::Top | Cmd::Bottom => {
                d.attempt_sel = match cmd {
                    Cmd::Up => d.attempt_sel.saturating_sub(1),
                    Cmd::Down => (d.attempt_sel + 1).min(n.saturating_sub(1)),
                    Cmd::Top => 0,
                    _ => n.saturating_sub(1),
                };
                d.steps_scroll = 0;
            }
            Cmd::PageDown => d.steps_scroll += 5,
            Cmd::PageUp => d.steps_scroll = d.steps_scroll.saturating_sub(5),
            Cmd::RotateNow => {
                if d.function_arn().is_none() {
                    return sh.send(Request::RotationFunctions {
                        then: FunctionFor::RotateNow { arn, name },
                    });
                }
                if let Some(a) = d.unfinished_attempt() {
                    let status = a.status.as_str();
                    sh.error(format!(
                        "A rotation of {name} is {status}: cancel it (X) or let it finish first."
                    ));
                    return vec![];
                }
                Self::confirm_rotate_now(Some(&*self), sh, arn, name, None);
            }
            Cmd::EditSchedule => match d.function_arn() {
                None => {
                    return sh.send(Request::RotationFunctions {
                        then: FunctionFor::Schedule { arn, name },
                    });
                }
                Some(_) => {
                    let rules = d
                        .view
                        .as_ref()
                        .and_then(|v| v.secret.rotation_rules.clone());
                    sh.popup = Some(Popup::Schedule(ScheduleForm::new(
                        arn,
                        name,
                        None,
                        rules.as_ref(),
                    )));
                }
            },
            Cmd::CancelRotation => {
                let unfinished = d.unfinished_attempt().map(|a| a.status.as_str());
                if !d.rotation_enabled() && unfinished.is_none() {
                    sh.info("Rotation is not on for this secret; there is nothing to cancel.");
                    return vec![];
                }
                let mut lines = vec![format!(
                    "Turn off the rotation of {name}? No rotation runs on its schedule after this."
                )];
                if let Some(status) = unfinished {
                    lines.push(format!(
                        "The attempt that is {status} is abandoned: AWSPENDING comes off its version, AWSCURRENT stays where it is."
                    ));
                }
                lines.push("R or e turns it on again.".into());
                sh.popup = Some(Popup::Confirm(Confirm::new(
                    "Cancel rotation",
                    lines,
                    Request::CancelRotation { arn },
                )));
            }
            Cmd::RetryRotation => {
                if d.unfinished_attempt()
                    .is_some_and(|a| a.status == AttemptStatus::Failed)
                {
                    return sh.send(Request::RetryRotation { arn });
                }
                sh.info("There is no failed rotation of this secret to try again.");
            }
            Cmd::ToggleApproval | Cmd::ToggleTwoPerson => {
                let Some(s) = d.approval.ready() else {
                    sh.info("The approval settings are still loading.");
                    return vec![];
                };
                let (require_approval, two_person_rule) = if cmd == Cmd::ToggleApproval {
                    (Some(!s.require_approval), None)
                } else {
                    (None, Some(!s.two_person_rule))
                };
                return sh.send(Request::PutApproval {
                    arn,
                    require_approval,
                    two_person_rule,
                });
            }
            _ => {}
        }
        vec![]
    }

    /// "Rotate now?" with what will happen, including a wait for approval.
    fn confirm_rotate_now(
        d: Option<&Self>,
        sh: &mut Shell,
        arn: String,
        name: String,
        function_arn: Option<String>,
    ) {
        let function = function_arn
            .as_deref()
            .or_else(|| d.and_then(DetailState::function_arn))
            .map_or("—", function_name)
            .to_string();
        let mut lines = vec![
            format!("Rotate {name} now with the rotation function {function}?"),
            "A new version is made (AWSPENDING) and tested; only then does AWSCURRENT move to it, and the old value becomes AWSPREVIOUS.".into(),
        ];
        if d.and_then(|d| d.approval.ready())
            .is_some_and(|s| s.require_approval)
        {
            lines.push(
                "This secret requires approval: the rotation waits in the approval queue (5)."
                    .into(),
            );
        }
        sh.popup = Some(Popup::Confirm(Confirm::new(
            "Rotate now",
            lines,
            Request::RotateNow { arn, function_arn },
        )));
    }

    /// The functions arrived: ask which one the secret rotates with.
    pub(crate) fn functions_loaded(
        sh: &mut Shell,
        then: FunctionFor,
        functions: Vec<RotationFunction>,
    ) -> Vec<Effect> {
        if functions.is_empty() {
            sh.error(
                "There is no rotation function yet: create one with `coffer rotation create-function --name NAME --kind password`.",
            );
            return vec![];
        }
        let name = match &then {
            FunctionFor::RotateNow { name, .. } | FunctionFor::Schedule { name, .. } => {
                name.clone()
            }
        };
        let mut lines = vec![format!(
            "{name} has no rotation function yet. Which one rotates it? (a number or a name)"
        )];
        lines.extend(functions.iter().enumerate().map(|(i, f)| {
            format!(
                "  {}. {} — {}{}",
                i + 1,
                f.name,
                f.kind.label(),
                f.description
                    .as_deref()
                    .map_or(String::new(), |d| format!(" ({d})"))
            )
        }));
        let first = if functions.len() == 1 { "1" } else { "" };
        sh.popup = Some(Popup::Input(Input::new(
            "Choose a rotation function",
            lines,
            first,
            false,
            InputFor::ChooseFunction {
                then,
                options: functions.into_iter().map(|f| (f.name, f.arn)).collect(),
            },
        )));
        vec![]
    }

    /// The function chosen in the dialog: on to the confirmation or the schedule.
    pub(crate) fn function_chosen(
        d: Option<&Self>,
        sh: &mut Shell,
        then: FunctionFor,
        options: &[(String, String)],
        typed: &str,
    ) -> Vec<Effect> {
        let names: Vec<String> = options.iter().map(|(n, _)| n.clone()).collect();
        let picked = super::principals::choice(typed, &names)
            .and_then(|n| options.iter().find(|(name, _)| *name == n))
            .map(|(_, arn)| arn.clone());
        let Some(function_arn) = picked else {
            sh.error("No such rotation function; nothing was changed.");
            return vec![];
        };
        match then {
            FunctionFor::RotateNow { arn, name } => {
                Self::confirm_rotate_now(d, sh, arn, name, Some(function_arn));
            }
            FunctionFor::Schedule { arn, name } => {
                sh.popup = Some(Popup::Schedule(ScheduleForm::new(
                    arn,
                    name,
                    Some(function_arn),
                    None,
                )));
            }
        }
        vec![]
    }
}
