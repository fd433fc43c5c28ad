//! The servers the end-to-end tests drive: `coffer serve`, and moto's server for the
//! endpoint import/export round trips.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// A server process (`coffer serve`, or moto's for comparison), killed when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    log: PathBuf,
    /// What the server printed after its first line (TLS's fingerprint and file).
    rest: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `cmd` (a `coffer serve --listen 127.0.0.1:0 ...`) and waits, with a deadline,
    /// for it to print the address it listens on.
    pub fn coffer(mut cmd: Command, log: PathBuf) -> Self {
        let err = std::fs::File::create(&log).expect("log file");
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(err)
            .spawn()
            .expect("start coffer serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        let rest = Arc::new(Mutex::new(String::new()));
        let more = rest.clone();
        std::thread::spawn(move || {
            let mut out = BufReader::new(stdout);
            let mut line = String::new();
            let _ = out.read_line(&mut line);
            let _ = tx.send(line.clone());
            loop {
                line.clear();
                match out.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => more.lock().unwrap().push_str(&line),
                }
            }
        });
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "coffer serve printed no address: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
        };
        let url = line
            .trim()
            .strip_prefix("Listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {line:?}: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_string();
        assert!(
            url.starts_with("http://") || url.starts_with("https://"),
            "{url}"
        );
        assert!(!url.ends_with(":0"), "the chosen port is printed: {url}");
        Self {
            child,
            url,
            log,
            rest,
        }
    }

    /// The lines printed after the first so far.
    pub fn stdout_after_first_line(&self) -> String {
        self.rest.lock().unwrap().clone()
    }

    /// moto's server from the test venv on a free loopback port; waits (with a deadline)
    /// until it accepts connections.
    pub fn moto(dir: &Path) -> Self {
        let python = crate::test_python();
        let check = Command::new(&python)
            .args(["-c", "import moto.server"])
            .output()
            .expect("run the test python");
        assert!(
            check.status.success(),
            "moto is not installed in {} (scripts/test installs 'moto[server]==5.2.5'): {}",
            python.display(),
            String::from_utf8_lossy(&check.stderr)
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = dir.join("moto.log");
        let err = std::fs::File::create(&log).expect("log file");
        let child = Command::new(&python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(err.try_clone().unwrap())
            .stderr(err)
            .spawn()
            .expect("start moto's server");
        let mut server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
            rest: Arc::default(),
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("moto's server exited ({status}): {}", server.log());
            }
            assert!(
                Instant::now() < deadline,
                "moto's server did not start listening: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then waits (with a deadline) for a clean exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "coffer serve did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
