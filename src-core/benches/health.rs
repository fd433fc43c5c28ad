//! `cargo bench --workspace --bench health`: the health report at 1,000 secrets with 10,000
//! audit events and at 100,000 secrets with 1,000,000, in one run, on a vault file. For each:
//! the first report (which judges every value once and keeps its facts), the first report
//! after the vault is locked and unlocked again (what an operator waits for after unlock),
//! the report after that, a read with its audit append and summary upsert (the incremental
//! update), and a report after 1,000 more reads. Secrets and reads go through the door, as
//! in use. Not a test: nothing asserts.

use std::time::{Duration, Instant};

use coffer_core::api::{CreateSecretRequest, GetSecretValueRequest};
use coffer_core::crypto::{KdfParams, Passphrase};
use coffer_core::health::Thresholds;
use coffer_core::{FrontEnd, InitOptions, SecretText, Vault};

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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn run(secrets: usize, events: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("health-bench.db");
    let mut opts = InitOptions::new("admin", Passphrase::new(PASS.into()));
    opts.kdf = Some((KdfParams::MIN_MEMORY_KIB, KdfParams::MIN_ITERATIONS));
    let v = Vault::init(&path, opts).unwrap();
    let c = v.caller(FrontEnd::Cli);
    let t = Instant::now();
    for i in 0..secrets {
        v.create_secret(
            &c,
            CreateSecretRequest {
                name: format!("svc-{i:06}/db"),
                secret_string: Some(SecretText::new(value(i))),
                ..Default::default()
            },
        )
        .unwrap();
    }
    let built = t.elapsed();
    let read = |i: usize| {
        v.get_secret_value(
            &c,
            GetSecretValueRequest {
                secret_id: format!("svc-{:06}/db", i % secrets),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let t = Instant::now();
    for i in 0..events {
        std::hint::black_box(read(i));
    }
    let per_read = t.elapsed() / events as u32;
    let th = Thresholds::default();
    let t = Instant::now();
    let first = v.health_report(&c, &th).unwrap();
    let first_t = t.elapsed();
    // Lock, unlock: the report the console asks for on unlock.
    drop(v);
    let t = Instant::now();
    let v = Vault::open(&path, None, &Passphrase::new(PASS.into())).unwrap();
    let unlock_t = t.elapsed();
    let c = v.caller(FrontEnd::Cli);
    let read = |i: usize| {
        v.get_secret_value(
            &c,
            GetSecretValueRequest {
                secret_id: format!("svc-{:06}/db", i % secrets),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let t = Instant::now();
    std::hint::black_box(v.health_report(&c, &th).unwrap());
    let unlocked_t = t.elapsed();
    let mut again = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        std::hint::black_box(v.health_report(&c, &th).unwrap());
        again.push(t.elapsed());
    }
    again.sort();
    let t = Instant::now();
    std::hint::black_box(read(3));
    let one_read = t.elapsed();
    let t = Instant::now();
    std::hint::black_box(v.health_report(&c, &th).unwrap());
    let after_one = t.elapsed();
    for i in 0..1_000 {
        std::hint::black_box(read(i * 7));
    }
    let t = Instant::now();
    let after = v.health_report(&c, &th).unwrap();
    let after_t = t.elapsed();
    println!(
        "{secrets:>7} secrets, {events:>9} events: built in {:.1} s; first report {:.0} ms ({} findings); \
         unlock {:.0} ms, then report {:.0} ms; report {:.0} ms (median of 5); read + audit + summary {:.1} us \
         (mean of the build's reads; one more: {:.2} ms, then report {:.0} ms); report after 1,000 more reads {:.0} ms ({} findings)",
        built.as_secs_f64(),
        ms(first_t),
        first.findings.len(),
        ms(unlock_t),
        ms(unlocked_t),
        ms(again[2]),
        per_read.as_secs_f64() * 1e6,
        ms(one_read),
        ms(after_one),
        ms(after_t),
        after.findings.len(),
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this with no flag: do nothing
    // heavy then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    run(1_000, 10_000);
    run(100_000, 1_000_000);
}
