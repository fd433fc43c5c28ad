//! What a stolen vault file shows, and what a changed byte does: tamper tests for every
//! kind of ciphertext and wrapped key, ciphertexts moved between places, and a search of
//! the file, its WAL and SHM for marker strings.

mod common;

use coffer_core::Passphrase;
use coffer_core::api::*;
use coffer_core::model::Tag;
use coffer_core::vault::AuditQuery;
use coffer_core::{ErrorCode, FrontEnd, SecretText, Vault};
use common::*;
use rusqlite::{Connection, params};

fn raw(f: &Fixture) -> Connection {
    Connection::open(&f.path).unwrap()
}

fn blob(c: &Connection, sql: &str) -> Vec<u8> {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn set_blob(
    c: &Connection,
    table: &str,
    col: &str,
    key_col: &str,
    key: &dyn rusqlite::ToSql,
    value: &[u8],
) {
    let n = c
        .execute(
            &format!("UPDATE {table} SET {col} = ?1 WHERE {key_col} = ?2"),
            params![value, key],
        )
        .unwrap();
    assert_eq!(n, 1);
}

fn open(f: &Fixture) -> coffer_core::Result<Vault> {
    Vault::open(&f.path, Some("admin"), &Passphrase::new(PASS.into()))
}

/// Byte positions to flip: every byte of short blobs; for longer ones the format byte, the
/// nonce, a spread through the body and the whole tag.
fn positions(len: usize) -> Vec<usize> {
    if len <= 96 {
        return (0..len).collect();
    }
    let mut p: Vec<usize> = (0..13).collect();
    p.extend((13..len - 16).step_by((len / 24).max(1)));
    p.extend(len - 16..len);
    p
}

/// Reads a version: an error, or exactly its own value — never another plaintext.
/// Returns whether the read failed.
fn fails_or_own(f: &Fixture, vid: &str, own: &str) -> bool {
    match f.get_at("s", Some(vid), None) {
        Ok(v) => {
            assert_eq!(
                v, own,
                "a moved or changed ciphertext opened as another value"
            );
            false
        }
        Err(_) => true,
    }
}

/// After tampering with one of s's two versions: that one fails, the other reads as itself.
fn one_fails(f: &Fixture, v1: &str, v2: &str) -> bool {
    fails_or_own(f, v1, "the first value") | fails_or_own(f, v2, "the second value")
}

/// A stored version row: (secret uid, version id hash, sealed value, wrapped data key).
type VersionRow = (String, Vec<u8>, Vec<u8>, Vec<u8>);

fn setup() -> (Fixture, String, String) {
    let f = fixture();
    let v1 = f.create("s", Some("the first value")).version_id.unwrap();
    let v2 = f.put("s", "the second value", None).version_id;
    f.create("other", Some("another secret's value"));
    (f, v1, v2)
}

#[test]
fn flipping_any_byte_of_a_value_or_its_wrapped_data_key_gives_an_error() {
    let (f, v1, v2) = setup();
    let c = raw(&f);
    let uid: String = c
        .query_row(
            "SELECT secret_uid FROM versions GROUP BY secret_uid HAVING count(*) = 2",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let rows: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = {
        let mut st = c
            .prepare("SELECT vid_hash, value, wrapped_dek FROM versions WHERE secret_uid = ?1")
            .unwrap();
        st.query_map([&uid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(rows.len(), 2);
    let mut checked = 0;
    for (vid_hash, value, dek) in rows {
        for (col, original) in [("value", value), ("wrapped_dek", dek)] {
            for i in positions(original.len()) {
                let mut t = original.clone();
                t[i] ^= 0x01;
                c.execute(
                    &format!("UPDATE versions SET {col} = ?1 WHERE vid_hash = ?2"),
                    params![t, vid_hash],
                )
                .unwrap();
                assert!(one_fails(&f, &v1, &v2), "{col} byte {i}");
                c.execute(
                    &format!("UPDATE versions SET {col} = ?1 WHERE vid_hash = ?2"),
                    params![original, vid_hash],
                )
                .unwrap();
                checked += 1;
            }
        }
    }
    assert!(checked > 100);
    assert_eq!(f.get("s"), "the second value");
    assert_eq!(f.get_at("s", Some(&v1), None).unwrap(), "the first value");
}

#[test]
fn flipping_bytes_of_keys_slots_and_documents_makes_unlock_or_lookup_fail() {
    let (f, _, _) = setup();
    drop(raw(&f).execute_batch("PRAGMA wal_checkpoint(TRUNCATE)"));
    let c = raw(&f);
    // (table, column, key column, key) of every kind of wrapped key and sealed document.
    let targets: Vec<(&str, &str, &str, String)> = vec![
        ("key_slots", "wrapped_private", "operator", "admin".into()),
        ("key_slots", "sealed_master", "operator", "admin".into()),
        ("key_slots", "public_key", "operator", "admin".into()),
        ("key_slots", "public_mac", "operator", "admin".into()),
        ("vault_keys", "wrapped", "purpose", "index".into()),
        ("vault_keys", "wrapped", "purpose", "meta".into()),
        ("vault_keys", "wrapped", "purpose", "audit-enc".into()),
        ("vault_keys", "wrapped", "purpose", "audit-mac".into()),
        (
            "kms_keys",
            "wrapped",
            "key_id",
            c.query_row("SELECT key_id FROM kms_keys", [], |r| r.get(0))
                .unwrap(),
        ),
        (
            "kms_keys",
            "doc",
            "key_id",
            c.query_row("SELECT key_id FROM kms_keys", [], |r| r.get(0))
                .unwrap(),
        ),
    ];
    for (table, col, key_col, key) in targets {
        let original = blob(
            &c,
            &format!("SELECT {col} FROM {table} WHERE {key_col} = '{key}'"),
        );
        for i in positions(original.len()).into_iter().step_by(3) {
            let mut t = original.clone();
            t[i] ^= 0x80;
            set_blob(&c, table, col, key_col, &key, &t);
            match open(&f) {
                Err(e) => assert!(
                    matches!(
                        e.code,
                        ErrorCode::AccessDenied | ErrorCode::DecryptionFailure
                    ),
                    "{table}.{col} byte {i}: {e}"
                ),
                Ok(v) => panic!("{table}.{col} byte {i}: the vault opened: {v:?}"),
            }
            set_blob(&c, table, col, key_col, &key, &original);
        }
    }
    // A secret's sealed document: the secret can no longer be found, nothing else shows.
    let uid: String = c
        .query_row("SELECT uid FROM secrets LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let original = blob(&c, &format!("SELECT doc FROM secrets WHERE uid = '{uid}'"));
    for i in positions(original.len()) {
        let mut t = original.clone();
        t[i] ^= 0x04;
        set_blob(&c, "secrets", "doc", "uid", &uid, &t);
        let v = open(&f).unwrap();
        let caller = v.caller(FrontEnd::Cli);
        let names: Vec<String> = v
            .list_secrets(&caller, ListSecretsRequest::default())
            .unwrap()
            .secret_list
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(
            names.len(),
            1,
            "doc byte {i}: the tampered secret must vanish, not change"
        );
        set_blob(&c, "secrets", "doc", "uid", &uid, &original);
    }
    assert_eq!(
        open(&f)
            .unwrap()
            .list_secrets(&f.caller, ListSecretsRequest::default())
            .unwrap()
            .secret_list
            .len(),
        2
    );
}

#[test]
fn a_ciphertext_copied_to_another_version_secret_or_field_does_not_open() {
    let (f, v1, v2) = setup();
    let c = raw(&f);
    let rows: Vec<VersionRow> = {
        let mut st = c
            .prepare("SELECT secret_uid, vid_hash, value, wrapped_dek FROM versions")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let s_uid: String = c
        .query_row(
            "SELECT secret_uid FROM versions GROUP BY secret_uid HAVING count(*) = 2",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let s_rows: Vec<_> = rows.iter().filter(|r| r.0 == s_uid).cloned().collect();
    let other = rows.iter().find(|r| r.0 != s_uid).unwrap().clone();
    let put = |target: &VersionRow, value: &[u8], dek: &[u8]| {
        c.execute(
            "UPDATE versions SET value = ?1, wrapped_dek = ?2 WHERE secret_uid = ?3 AND vid_hash = ?4",
            params![value, dek, target.0, target.1],
        )
        .unwrap();
    };
    // Another version of the same secret.
    put(&s_rows[0], &s_rows[1].2, &s_rows[1].3);
    assert!(one_fails(&f, &v1, &v2));
    put(&s_rows[0], &s_rows[0].2, &s_rows[0].3);
    // Another secret's version.
    put(&s_rows[0], &other.2, &other.3);
    assert!(one_fails(&f, &v1, &v2));
    put(&s_rows[0], &s_rows[0].2, &s_rows[0].3);
    // Another field: a sealed document where a value belongs, a value where a document does.
    let doc: Vec<u8> = blob(
        &c,
        &format!("SELECT doc FROM secrets WHERE uid = '{s_uid}'"),
    );
    put(&s_rows[0], &doc, &s_rows[0].3);
    assert!(one_fails(&f, &v1, &v2));
    put(&s_rows[0], &s_rows[0].2, &s_rows[0].3);
    let other_doc: Vec<u8> = blob(
        &c,
        &format!("SELECT doc FROM secrets WHERE uid = '{}'", other.0),
    );
    set_blob(&c, "secrets", "doc", "uid", &s_uid, &other_doc);
    let v = open(&f).unwrap();
    let caller = v.caller(FrontEnd::Cli);
    let names: Vec<String> = v
        .list_secrets(&caller, ListSecretsRequest::default())
        .unwrap()
        .secret_list
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(
        names,
        vec!["other"],
        "a document moved to another secret's row does not open there"
    );
    set_blob(&c, "secrets", "doc", "uid", &s_uid, &doc);
    assert_eq!(f.get_at("s", Some(&v1), None).unwrap(), "the first value");
}

#[test]
fn a_hostile_key_slot_cannot_demand_hours_of_work_or_a_weak_derivation() {
    let (f, _, _) = setup();
    let c = raw(&f);
    let kdf: String = c
        .query_row("SELECT kdf FROM key_slots", [], |r| r.get(0))
        .unwrap();
    let mut params: serde_json::Value = serde_json::from_str(&kdf).unwrap();
    for (field, value) in [
        ("memory_kib", 64u64 * 1024 * 1024),
        ("iterations", 100_000),
        ("memory_kib", 8),
        ("iterations", 1),
    ] {
        let mut p = params.clone();
        p[field] = value.into();
        c.execute("UPDATE key_slots SET kdf = ?1", [p.to_string()])
            .unwrap();
        let e = open(&f).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest, "{field}={value}");
        assert!(e.message.contains("unsafe key-derivation"), "{}", e.message);
    }
    params["salt"] = "00".repeat(16).into();
    c.execute("UPDATE key_slots SET kdf = ?1", [params.to_string()])
        .unwrap();
    assert_eq!(
        open(&f).unwrap_err().code,
        ErrorCode::AccessDenied,
        "another salt derives another key"
    );
}

#[test]
fn audit_verify_names_the_first_edited_deleted_reordered_or_truncated_event() {
    let (f, _, _) = setup();
    for _ in 0..5 {
        f.get("s");
    }
    let total = f
        .vault
        .query_audit(&f.caller, &AuditQuery::default())
        .unwrap()
        .total_events;
    let c = raw(&f);
    let verify = || f.vault.verify_audit_trail(&f.caller).unwrap();
    assert!(verify().intact);
    let body: Vec<u8> = blob(&c, "SELECT body FROM audit WHERE seq = 4");
    // Edited.
    let mut t = body.clone();
    t[20] ^= 1;
    c.execute("UPDATE audit SET body = ?1 WHERE seq = 4", [&t])
        .unwrap();
    let r = verify();
    assert!(!r.intact);
    assert_eq!(r.first_broken_sequence, Some(4));
    c.execute("UPDATE audit SET body = ?1 WHERE seq = 4", [&body])
        .unwrap();
    c.execute(
        "UPDATE audit SET event_name = 'ListSecrets' WHERE seq = 5",
        [],
    )
    .unwrap();
    assert_eq!(verify().first_broken_sequence, Some(5));
    c.execute(
        "UPDATE audit SET event_name = 'GetSecretValue' WHERE seq = 5",
        [],
    )
    .unwrap();
    // Reordered: two events swap places.
    c.execute_batch(
        "UPDATE audit SET seq = -6 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = 7; UPDATE audit SET seq = 7 WHERE seq = -6;",
    )
    .unwrap();
    assert_eq!(verify().first_broken_sequence, Some(6));
    c.execute_batch(
        "UPDATE audit SET seq = -6 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = 7; UPDATE audit SET seq = 7 WHERE seq = -6;",
    )
    .unwrap();
    // Deleted (a row kept aside and put back).
    c.execute_batch(
        "CREATE TABLE keep AS SELECT * FROM audit WHERE seq = 3; DELETE FROM audit WHERE seq = 3;",
    )
    .unwrap();
    let r = verify();
    assert_eq!(r.first_broken_sequence, Some(3));
    assert!(r.problem.unwrap().contains("missing"));
    c.execute_batch("INSERT INTO audit SELECT * FROM keep; DROP TABLE keep;")
        .unwrap();
    // Every verify appended an event; the chain is whole again.
    assert!(verify().intact);
    // Truncated: the newest events cut off.
    let last = f
        .vault
        .query_audit(&f.caller, &AuditQuery::default())
        .unwrap()
        .total_events;
    assert!(last > total);
    c.execute("DELETE FROM audit WHERE seq > ?1", [last - 2])
        .unwrap();
    let r = verify();
    assert!(!r.intact);
    assert!(r.problem.unwrap().contains("truncated"), "names the cut");
}

#[test]
fn a_cut_or_a_replaced_head_stays_visible_after_later_requests() {
    let (f, _, _) = setup();
    let c = raw(&f);
    let verify = || f.vault.verify_audit_trail(&f.caller).unwrap();
    // Events cut off under their head: the next event must not paper over the cut.
    let last: i64 = c
        .query_row("SELECT max(seq) FROM audit", [], |r| r.get(0))
        .unwrap();
    c.execute("DELETE FROM audit WHERE seq > ?1", [last - 2])
        .unwrap();
    f.get("s");
    f.get("s");
    let r = verify();
    assert!(!r.intact, "{r:?}");
    assert!(
        r.problem.unwrap().contains("changed outside Coffer"),
        "says the head did not match"
    );
}

#[test]
fn a_state_row_put_back_edited_or_deleted_fails_verify_and_putting_it_right_heals_it() {
    let (f, _, _) = setup();
    let c = raw(&f);
    let verify = || f.vault.verify_audit_trail(&f.caller).unwrap();
    assert!(verify().intact);
    // (An edited KMS key or IAM document does not open, so every request fails before
    // verify can name it; the tamper tests above cover that.)
    for (table, col, key) in [
        ("secrets", "doc", "uid"),
        ("versions", "value", "vid_hash"),
        ("key_slots", "public_mac", "operator"),
        ("vault_keys", "wrapped", "purpose"),
    ] {
        let (k, before): (rusqlite::types::Value, Vec<u8>) = c
            .query_row(
                &format!("SELECT {key}, {col} FROM {table} LIMIT 1"),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        set_blob(&c, table, col, key, &k, &[0u8; 4]);
        let r = verify();
        assert!(!r.intact, "{table} edited");
        assert!(r.problem.unwrap().contains(table), "names {table}");
        set_blob(&c, table, col, key, &k, &before);
        assert!(verify().intact, "{table} put right");
    }
    // A row deleted outside Coffer, then put back.
    c.execute_batch(
        "CREATE TABLE keep AS SELECT * FROM versions LIMIT 1;
         DELETE FROM versions WHERE vid_hash IN (SELECT vid_hash FROM keep);",
    )
    .unwrap();
    assert!(verify().problem.unwrap().contains("versions"));
    c.execute_batch("INSERT INTO versions SELECT * FROM keep; DROP TABLE keep;")
        .unwrap();
    assert!(verify().intact);
}

#[test]
fn a_stolen_file_shows_no_name_value_description_tag_or_audit_detail() {
    let f = fixture();
    let markers = [
        "MkNameQ7",
        "MkValueZ3",
        "MkDescW9",
        "MkTagKeyP4",
        "MkTagValR8",
        "MkBinY2",
        "MkFailN5",
        "MkLabelJ6",
    ];
    let name = format!("team/{}/db", markers[0]);
    f.vault
        .create_secret(
            &f.caller,
            CreateSecretRequest {
                name: name.clone(),
                description: Some(format!("holds {}", markers[2])),
                secret_string: Some(SecretText::new(format!(
                    "{{\"password\":\"{}\"}}",
                    markers[1]
                ))),
                tags: vec![Tag {
                    key: markers[3].into(),
                    value: markers[4].into(),
                }],
                ..Default::default()
            },
        )
        .unwrap();
    f.vault
        .put_secret_value(
            &f.caller,
            PutSecretValueRequest {
                secret_id: name.clone(),
                secret_binary: Some(coffer_core::SecretBytes::new(
                    markers[5].as_bytes().to_vec(),
                )),
                version_stages: Some(vec![markers[7].into()]),
                ..Default::default()
            },
        )
        .unwrap();
    for _ in 0..3 {
        f.get(&name);
    }
    // A failed request whose parameters carry a marker (and so does its error message).
    let _ = f.get_at(&format!("missing/{}", markers[6]), None, None);
    f.vault
        .update_secret(
            &f.caller,
            UpdateSecretRequest {
                secret_id: name.clone(),
                description: Some(format!("now {}", markers[2])),
                ..Default::default()
            },
        )
        .unwrap();
    let check = |when: &str| {
        for ext in ["", "-wal", "-shm"] {
            let p = std::path::PathBuf::from(format!("{}{ext}", f.path.display()));
            let Ok(bytes) = std::fs::read(&p) else {
                continue;
            };
            for m in markers {
                for needle in encodings(m) {
                    assert!(
                        !contains(&bytes, needle.as_bytes()),
                        "{when}: {m} appears in {} as {needle:?}",
                        p.display()
                    );
                }
            }
        }
    };
    check("while open");
    drop(f.vault.integrity_check().unwrap());
    let path = f.path.clone();
    let dir = f.dir;
    drop(f.vault);
    let _keep = dir;
    let fake = Fixture2 { path };
    fake.check_closed(&markers);
}

struct Fixture2 {
    path: std::path::PathBuf,
}

impl Fixture2 {
    fn check_closed(&self, markers: &[&str]) {
        for ext in ["", "-wal", "-shm"] {
            let p = std::path::PathBuf::from(format!("{}{ext}", self.path.display()));
            let Ok(bytes) = std::fs::read(&p) else {
                continue;
            };
            for m in markers {
                for needle in encodings(m) {
                    assert!(
                        !contains(&bytes, needle.as_bytes()),
                        "after close: {m} in {}",
                        p.display()
                    );
                }
            }
        }
    }
}

/// The marker raw, in hex (both cases), and in base64 at each of the three alignments.
fn encodings(m: &str) -> Vec<String> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = vec![m.to_string()];
    let hex: String = m.bytes().map(|b| format!("{b:02x}")).collect();
    out.push(hex.clone());
    out.push(hex.to_uppercase());
    for pad in 0..3 {
        let mut buf = vec![b'x'; pad];
        buf.extend_from_slice(m.as_bytes());
        let enc = b64.encode(&buf);
        // Drop the characters that depend on the neighbours.
        let start = if pad == 0 {
            0
        } else {
            (pad * 4).div_ceil(3) + 1
        };
        let core = &enc[start.min(enc.len())..enc.len().saturating_sub(4)];
        if core.len() >= 6 {
            out.push(core.to_string());
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
