//! The terminal console.

use crate::launch::Launch;

pub fn run(launch: Launch) -> anyhow::Result<()> {
    anyhow::bail!(
        "the terminal console for {} is not built yet",
        launch.vault_path.display()
    )
}
