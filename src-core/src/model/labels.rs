//! The staging-label rule of UpdateSecretVersionStage, as steps: the vault carries them out
//! (`SecretDoc::attach`) and a console shows them before it asks, so the preview and the act
//! cannot disagree. Moving a label takes it from the version that holds it; moving AWSCURRENT
//! also hands AWSPREVIOUS to the version that held AWSCURRENT.

use serde::{Deserialize, Serialize};

use super::{AWSCURRENT, AWSPREVIOUS};

/// One label going from the version that holds it (`None`: no version holds it yet) to `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LabelStep {
    pub label: String,
    pub from: Option<String>,
    pub to: String,
}

/// A version's id and its labels, as a console lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct VersionLabels {
    pub version_id: String,
    pub stages: Vec<String>,
}

/// What moving a label does: its steps (none when `to` holds it already) and every version's
/// labels afterwards, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LabelMove {
    pub steps: Vec<LabelStep>,
    pub after: Vec<VersionLabels>,
}

impl LabelMove {
    /// Moving `label` to version `to` among `versions`.
    pub fn plan(versions: &[VersionLabels], label: &str, to: &str) -> Self {
        let holder = |l: &str| {
            versions
                .iter()
                .find(|v| v.stages.iter().any(|s| s == l))
                .map(|v| v.version_id.as_str())
        };
        let steps = steps(holder, label, to);
        let mut after = versions.to_vec();
        for step in &steps {
            for v in &mut after {
                if step.from.as_deref() == Some(v.version_id.as_str()) {
                    v.stages.retain(|s| *s != step.label);
                }
            }
            for v in &mut after {
                if v.version_id == step.to {
                    v.stages.push(step.label.clone());
                }
            }
        }
        Self { steps, after }
    }

    /// The version `label` is taken from, when it moves and some version holds it: what
    /// UpdateSecretVersionStage's `RemoveFromVersionId` must name.
    pub fn from(&self) -> Option<&str> {
        self.steps.first().and_then(|s| s.from.as_deref())
    }
}

/// The steps of moving `label` to `to`, given where each label is now (`holder`).
pub fn steps<'a>(
    holder: impl Fn(&str) -> Option<&'a str>,
    label: &str,
    to: &str,
) -> Vec<LabelStep> {
    let from = holder(label);
    if from == Some(to) {
        return Vec::new();
    }
    let mut steps = vec![LabelStep {
        label: label.to_string(),
        from: from.map(str::to_string),
        to: to.to_string(),
    }];
    if label == AWSCURRENT
        && let Some(old) = from
    {
        let previous = holder(AWSPREVIOUS);
        if previous != Some(old) {
            steps.push(LabelStep {
                label: AWSPREVIOUS.to_string(),
                from: previous.map(str::to_string),
                to: old.to_string(),
            });
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions() -> Vec<VersionLabels> {
        [
            ("v1", vec!["AWSCURRENT"]),
            ("v2", vec!["AWSPREVIOUS", "TEST"]),
            ("v3", vec![]),
        ]
        .into_iter()
        .map(|(id, st)| VersionLabels {
            version_id: id.into(),
            stages: st.into_iter().map(String::from).collect(),
        })
        .collect()
    }

    fn stages(m: &LabelMove) -> Vec<Vec<&str>> {
        m.after
            .iter()
            .map(|v| v.stages.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn moving_awscurrent_hands_awsprevious_to_the_version_that_held_it() {
        let m = LabelMove::plan(&versions(), "AWSCURRENT", "v3");
        assert_eq!(m.from(), Some("v1"));
        assert_eq!(m.steps.len(), 2);
        assert_eq!(m.steps[1].label, "AWSPREVIOUS");
        assert_eq!(m.steps[1].from.as_deref(), Some("v2"));
        assert_eq!(m.steps[1].to, "v1");
        assert_eq!(
            stages(&m),
            [vec!["AWSPREVIOUS"], vec!["TEST"], vec!["AWSCURRENT"]]
        );
    }

    #[test]
    fn rolling_back_to_the_previous_version_swaps_the_two_labels() {
        let m = LabelMove::plan(&versions(), "AWSCURRENT", "v2");
        assert_eq!(
            stages(&m),
            [vec!["AWSPREVIOUS"], vec!["TEST", "AWSCURRENT"], vec![]]
        );
    }

    #[test]
    fn moving_another_label_touches_only_that_label() {
        let m = LabelMove::plan(&versions(), "TEST", "v1");
        assert_eq!(m.steps.len(), 1);
        assert_eq!(
            stages(&m),
            [vec!["AWSCURRENT", "TEST"], vec!["AWSPREVIOUS"], vec![]]
        );
    }

    #[test]
    fn a_new_label_comes_from_no_version() {
        let m = LabelMove::plan(&versions(), "CANARY", "v3");
        assert_eq!(m.from(), None);
        assert_eq!(m.steps[0].from, None);
        assert_eq!(stages(&m)[2], vec!["CANARY"]);
    }

    #[test]
    fn a_label_already_on_the_version_moves_nothing() {
        let m = LabelMove::plan(&versions(), "AWSCURRENT", "v1");
        assert!(m.steps.is_empty());
        assert_eq!(m.after, versions());
    }
}
