//! Secrets, versions, labels, tags and ARNs, with the validation AWS applies to each.

mod arn;
pub mod labels;
mod time;
mod validate;
pub(crate) mod value;

pub use arn::{SecretArn, kms_key_arn, secret_arn};
pub use time::{day_start, epoch_seconds, from_epoch_ms};
pub use validate::*;
pub use value::{
    Change, KeyDiff, Reveal, RevealSerialize, SecretBytes, SecretText, SecretValue, diff_by_key,
    json_text,
};

use serde::{Deserialize, Serialize};

pub const AWSCURRENT: &str = "AWSCURRENT";
pub const AWSPREVIOUS: &str = "AWSPREVIOUS";
pub const AWSPENDING: &str = "AWSPENDING";

/// The alias of the key every secret uses unless it names another.
pub const DEFAULT_KMS_ALIAS: &str = "alias/aws/secretsmanager";

/// At most this many versions per secret.
pub const MAX_VERSIONS: usize = 100;
/// At most this many staging labels on one version.
pub const MAX_LABELS_PER_VERSION: usize = 20;
/// DeleteSecret's `RecoveryWindowInDays`: 7 to 30 days (30 when not given).
pub const RECOVERY_WINDOW_DAYS: std::ops::RangeInclusive<i64> = 7..=30;

/// A value is 1 to 65,536 bytes.
pub const MAX_VALUE_BYTES: usize = 65_536;

/// A tag, as AWS spells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Tag {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value", default)]
    pub value: String,
}
