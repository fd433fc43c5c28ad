//! A raw HTTP/1.1 client for the tests that attack the endpoint: requests sent a byte at a
//! time or left unfinished, connections from a chosen loopback address (127.0.0.2 is another
//! client to the server), SigV4-signed requests for the emulator (any credentials).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

use coffer_core::SecretText;
use coffer_core::sigv4::{Credentials, JsonRequest, sign_json_request};

/// The socket address in a server URL (`http://127.0.0.1:4566`).
pub fn address(url: &str) -> SocketAddr {
    url.split_once("://")
        .map_or(url, |(_, rest)| rest)
        .trim_end_matches('/')
        .parse()
        .unwrap_or_else(|e| panic!("{url} has no address: {e}"))
}

/// A connection to `server` from `source` (any address on loopback: 127.0.0.0/8 is all
/// this machine), with a generous read deadline so that a test fails instead of hanging.
pub fn connect_from(source: IpAddr, server: SocketAddr) -> TcpStream {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(server),
        socket2::Type::STREAM,
        None,
    )
    .expect("socket");
    socket
        .bind(&SocketAddr::new(source, 0).into())
        .unwrap_or_else(|e| panic!("bind {source}: {e}"));
    socket.connect(&server.into()).expect("connect");
    let stream = TcpStream::from(socket);
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream.set_nodelay(true).unwrap();
    stream
}

/// `operation` with `body`, signed for `region` with throwaway credentials (the emulator
/// takes any), keep-alive.
pub fn signed_request(server: SocketAddr, operation: &str, body: &str, region: &str) -> Vec<u8> {
    signed_request_at(server, operation, body, region, jiff::Timestamp::now())
}

/// [`signed_request`] signed at `time` (a test suite's frozen clock).
pub fn signed_request_at(
    server: SocketAddr,
    operation: &str,
    body: &str,
    region: &str,
    time: jiff::Timestamp,
) -> Vec<u8> {
    let host = server.to_string();
    let target = format!("secretsmanager.{operation}");
    let creds = Credentials {
        access_key_id: "AKIATESTCLIENT".into(),
        secret_access_key: SecretText::new("test-secret".into()),
        session_token: None,
    };
    let headers = sign_json_request(
        &JsonRequest {
            host: &host,
            path: "/",
            target: &target,
            body: body.as_bytes(),
            region,
            service: "secretsmanager",
            time,
        },
        &creds,
    );
    let mut request = format!("POST / HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    request.into_bytes()
}

/// One response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// Reads one response (with a Content-Length body); an error when the server closed the
/// connection instead.
pub fn read_reply(r: &mut impl BufRead) -> std::io::Result<Reply> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not a status line: {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let mut reply = Reply {
        status,
        headers,
        body: Vec::new(),
    };
    let len: usize = reply
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    reply.body = vec![0; len];
    r.read_exact(&mut reply.body)?;
    Ok(reply)
}

/// A keep-alive client connection: send a request, read its reply.
pub struct Client {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    server: SocketAddr,
}

impl Client {
    pub fn connect(source: IpAddr, server: SocketAddr) -> Self {
        let stream = connect_from(source, server);
        Self {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
            server,
        }
    }

    /// `operation` signed for us-east-1; the reply, or the error of a closed connection.
    pub fn call(&mut self, operation: &str, body: &str) -> std::io::Result<Reply> {
        let request = signed_request(self.server, operation, body, "us-east-1");
        self.send(&request)
    }

    /// Sends `request` as it is (whole HTTP/1.1 bytes); the reply.
    pub fn send(&mut self, request: &[u8]) -> std::io::Result<Reply> {
        self.writer.write_all(request)?;
        read_reply(&mut self.reader)
    }

    /// Whether the server closed this connection without answering: a read returns
    /// end-of-file or a reset (it waits out the read deadline when the connection is open
    /// and silent, and then says no).
    pub fn is_closed_by_server(&mut self) -> bool {
        let mut byte = [0u8; 1];
        match self.reader.read(&mut byte) {
            Ok(n) => n == 0,
            Err(e) => !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
        }
    }
}
