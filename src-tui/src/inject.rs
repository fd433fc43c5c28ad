//! `coffer inject`: a template with CloudFormation dynamic references
//! (`{{resolve:secretsmanager:...}}`, see [`crate::refs`]) written out with them resolved,
//! as `op inject` does with its own references. The output file is made owner-only (0600)
//! and appears whole or not at all: written to a new file beside it, synced, renamed over.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::refs::{Reader, Resolver};

/// Resolves `input` (stdin when `None`) into `output` (stdout when `None`).
pub fn inject(reader: &Reader, input: Option<&Path>, output: Option<&Path>) -> Result<()> {
    let template = match input {
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?
        }
        None => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("cannot read the template from stdin")?;
            s
        }
    };
    let resolved = Resolver::new(reader).substitute(&template)?;
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(resolved.as_bytes())?;
            out.flush()?;
        }
        Some(p) => write_private(p, resolved.as_bytes())
            .with_context(|| format!("cannot write {}", p.display()))?,
    }
    Ok(())
}

/// Writes `bytes` to `path`, mode 0600, atomically (a temporary file in the same directory,
/// synced, then renamed over `path`).
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".coffer-inject-")
        .tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_file_is_owner_only_and_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("app.env");
        std::fs::write(&out, "old contents that are longer").unwrap();
        write_private(&out, b"new").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Nothing else is left in the directory.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
