//! What the health report keeps of a value: how strong it is (zxcvbn's score and its
//! length, per password-like JSON field or for the whole string), whether it holds
//! database credentials, and a keyed fingerprint to find it reused. The value itself, and
//! zxcvbn's feedback (which can quote it), never leave [`ValueFacts::of`].

use serde::{Deserialize, Serialize};

use crate::crypto::KeyedHash;
use crate::model::SecretValue;

/// Below this zxcvbn score (0–4) a password is weak: 3 is "safely unguessable: moderate
/// protection from offline slow-hash scenario" in zxcvbn's scale.
pub const STRONG_SCORE: u8 = 3;

/// One weak string: the JSON field it sits in (`None`: the whole value), its score and
/// length in characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weak {
    pub field: Option<String>,
    pub score: u8,
    pub length: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueFacts {
    /// Keyed hash of the whole value (see `VaultKeys::value_fingerprinter`).
    #[serde(with = "fingerprint_text")]
    pub fingerprint: [u8; 32],
    /// The value's length in bytes.
    pub length: usize,
    #[serde(default)]
    pub weak: Vec<Weak>,
    /// A JSON object with `engine`, `host`, `username` and `password`, as AWS's rotation
    /// templates expect of database credentials.
    #[serde(default)]
    pub database_credentials: bool,
}

/// A fingerprint kept as base64 text: read back for every secret by the first report after
/// unlocking, where a JSON array of 32 numbers took a third of each secret's time. Facts kept
/// before are arrays, and are read as such.
mod fingerprint_text {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as B64;
    use serde::de::{self, SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(f: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        let mut text = [0u8; 44];
        let n = B64
            .encode_slice(f, &mut text)
            .expect("32 bytes are 44 characters of base64");
        s.serialize_str(std::str::from_utf8(&text[..n]).expect("base64 is ASCII"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        struct Fingerprint;
        impl<'de> Visitor<'de> for Fingerprint {
            type Value = [u8; 32];
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("32 bytes, as base64 text or an array")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<[u8; 32], E> {
                let mut out = [0u8; 33];
                match B64.decode_slice(v, &mut out) {
                    Ok(32) => Ok(out[..32].try_into().expect("32 bytes")),
                    _ => Err(E::custom("a fingerprint is 32 bytes of base64")),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<[u8; 32], A::Error> {
                let mut out = [0u8; 32];
                for (i, b) in out.iter_mut().enumerate() {
                    *b = seq
                        .next_element()?
                        .ok_or_else(|| de::Error::invalid_length(i, &self))?;
                }
                if seq.next_element::<u8>()?.is_some() {
                    return Err(de::Error::invalid_length(33, &self));
                }
                Ok(out)
            }
        }
        d.deserialize_any(Fingerprint)
    }
}

/// Whether a JSON field's name says it holds a password, token, key or secret (and not,
/// like `access_key_id` or `public_key`, something that is no secret).
pub fn secret_like_field(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let secretish = [
        "password",
        "passwd",
        "pwd",
        "token",
        "secret",
        "key",
        "passphrase",
    ]
    .iter()
    .any(|w| n.contains(w));
    let harmless = n.ends_with("id") || n.contains("public") || n.ends_with("name");
    secretish && !harmless
}

/// How many characters of a string zxcvbn judges. zxcvbn's matching grows faster than the
/// string (dropbox/zxcvbn's README, "Runtime latency", recommends truncating input to 100
/// characters; an 8 KiB value held KeePassXC's interface up for a minute,
/// keepassxreboot/keepassxc#7712), and facts are derived inside every write: a 64 KiB
/// value must not hold one up. A prefix this long that is not guessable already scores 4.
pub const SCORED_CHARS: usize = 100;

/// zxcvbn's score of `s`'s first [`SCORED_CHARS`] characters (0 for an empty string).
fn score(s: &str) -> u8 {
    if s.is_empty() {
        return 0;
    }
    let end = s
        .char_indices()
        .nth(SCORED_CHARS)
        .map_or(s.len(), |(i, _)| i);
    u8::from(zxcvbn::zxcvbn(&s[..end], &[]).score())
}

impl ValueFacts {
    /// Judges a value: the only place the health report looks at one.
    pub fn of(value: &SecretValue, fingerprinter: &KeyedHash) -> Self {
        let bytes: &[u8] = match value {
            SecretValue::String(s) => s.expose().as_bytes(),
            SecretValue::Binary(b) => b.expose(),
        };
        let mut facts = Self {
            fingerprint: fingerprinter.hash(&[bytes]),
            length: bytes.len(),
            weak: Vec::new(),
            database_credentials: false,
        };
        let SecretValue::String(s) = value else {
            return facts;
        };
        match value.json_object() {
            Some(fields) => {
                facts.database_credentials = ["engine", "host", "username", "password"]
                    .iter()
                    .all(|k| fields.contains_key(*k));
                for (name, v) in &fields {
                    let serde_json::Value::String(text) = v else {
                        continue;
                    };
                    if !secret_like_field(name) {
                        continue;
                    }
                    let sc = score(text);
                    if sc < STRONG_SCORE {
                        facts.weak.push(Weak {
                            field: Some(name.clone()),
                            score: sc,
                            length: text.chars().count(),
                        });
                    }
                }
            }
            None => {
                let text = s.expose();
                let sc = score(text);
                if sc < STRONG_SCORE {
                    facts.weak.push(Weak {
                        field: None,
                        score: sc,
                        length: text.chars().count(),
                    });
                }
            }
        }
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Key;
    use crate::model::SecretText;

    fn text(s: &str) -> SecretValue {
        SecretValue::String(SecretText::new(s.into()))
    }

    #[test]
    fn a_guessable_password_is_weak_and_a_random_one_is_not() {
        let h = KeyedHash::new(Key::random());
        let weak = ValueFacts::of(&text("password1"), &h);
        assert_eq!(weak.weak.len(), 1);
        assert!(weak.weak[0].score < STRONG_SCORE);
        assert_eq!(weak.weak[0].length, 9);
        assert!(
            ValueFacts::of(&text("vR7#qL9!mZ2@xT4$wK8%"), &h)
                .weak
                .is_empty()
        );
    }

    #[test]
    fn only_password_like_json_fields_are_judged_and_database_credentials_are_recognized() {
        let h = KeyedHash::new(Key::random());
        let f = ValueFacts::of(
            &text(
                r#"{"engine":"postgres","host":"db","username":"app","password":"letmein","api_key_id":"abc","port":5432}"#,
            ),
            &h,
        );
        assert!(f.database_credentials);
        assert_eq!(f.weak.len(), 1);
        assert_eq!(f.weak[0].field.as_deref(), Some("password"));
        assert!(!ValueFacts::of(&text(r#"{"password":"x"}"#), &h).database_credentials);
    }

    #[test]
    fn a_long_value_is_judged_by_its_first_hundred_characters() {
        let h = KeyedHash::new(Key::random());
        // A guessable prefix makes a long value weak; its whole length is reported.
        let long = format!(
            "{}{}",
            "a".repeat(SCORED_CHARS),
            "vR7#qL9!mZ2@xT4$".repeat(4000)
        );
        let f = ValueFacts::of(&text(&long), &h);
        assert_eq!(f.weak.len(), 1);
        assert_eq!(f.weak[0].length, long.chars().count());
        let strong = "vR7#qL9!mZ2@xT4$wK8%".repeat(3200);
        assert!(ValueFacts::of(&text(&strong), &h).weak.is_empty());
    }

    #[test]
    fn facts_keep_their_fingerprint_as_text_and_read_the_arrays_kept_before() {
        let facts = ValueFacts {
            fingerprint: [7; 32],
            length: 12,
            weak: Vec::new(),
            database_credentials: true,
        };
        let json = serde_json::to_value(&facts).unwrap();
        assert_eq!(
            json["fingerprint"],
            "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="
        );
        assert_eq!(serde_json::from_value::<ValueFacts>(json).unwrap(), facts);
        let array = [7u8; 32].to_vec();
        let before =
            serde_json::json!({"fingerprint": array, "length": 12, "database_credentials": true});
        assert_eq!(serde_json::from_value::<ValueFacts>(before).unwrap(), facts);
        for wrong in [
            serde_json::json!([7u8; 31].to_vec()),
            serde_json::json!([7u8; 33].to_vec()),
            serde_json::json!("BwcH"),
        ] {
            let json = serde_json::json!({"fingerprint": wrong, "length": 12});
            assert!(serde_json::from_value::<ValueFacts>(json).is_err());
        }
    }

    #[test]
    fn equal_values_share_a_fingerprint_only_under_the_same_key() {
        let (a, b) = (KeyedHash::new(Key::random()), KeyedHash::new(Key::random()));
        let v = text("same value");
        assert_eq!(
            ValueFacts::of(&v, &a).fingerprint,
            ValueFacts::of(&v, &a).fingerprint
        );
        assert_ne!(
            ValueFacts::of(&v, &a).fingerprint,
            ValueFacts::of(&v, &b).fingerprint
        );
        assert_ne!(
            ValueFacts::of(&v, &a).fingerprint,
            ValueFacts::of(&text("other value"), &a).fingerprint
        );
    }
}
