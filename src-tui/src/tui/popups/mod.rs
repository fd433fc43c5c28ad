//! Dialogs over the screens: confirm, input, command palette, move label, diff, audit
//! filters, the policy editor, a new access key's secret, the rotation schedule, help. Each has the keyboard while it is open.

mod access_key;
pub mod audit_filters;
mod confirm;
mod diff;
mod help;
mod input;
mod move_label;
pub mod palette;
mod policy_editor;
mod schedule;

pub use access_key::NewAccessKey;
pub use audit_filters::AuditFilterForm;
pub use confirm::Confirm;
pub use diff::Diff;
pub use input::{Input, InputFor, Typed};
pub use move_label::MoveLabel;
pub use palette::Palette;
pub use policy_editor::{EditorFor, PolicyEditor};
pub use schedule::ScheduleForm;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::keymap::Ctx;
use super::theme::Theme;

#[derive(Debug)]
pub enum Popup {
    Confirm(Confirm),
    Input(Input),
    Palette(Palette),
    MoveLabel(MoveLabel),
    Diff(Diff),
    AuditFilters(AuditFilterForm),
    PolicyEditor(PolicyEditor),
    NewAccessKey(NewAccessKey),
    Schedule(ScheduleForm),
    Help { ctx: Ctx, scroll: u16 },
}

impl Popup {
    pub fn ctx(&self) -> Ctx {
        match self {
            Self::Confirm(_) => Ctx::Confirm,
            Self::Input(_) => Ctx::Input,
            Self::Palette(_) => Ctx::Palette,
            Self::MoveLabel(_) => Ctx::MoveLabel,
            Self::Diff(_) => Ctx::Diff,
            Self::AuditFilters(_) => Ctx::AuditFilters,
            Self::PolicyEditor(e) if matches!(e.target, EditorFor::Resource { .. }) => {
                Ctx::PolicyEditor
            }
            Self::PolicyEditor(_) => Ctx::IamPolicyEditor,
            Self::NewAccessKey(_) => Ctx::NewAccessKey,
            Self::Schedule(_) => Ctx::Schedule,
            Self::Help { .. } => Ctx::Help,
        }
    }
}

/// Draws the open dialog; the palette is given its completions (they depend on the screens).
pub fn render(
    popup: &Popup,
    theme: Theme,
    now_ms: i64,
    suggestions: &[(String, String)],
    area: Rect,
    buf: &mut Buffer,
) {
    match popup {
        Popup::Confirm(c) => c.render(theme, area, buf),
        Popup::Input(i) => i.render(theme, area, buf),
        Popup::Palette(p) => p.render(theme, suggestions, area, buf),
        Popup::MoveLabel(m) => m.render(theme, area, buf),
        Popup::Diff(d) => d.render(theme, area, buf),
        Popup::AuditFilters(f) => f.render(theme, area, buf),
        Popup::PolicyEditor(e) => e.render(theme, area, buf),
        Popup::NewAccessKey(k) => k.render(theme, area, buf),
        Popup::Schedule(f) => f.render(theme, now_ms, area, buf),
        Popup::Help { ctx, scroll } => help::render(theme, *ctx, *scroll, area, buf),
    }
}
