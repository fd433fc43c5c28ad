//! AWS Signature Version 4: the pure parts both sides share — hashing, the signing key, the
//! signature — and the client's signing of a JSON 1.1 request (`POST` with an
//! `X-Amz-Target`). The endpoint's verifier (`server::sigv4`, feature `server`) and the
//! client of other endpoints (`transfer::remote`, feature `remote`) both use it, so neither
//! feature needs the other.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::SecretText;

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The content type of the AWS JSON 1.1 protocol.
pub const JSON_1_1: &str = "application/x-amz-json-1.1";

type HmacSha256 = Hmac<Sha256>;

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

pub(crate) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_secret = zeroize::Zeroizing::new(format!("AWS4{secret}"));
    let k_date = hmac(k_secret.as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// The hex signature of `string_to_sign` (what a client sends).
pub fn signature(secret: &str, date: &str, region: &str, service: &str, sts: &str) -> String {
    hex(&hmac(
        &signing_key(secret, date, region, service),
        sts.as_bytes(),
    ))
}

/// `20150830T123600Z`: the form of `X-Amz-Date`.
pub fn amz_date(t: jiff::Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// An access key pair, with the session token of temporary credentials. The secret key is
/// never printed (`Debug` shows the key id only) and is zeroized when dropped.
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: SecretText,
    pub session_token: Option<SecretText>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .field("session_token", &self.session_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// One AWS JSON 1.1 request to sign: `POST path` to `host` with `X-Amz-Target: target`.
#[derive(Debug, Clone, Copy)]
pub struct JsonRequest<'a> {
    /// The `Host` header exactly as it will be sent (`127.0.0.1:4566`, `secretsmanager.us-east-1.amazonaws.com`).
    pub host: &'a str,
    /// The request path, already in canonical form (`/` for every AWS JSON service).
    pub path: &'a str,
    /// `secretsmanager.ListSecrets`.
    pub target: &'a str,
    pub body: &'a [u8],
    pub region: &'a str,
    pub service: &'a str,
    pub time: jiff::Timestamp,
}

/// The headers a signed request carries besides `Host` (which the caller sends as given):
/// `Content-Type`, `X-Amz-Date`, `X-Amz-Target`, `X-Amz-Security-Token` with temporary
/// credentials, and `Authorization`. The canonical request signs `content-type`, `host`,
/// `x-amz-date`, `x-amz-security-token` (when present) and `x-amz-target`.
pub fn sign_json_request(
    req: &JsonRequest<'_>,
    creds: &Credentials,
) -> Vec<(&'static str, String)> {
    let amz_date = amz_date(req.time);
    let date = &amz_date[..8];
    let token = creds.session_token.as_ref().map(|t| t.expose());
    let mut canonical_headers = format!(
        "content-type:{JSON_1_1}\nhost:{}\nx-amz-date:{amz_date}\n",
        req.host.trim()
    );
    let mut signed = String::from("content-type;host;x-amz-date");
    if let Some(t) = token {
        canonical_headers.push_str(&format!("x-amz-security-token:{}\n", t.trim()));
        signed.push_str(";x-amz-security-token");
    }
    canonical_headers.push_str(&format!("x-amz-target:{}\n", req.target.trim()));
    signed.push_str(";x-amz-target");
    let canonical_request = format!(
        "POST\n{}\n\n{canonical_headers}\n{signed}\n{}",
        req.path,
        sha256_hex(req.body)
    );
    let scope = format!("{date}/{}/{}/aws4_request", req.region, req.service);
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let sig = signature(
        creds.secret_access_key.expose(),
        date,
        req.region,
        req.service,
        &string_to_sign,
    );
    let mut headers = vec![
        ("Content-Type", JSON_1_1.to_string()),
        ("X-Amz-Date", amz_date),
        ("X-Amz-Target", req.target.to_string()),
    ];
    if let Some(t) = token {
        headers.push(("X-Amz-Security-Token", t.to_string()));
    }
    headers.push((
        "Authorization",
        format!(
            "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed}, Signature={sig}",
            creds.access_key_id
        ),
    ));
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: SecretText::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into()),
            session_token: token.map(|t| SecretText::new(t.into())),
        }
    }

    fn request(body: &[u8]) -> JsonRequest<'_> {
        JsonRequest {
            host: "secretsmanager.us-east-1.amazonaws.com",
            path: "/",
            target: "secretsmanager.ListSecrets",
            body,
            region: "us-east-1",
            service: "secretsmanager",
            time: "2015-08-30T12:36:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn aws_signing_key_vector() {
        // AWS's documented example of a derived signing key (iam, us-east-1, 20120215).
        assert_eq!(
            hex(&signing_key(
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                "20120215",
                "us-east-1",
                "iam"
            )),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn a_signed_json_request_pins_its_headers_and_signature() {
        let h = sign_json_request(&request(b"{}"), &creds(None));
        let names: Vec<&str> = h.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "Content-Type",
                "X-Amz-Date",
                "X-Amz-Target",
                "Authorization"
            ]
        );
        assert_eq!(h[1].1, "20150830T123600Z");
        let auth = &h[3].1;
        assert!(
            auth.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="
            ),
            "{auth}"
        );
        // The same request signs the same way; another body does not.
        assert_eq!(sign_json_request(&request(b"{}"), &creds(None))[3].1, *auth);
        assert_ne!(
            sign_json_request(&request(b"{ }"), &creds(None))[3].1,
            *auth
        );
    }

    #[test]
    fn a_session_token_is_sent_and_signed() {
        let h = sign_json_request(&request(b"{}"), &creds(Some("FwoGZXIvYXdzE")));
        assert!(h.contains(&("X-Amz-Security-Token", "FwoGZXIvYXdzE".to_string())));
        let auth = &h.last().unwrap().1;
        assert!(auth.contains(
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"
        ));
    }

    #[test]
    fn credentials_never_print_their_secrets() {
        let shown = format!("{:?}", creds(Some("session-secret")));
        assert!(shown.contains("AKIDEXAMPLE"));
        assert!(!shown.contains("EXAMPLEKEY") && !shown.contains("session-secret"));
    }
}

/// What the client signs, the endpoint's verifier accepts.
#[cfg(all(test, feature = "server"))]
mod verified_by_the_server {
    use super::*;
    use crate::server::sigv4::{RequestParts, parse};
    use axum::http::{HeaderMap, HeaderName, HeaderValue};

    fn headers(host: &str, signed: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_str(host).unwrap());
        for (n, v) in signed {
            h.insert(
                HeaderName::from_bytes(n.to_ascii_lowercase().as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn a_request_the_client_signs_is_accepted_by_the_server_verifier() {
        let now = jiff::Timestamp::now();
        for token in [None, Some("FwoGZXIvYXdzEtoken")] {
            let creds = Credentials {
                access_key_id: "AKIACLIENTTEST".into(),
                secret_access_key: SecretText::new("client-secret/key+1".into()),
                session_token: token.map(|t| SecretText::new(t.into())),
            };
            let body = br#"{"SecretId":"prod/db"}"#;
            let req = JsonRequest {
                host: "127.0.0.1:4566",
                path: "/",
                target: "secretsmanager.DescribeSecret",
                body,
                region: "eu-west-1",
                service: "secretsmanager",
                time: now,
            };
            let h = headers(req.host, &sign_json_request(&req, &creds));
            let parts = RequestParts {
                method: "POST",
                path: "/",
                query: "",
                headers: &h,
                body,
            };
            let signed = parse(&parts).unwrap();
            assert_eq!(signed.access_key_id, "AKIACLIENTTEST");
            assert_eq!(signed.region, "eu-west-1");
            signed.check_service("secretsmanager").unwrap();
            signed.check_time(now).unwrap();
            signed.verify("client-secret/key+1").unwrap();
            assert_eq!(
                signed.verify("another-secret").unwrap_err().code,
                "InvalidSignatureException"
            );
            // A body changed on the way no longer verifies.
            let tampered = RequestParts {
                body: br#"{"SecretId":"prod/dc"}"#,
                ..parts
            };
            assert!(
                parse(&tampered)
                    .unwrap()
                    .verify("client-secret/key+1")
                    .is_err()
            );
        }
    }
}
