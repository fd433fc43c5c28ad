//! Copying secrets between a vault and any Secrets Manager API endpoint — AWS itself,
//! another `coffer serve`, an emulator such as `coffer serve --ephemeral` or moto's server:
//! `coffer import --from-endpoint URL` and `coffer export --to-endpoint URL`.
//!
//! Every labelled version is copied with its value, under its own VersionId (used as the
//! ClientRequestToken), and with its staging labels; so are the tags, the description and
//! the resource policy. KMS keys and rotation settings are not: key ids mean nothing in
//! another account, and a rotation function belongs to where it runs.
//!
//! The copy ([`copy::copy`]) is the same in both directions, over two [`Secrets`] sides: the
//! vault through its service methods as the operator (authorized and audited step by step,
//! like any other request) and the endpoint through its API ([`client::Client`], SigV4
//! signed). It pages through ListSecrets and ListSecretVersionIds, writes only differences,
//! and so can be run again after an interruption to finish the job.

pub mod client;
pub mod copy;
pub mod credentials;
mod sides;

pub use client::Client;
pub use copy::{Secrets, Selection, TransferReport};
pub use sides::{RemoteSide, VaultSide};

use crate::{Caller, Result, Vault};

/// How to reach an endpoint: its URL, and the region and profile given on the command line
/// (the rest comes from the environment; see [`credentials`]).
#[derive(Debug, Clone, Default)]
pub struct EndpointOptions {
    pub url: String,
    pub region: Option<String>,
    pub profile: Option<String>,
}

/// A client of the endpoint, with its region and credentials found as the AWS CLI finds them.
pub fn connect(opts: &EndpointOptions, env: &dyn Fn(&str) -> Option<String>) -> Result<Client> {
    let region = credentials::region(opts.region.as_deref(), env);
    let creds = credentials::resolve(opts.profile.as_deref(), env)?;
    Client::new(&opts.url, &region, creds)
}

/// The process environment, for [`connect`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// [`import`] or [`export`]: a copy in one direction.
pub type Direction = fn(&Vault, &Caller, &Client, &Selection, bool) -> Result<TransferReport>;

/// Copies the selected secrets of the endpoint into the vault.
pub fn import(
    vault: &Vault,
    caller: &Caller,
    client: &Client,
    selection: &Selection,
    dry_run: bool,
) -> Result<TransferReport> {
    copy::copy(
        &RemoteSide { client },
        &VaultSide {
            vault,
            caller,
            page_size: None,
        },
        selection,
        dry_run,
        (client.url(), "vault"),
    )
}

/// Copies the selected secrets of the vault to the endpoint.
pub fn export(
    vault: &Vault,
    caller: &Caller,
    client: &Client,
    selection: &Selection,
    dry_run: bool,
) -> Result<TransferReport> {
    copy::copy(
        &VaultSide {
            vault,
            caller,
            page_size: None,
        },
        &RemoteSide { client },
        selection,
        dry_run,
        ("vault", client.url()),
    )
}
