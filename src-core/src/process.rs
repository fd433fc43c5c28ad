//! What a process holding an unlocked vault does to itself, and how it ends the programs it
//! starts: through rustix's safe wrappers (`unsafe_code` stays forbidden).

/// Makes this process safe to unlock a vault in; every front end calls it at start, before
/// it unlocks anything.
///
/// - No core file: the soft and hard core size limits are 0, so a crash writes no image of
///   memory (keys, values) to disk. Programs this process starts inherit the limit.
/// - Not dumpable (Linux): `PR_SET_DUMPABLE` 0 — no core dump even where the limit is
///   raised, `/proc/<pid>/mem` and friends belong to root, and no process of the same user
///   may ptrace-attach (a debugger cannot read the unlocked keys). `execve` resets the flag,
///   so the programs this process starts are not affected.
pub fn harden() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        )?;
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)?;
    Ok(())
}

/// Sends SIGKILL to every process of the group `group` (a child started with
/// `process_group(0)`: its id). A group that no longer exists is not an error.
#[cfg(all(unix, feature = "server"))]
pub(crate) fn kill_group(group: u32) -> std::io::Result<()> {
    use rustix::process::{Pid, Signal, kill_process_group};
    let Some(pid) = i32::try_from(group).ok().and_then(Pid::from_raw) else {
        return Ok(());
    };
    match kill_process_group(pid, Signal::KILL) {
        Err(rustix::io::Errno::SRCH) => Ok(()),
        r => r.map_err(std::io::Error::from),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    // Each test runs in its own process under nextest; under `cargo test` hardening the
    // shared test process is harmless.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn a_hardened_process_is_not_dumpable_and_writes_no_core_file() {
        use rustix::process::{DumpableBehavior, Resource, dumpable_behavior, getrlimit};
        super::harden().unwrap();
        assert_eq!(dumpable_behavior().unwrap(), DumpableBehavior::NotDumpable);
        let core = getrlimit(Resource::Core);
        assert_eq!((core.current, core.maximum), (Some(0), Some(0)));
    }

    #[cfg(all(unix, feature = "server"))]
    #[test]
    fn killing_a_group_ends_the_processes_that_left_its_leader() {
        use std::os::unix::process::CommandExt;
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        // The leader exits at once; its background child lives on in the group.
        let mut leader = std::process::Command::new("sh")
            .args([
                "-c",
                &format!("sleep 600 & echo $! > '{}'", pid_file.display()),
            ])
            .process_group(0)
            .spawn()
            .unwrap();
        let group = leader.id();
        leader.wait().unwrap();
        let orphan: i32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(alive(orphan), "the background sleep runs");
        super::kill_group(group).unwrap();
        wait_until_dead(orphan);
        // A group that is gone is no error.
        super::kill_group(group).unwrap();
    }

    /// Whether `pid` runs (a zombie waiting for its reaper does not).
    #[cfg(all(unix, feature = "server"))]
    fn alive(pid: i32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                s.rsplit_once(')')
                    .map(|(_, r)| r.trim_start().chars().next())
            })
            .flatten()
            .is_some_and(|state| state != 'Z' && state != 'X')
    }

    /// SIGKILL takes effect asynchronously: waits (bounded) for the kernel to end `pid`.
    #[cfg(all(unix, feature = "server"))]
    pub(crate) fn wait_until_dead(pid: i32) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while alive(pid) {
            assert!(
                std::time::Instant::now() < deadline,
                "process {pid} survived SIGKILL to its group"
            );
            std::thread::yield_now();
        }
    }
}
