//! How the console's requests and the worker's answers cross the session socket when the
//! console runs through the user's session agent (`coffer unlock`): serde for the core types
//! that keep their values out of serialization by design. Used only on that socket, whose
//! peer is checked to be this user; values travel as they do for `coffer get-secret-value`
//! through the session, and are zeroized on both sides when dropped.

use coffer_core::{Error, ErrorCode, SecretText, SecretValue};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize, Deserialize)]
struct WireError {
    code: String,
    message: String,
}

impl From<&Error> for WireError {
    fn from(e: &Error) -> Self {
        Self {
            code: e.code.as_str().to_string(),
            message: e.message.clone(),
        }
    }
}

impl From<WireError> for Error {
    fn from(w: WireError) -> Self {
        match ErrorCode::parse(&w.code) {
            Some(code) => Error::new(code, w.message),
            None => Error::internal(format!("{}: {}", w.code, w.message)),
        }
    }
}

pub mod error {
    use super::*;

    pub fn serialize<S: Serializer>(e: &Error, s: S) -> Result<S::Ok, S::Error> {
        WireError::from(e).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Error, D::Error> {
        Ok(WireError::deserialize(d)?.into())
    }
}

/// A `Result<T, coffer_core::Error>`.
pub mod result {
    use super::*;

    pub fn serialize<T: Serialize, S: Serializer>(
        r: &Result<T, Error>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match r {
            Ok(v) => Ok::<&T, WireError>(v),
            Err(e) => Err(WireError::from(e)),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Result<T, Error>, D::Error> {
        Ok(Result::<T, WireError>::deserialize(d)?.map_err(Error::from))
    }
}

pub mod secret_text {
    use super::*;

    pub fn serialize<S: Serializer>(t: &SecretText, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.expose())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretText, D::Error> {
        SecretText::deserialize(d)
    }
}

pub mod option_secret_text {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<SecretText>, s: S) -> Result<S::Ok, S::Error> {
        t.as_ref().map(SecretText::expose).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretText>, D::Error> {
        Option::<SecretText>::deserialize(d)
    }
}

/// A version's value: `{"String": text}` or `{"Binary": base64}`.
pub mod secret_value {
    use coffer_core::SecretBytes;

    use super::*;

    #[derive(Serialize)]
    enum Out<'a> {
        String(&'a str),
        Binary(&'a str),
    }

    #[derive(Deserialize)]
    enum In {
        String(SecretText),
        Binary(SecretBytes),
    }

    pub fn serialize<S: Serializer>(v: &SecretValue, s: S) -> Result<S::Ok, S::Error> {
        use base64::Engine;
        match v {
            SecretValue::String(t) => Out::String(t.expose()).serialize(s),
            SecretValue::Binary(b) => {
                let text = zeroize::Zeroizing::new(
                    base64::engine::general_purpose::STANDARD.encode(b.expose()),
                );
                Out::Binary(&text).serialize(s)
            }
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretValue, D::Error> {
        Ok(match In::deserialize(d)? {
            In::String(t) => SecretValue::String(t),
            In::Binary(b) => SecretValue::Binary(b),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Carried {
        #[serde(with = "result")]
        answer: Result<u32, Error>,
        #[serde(with = "secret_value")]
        value: SecretValue,
    }

    #[test]
    fn an_error_and_a_value_arrive_as_they_left() {
        let sent = Carried {
            answer: Err(Error::not_found(
                "Secrets Manager can't find the specified secret.",
            )),
            value: SecretValue::Binary(coffer_core::SecretBytes::new(vec![0, 1, 254])),
        };
        let got: Carried = serde_json::from_str(&serde_json::to_string(&sent).unwrap()).unwrap();
        assert_eq!(got.answer, sent.answer);
        match got.value {
            SecretValue::Binary(b) => assert_eq!(b.expose(), &[0, 1, 254]),
            SecretValue::String(_) => panic!("a binary value came back as text"),
        }
    }
}
