//! The terminal console: a ratatui application over the vault. `App` is plain data,
//! `update(Action)` is the only way it changes, drawing is a pure function of it, and a
//! worker thread holds the vault so that the keyboard never waits on a query.

pub mod action;
pub mod app;
mod clipboard;
pub(crate) mod format;
pub(crate) mod keymap;
pub(crate) mod layout;
pub(crate) mod popups;
pub(crate) mod running;
pub(crate) mod screens;
pub(crate) mod shell;
pub mod theme;
pub(crate) mod wire;
pub mod worker;

#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
pub(crate) mod testkit;

use std::io::{Stdout, stdout};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind, MouseEventKind,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use action::{Action, Effect, Request};
use app::App;
use theme::Theme;

use crate::launch::Launch;

const TICK: Duration = Duration::from_millis(250);

/// Puts the terminal back as it was: raw mode off, main screen, no mouse capture.
fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = crossterm::execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// The terminal in console mode; dropping it (quit, error or unwinding) restores it.
struct Screen {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Screen {
    fn enter() -> Result<Self> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
        enable_raw_mode().context("cannot put the terminal in raw mode")?;
        let guard = Self {
            terminal: Terminal::new(CrosstermBackend::new(stdout()))?,
        };
        crossterm::execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
        Ok(guard)
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// What a terminal event means where the operator is.
fn translate(app: &App, ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => keymap::action_for(app.ctx(), &k),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::Down(_) => Some(Action::Click {
                column: m.column,
                row: m.row,
            }),
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => Some(Action::Wheel {
                down: m.kind == MouseEventKind::ScrollDown,
                column: m.column,
                row: m.row,
            }),
            _ => None,
        },
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    }
}

/// Opens the console on a vault and runs it until the operator quits.
pub fn run(launch: Launch) -> Result<()> {
    let Launch {
        vault_path,
        operator,
        passphrase,
        read_only,
        idle_lock,
    } = launch;
    if !vault_path.exists() {
        bail!(
            "there is no vault at {} (create one with `coffer init`, or try `coffer demo`)",
            vault_path.display()
        );
    }
    let (tx, rx) = mpsc::channel::<Action>();
    let worker = worker::spawn(vault_path.clone(), tx);
    let mut app = App::new(
        vault_path.display().to_string(),
        operator,
        read_only,
        idle_lock.as_millis() as i64,
        Theme::from_env(),
    );
    let mut screen = Screen::enter()?;
    let size = screen.terminal.size()?;
    let mut effects = app.update(Action::Tick { now_ms: now_ms() });
    effects.extend(app.update(Action::Resize(size.width, size.height)));
    effects.push(Effect::Send(Request::Inspect));
    if let Some(p) = passphrase {
        effects.extend(app.unlock.start(&mut app.sh, p));
    } else if coffer_core::running::running(&vault_path)
        .iter()
        .any(|r| r.front_end == coffer_core::FrontEnd::Session)
    {
        effects.extend(app.unlock.attach(&mut app.sh));
    }
    let mut clipboard = clipboard::Clipboard::new();
    let mut last_tick = Instant::now();
    loop {
        for fx in effects.drain(..) {
            match fx {
                Effect::Send(req) => {
                    if worker.send(req).is_err() {
                        bail!("the console's worker thread stopped");
                    }
                }
                Effect::Copy { text, what } => match clipboard.copy(&text) {
                    Ok(place) => app
                        .sh
                        .info(format!("Copied {what} to {place}; it clears in 30 s.")),
                    // Not an operation of the vault: the console says so in its own words.
                    Err(e) => app.sh.error(format!("Copy failed: {e}")),
                },
                Effect::ClearClipboard => clipboard.clear(),
                Effect::Quit => {
                    clipboard.clear();
                    return Ok(());
                }
            }
        }
        screen.terminal.draw(|f| f.render_widget(&app, f.area()))?;
        if event::poll(Duration::from_millis(40))? {
            let ev = event::read()?;
            if let Some(a) = translate(&app, ev) {
                effects.extend(app.update(a));
            }
            while event::poll(Duration::ZERO)? {
                if let Some(a) = translate(&app, event::read()?) {
                    effects.extend(app.update(a));
                }
            }
        }
        while let Ok(a) = rx.try_recv() {
            effects.extend(app.update(a));
        }
        if last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            effects.extend(app.update(Action::Tick { now_ms: now_ms() }));
        }
        if app.sh.quit && effects.is_empty() {
            clipboard.clear();
            return Ok(());
        }
    }
}
