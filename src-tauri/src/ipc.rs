//! The page's commands. Each one that reaches the vault goes through [`call`]: the
//! [`Console`] runs it by name on this process's vault or forwards it to the session agent
//! the console is attached to (see `coffer_console::session`). Every call runs on a blocking
//! thread, so that a slow vault call or the agent's socket never blocks the window's event
//! loop. Only the clipboard stays here: a copied value is set in this process.

use coffer_console::dto::*;
use coffer_console::{CLIPBOARD_CLEAR_SECONDS, Console};
use coffer_core::Passphrase;
use coffer_core::acts::{Act, ActInfo};
use coffer_core::model::labels::{LabelMove, VersionLabels};
use serde_json::Value;
use tauri::{AppHandle, Manager, State};
use zeroize::Zeroizing;

use crate::clipboard::Clipboard;

/// A command's arguments as the JSON object [`coffer_console::dispatch`] reads.
macro_rules! args {
    ($($arg:ident),*) => {{
        #[allow(unused_mut)]
        let mut m = serde_json::Map::new();
        $(m.insert(stringify!($arg).to_string(), serde_json::to_value(&$arg).map_err(internal)?);)*
        Value::Object(m)
    }};
}

fn internal(e: impl std::fmt::Display) -> IpcError {
    IpcError::from(coffer_core::Error::internal(format!(
        "the command stopped: {e}"
    )))
}

/// Runs `f` on the console on a blocking thread.
async fn blocking<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&Console) -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<Console>()))
        .await
        .map_err(internal)?
}

/// Runs the desktop command `command` where the vault is: here or in the session agent.
async fn call(app: AppHandle, command: &'static str, args: Value) -> IpcResult<Value> {
    blocking(app, move |c| c.call(command, args)).await
}

#[tauri::command]
pub async fn vault_status(app: AppHandle) -> IpcResult<VaultStatus> {
    blocking(app, |c| Ok(c.status())).await
}

#[tauri::command]
pub async fn unlock(
    app: AppHandle,
    operator: Option<String>,
    passphrase: String,
) -> IpcResult<VaultStatus> {
    blocking(app, move |c| {
        c.unlock(operator, Passphrase::new(passphrase))
    })
    .await
}

/// Opens through the vault's session (when `coffer unlock` was run after the console
/// started, or after it was locked).
#[tauri::command]
pub async fn attach_session(app: AppHandle) -> IpcResult<VaultStatus> {
    blocking(app, |c| {
        let socket = coffer_core::running::session_socket(c.local().path(), false)
            .map_err(|e| internal(format!("no session for this vault: {e}")))?;
        c.attach(socket)?;
        Ok(c.status())
    })
    .await
}

/// Locks the console (detaching it from the session, which goes on) and clears a value it
/// copied.
#[tauri::command]
pub async fn lock(console: State<'_, Console>, clipboard: State<'_, Clipboard>) -> IpcResult<()> {
    console.lock();
    clipboard.clear();
    Ok(())
}

/// The vault's revision, or null when the console is locked (a copied value is cleared
/// then: the session may have ended).
#[tauri::command]
pub async fn revision(app: AppHandle) -> IpcResult<Option<i64>> {
    let r = blocking(app.clone(), |c| c.revision()).await?;
    if r.is_none() {
        app.state::<Clipboard>().clear();
    }
    Ok(r)
}

#[tauri::command]
pub async fn running(console: State<'_, Console>) -> IpcResult<Vec<RunningFrontEnd>> {
    Ok(console.local().running())
}

/// Copies a version's value (or one JSON key of it) to the clipboard without sending it to
/// the page; an audited read where the vault is. The clipboard is cleared after
/// [`CLIPBOARD_CLEAR_SECONDS`] if it still holds that value, and at lock.
#[tauri::command]
pub async fn copy_value(
    app: AppHandle,
    arn: String,
    version_id: String,
    key: Option<String>,
) -> IpcResult<CopyReceipt> {
    let text = call(app.clone(), "copy_text", args!(arn, version_id, key)).await?;
    let Value::String(text) = text else {
        return Err(internal("the value came back in another shape"));
    };
    app.state::<Clipboard>()
        .copy(Zeroizing::new(text), CLIPBOARD_CLEAR_SECONDS)
        .map_err(|m| IpcError {
            code: "InternalServiceError".into(),
            message: m,
        })?;
    Ok(CopyReceipt {
        clears_in_seconds: CLIPBOARD_CLEAR_SECONDS,
    })
}

/// What moving a staging label does, as the vault will do it: the dialog's before → after.
#[tauri::command]
pub async fn plan_label_move(versions: Vec<VersionLabels>, label: String, to: String) -> LabelMove {
    LabelMove::plan(&versions, &label, &to)
}

/// The core's vault-wide acts, as the palette lists them.
#[tauri::command]
pub async fn acts() -> Vec<ActInfo> {
    Act::ALL.into_iter().map(Act::info).collect()
}

#[tauri::command]
pub async fn rekey_progress(console: State<'_, Console>) -> IpcResult<Option<RekeyProgress>> {
    Ok(console.rekey_progress())
}

/// The re-key takes a while; the page polls its progress meanwhile.
#[tauri::command]
pub async fn remove_operator(app: AppHandle, name: String) -> IpcResult<Value> {
    call(app, "remove_operator", args!(name)).await
}

#[tauri::command]
pub async fn change_passphrase(app: AppHandle, old: String, new: String) -> IpcResult<Value> {
    call(app, "change_passphrase", args!(old, new)).await
}

/// The first report judges every value it has not judged before.
#[tauri::command]
pub async fn health_report(app: AppHandle) -> IpcResult<Value> {
    call(app, "health_report", args!()).await
}

#[tauri::command]
pub async fn query_secrets(app: AppHandle, query: SecretQueryInput) -> IpcResult<Value> {
    call(app, "query_secrets", args!(query)).await
}

#[tauri::command]
pub async fn secret_groups(app: AppHandle, query: SecretQueryInput) -> IpcResult<Value> {
    call(app, "secret_groups", args!(query)).await
}

#[tauri::command]
pub async fn secret_detail(app: AppHandle, arn: String) -> IpcResult<Value> {
    call(app, "secret_detail", args!(arn)).await
}

#[tauri::command]
pub async fn reveal_value(app: AppHandle, arn: String, version_id: String) -> IpcResult<Value> {
    call(app, "reveal_value", args!(arn, version_id)).await
}

#[tauri::command]
pub async fn diff_versions(
    app: AppHandle,
    arn: String,
    old: String,
    new: String,
) -> IpcResult<Value> {
    call(app, "diff_versions", args!(arn, old, new)).await
}

#[tauri::command]
pub async fn create_secret(app: AppHandle, input: CreateSecretInput) -> IpcResult<Value> {
    call(app, "create_secret", args!(input)).await
}

#[tauri::command]
pub async fn put_value(app: AppHandle, arn: String, value: String) -> IpcResult<Value> {
    call(app, "put_value", args!(arn, value)).await
}

#[tauri::command]
pub async fn update_description(
    app: AppHandle,
    arn: String,
    description: String,
) -> IpcResult<Value> {
    call(app, "update_description", args!(arn, description)).await
}

#[tauri::command]
pub async fn update_type(app: AppHandle, arn: String, secret_type: String) -> IpcResult<Value> {
    call(app, "update_type", args!(arn, secret_type)).await
}

#[tauri::command]
pub async fn move_label(
    app: AppHandle,
    arn: String,
    label: String,
    to: String,
    from: Option<String>,
) -> IpcResult<Value> {
    call(app, "move_label", args!(arn, label, to, from)).await
}

#[tauri::command]
pub async fn schedule_deletion(app: AppHandle, arn: String, days: i64) -> IpcResult<Value> {
    call(app, "schedule_deletion", args!(arn, days)).await
}

#[tauri::command]
pub async fn delete_now(app: AppHandle, arn: String, typed_name: String) -> IpcResult<Value> {
    call(app, "delete_now", args!(arn, typed_name)).await
}

#[tauri::command]
pub async fn restore_secret(app: AppHandle, arn: String) -> IpcResult<Value> {
    call(app, "restore_secret", args!(arn)).await
}

#[tauri::command]
pub async fn tag_secret(
    app: AppHandle,
    arn: String,
    key: String,
    value: String,
) -> IpcResult<Value> {
    call(app, "tag_secret", args!(arn, key, value)).await
}

#[tauri::command]
pub async fn untag_secret(app: AppHandle, arn: String, key: String) -> IpcResult<Value> {
    call(app, "untag_secret", args!(arn, key)).await
}

#[tauri::command]
pub async fn get_policy(app: AppHandle, arn: String) -> IpcResult<Value> {
    call(app, "get_policy", args!(arn)).await
}

#[tauri::command]
pub async fn validate_policy(app: AppHandle, arn: String, policy: String) -> IpcResult<Value> {
    call(app, "validate_policy", args!(arn, policy)).await
}

#[tauri::command]
pub async fn put_policy(
    app: AppHandle,
    arn: String,
    policy: String,
    block_public: bool,
) -> IpcResult<Value> {
    call(app, "put_policy", args!(arn, policy, block_public)).await
}

#[tauri::command]
pub async fn delete_policy(app: AppHandle, arn: String) -> IpcResult<Value> {
    call(app, "delete_policy", args!(arn)).await
}

#[tauri::command]
pub async fn effective_access(app: AppHandle, arn: String) -> IpcResult<Value> {
    call(app, "effective_access", args!(arn)).await
}

#[tauri::command]
pub async fn query_audit(app: AppHandle, query: AuditQueryInput) -> IpcResult<Value> {
    call(app, "query_audit", args!(query)).await
}

#[tauri::command]
pub async fn verify_audit(app: AppHandle) -> IpcResult<Value> {
    call(app, "verify_audit", args!()).await
}

#[tauri::command]
pub async fn principals(app: AppHandle) -> IpcResult<Value> {
    call(app, "principals", args!()).await
}

#[tauri::command]
pub async fn principal_detail(
    app: AppHandle,
    kind: PrincipalKind,
    name: String,
) -> IpcResult<Value> {
    call(app, "principal_detail", args!(kind, name)).await
}

#[tauri::command]
pub async fn create_principal(
    app: AppHandle,
    kind: PrincipalKind,
    name: String,
    document: Option<String>,
) -> IpcResult<Value> {
    call(app, "create_principal", args!(kind, name, document)).await
}

#[tauri::command]
pub async fn delete_principal(
    app: AppHandle,
    kind: PrincipalKind,
    name: String,
) -> IpcResult<Value> {
    call(app, "delete_principal", args!(kind, name)).await
}

#[tauri::command]
pub async fn attach_policy(
    app: AppHandle,
    kind: PrincipalKind,
    name: String,
    policy_arn: String,
    attach: bool,
) -> IpcResult<Value> {
    call(app, "attach_policy", args!(kind, name, policy_arn, attach)).await
}

#[tauri::command]
pub async fn create_access_key(
    app: AppHandle,
    kind: PrincipalKind,
    name: String,
) -> IpcResult<Value> {
    call(app, "create_access_key", args!(kind, name)).await
}

#[tauri::command]
pub async fn update_access_key(
    app: AppHandle,
    id: String,
    active: Option<bool>,
) -> IpcResult<Value> {
    call(app, "update_access_key", args!(id, active)).await
}

#[tauri::command]
pub async fn rotation_status(app: AppHandle, arn: String) -> IpcResult<Value> {
    call(app, "rotation_status", args!(arn)).await
}

#[tauri::command]
pub async fn preview_schedule(app: AppHandle, rules: RulesDto) -> IpcResult<Value> {
    call(app, "preview_schedule", args!(rules)).await
}

#[tauri::command]
pub async fn rotation_functions(app: AppHandle) -> IpcResult<Value> {
    call(app, "rotation_functions", args!()).await
}

#[tauri::command]
pub async fn rotate_now(
    app: AppHandle,
    arn: String,
    function_arn: Option<String>,
) -> IpcResult<Value> {
    call(app, "rotate_now", args!(arn, function_arn)).await
}

#[tauri::command]
pub async fn put_rotation_schedule(
    app: AppHandle,
    arn: String,
    function_arn: Option<String>,
    rules: RulesDto,
    rotate_now: bool,
) -> IpcResult<Value> {
    call(
        app,
        "put_rotation_schedule",
        args!(arn, function_arn, rules, rotate_now),
    )
    .await
}

#[tauri::command]
pub async fn cancel_rotation(app: AppHandle, arn: String) -> IpcResult<Value> {
    call(app, "cancel_rotation", args!(arn)).await
}

#[tauri::command]
pub async fn replicas(app: AppHandle, arn: String) -> IpcResult<Value> {
    call(app, "replicas", args!(arn)).await
}

#[tauri::command]
pub async fn replicate_secret(
    app: AppHandle,
    arn: String,
    region: String,
    kms_key_id: Option<String>,
) -> IpcResult<Value> {
    call(app, "replicate_secret", args!(arn, region, kms_key_id)).await
}

#[tauri::command]
pub async fn remove_replica(app: AppHandle, arn: String, region: String) -> IpcResult<Value> {
    call(app, "remove_replica", args!(arn, region)).await
}

#[tauri::command]
pub async fn promote_replica(
    app: AppHandle,
    arn: String,
    region: Option<String>,
) -> IpcResult<Value> {
    call(app, "promote_replica", args!(arn, region)).await
}

#[tauri::command]
pub async fn perform(app: AppHandle, act: Act) -> IpcResult<Value> {
    call(app, "perform", args!(act)).await
}

#[tauri::command]
pub async fn associate_cross_account_replica(
    app: AppHandle,
    arn: String,
    replica_arn: String,
) -> IpcResult<Value> {
    call(
        app,
        "associate_cross_account_replica",
        args!(arn, replica_arn),
    )
    .await
}

#[tauri::command]
pub async fn disassociate_cross_account_replica(
    app: AppHandle,
    arn: String,
    replica_arn: String,
) -> IpcResult<Value> {
    call(
        app,
        "disassociate_cross_account_replica",
        args!(arn, replica_arn),
    )
    .await
}

#[tauri::command]
pub async fn retry_rotation(app: AppHandle, arn: String) -> IpcResult<Value> {
    call(app, "retry_rotation", args!(arn)).await
}

#[tauri::command]
pub async fn put_rotation_approval(
    app: AppHandle,
    arn: String,
    require_approval: Option<bool>,
    two_person_rule: Option<bool>,
) -> IpcResult<Value> {
    call(
        app,
        "put_rotation_approval",
        args!(arn, require_approval, two_person_rule),
    )
    .await
}

#[tauri::command]
pub async fn approvals(app: AppHandle) -> IpcResult<Value> {
    call(app, "approvals", args!()).await
}

#[tauri::command]
pub async fn approve_rotation(
    app: AppHandle,
    arn: String,
    reason: Option<String>,
) -> IpcResult<Value> {
    call(app, "approve_rotation", args!(arn, reason)).await
}

#[tauri::command]
pub async fn reject_rotation(app: AppHandle, arn: String, reason: String) -> IpcResult<Value> {
    call(app, "reject_rotation", args!(arn, reason)).await
}

#[tauri::command]
pub async fn add_operator(app: AppHandle, name: String, passphrase: String) -> IpcResult<Value> {
    call(app, "add_operator", args!(name, passphrase)).await
}

#[tauri::command]
pub async fn inline_policy(
    app: AppHandle,
    kind: PrincipalKind,
    name: String,
    policy_name: String,
) -> IpcResult<Value> {
    call(app, "inline_policy", args!(kind, name, policy_name)).await
}

#[tauri::command]
pub async fn put_inline_policy(
    app: AppHandle,
    kind: PrincipalKind,
    name: String,
    policy_name: String,
    document: String,
) -> IpcResult<Value> {
    call(
        app,
        "put_inline_policy",
        args!(kind, name, policy_name, document),
    )
    .await
}

#[tauri::command]
pub async fn delete_inline_policy(
    app: AppHandle,
    kind: PrincipalKind,
    name: String,
    policy_name: String,
) -> IpcResult<Value> {
    call(app, "delete_inline_policy", args!(kind, name, policy_name)).await
}

#[tauri::command]
pub async fn apply_least_privilege(
    app: AppHandle,
    principal_arn: String,
    proposed: String,
) -> IpcResult<Value> {
    call(app, "apply_least_privilege", args!(principal_arn, proposed)).await
}
/// The command names, as build.rs's app manifest and the capability file list them.
#[cfg(test)]
pub const COMMANDS: &[&str] = &include!("command_names.in");

/// Declares the invoke handler and, for the tests, the names it handles (so they can be
/// held against `command_names.in`).
macro_rules! handlers {
    ($($command:ident),* $(,)?) => {
        /// The invoke handler with every command.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($command),*]
        }

        #[cfg(test)]
        const HANDLED: &[&str] = &[$(stringify!($command)),*];
    };
}

handlers![
    vault_status,
    unlock,
    attach_session,
    lock,
    revision,
    running,
    query_secrets,
    secret_groups,
    secret_detail,
    reveal_value,
    copy_value,
    diff_versions,
    create_secret,
    put_value,
    update_description,
    update_type,
    move_label,
    plan_label_move,
    schedule_deletion,
    delete_now,
    restore_secret,
    tag_secret,
    untag_secret,
    get_policy,
    validate_policy,
    put_policy,
    delete_policy,
    effective_access,
    query_audit,
    verify_audit,
    principals,
    principal_detail,
    create_principal,
    delete_principal,
    attach_policy,
    create_access_key,
    update_access_key,
    rotation_status,
    preview_schedule,
    rotation_functions,
    rotate_now,
    put_rotation_schedule,
    cancel_rotation,
    retry_rotation,
    replicas,
    replicate_secret,
    remove_replica,
    promote_replica,
    acts,
    perform,
    associate_cross_account_replica,
    disassociate_cross_account_replica,
    put_rotation_approval,
    approvals,
    approve_rotation,
    reject_rotation,
    add_operator,
    remove_operator,
    change_passphrase,
    rekey_progress,
    inline_policy,
    put_inline_policy,
    delete_inline_policy,
    health_report,
    apply_least_privilege,
];

#[cfg(test)]
mod tests {
    use super::{COMMANDS, HANDLED};

    /// The page's commands answered here, not by the vault's door (`copy_text` is
    /// `copy_value`'s read, which puts the value on this process's clipboard).
    const OWN: &[&str] = &[
        "unlock",
        "attach_session",
        "lock",
        "running",
        "copy_value",
        "plan_label_move",
        "acts",
        "rekey_progress",
    ];

    #[test]
    fn every_vault_command_is_one_the_console_dispatches_and_every_dispatched_one_is_reachable() {
        for c in HANDLED.iter().filter(|c| !OWN.contains(c)) {
            assert!(
                coffer_console::COMMANDS.contains(c),
                "{c} is not dispatched"
            );
        }
        for c in coffer_console::COMMANDS {
            assert!(
                HANDLED.contains(c) || *c == "copy_text",
                "{c} is dispatched but the page cannot call it"
            );
        }
    }

    #[test]
    fn the_handler_takes_exactly_the_listed_commands() {
        let mut handled = HANDLED.to_vec();
        let mut listed = COMMANDS.to_vec();
        handled.sort_unstable();
        listed.sort_unstable();
        assert_eq!(handled, listed);
    }

    #[test]
    fn the_capability_allows_exactly_the_apps_commands() {
        let file = include_str!("../capabilities/default.json");
        let cap: serde_json::Value = serde_json::from_str(file).unwrap();
        let mut allowed: Vec<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        let mut expected: Vec<String> = COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        allowed.sort();
        expected.sort();
        assert_eq!(allowed, expected);
        // build.rs makes the app manifest from the same list COMMANDS is.
        let build = include_str!("../build.rs");
        assert!(build.contains(r#"commands(&include!("src/command_names.in"))"#));
    }

    #[test]
    fn the_content_security_policy_is_strict() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let csp = conf["app"]["security"]["csp"].as_str().unwrap();
        assert!(csp.contains("default-src 'self'"));
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assert!(!csp.contains("http:") || csp.contains("http://ipc.localhost"));
    }
}
