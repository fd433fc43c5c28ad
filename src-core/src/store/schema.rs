//! The vault file's schema, as migrations. Every column that could say something about a
//! secret holds ciphertext or a keyed hash; see the README's "What the file shows".
//!
//! The file's format is its schema version: the number of migrations applied, which
//! `rusqlite_migration` keeps in SQLite's `user_version`. A Coffer opens every older format
//! (migrating it on open) and refuses a newer one, naming the release it needs: the
//! migrations keep the oldest Coffer release that opens the file in `vault_meta` under
//! [`READER_KEY`] (not audited state: it only words that refusal).

use rusqlite_migration::{M, Migrations};

/// The `vault_meta` key of the oldest Coffer release that opens the file.
pub const READER_KEY: &str = "reader";

/// The format this Coffer writes: its newest.
pub const FORMAT: u32 = STEPS.len() as u32;

pub fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

/// [`USAGE_REBUILD`] as a literal, for format 5's migration.
macro_rules! usage_rebuild {
    () => {
        r#"
    DELETE FROM usage_reads;
    DELETE FROM usage_actions;
    INSERT INTO usage_reads (secret_uid, day_ms, principal_hash)
      SELECT secret_uid, m - m % 86400000, principal_hash FROM (
        SELECT secret_uid, MAX(at_ms) AS m, principal_hash FROM audit
        WHERE error_code IS NULL AND secret_uid IS NOT NULL
          AND event_name IN ('GetSecretValue', 'BatchGetSecretValue')
        GROUP BY secret_uid);
    INSERT INTO usage_actions (principal_hash, action, day_ms)
      SELECT principal_hash, event_name, MAX(at_ms) - MAX(at_ms) % 86400000 FROM audit
      WHERE error_code IS NULL GROUP BY principal_hash, event_name;
"#
    };
}

/// Fills `usage_reads` and `usage_actions` from the audit trail's plain columns (the
/// upgrade to format 5, and after a re-key changed every principal hash).
pub const USAGE_REBUILD: &str = usage_rebuild!();

/// Each format's migration from the one before (format n is `STEPS[n - 1]`). A migration
/// that makes a format older releases cannot open also sets [`READER_KEY`] to this release.
/// Migrations change no audited state (see `state`): a new table starts empty, a new
/// column is nullable.
const STEPS: [&str; 6] = [
    r#"
        -- Plain settings: vault id, account, region, format, change counter, audit head.
        CREATE TABLE vault_meta (
            key   TEXT PRIMARY KEY,
            value BLOB NOT NULL
        ) WITHOUT ROWID;

        -- One slot per operator: an X25519 key pair whose private key the operator's
        -- Argon2id key wraps, and the master key sealed to its public key.
        CREATE TABLE key_slots (
            operator        TEXT PRIMARY KEY,
            kdf             TEXT NOT NULL,
            public_key      BLOB NOT NULL,
            public_mac      BLOB NOT NULL,
            wrapped_private BLOB NOT NULL,
            sealed_master   BLOB NOT NULL,
            created_ms      INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- Vault-wide data keys (index, metadata, audit), wrapped by the master key, so that
        -- re-keying the master key re-wraps only these, the KMS keys and the slots.
        CREATE TABLE vault_keys (
            purpose TEXT PRIMARY KEY,
            wrapped BLOB NOT NULL
        ) WITHOUT ROWID;

        -- KMS-style keys: material wrapped by the master key, metadata sealed.
        CREATE TABLE kms_keys (
            key_id     TEXT PRIMARY KEY,
            wrapped    BLOB NOT NULL,
            doc        BLOB NOT NULL,
            created_ms INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- A secret: its sealed document (name, description, tags, policy, versions and
        -- labels), found by a keyed hash of its name.
        CREATE TABLE secrets (
            uid         TEXT PRIMARY KEY,
            name_hash   BLOB NOT NULL UNIQUE,
            doc         BLOB NOT NULL,
            rev         INTEGER NOT NULL,
            deletion_ms INTEGER
        ) WITHOUT ROWID;
        CREATE INDEX secrets_by_rev ON secrets(rev);
        CREATE INDEX secrets_by_deletion ON secrets(deletion_ms) WHERE deletion_ms IS NOT NULL;

        -- A version's value, sealed under its own data key, which the secret's KMS key wraps.
        CREATE TABLE versions (
            secret_uid  TEXT NOT NULL REFERENCES secrets(uid) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            vid_hash    BLOB NOT NULL,
            kms_key_id  TEXT NOT NULL,
            wrapped_dek BLOB NOT NULL,
            value       BLOB NOT NULL,
            PRIMARY KEY (secret_uid, vid_hash)
        ) WITHOUT ROWID;

        -- Purged secrets, so that other processes drop them from their index.
        CREATE TABLE tombstones (
            uid TEXT PRIMARY KEY,
            rev INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- IAM-style users, roles, groups and managed policies, sealed, by keyed hash.
        CREATE TABLE iam_entities (
            id_hash BLOB PRIMARY KEY,
            kind    TEXT NOT NULL,
            doc     BLOB NOT NULL
        ) WITHOUT ROWID;

        -- Access keys of applications (for the endpoint's SigV4 check), sealed.
        CREATE TABLE access_keys (
            id_hash BLOB PRIMARY KEY,
            doc     BLOB NOT NULL
        ) WITHOUT ROWID;

        -- The audit chain: sealed events, each MAC'd with the previous event's MAC.
        CREATE TABLE audit (
            seq            INTEGER PRIMARY KEY,
            at_ms          INTEGER NOT NULL,
            event_name     TEXT NOT NULL,
            error_code     TEXT,
            front_end      TEXT NOT NULL,
            principal_hash BLOB NOT NULL,
            secret_uid     TEXT,
            body           BLOB NOT NULL,
            mac            BLOB NOT NULL
        );
        CREATE INDEX audit_by_secret ON audit(secret_uid, seq) WHERE secret_uid IS NOT NULL;
        CREATE INDEX audit_by_time ON audit(at_ms);
    "#,
    r#"
        -- Rotation functions (password, database, external program), sealed, by keyed hash
        -- of their name.
        CREATE TABLE rotation_functions (
            name_hash BLOB PRIMARY KEY,
            doc       BLOB NOT NULL
        ) WITHOUT ROWID;

        -- Rotation attempts: each a persisted state machine (sealed: who asked, who approved,
        -- each step's outcome). `status` and `run_after_ms` say what the engine may pick up;
        -- the lease says which process is running it, so that it runs exactly once.
        CREATE TABLE rotation_attempts (
            id               TEXT PRIMARY KEY,
            secret_uid       TEXT NOT NULL REFERENCES secrets(uid) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            status           TEXT NOT NULL,
            run_after_ms     INTEGER,
            requested_ms     INTEGER NOT NULL,
            lease_holder     TEXT,
            lease_expires_ms INTEGER,
            doc              BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX attempts_by_secret ON rotation_attempts(secret_uid, requested_ms);
        CREATE INDEX attempts_by_status ON rotation_attempts(status);
    "#,
    r#"
        -- Keys: a slot holder's word that another public key belongs to a member, for one
        -- recipient slot: a MAC under a key from the static DH between the voucher's and the
        -- recipient's slot keys (docs/KEYS.md). A slot trusts a sealer it pinned, or one
        -- vouched for by a sealer it trusts.
        CREATE TABLE slot_vouchers (
            member    BLOB NOT NULL,
            recipient BLOB NOT NULL,
            voucher   BLOB NOT NULL,
            mac       BLOB NOT NULL,
            PRIMARY KEY (recipient, member, voucher)
        ) WITHOUT ROWID;
    "#,
    // Format 4 (Coffer 0.1.0): the file says it is a vault in SQLite's header (its
    // application_id is "COFR", so that tools such as `file` tell a vault from another
    // SQLite database), and names the oldest release that opens it.
    r#"
        PRAGMA application_id = 1129268818;
        INSERT INTO vault_meta (key, value) VALUES ('reader', CAST('0.1.0' AS BLOB))
          ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    "#,
    // Format 5: what the health report needs, kept up to date as events are appended and
    // built here from the trail of a vault made before (see `usage`). Derived data, not
    // state: each table is rebuilt from the audit trail or the values it summarizes.
    concat!(
        r#"
        -- Per secret, the day it was last read (GetSecretValue, BatchGetSecretValue) and by
        -- whom (the audit's keyed principal hash): what the audit's plain columns say.
        CREATE TABLE usage_reads (
            secret_uid     TEXT PRIMARY KEY,
            day_ms         INTEGER NOT NULL,
            principal_hash BLOB NOT NULL
        ) WITHOUT ROWID;

        -- Per principal (keyed hash) and event name, the day of its last success.
        CREATE TABLE usage_actions (
            principal_hash BLOB NOT NULL,
            action         TEXT NOT NULL,
            day_ms         INTEGER NOT NULL,
            PRIMARY KEY (principal_hash, action)
        ) WITHOUT ROWID;

        -- Per operator (named as in key_slots), the day they last unlocked.
        CREATE TABLE usage_unlocks (
            operator TEXT PRIMARY KEY,
            day_ms   INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- What the health report knows of a version's value (strength, keyed fingerprint),
        -- sealed; computed once per version.
        CREATE TABLE value_facts (
            secret_uid TEXT NOT NULL REFERENCES secrets(uid) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            vid_hash   BLOB NOT NULL,
            facts      BLOB NOT NULL,
            PRIMARY KEY (secret_uid, vid_hash)
        ) WITHOUT ROWID;
        "#,
        usage_rebuild!()
    ),
    // Format 6: a value's facts are derived when it is written, in the write's own
    // transaction, rather than by the first report that meets it. A vault made before has
    // versions without facts: the mark below has the next unlock derive them, once
    // (`Vault::derive_pending_facts`). Nothing changes for a Coffer that reads format 5:
    // facts are per version, and a version's value never changes.
    r#"
        INSERT INTO vault_meta (key, value) VALUES ('value_facts_pending', CAST('1' AS BLOB))
          ON CONFLICT (key) DO NOTHING;
    "#,
];

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
