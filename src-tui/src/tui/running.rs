//! The header's note of what else runs on this vault: the user's session agent
//! (`coffer unlock`), the SDK endpoint (`coffer serve`) and the Secrets Manager Agent's
//! endpoint (`coffer serve --agent`), as they announce themselves (`coffer_core::running`).

use coffer_core::FrontEnd;
use coffer_core::running::Running;

/// `:2773` for a loopback address, the whole address otherwise.
fn short_address(address: &str) -> &str {
    let bare = address
        .strip_prefix("http://")
        .or_else(|| address.strip_prefix("https://"))
        .unwrap_or(address);
    bare.strip_prefix("127.0.0.1")
        .or_else(|| bare.strip_prefix("[::1]"))
        .unwrap_or(bare)
}

/// `session · agent :2773 · sdk :4566`; `via session` when the console runs through it.
/// `None` when nothing runs.
pub fn badge(running: &[Running], via_session: bool) -> Option<String> {
    let mut parts: Vec<String> = running
        .iter()
        .map(|r| match r.front_end {
            FrontEnd::Session if via_session => "via session".to_string(),
            FrontEnd::Session => "session".to_string(),
            FrontEnd::Agent => format!("agent {}", short_address(&r.address)),
            FrontEnd::Endpoint if r.address.starts_with("https://") => {
                format!("sdk https {}", short_address(&r.address))
            }
            FrontEnd::Endpoint => format!("sdk {}", short_address(&r.address)),
            other => other.as_str().to_string(),
        })
        .collect();
    parts.dedup();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(front_end: FrontEnd, address: &str) -> Running {
        Running {
            front_end,
            pid: 1,
            address: address.into(),
            operator: "admin".into(),
            started_ms: 0,
        }
    }

    #[test]
    fn the_badge_names_each_running_front_end_and_its_port() {
        let all = [
            up(FrontEnd::Session, "/run/user/1000/coffer/ab.sock"),
            up(FrontEnd::Endpoint, "http://127.0.0.1:4566"),
            up(FrontEnd::Agent, "127.0.0.1:2773"),
        ];
        assert_eq!(
            badge(&all, false).as_deref(),
            Some("session · sdk :4566 · agent :2773")
        );
        assert_eq!(badge(&all[..1], true).as_deref(), Some("via session"));
        assert_eq!(
            badge(&[up(FrontEnd::Endpoint, "https://10.0.0.5:4566")], false).as_deref(),
            Some("sdk https 10.0.0.5:4566")
        );
        assert_eq!(badge(&[], false), None);
    }
}
