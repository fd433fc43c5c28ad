//! The crash test's writer: opens a vault and writes in a loop, printing `ACK ...` after
//! each commit returns, until it is killed. Arguments: VAULT SEED [rekey] (passphrase in
//! COFFER_PASSPHRASE). With `rekey` it adds an operator and removes it again between
//! writes, so that kills land in the middle of re-keys.

use std::io::Write;

use coffer_core::Passphrase;
use coffer_core::api::*;
use coffer_core::{FrontEnd, SecretText, Vault};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = std::path::PathBuf::from(args.next().expect("vault path"));
    let mut seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1) | 1;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let pass = Passphrase::new(std::env::var("COFFER_PASSPHRASE").expect("COFFER_PASSPHRASE"));
    let rekey = args.next().as_deref() == Some("rekey");
    let vault = Vault::open(&path, Some("admin"), &pass).expect("open");
    let c = vault.caller(FrontEnd::Cli);
    let out = std::io::stdout();
    let mut out = out.lock();
    let round = rand() % 1_000_000;
    if rekey {
        // An operator a killed round left behind is removed first: that too re-keys.
        for o in vault.list_operators(&c).expect("list").operators {
            if o.operator_name != "admin" {
                vault.remove_operator(&c, &o.operator_name).expect("remove");
            }
        }
    }
    for i in 0u64.. {
        let name = format!("crash/s{}-{}", round % 7, rand() % 8);
        let value = format!("value-{round}-{i}");
        match rand() % 10 {
            0 => {
                let r = vault.create_secret(
                    &c,
                    CreateSecretRequest {
                        name: format!("crash/r{round}-{i}"),
                        secret_string: Some(SecretText::new(value.clone())),
                        ..Default::default()
                    },
                );
                if let Ok(r) = r {
                    writeln!(
                        out,
                        "ACK {} {} {value}",
                        r.name,
                        r.version_id.unwrap_or_default()
                    )
                    .unwrap();
                }
            }
            1..=7 => {
                let stages = if rand() % 3 == 0 {
                    Some(vec!["AWSPENDING".to_string()])
                } else {
                    None
                };
                let r = vault.put_secret_value(
                    &c,
                    PutSecretValueRequest {
                        secret_id: name.clone(),
                        secret_string: Some(SecretText::new(value.clone())),
                        version_stages: stages,
                        ..Default::default()
                    },
                );
                match r {
                    Ok(r) => writeln!(out, "ACK {name} {} {value}", r.version_id).unwrap(),
                    Err(e) if e.code == coffer_core::ErrorCode::ResourceNotFound => {
                        if let Ok(r) = vault.create_secret(
                            &c,
                            CreateSecretRequest {
                                name: name.clone(),
                                secret_string: Some(SecretText::new(value.clone())),
                                ..Default::default()
                            },
                        ) {
                            writeln!(
                                out,
                                "ACK {name} {} {value}",
                                r.version_id.unwrap_or_default()
                            )
                            .unwrap();
                        }
                    }
                    // A secret at its 100-version limit refuses more (it is all young).
                    Err(e) if e.code == coffer_core::ErrorCode::LimitExceeded => {}
                    Err(e) => panic!("put failed: {e}"),
                }
            }
            _ => {
                // Roll back: AWSCURRENT to the version holding AWSPREVIOUS.
                let Ok(d) = vault.describe_secret(
                    &c,
                    SecretIdRequest {
                        secret_id: name.clone(),
                    },
                ) else {
                    continue;
                };
                let find = |label: &str| {
                    d.version_ids_to_stages
                        .iter()
                        .find(|(_, s)| s.iter().any(|x| x == label))
                        .map(|(v, _)| v.clone())
                };
                if let (Some(cur), Some(prev)) = (find("AWSCURRENT"), find("AWSPREVIOUS")) {
                    vault
                        .update_secret_version_stage(
                            &c,
                            UpdateSecretVersionStageRequest {
                                secret_id: name.clone(),
                                version_stage: "AWSCURRENT".into(),
                                remove_from_version_id: Some(cur),
                                move_to_version_id: Some(prev.clone()),
                            },
                        )
                        .expect("move");
                    writeln!(out, "MOVED {name} {prev}").unwrap();
                }
            }
        }
        if rekey {
            let name = format!("temp{round}-{i}");
            vault
                .add_operator(&c, &name, &Passphrase::new(name.clone()), Some((19456, 2)))
                .expect("add an operator");
            vault
                .remove_operator(&c, &name)
                .expect("remove an operator");
            writeln!(out, "REKEYED {name}").unwrap();
        }
        out.flush().unwrap();
    }
}
