//! The clipboard: the system one through arboard (marked so clipboard managers skip it —
//! on Linux the `x-kde-passwordManagerHint` type), or OSC 52 through the terminal when there
//! is no display or the console runs over SSH. Clearing only clears what is still ours.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::Write;

use base64::Engine;

pub struct Clipboard {
    board: Option<arboard::Clipboard>,
    /// A keyed hash of what we copied (not the value itself).
    ours: Option<u64>,
    hasher: RandomState,
}

/// Whether the terminal is the only clipboard within reach.
fn use_osc52() -> bool {
    let var = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    if var("SSH_CONNECTION") || var("SSH_TTY") {
        return true;
    }
    cfg!(all(unix, not(target_os = "macos"))) && !var("DISPLAY") && !var("WAYLAND_DISPLAY")
}

fn osc52(text: &str) -> std::io::Result<()> {
    let b64 = zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(text));
    let mut out = std::io::stdout().lock();
    write!(out, "\x1b]52;c;{}\x07", b64.as_str())?;
    out.flush()
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
))]
fn set_private(b: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtLinux;
    b.set().exclude_from_history().text(text.to_string())
}

#[cfg(target_os = "macos")]
fn set_private(b: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtApple;
    b.set().exclude_from_history().text(text.to_string())
}

#[cfg(windows)]
fn set_private(b: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtWindows;
    b.set().exclude_from_history().text(text.to_string())
}

impl Clipboard {
    pub fn new() -> Self {
        let board = if use_osc52() {
            None
        } else {
            arboard::Clipboard::new().ok()
        };
        Self {
            board,
            ours: None,
            hasher: RandomState::new(),
        }
    }

    /// Copies; returns where it went.
    pub fn copy(&mut self, text: &str) -> Result<&'static str, String> {
        self.ours = Some(self.hasher.hash_one(text));
        if let Some(b) = self.board.as_mut() {
            return set_private(b, text)
                .map(|()| "the system clipboard")
                .map_err(|e| format!("cannot copy: {e}"));
        }
        osc52(text)
            .map(|()| "the terminal's clipboard (OSC 52)")
            .map_err(|e| format!("cannot copy: {e}"))
    }

    /// Clears the clipboard if it still holds what we copied. Over OSC 52 the terminal
    /// cannot be asked what it holds, so it is overwritten with nothing.
    pub fn clear(&mut self) {
        let Some(ours) = self.ours.take() else {
            return;
        };
        match self.board.as_mut() {
            Some(b) => {
                let still = b
                    .get_text()
                    .map(|t| {
                        let t = zeroize::Zeroizing::new(t);
                        self.hasher.hash_one(t.as_str()) == ours
                    })
                    .unwrap_or(false);
                if still {
                    let _ = b.clear();
                }
            }
            None => {
                let _ = osc52("");
            }
        }
    }
}
