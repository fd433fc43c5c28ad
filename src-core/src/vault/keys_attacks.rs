//! Attacks on the vault's keys (docs/KEYS.md), each performed with the crate's own crypto and
//! store helpers: a forged master key sealed to an operator's slot, a forged backup, a forged
//! replica; and what a removed operator, or an old passphrase, can still do with an old copy
//! of the file. They live inside the crate because the crypto they forge with is private to
//! it; otherwise they are written as the integration tests are, through `coffer_core::` and
//! the integration tests' fixture.

#[path = "../../tests/common.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use coffer_core::api::*;
use coffer_core::crypto::envelope::wrap_key;
use coffer_core::crypto::slot;
use coffer_core::crypto::{Aad, Key, KeyedHash, Passphrase};
use coffer_core::vault::iam::{ADMINISTRATOR_ACCESS, EntityKind};
use coffer_core::{ErrorCode, FrontEnd, SecretText, Vault};
use common::*;
use rusqlite::{Connection, params};

const KDF: Option<(u32, u32)> = Some((19456, 2));

fn pass(s: &str) -> Passphrase {
    Passphrase::new(s.into())
}

fn meta(c: &Connection, key: &str) -> String {
    let v: Vec<u8> = c
        .query_row("SELECT value FROM vault_meta WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .unwrap();
    String::from_utf8(v).unwrap()
}

/// What someone who can write the file but holds no slot does: a master key of their own,
/// new vault keys wrapped by it, the victim slot's public-key MAC recomputed under their own
/// index key, and their master key sealed to the victim's public key — by a slot key of
/// their own, the only kind of sealer they can be. Returns the forged master key.
fn forge_master(path: &Path, victim: &str) -> Key {
    let c = Connection::open(path).unwrap();
    let vault_id = meta(&c, "vault_id");
    let public: Vec<u8> = c
        .query_row(
            "SELECT public_key FROM key_slots WHERE operator = ?1",
            [victim],
            |r| r.get(0),
        )
        .unwrap();
    let public: [u8; 32] = public.try_into().unwrap();
    let master = Key::random();
    let mut public_mac = Vec::new();
    for purpose in ["index", "meta", "audit-enc", "audit-mac"] {
        let k = Key::random();
        let aad = Aad::new("vault-key").with(&vault_id).with(purpose);
        c.execute(
            "UPDATE vault_keys SET wrapped = ?2 WHERE purpose = ?1",
            params![purpose, wrap_key(&master, &aad, &k)],
        )
        .unwrap();
        if purpose == "index" {
            public_mac = KeyedHash::new(k)
                .hash(&[
                    b"slot-public-key",
                    vault_id.as_bytes(),
                    victim.as_bytes(),
                    &public,
                ])
                .to_vec();
        }
    }
    let (forger, _) = slot::new_slot(&Key::random(), &Aad::new("forger"), &[]);
    let sealed = slot::seal_to(
        &forger,
        &public,
        &Aad::new("master-key").with(&vault_id).with(victim),
        &master,
    );
    c.execute(
        "UPDATE key_slots SET public_mac = ?2, sealed_master = ?3 WHERE operator = ?1",
        params![victim, public_mac, sealed],
    )
    .unwrap();
    master
}

/// A copy of the vault file as it is now (what a synced folder or a backup drive holds).
fn copy_of(f: &Fixture, name: &str) -> PathBuf {
    let to = f.dir.path().join(name);
    let c = Connection::open(&f.path).unwrap();
    c.execute("VACUUM INTO ?1", [to.to_str().unwrap()]).unwrap();
    to
}

fn assert_not_genuine<T: std::fmt::Debug>(r: coffer_core::Result<T>) {
    let e = r.unwrap_err();
    assert_eq!(e.code, ErrorCode::DecryptionFailure, "{e}");
    assert!(e.message.contains("not genuine"), "{}", e.message);
}

#[test]
fn a_vault_whose_master_key_was_sealed_by_someone_without_a_slot_does_not_open() {
    let f = fixture();
    f.create("s", Some("v"));
    forge_master(&f.path, "admin");
    assert_not_genuine(Vault::open(&f.path, Some("admin"), &pass(PASS)));
}

#[test]
fn a_forged_backup_does_not_restore() {
    use coffer_core::crypto::backup::{ChunkSealer, backup_key, header_digest};
    let f = fixture();
    f.create("s", Some("v"));
    // The forger takes a copy of the genuine file, forges its master key, and writes a
    // backup of it in Coffer's own format, sealed under the forged master's backup key.
    let copy = copy_of(&f, "copy.db");
    let master = forge_master(&copy, "admin");
    let snapshot = std::fs::read(&copy).unwrap();
    let c = Connection::open(&copy).unwrap();
    let (kdf, wrapped, sealed): (String, Vec<u8>, Vec<u8>) = c
        .query_row(
            "SELECT kdf, wrapped_private, sealed_master FROM key_slots WHERE operator = 'admin'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let header = serde_json::json!({
        "BackupId": "forged",
        "CreatedMs": 0,
        "VaultId": meta(&c, "vault_id"),
        "AccountId": meta(&c, "account_id"),
        "Region": meta(&c, "region"),
        "Salt": "00112233",
        "SnapshotBytes": snapshot.len(),
        "Slots": [{"Operator": "admin", "Kdf": kdf, "WrappedPrivate": b64(&wrapped), "SealedMaster": b64(&sealed)}],
    });
    let header = serde_json::to_vec(&header).unwrap();
    let digest = header_digest(&header);
    let mut sealer = ChunkSealer::new(backup_key(&master, &[0x00, 0x11, 0x22, 0x33]), digest);
    let mut file = b"COFFERBK".to_vec();
    file.extend(1u32.to_be_bytes());
    file.extend((header.len() as u32).to_be_bytes());
    file.extend(&header);
    file.extend(digest);
    let chunk = sealer.seal(&snapshot, true);
    file.push(1);
    file.extend((chunk.len() as u32).to_be_bytes());
    file.extend(chunk);
    let backup = f.dir.path().join("forged.cofferbak");
    std::fs::write(&backup, file).unwrap();

    let to = f.dir.path().join("restored.db");
    assert_not_genuine(Vault::restore(
        &backup,
        &to,
        Some("admin"),
        &pass(PASS),
        FrontEnd::Cli,
        &mut |_, _| {},
    ));
    assert!(!to.exists(), "nothing is put in place");
    // A genuine backup still restores.
    let genuine = f.dir.path().join("genuine.cofferbak");
    f.vault.backup(&f.caller, &genuine, &mut |_, _| {}).unwrap();
    Vault::restore(
        &genuine,
        &to,
        Some("admin"),
        &pass(PASS),
        FrontEnd::Cli,
        &mut |_, _| {},
    )
    .unwrap();
}

/// The fixture's vault with eu-west-1 registered at a new file, and one secret replicated.
fn replicated() -> (Fixture, PathBuf) {
    let f = fixture();
    let path = f.dir.path().join("replica.db");
    f.vault
        .add_replica_region(
            &f.caller,
            "eu-west-1",
            &path,
            None,
            pass("replica pass"),
            KDF,
        )
        .unwrap();
    f.create("svc/token", Some("t1"));
    f.vault
        .replicate_secret_to_regions(
            &f.caller,
            ReplicateSecretToRegionsRequest {
                secret_id: "svc/token".into(),
                add_replica_regions: vec![ReplicaRegionType {
                    region: Some("eu-west-1".into()),
                    kms_key_id: None,
                }],
                force_overwrite_replica_secret: false,
            },
        )
        .unwrap();
    assert_eq!(replica_status(&f).0, "InSync");
    (f, path)
}

fn replica_status(f: &Fixture) -> (String, Option<String>) {
    let d = f
        .vault
        .describe_secret(
            &f.caller,
            SecretIdRequest {
                secret_id: "svc/token".into(),
            },
        )
        .unwrap();
    let r = &d.replication_status[0];
    (r.status.clone(), r.status_message.clone())
}

/// Puts `forged` in the replica's place, as a new file (a synced folder replaces files).
fn swap_in(forged: &Path, path: &Path) {
    std::fs::rename(forged, path).unwrap();
}

#[test]
fn a_primary_refuses_to_push_to_a_replica_file_whose_master_key_was_forged() {
    let (f, path) = replicated();
    let primary_id = f.vault.info().vault_id.clone();
    let copy = path.with_file_name("forged-replica.db");
    Connection::open(&path)
        .unwrap()
        .execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
        .unwrap();
    forge_master(&copy, &format!("replicator@{primary_id}"));
    swap_in(&copy, &path);
    f.put("svc/token", "t2", None);
    let (status, message) = replica_status(&f);
    assert_eq!(status, "Failed");
    assert!(message.unwrap().contains("not genuine"));
}

#[test]
fn a_primary_refuses_to_push_to_a_replica_whose_replication_slot_was_replaced() {
    let (f, path) = replicated();
    let primary_id = f.vault.info().vault_id.clone();
    // The forger gives the replica file a replication slot of their own.
    let c = Connection::open(&path).unwrap();
    let (forger, wrapped) = slot::new_slot(
        &Key::random(),
        &Aad::new("key-slot")
            .with(meta(&c, "vault_id"))
            .with(format!("replicator@{primary_id}")),
        &[],
    );
    c.execute(
        "UPDATE key_slots SET public_key = ?2, wrapped_private = ?3 WHERE operator = ?1",
        params![
            format!("replicator@{primary_id}"),
            forger.public().to_vec(),
            wrapped
        ],
    )
    .unwrap();
    drop(c);
    let copy = path.with_file_name("swapped.db");
    std::fs::copy(&path, &copy).unwrap();
    swap_in(&copy, &path);
    f.put("svc/token", "t2", None);
    let (status, message) = replica_status(&f);
    assert_eq!(status, "Failed");
    assert!(message.unwrap().contains("keys changed"));
}

#[test]
fn a_primary_refuses_to_push_to_another_vault_put_in_its_replicas_place() {
    let (f, path) = replicated();
    let other = path.with_file_name("other.db");
    let mut opts = coffer_core::InitOptions::new("attacker", pass("attacker pass"));
    opts.kdf = KDF;
    drop(Vault::init(&other, opts).unwrap());
    // The whole replica goes, its write-ahead log with it (SQLite would replay an old log
    // onto the new file and show a mix of the two).
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    swap_in(&other, &path);
    f.put("svc/token", "t2", None);
    let (status, message) = replica_status(&f);
    assert_eq!(status, "Failed");
    let message = message.unwrap();
    assert!(
        message.contains("is not the replica vault registered for eu-west-1")
            && message.contains("another vault was put in its place"),
        "{message}"
    );
    let regions = f.vault.list_replica_regions(&f.caller).unwrap();
    assert!(regions[0].reachable && regions[0].replaced, "{regions:?}");
    let attacker = Vault::open(&path, Some("attacker"), &pass("attacker pass")).unwrap();
    assert!(
        attacker
            .list_secrets(&attacker.caller(FrontEnd::Cli), Default::default())
            .unwrap()
            .secret_list
            .is_empty(),
        "nothing reached the file put in the replica's place"
    );
}

fn create(v: &Vault, name: &str, value: &str) {
    v.create_secret(
        &v.caller(FrontEnd::Cli),
        CreateSecretRequest {
            name: name.into(),
            secret_string: Some(SecretText::new(value.into())),
            ..Default::default()
        },
    )
    .unwrap();
}

fn admin_operator(f: &Fixture, name: &str, passphrase: &str) {
    f.vault
        .add_operator(&f.caller, name, &pass(passphrase), KDF)
        .unwrap();
    f.vault
        .iam_attach_policy(
            &f.caller,
            EntityKind::User,
            name,
            ADMINISTRATOR_ACCESS,
            true,
        )
        .unwrap();
}

#[test]
fn a_removed_operators_old_copy_reads_nothing_written_after_and_forges_no_audit_event() {
    let f = fixture();
    f.create("before", Some("old value"));
    admin_operator(&f, "bob", "bob pass");
    let old_copy = copy_of(&f, "bobs-copy.db");
    f.vault.remove_operator(&f.caller, "bob").unwrap();
    f.create("after", Some("written after bob left"));

    // Bob's copy opens with his passphrase and shows what existed when he left.
    let bob = Vault::open(&old_copy, Some("bob"), &pass("bob pass")).unwrap();
    let bc = bob.caller(FrontEnd::Cli);
    let get = |v: &Vault, id: &str| {
        v.get_secret_value(
            &bc,
            GetSecretValueRequest {
                secret_id: id.into(),
                ..Default::default()
            },
        )
    };
    get(&bob, "before").unwrap();
    drop(bob);

    // He copies the new secret's rows from the current file into his copy: its document
    // and its value are under keys he never held.
    let c = Connection::open(&old_copy).unwrap();
    c.execute("ATTACH ?1 AS cur", [f.path.to_str().unwrap()])
        .unwrap();
    c.execute_batch(
        "INSERT INTO secrets SELECT * FROM cur.secrets WHERE uid NOT IN (SELECT uid FROM main.secrets);
         INSERT INTO versions SELECT * FROM cur.versions WHERE secret_uid NOT IN (SELECT secret_uid FROM main.versions);",
    )
    .unwrap();
    // And makes his copy's audit chain the current one, so that his next event chains on.
    c.execute_batch(
        "DELETE FROM audit; INSERT INTO audit SELECT * FROM cur.audit;
         DETACH cur;",
    )
    .unwrap();
    drop(c);
    let bob = Vault::open(&old_copy, Some("bob"), &pass("bob pass")).unwrap();
    let e = get(&bob, "after").unwrap_err();
    assert!(
        matches!(
            e.code,
            ErrorCode::ResourceNotFound | ErrorCode::DecryptionFailure
        ),
        "{e}"
    );
    assert!(!e.message.contains("written after bob left"));
    // His forged events (that read, and a write): written by his copy under the audit keys
    // he held, chained on the current file's last event, then put into the current file
    // with their head.
    create(&bob, "planted", "x");
    drop(bob);
    let c = Connection::open(&old_copy).unwrap();
    c.execute("ATTACH ?1 AS cur", [f.path.to_str().unwrap()])
        .unwrap();
    let first_forged: i64 = c
        .query_row("SELECT max(seq) + 1 FROM cur.audit", [], |r| r.get(0))
        .unwrap();
    c.execute_batch(&format!(
        "INSERT INTO cur.audit SELECT * FROM main.audit WHERE seq >= {first_forged};
         UPDATE cur.vault_meta SET value = (SELECT value FROM main.vault_meta WHERE key = 'audit_head')
           WHERE key = 'audit_head';"
    ))
    .unwrap();
    drop(c);
    let report = f.vault.verify_audit_trail(&f.caller).unwrap();
    assert!(!report.intact);
    assert_eq!(report.first_broken_sequence, Some(first_forged));

    // Nor does his old slot, put back into the current file, open the new master key.
    let c = Connection::open(&f.path).unwrap();
    c.execute("ATTACH ?1 AS old", [old_copy.to_str().unwrap()])
        .unwrap();
    c.execute(
        "INSERT INTO key_slots SELECT * FROM old.key_slots WHERE operator = 'bob'",
        [],
    )
    .unwrap();
    drop(c);
    let e = Vault::open(&f.path, Some("bob"), &pass("bob pass")).unwrap_err();
    assert_eq!(e.code, ErrorCode::DecryptionFailure, "{e}");
}

fn vault_keys(path: &Path) -> Vec<(String, Vec<u8>)> {
    let c = Connection::open(path).unwrap();
    let mut st = c
        .prepare("SELECT purpose, wrapped FROM vault_keys ORDER BY purpose")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_passphrase_change_replaces_every_key_and_the_old_passphrase_opens_nothing_new() {
    let f = fixture();
    f.create("s", Some("v"));
    let before = vault_keys(&f.path);
    let old_copy = copy_of(&f, "old.db");
    f.vault
        .change_passphrase(&f.caller, &pass(PASS), &pass("new words"), KDF)
        .unwrap();
    let after = vault_keys(&f.path);
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_ne!(b.1, a.1, "{} was not replaced", b.0);
    }
    f.create("new", Some("sealed after the change"));
    assert_eq!(f.get("s"), "v");
    // The old passphrase still opens the old copy (what existed then)…
    Vault::open(&old_copy, Some("admin"), &pass(PASS)).unwrap();
    // …but the old slot's private key, put with the new sealed master key into the file,
    // opens nothing: the slot key pair is new too.
    let c = Connection::open(&f.path).unwrap();
    c.execute("ATTACH ?1 AS old", [old_copy.to_str().unwrap()])
        .unwrap();
    c.execute(
        "UPDATE key_slots SET kdf = (SELECT kdf FROM old.key_slots WHERE operator = 'admin'),
             wrapped_private = (SELECT wrapped_private FROM old.key_slots WHERE operator = 'admin')
         WHERE operator = 'admin'",
        [],
    )
    .unwrap();
    drop(c);
    let e = Vault::open(&f.path, Some("admin"), &pass(PASS)).unwrap_err();
    assert_eq!(e.code, ErrorCode::DecryptionFailure, "{e}");
}

#[test]
fn another_process_follows_a_rekey_and_a_removed_operators_process_is_locked_out() {
    let f = fixture();
    f.create("s", Some("v"));
    admin_operator(&f, "bob", "bob pass");
    admin_operator(&f, "carol", "carol pass");
    let bob = Vault::open_with_clock(
        &f.path,
        Some("bob"),
        &pass("bob pass"),
        Arc::new(f.clock.clone()),
    )
    .unwrap();
    let carol = Vault::open(&f.path, Some("carol"), &pass("carol pass")).unwrap();
    f.vault.remove_operator(&f.caller, "carol").unwrap();
    f.vault
        .change_passphrase(&f.caller, &pass(PASS), &pass("admin's new words"), KDF)
        .unwrap();
    // Bob's process follows both re-keys: it reads, writes and verifies the audit trail.
    create(&bob, "by-bob", "b");
    assert_eq!(f.get("by-bob"), "b");
    let bc = bob.caller(FrontEnd::Cli);
    assert!(bob.verify_audit_trail(&bc).unwrap().intact);
    // Carol's process can do nothing more.
    let cc = carol.caller(FrontEnd::Cli);
    let e = carol
        .get_secret_value(
            &cc,
            GetSecretValueRequest {
                secret_id: "s".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::AccessDenied, "{e}");
    assert!(e.message.contains("removed"), "{}", e.message);
    // The old passphrase opens nothing any more.
    assert_eq!(
        code(Vault::open(&f.path, Some("admin"), &pass(PASS))),
        ErrorCode::AccessDenied
    );
}

#[test]
fn a_member_added_by_another_is_trusted_through_vouchers_after_its_adder_is_removed() {
    // Admin adds bob; bob adds carol; carol removes bob — all while the admin's slot has
    // pinned only itself. Admin still opens what carol sealed, through the vouchers.
    let f = fixture();
    f.create("s", Some("v"));
    admin_operator(&f, "bob", "bob pass");
    let bob = Vault::open(&f.path, Some("bob"), &pass("bob pass")).unwrap();
    let bc = bob.caller(FrontEnd::Cli);
    bob.add_operator(&bc, "carol", &pass("carol pass"), KDF)
        .unwrap();
    bob.iam_attach_policy(&bc, EntityKind::User, "carol", ADMINISTRATOR_ACCESS, true)
        .unwrap();
    let carol = Vault::open(&f.path, Some("carol"), &pass("carol pass")).unwrap();
    carol
        .remove_operator(&carol.caller(FrontEnd::Cli), "bob")
        .unwrap();
    create(&carol, "by-carol", "c");
    assert_eq!(f.get("by-carol"), "c");
    let again = Vault::open(&f.path, Some("admin"), &pass(PASS)).unwrap();
    assert!(again.verify_audit_trail(&f.caller).unwrap().intact);
    // And after the admin's unlock pinned carol, her next re-key opens too.
    carol
        .change_passphrase(
            &carol.caller(FrontEnd::Cli),
            &pass("carol pass"),
            &pass("carol's new"),
            KDF,
        )
        .unwrap();
    Vault::open(&f.path, Some("admin"), &pass(PASS)).unwrap();
}

#[test]
fn a_rekey_reports_its_progress_and_keeps_every_value_and_event() {
    let f = fixture();
    for i in 0..25 {
        f.create(&format!("s{i}"), Some(&format!("v{i}")));
    }
    f.vault
        .add_operator(&f.caller, "bob", &pass("bob pass"), KDF)
        .unwrap();
    let records = |v: serde_json::Value| v["Records"].as_array().unwrap().clone();
    let events_before = records(
        f.vault
            .export_audit_trail(&f.caller, &Default::default())
            .unwrap(),
    );
    let mut seen = Vec::new();
    f.vault
        .remove_operator_reporting(&f.caller, "bob", &mut |p, d, t| seen.push((p, d, t)))
        .unwrap();
    use coffer_core::vault::RekeyPhase;
    assert!(seen.contains(&(RekeyPhase::Secrets, 25, 25)), "{seen:?}");
    assert!(
        seen.iter()
            .any(|(p, d, t)| *p == RekeyPhase::Audit && d == t && *t > 0)
    );
    for i in 0..25 {
        assert_eq!(f.get(&format!("s{i}")), format!("v{i}"));
    }
    let events_after = records(
        f.vault
            .export_audit_trail(&f.caller, &Default::default())
            .unwrap(),
    );
    assert_eq!(
        events_before[..],
        events_after[..events_before.len()],
        "the events' content and sequence numbers are unchanged"
    );
    assert!(f.vault.verify_audit_trail(&f.caller).unwrap().intact);
}
