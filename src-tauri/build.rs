fn main() {
    println!("cargo:rerun-if-changed=src/command_names.in");
    // Only the app's own commands exist for the page, each allowed by capabilities/.
    let manifest = tauri_build::AppManifest::new().commands(&include!("src/command_names.in"));
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build");
}
