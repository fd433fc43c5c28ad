//! The endpoint benchmark's load generator: the same SigV4-signed request, signed once and
//! replayed (a signature stays valid for 15 minutes), over keep-alive loopback connections
//! from several threads, closed-loop or paced at a fixed rate. Prints one JSON line:
//! `{"requests", "errors", "ops_per_s", "p50_ms", "p99_ms"}`.
//!
//! usage: loadgen URL TARGET BODY ACCESS_KEY SECRET_KEY SECONDS CONNECTIONS [RATE_PER_S]
//!
//! A TARGET starting with `/` is a Secrets Manager Agent request instead (`coffer serve
//! --agent`): `GET TARGET` with BODY as its SSRF token; the keys are not used.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use coffer_core::SecretText;
use coffer_core::sigv4::{Credentials, JsonRequest, sign_json_request};

fn signed_request(host: &str, target: &str, body: &str, key: &str, secret: &str) -> Vec<u8> {
    let creds = Credentials {
        access_key_id: key.to_string(),
        secret_access_key: SecretText::new(secret.to_string()),
        session_token: None,
    };
    let headers = sign_json_request(
        &JsonRequest {
            host,
            path: "/",
            target,
            body: body.as_bytes(),
            region: "us-east-1",
            service: "secretsmanager",
            time: jiff::Timestamp::now(),
        },
        &creds,
    );
    let mut request = format!("POST / HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: keep-alive\r\n\r\n{body}",
        body.len()
    ));
    request.into_bytes()
}

/// The agent's GET, its token in the header the agent's examples use.
fn agent_request(host: &str, path: &str, token: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Aws-Parameters-Secrets-Token: {token}\r\nConnection: keep-alive\r\n\r\n"
    )
    .into_bytes()
}

/// One response: whether its status was 200, and whether the server keeps the connection.
struct Response {
    ok: bool,
    keep_alive: bool,
}

/// Reads one HTTP/1.1 response (a server that closes after each, like moto's, is followed).
fn read_response(r: &mut BufReader<TcpStream>) -> std::io::Result<Response> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let ok = line.split_whitespace().nth(1) == Some("200");
    let mut keep_alive = line.starts_with("HTTP/1.1");
    let mut len = None;
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().ok();
            } else if k.eq_ignore_ascii_case("connection") {
                keep_alive = !v.trim().eq_ignore_ascii_case("close");
            }
        }
    }
    match len {
        Some(n) => {
            let mut body = vec![0u8; n];
            r.read_exact(&mut body)?;
        }
        None => {
            let mut rest = Vec::new();
            r.read_to_end(&mut rest)?;
            keep_alive = false;
        }
    }
    Ok(Response { ok, keep_alive })
}

fn connect(host: &str) -> (TcpStream, BufReader<TcpStream>) {
    let stream = TcpStream::connect(host).expect("connect");
    stream.set_nodelay(true).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let writer = stream.try_clone().unwrap();
    (writer, BufReader::new(stream))
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    assert!(
        a.len() >= 7,
        "usage: loadgen URL TARGET BODY ACCESS_KEY SECRET_KEY SECONDS CONNECTIONS [RATE_PER_S]"
    );
    let host = a[0]
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let request = if a[1].starts_with('/') {
        agent_request(&host, &a[1], &a[2])
    } else {
        signed_request(&host, &a[1], &a[2], &a[3], &a[4])
    };
    let seconds: f64 = a[5].parse().expect("seconds");
    let connections: usize = a[6].parse().expect("connections");
    let rate: Option<f64> = a.get(7).map(|r| r.parse().expect("rate"));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let request = request.clone();
            let host = host.clone();
            std::thread::spawn(move || {
                let (mut writer, mut reader) = connect(&host);
                let interval = rate.map(|r| Duration::from_secs_f64(connections as f64 / r));
                let mut next = Instant::now();
                let (mut lat, mut errors) = (Vec::new(), 0usize);
                while Instant::now() < deadline {
                    if let Some(i) = interval {
                        let now = Instant::now();
                        if now < next {
                            std::thread::sleep(next - now);
                        }
                        next += i;
                    }
                    let t = Instant::now();
                    let sent = writer.write_all(&request);
                    match sent.and_then(|()| read_response(&mut reader)) {
                        Ok(r) => {
                            if r.ok {
                                lat.push(t.elapsed());
                            } else {
                                errors += 1;
                            }
                            if !r.keep_alive {
                                (writer, reader) = connect(&host);
                            }
                        }
                        Err(_) => {
                            errors += 1;
                            (writer, reader) = connect(&host);
                        }
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let start = Instant::now();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in threads {
        let (l, e) = t.join().expect("worker");
        all.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64().max(seconds);
    all.sort();
    let p = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "{}",
        serde_json::json!({
            "requests": all.len(), "errors": errors, "ops_per_s": all.len() as f64 / elapsed,
            "p50_ms": p(0.50), "p99_ms": p(0.99)
        })
    );
}
