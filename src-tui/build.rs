//! Records what `coffer --version` says: the release and the git commit built from, or that
//! the source came without its git history (a tarball), so the commit is unknown.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let root = manifest.parent().expect("the workspace holds src-tui");
    // Only this workspace's own history counts, not that of a repository the source was
    // unpacked into.
    let ours = git(root, &["rev-parse", "--show-toplevel"])
        .is_some_and(|top| Path::new(&top).canonicalize().ok() == root.canonicalize().ok());
    let commit = ours
        .then(|| git(root, &["rev-parse", "--short=12", "HEAD"]))
        .flatten();
    if commit.is_some() {
        // Build again when HEAD moves: HEAD itself, the branch it names, packed refs.
        let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
        watched.extend(git(root, &["symbolic-ref", "-q", "HEAD"]));
        for name in watched {
            // (A missing file would make cargo run this script on every build.)
            let path = git(root, &["rev-parse", "--git-path", &name]).map(|p| root.join(p));
            if let Some(path) = path.filter(|p| p.exists()) {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    let release = std::env::var("CARGO_PKG_VERSION").expect("cargo sets it");
    let version = match commit {
        Some(commit) => format!("{release} (commit {commit})"),
        None => format!("{release} (built without its git history: commit unknown)"),
    };
    println!("cargo:rustc-env=COFFER_VERSION={version}");
}
