//! The page's commands: each hands its arguments to the [`Desktop`] method of the same
//! name (async, so that a slow vault call never blocks the window's event loop).

use coffer_core::Passphrase;
use coffer_core::acts::{Act, ActInfo};
use coffer_core::model::labels::{LabelMove, VersionLabels};
use tauri::{AppHandle, Manager, State};

use crate::commands::Desktop;
use crate::dto::*;

#[tauri::command]
pub async fn vault_status(state: State<'_, Desktop>) -> IpcResult<VaultStatus> {
    Ok(state.status())
}

#[tauri::command]
pub async fn unlock(
    state: State<'_, Desktop>,
    operator: Option<String>,
    passphrase: String,
) -> IpcResult<VaultStatus> {
    state.unlock(operator, Passphrase::new(passphrase))
}

#[tauri::command]
pub async fn lock(state: State<'_, Desktop>) -> IpcResult<()> {
    state.lock();
    Ok(())
}

#[tauri::command]
pub async fn revision(state: State<'_, Desktop>) -> IpcResult<Option<i64>> {
    state.revision()
}

#[tauri::command]
pub async fn running(state: State<'_, Desktop>) -> IpcResult<Vec<RunningFrontEnd>> {
    Ok(state.running())
}

#[tauri::command]
pub async fn query_secrets(
    state: State<'_, Desktop>,
    query: SecretQueryInput,
) -> IpcResult<SecretPageOutput> {
    state.query_secrets(&query)
}

#[tauri::command]
pub async fn secret_groups(
    state: State<'_, Desktop>,
    query: SecretQueryInput,
) -> IpcResult<Vec<GroupRun>> {
    state.secret_groups(&query)
}

#[tauri::command]
pub async fn secret_detail(state: State<'_, Desktop>, arn: String) -> IpcResult<SecretDetail> {
    state.secret_detail(&arn)
}

#[tauri::command]
pub async fn reveal_value(
    state: State<'_, Desktop>,
    arn: String,
    version_id: String,
) -> IpcResult<RevealedValue> {
    state.reveal_value(&arn, &version_id)
}

#[tauri::command]
pub async fn copy_value(
    state: State<'_, Desktop>,
    arn: String,
    version_id: String,
    key: Option<String>,
) -> IpcResult<CopyReceipt> {
    state.copy_value(&arn, &version_id, key.as_deref())
}

#[tauri::command]
pub async fn diff_versions(
    state: State<'_, Desktop>,
    arn: String,
    old: String,
    new: String,
) -> IpcResult<Vec<DiffRow>> {
    state.diff_versions(&arn, &old, &new)
}

#[tauri::command]
pub async fn create_secret(state: State<'_, Desktop>, input: CreateSecretInput) -> IpcResult<Done> {
    state.create_secret(input)
}

#[tauri::command]
pub async fn put_value(state: State<'_, Desktop>, arn: String, value: String) -> IpcResult<Done> {
    state.put_value(&arn, value)
}

#[tauri::command]
pub async fn update_description(
    state: State<'_, Desktop>,
    arn: String,
    description: String,
) -> IpcResult<Done> {
    state.update_description(&arn, description)
}

#[tauri::command]
pub async fn update_type(
    state: State<'_, Desktop>,
    arn: String,
    secret_type: String,
) -> IpcResult<Done> {
    state.update_type(&arn, secret_type)
}

#[tauri::command]
pub async fn move_label(
    state: State<'_, Desktop>,
    arn: String,
    label: String,
    to: String,
    from: Option<String>,
) -> IpcResult<Done> {
    state.move_label(&arn, &label, &to, from)
}

/// What moving a staging label does, as the vault will do it: the dialog's before → after.
#[tauri::command]
pub async fn plan_label_move(versions: Vec<VersionLabels>, label: String, to: String) -> LabelMove {
    LabelMove::plan(&versions, &label, &to)
}

#[tauri::command]
pub async fn schedule_deletion(
    state: State<'_, Desktop>,
    arn: String,
    days: i64,
) -> IpcResult<Done> {
    state.schedule_deletion(&arn, days)
}

#[tauri::command]
pub async fn delete_now(
    state: State<'_, Desktop>,
    arn: String,
    typed_name: String,
) -> IpcResult<Done> {
    state.delete_now(&arn, &typed_name)
}

#[tauri::command]
pub async fn restore_secret(state: State<'_, Desktop>, arn: String) -> IpcResult<Done> {
    state.restore_secret(&arn)
}

#[tauri::command]
pub async fn tag_secret(
    state: State<'_, Desktop>,
    arn: String,
    key: String,
    value: String,
) -> IpcResult<Done> {
    state.tag_secret(&arn, key, value)
}

#[tauri::command]
pub async fn untag_secret(state: State<'_, Desktop>, arn: String, key: String) -> IpcResult<Done> {
    state.untag_secret(&arn, key)
}

#[tauri::command]
pub async fn get_policy(state: State<'_, Desktop>, arn: String) -> IpcResult<PolicyOutput> {
    state.get_policy(&arn)
}

#[tauri::command]
pub async fn validate_policy(
    state: State<'_, Desktop>,
    arn: String,
    policy: String,
) -> IpcResult<ValidationOutput> {
    state.validate_policy(&arn, policy)
}

#[tauri::command]
pub async fn put_policy(
    state: State<'_, Desktop>,
    arn: String,
    policy: String,
    block_public: bool,
) -> IpcResult<Done> {
    state.put_policy(&arn, policy, block_public)
}

#[tauri::command]
pub async fn delete_policy(state: State<'_, Desktop>, arn: String) -> IpcResult<Done> {
    state.delete_policy(&arn)
}

#[tauri::command]
pub async fn effective_access(
    state: State<'_, Desktop>,
    arn: String,
) -> IpcResult<Vec<PrincipalAccessRow>> {
    state.effective_access(&arn)
}

#[tauri::command]
pub async fn query_audit(
    state: State<'_, Desktop>,
    query: AuditQueryInput,
) -> IpcResult<AuditPageOutput> {
    state.query_audit(&query)
}

#[tauri::command]
pub async fn verify_audit(state: State<'_, Desktop>) -> IpcResult<ChainStatus> {
    state.verify_audit()
}

#[tauri::command]
pub async fn principals(state: State<'_, Desktop>) -> IpcResult<Vec<PrincipalRow>> {
    state.principals()
}

#[tauri::command]
pub async fn principal_detail(
    state: State<'_, Desktop>,
    kind: PrincipalKind,
    name: String,
) -> IpcResult<PrincipalDetail> {
    state.principal_detail(kind, &name)
}

#[tauri::command]
pub async fn create_principal(
    state: State<'_, Desktop>,
    kind: PrincipalKind,
    name: String,
    document: Option<String>,
) -> IpcResult<Done> {
    state.create_principal(kind, name, document)
}

#[tauri::command]
pub async fn delete_principal(
    state: State<'_, Desktop>,
    kind: PrincipalKind,
    name: String,
) -> IpcResult<Done> {
    state.delete_principal(kind, &name)
}

#[tauri::command]
pub async fn attach_policy(
    state: State<'_, Desktop>,
    kind: PrincipalKind,
    name: String,
    policy_arn: String,
    attach: bool,
) -> IpcResult<Done> {
    state.attach_policy(kind, &name, &policy_arn, attach)
}

#[tauri::command]
pub async fn create_access_key(
    state: State<'_, Desktop>,
    kind: PrincipalKind,
    name: String,
) -> IpcResult<NewAccessKey> {
    state.create_access_key(kind, &name)
}

#[tauri::command]
pub async fn update_access_key(
    state: State<'_, Desktop>,
    id: String,
    active: Option<bool>,
) -> IpcResult<Done> {
    state.update_access_key(&id, active)
}

#[tauri::command]
pub async fn rotation_status(state: State<'_, Desktop>, arn: String) -> IpcResult<RotationStatus> {
    state.rotation_status(&arn)
}

#[tauri::command]
pub async fn preview_schedule(state: State<'_, Desktop>, rules: RulesDto) -> IpcResult<Vec<f64>> {
    state.preview_schedule(rules)
}

#[tauri::command]
pub async fn rotation_functions(state: State<'_, Desktop>) -> IpcResult<Vec<FunctionRow>> {
    state.rotation_functions()
}

#[tauri::command]
pub async fn rotate_now(
    state: State<'_, Desktop>,
    arn: String,
    function_arn: Option<String>,
) -> IpcResult<Done> {
    state.rotate_now(&arn, function_arn)
}

#[tauri::command]
pub async fn put_rotation_schedule(
    state: State<'_, Desktop>,
    arn: String,
    function_arn: Option<String>,
    rules: RulesDto,
    rotate_now: bool,
) -> IpcResult<Done> {
    state.put_rotation_schedule(&arn, function_arn, rules, rotate_now)
}

#[tauri::command]
pub async fn cancel_rotation(state: State<'_, Desktop>, arn: String) -> IpcResult<Done> {
    state.cancel_rotation(&arn)
}

#[tauri::command]
pub async fn replicas(state: State<'_, Desktop>, arn: String) -> IpcResult<ReplicasView> {
    state.replicas(&arn)
}

#[tauri::command]
pub async fn replicate_secret(
    state: State<'_, Desktop>,
    arn: String,
    region: String,
    kms_key_id: Option<String>,
) -> IpcResult<Done> {
    state.replicate_secret(&arn, &region, kms_key_id)
}

#[tauri::command]
pub async fn remove_replica(
    state: State<'_, Desktop>,
    arn: String,
    region: String,
) -> IpcResult<Done> {
    state.remove_replica(&arn, &region)
}

#[tauri::command]
pub async fn promote_replica(
    state: State<'_, Desktop>,
    arn: String,
    region: Option<String>,
) -> IpcResult<Done> {
    state.promote_replica(&arn, region)
}

/// The core's vault-wide acts, as the palette lists them.
#[tauri::command]
pub async fn acts() -> Vec<ActInfo> {
    Act::ALL.into_iter().map(Act::info).collect()
}

#[tauri::command]
pub async fn perform(state: State<'_, Desktop>, act: Act) -> IpcResult<Done> {
    state.perform(act)
}

#[tauri::command]
pub async fn associate_cross_account_replica(
    state: State<'_, Desktop>,
    arn: String,
    replica_arn: String,
) -> IpcResult<Done> {
    state.associate_cross_account_replica(&arn, &replica_arn)
}

#[tauri::command]
pub async fn disassociate_cross_account_replica(
    state: State<'_, Desktop>,
    arn: String,
    replica_arn: String,
) -> IpcResult<Done> {
    state.disassociate_cross_account_replica(&arn, &replica_arn)
}

#[tauri::command]
pub async fn retry_rotation(state: State<'_, Desktop>, arn: String) -> IpcResult<Done> {
    state.retry_rotation(&arn)
}

#[tauri::command]
pub async fn put_rotation_approval(
    state: State<'_, Desktop>,
    arn: String,
    require_approval: Option<bool>,
    two_person_rule: Option<bool>,
) -> IpcResult<Done> {
    state.put_rotation_approval(&arn, require_approval, two_person_rule)
}

#[tauri::command]
pub async fn approvals(state: State<'_, Desktop>) -> IpcResult<ApprovalsOutput> {
    state.approvals()
}

#[tauri::command]
pub async fn approve_rotation(
    state: State<'_, Desktop>,
    arn: String,
    reason: Option<String>,
) -> IpcResult<Done> {
    state.approve_rotation(&arn, reason)
}

#[tauri::command]
pub async fn reject_rotation(
    state: State<'_, Desktop>,
    arn: String,
    reason: String,
) -> IpcResult<Done> {
    state.reject_rotation(&arn, reason)
}

#[tauri::command]
pub async fn add_operator(
    state: State<'_, Desktop>,
    name: String,
    passphrase: String,
) -> IpcResult<Done> {
    state.add_operator(&name, Passphrase::new(passphrase))
}

/// Runs on a blocking thread: the re-key takes a while, and the page polls its progress.
#[tauri::command]
pub async fn remove_operator(app: AppHandle, name: String) -> IpcResult<Done> {
    blocking(app, move |d| d.remove_operator(&name)).await
}

#[tauri::command]
pub async fn change_passphrase(app: AppHandle, old: String, new: String) -> IpcResult<Done> {
    blocking(app, move |d| {
        d.change_passphrase(Passphrase::new(old), Passphrase::new(new))
    })
    .await
}

#[tauri::command]
pub async fn rekey_progress(state: State<'_, Desktop>) -> IpcResult<Option<RekeyProgress>> {
    Ok(state.rekey_progress())
}

async fn blocking<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&Desktop) -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<Desktop>()))
        .await
        .map_err(|e| {
            IpcError::from(coffer_core::Error::internal(format!(
                "the act stopped: {e}"
            )))
        })?
}

#[tauri::command]
pub async fn inline_policy(
    state: State<'_, Desktop>,
    kind: PrincipalKind,
    name: String,
    policy_name: String,
) -> IpcResult<String> {
    state.inline_policy(kind, &name, &policy_name)
}

#[tauri::command]
pub async fn put_inline_policy(
    state: State<'_, Desktop>,
    kind: PrincipalKind,
    name: String,
    policy_name: String,
    document: String,
) -> IpcResult<Done> {
    state.put_inline_policy(kind, &name, &policy_name, &document)
}

#[tauri::command]
pub async fn delete_inline_policy(
    state: State<'_, Desktop>,
    kind: PrincipalKind,
    name: String,
    policy_name: String,
) -> IpcResult<Done> {
    state.delete_inline_policy(kind, &name, &policy_name)
}

/// Runs on a blocking thread: the first report judges every value it has not judged before.
#[tauri::command]
pub async fn health_report(app: AppHandle) -> IpcResult<coffer_core::health::HealthReport> {
    blocking(app, |d| d.health_report()).await
}

#[tauri::command]
pub async fn apply_least_privilege(
    state: State<'_, Desktop>,
    principal_arn: String,
    proposed: String,
) -> IpcResult<Done> {
    state.apply_least_privilege(&principal_arn, &proposed)
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
