//! One error type whose variants are the AWS Secrets Manager error codes.
//!
//! Messages never contain secret values: every constructor takes text written by
//! Coffer itself, never a caller's value.

use std::fmt;

/// The AWS error code of a failed request, with a message for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

/// AWS Secrets Manager's error codes (plus `AccessDeniedException`, which AWS returns for
/// every service). The string form is exactly AWS's `__type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    ResourceNotFound,
    InvalidRequest,
    InvalidParameter,
    Validation,
    ResourceExists,
    LimitExceeded,
    MalformedPolicyDocument,
    PublicPolicy,
    PreconditionNotMet,
    InvalidNextToken,
    DecryptionFailure,
    EncryptionFailure,
    AccessDenied,
    InternalServiceError,
    /// IAM: the named user, role, group, policy or key does not exist.
    NoSuchEntity,
    /// IAM: an entity with that name exists already.
    EntityAlreadyExists,
    /// IAM: the entity is still in use.
    DeleteConflict,
    /// GetRandomPassword's `PasswordLength` above 4096 (moto 5.2.5's
    /// `test_get_random_too_long_password` asserts this code).
    InvalidParameterValue,
    /// IAM: a request parameter is invalid (botocore's IAM model: `InvalidInputException`,
    /// code `InvalidInput`, e.g. for `SimulateCustomPolicy`).
    InvalidInput,
}

impl ErrorCode {
    /// The code as AWS spells it in `__type` and in the AWS CLI's messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::InvalidRequest => "InvalidRequestException",
            Self::InvalidParameter => "InvalidParameterException",
            Self::Validation => "ValidationException",
            Self::ResourceExists => "ResourceExistsException",
            Self::LimitExceeded => "LimitExceededException",
            Self::MalformedPolicyDocument => "MalformedPolicyDocumentException",
            Self::PublicPolicy => "PublicPolicyException",
            Self::PreconditionNotMet => "PreconditionNotMetException",
            Self::InvalidNextToken => "InvalidNextTokenException",
            Self::DecryptionFailure => "DecryptionFailure",
            Self::EncryptionFailure => "EncryptionFailure",
            Self::AccessDenied => "AccessDeniedException",
            Self::InternalServiceError => "InternalServiceError",
            Self::NoSuchEntity => "NoSuchEntity",
            Self::EntityAlreadyExists => "EntityAlreadyExists",
            Self::DeleteConflict => "DeleteConflict",
            Self::InvalidParameterValue => "InvalidParameterValue",
            Self::InvalidInput => "InvalidInput",
        }
    }

    /// Parses AWS's spelling back (used by clients of the endpoint and by tests).
    pub fn parse(s: &str) -> Option<Self> {
        ALL_CODES.iter().copied().find(|c| c.as_str() == s)
    }

    /// Only `InternalServiceError` is a server fault; everything else is the caller's.
    pub const fn is_server_fault(self) -> bool {
        matches!(self, Self::InternalServiceError)
    }
}

const ALL_CODES: [ErrorCode; 19] = [
    ErrorCode::ResourceNotFound,
    ErrorCode::InvalidRequest,
    ErrorCode::InvalidParameter,
    ErrorCode::Validation,
    ErrorCode::ResourceExists,
    ErrorCode::LimitExceeded,
    ErrorCode::MalformedPolicyDocument,
    ErrorCode::PublicPolicy,
    ErrorCode::PreconditionNotMet,
    ErrorCode::InvalidNextToken,
    ErrorCode::DecryptionFailure,
    ErrorCode::EncryptionFailure,
    ErrorCode::AccessDenied,
    ErrorCode::InternalServiceError,
    ErrorCode::NoSuchEntity,
    ErrorCode::EntityAlreadyExists,
    ErrorCode::DeleteConflict,
    ErrorCode::InvalidParameterValue,
    ErrorCode::InvalidInput,
];

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ResourceNotFound, message)
    }
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidParameter, message)
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Validation, message)
    }
    pub fn exists(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ResourceExists, message)
    }
    pub fn limit(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::LimitExceeded, message)
    }
    pub fn decryption() -> Self {
        Self::new(
            ErrorCode::DecryptionFailure,
            "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
        )
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InternalServiceError, message)
    }
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::AccessDenied, message)
    }
    /// The message AWS gives for any operation on a secret scheduled for deletion.
    pub fn marked_for_deletion() -> Self {
        Self::invalid_request(
            "You can't perform this operation on the secret because it was marked for deletion.",
        )
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                Self::internal("the vault is busy: another process holds its write lock")
            }
            _ => Self::internal(format!("vault storage error: {e}")),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_aws_spelling() {
        for code in ALL_CODES {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("NoSuchThing"), None);
    }

    #[test]
    fn only_internal_service_error_is_a_server_fault() {
        for code in ALL_CODES {
            assert_eq!(
                code.is_server_fault(),
                code == ErrorCode::InternalServiceError
            );
        }
    }
}
