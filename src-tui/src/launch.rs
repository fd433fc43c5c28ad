//! What the terminal console needs to start: which vault, who unlocks it, and how.

use std::path::PathBuf;
use std::time::Duration;

use coffer_core::Passphrase;

#[derive(Debug)]
pub struct Launch {
    pub vault_path: PathBuf,
    /// The operator to unlock as (`--operator` / `COFFER_OPERATOR`); asked on the unlock
    /// screen when the vault has several and none was given.
    pub operator: Option<String>,
    /// Given by `COFFER_PASSPHRASE` or `--passphrase-file`: unlock without the unlock screen.
    pub passphrase: Option<Passphrase>,
    /// Refuse every write in the UI before it is sent.
    pub read_only: bool,
    /// Lock after this long without a key or click (default 5 minutes).
    pub idle_lock: Duration,
}
