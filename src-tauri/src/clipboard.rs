//! The system clipboard for copied values: one `arboard::Clipboard` kept alive (on X11 the
//! owner serves the selection), marked so that clipboard managers keep no copy (as the
//! terminal console marks its copies: on Linux the `x-kde-passwordManagerHint` type),
//! cleared after a delay or at lock — only if it still holds the value this app put there.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use zeroize::Zeroizing;

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
))]
fn set_private(b: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtLinux;
    b.set().exclude_from_history().text(text)
}

#[cfg(target_os = "macos")]
fn set_private(b: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtApple;
    b.set().exclude_from_history().text(text)
}

#[cfg(windows)]
fn set_private(b: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtWindows;
    b.set().exclude_from_history().text(text)
}

#[derive(Default)]
struct State {
    board: Option<arboard::Clipboard>,
    copied: Option<Zeroizing<String>>,
    generation: u64,
}

impl State {
    fn clear(&mut self) {
        let Some(copied) = self.copied.take() else {
            return;
        };
        if let Some(b) = self.board.as_mut() {
            let now = b.get_text().map(Zeroizing::new);
            if now.is_ok_and(|t| t.as_str() == copied.as_str()) {
                let _ = b.clear();
            }
        }
    }
}

#[derive(Clone, Default)]
pub struct Clipboard(Arc<Mutex<State>>);

impl Clipboard {
    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts `text` on the clipboard and clears it after `seconds` unless replaced meanwhile.
    pub fn copy(&self, text: Zeroizing<String>, seconds: u32) -> Result<(), String> {
        let mut s = self.state();
        if s.board.is_none() {
            s.board = Some(
                arboard::Clipboard::new().map_err(|e| format!("No clipboard is available: {e}"))?,
            );
        }
        if let Some(b) = s.board.as_mut() {
            set_private(b, text.as_str())
                .map_err(|e| format!("Could not copy to the clipboard: {e}"))?;
        }
        s.copied = Some(text);
        s.generation += 1;
        let generation = s.generation;
        let this = self.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(seconds.into()));
            let mut s = this.state();
            if s.generation == generation {
                s.clear();
            }
        });
        Ok(())
    }

    /// Clears the clipboard if it still holds the value this app copied.
    pub fn clear(&self) {
        self.state().clear();
    }
}
