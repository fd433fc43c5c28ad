//! The Debian package end to end: `scripts/package` bundles the binaries this test run built
//! (debug, so that CI builds nothing twice) into coffer-desktop_<version>_amd64.deb; `dpkg -i`
//! installs it on this machine; the installed `coffer` and `coffer-desktop` run from the
//! PATH (the app under Xvfb, its screen saved as `<target>/package-artifacts/desktop.png`);
//! `dpkg -r` removes them and leaves the operator's vault as it was. Missing tools fail the
//! test; they are never skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use coffer_tests::{TEST_KDF, coffer_bin, target_dir};

const PACKAGE: &str = "coffer-desktop";
/// Only the system's directories: what runs comes from the package, not from the build.
const SYSTEM_PATH: &str = "/usr/sbin:/usr/bin:/sbin:/bin";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace holds tests/")
        .to_path_buf()
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(run(cmd).stdout).expect("UTF-8 output")
}

/// A system program run as root: directly when the test is root, else through sudo (as
/// scripts/test installs its packages).
fn as_root(program: &str) -> Command {
    let uid = stdout(Command::new("id").arg("-u"));
    if uid.trim() == "0" {
        Command::new(program)
    } else {
        let mut c = Command::new("sudo");
        c.arg(program);
        c
    }
}

fn installed() -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", PACKAGE])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

/// The package installed by this test, removed again however the test ends.
struct Installed;

impl Installed {
    fn install(deb: &Path) -> Self {
        run(as_root("dpkg").arg("-i").arg(deb));
        Self
    }

    fn remove(self) {
        run(as_root("dpkg").args(["-r", PACKAGE]));
        std::mem::forget(self);
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = as_root("dpkg").args(["-r", PACKAGE]).output();
    }
}

/// The installed `coffer`, found on the system PATH, with a vault and passphrase.
fn installed_coffer(vault: &Path, home: &Path) -> Command {
    let mut c = Command::new("coffer");
    c.env_clear()
        .env("PATH", SYSTEM_PATH)
        .env("HOME", home)
        .env("COFFER_VAULT", vault)
        .env("COFFER_PASSPHRASE", "installed from the package");
    c
}

/// Starts the installed app under Xvfb on `vault` and saves the screen once the page has
/// painted (a blank window is a single colour; the unlock screen has text on it).
const SCREENSHOT: &str = r#"
set -eu
coffer-desktop --vault "$VAULT" >"$APP_LOG" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  kill -0 $app 2>/dev/null || { echo "coffer-desktop exited: see $APP_LOG" >&2; exit 1; }
  if xwininfo -root -tree | grep -q '"Coffer"'; then
    import -window root "$SHOT"
    if [ "$(identify -format %k "$SHOT")" -gt 32 ]; then
      sleep 1
      import -window root "$SHOT"
      exit 0
    fi
  fi
  sleep 0.5
done
echo "the Coffer window did not paint within 60 s: see $APP_LOG" >&2
exit 1
"#;

#[test]
fn the_deb_installs_coffer_and_the_desktop_app_on_the_path_and_removes_them_leaving_vaults() {
    let started = Instant::now();
    let work = tempfile::tempdir().expect("tempdir");
    if installed() {
        // Left by an interrupted run of this test.
        run(as_root("dpkg").args(["-r", PACKAGE]));
    }

    // Bundle what this test run built.
    let built = stdout(
        Command::new(repo_root().join("scripts/package"))
            .args(["--profile", "debug", "--prebuilt", "--out"])
            .arg(work.path())
            .env("CARGO_TARGET_DIR", target_dir()),
    );
    let deb = PathBuf::from(built.lines().last().expect("the package's path").trim());
    assert_eq!(
        deb.file_name().unwrap().to_string_lossy(),
        format!("{PACKAGE}_{}_amd64.deb", env!("CARGO_PKG_VERSION"))
    );
    let bundled = started.elapsed();

    let installed_at = Instant::now();
    let package = Installed::install(&deb);
    assert!(installed());
    let files = stdout(Command::new("dpkg").args(["-L", PACKAGE]));
    for f in [
        "/usr/bin/coffer",
        "/usr/bin/coffer-desktop",
        "/usr/share/applications/coffer-desktop.desktop",
        "/usr/share/icons/hicolor/128x128/apps/coffer-desktop.png",
        "/usr/share/bash-completion/completions/coffer",
        "/usr/share/zsh/vendor-completions/_coffer",
        "/usr/share/fish/vendor_completions.d/coffer.fish",
        "/usr/share/man/man1/coffer.1.gz",
        "/usr/share/man/man1/coffer-get-secret-value.1.gz",
    ] {
        assert!(
            files.lines().any(|l| l == f),
            "{f} is not in the package:\n{files}"
        );
    }
    let which = stdout(
        Command::new("sh")
            .args([
                "-c",
                "for p in coffer coffer-desktop; do command -v $p; done",
            ])
            .env("PATH", SYSTEM_PATH),
    );
    assert_eq!(which, "/usr/bin/coffer\n/usr/bin/coffer-desktop\n");

    // The desktop menu: a valid entry that starts the app, with its icon.
    run(Command::new("desktop-file-validate").arg("/usr/share/applications/coffer-desktop.desktop"));
    let entry = std::fs::read_to_string("/usr/share/applications/coffer-desktop.desktop").unwrap();
    assert!(
        entry.contains("\nName=Coffer\n") && entry.contains("\nExec=coffer-desktop\n"),
        "{entry}"
    );
    // Completions and the man page, generated from the CLI itself.
    let complete = stdout(Command::new("bash").args([
        "-c",
        "source /usr/share/bash-completion/completions/coffer && complete -p coffer",
    ]));
    assert!(complete.contains("coffer"), "{complete}");
    assert!(
        std::fs::read_to_string("/usr/share/zsh/vendor-completions/_coffer")
            .unwrap()
            .starts_with("#compdef coffer")
    );
    assert!(
        std::fs::read_to_string("/usr/share/fish/vendor_completions.d/coffer.fish")
            .unwrap()
            .contains("complete -c coffer ")
    );
    let man = stdout(
        Command::new("man")
            .args(["-P", "cat", "coffer"])
            .env("MANWIDTH", "100")
            .env("PATH", SYSTEM_PATH),
    );
    assert!(
        man.contains("coffer - An offline secrets vault that behaves like AWS Secrets Manager"),
        "{man}"
    );

    // The installed coffer: its version names the commit, and it makes a vault.
    let home = work.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let vault = work.path().join("vaults/vault.db");
    let version = stdout(installed_coffer(&vault, &home).arg("--version"));
    assert!(
        version.starts_with(&format!("coffer {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    run(installed_coffer(&vault, &home)
        .args(["init", "--account-id", "111122223333"])
        .args(TEST_KDF));
    run(installed_coffer(&vault, &home).args([
        "create-secret",
        "--name",
        "installed/check",
        "--secret-string",
        "from the package",
    ]));

    // The installed desktop app, under Xvfb, on that vault.
    let artifacts = target_dir().join("package-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("desktop.png");
    let _ = std::fs::remove_file(&shot);
    run(Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1320x840x24", "sh", "-c", SCREENSHOT])
        .env("PATH", SYSTEM_PATH)
        .env("HOME", &home)
        .env("VAULT", &vault)
        .env("SHOT", &shot)
        .env("APP_LOG", artifacts.join("desktop.log")));
    assert!(shot.exists(), "no screenshot at {}", shot.display());

    // Removing the package takes the programs and leaves the vault as it was.
    let before = std::fs::read(&vault).unwrap();
    package.remove();
    assert!(!installed());
    for gone in ["/usr/bin/coffer", "/usr/bin/coffer-desktop"] {
        assert!(!Path::new(gone).exists(), "{gone} is still there");
    }
    assert_eq!(std::fs::read(&vault).unwrap(), before, "the vault changed");
    let value = stdout(
        Command::new(coffer_bin())
            .args([
                "get-secret-value",
                "--secret-id",
                "installed/check",
                "--query",
                "SecretString",
            ])
            .env("COFFER_VAULT", &vault)
            .env("COFFER_PASSPHRASE", "installed from the package")
            .env_remove("COFFER_OPERATOR"),
    );
    assert_eq!(value.trim(), "\"from the package\"");
    eprintln!(
        "bundled in {:.1?}, installed, ran and removed in {:.1?}; screenshot at {}",
        bundled,
        installed_at.elapsed(),
        shot.display()
    );
}
