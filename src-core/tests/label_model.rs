//! Model-based property test: random sequences of Create / Put / UpdateSecretVersionStage /
//! Delete / Restore / purge against a tiny in-memory model of versions and labels. After
//! every step the vault must agree with the model: each label on at most one version,
//! AWSCURRENT on exactly one version once a value exists, AWSPREVIOUS following it, and
//! every read returning what the model says.

mod common;

use std::collections::BTreeMap;

use coffer_core::api::*;
use coffer_core::{ErrorCode, SecretText};
use common::*;
use proptest::prelude::*;

const NAMES: [&str; 2] = ["app/a", "app/b"];
const LABELS: [&str; 4] = ["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "BLUE"];

#[derive(Debug, Clone)]
enum Op {
    Create {
        n: usize,
        value: Option<u8>,
    },
    Put {
        n: usize,
        value: u8,
        stages: Vec<usize>,
    },
    Move {
        n: usize,
        stage: usize,
        to: usize,
        name_holder: bool,
    },
    Remove {
        n: usize,
        stage: usize,
    },
    Delete {
        n: usize,
    },
    Restore {
        n: usize,
    },
    AdvanceDays {
        days: u8,
    },
    Get {
        n: usize,
        stage: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..2usize, proptest::option::of(any::<u8>()))
            .prop_map(|(n, value)| Op::Create { n, value }),
        (
            0..2usize,
            any::<u8>(),
            proptest::sample::subsequence(vec![0usize, 2, 3], 0..=2)
        )
            .prop_map(|(n, value, stages)| Op::Put { n, value, stages }),
        (0..2usize, 0..4usize, 0..8usize, any::<bool>()).prop_map(|(n, stage, to, name_holder)| {
            Op::Move {
                n,
                stage,
                to,
                name_holder,
            }
        }),
        (0..2usize, 0..4usize).prop_map(|(n, stage)| Op::Remove { n, stage }),
        (0..2usize).prop_map(|n| Op::Delete { n }),
        (0..2usize).prop_map(|n| Op::Restore { n }),
        (1..10u8).prop_map(|days| Op::AdvanceDays { days }),
        (0..2usize, 0..4usize).prop_map(|(n, stage)| Op::Get { n, stage }),
    ]
}

#[derive(Debug, Default, Clone)]
struct Model {
    /// (version id, value), oldest first.
    versions: Vec<(String, String)>,
    labels: BTreeMap<String, String>,
    deletion_ms: Option<i64>,
}

impl Model {
    fn attach(&mut self, stage: &str, vid: &str) {
        let prev = self.labels.insert(stage.to_string(), vid.to_string());
        if stage == "AWSCURRENT"
            && let Some(p) = prev
            && p != vid
        {
            self.labels.insert("AWSPREVIOUS".into(), p);
        }
    }
    fn value_of(&self, vid: &str) -> Option<&String> {
        self.versions.iter().find(|v| v.0 == vid).map(|v| &v.1)
    }
}

fn outcome<T>(r: coffer_core::Result<T>) -> Result<T, ErrorCode> {
    r.map_err(|e| e.code)
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let f = fixture();
    let mut model: BTreeMap<usize, Model> = BTreeMap::new();
    for op in ops {
        let now = f.vault.now().as_millisecond();
        match op.clone() {
            Op::Create { n, value } => {
                let r = outcome(f.vault.create_secret(
                    &f.caller,
                    CreateSecretRequest {
                        name: NAMES[n].into(),
                        secret_string: value.map(|v| SecretText::new(format!("value-{v}"))),
                        ..Default::default()
                    },
                ));
                match model.get(&n) {
                    Some(m) if m.deletion_ms.is_some() => {
                        prop_assert_eq!(r.err(), Some(ErrorCode::InvalidRequest))
                    }
                    Some(_) => prop_assert_eq!(r.err(), Some(ErrorCode::ResourceExists)),
                    None => {
                        let r = r.expect("create succeeds");
                        let mut m = Model::default();
                        if let (Some(v), Some(vid)) = (value, r.version_id) {
                            m.versions.push((vid.clone(), format!("value-{v}")));
                            m.attach("AWSCURRENT", &vid);
                        }
                        model.insert(n, m);
                    }
                }
            }
            Op::Put { n, value, stages } => {
                let mut stages: Vec<String> =
                    stages.into_iter().map(|i| LABELS[i].to_string()).collect();
                if stages.is_empty() {
                    stages.push("AWSCURRENT".into());
                }
                let r = outcome(f.vault.put_secret_value(
                    &f.caller,
                    PutSecretValueRequest {
                        secret_id: NAMES[n].into(),
                        secret_string: Some(SecretText::new(format!("value-{value}"))),
                        version_stages: Some(stages.clone()),
                        ..Default::default()
                    },
                ));
                match model.get_mut(&n) {
                    None => prop_assert_eq!(r.err(), Some(ErrorCode::ResourceNotFound)),
                    Some(m) if m.deletion_ms.is_some() => {
                        prop_assert_eq!(r.err(), Some(ErrorCode::InvalidRequest))
                    }
                    Some(m) => {
                        // The first version of a secret gets AWSCURRENT whatever it asked for.
                        let r = r.expect("put succeeds");
                        m.versions
                            .push((r.version_id.clone(), format!("value-{value}")));
                        for s in &stages {
                            m.attach(s, &r.version_id);
                        }
                        if !m.labels.contains_key("AWSCURRENT") {
                            m.attach("AWSCURRENT", &r.version_id);
                        }
                    }
                }
            }
            Op::Move {
                n,
                stage,
                to,
                name_holder,
            } => {
                let Some(m) = model.get_mut(&n) else { continue };
                if m.versions.is_empty() {
                    continue;
                }
                let stage = LABELS[stage];
                let target = m.versions[to % m.versions.len()].0.clone();
                let holder = m.labels.get(stage).cloned();
                let from = if name_holder { holder.clone() } else { None };
                let r = outcome(f.vault.update_secret_version_stage(
                    &f.caller,
                    UpdateSecretVersionStageRequest {
                        secret_id: NAMES[n].into(),
                        version_stage: stage.into(),
                        remove_from_version_id: from.clone(),
                        move_to_version_id: Some(target.clone()),
                    },
                ));
                if m.deletion_ms.is_some() {
                    prop_assert_eq!(r.err(), Some(ErrorCode::InvalidRequest));
                } else if holder.as_ref().is_some_and(|h| h != &target) && from.is_none() {
                    prop_assert_eq!(r.err(), Some(ErrorCode::InvalidParameter));
                } else {
                    prop_assert!(r.is_ok(), "move failed: {:?}", r.err());
                    m.attach(stage, &target);
                }
            }
            Op::Remove { n, stage } => {
                let Some(m) = model.get_mut(&n) else { continue };
                let stage = LABELS[stage];
                let Some(holder) = m.labels.get(stage).cloned() else {
                    continue;
                };
                let r = outcome(f.vault.update_secret_version_stage(
                    &f.caller,
                    UpdateSecretVersionStageRequest {
                        secret_id: NAMES[n].into(),
                        version_stage: stage.into(),
                        remove_from_version_id: Some(holder),
                        move_to_version_id: None,
                    },
                ));
                if m.deletion_ms.is_some() {
                    prop_assert_eq!(r.err(), Some(ErrorCode::InvalidRequest));
                } else if stage == "AWSCURRENT" {
                    prop_assert_eq!(r.err(), Some(ErrorCode::InvalidParameter));
                } else {
                    prop_assert!(r.is_ok());
                    m.labels.remove(stage);
                }
            }
            Op::Delete { n } => {
                let r = outcome(f.vault.delete_secret(
                    &f.caller,
                    DeleteSecretRequest {
                        secret_id: NAMES[n].into(),
                        recovery_window_in_days: Some(7),
                        ..Default::default()
                    },
                ));
                match model.get_mut(&n) {
                    None => prop_assert_eq!(r.err(), Some(ErrorCode::ResourceNotFound)),
                    Some(m) if m.deletion_ms.is_some() => {
                        prop_assert_eq!(r.err(), Some(ErrorCode::InvalidRequest))
                    }
                    Some(m) => {
                        prop_assert!(r.is_ok());
                        m.deletion_ms = Some(now + 7 * 86_400_000);
                    }
                }
            }
            Op::Restore { n } => {
                let r = outcome(f.vault.restore_secret(
                    &f.caller,
                    SecretIdRequest {
                        secret_id: NAMES[n].into(),
                    },
                ));
                match model.get_mut(&n) {
                    None => prop_assert_eq!(r.err(), Some(ErrorCode::ResourceNotFound)),
                    Some(m) => {
                        prop_assert!(r.is_ok());
                        m.deletion_ms = None;
                    }
                }
            }
            Op::AdvanceDays { days } => {
                f.clock
                    .advance(jiff::SignedDuration::from_hours(24 * i64::from(days)));
                let now = f.vault.now().as_millisecond();
                model.retain(|_, m| m.deletion_ms.is_none_or(|d| d > now));
            }
            Op::Get { n, stage } => {
                let stage = LABELS[stage];
                let r = outcome(f.get_at(NAMES[n], None, Some(stage)));
                match model.get(&n) {
                    None => prop_assert_eq!(r.err(), Some(ErrorCode::ResourceNotFound)),
                    Some(m) if m.deletion_ms.is_some() => {
                        prop_assert_eq!(r.err(), Some(ErrorCode::InvalidRequest))
                    }
                    Some(m) => match m.labels.get(stage) {
                        None => prop_assert_eq!(r.err(), Some(ErrorCode::ResourceNotFound)),
                        Some(vid) => prop_assert_eq!(r.ok(), m.value_of(vid).cloned()),
                    },
                }
            }
        }
        // After every step: the vault's labels are exactly the model's.
        for (n, m) in &model {
            let d = f.vault.describe_secret(
                &f.caller,
                SecretIdRequest {
                    secret_id: NAMES[*n].into(),
                },
            );
            let d = d.map_err(|e| {
                TestCaseError::fail(format!("describe {}: {e} after {op:?}", NAMES[*n]))
            })?;
            let mut labels: BTreeMap<String, String> = BTreeMap::new();
            for (vid, stages) in &d.version_ids_to_stages {
                for s in stages {
                    prop_assert!(
                        labels.insert(s.clone(), vid.clone()).is_none(),
                        "label {} on two versions",
                        s
                    );
                }
            }
            prop_assert_eq!(&labels, &m.labels, "after {:?}", op);
            if !m.versions.is_empty() {
                prop_assert!(
                    labels.contains_key("AWSCURRENT"),
                    "a secret with a value has no AWSCURRENT"
                );
            }
            let all = f
                .vault
                .list_secret_version_ids(
                    &f.caller,
                    ListSecretVersionIdsRequest {
                        secret_id: NAMES[*n].into(),
                        include_deprecated: true,
                        ..Default::default()
                    },
                )
                .unwrap();
            prop_assert_eq!(all.versions.len(), m.versions.len());
        }
        for (n, name) in NAMES.iter().enumerate() {
            if !model.contains_key(&n) {
                let d = f.vault.describe_secret(
                    &f.caller,
                    SecretIdRequest {
                        secret_id: name.to_string(),
                    },
                );
                prop_assert_eq!(d.err().map(|e| e.code), Some(ErrorCode::ResourceNotFound));
            }
        }
    }
    prop_assert!(f.vault.verify_audit_trail(&f.caller).unwrap().intact);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn the_vault_agrees_with_the_label_model(ops in proptest::collection::vec(op(), 1..40)) {
        run(ops)?;
    }
}
