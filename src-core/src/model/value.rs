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

#[cfg(test)]
mod tests {
    use super::*;

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
