//! The page's commands. Each one that reaches the vault goes through [`call`]: the
//! [`Console`] runs it by name on this process's vault or forwards it to the session agent
//! the console is attached to (see `coffer_console::session`). Every call runs on a blocking
//! thread, so that a slow vault call or the agent's socket never blocks the window's event
//! loop. Only the clipboard stays here: a copied value is set in this process.
//!
//! **Why one Tauri command per console command rather than one generic command:** Tauri v2
//! allows or denies what a window may invoke by command name (a capability lists
//! `allow-<command>` permissions; see tauri.app/security/permissions), so one generic
//! `dispatch` command would be a single permission for every console command. Each
//! forwarded command is instead one name in [`handlers!`]'s list, and forwards the page's
//! arguments as they came.

use coffer_console::dto::*;
use coffer_console::{CLIPBOARD_CLEAR_SECONDS, Console};
use coffer_core::Passphrase;
use coffer_core::acts::{Act, ActInfo};
use coffer_core::model::labels::{LabelMove, VersionLabels};
use serde_json::Value;
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Manager, State};
use zeroize::Zeroizing;

use crate::clipboard::Clipboard;

/// The page's arguments as the JSON object [`coffer_console::dispatch`] reads: Tauri names a
/// command's argument `version_id` `versionId` in JavaScript, and this names it back.
fn arguments(request: &Request<'_>) -> IpcResult<Value> {
    match request.body() {
        InvokeBody::Json(Value::Object(args)) => Ok(Value::Object(
            args.iter()
                .map(|(k, v)| (snake_case(k), v.clone()))
                .collect(),
        )),
        InvokeBody::Json(other) => Ok(other.clone()),
        InvokeBody::Raw(_) => Err(IpcError {
            code: "InvalidParameterException".into(),
            message: "The arguments must be a JSON object.".into(),
        }),
    }
}

/// `versionId` → `version_id`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for ch in name.chars() {
        if ch.is_ascii_uppercase() {
            out.push('_');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
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
pub async fn running(console: State<'_, Console>) -> IpcResult<Vec<coffer_core::running::Running>> {
    Ok(console.local().running())
}

/// Copies a version's value (or one JSON key of it) to the clipboard without sending it to
/// the page; an audited read where the vault is. The clipboard is cleared after
/// [`CLIPBOARD_CLEAR_SECONDS`] if it still holds that value, and at lock.
#[tauri::command]
pub async fn copy_value(app: AppHandle, request: Request<'_>) -> IpcResult<CopyReceipt> {
    let text = call(app.clone(), "copy_text", arguments(&request)?).await?;
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
pub async fn rekey_progress(console: State<'_, Console>) -> IpcResult<Option<RekeyView>> {
    Ok(console.rekey_progress())
}

/// The command names, as build.rs's app manifest and the capability file list them.
#[cfg(test)]
pub const COMMANDS: &[&str] = &include!("command_names.in");

/// Declares a Tauri command for each forwarded name — it hands the page's arguments to the
/// console command of that name, where the vault is — and the invoke handler with those and
/// the app's own commands (above), and, for the tests, the names it handles (so they can be
/// held against `command_names.in`).
macro_rules! handlers {
    (own: $($own:ident),* $(,)?; forwarded: $($name:ident),* $(,)?) => {
        $(
            #[tauri::command]
            pub async fn $name(app: AppHandle, request: Request<'_>) -> IpcResult<Value> {
                call(app, stringify!($name), arguments(&request)?).await
            }
        )*

        /// The invoke handler with every command.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($own,)* $($name),*]
        }

        #[cfg(test)]
        const HANDLED: &[&str] = &[$(stringify!($own),)* $(stringify!($name)),*];
    };
}

handlers! {
    own: vault_status, unlock, attach_session, lock, revision, running, copy_value,
        plan_label_move, acts, rekey_progress;
    forwarded:
    query_secrets,
    secret_groups,
    secret_detail,
    reveal_value,
    diff_versions,
    create_secret,
    put_value,
    put_generated_value,
    update_description,
    update_type,
    move_label,
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
    perform,
    associate_cross_account_replica,
    disassociate_cross_account_replica,
    put_rotation_approval,
    approvals,
    approve_rotation,
    reject_rotation,
    // A re-key takes a while; the page polls `rekey_progress` meanwhile.
    add_operator,
    remove_operator,
    change_passphrase,
    inline_policy,
    put_inline_policy,
    delete_inline_policy,
    // The first report judges every value it has not judged before.
    health_report,
    apply_least_privilege,
}

#[cfg(test)]
mod tests {
    use super::{COMMANDS, HANDLED, snake_case};

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
    fn the_pages_argument_names_become_the_dispatched_commands_names() {
        assert_eq!(snake_case("versionId"), "version_id");
        assert_eq!(snake_case("requireApproval"), "require_approval");
        assert_eq!(snake_case("arn"), "arn");
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
