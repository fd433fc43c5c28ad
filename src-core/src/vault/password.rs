//! GetRandomPassword: characters from the OS CSPRNG, AWS's character classes and options.

use crate::api::{GetRandomPasswordRequest, GetRandomPasswordResponse};
use crate::crypto::random;
use crate::model::SecretText;
use crate::{Error, Result};

/// AWS's punctuation set.
pub const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

pub(crate) fn generate(req: &GetRandomPasswordRequest) -> Result<GetRandomPasswordResponse> {
    let len = req.password_length.unwrap_or(32);
    if len < 1 {
        return Err(Error::validation(
            "1 validation error detected: Value at 'passwordLength' failed to satisfy constraint: Member must have value between 1 and 4096",
        ));
    }
    // moto 5.2.5 `models.py` `get_random_password` and `test_get_random_too_long_password`
    // (Code == "InvalidParameterValue").
    if len > 4096 {
        return Err(Error::new(
            crate::ErrorCode::InvalidParameterValue,
            format!(
                "1 validation error detected: Value '{len}' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096"
            ),
        ));
    }
    let exclude = req.exclude_characters.as_deref().unwrap_or("");
    if exclude.chars().count() > 4096 {
        return Err(Error::validation(
            "1 validation error detected: Value at 'excludeCharacters' failed to satisfy constraint: Member must have length less than or equal to 4096",
        ));
    }
    let mut classes: Vec<Vec<char>> = Vec::new();
    let mut add = |on: bool, chars: &str| {
        if on {
            let set: Vec<char> = chars.chars().filter(|c| !exclude.contains(*c)).collect();
            classes.push(set);
        }
    };
    add(
        !req.exclude_lowercase.unwrap_or(false),
        "abcdefghijklmnopqrstuvwxyz",
    );
    add(
        !req.exclude_uppercase.unwrap_or(false),
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    );
    add(!req.exclude_numbers.unwrap_or(false), "0123456789");
    add(!req.exclude_punctuation.unwrap_or(false), PUNCTUATION);
    // The space is a character to choose from, not a type RequireEachIncludedType asks for:
    // AWS's API Reference, GetRandomPassword, RequireEachIncludedType: "Specifies whether to
    // include at least one upper and lowercase letter, one number, and one punctuation."
    let space = req.include_space.unwrap_or(false) && !exclude.contains(' ');
    let require_each = req.require_each_included_type.unwrap_or(true);
    if require_each && classes.iter().any(|c| c.is_empty()) {
        return Err(Error::invalid_parameter(
            "ExcludeCharacters removes every character of a type that RequireEachIncludedType asks for.",
        ));
    }
    classes.retain(|c| !c.is_empty());
    if classes.is_empty() && !space {
        return Err(Error::invalid_parameter(
            "The options exclude every character: nothing is left to choose from.",
        ));
    }
    let len = len as usize;
    // moto 5.2.5 `models.py` `get_random_password` (`test_get_random_too_short_password`).
    if require_each && len < classes.len() {
        return Err(Error::invalid_parameter(
            "Password length is too short based on the required types.",
        ));
    }
    let mut all: Vec<char> = classes.iter().flatten().copied().collect();
    if space {
        all.push(' ');
    }
    let mut out: Vec<char> = Vec::with_capacity(len);
    if require_each {
        for c in &classes {
            out.push(c[random::below(c.len())]);
        }
    }
    while out.len() < len {
        out.push(all[random::below(all.len())]);
    }
    random::shuffle(&mut out);
    let s: String = out.iter().collect();
    out.fill('\0');
    Ok(GetRandomPasswordResponse {
        random_password: SecretText::new(s),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn req() -> GetRandomPasswordRequest {
        GetRandomPasswordRequest::default()
    }

    /// AWS's API Reference, GetRandomPassword, RequireEachIncludedType: at least one upper
    /// and lowercase letter, one number and one punctuation; the space is not among them, so
    /// four characters are enough with IncludeSpace too.
    #[test]
    fn the_space_is_no_required_type() {
        let p = generate(&GetRandomPasswordRequest {
            password_length: Some(4),
            include_space: Some(true),
            ..req()
        })
        .unwrap()
        .random_password;
        let p = p.expose();
        assert_eq!(p.chars().count(), 4);
        assert!(p.chars().any(|c| c.is_ascii_lowercase()), "{p}");
        assert!(p.chars().any(|c| c.is_ascii_uppercase()), "{p}");
        assert!(p.chars().any(|c| c.is_ascii_digit()), "{p}");
        let only_space = generate(&GetRandomPasswordRequest {
            password_length: Some(5),
            include_space: Some(true),
            exclude_lowercase: Some(true),
            exclude_uppercase: Some(true),
            exclude_numbers: Some(true),
            exclude_punctuation: Some(true),
            ..req()
        })
        .unwrap()
        .random_password;
        assert_eq!(only_space.expose(), "     ");
    }

    #[test]
    fn default_is_32_characters_with_every_type() {
        let p = generate(&req()).unwrap().random_password;
        let p = p.expose();
        assert_eq!(p.chars().count(), 32);
        assert!(p.chars().any(|c| c.is_ascii_lowercase()));
        assert!(p.chars().any(|c| c.is_ascii_uppercase()));
        assert!(p.chars().any(|c| c.is_ascii_digit()));
        assert!(p.chars().any(|c| PUNCTUATION.contains(c)));
        assert!(!p.contains(' '));
    }

    #[test]
    fn exclusions_and_space_are_honoured() {
        // Space is one of 54 characters here and no rule requires one, so a short password
        // may lack it (one in 40 at 200 characters); at 4,096 (the longest) the chance is
        // below 1e-32.
        let r = GetRandomPasswordRequest {
            password_length: Some(4096),
            exclude_punctuation: Some(true),
            exclude_characters: Some("abcXYZ012".into()),
            include_space: Some(true),
            ..req()
        };
        let p = generate(&r).unwrap().random_password;
        assert!(
            p.expose()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ')
        );
        assert!(!p.expose().chars().any(|c| "abcXYZ012".contains(c)));
        assert!(p.expose().contains(' '));
    }

    #[test]
    fn bad_lengths_and_impossible_options_are_refused() {
        let code = |r: GetRandomPasswordRequest| generate(&r).unwrap_err().code;
        assert_eq!(
            code(GetRandomPasswordRequest {
                password_length: Some(0),
                ..req()
            }),
            ErrorCode::Validation
        );
        // moto 5.2.5 `test_get_random_too_long_password`: Code == "InvalidParameterValue";
        // the message is moto's `models.py` `get_random_password`.
        let long = generate(&GetRandomPasswordRequest {
            password_length: Some(5555),
            ..req()
        })
        .unwrap_err();
        assert_eq!(long.code, ErrorCode::InvalidParameterValue);
        assert_eq!(
            long.message,
            "1 validation error detected: Value '5555' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096"
        );
        assert!(
            generate(&GetRandomPasswordRequest {
                password_length: Some(4096),
                ..req()
            })
            .is_ok()
        );
        // moto 5.2.5 `test_get_random_too_short_password` and `models.py`.
        let short = generate(&GetRandomPasswordRequest {
            password_length: Some(3),
            ..req()
        })
        .unwrap_err();
        assert_eq!(short.code, ErrorCode::InvalidParameter);
        assert_eq!(
            short.message,
            "Password length is too short based on the required types."
        );
        assert_eq!(
            code(GetRandomPasswordRequest {
                exclude_lowercase: Some(true),
                exclude_uppercase: Some(true),
                exclude_numbers: Some(true),
                exclude_punctuation: Some(true),
                ..req()
            }),
            ErrorCode::InvalidParameter
        );
        assert_eq!(
            code(GetRandomPasswordRequest {
                exclude_characters: Some("0123456789".into()),
                ..req()
            }),
            ErrorCode::InvalidParameter
        );
    }

    #[test]
    fn without_require_each_a_single_character_password_works() {
        let r = GetRandomPasswordRequest {
            password_length: Some(1),
            require_each_included_type: Some(false),
            ..req()
        };
        assert_eq!(
            generate(&r)
                .unwrap()
                .random_password
                .expose()
                .chars()
                .count(),
            1
        );
    }
}
