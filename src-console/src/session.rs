//! The desktop console through the session `coffer unlock` started: [`Console`] runs each
//! command either on its own [`Desktop`] (unlocked with the passphrase in this process) or,
//! attached to the vault's session agent, in the agent — which answers it with
//! [`crate::dispatch`] on the vault it holds, as its operator, with front end `session`.
//! The keys never enter this process (handing them over was rejected for that reason); what
//! crosses the socket is a command's name and arguments one way and its JSON answer the
//! other, values included, as for the terminal console through the session (the agent
//! checks that the socket's peer is its own user).
//!
//! The wire: one JSON line each way on the agent's socket (`coffer`'s `session.rs`), the
//! requests and answers named as the agent names them. [`Outgoing`] and [`Incoming`] are the
//! part of its protocol the desktop speaks; the agent's tests hold its own types to them.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use coffer_core::vault::RekeyStatus;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::commands::Desktop;
use crate::dispatch::dispatch;
use crate::dto::{IpcError, IpcResult, RekeyView, VaultStatus};

/// A desktop command as it travels to the agent.
#[derive(Debug, Serialize, Deserialize)]
pub struct Call {
    pub command: String,
    pub args: Value,
}

/// The requests a desktop sends the session agent.
#[derive(Serialize)]
pub enum Outgoing<'a> {
    /// Open through the session (as the operator it was unlocked as).
    Attach { operator: Option<String> },
    /// Run one of the desktop's commands.
    Desktop(&'a Call),
    /// The vault's revision (not a use of the session: it does not hold off the idle lock).
    Revision,
}

/// The agent's answers a desktop reads.
#[derive(Deserialize)]
pub enum Incoming {
    /// How far a re-key the command makes has come (before the answer).
    Progress(RekeyStatus),
    Attached {
        vault_id: String,
        account_id: String,
        region: String,
        operator: String,
    },
    /// A desktop command's answer.
    Desktop(IpcResult<Value>),
    Revision(i64),
    VaultError {
        code: String,
        message: String,
    },
    Error(String),
    NotHere(String),
    Refused(String),
}

/// What the console says when the session it ran through has ended.
pub const SESSION_ENDED: &str = "The session ended (coffer lock, its idle time or its time limit); \
     unlock with the passphrase, or run coffer unlock.";

/// The commands a passphrase is typed for: a passphrase never goes to the session agent, so
/// through the session these need the console unlocked with the passphrase (as in the
/// terminal console).
pub const PASSPHRASE_COMMANDS: &[&str] = &["add_operator", "change_passphrase"];

/// What the console answers one of [`PASSPHRASE_COMMANDS`] through the session.
pub fn needs_the_passphrase() -> IpcError {
    IpcError {
        code: "InvalidRequestException".into(),
        message: "Opened through the session: adding an operator or changing a passphrase needs \
                  the console unlocked with your passphrase (lock, then unlock)."
            .into(),
    }
}

/// Why an exchange with the agent failed.
enum Failed {
    /// Its socket does not answer: the session has ended.
    Gone,
    /// It answered, with this error.
    Said(IpcError),
}

fn refused(message: String) -> Failed {
    Failed::Said(IpcError {
        code: "InvalidRequestException".into(),
        message,
    })
}

/// Sends `request` to the agent at `socket` and reads its answer, telling `progress` each
/// re-key step it reports before it.
fn exchange(
    socket: &PathBuf,
    request: &Outgoing<'_>,
    progress: &mut dyn FnMut(RekeyStatus),
) -> Result<Incoming, Failed> {
    let mut stream = UnixStream::connect(socket).map_err(|_| Failed::Gone)?;
    let mut line =
        Zeroizing::new(serde_json::to_string(request).map_err(|e| refused(e.to_string()))?);
    line.push('\n');
    stream
        .write_all(line.as_bytes())
        .map_err(|_| Failed::Gone)?;
    let mut reader = BufReader::new(&stream);
    loop {
        let mut line = Zeroizing::new(String::new());
        reader.read_line(&mut line).map_err(|_| Failed::Gone)?;
        if line.is_empty() {
            return Err(Failed::Gone);
        }
        match serde_json::from_str(&line) {
            Ok(Incoming::Progress(s)) => progress(s),
            Ok(Incoming::Refused(m) | Incoming::Error(m) | Incoming::NotHere(m)) => {
                return Err(refused(m));
            }
            Ok(Incoming::VaultError { code, message }) => {
                return Err(Failed::Said(IpcError { code, message }));
            }
            Ok(answer) => return Ok(answer),
            Err(e) => {
                return Err(refused(format!(
                    "the session agent answered out of turn: {e}"
                )));
            }
        }
    }
}

fn out_of_turn() -> Failed {
    refused("the session agent answered out of turn".into())
}

/// The desktop's state: its own vault, or the session it runs through.
pub struct Console {
    local: Desktop,
    /// The agent's socket while the console runs through the session.
    through: Mutex<Option<PathBuf>>,
    /// Why the console locked when the operator did not lock it.
    notice: Mutex<Option<String>>,
    /// The re-key under way in the agent, as it reported it.
    rekey: Mutex<Option<RekeyStatus>>,
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Console {
    pub fn new(local: Desktop) -> Self {
        Self {
            local,
            through: Mutex::new(None),
            notice: Mutex::new(None),
            rekey: Mutex::new(None),
        }
    }

    /// The console's own desktop (its vault when unlocked with the passphrase).
    pub fn local(&self) -> &Desktop {
        &self.local
    }

    fn socket(&self) -> Option<PathBuf> {
        guard(&self.through).clone()
    }

    /// Opens through the session of this console's vault, if one runs for this user;
    /// `true` when it did.
    pub fn attach_to_running_session(&self) -> bool {
        coffer_core::running::session_socket(self.local.path(), false)
            .is_ok_and(|socket| self.attach(socket).is_ok())
    }

    /// Opens through the session agent listening at `socket`.
    pub fn attach(&self, socket: PathBuf) -> IpcResult<()> {
        let request = Outgoing::Attach { operator: None };
        match exchange(&socket, &request, &mut |_| {}) {
            Ok(Incoming::Attached { .. }) => {}
            Ok(_) => return Err(self.fail(out_of_turn())),
            Err(Failed::Gone) => {
                return Err(IpcError {
                    code: "InvalidRequestException".into(),
                    message: "No session to open through: its socket does not answer.".into(),
                });
            }
            Err(Failed::Said(e)) => return Err(e),
        }
        self.local.lock();
        *guard(&self.notice) = None;
        *guard(&self.through) = Some(socket);
        Ok(())
    }

    /// The session ended: the console is locked, and says why.
    fn ended(&self) -> IpcError {
        *guard(&self.through) = None;
        *guard(&self.rekey) = None;
        *guard(&self.notice) = Some(SESSION_ENDED.into());
        IpcError {
            code: "InvalidRequestException".into(),
            message: SESSION_ENDED.into(),
        }
    }

    fn fail(&self, f: Failed) -> IpcError {
        match f {
            Failed::Gone => self.ended(),
            Failed::Said(e) => e,
        }
    }

    /// Runs one of the desktop's commands ([`crate::dispatch::COMMANDS`]) where the vault is:
    /// here, or in the session agent.
    pub fn call(&self, command: &str, args: Value) -> IpcResult<Value> {
        let Some(socket) = self.socket() else {
            return dispatch(&self.local, command, args);
        };
        if PASSPHRASE_COMMANDS.contains(&command) {
            return Err(needs_the_passphrase());
        }
        let call = Call {
            command: command.to_string(),
            args,
        };
        let mut progress = |s: RekeyStatus| *guard(&self.rekey) = Some(s);
        let answer = exchange(&socket, &Outgoing::Desktop(&call), &mut progress);
        *guard(&self.rekey) = None;
        match answer {
            Ok(Incoming::Desktop(answer)) => answer,
            Ok(_) => Err(self.fail(out_of_turn())),
            Err(f) => Err(self.fail(f)),
        }
    }

    /// The vault file, and the session when open (here or through the agent).
    pub fn status(&self) -> VaultStatus {
        let mut status = self.local.status();
        if self.socket().is_some() {
            let through = self.call("vault_status", Value::Null).and_then(|v| {
                serde_json::from_value::<VaultStatus>(v).map_err(|e| IpcError {
                    code: "InternalServiceError".into(),
                    message: e.to_string(),
                })
            });
            if let Ok(s) = through {
                status.session = s.session;
                status.through_session = true;
            }
        }
        status.notice = guard(&self.notice).clone();
        status
    }

    /// Unlocks this console's own vault with the passphrase.
    pub fn unlock(
        &self,
        operator: Option<String>,
        passphrase: coffer_core::Passphrase,
    ) -> IpcResult<VaultStatus> {
        self.local.unlock(operator, passphrase)?;
        *guard(&self.notice) = None;
        Ok(self.status())
    }

    /// Locks this console: forgets its own vault, or detaches from the session (which goes
    /// on for the CLI and other consoles).
    pub fn lock(&self) {
        *guard(&self.through) = None;
        *guard(&self.notice) = None;
        self.local.lock();
    }

    /// The vault's revision, or `None` when the console is locked (its session ended
    /// included).
    pub fn revision(&self) -> IpcResult<Option<i64>> {
        let Some(socket) = self.socket() else {
            return self.local.revision();
        };
        match exchange(&socket, &Outgoing::Revision, &mut |_| {}) {
            Ok(Incoming::Revision(r)) => Ok(Some(r)),
            Ok(_) => Err(self.fail(out_of_turn())),
            Err(Failed::Gone) => {
                self.ended();
                Ok(None)
            }
            Err(Failed::Said(e)) => Err(e),
        }
    }

    /// Where the re-key under way is, here or in the agent.
    pub fn rekey_progress(&self) -> Option<RekeyView> {
        match *guard(&self.rekey) {
            Some(s) => Some(RekeyView::from(s)),
            None => self.local.rekey_progress(),
        }
    }
}
