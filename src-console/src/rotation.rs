//! The rotation commands: a secret's Rotation tab (status, schedule with its next windows,
//! history step by step, rotate now, cancel, retry, approval settings) and the Approvals
//! screen (approve or reject with a reason). Acts that start a rotation wake the core's background runner.

use coffer_core::api::{RotateSecretRequest, SecretIdRequest};
use coffer_core::background::Runner;
use coffer_core::clock::{Clock, SystemClock};
use coffer_core::model::epoch_seconds;
use coffer_core::rotation::schedule::Schedule;
use coffer_core::said;
use coffer_core::vault::rotation::{DecideRotationRequest, PutRotationApprovalRequest};

use crate::commands::{Desktop, done};
use crate::dto::*;

impl Desktop {
    /// A secret's rotation: configuration, approval settings in force, the next windows and
    /// the attempts, newest first (views, not reads of any value).
    pub fn rotation_status(&self, arn: &str) -> IpcResult<RotationView> {
        let (v, c) = self.open()?;
        Ok(v.rotation_view(&c, arn)?)
    }

    /// Validates rules as RotateSecret will, and the next five window starts from now.
    pub fn preview_schedule(&self, rules: RotationRules) -> IpcResult<Vec<f64>> {
        let schedule = Schedule::parse(&rules.without_blanks())?;
        let now = SystemClock.now().as_millisecond();
        Ok(schedule
            .preview(now, Schedule::PREVIEW_WINDOWS)
            .into_iter()
            .map(epoch_seconds)
            .collect())
    }

    pub fn rotation_functions(&self) -> IpcResult<Vec<FunctionView>> {
        let (v, c) = self.open()?;
        Ok(v.list_rotation_functions(&c)?
            .functions
            .into_iter()
            .map(FunctionView::from)
            .collect())
    }

    /// RotateSecret now, with the secret's function or `function_arn`; the scheduler runs it
    /// at once (or it waits for approval).
    pub fn rotate_now(&self, arn: &str, function_arn: Option<String>) -> IpcResult<Done> {
        self.rotate(arn, function_arn, None, true)
    }

    /// Sets the schedule (and the function), and with `rotate_now` rotates at once as well:
    /// one RotateSecret either way.
    pub fn put_rotation_schedule(
        &self,
        arn: &str,
        function_arn: Option<String>,
        rules: RotationRules,
        rotate_now: bool,
    ) -> IpcResult<Done> {
        self.rotate(arn, function_arn, Some(rules), rotate_now)
    }

    fn rotate(
        &self,
        arn: &str,
        function_arn: Option<String>,
        rules: Option<RotationRules>,
        now: bool,
    ) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let saving = rules.is_some();
        let r = v.rotate_secret(
            &c,
            RotateSecretRequest {
                secret_id: arn.to_string(),
                rotation_lambda_arn: function_arn.filter(|f| !f.is_empty()),
                rotation_rules: rules.map(RotationRules::without_blanks),
                rotate_immediately: Some(now),
                ..Default::default()
            },
        )?;
        let saved = if saving {
            said::saved_rotation_schedule(&r.name)
        } else {
            String::new()
        };
        if !now {
            return Ok(done(saved));
        }
        let waits = v.rotation_approval(&c, Some(arn))?.require_approval;
        self.kick_rotations();
        let requested = said::rotation_requested(&r.name, r.version_id.as_deref(), waits);
        Ok(done(if saving {
            format!("{saved} {requested}")
        } else {
            requested
        }))
    }

    /// CancelRotateSecret: the schedule is off; an unfinished attempt is abandoned.
    pub fn cancel_rotation(&self, arn: &str) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.cancel_rotate_secret(
            &c,
            SecretIdRequest {
                secret_id: arn.to_string(),
            },
        )?;
        Ok(done(said::rotation_off(&r.name, r.version_id.as_deref())))
    }

    /// Tries a failed rotation again now.
    pub fn retry_rotation(&self, arn: &str) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let a = v.retry_rotation(
            &c,
            SecretIdRequest {
                secret_id: arn.to_string(),
            },
        )?;
        self.kick_rotations();
        Ok(done(format!(
            "The failed rotation of {} is tried again now.",
            a.secret_name
        )))
    }

    /// Whether this secret's rotations wait for approval, and whether the requester may
    /// approve their own (`None` leaves a setting as it is).
    pub fn put_rotation_approval(
        &self,
        arn: &str,
        require_approval: Option<bool>,
        two_person_rule: Option<bool>,
    ) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let s = v.put_rotation_approval(
            &c,
            PutRotationApprovalRequest {
                secret_id: Some(arn.to_string()),
                require_approval,
                two_person_rule,
            },
        )?;
        Ok(done(s.sentence()))
    }

    /// The rotations waiting for approval, oldest first, and the background runner's state.
    pub fn approvals(&self) -> IpcResult<ApprovalsOutput> {
        let (v, c) = self.open()?;
        Ok(ApprovalsOutput {
            pending: v.approval_queue(&c)?,
            background: self
                .background()
                .as_ref()
                .map(Runner::status)
                .unwrap_or_default(),
        })
    }

    /// Approves a waiting rotation (it starts at once), with an optional reason.
    pub fn approve_rotation(&self, arn: &str, reason: Option<String>) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let a = v.approve_rotation(
            &c,
            DecideRotationRequest {
                secret_id: arn.to_string(),
                reason: reason.filter(|r| !r.trim().is_empty()),
            },
        )?;
        self.kick_rotations();
        Ok(done(said::approved_rotation(&a.secret_name)))
    }

    /// Rejects a waiting rotation; the reason is required.
    pub fn reject_rotation(&self, arn: &str, reason: String) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let a = v.reject_rotation(
            &c,
            DecideRotationRequest {
                secret_id: arn.to_string(),
                reason: Some(reason),
            },
        )?;
        Ok(done(said::rejected_rotation(&a.secret_name)))
    }
}

#[cfg(test)]
mod tests {
    use coffer_core::FrontEnd;
    use coffer_core::Passphrase;
    use coffer_core::api::GetRandomPasswordRequest;
    use coffer_core::background::Job;
    use coffer_core::vault::rotation::{CreateRotationFunctionRequest, FunctionKind};

    use crate::commands::tests::{arn_of, events, unlocked};
    use crate::dto::*;
    use coffer_core::vault::rotation::AttemptStatus;

    /// Registers the built-in password function `pw` and returns its ARN.
    fn password_function(d: &crate::commands::Desktop) -> String {
        let (v, _) = d.open().unwrap();
        let c = v.caller(FrontEnd::Cli);
        v.create_rotation_function(
            &c,
            CreateRotationFunctionRequest {
                name: "pw".into(),
                description: Some("new passwords".into()),
                kind: FunctionKind::Password {
                    json_key: None,
                    options: GetRandomPasswordRequest::default(),
                },
            },
        )
        .unwrap()
        .arn
    }

    fn days(n: i64) -> RotationRules {
        RotationRules {
            automatically_after_days: Some(n),
            ..Default::default()
        }
    }

    #[test]
    fn a_schedule_is_validated_as_typed_and_previews_five_rising_windows() {
        let (_dir, d) = unlocked();
        let windows = d
            .preview_schedule(RotationRules {
                schedule_expression: Some("rate(10 days)".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(windows.len(), 5);
        assert!(windows.windows(2).all(|w| w[1] - w[0] == 10.0 * 86_400.0));
        let e = d
            .preview_schedule(RotationRules {
                schedule_expression: Some("rate(1 hours)".into()),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        let e = d.preview_schedule(days(1001)).unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
    }

    #[test]
    fn a_saved_schedule_shows_its_rules_and_next_windows_and_cancelling_turns_it_off() {
        let (_dir, d) = unlocked();
        let arn = arn_of(&d, "prod/db");
        let function = password_function(&d);
        assert_eq!(d.rotation_functions().unwrap()[0].kind, "password");
        d.put_rotation_schedule(&arn, Some(function.clone()), days(30), false)
            .unwrap();
        let s = d.rotation_status(&arn).unwrap();
        assert!(s.rotation_enabled);
        assert_eq!(s.function_arn.as_deref(), Some(function.as_str()));
        assert_eq!(s.rotation_rules, Some(days(30)));
        assert_eq!(s.next_windows.len(), 5);
        assert!(s.attempts.is_empty(), "saving a schedule rotates nothing");
        assert!(d.secret_detail(&arn).unwrap().secret.rotation_enabled == Some(true));
        d.cancel_rotation(&arn).unwrap();
        assert!(!d.rotation_status(&arn).unwrap().rotation_enabled);
        assert!(events(&d, &arn).contains(&"CancelRotateSecret".to_string()));
    }

    #[test]
    fn saving_a_schedule_and_rotating_now_is_one_audited_rotate_secret() {
        let (_dir, d) = unlocked();
        let arn = arn_of(&d, "prod/api");
        let function = password_function(&d);
        let said = d
            .put_rotation_schedule(&arn, Some(function), days(30), true)
            .unwrap();
        assert!(
            said.message.starts_with(
                "Saved the rotation schedule of prod/api. Rotation of prod/api requested"
            ),
            "{}",
            said.message
        );
        let rotate_events = events(&d, &arn)
            .iter()
            .filter(|e| *e == "RotateSecret")
            .count();
        assert_eq!(rotate_events, 1);
        d.background().as_ref().unwrap().run_now();
        let s = d.rotation_status(&arn).unwrap();
        assert!(s.rotation_enabled);
        assert_eq!(s.attempts[0].attempt.status, AttemptStatus::Succeeded);
    }

    #[test]
    fn rotate_now_runs_on_the_background_runner_and_moves_awscurrent() {
        let (_dir, d) = unlocked();
        let arn = arn_of(&d, "prod/api");
        let function = password_function(&d);
        let before = d.secret_detail(&arn).unwrap();
        d.rotate_now(&arn, Some(function)).unwrap();
        let ran = d.background().as_ref().unwrap().run_now();
        assert!(ran.jobs.iter().all(|j| j.last_error.is_none()), "{ran:?}");
        let s = d.rotation_status(&arn).unwrap();
        let a = &s.attempts[0].attempt;
        assert_eq!(a.status, AttemptStatus::Succeeded, "{a:?}");
        let steps: Vec<&str> = a.steps.iter().map(|s| s.step.as_str()).collect();
        assert_eq!(
            steps,
            ["createSecret", "setSecret", "testSecret", "finishSecret"]
        );
        let after = d.secret_detail(&arn).unwrap();
        let current = |d: &SecretView| {
            d.versions
                .iter()
                .find(|v| v.version_stages.iter().any(|s| s == "AWSCURRENT"))
                .map(|v| v.version_id.clone())
        };
        assert_eq!(current(&after), Some(a.token.clone()));
        assert_ne!(current(&before), current(&after));
        assert!(after.secret.last_rotated_date.is_some());
    }

    #[test]
    fn a_rotation_that_needs_approval_waits_in_the_queue_until_approved() {
        let (_dir, d) = unlocked();
        let arn = arn_of(&d, "prod/db");
        let function = password_function(&d);
        d.put_rotation_approval(&arn, Some(true), None).unwrap();
        let s = d.rotation_status(&arn).unwrap();
        assert!(s.approval.require_approval && !s.approval.two_person_rule);
        d.rotate_now(&arn, Some(function)).unwrap();
        d.background().as_ref().unwrap().run_now();
        let queue = d.approvals().unwrap();
        assert_eq!(queue.pending.len(), 1);
        assert_eq!(
            queue.pending[0].attempt.status,
            AttemptStatus::AwaitingApproval
        );
        assert_eq!(queue.pending[0].attempt.secret_name, "prod/db");
        let rotations = queue.background.job(Job::Rotations).unwrap();
        assert!(queue.background.running && rotations.last_run_date.is_some());

        let e = d.reject_rotation(&arn, " ".into()).unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        d.approve_rotation(&arn, Some("change window".into()))
            .unwrap();
        d.background().as_ref().unwrap().run_now();
        assert!(d.approvals().unwrap().pending.is_empty());
        let a = &d.rotation_status(&arn).unwrap().attempts[0].attempt;
        assert_eq!(a.status, AttemptStatus::Succeeded);
        let decision = a.decision.as_ref().unwrap();
        assert!(decision.approved && decision.by.ends_with("user/admin"));
        assert_eq!(decision.reason.as_deref(), Some("change window"));
        let seen = events(&d, &arn);
        for e in ["RotateSecret", "ApproveRotation", "RotationSucceeded"] {
            assert!(seen.iter().any(|x| x == e), "no {e} in {seen:?}");
        }
    }

    #[test]
    fn under_the_two_person_rule_another_operator_rejects_with_a_reason_and_the_value_stays() {
        let (_dir, d) = unlocked();
        let arn = arn_of(&d, "prod/db");
        let function = password_function(&d);
        d.put_rotation_approval(&arn, Some(true), Some(true))
            .unwrap();
        d.add_operator("bob", Passphrase::new("bob's long passphrase".into()))
            .unwrap();
        // A new operator may do nothing until a policy says so.
        let approver = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["coffer:ApproveRotation","secretsmanager:DescribeSecret"],"Resource":"*"}]}"#;
        d.put_inline_policy(PrincipalKind::Operator, "bob", "approver", approver)
            .unwrap();
        let current = |d: &crate::commands::Desktop| {
            d.secret_detail(&arn)
                .unwrap()
                .versions
                .into_iter()
                .find(|v| v.version_stages.iter().any(|s| s == "AWSCURRENT"))
                .unwrap()
                .version_id
        };
        let before = current(&d);
        d.rotate_now(&arn, Some(function)).unwrap();
        let e = d.approve_rotation(&arn, None).unwrap_err();
        assert_eq!(e.code, "AccessDeniedException");
        assert!(e.message.contains("two-person rule"), "{e:?}");

        d.lock();
        d.unlock(
            Some("bob".into()),
            Passphrase::new("bob's long passphrase".into()),
        )
        .unwrap();
        let e = d.reject_rotation(&arn, " ".into()).unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        d.reject_rotation(&arn, "not during the sale".into())
            .unwrap();
        let a = &d.rotation_status(&arn).unwrap().attempts[0].attempt;
        assert_eq!(a.status, AttemptStatus::Rejected);
        let decision = a.decision.as_ref().unwrap();
        assert!(!decision.approved && decision.by.ends_with("user/bob"));
        assert_eq!(decision.reason.as_deref(), Some("not during the sale"));
        assert_eq!(current(&d), before);
        assert!(
            d.secret_detail(&arn)
                .unwrap()
                .versions
                .iter()
                .all(|v| !v.version_stages.iter().any(|s| s == "AWSPENDING"))
        );
    }

    #[test]
    fn locking_stops_the_background_runner_and_the_approval_queue_is_locked_too() {
        let (_dir, d) = unlocked();
        assert!(d.approvals().unwrap().background.running);
        d.lock();
        assert!(d.background().is_none());
        assert_eq!(d.approvals().unwrap_err().code, "InvalidRequestException");
    }
}
