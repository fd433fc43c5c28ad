//! Backups: one encrypted, integrity-checked file holding the whole vault, and a restore
//! that rebuilds it as a new vault file.
//!
//! **What is in a backup.** A consistent snapshot of the vault file (`VACUUM INTO`, which
//! reads in one read transaction, so other processes keep writing while it runs): every
//! version, label, tag, policy, principal, KMS key, rotation setting and attempt, and the
//! audit chain, exactly as the file holds them. The restored vault is that file, so it has
//! the same vault id, ARNs and key slots, opens with the same operators' passphrases, and
//! answers every read and list as the original did when the backup was taken.
//!
//! **Why encrypt what is already sealed.** The snapshot's contents are ciphertext and keyed
//! hashes, but its shape is not: row counts, sizes and the audit rows' event names and
//! times. Sealing the whole snapshot hides those too, and gives the file one integrity
//! check: a backup either restores completely or is refused.
//!
//! **Which key.** The chunks are sealed under a key derived (HKDF-SHA256) from the vault's
//! master key with a salt of the backup's own. The master key is in the snapshot only
//! sealed to the operators' key slots, so the header carries copies of those sealed slots
//! (each is already protected by its operator's Argon2id passphrase): `restore` opens the
//! master key with any operator's passphrase, derives the backup key and decrypts. No new
//! secret to keep, no passphrase of the backup's own, and an operator removed before the
//! backup (the vault was re-keyed then) cannot open it. The slots come from the snapshot
//! itself, so they open the very master key its contents are wrapped by.
//!
//! **The file.** `COFFERBK` · format (u32, big-endian) · header length (u32) · header
//! (JSON: backup id, time, vault id, account, region, salt, snapshot length, sealed slots)
//! · SHA-256 of the header · chunks, each `last flag (u8) · length (u32) · AES-256-GCM
//! sealed ≤ 1 MiB of the snapshot`. Every chunk's additional data binds the header digest,
//! the chunk's index and the last flag (see `crypto::backup`), so a changed byte, a
//! reordered, dropped or added chunk, a cut-off file and a swapped header are all refused.
//! The header shows what `coffer` already shows of a locked vault file without a passphrase
//! (vault id, account, region, operator names), nothing more.
//!
//! **Audit.** A backup is audited as `BackupVault` in the original vault, written *before*
//! the snapshot is taken, so the snapshot ends with the event that made it: a restored
//! vault's trail says which backup it came from. Should the snapshot or the file then fail,
//! a second `BackupVault` event with the error records that. A restore is audited as
//! `RestoreVault` in the restored vault (the first event after the backup's own), by the
//! operator who restored it, before the file is put in place.
//!
//! **Never half a vault.** Both files are written under a temporary name in the target's
//! directory, fsynced, and only then linked to their name; an existing file is never
//! replaced, and a failure removes the temporary file.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

use super::{FrontEnd, Vault, choose_operator, open_operator_slot, slot_kek};
use crate::Operation;
use crate::clock::{Clock, SystemClock};
use crate::crypto::backup::{ChunkOpener, ChunkSealer, backup_key, header_digest};
use crate::crypto::envelope::OVERHEAD;
use crate::crypto::{Passphrase, random};
use crate::model::epoch_seconds;
use crate::store::Store;
use crate::{Caller, Error, ErrorCode, Result};

const MAGIC: &[u8; 8] = b"COFFERBK";
const FORMAT: u32 = 1;
/// Plaintext bytes per chunk.
const CHUNK_LEN: usize = 1 << 20;
/// The largest header a restore reads: a damaged length cannot make it allocate more.
const MAX_HEADER_LEN: u32 = 1 << 20;

/// Reports progress: (bytes done, bytes in all).
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// An operator's key slot as the header carries it: still sealed by their passphrase.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HeaderSlot {
    operator: String,
    /// The slot's Argon2id parameters (JSON, as the vault stores them).
    kdf: String,
    /// The slot's private key, wrapped by the operator's passphrase key (base64).
    wrapped_private: String,
    /// The master key sealed to the slot (base64).
    sealed_master: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Header {
    backup_id: String,
    created_ms: i64,
    vault_id: String,
    account_id: String,
    region: String,
    /// The backup key's HKDF salt (hex).
    salt: String,
    snapshot_bytes: u64,
    slots: Vec<HeaderSlot>,
}

/// What `coffer backup` reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BackupResponse {
    pub backup_id: String,
    pub file: String,
    pub vault_id: String,
    pub created_date: f64,
    /// The operators whose passphrases can restore it.
    pub operators: Vec<String>,
    pub snapshot_bytes: u64,
    pub backup_bytes: u64,
}

/// What `coffer restore` reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RestoreResponse {
    pub backup_id: String,
    pub vault: String,
    pub vault_id: String,
    pub account_id: String,
    pub region: String,
    /// When the backup was taken.
    pub backup_date: f64,
    pub operator: String,
}

fn damaged(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::DecryptionFailure,
        format!("The backup file is damaged or was changed: {what}. Nothing was restored."),
    )
}

fn truncated(what: impl std::fmt::Display) -> Error {
    Error::invalid_parameter(format!(
        "The backup file is truncated: {what}. Nothing was restored."
    ))
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::internal(format!("cannot write {}: {e}", path.display()))
}

/// A file being written under a temporary name; removed (with any SQLite side files)
/// unless it was put in place.
struct TempFile {
    path: PathBuf,
    placed: bool,
}

impl TempFile {
    /// A new empty file readable by this user only, next to `target`.
    fn beside(target: &Path, tag: &str) -> Result<(Self, File)> {
        let dir = parent_dir(target);
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = dir.join(format!(".{name}.{tag}-{}.tmp", random::hex(8)));
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let file = opts.open(&path).map_err(|e| io_error(&path, e))?;
        Ok((
            Self {
                path,
                placed: false,
            },
            file,
        ))
    }

    /// Gives the file its final name, never replacing a file already there, and makes the
    /// new name durable.
    fn place(mut self, target: &Path) -> Result<()> {
        let exists = || Error::exists(format!("{} already exists.", target.display()));
        match std::fs::hard_link(&self.path, target) {
            Ok(()) => {
                let _ = std::fs::remove_file(&self.path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists()),
            // A file system without hard links (FAT on a backup drive): rename, having
            // checked that nothing is there.
            Err(_) => {
                if target.exists() {
                    return Err(exists());
                }
                std::fs::rename(&self.path, target).map_err(|e| io_error(target, e))?;
            }
        }
        self.placed = true;
        #[cfg(unix)]
        if let Ok(d) = File::open(parent_dir(target)) {
            d.sync_all().map_err(|e| io_error(target, e))?;
        }
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.placed {
            let _ = std::fs::remove_file(&self.path);
        }
        for side in ["-wal", "-shm", "-journal"] {
            let mut p = self.path.clone().into_os_string();
            p.push(side);
            let _ = std::fs::remove_file(p);
        }
    }
}

fn parent_dir(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Reads exactly `buf.len()` bytes; `Ok(false)` when the file ended first.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> Result<bool> {
    match r.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(Error::internal(format!("cannot read the backup file: {e}"))),
    }
}

/// Reads the magic, format and header; returns the header and its digest.
fn read_header(r: &mut impl Read) -> Result<(Header, [u8; 32])> {
    let not_backup =
        || Error::invalid_parameter("This file is not a Coffer backup (made by `coffer backup`).");
    let mut magic = [0u8; 8];
    if !read_full(r, &mut magic)? || &magic != MAGIC {
        return Err(not_backup());
    }
    let mut word = [0u8; 4];
    if !read_full(r, &mut word)? {
        return Err(truncated("it ends inside its header"));
    }
    let format = u32::from_be_bytes(word);
    if format != FORMAT {
        return Err(Error::invalid_parameter(format!(
            "This backup has format {format}, which this coffer does not read (it reads format {FORMAT})."
        )));
    }
    if !read_full(r, &mut word)? {
        return Err(truncated("it ends inside its header"));
    }
    let len = u32::from_be_bytes(word);
    if len > MAX_HEADER_LEN {
        return Err(damaged("its header length is impossible"));
    }
    let mut header = vec![0u8; len as usize];
    let mut digest = [0u8; 32];
    if !read_full(r, &mut header)? || !read_full(r, &mut digest)? {
        return Err(truncated("it ends inside its header"));
    }
    if header_digest(&header) != digest {
        return Err(damaged("its header does not match its checksum"));
    }
    let parsed: Header =
        serde_json::from_slice(&header).map_err(|_| damaged("its header is unreadable"))?;
    Ok((parsed, digest))
}

fn write_all(w: &mut impl Write, bytes: &[u8], path: &Path) -> Result<()> {
    w.write_all(bytes).map_err(|e| io_error(path, e))
}

impl Vault {
    /// Writes a backup of the whole vault to `out` (which must not exist), while other
    /// processes may go on using the vault. Audited as `BackupVault`; needs
    /// `coffer:BackupVault`.
    pub fn backup(
        &self,
        caller: &Caller,
        out: &Path,
        progress: Progress<'_>,
    ) -> Result<BackupResponse> {
        let backup_id = random::uuid();
        let request = serde_json::json!({ "BackupId": backup_id });
        self.exec(caller, Operation::BackupVault, &request, |ctx| {
            ctx.authorize("coffer:BackupVault", "*")?;
            if out.exists() {
                return Err(Error::exists(format!(
                    "{} already exists: a backup never replaces a file.",
                    out.display()
                )));
            }
            // The backup carries an anchor of the trail as of its making.
            ctx.will_write()?;
            let time = crate::model::from_epoch_ms(ctx.now_ms).to_string();
            crate::audit::anchor::take(ctx.tx, &ctx.keys.audit, &self.info.vault_id, &time)?;
            Ok(())
        })?;
        self.write_backup(&backup_id, out, progress)
            .inspect_err(|e| {
                // The first event says a backup began; this one that it failed, and why.
                let _ = self.exec(caller, Operation::BackupVault, &request, |_| {
                    Err::<(), _>(e.clone())
                });
            })
    }

    fn write_backup(
        &self,
        backup_id: &str,
        out: &Path,
        progress: Progress<'_>,
    ) -> Result<BackupResponse> {
        // Follow a re-key another process made, so the master key is the file's.
        self.catch_up()?;
        let (snapshot, _) = TempFile::beside(out, "snapshot")?;
        self.inner().store.snapshot_into(&snapshot.path)?;
        let salt = random::hex(32);
        let created_ms = self.clock.now().as_millisecond();
        let (header, key) = {
            let mut snap = Store::open_snapshot(&snapshot.path)?;
            let tx = snap.read()?;
            if tx.meta_get_string("vault_id")?.as_deref() != Some(self.info.vault_id.as_str()) {
                return Err(Error::internal("the snapshot is not of this vault"));
            }
            let index_key = tx
                .vault_key_get("index")?
                .ok_or_else(|| Error::internal("the vault has no index key"))?;
            let key = self
                .keys()
                .backup_key(&index_key, &hex_decode(&salt).expect("random hex decodes"))?;
            let slots = tx
                .slots_all()?
                .into_iter()
                .map(|s| HeaderSlot {
                    operator: s.operator,
                    kdf: s.kdf,
                    wrapped_private: B64.encode(&s.wrapped_private),
                    sealed_master: B64.encode(&s.sealed_master),
                })
                .collect();
            let total = std::fs::metadata(&snapshot.path)
                .map_err(|e| io_error(&snapshot.path, e))?
                .len();
            let header = Header {
                backup_id: backup_id.to_string(),
                created_ms,
                vault_id: self.info.vault_id.clone(),
                account_id: self.info.account_id.clone(),
                region: self.info.region.clone(),
                salt,
                snapshot_bytes: total,
                slots,
            };
            (header, key)
        };
        let header_json = serde_json::to_vec(&header).expect("a header serializes");
        let digest = header_digest(&header_json);
        let (tmp, file) = TempFile::beside(out, "backup")?;
        let mut w = BufWriter::new(file);
        write_all(&mut w, MAGIC, out)?;
        write_all(&mut w, &FORMAT.to_be_bytes(), out)?;
        write_all(&mut w, &(header_json.len() as u32).to_be_bytes(), out)?;
        write_all(&mut w, &header_json, out)?;
        write_all(&mut w, &digest, out)?;
        let mut sealer = ChunkSealer::new(key, digest);
        let mut src =
            BufReader::new(File::open(&snapshot.path).map_err(|e| io_error(&snapshot.path, e))?);
        let total = header.snapshot_bytes;
        let mut done = 0u64;
        let mut buf = vec![0u8; CHUNK_LEN];
        loop {
            let n = (total - done).min(CHUNK_LEN as u64) as usize;
            if !read_full(&mut src, &mut buf[..n])? {
                return Err(Error::internal("the snapshot changed while it was read"));
            }
            done += n as u64;
            let last = done == total;
            let sealed = sealer.seal(&buf[..n], last);
            write_all(&mut w, &[u8::from(last)], out)?;
            write_all(&mut w, &(sealed.len() as u32).to_be_bytes(), out)?;
            write_all(&mut w, &sealed, out)?;
            progress(done, total);
            if last {
                break;
            }
        }
        let file = w.into_inner().map_err(|e| io_error(out, e.into_error()))?;
        file.sync_all().map_err(|e| io_error(out, e))?;
        let backup_bytes = file.metadata().map_err(|e| io_error(out, e))?.len();
        drop(file);
        drop(snapshot);
        tmp.place(out)?;
        Ok(BackupResponse {
            backup_id: backup_id.to_string(),
            file: out.display().to_string(),
            vault_id: header.vault_id,
            created_date: epoch_seconds(created_ms),
            operators: header.slots.into_iter().map(|s| s.operator).collect(),
            snapshot_bytes: total,
            backup_bytes,
        })
    }

    /// Rebuilds the vault a backup holds as a new vault file `to` (which must not exist),
    /// unlocked with one of its operators' passphrases. Audited as `RestoreVault` in the
    /// restored vault; needs `coffer:RestoreVault` there.
    pub fn restore(
        from: &Path,
        to: &Path,
        operator: Option<&str>,
        passphrase: &Passphrase,
        front_end: FrontEnd,
        progress: Progress<'_>,
    ) -> Result<RestoreResponse> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        if to.exists() {
            return Err(Error::exists(format!(
                "A vault already exists at {}: restore into a new path.",
                to.display()
            )));
        }
        let file = File::open(from).map_err(|e| {
            Error::not_found(format!("Cannot read the backup {}: {e}", from.display()))
        })?;
        let mut r = BufReader::new(file);
        let (header, digest) = read_header(&mut r)?;
        let operators: Vec<String> = header.slots.iter().map(|s| s.operator.clone()).collect();
        let operator = choose_operator(operator, &operators)?;
        let slot = header
            .slots
            .iter()
            .find(|s| s.operator == operator)
            .ok_or_else(|| {
                Error::not_found(format!(
                    "This backup has no operator named '{operator}' (operators: {}).",
                    operators.join(", ")
                ))
            })?;
        let b64 = |s: &str| {
            B64.decode(s)
                .map_err(|_| damaged("a key slot is unreadable"))
        };
        let (wrapped_private, sealed_master) =
            (b64(&slot.wrapped_private)?, b64(&slot.sealed_master)?);
        let kek = slot_kek(&slot.kdf, passphrase)?;
        let secret = open_operator_slot(&header.vault_id, &operator, &wrapped_private, &kek)?;
        let master =
            super::keys::open_backup_master(&header.vault_id, &operator, &secret, &sealed_master)
                .map_err(|_| damaged("a key slot does not open"))?;
        let salt = hex_decode(&header.salt).ok_or_else(|| damaged("its salt is unreadable"))?;
        let mut opener = ChunkOpener::new(backup_key(&master, &salt), digest);
        drop(master);

        let dir = parent_dir(to);
        crate::store::create_private_dir(&dir)?;
        let (tmp, file) = TempFile::beside(to, "restore")?;
        let mut w = BufWriter::new(file);
        let total = header.snapshot_bytes;
        let mut done = 0u64;
        let mut frame = [0u8; 5];
        let mut buf = Vec::with_capacity(CHUNK_LEN + OVERHEAD);
        loop {
            let chunk = opener.position();
            if !read_full(&mut r, &mut frame)? {
                return Err(truncated(format!(
                    "it ends after {chunk} chunks, before its last one"
                )));
            }
            let last = match frame[0] {
                0 => false,
                1 => true,
                _ => return Err(damaged(format!("chunk {chunk} has no valid frame"))),
            };
            let len = u32::from_be_bytes(frame[1..].try_into().expect("4 bytes")) as usize;
            if len > CHUNK_LEN + OVERHEAD {
                return Err(damaged(format!("chunk {chunk} has an impossible length")));
            }
            buf.resize(len, 0);
            if !read_full(&mut r, &mut buf)? {
                return Err(truncated(format!("it ends inside chunk {chunk}")));
            }
            let plain = opener
                .open(&buf, last)
                .map_err(|_| damaged(format!("chunk {chunk} does not decrypt")))?;
            done += plain.len() as u64;
            if done > total {
                return Err(damaged("it holds more than its header says"));
            }
            write_all(&mut w, &plain, to)?;
            progress(done, total);
            if last {
                break;
            }
        }
        if r.read(&mut [0u8; 1])
            .map_err(|e| Error::internal(format!("cannot read the backup file: {e}")))?
            != 0
        {
            return Err(damaged("it goes on after its last chunk"));
        }
        if done != total {
            return Err(damaged("it holds less than its header says"));
        }
        let file = w.into_inner().map_err(|e| io_error(to, e.into_error()))?;
        file.sync_all().map_err(|e| io_error(to, e))?;
        drop(file);
        {
            let mut snap = Store::open_snapshot(&tmp.path)?;
            if snap.integrity_check()? != "ok" {
                return Err(damaged("the vault inside fails SQLite's integrity check"));
            }
            let tx = snap.read()?;
            if tx.meta_get_string("vault_id")?.as_deref() != Some(header.vault_id.as_str()) {
                return Err(damaged("the vault inside is not the one its header names"));
            }
        }
        // The authenticated path: a backup whose master key no member sealed stops here.
        let vault = Self::open_unlocking(&tmp.path, Some(&operator), clock, |vault_id, slot| {
            let secret = open_operator_slot(vault_id, &slot.operator, &slot.wrapped_private, &kek)?;
            Ok((secret, kek))
        })?;
        let caller = vault.caller(front_end);
        vault.exec(
            &caller,
            Operation::RestoreVault,
            &serde_json::json!({
                "BackupId": header.backup_id,
                "BackupDate": epoch_seconds(header.created_ms),
            }),
            |ctx| ctx.authorize("coffer:RestoreVault", "*"),
        )?;
        // Closing the last connection checkpoints the WAL into the file.
        drop(vault);
        File::open(&tmp.path)
            .and_then(|f| f.sync_all())
            .map_err(|e| io_error(to, e))?;
        tmp.place(to)?;
        Ok(RestoreResponse {
            backup_id: header.backup_id,
            vault: to.display().to_string(),
            vault_id: header.vault_id,
            account_id: header.account_id,
            region: header.region,
            backup_date: epoch_seconds(header.created_ms),
            operator,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{CreateSecretRequest, GetSecretValueRequest};
    use crate::{InitOptions, SecretText};

    const PASS: &str = "backup test passphrase";

    fn pass() -> Passphrase {
        Passphrase::new(PASS.into())
    }

    fn vault(dir: &Path) -> Vault {
        let mut opts = InitOptions::new("admin", pass());
        opts.kdf = Some((19456, 2));
        let v = Vault::init(&dir.join("vault.db"), opts).unwrap();
        let c = v.caller(FrontEnd::Cli);
        v.create_secret(
            &c,
            CreateSecretRequest {
                name: "prod/db".into(),
                secret_string: Some(SecretText::new("s3cr3t-value".into())),
                ..Default::default()
            },
        )
        .unwrap();
        v
    }

    fn backup_of(v: &Vault, dir: &Path) -> PathBuf {
        let out = dir.join("vault.cbk");
        let mut seen = Vec::new();
        let r = v
            .backup(&v.caller(FrontEnd::Cli), &out, &mut |d, t| {
                seen.push((d, t))
            })
            .unwrap();
        assert_eq!(seen.last(), Some(&(r.snapshot_bytes, r.snapshot_bytes)));
        assert_eq!(r.operators, vec!["admin".to_string()]);
        out
    }

    fn restore(from: &Path, to: &Path, passphrase: &str) -> Result<RestoreResponse> {
        Vault::restore(
            from,
            to,
            None,
            &Passphrase::new(passphrase.into()),
            FrontEnd::Cli,
            &mut |_, _| {},
        )
    }

    fn no_temp_files(dir: &Path) -> bool {
        std::fs::read_dir(dir)
            .unwrap()
            .all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".tmp"))
    }

    #[test]
    fn a_restored_vault_opens_with_the_passphrase_and_reads_the_same_value() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let out = backup_of(&v, dir.path());
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(&bytes[..8], MAGIC);
        assert!(
            !bytes.windows(12).any(|w| w == b"s3cr3t-value"),
            "no plaintext in the file"
        );
        let to = dir.path().join("restored").join("vault.db");
        let r = restore(&out, &to, PASS).unwrap();
        assert_eq!(r.vault_id, v.info().vault_id);
        let w = Vault::open(&to, None, &pass()).unwrap();
        let got = w
            .get_secret_value(
                &w.caller(FrontEnd::Cli),
                GetSecretValueRequest {
                    secret_id: "prod/db".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(got.value.text().as_str(), "s3cr3t-value");
        assert!(
            w.verify_audit_trail(&w.caller(FrontEnd::Cli))
                .unwrap()
                .intact
        );
        assert!(no_temp_files(dir.path()) && no_temp_files(&dir.path().join("restored")));
    }

    #[test]
    fn a_backup_never_replaces_a_file_and_a_restore_never_replaces_a_vault() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let out = backup_of(&v, dir.path());
        let err = v
            .backup(&v.caller(FrontEnd::Cli), &out, &mut |_, _| {})
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ResourceExists);
        let err = restore(&out, &dir.path().join("vault.db"), PASS).unwrap_err();
        assert_eq!(err.code, ErrorCode::ResourceExists);
        assert!(no_temp_files(dir.path()));
    }

    #[test]
    fn a_changed_byte_anywhere_or_a_cut_off_file_is_refused_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let out = backup_of(&v, dir.path());
        let good = std::fs::read(&out).unwrap();
        let to = dir.path().join("restored.db");
        let bad = dir.path().join("bad.cbk");
        let header_end = 16 + u32::from_be_bytes(good[12..16].try_into().unwrap()) as usize;
        for (at, expect) in [
            (header_end - 3, ErrorCode::DecryptionFailure),
            (header_end + 10, ErrorCode::DecryptionFailure),
            (header_end + 40, ErrorCode::DecryptionFailure),
            (good.len() / 2, ErrorCode::DecryptionFailure),
            (good.len() - 1, ErrorCode::DecryptionFailure),
            (2, ErrorCode::InvalidParameter),
        ] {
            let mut t = good.clone();
            t[at] ^= 0x10;
            std::fs::write(&bad, &t).unwrap();
            let err = restore(&bad, &to, PASS).unwrap_err();
            assert_eq!(err.code, expect, "byte {at}: {}", err.message);
            assert!(!to.exists());
        }
        for cut in [good.len() - 1, good.len() / 2, header_end + 33, 10] {
            std::fs::write(&bad, &good[..cut]).unwrap();
            let err = restore(&bad, &to, PASS).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidParameter, "cut at {cut}");
            assert!(err.message.contains("truncated"), "{}", err.message);
            assert!(!to.exists());
        }
        let mut longer = good.clone();
        longer.push(0);
        std::fs::write(&bad, &longer).unwrap();
        assert_eq!(
            restore(&bad, &to, PASS).unwrap_err().code,
            ErrorCode::DecryptionFailure
        );
        assert!(no_temp_files(dir.path()));
        assert!(restore(&out, &to, PASS).is_ok());
    }

    #[test]
    fn a_wrong_passphrase_opens_nothing_and_messages_hold_no_value() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let out = backup_of(&v, dir.path());
        let to = dir.path().join("restored.db");
        let err = restore(&out, &to, "not it").unwrap_err();
        assert_eq!(err.code, ErrorCode::AccessDenied);
        assert!(!err.message.contains("s3cr3t"));
        assert!(!to.exists());
    }

    #[test]
    fn the_backup_event_precedes_the_snapshot_and_the_restore_event_follows_it() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let out = backup_of(&v, dir.path());
        let to = dir.path().join("restored.db");
        let r = restore(&out, &to, PASS).unwrap();
        let w = Vault::open(&to, None, &pass()).unwrap();
        let page = w
            .query_audit(
                &w.caller(FrontEnd::Cli),
                &super::super::AuditQuery::default(),
            )
            .unwrap();
        let names: Vec<&str> = page.events.iter().map(|e| e.event_name.as_str()).collect();
        assert_eq!(&names[..2], &["RestoreVault", "BackupVault"]);
        assert_eq!(
            page.events[1].event.request_parameters["BackupId"],
            r.backup_id.as_str()
        );
    }
}
