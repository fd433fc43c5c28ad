//! What a console's tabs show that takes more than one door call — a secret's rotation (its
//! configuration, approval settings, next windows and attempts) and its replicas (with the
//! vault's replica regions and partner accounts) — and the shapes both consoles show an
//! attempt, a rotation function and a re-key in. Each is made of the door methods' own
//! answers, authorized and audited as those are, so the two consoles cannot disagree.

use serde::Serialize;

use super::rekey::RekeyStatus;
use super::replicas::ReplicaRegionView;
use super::rotation::{
    RotationApprovalSettings, RotationAttempt, RotationFunction, RotationHistoryRequest,
};
use super::{Caller, Vault};
use crate::Result;
use crate::api::{
    CrossAccountPrimaryType, CrossAccountReplicaEntry, ReplicationStatusType, RotationRules,
};
use crate::model::epoch_seconds;
use crate::rotation::schedule::Schedule;

/// How many attempts a secret's Rotation tab shows, newest first.
pub const ATTEMPTS_SHOWN: i64 = 100;

/// An attempt as a console shows it to the operator at the keyboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct AttemptView {
    #[serde(flatten)]
    pub attempt: RotationAttempt,
    /// The status as the consoles write it (`awaiting-approval`, `succeeded`...).
    pub status_text: &'static str,
    /// Not ended: waiting for approval, running, or failed and to be tried again.
    pub unfinished: bool,
    /// Whether the two-person rule lets the operator at the keyboard decide on it.
    pub may_decide: bool,
}

impl AttemptView {
    /// `attempt` as the operator `operator_arn` sees it.
    pub fn new(attempt: RotationAttempt, operator_arn: &str) -> Self {
        Self {
            status_text: attempt.status.as_str(),
            unfinished: attempt.status.is_unfinished(),
            may_decide: attempt.may_decide(operator_arn),
            attempt,
        }
    }
}

/// A secret's Rotation tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct RotationView {
    pub rotation_enabled: bool,
    #[serde(rename = "RotationLambdaARN")]
    pub function_arn: Option<String>,
    pub rotation_rules: Option<RotationRules>,
    pub last_rotated_date: Option<f64>,
    /// The next windows' starts (epoch seconds): the secret's next rotation date, then the
    /// schedule's.
    pub next_windows: Vec<f64>,
    /// The approval settings in force for the secret.
    pub approval: RotationApprovalSettings,
    /// Newest first, at most [`ATTEMPTS_SHOWN`].
    pub attempts: Vec<AttemptView>,
}

/// A secret's Replicas tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct ReplicasView {
    /// This vault's region.
    pub home_region: String,
    pub primary_region: Option<String>,
    /// Whether this secret is a replica of another region's secret.
    pub is_replica: bool,
    pub replication_status: Vec<ReplicationStatusType>,
    /// The vault's replica regions.
    pub regions: Vec<ReplicaRegionView>,
    /// On a cross-account replica: its primary in the other account.
    pub cross_account_primary: Option<CrossAccountPrimaryType>,
    /// On a primary: its cross-account replicas.
    pub cross_account_replicas: Vec<CrossAccountReplicaEntry>,
    /// The other accounts' vaults registered for cross-account replicas.
    pub accounts: Vec<ReplicaRegionView>,
}

/// A registered rotation function as a picker lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct FunctionView {
    pub name: String,
    #[serde(rename = "ARN")]
    pub arn: String,
    /// `password`, `postgres (single-user)`, `lambda`...
    pub kind: String,
    pub description: Option<String>,
}

impl From<RotationFunction> for FunctionView {
    fn from(f: RotationFunction) -> Self {
        Self {
            kind: f.kind.label(),
            name: f.name,
            arn: f.arn,
            description: f.description,
        }
    }
}

/// A re-key under way, with the line every front end prints for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RekeyView {
    #[serde(flatten)]
    pub status: RekeyStatus,
    /// `Re-keying secrets: 42% (420 of 1000)`.
    pub line: String,
}

impl From<RekeyStatus> for RekeyView {
    fn from(status: RekeyStatus) -> Self {
        Self {
            line: status.line(),
            status,
        }
    }
}

impl Vault {
    /// A secret's rotation: DescribeSecret's rotation fields (a view), the approval settings
    /// in force, the next windows and the latest attempts (two requests, as the consoles
    /// made them).
    pub fn rotation_view(&self, caller: &Caller, secret_id: &str) -> Result<RotationView> {
        let s = self.secret_view(caller, secret_id)?.secret;
        let approval = self.rotation_approval(caller, Some(secret_id))?;
        let history = self.rotation_history(
            caller,
            &RotationHistoryRequest {
                secret_id: secret_id.to_string(),
                max_results: Some(ATTEMPTS_SHOWN),
                next_token: None,
            },
        )?;
        Ok(RotationView {
            next_windows: s
                .upcoming_windows(Schedule::PREVIEW_WINDOWS)
                .into_iter()
                .map(epoch_seconds)
                .collect(),
            rotation_enabled: s.rotation_enabled == Some(true),
            function_arn: s.rotation_lambda_arn,
            rotation_rules: s.rotation_rules,
            last_rotated_date: s.last_rotated_date,
            approval,
            attempts: history
                .attempts
                .into_iter()
                .map(|a| AttemptView::new(a, &caller.principal_arn))
                .collect(),
        })
    }

    /// The rotations waiting for approval, oldest first, as the caller may decide on them.
    pub fn approval_queue(&self, caller: &Caller) -> Result<Vec<AttemptView>> {
        Ok(self
            .list_pending_rotations(caller)?
            .attempts
            .into_iter()
            .map(|a| AttemptView::new(a, &caller.principal_arn))
            .collect())
    }

    /// A secret's replicas and the vault's replica regions and partner accounts (views, not
    /// reads of a value).
    pub fn replicas_view(&self, caller: &Caller, secret_id: &str) -> Result<ReplicasView> {
        let s = self.secret_view(caller, secret_id)?.secret;
        let regions = self.list_replica_regions(caller)?;
        let accounts = self.list_replica_accounts(caller)?;
        Ok(ReplicasView {
            home_region: self.info().region.clone(),
            is_replica: s.replica_of().is_some(),
            primary_region: s.primary_region,
            replication_status: s.replication_status,
            regions,
            cross_account_primary: s.cross_account_primary,
            cross_account_replicas: s.cross_account_replicas,
            accounts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FrontEnd;
    use crate::api::{CreateSecretRequest, RotateSecretRequest};
    use crate::model::SecretText;
    use crate::vault::RekeyPhase;
    use crate::vault::rotation::{AttemptStatus, CreateRotationFunctionRequest, FunctionKind};

    fn vault_with_secret() -> (Vault, Caller, String) {
        let v = Vault::ephemeral("123456789012", "us-east-1").unwrap();
        let c = Caller::principal(v.administrator_arn(), FrontEnd::Desktop);
        let arn = v
            .create_secret(
                &c,
                CreateSecretRequest {
                    name: "prod/api".into(),
                    secret_string: Some(SecretText::new("token-1".into())),
                    ..Default::default()
                },
            )
            .unwrap()
            .arn;
        (v, c, arn)
    }

    fn password_function(v: &Vault, c: &Caller) -> String {
        v.create_rotation_function(
            c,
            CreateRotationFunctionRequest {
                name: "pw".into(),
                description: None,
                kind: FunctionKind::Password {
                    json_key: None,
                    options: Default::default(),
                },
            },
        )
        .unwrap()
        .arn
    }

    /// RotateSecret now with `function`, and with `rules` when given.
    fn rotate_now(v: &Vault, c: &Caller, arn: &str, function: &str, rules: Option<RotationRules>) {
        v.rotate_secret(
            c,
            RotateSecretRequest {
                secret_id: arn.to_string(),
                rotation_lambda_arn: Some(function.to_string()),
                rotation_rules: rules,
                rotate_immediately: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
    }

    #[test]
    fn the_rotation_tab_holds_the_schedule_its_next_windows_the_approval_and_each_attempt() {
        let (v, c, arn) = vault_with_secret();
        let off = v.rotation_view(&c, &arn).unwrap();
        assert!(!off.rotation_enabled && off.function_arn.is_none());
        assert!(off.next_windows.is_empty() && off.attempts.is_empty());
        assert!(!off.approval.require_approval);

        let function = password_function(&v, &c);
        let every_30_days = RotationRules {
            automatically_after_days: Some(30),
            ..Default::default()
        };
        rotate_now(&v, &c, &arn, &function, Some(every_30_days));
        let on = v.rotation_view(&c, &arn).unwrap();
        assert!(on.rotation_enabled);
        assert_eq!(on.function_arn.as_deref(), Some(function.as_str()));
        assert_eq!(on.next_windows.len(), Schedule::PREVIEW_WINDOWS);
        assert!(on.next_windows.windows(2).all(|w| w[0] < w[1]));
        let [attempt] = on.attempts.as_slice() else {
            panic!("one attempt: {:?}", on.attempts)
        };
        assert_eq!(attempt.attempt.status, AttemptStatus::Running);
        assert_eq!(attempt.status_text, "running");
        assert!(attempt.unfinished && attempt.may_decide);
    }

    #[test]
    fn an_attempt_reaches_a_console_as_the_core_serializes_it_with_what_the_console_adds() {
        let (v, c, arn) = vault_with_secret();
        let function = password_function(&v, &c);
        rotate_now(&v, &c, &arn, &function, None);
        let view = v.rotation_view(&c, &arn).unwrap();
        let json = serde_json::to_value(&view.attempts[0]).unwrap();
        assert_eq!(json["SecretARN"], arn.as_str());
        assert_eq!(json["Status"], "Running");
        assert_eq!(json["StatusText"], "running");
        assert_eq!(json["Unfinished"], true);
        assert_eq!(json["MayDecide"], true);
        assert!(json.get("SecretUid").is_none(), "{json}");
    }

    #[test]
    fn the_replicas_tab_of_a_secret_never_replicated_names_its_home_region_and_nothing_else() {
        let (v, c, arn) = vault_with_secret();
        let view = v.replicas_view(&c, &arn).unwrap();
        assert_eq!(view.home_region, "us-east-1");
        assert!(!view.is_replica);
        assert!(view.replication_status.is_empty() && view.regions.is_empty());
        assert!(view.cross_account_primary.is_none() && view.cross_account_replicas.is_empty());
        assert!(view.accounts.is_empty());
    }

    #[test]
    fn a_rekey_view_carries_the_line_every_front_end_prints() {
        let view = RekeyView::from(RekeyStatus::new(RekeyPhase::Secrets, 420, 1000));
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["line"], "Re-keying secrets: 42% (420 of 1000)");
        assert_eq!(json["percent"], 42);
    }
}
