use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src/command_names.in");
    // The app embeds the built front end at compile time (tauri.conf.json's frontendDist); on
    // a fresh clone it is not built yet, and tauri's own error for that is a page of macro
    // output. Say in one line what to run instead.
    println!("cargo:rerun-if-changed=../ui/dist/index.html");
    if !Path::new("../ui/dist/index.html").exists() {
        println!(
            "cargo::error=the desktop front end is not built: run `(cd ui && npm ci && npm run build)` first (scripts/test does it)"
        );
        return;
    }
    // Only the app's own commands exist for the page, each allowed by capabilities/.
    let manifest = tauri_build::AppManifest::new().commands(&include!("src/command_names.in"));
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build");
}
