//! A small client of the Secrets Manager JSON 1.1 API: `POST /` with
//! `X-Amz-Target: secretsmanager.<Op>`, signed with SigV4 (`crate::sigv4`), over `ureq`
//! (http, or https with rustls and the webpki roots). Throttling and server faults are
//! retried a few times with backoff; other errors come back as `crate::Error` with the AWS
//! code, or — for codes Coffer has no variant for, like `UnrecognizedClientException` — an
//! `AccessDeniedException` (authentication) or `InvalidRequestException` whose message starts
//! with the endpoint's own code.
//!
//! Request and response bodies that carry values live in `Zeroizing` buffers; no body is
//! ever put in an error.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::Operation;
use crate::sigv4::{Credentials, JsonRequest, sign_json_request};
use crate::{Error, ErrorCode, Result};

pub const SERVICE: &str = "secretsmanager";
const ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// A Secrets Manager endpoint to call, with the region and credentials to sign with.
pub struct Client {
    agent: ureq::Agent,
    url: String,
    host: String,
    path: String,
    region: String,
    credentials: Credentials,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.url)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .finish()
    }
}

/// `http(s)://host[:port][/path]` split into the URL to send to, the `Host` header and the path.
pub fn parse_url(url: &str) -> Result<(String, String, String)> {
    let bad = || {
        Error::invalid_parameter(format!(
            "The endpoint URL '{url}' is not of the form http(s)://host[:port][/path]."
        ))
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(bad());
    }
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') || path.contains(['?', '#']) {
        return Err(bad());
    }
    let default_port = if scheme == "http" { ":80" } else { ":443" };
    let host = authority
        .strip_suffix(default_port)
        .unwrap_or(authority)
        .to_ascii_lowercase();
    let path = if path.is_empty() { "/" } else { path }.to_string();
    Ok((format!("{scheme}://{authority}{path}"), host, path))
}

/// An error response's `__type` without its namespace (`com.amazonaws...#Code`) or any
/// `:uri` suffix, as the AWS SDKs read it.
pub fn error_type(raw: &str) -> &str {
    let t = raw.rsplit('#').next().unwrap_or(raw);
    t.split(':').next().unwrap_or(t).trim()
}

/// Whether a failed call may succeed if made again.
fn retryable(status: u16, code: &str) -> bool {
    status >= 500
        || status == 429
        || matches!(
            code,
            "ThrottlingException"
                | "Throttling"
                | "TooManyRequestsException"
                | "RequestLimitExceeded"
                | "ProvisionedThroughputExceededException"
                | "ServiceUnavailable"
                | "InternalServiceError"
                | "InternalFailure"
        )
}

/// The error an endpoint's failed answer means (the endpoint's code and message, never the
/// request), and whether to retry it.
pub fn error_from_response(status: u16, body: &[u8], operation: &str, url: &str) -> (Error, bool) {
    #[derive(serde::Deserialize)]
    struct Wire {
        #[serde(rename = "__type", default)]
        kind: Option<String>,
        #[serde(default)]
        message: Option<String>,
        #[serde(rename = "Message", default)]
        message_upper: Option<String>,
    }
    let wire: Option<Wire> = serde_json::from_slice(body).ok();
    let raw = wire
        .as_ref()
        .and_then(|w| w.kind.clone())
        .unwrap_or_default();
    let code = error_type(&raw).to_string();
    let message = wire
        .and_then(|w| w.message.or(w.message_upper))
        .unwrap_or_else(|| format!("HTTP status {status}"));
    let retry = retryable(status, &code);
    let error = match ErrorCode::parse(&code) {
        Some(c) => Error::new(c, format!("{message} ({operation} on {url})")),
        None => {
            let what = if code.is_empty() {
                format!("HTTP {status}")
            } else {
                code.clone()
            };
            let kind = if status == 401
                || status == 403
                || code.contains("Signature")
                || code.contains("Token")
                || code.contains("ClientException")
            {
                ErrorCode::AccessDenied
            } else if status >= 500 {
                ErrorCode::InternalServiceError
            } else {
                ErrorCode::InvalidRequest
            };
            Error::new(
                kind,
                format!("{url} refused {operation} with {what}: {message}"),
            )
        }
    };
    (error, retry)
}

impl Client {
    pub fn new(url: &str, region: &str, credentials: Credentials) -> Result<Self> {
        let (url, host, path) = parse_url(url)?;
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(15)))
            .timeout_global(Some(Duration::from_secs(120)))
            .max_redirects(0)
            .user_agent(concat!("coffer/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Self {
            agent: config.into(),
            url,
            host,
            path,
            region: region.to_string(),
            credentials,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends one operation's JSON body; returns the answer's body.
    pub fn call(&self, operation: Operation, body: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let target = format!("{SERVICE}.{operation}");
        let operation = operation.as_str();
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=ATTEMPTS {
            let last = attempt == ATTEMPTS;
            // Signed again each time: the signature covers the time.
            let headers = sign_json_request(
                &JsonRequest {
                    host: &self.host,
                    path: &self.path,
                    target: &target,
                    body,
                    region: &self.region,
                    service: SERVICE,
                    time: jiff::Timestamp::now(),
                },
                &self.credentials,
            );
            let mut req = self.agent.post(&self.url).header("Host", &self.host);
            for (name, value) in &headers {
                req = req.header(*name, value);
            }
            match req.send(body) {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    let bytes = Zeroizing::new(resp.body_mut().read_to_vec().map_err(|e| {
                        Error::internal(format!(
                            "Reading the answer to {operation} from {} failed: {e}",
                            self.url
                        ))
                    })?);
                    if (200..300).contains(&status) {
                        return Ok(bytes);
                    }
                    let (error, retry) = error_from_response(status, &bytes, operation, &self.url);
                    if !retry || last {
                        return Err(error);
                    }
                }
                Err(e) => {
                    let transient = matches!(
                        e,
                        ureq::Error::Io(_)
                            | ureq::Error::Timeout(_)
                            | ureq::Error::ConnectionFailed
                    );
                    if !transient || last {
                        return Err(Error::internal(format!(
                            "Cannot call {operation} on {}: {e}",
                            self.url
                        )));
                    }
                }
            }
            std::thread::sleep(backoff);
            backoff *= 4;
        }
        unreachable!("the last attempt returns")
    }

    /// Calls `operation` with `request` as its JSON body and reads the answer as `T`.
    pub fn call_json<T: DeserializeOwned>(
        &self,
        operation: Operation,
        request: &impl Serialize,
    ) -> Result<T> {
        let body = Zeroizing::new(serde_json::to_vec(request).expect("requests serialize"));
        let answer = self.call(operation, &body)?;
        parse_answer(operation.as_str(), &self.url, &answer)
    }
}

/// Reads an answer's JSON (an empty body as `{}`); the error names the operation only.
pub fn parse_answer<T: DeserializeOwned>(operation: &str, url: &str, body: &[u8]) -> Result<T> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        Error::internal(format!(
            "The answer to {operation} from {url} is not the JSON expected (line {}, column {}).",
            e.line(),
            e.column()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_host_header_and_path() {
        assert_eq!(
            parse_url("http://127.0.0.1:4566").unwrap(),
            (
                "http://127.0.0.1:4566/".into(),
                "127.0.0.1:4566".into(),
                "/".into()
            )
        );
        assert_eq!(
            parse_url("https://secretsmanager.eu-west-1.amazonaws.com:443/")
                .unwrap()
                .1,
            "secretsmanager.eu-west-1.amazonaws.com"
        );
        assert_eq!(parse_url("HTTP://Example.com:80").unwrap().1, "example.com");
        for bad in [
            "ftp://x",
            "127.0.0.1:4566",
            "http://",
            "http://u:p@host/",
            "http://h/?a=b",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn error_types_lose_their_namespace() {
        assert_eq!(
            error_type("com.amazonaws.secretsmanager#ResourceNotFoundException"),
            "ResourceNotFoundException"
        );
        assert_eq!(
            error_type("ResourceNotFoundException:http://internal.amazon.com/coral/"),
            "ResourceNotFoundException"
        );
        assert_eq!(error_type("ThrottlingException"), "ThrottlingException");
    }

    #[test]
    fn answers_map_to_coffer_errors_and_throttling_is_retried() {
        let (e, retry) = error_from_response(
            400,
            br#"{"__type":"com.amazonaws#ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}"#,
            "DescribeSecret",
            "http://h/",
        );
        assert_eq!(e.code, ErrorCode::ResourceNotFound);
        assert!(!retry);
        let (e, retry) = error_from_response(
            403,
            br#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#,
            "ListSecrets",
            "http://h/",
        );
        assert_eq!(e.code, ErrorCode::AccessDenied);
        assert!(
            e.message.contains("UnrecognizedClientException"),
            "{}",
            e.message
        );
        assert!(!retry);
        let (e, _) = error_from_response(
            400,
            br#"{"__type":"InvalidSignatureException","Message":"no match"}"#,
            "ListSecrets",
            "http://h/",
        );
        assert_eq!(e.code, ErrorCode::AccessDenied);
        assert!(e.message.contains("InvalidSignatureException: no match"));
        let (_, retry) = error_from_response(400, br#"{"__type":"ThrottlingException"}"#, "X", "u");
        assert!(retry);
        let (e, retry) = error_from_response(503, b"<html>busy</html>", "X", "u");
        assert!(retry);
        assert_eq!(e.code, ErrorCode::InternalServiceError);
        assert!(e.message.contains("HTTP 503"));
    }
}
