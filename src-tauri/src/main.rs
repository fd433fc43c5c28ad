//! Coffer's desktop console: a Tauri window over the same `coffer-core` vault as the
//! terminal console. `coffer-desktop --vault PATH` opens a chosen vault file.

mod clipboard;
mod ipc;

use std::path::PathBuf;

use clap::Parser;
use coffer_console::{Console, Desktop};

#[derive(Parser)]
#[command(name = "coffer-desktop", version, about = "Coffer's desktop console")]
struct Args {
    /// The vault file [default: $XDG_DATA_HOME/coffer/vault.db].
    #[arg(long, env = "COFFER_VAULT")]
    vault: Option<PathBuf>,
    /// Lock the vault after this many seconds without input (and clear a copied value).
    #[arg(long, default_value_t = 300)]
    idle_lock_seconds: u32,
    /// Passed by WebKitWebDriver when an end-to-end test drives the window.
    #[arg(long, hide = true)]
    automation: bool,
}

fn main() {
    // Before anything is unlocked: no core file, no debugger attaching.
    if let Err(e) = coffer_core::process::harden() {
        eprintln!("coffer-desktop: cannot protect this process's memory: {e}");
        std::process::exit(1);
    }
    let args = Args::parse();
    let path = args
        .vault
        .unwrap_or_else(coffer_console::default_vault_path);
    let console = Console::new(Desktop::new(path, args.idle_lock_seconds));
    // With a session running for this vault (`coffer unlock`), the console opens through it
    // without asking for the passphrase; the agent holds the keys and runs every command.
    console.attach_to_running_session();
    tauri::Builder::default()
        .manage(console)
        .manage(clipboard::Clipboard::default())
        .invoke_handler(ipc::handler())
        .run(tauri::generate_context!())
        .expect("run the desktop console");
}
