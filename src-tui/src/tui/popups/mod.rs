//! Dialogs over the screens: confirm, input, command palette, move label, diff, audit
//! filters, the policy editor, a new access key's secret, the rotation schedule, help. Each has the keyboard while it is open.

mod access_key;
mod audit_filters;
mod confirm;
mod diff;
mod help;
mod input;
mod move_label;
mod palette;
mod policy_editor;
mod schedule;

pub use access_key::NewAccessKey;
pub use audit_filters::AuditFilterForm;
pub use confirm::Confirm;
pub use diff::Diff;
pub use input::{Input, InputFor};
pub use move_label::MoveLabel;
pub use palette::Palette;
pub use policy_editor::{EditorFor, PolicyEditor};
pub use schedule::ScheduleForm;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::action::{Cmd, Effect};
use super::app::App;
use super::keymap::Ctx;

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

impl App {
    pub(crate) fn popup_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        match self.popup.as_ref().map(Popup::ctx) {
            Some(Ctx::Confirm) => self.confirm_key(cmd),
            Some(Ctx::Input) => self.input_key(cmd),
            Some(Ctx::Palette) => self.palette_key(cmd),
            Some(Ctx::MoveLabel) => self.move_label_key(cmd),
            Some(Ctx::Diff) => self.diff_key(cmd),
            Some(Ctx::AuditFilters) => self.audit_filters_key(cmd),
            Some(Ctx::PolicyEditor | Ctx::IamPolicyEditor) => self.policy_editor_key(cmd),
            Some(Ctx::NewAccessKey) => self.new_access_key_key(cmd),
            Some(Ctx::Schedule) => self.schedule_key(cmd),
            Some(_) => {
                if let Some(Popup::Help { scroll, .. }) = self.popup.as_mut() {
                    match cmd {
                        Cmd::Up => *scroll = scroll.saturating_sub(1),
                        Cmd::Down => *scroll += 1,
                        _ => self.popup = None,
                    }
                }
                vec![]
            }
            None => vec![],
        }
    }

    pub(crate) fn popup_char(&mut self, c: char) -> Vec<Effect> {
        match self.popup.as_mut() {
            Some(Popup::Input(i)) => i.value.push(c),
            Some(Popup::Palette(p)) => {
                p.input.push(c);
                p.selected = 0;
            }
            Some(Popup::MoveLabel(m)) => m.label.push(c),
            Some(Popup::AuditFilters(f)) => f.field_mut().push(c),
            Some(Popup::PolicyEditor(e)) => e.insert(c),
            Some(Popup::Schedule(f)) => f.push(c),
            _ => {}
        }
        vec![]
    }
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    match &app.popup {
        Some(Popup::Confirm(c)) => c.render(app.theme, area, buf),
        Some(Popup::Input(i)) => i.render(app.theme, area, buf),
        Some(Popup::Palette(p)) => p.render(app, area, buf),
        Some(Popup::MoveLabel(m)) => m.render(app.theme, area, buf),
        Some(Popup::Diff(d)) => d.render(app.theme, area, buf),
        Some(Popup::AuditFilters(f)) => f.render(app.theme, area, buf),
        Some(Popup::PolicyEditor(e)) => e.render(app.theme, area, buf),
        Some(Popup::NewAccessKey(k)) => k.render(app.theme, area, buf),
        Some(Popup::Schedule(f)) => f.render(app.theme, app.now_ms, area, buf),
        Some(Popup::Help { ctx, scroll }) => help::render(app.theme, *ctx, *scroll, area, buf),
        None => {}
    }
}
