//! The vault state's digest, which the audit head carries so that a row put back, edited
//! or deleted outside Coffer fails `audit verify`, naming its table.
//!
//! Each state row (see `store::state` for which rows are state) has a MAC under the
//! vault's `state-mac` key over its table and contents; a table's digest is the XOR of
//! its rows' MACs. Without the key nobody can compute a row's MAC, so nobody can pick
//! rows whose MACs cancel out. The door keeps the digest up to date incrementally: the
//! changes its transaction made come from the state log (contents before and after), and
//! XOR-ing out the old row's MAC and in the new one's is two HMACs per changed row. A
//! request that changes no state (a `GetSecretValue`) pays one read of an empty log.
//! `verify` recomputes every table's digest from the rows and compares.

use std::collections::BTreeMap;

use super::AuditKeys;
use crate::Result;
use crate::store::{StateChange, Tx};

/// The name under which a head that was written outside Coffer poisons the digest: no
/// table has this name, so the digest can never match the rows again.
pub(super) const FORGED_HEAD: &str = "audit_head";

/// Per table, the XOR of its rows' MACs (tables without rows are left out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StateDigest(BTreeMap<String, [u8; 32]>);

impl StateDigest {
    /// The digest the rows of the vault have now.
    pub fn scan(tx: &Tx<'_>, keys: &AuditKeys) -> Result<Self> {
        let mut d = Self::default();
        tx.state_scan(|table, contents| {
            d.toggle(keys, table, contents);
            Ok(())
        })?;
        Ok(d)
    }

    /// XORs one row in (or, if it is in, out).
    fn toggle(&mut self, keys: &AuditKeys, table: &str, contents: &str) {
        let mac = keys
            .state
            .hash(&[b"state-row", table.as_bytes(), contents.as_bytes()]);
        self.xor(table, &mac);
    }

    fn xor(&mut self, table: &str, mac: &[u8; 32]) {
        let acc = self.0.entry(table.to_string()).or_insert([0u8; 32]);
        for (a, m) in acc.iter_mut().zip(mac) {
            *a ^= m;
        }
        if *acc == [0u8; 32] {
            self.0.remove(table);
        }
    }

    /// Takes in the changes a transaction made.
    pub fn apply(&mut self, keys: &AuditKeys, changes: &[StateChange]) {
        for c in changes {
            if let Some(b) = &c.before {
                self.toggle(keys, &c.table, b);
            }
            if let Some(a) = &c.after {
                self.toggle(keys, &c.table, a);
            }
        }
    }

    /// A digest that no rows match: the head it came from was not written by Coffer.
    pub fn poisoned() -> Self {
        let mut d = Self::default();
        d.xor(FORGED_HEAD, &[0xff; 32]);
        d
    }

    /// The tables whose digests differ between `self` and `other`.
    pub fn differing(&self, other: &Self) -> Vec<String> {
        let mut t: Vec<String> = self
            .0
            .keys()
            .chain(other.0.keys())
            .filter(|t| self.0.get(*t) != other.0.get(*t))
            .cloned()
            .collect();
        t.sort();
        t.dedup();
        t
    }

    /// What the head's tag covers: every (table, digest), in table order.
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (t, d) in &self.0 {
            out.extend_from_slice(&(t.len() as u64).to_be_bytes());
            out.extend_from_slice(t.as_bytes());
            out.extend_from_slice(d);
        }
        out
    }

    pub fn to_hex(&self) -> BTreeMap<String, String> {
        self.0
            .iter()
            .map(|(t, d)| (t.clone(), super::hex(d)))
            .collect()
    }

    /// `None` if a digest is not 32 bytes of hex.
    pub fn from_hex(m: &BTreeMap<String, String>) -> Option<Self> {
        m.iter()
            .map(|(t, h)| Some((t.clone(), super::unhex(h).try_into().ok()?)))
            .collect::<Option<BTreeMap<_, _>>>()
            .map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(before: Option<&str>, after: Option<&str>) -> StateChange {
        StateChange {
            table: "access_keys".into(),
            before: before.map(str::to_string),
            after: after.map(str::to_string),
        }
    }

    #[test]
    fn a_digest_follows_inserts_updates_and_deletes_back_to_where_it_started() {
        let k = AuditKeys::random();
        let mut d = StateDigest::default();
        d.apply(&k, &[change(None, Some("a"))]);
        let one = d.clone();
        d.apply(&k, &[change(Some("a"), Some("b")), change(None, Some("c"))]);
        assert_eq!(d.differing(&one), ["access_keys"]);
        d.apply(&k, &[change(Some("b"), Some("a")), change(Some("c"), None)]);
        assert_eq!(d, one, "the same rows, the same digest");
        d.apply(&k, &[change(Some("a"), None)]);
        assert_eq!(d, StateDigest::default(), "no rows, no entry");
        assert!(d.canonical().is_empty());
    }

    #[test]
    fn a_digest_is_keyed_and_round_trips_through_hex() {
        let (k1, k2) = (AuditKeys::random(), AuditKeys::random());
        let (mut a, mut b) = (StateDigest::default(), StateDigest::default());
        a.apply(&k1, &[change(None, Some("row"))]);
        b.apply(&k2, &[change(None, Some("row"))]);
        assert_ne!(a, b);
        assert_eq!(StateDigest::from_hex(&a.to_hex()), Some(a.clone()));
        let mut bad = a.to_hex();
        bad.insert("x".into(), "abc".into());
        assert_eq!(StateDigest::from_hex(&bad), None);
        assert_eq!(
            StateDigest::poisoned().differing(&a),
            ["access_keys", FORGED_HEAD]
        );
    }
}
