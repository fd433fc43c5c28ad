//! Crash safety: a writer process is killed with SIGKILL at random moments — also while it
//! removes operators, which re-keys the whole vault; after each kill the vault opens with
//! the remaining operator's passphrase, passes `PRAGMA integrity_check`, holds every
//! acknowledged write, keeps its label invariants, and its audit chain verifies; and what
//! the health report keeps beside the values and the trail (each version's facts, each
//! secret's last read, each principal's last use) agrees with them.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use coffer_core::Passphrase;
use coffer_core::api::*;
use coffer_core::{FrontEnd, Vault};
use coffer_tests::{TestVault, coffer_bin};

const ROUNDS: usize = 50;
/// Rounds of the re-keying writer: each re-key rewrites every secret, so rounds are longer.
const REKEY_ROUNDS: usize = 20;

fn writer_bin() -> std::path::PathBuf {
    coffer_bin().with_file_name(format!("crash_writer{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn a_writer_killed_at_random_moments_loses_no_acknowledged_write_and_breaks_no_invariant() {
    kill_rounds(ROUNDS, None);
}

#[test]
fn a_writer_killed_while_removing_operators_loses_nothing_and_the_vault_still_opens() {
    kill_rounds(REKEY_ROUNDS, Some("rekey"));
}

/// `rounds` writers (in `mode`), each killed at a random moment, each followed by a check.
fn kill_rounds(rounds: usize, mode: Option<&str>) {
    let v = TestVault::init();
    let mut seed: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut acked: Vec<(String, String, String)> = Vec::new();
    let mut total_lines = 0usize;
    let mut rekeyed = 0usize;
    for round in 0..rounds {
        let mut child = Command::new(writer_bin())
            .arg(&v.path)
            .arg(rand().to_string())
            .args(mode)
            .env("COFFER_PASSPHRASE", &v.passphrase)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the writer");
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => lines.push(l),
                    Err(_) => break,
                }
            }
            lines
        });
        // Let it unlock and write for a random while, then kill it mid-flight.
        let spread = if mode.is_some() { 1500 } else { 240 };
        let wait = Duration::from_millis(60 + rand() % spread);
        let start = Instant::now();
        while start.elapsed() < wait {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
                panic!("round {round}: the writer died by itself ({status}): {err}");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        total_lines += lines.len();
        let before = acked.len();
        for l in lines {
            rekeyed += usize::from(l.starts_with("REKEYED "));
            let parts: Vec<&str> = l.splitn(4, ' ').collect();
            if parts[0] == "ACK" && parts.len() == 4 {
                acked.push((
                    parts[1].to_string(),
                    parts[2].to_string(),
                    parts[3].to_string(),
                ));
            }
        }
        // Every write of this round, and a sample of the earlier ones (all of them at the end).
        let mut sample: Vec<_> = acked[before..].to_vec();
        for _ in 0..20.min(before) {
            sample.push(acked[(rand() as usize) % before].clone());
        }
        check(&v, &sample, round);
    }
    check(&v, &acked, rounds);
    assert!(
        total_lines > rounds,
        "the writer acknowledged too few writes ({total_lines}) to mean anything"
    );
    if mode.is_some() {
        assert!(
            rekeyed > 0,
            "no re-key completed in {rounds} rounds: the kills never met one"
        );
    }
}

fn check(v: &TestVault, acked: &[(String, String, String)], round: usize) {
    let vault = Vault::open(
        &v.path,
        Some("admin"),
        &Passphrase::new(v.passphrase.clone()),
    )
    .expect("the vault opens after a kill");
    assert_eq!(vault.integrity_check().unwrap(), "ok", "round {round}");
    assert_eq!(
        vault.health_disagreements().unwrap(),
        Vec::<String>::new(),
        "round {round}"
    );
    let c = vault.caller(FrontEnd::Cli);
    for (name, vid, value) in acked {
        let r = vault
            .get_secret_value(
                &c,
                GetSecretValueRequest {
                    secret_id: name.clone(),
                    version_id: Some(vid.clone()),
                    ..Default::default()
                },
            )
            .unwrap_or_else(|e| panic!("round {round}: acknowledged {name} {vid} is gone: {e}"));
        match r.value {
            coffer_core::SecretValue::String(s) => {
                assert_eq!(s.expose(), value, "round {round}: {name} {vid}")
            }
            _ => panic!("round {round}: {name} {vid} changed kind"),
        }
    }
    let list = vault
        .list_secrets(
            &c,
            ListSecretsRequest {
                include_planned_deletion: true,
                ..Default::default()
            },
        )
        .unwrap();
    let mut token = list.next_token.clone();
    let mut entries = list.secret_list;
    while let Some(t) = token {
        let more = vault
            .list_secrets(
                &c,
                ListSecretsRequest {
                    next_token: Some(t),
                    ..Default::default()
                },
            )
            .unwrap();
        entries.extend(more.secret_list);
        token = more.next_token;
    }
    for s in entries {
        let mut seen = std::collections::HashSet::new();
        let mut current = 0;
        for stages in s.secret_versions_to_stages.values() {
            for st in stages {
                assert!(
                    seen.insert(st.clone()),
                    "round {round}: {} has {st} twice",
                    s.name
                );
                current += usize::from(st == "AWSCURRENT");
            }
        }
        assert_eq!(
            current, 1,
            "round {round}: {} must have exactly one AWSCURRENT",
            s.name
        );
    }
    let report = vault.verify_audit_trail(&c).unwrap();
    assert!(report.intact, "round {round}: {report:?}");
}
