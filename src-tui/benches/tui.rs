//! `cargo bench -p coffer --bench tui`: how fast the console draws and answers, at 1,000 and
//! 100,000 secrets and over a large audit log, each figure beside its small counterpart.
//!
//! - frame: drawing the secrets list (`TestBackend`, 160×48);
//! - keystroke: one filter keystroke through `update`, the worker's query and a frame;
//! - audit scroll: a page down in the audit log (reading older pages as it goes) and a frame.
//!
//! The vaults are built once through the public API and kept under the target directory
//! (`coffer-tui-bench/`); delete them to rebuild.

use std::path::{Path, PathBuf};
use std::time::Instant;

use coffer_core::Passphrase;
use coffer_core::api::{CreateSecretRequest, GetSecretValueRequest};
use coffer_core::model::Tag;
use coffer_core::{FrontEnd, InitOptions, SecretText, Vault};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use coffer::tui::action::{Action, Cmd, Effect, Request};
use coffer::tui::app::{App, Session};
use coffer::tui::theme::Theme;
use coffer::tui::worker::execute;

const PASS: &str = "bench passphrase";
/// Audit events of the large log (see the closing note: the largest that builds in minutes).
const BIG_LOG: usize = 1_000_000;

fn fixture_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let dir = target.join("coffer-tui-bench");
    std::fs::create_dir_all(&dir).expect("fixture directory");
    dir
}

fn open_or_build(path: &Path, secrets: usize, reads: usize) -> Vault {
    let pass = Passphrase::new(PASS.into());
    // A fixture of an older vault format may open and still not answer: check it holds what
    // it should, or build it again.
    if path.exists()
        && let Ok(v) = Vault::open(path, Some("admin"), &pass)
        && v.query_secrets(
            &v.caller(FrontEnd::Tui),
            &coffer_core::vault::SecretQuery::default(),
        )
        .is_ok_and(|p| p.total == secrets)
    {
        return v;
    }
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    let t = Instant::now();
    let v = Vault::init(
        path,
        InitOptions {
            account_id: Some("111122223333".into()),
            region: Some("us-east-1".into()),
            operator: "admin".into(),
            passphrase: pass,
            kdf: Some((19_456, 2)),
        },
    )
    .expect("init");
    let c = v.caller(FrontEnd::Cli);
    for i in 0..secrets {
        let env = ["prod", "staging", "dev"][i % 3];
        v.create_secret(
            &c,
            CreateSecretRequest {
                name: format!("{env}/service-{i:06}/db"),
                description: Some(format!("Database credentials of service {i}")),
                secret_string: Some(SecretText::new(format!("{{\"password\":\"pw-{i}\"}}"))),
                tags: vec![Tag {
                    key: "env".into(),
                    value: env.into(),
                }],
                ..Default::default()
            },
        )
        .expect("create");
    }
    let r = v.caller(FrontEnd::Endpoint);
    for i in 0..reads {
        let j = i % secrets;
        let env = ["prod", "staging", "dev"][j % 3];
        v.get_secret_value(
            &r,
            GetSecretValueRequest {
                secret_id: format!("{env}/service-{j:06}/db"),
                ..Default::default()
            },
        )
        .expect("read");
        if i % 100_000 == 99_999 {
            eprintln!("  {} reads in {:.1?}", i + 1, t.elapsed());
        }
    }
    eprintln!(
        "built {} ({secrets} secrets, {reads} reads) in {:.1?}",
        path.display(),
        t.elapsed()
    );
    v
}

/// A console on `vault`, unlocked, on the secrets list, at 160×48.
fn console(vault: &Vault) -> App {
    let mut app = App::new(
        "bench".into(),
        None,
        false,
        i64::MAX / 2,
        Theme { color: true },
    );
    app.update(Action::Tick {
        now_ms: jiff::Timestamp::now().as_millisecond(),
    });
    app.update(Action::Resize(160, 48));
    app.sh.session = Some(Session {
        operator: "admin".into(),
        principal_arn: "arn:aws:iam::111122223333:user/admin".into(),
        account: "111122223333".into(),
        region: "us-east-1".into(),
    });
    let fx = app.secrets.refresh(&mut app.sh, true);
    drive(&mut app, vault, fx);
    app
}

/// Runs effects as the event loop and worker would, synchronously.
fn drive(app: &mut App, vault: &Vault, mut fx: Vec<Effect>) {
    while !fx.is_empty() {
        let mut next = vec![];
        for e in fx {
            if let Effect::Send(req) = e
                && !matches!(
                    req,
                    Request::Inspect | Request::Lock | Request::Unlock { .. }
                )
            {
                next.extend(app.update(Action::loaded(execute(vault, req))));
            }
        }
        fx = next;
    }
}

fn frame(term: &mut Terminal<TestBackend>, app: &App) {
    term.draw(|f| f.render_widget(app, f.area())).expect("draw");
}

fn benches(c: &mut Criterion) {
    let dir = fixture_dir();
    let small = open_or_build(&dir.join("secrets-1k.db"), 1_000, 0);
    let large = open_or_build(&dir.join("secrets-100k.db"), 100_000, 0);
    let log = open_or_build(&dir.join("audit-big.db"), 1_000, BIG_LOG - 1_000);
    let mut term = Terminal::new(TestBackend::new(160, 48)).expect("terminal");

    let mut g = c.benchmark_group("frame");
    for (n, vault) in [(1_000, &small), (100_000, &large)] {
        let app = console(vault);
        g.bench_with_input(BenchmarkId::from_parameter(n), &app, |b, app| {
            b.iter(|| frame(&mut term, app));
        });
    }
    g.finish();

    let mut g = c.benchmark_group("keystroke");
    for (n, vault) in [(1_000, &small), (100_000, &large)] {
        let mut app = console(vault);
        drive(&mut app, vault, vec![]);
        app.update(Action::Key(Cmd::Filter));
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            let mut typed = 0usize;
            b.iter(|| {
                // Types "service-00042" and erases it again, one keystroke an iteration.
                const WORD: &str = "service-00042";
                let a = if typed < WORD.len() {
                    Action::Char(WORD.as_bytes()[typed] as char)
                } else {
                    Action::Key(Cmd::Backspace)
                };
                typed = (typed + 1) % (2 * WORD.len());
                let fx = app.update(a);
                drive(&mut app, vault, fx);
                frame(&mut term, &app);
            });
        });
    }
    g.finish();

    let mut g = c.benchmark_group("audit_scroll");
    for (label, vault) in [("1k", &small), ("big", &log)] {
        let mut app = console(vault);
        let fx = app.update(Action::Key(Cmd::GoAudit));
        drive(&mut app, vault, fx);
        app.audit.filter.since.clear();
        let fx = app.audit.refresh(&mut app.sh, false);
        drive(&mut app, vault, fx);
        g.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| {
                let at_end =
                    app.audit.older.is_none() && app.audit.selected + 1 >= app.audit.events.len();
                let fx = app.update(Action::Key(if at_end { Cmd::Top } else { Cmd::PageDown }));
                drive(&mut app, vault, fx);
                frame(&mut term, &app);
            });
        });
        eprintln!(
            "audit log {label}: {} events in the vault",
            app.audit.total_events
        );
    }
    g.finish();
}

criterion_group!(bench, benches);
criterion_main!(bench);
