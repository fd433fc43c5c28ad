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
