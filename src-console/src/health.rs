//! The Health screen's command: the core's health report as the core makes it (its types
//! cross IPC as they are, their TypeScript generated beside the DTOs'), computed on a
//! blocking thread so the page never waits on it. The fixes it offers are carried out by
//! the commands that already do each act (rotate_now, schedule_deletion, update_access_key).

use coffer_core::health::{HealthReport, Thresholds};

use crate::commands::{Desktop, done};
use crate::dto::{Done, IpcResult};

impl Desktop {
    /// What an operator should fix today, at the default thresholds (audited as one
    /// GenerateHealthReport event).
    pub fn health_report(&self) -> IpcResult<HealthReport> {
        let (v, c) = self.open()?;
        Ok(v.health_report(&c, &Thresholds::default())?)
    }

    /// Puts an unused-access finding's least-privilege policy in place, as the operator saw
    /// it in the diff (the core makes it again and checks it with the simulator first).
    pub fn apply_least_privilege(&self, principal_arn: &str, proposed: &str) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let a =
            v.apply_least_privilege_policy(&c, principal_arn, proposed, &Thresholds::default())?;
        Ok(done(coffer_core::said::least_privilege_applied(
            &a.principal_arn,
            &a.policy_name,
        )))
    }
}

#[cfg(test)]
mod tests {
    use coffer_core::health::{FindingKind, Fix, Subject};

    use crate::commands::tests::{arn_of, unlocked};

    #[test]
    fn the_health_report_finds_the_weak_values_and_carries_no_value() {
        let (_dir, d) = unlocked();
        let report = d.health_report().unwrap();
        let api = arn_of(&d, "prod/api");
        let weak = report
            .findings
            .iter()
            .find(|f| {
                f.kind == FindingKind::WeakValue
                    && matches!(&f.subject, Subject::Secret { arn, .. } if *arn == api)
            })
            .expect("prod/api's value is weak");
        assert_eq!(
            weak.fix,
            Some(Fix::TurnRotationOn {
                secret_id: api.clone()
            })
        );
        let json = serde_json::to_string(&report).unwrap();
        for value in ["token-1", "\"one\"", "\"x\""] {
            assert!(!json.contains(value), "{value} in the report");
        }
    }

    #[test]
    fn the_health_report_needs_an_unlocked_vault() {
        let (_dir, d) = crate::commands::tests::desktop();
        assert_eq!(
            d.health_report().unwrap_err().code,
            "InvalidRequestException"
        );
    }
}
