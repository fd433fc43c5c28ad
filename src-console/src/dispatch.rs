//! Every command of the desktop console by name, with its arguments as JSON: the one door
//! both the desktop app (its own vault) and the session agent (the vault `coffer unlock`
//! unlocked, for a desktop running through the session) call, so that a command means the
//! same thing wherever it runs.
//!
//! Not here: `unlock` and `lock` (the app's own state; a desktop through the session never
//! unlocks or locks the session's vault, it attaches and detaches), and the clipboard (set
//! in the desktop process: `copy_text` answers the text it puts there).

use coffer_core::Passphrase;
use coffer_core::acts::Act;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::commands::Desktop;
use crate::dto::*;

fn parse<T: DeserializeOwned>(command: &str, args: Value) -> IpcResult<T> {
    // A command without arguments may be sent none.
    let args = match args {
        Value::Null => Value::Object(serde_json::Map::new()),
        args => args,
    };
    serde_json::from_value(args).map_err(|e| IpcError {
        code: "InvalidParameterException".into(),
        message: format!("The arguments of {command} are not what it takes: {e}."),
    })
}

fn answer<T: serde::Serialize>(r: IpcResult<T>) -> IpcResult<Value> {
    serde_json::to_value(r?).map_err(|e| IpcError {
        code: "InternalServiceError".into(),
        message: format!("The answer cannot be sent: {e}."),
    })
}

/// Declares [`dispatch`] and [`COMMANDS`] from one list: each command's arguments (as the
/// JSON object's fields) and the [`Desktop`] call it makes.
macro_rules! commands {
    ($d:ident; $($name:ident($($arg:ident: $ty:ty),*) => $call:expr;)*) => {
        /// The names [`dispatch`] takes.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// Runs the command `command` on `d` with `args` (a JSON object of its arguments)
        /// and answers its result as JSON.
        pub fn dispatch($d: &Desktop, command: &str, args: Value) -> IpcResult<Value> {
            match command {
                $(stringify!($name) => {
                    #[derive(Deserialize)]
                    struct Args { $($arg: $ty),* }
                    let Args { $($arg),* } = parse(command, args)?;
                    answer($call)
                })*
                other => Err(IpcError {
                    code: "InvalidRequestException".into(),
                    message: format!("The desktop console has no command {other}."),
                }),
            }
        }
    };
}

commands! { d;
    vault_status() => Ok(d.status());
    revision() => d.revision();
    query_secrets(query: SecretQuery) => d.query_secrets(&query);
    secret_groups(query: SecretQuery) => d.secret_groups(&query);
    secret_detail(arn: String) => d.secret_detail(&arn);
    reveal_value(arn: String, version_id: String) => d.reveal_value(&arn, &version_id);
    copy_text(arn: String, version_id: String, key: Option<String>) =>
        d.copy_text(&arn, &version_id, key.as_deref()).map(|t| t.to_string());
    diff_versions(arn: String, old: String, new: String) => d.diff_versions(&arn, &old, &new);
    create_secret(input: CreateSecretInput) => d.create_secret(input);
    put_value(arn: String, value: String) => d.put_value(&arn, value);
    put_generated_value(arn: String) => d.put_generated_value(&arn);
    update_description(arn: String, description: String) => d.update_description(&arn, description);
    update_type(arn: String, secret_type: String) => d.update_type(&arn, secret_type);
    move_label(arn: String, label: String, to: String, from: Option<String>) =>
        d.move_label(&arn, &label, &to, from);
    schedule_deletion(arn: String, days: i64) => d.schedule_deletion(&arn, days);
    delete_now(arn: String, typed_name: String) => d.delete_now(&arn, &typed_name);
    restore_secret(arn: String) => d.restore_secret(&arn);
    tag_secret(arn: String, key: String, value: String) => d.tag_secret(&arn, key, value);
    untag_secret(arn: String, key: String) => d.untag_secret(&arn, key);
    get_policy(arn: String) => d.get_policy(&arn);
    validate_policy(arn: String, policy: String) => d.validate_policy(&arn, policy);
    put_policy(arn: String, policy: String, block_public: bool) =>
        d.put_policy(&arn, policy, block_public);
    delete_policy(arn: String) => d.delete_policy(&arn);
    effective_access(arn: String) => d.effective_access(&arn);
    query_audit(query: AuditQuery) => d.query_audit(&query);
    verify_audit() => d.verify_audit();
    principals() => d.principals();
    principal_detail(kind: PrincipalKind, name: String) => d.principal_detail(kind, &name);
    create_principal(kind: PrincipalKind, name: String, document: Option<String>) =>
        d.create_principal(kind, name, document);
    delete_principal(kind: PrincipalKind, name: String) => d.delete_principal(kind, &name);
    attach_policy(kind: PrincipalKind, name: String, policy_arn: String, attach: bool) =>
        d.attach_policy(kind, &name, &policy_arn, attach);
    create_access_key(kind: PrincipalKind, name: String) => d.create_access_key(kind, &name);
    update_access_key(id: String, active: Option<bool>) => d.update_access_key(&id, active);
    rotation_status(arn: String) => d.rotation_status(&arn);
    preview_schedule(rules: RotationRules) => d.preview_schedule(rules);
    rotation_functions() => d.rotation_functions();
    rotate_now(arn: String, function_arn: Option<String>) => d.rotate_now(&arn, function_arn);
    put_rotation_schedule(arn: String, function_arn: Option<String>, rules: RotationRules, rotate_now: bool) =>
        d.put_rotation_schedule(&arn, function_arn, rules, rotate_now);
    cancel_rotation(arn: String) => d.cancel_rotation(&arn);
    retry_rotation(arn: String) => d.retry_rotation(&arn);
    replicas(arn: String) => d.replicas(&arn);
    replicate_secret(arn: String, region: String, kms_key_id: Option<String>) =>
        d.replicate_secret(&arn, &region, kms_key_id);
    remove_replica(arn: String, region: String) => d.remove_replica(&arn, &region);
    promote_replica(arn: String, region: Option<String>) => d.promote_replica(&arn, region);
    perform(act: Act) => d.perform(act);
    associate_cross_account_replica(arn: String, replica_arn: String) =>
        d.associate_cross_account_replica(&arn, &replica_arn);
    disassociate_cross_account_replica(arn: String, replica_arn: String) =>
        d.disassociate_cross_account_replica(&arn, &replica_arn);
    put_rotation_approval(arn: String, require_approval: Option<bool>, two_person_rule: Option<bool>) =>
        d.put_rotation_approval(&arn, require_approval, two_person_rule);
    approvals() => d.approvals();
    approve_rotation(arn: String, reason: Option<String>) => d.approve_rotation(&arn, reason);
    reject_rotation(arn: String, reason: String) => d.reject_rotation(&arn, reason);
    add_operator(name: String, passphrase: String) =>
        d.add_operator(&name, Passphrase::new(passphrase));
    remove_operator(name: String) => d.remove_operator(&name);
    change_passphrase(old: String, new: String) =>
        d.change_passphrase(Passphrase::new(old), Passphrase::new(new));
    inline_policy(kind: PrincipalKind, name: String, policy_name: String) =>
        d.inline_policy(kind, &name, &policy_name);
    put_inline_policy(kind: PrincipalKind, name: String, policy_name: String, document: String) =>
        d.put_inline_policy(kind, &name, &policy_name, &document);
    delete_inline_policy(kind: PrincipalKind, name: String, policy_name: String) =>
        d.delete_inline_policy(kind, &name, &policy_name);
    health_report() => d.health_report();
    apply_least_privilege(principal_arn: String, proposed: String) =>
        d.apply_least_privilege(&principal_arn, &proposed);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use coffer_core::Vault;
    use serde_json::json;

    use super::*;
    use crate::commands::tests::{PASS, arn_of, desktop, unlocked};

    #[test]
    fn a_command_by_name_answers_its_methods_result_as_the_pages_json() {
        let (_dir, d) = unlocked();
        let arn = arn_of(&d, "prod/api");
        let done = dispatch(&d, "put_value", json!({ "arn": arn, "value": "token-2" })).unwrap();
        assert!(
            done["message"].as_str().unwrap().contains("prod/api"),
            "{done}"
        );
        let detail = dispatch(&d, "secret_detail", json!({ "arn": arn })).unwrap();
        assert_eq!(detail["Versions"].as_array().unwrap().len(), 2, "{detail}");
        let status = dispatch(&d, "vault_status", Value::Null).unwrap();
        assert_eq!(status["session"]["operator"], "admin", "{status}");
    }

    #[test]
    fn an_unknown_command_and_arguments_of_the_wrong_shape_are_aws_errors() {
        let (_dir, d) = unlocked();
        let e = dispatch(&d, "unlock", json!({})).unwrap_err();
        assert_eq!(e.code, "InvalidRequestException");
        let e = dispatch(&d, "secret_detail", json!({ "arn": 7 })).unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
    }

    #[test]
    fn a_desktop_serving_the_session_acts_as_its_operator_with_front_end_session() {
        let (_dir, d) = desktop();
        let vault = Arc::new(Vault::open(d.path(), None, &Passphrase::new(PASS.into())).unwrap());
        let served = Desktop::serving(d.path().to_path_buf(), vault);
        let arn = arn_of(&served, "prod/db");
        dispatch(
            &served,
            "tag_secret",
            json!({ "arn": arn, "key": "team", "value": "core" }),
        )
        .unwrap();
        let page = served
            .query_audit(&AuditQuery {
                secret_id: Some(arn),
                limit: 100,
                ..Default::default()
            })
            .unwrap();
        let tagged = page
            .events
            .iter()
            .find(|e| e.event_name == "TagResource")
            .expect("the tag's event");
        assert_eq!(tagged.front_end, "session");
        assert!(tagged.principal_arn.ends_with("/admin"), "{tagged:?}");
    }
}
