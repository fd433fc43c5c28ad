fn main() {
    // Only the app's own commands exist for the page, each allowed by capabilities/.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "vault_status",
        "unlock",
        "lock",
        "revision",
        "query_secrets",
        "secret_groups",
        "secret_detail",
        "reveal_value",
        "copy_value",
        "diff_versions",
        "create_secret",
        "put_value",
        "update_description",
        "move_label",
        "schedule_deletion",
        "delete_now",
        "restore_secret",
        "tag_secret",
        "untag_secret",
        "get_policy",
        "validate_policy",
        "put_policy",
        "delete_policy",
        "effective_access",
        "query_audit",
        "verify_audit",
        "principals",
        "principal_detail",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build");
}
