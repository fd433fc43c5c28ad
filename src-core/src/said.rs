//! What an act did, in the one sentence both consoles show when it succeeds. The terminal
//! console's worker and the desktop's commands both say these, so they are written once here;
//! a sentence names what the operator acted on and never a value.

/// The first eight characters of a version id, as the consoles show one.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// The last part of an ARN (a policy's, a principal's name).
fn last_part(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

pub fn created(what: &str) -> String {
    format!("Created {what}.")
}

pub fn put_value(name: &str, version_id: &str) -> String {
    format!(
        "Put a new value on {name} (version {}, now AWSCURRENT).",
        short_id(version_id)
    )
}

pub fn put_generated_value(name: &str, version_id: &str) -> String {
    format!(
        "Put a generated value on {name} (version {}, now AWSCURRENT).",
        short_id(version_id)
    )
}

pub fn updated_description(name: &str) -> String {
    format!("Updated the description of {name}.")
}

pub fn updated_type(name: &str) -> String {
    format!("Updated the Type of {name}.")
}

pub fn moved_label(label: &str, name: &str, to_version: &str) -> String {
    format!(
        "Moved {label} of {name} to version {}.",
        short_id(to_version)
    )
}

pub fn deleted_for_good(name: &str) -> String {
    format!("Deleted {name} for good.")
}

/// An anchor of the audit trail taken: the newest event it covers and when.
pub fn anchored(sequence: i64, time: &str) -> String {
    format!("Anchored the audit trail at event #{sequence} ({time}).")
}

/// ReplicateSecretToRegions: the region's status after the push that followed
/// (`None`: not in the answer).
pub fn replicating(region: &str, status: Option<&str>) -> String {
    format!(
        "Replicating to {region}: {}.",
        status.unwrap_or("requested")
    )
}

pub fn removed_replica(region: &str) -> String {
    format!("Removed the replica in {region}.")
}

/// A replica made standalone: from the primary's side (`Some(region)`), or the replica here
/// (StopReplicationToReplica).
pub fn promoted_replica(region: Option<&str>) -> String {
    match region {
        Some(region) => format!("The replica in {region} is now a standalone secret there."),
        None => "This replica is now a standalone secret: it takes writes here.".into(),
    }
}

pub fn associated_cross_account(replica_arn: &str, status: &str) -> String {
    format!("Cross-account replica {replica_arn}: {status}.")
}

pub fn disassociated_cross_account(replica_arn: &str) -> String {
    format!("Disassociated {replica_arn}: it stays in its account, Detached.")
}

pub fn restored(name: &str) -> String {
    format!("Restored {name}.")
}

pub fn tagged(key: &str) -> String {
    format!("Tagged {key}.")
}

pub fn saved_resource_policy(name: &str) -> String {
    format!("Saved the resource policy of {name}.")
}

pub fn deleted_resource_policy(name: &str) -> String {
    format!("Deleted the resource policy of {name}.")
}

/// A managed policy attached to (or detached from) a user, role or group.
pub fn attached(policy_arn: &str, name: &str, attach: bool) -> String {
    let policy = last_part(policy_arn);
    if attach {
        format!("Attached {policy} to {name}.")
    } else {
        format!("Detached {policy} from {name}.")
    }
}

pub fn deleted_inline_policy(policy_name: &str, name: &str) -> String {
    format!("Deleted the inline policy {policy_name} of {name}.")
}

/// An access key activated (`Some(true)`), deactivated (`Some(false)`) or deleted (`None`).
pub fn access_key(id: &str, active: Option<bool>) -> String {
    match active {
        Some(true) => format!("Activated the access key {id}."),
        Some(false) => format!("Deactivated the access key {id}."),
        None => format!("Deleted the access key {id}."),
    }
}

pub fn added_operator(name: &str) -> String {
    format!("Added the operator {name}.")
}

pub fn removed_operator(name: &str) -> String {
    format!("Removed the operator {name}; the vault was re-keyed.")
}

pub fn saved_rotation_schedule(name: &str) -> String {
    format!("Saved the rotation schedule of {name}.")
}

/// Rotation turned off (CancelRotateSecret), with the version of the unfinished rotation it
/// cancelled, if there was one.
pub fn rotation_off(name: &str, cancelled_version: Option<&str>) -> String {
    match cancelled_version {
        Some(v) => format!(
            "Rotation of {name} is off; the unfinished rotation to {} was cancelled.",
            short_id(v)
        ),
        None => format!("Rotation of {name} is off."),
    }
}

/// RotateSecret asked for now: the version it makes, and whether it waits for a second
/// operator's approval first.
pub fn rotation_requested(name: &str, version: Option<&str>, waits_for_approval: bool) -> String {
    format!(
        "Rotation of {name} requested (new version {}){}.",
        version.map_or("", short_id),
        if waits_for_approval {
            "; it waits for approval"
        } else {
            ""
        }
    )
}

pub fn approved_rotation(name: &str) -> String {
    format!("Approved the rotation of {name}; it starts now.")
}

pub fn rejected_rotation(name: &str) -> String {
    format!("Rejected the rotation of {name}.")
}

pub fn least_privilege_applied(principal_arn: &str, policy_name: &str) -> String {
    format!("{principal_arn} now has one policy, {policy_name}, granting what it used.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_shorten_version_ids_and_name_policies_by_their_last_part() {
        let v = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            put_value("prod/db", v),
            "Put a new value on prod/db (version 01234567, now AWSCURRENT)."
        );
        assert_eq!(
            moved_label("AWSCURRENT", "prod/db", v),
            "Moved AWSCURRENT of prod/db to version 01234567."
        );
        assert_eq!(
            attached("arn:aws:iam::111122223333:policy/team/ReadDb", "app", true),
            "Attached ReadDb to app."
        );
        assert_eq!(
            attached(
                "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
                "app",
                false
            ),
            "Detached SecretsManagerReadWrite from app."
        );
        assert_eq!(
            rotation_off("prod/db", Some(v)),
            "Rotation of prod/db is off; the unfinished rotation to 01234567 was cancelled."
        );
        assert_eq!(rotation_off("prod/db", None), "Rotation of prod/db is off.");
        assert_eq!(short_id("abc"), "abc");
    }
}
