//! Types that hold secret values. None of them is `Clone`, `Debug` prints `***`, and they
//! serialize only through [`Reveal`], an explicit act at the one place a value must leave.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// A `SecretString`.
pub struct SecretText(Zeroizing<String>);

/// A `SecretBinary` (base64 on the wire).
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretText {
    pub fn new(s: String) -> Self {
        Self(Zeroizing::new(s))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// An explicit copy, for the rare place that needs two (a rotation writing a new value).
    pub fn duplicate(&self) -> Self {
        Self::new(self.0.to_string())
    }
}

impl SecretBytes {
    pub fn new(b: Vec<u8>) -> Self {
        Self(Zeroizing::new(b))
    }
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
    pub fn duplicate(&self) -> Self {
        Self::new(self.0.to_vec())
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}
impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::new(String::deserialize(d)?))
    }
}

impl<'de> Deserialize<'de> for SecretBytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Zeroizing::new(String::deserialize(d)?);
        B64.decode(s.as_bytes())
            .map(Self::new)
            .map_err(|_| serde::de::Error::custom("SecretBinary is not valid base64"))
    }
}

/// A version's value: exactly one of `SecretString` or `SecretBinary`.
#[derive(Debug)]
pub enum SecretValue {
    String(SecretText),
    Binary(SecretBytes),
}

impl SecretValue {
    pub fn len(&self) -> usize {
        match self {
            Self::String(s) => s.expose().len(),
            Self::Binary(b) => b.expose().len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn duplicate(&self) -> Self {
        match self {
            Self::String(s) => Self::String(s.duplicate()),
            Self::Binary(b) => Self::Binary(b.duplicate()),
        }
    }
    /// The whole value as text (binary as base64).
    pub fn text(&self) -> Zeroizing<String> {
        match self {
            Self::String(s) => Zeroizing::new(s.expose().to_string()),
            Self::Binary(b) => Zeroizing::new(B64.encode(b.expose())),
        }
    }

    /// The value parsed as a JSON object; `None` when it is not one (or binary).
    pub fn json_object(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        let Self::String(s) = self else {
            return None;
        };
        match serde_json::from_str(s.expose()) {
            Ok(serde_json::Value::Object(m)) => Some(m),
            _ => None,
        }
    }

    /// The top-level keys of a JSON object value, each with its value as text (see
    /// [`json_text`]); `None` when the value is not a JSON object.
    pub fn json_fields(&self) -> Option<Vec<(String, Zeroizing<String>)>> {
        Some(
            self.json_object()?
                .into_iter()
                .map(|(k, v)| (k, Zeroizing::new(json_text(v))))
                .collect(),
        )
    }

    /// Constant-time-ish equality (length, then every byte) for idempotency checks.
    pub fn same_as(&self, other: &SecretValue) -> bool {
        let (a, b, ka, kb) = match (self, other) {
            (Self::String(a), Self::String(b)) => {
                (a.expose().as_bytes(), b.expose().as_bytes(), 0, 0)
            }
            (Self::Binary(a), Self::Binary(b)) => (a.expose(), b.expose(), 1, 1),
            (Self::String(a), Self::Binary(b)) => (a.expose().as_bytes(), b.expose(), 0, 1),
            (Self::Binary(a), Self::String(b)) => (a.expose(), b.expose().as_bytes(), 1, 0),
        };
        if ka != kb || a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
    /// Encodes for sealing: a kind byte, then the bytes.
    pub(crate) fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(self.len() + 1));
        match self {
            Self::String(s) => {
                out.push(b's');
                out.extend_from_slice(s.expose().as_bytes());
            }
            Self::Binary(b) => {
                out.push(b'b');
                out.extend_from_slice(b.expose());
            }
        }
        out
    }
    pub(crate) fn decode(bytes: &[u8]) -> Option<Self> {
        let (kind, rest) = bytes.split_first()?;
        match kind {
            b's' => Some(Self::String(SecretText::new(
                String::from_utf8(rest.to_vec()).ok()?,
            ))),
            b'b' => Some(Self::Binary(SecretBytes::new(rest.to_vec()))),
            _ => None,
        }
    }
}

/// Serialization that includes secret values, for the response types that carry them.
/// It exists so that a value leaves as JSON only where someone wrote `Reveal(&response)`.
pub trait RevealSerialize {
    fn reveal<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
}

/// `serde_json::to_string(&Reveal(&response))` — the one way to serialize a value.
pub struct Reveal<'a, T: RevealSerialize>(pub &'a T);

impl<T: RevealSerialize> Serialize for Reveal<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.reveal(s)
    }
}

/// Helpers for `RevealSerialize` implementations.
pub(crate) struct ExposeText<'a>(pub &'a SecretText);
impl Serialize for ExposeText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose())
    }
}
pub(crate) struct ExposeBytes<'a>(pub &'a SecretBytes);
impl Serialize for ExposeBytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let enc = Zeroizing::new(B64.encode(self.0.expose()));
        s.serialize_str(&enc)
    }
}

/// How one key of a value differs between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Change {
    Same,
    Changed,
    Added,
    Removed,
}

impl Change {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Same => "same",
            Self::Changed => "changed",
            Self::Added => "added",
            Self::Removed => "removed",
        }
    }
}

/// One key of a diff of two versions; the values print as `***`.
pub struct KeyDiff {
    pub key: String,
    pub change: Change,
    pub old: Option<Zeroizing<String>>,
    pub new: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for KeyDiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyDiff")
            .field("key", &self.key)
            .field("change", &self.change)
            .finish_non_exhaustive()
    }
}

/// Compares two values key by key, keys sorted (a value that is not a JSON object is the
/// one key `(value)`).
pub fn diff_by_key(old: &SecretValue, new: &SecretValue) -> Vec<KeyDiff> {
    let as_map = |v: &SecretValue| {
        v.json_fields()
            .unwrap_or_else(|| vec![("(value)".to_string(), v.text())])
    };
    let (a, b) = (as_map(old), as_map(new));
    let mut keys: Vec<&String> = a.iter().chain(b.iter()).map(|(k, _)| k).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let o = a.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
            let n = b.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
            let change = match (&o, &n) {
                (Some(x), Some(y)) if x.as_str() == y.as_str() => Change::Same,
                (Some(_), Some(_)) => Change::Changed,
                (None, _) => Change::Added,
                (_, None) => Change::Removed,
            };
            KeyDiff {
                key: k.clone(),
                change,
                old: o,
                new: n,
            }
        })
        .collect()
}

/// A JSON value as text: a string as it is, anything else as JSON.
pub fn json_text(v: serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> SecretValue {
        SecretValue::String(SecretText::new(v.into()))
    }

    #[test]
    fn json_values_diff_by_key() {
        let rows = diff_by_key(
            &s(r#"{"a":"1","b":"2","c":3}"#),
            &s(r#"{"a":"1","b":"x","d":4}"#),
        );
        let got: Vec<(&str, Change)> = rows.iter().map(|r| (r.key.as_str(), r.change)).collect();
        assert_eq!(
            got,
            [
                ("a", Change::Same),
                ("b", Change::Changed),
                ("c", Change::Removed),
                ("d", Change::Added)
            ]
        );
    }

    #[test]
    fn values_print_as_stars() {
        let v = SecretValue::String(SecretText::new("hunter2".into()));
        assert!(!format!("{v:?}").contains("hunter2"));
        let b = SecretValue::Binary(SecretBytes::new(b"hunter2".to_vec()));
        assert!(!format!("{b:?}").contains("hunter2"));
    }

    #[test]
    fn encoding_round_trips_and_keeps_the_kind() {
        for v in [
            SecretValue::String(SecretText::new("abc".into())),
            SecretValue::Binary(SecretBytes::new(vec![0, 1, 2])),
        ] {
            let back = SecretValue::decode(&v.encode()).unwrap();
            assert!(back.same_as(&v));
        }
        let s = SecretValue::String(SecretText::new("abc".into()));
        let b = SecretValue::Binary(SecretBytes::new(b"abc".to_vec()));
        assert!(!s.same_as(&b));
    }

    #[test]
    fn binary_deserializes_from_base64_and_rejects_garbage() {
        let b: SecretBytes = serde_json::from_str("\"AAEC\"").unwrap();
        assert_eq!(b.expose(), &[0, 1, 2]);
        assert!(serde_json::from_str::<SecretBytes>("\"***\"").is_err());
    }
}
