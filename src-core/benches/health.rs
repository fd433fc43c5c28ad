//! `cargo bench --workspace --bench health`: the health report at 1,000 secrets with 10,000
//! audit events and at 100,000 secrets with 1,000,000, in one run, printed as one table.
//! Not a test: nothing asserts.
//!
//! Each vault is built through the door, as in use (every secret a CreateSecret, every
//! event an audited GetSecretValue), on a file in `/dev/shm` when there is one: the set-up
//! then pays no fsync per write, and the report, which reads, is measured as it runs on a
//! laptop's warm page cache. Then, on that file:
//! - `unlock`: opening the vault with its passphrase (at the fastest Argon2id parameters);
//! - `first`: the first report after unlocking: what an operator waits for;
//! - `again`: a report with nothing new since the last (median of 5);
//! - `+1 read`, `+1 write`: a report after one more GetSecretValue, after one more
//!   PutSecretValue (the incremental update, each the median of 5);
//! - `+1,000`: a report after 1,000 more events (900 reads, 100 new values);
//! - `write`: one PutSecretValue (median of the 100 above): what deriving a value's facts
//!   as it is written costs the write.
//!
//! `COFFER_HEALTH_BENCH_CACHE=DIR` keeps each size's built vault file in `DIR` and starts
//! from a copy of it next time: a profile of the report without the set-up's quarter of an
//! hour at 100,000 secrets (`built in` then says `cached`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use coffer_core::api::{CreateSecretRequest, GetSecretValueRequest, PutSecretValueRequest};
use coffer_core::health::Thresholds;
use coffer_core::{Caller, FrontEnd, InitOptions, SecretText, Vault};
use coffer_core::{KdfParams, Passphrase};

const PASS: &str = "health bench passphrase";

fn value(i: usize) -> String {
    match i % 100 {
        // 1 in 100 weak, 1 in 100 shared with another secret.
        0 => format!("summer{}", i % 7),
        1 => r#"{"username":"shared","password":"Xk3!vQ9#mWz2Lp7rT8$hNq4@"}"#.into(),
        _ => format!(
            r#"{{"engine":"postgres","host":"db{i}.internal","username":"app{i}","password":"Xk3!vQ9#mWz2Lp7{i:07}$hNq4@"}}"#
        ),
    }
}

fn name(i: usize) -> String {
    format!("svc-{i:06}/db")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut d: Vec<Duration>) -> Duration {
    d.sort();
    d[d.len() / 2]
}

fn read(v: &Vault, c: &Caller, i: usize) {
    std::hint::black_box(
        v.get_secret_value(
            c,
            GetSecretValueRequest {
                secret_id: name(i),
                ..Default::default()
            },
        )
        .unwrap(),
    );
}

fn write(v: &Vault, c: &Caller, i: usize, n: usize) {
    v.put_secret_value(
        c,
        PutSecretValueRequest {
            secret_id: name(i),
            secret_string: Some(SecretText::new(format!(
                r#"{{"username":"app{i}","password":"Nw{n:08}!rT8$hNq4@Xk3vQ9"}}"#
            ))),
            client_request_token: Some(format!("bench-{i:06}-{n:020}")),
            ..Default::default()
        },
    )
    .unwrap();
}

fn report(v: &Vault, c: &Caller) -> (Duration, usize) {
    let t = Instant::now();
    let r = v.health_report(c, &Thresholds::default()).unwrap();
    (t.elapsed(), r.findings.len())
}

struct Row {
    secrets: usize,
    events: usize,
    /// `None`: copied from the cache.
    build: Option<Duration>,
    unlock: Duration,
    first: Duration,
    again: Duration,
    one_read: Duration,
    one_write: Duration,
    thousand: Duration,
    write: Duration,
    findings: usize,
}

/// Copies a closed vault's file (and its write-ahead log, if one was left).
fn copy_vault(from: &std::path::Path, to: &std::path::Path) {
    std::fs::copy(from, to).unwrap();
    let wal = |p: &std::path::Path| p.with_extension("db-wal");
    if wal(from).is_file() {
        std::fs::copy(wal(from), wal(to)).unwrap();
    }
}

/// Builds the vault through the door, as in use, and closes it (the file then holds all).
fn build(path: &std::path::Path, secrets: usize, events: usize) -> Duration {
    let mut opts = InitOptions::new("admin", Passphrase::new(PASS.into()));
    opts.kdf = Some((KdfParams::MIN_MEMORY_KIB, KdfParams::MIN_ITERATIONS));
    let v = Vault::init(path, opts).unwrap();
    let c = v.caller(FrontEnd::Cli);
    let t = Instant::now();
    for i in 0..secrets {
        v.create_secret(
            &c,
            CreateSecretRequest {
                name: name(i),
                secret_string: Some(SecretText::new(value(i))),
                ..Default::default()
            },
        )
        .unwrap();
    }
    for i in 0..events {
        read(&v, &c, i % secrets);
    }
    t.elapsed()
}

fn run(secrets: usize, events: usize) -> Row {
    let shm = PathBuf::from("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let path = dir.path().join("health-bench.db");
    let cache = std::env::var_os("COFFER_HEALTH_BENCH_CACHE")
        .map(|d| PathBuf::from(d).join(format!("health-{secrets}-{events}.db")));
    let build = match cache.as_ref().filter(|c| c.is_file()) {
        Some(cached) => {
            copy_vault(cached, &path);
            None
        }
        None => {
            let build = build(&path, secrets, events);
            if let Some(c) = &cache {
                std::fs::create_dir_all(c.parent().unwrap()).unwrap();
                copy_vault(&path, c);
            }
            Some(build)
        }
    };
    // Unlock, then the report the consoles ask for on unlock.
    let t = Instant::now();
    let v = Vault::open(&path, None, &Passphrase::new(PASS.into())).unwrap();
    let unlock = t.elapsed();
    let c = v.caller(FrontEnd::Cli);
    let (first, _) = report(&v, &c);
    let again = median((0..5).map(|_| report(&v, &c).0).collect());
    let one_read = median(
        (0..5)
            .map(|k| {
                read(&v, &c, k * 7919 % secrets);
                report(&v, &c).0
            })
            .collect(),
    );
    let mut n = 0;
    let one_write = median(
        (0..5)
            .map(|k| {
                n += 1;
                write(&v, &c, k * 104_729 % secrets, n);
                report(&v, &c).0
            })
            .collect(),
    );
    let mut writes = Vec::new();
    for k in 0..1_000 {
        if k % 10 == 0 {
            n += 1;
            let t = Instant::now();
            write(&v, &c, k * 31 % secrets, n);
            writes.push(t.elapsed());
        } else {
            read(&v, &c, k * 13 % secrets);
        }
    }
    let (thousand, findings) = report(&v, &c);
    Row {
        secrets,
        events,
        build,
        unlock,
        first,
        again,
        one_read,
        one_write,
        thousand,
        write: median(writes),
        findings,
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this with no flag: do nothing
    // heavy then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // COFFER_HEALTH_BENCH_SIZES="20000:200000,..." runs other sizes (a profile's quicker set-up).
    let sizes: Vec<(usize, usize)> = match std::env::var("COFFER_HEALTH_BENCH_SIZES") {
        Ok(s) => s
            .split(',')
            .map(|p| {
                let (a, b) = p.split_once(':').expect("SECRETS:EVENTS");
                (a.parse().expect("secrets"), b.parse().expect("events"))
            })
            .collect(),
        Err(_) => vec![(1_000, 10_000), (100_000, 1_000_000)],
    };
    let rows: Vec<Row> = sizes.into_iter().map(|(s, e)| run(s, e)).collect();
    println!(
        "\n| secrets | events | built in | unlock | first report | again | +1 read | +1 write | +1,000 events | write | findings |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.2} ms | {} |",
            r.secrets,
            r.events,
            r.build
                .map_or("cached".into(), |b| format!("{:.1} s", b.as_secs_f64())),
            ms(r.unlock),
            ms(r.first),
            ms(r.again),
            ms(r.one_read),
            ms(r.one_write),
            ms(r.thousand),
            ms(r.write),
            r.findings,
        );
    }
}
