//! Coffer's desktop console without its window: the commands the desktop app's page calls,
//! as methods of [`Desktop`] over `coffer-core`, by name through [`dispatch`], and the
//! [`Console`] that runs them on its own vault or through the session agent.
//!
//! **Why a crate of its own:** the desktop app and the session agent (in the `coffer`
//! program) both run these commands — the app on the vault it unlocked, the agent for a
//! desktop attached to the session — and the `coffer` program must not link Tauri or
//! WebKit. What needs the window (the Tauri commands, `ipc.rs`) and the clipboard (set in
//! the desktop process, never in the agent) stay in `coffer-desktop`.

mod commands;
pub mod dispatch;
pub mod dto;
mod health;
mod replicas;
mod rotation;
pub mod session;

pub use commands::{CLIPBOARD_CLEAR_SECONDS, Desktop, RekeySink, default_vault_path};
pub use dispatch::{COMMANDS, dispatch};
pub use session::Console;
