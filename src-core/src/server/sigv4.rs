//! AWS Signature Version 4, verified as an AWS service does: parse the `Authorization`
//! header, rebuild the canonical request and the string to sign, derive the signing key from
//! the caller's secret access key, and compare signatures in constant time.
//!
//! Written here (HMAC-SHA256 from `hmac`/`sha2`; the key derivation and signature are in
//! `crate::sigv4`, shared with the client) rather than taken from a crate: the verifier is small, has to produce AWS's exact error codes, and is pinned by
//! AWS's published test vector below and by boto3 and the AWS CLI in the end-to-end tests.

use axum::http::HeaderMap;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::ApiError;
use crate::sigv4::{ALGORITHM, amz_date, sha256_hex, signing_key};

/// How far a request's `X-Amz-Date` may be from the server's clock (AWS: 15 minutes).
pub const MAX_SKEW_SECONDS: i64 = 15 * 60;

type HmacSha256 = Hmac<Sha256>;

/// The parts of a request that its signature covers.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    pub method: &'a str,
    /// The path as sent (still percent-encoded).
    pub path: &'a str,
    /// The query string as sent, without `?`.
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// A parsed, well-formed signed request, ready to be checked against a secret.
#[derive(Debug, Clone)]
pub struct Signed {
    pub access_key_id: String,
    pub region: String,
    pub service: String,
    /// `X-Amz-Date`, as sent and as a time.
    pub amz_date: String,
    pub time: jiff::Timestamp,
    pub string_to_sign: String,
    signature: [u8; 32],
}

fn incomplete(message: impl Into<String>) -> ApiError {
    ApiError::incomplete_signature(message)
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    s.as_bytes()
        .chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

fn uri_encode(s: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s {
        if unreserved(b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(hi), Some(lo)) = (digit(b[i + 1]), digit(b[i + 2]))
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The canonical URI of a non-S3 service: dot segments removed, each byte of the path as
/// sent encoded again.
fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut p = format!("/{}", segments.join("/"));
    if path.ends_with('/') && p != "/" {
        p.push('/');
    }
    uri_encode(p.as_bytes(), true)
}

fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&percent_decode(k), false),
                uri_encode(&percent_decode(v), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// A header's values joined with `,`, each trimmed with inner runs of spaces collapsed.
fn canonical_header_value(headers: &HeaderMap, name: &str) -> Result<String, ApiError> {
    let mut values = Vec::new();
    for v in headers.get_all(name) {
        let v = v
            .to_str()
            .map_err(|_| incomplete(format!("The header '{name}' is not valid text.")))?;
        values.push(v.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    if values.is_empty() {
        return Err(incomplete(format!(
            "The header '{name}' is listed in SignedHeaders but is not in the request."
        )));
    }
    Ok(values.join(","))
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `20150830T123600Z` as a time.
pub fn parse_amz_date(s: &str) -> Option<jiff::Timestamp> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let dt = jiff::civil::DateTime::new(
        num(0..4)? as i16,
        num(4..6)? as i8,
        num(6..8)? as i8,
        num(9..11)? as i8,
        num(11..13)? as i8,
        num(13..15)? as i8,
        0,
    )
    .ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// Whether the request carries any SigV4 authentication at all.
pub fn has_authorization(headers: &HeaderMap) -> bool {
    headers.contains_key("authorization")
}

/// Parses a request's `Authorization` header and builds its string to sign. Fails with
/// AWS's codes when the signature is malformed or does not cover what it must.
pub fn parse(req: &RequestParts<'_>) -> Result<Signed, ApiError> {
    parse_with(req, true)
}

/// [`parse`] for a server that does not verify signatures (the emulator accepts any
/// well-formed credentials): the same checks of form and the same errors, without the
/// string to sign (the canonical request and its SHA-256, and the body's unless the
/// request sends `x-amz-content-sha256` to compare with). Its [`Signed::verify`] fails.
pub fn parse_unverified(req: &RequestParts<'_>) -> Result<Signed, ApiError> {
    parse_with(req, false)
}

fn parse_with(req: &RequestParts<'_>, signing: bool) -> Result<Signed, ApiError> {
    let auth = header(req.headers, "authorization")
        .ok_or_else(|| incomplete("The Authorization header is not valid text."))?;
    let rest = auth
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| {
            incomplete(format!(
                "Authorization header requires the {ALGORITHM} algorithm."
            ))
        })?;
    let (mut credential, mut signed_headers, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| incomplete("Authorization header parts must be key=value."))?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed_headers = Some(v),
            "Signature" => sig = Some(v),
            _ => {}
        }
    }
    let missing = |what: &str| {
        incomplete(format!(
            "Authorization header requires '{what}' parameter. Authorization={ALGORITHM}"
        ))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed_headers = signed_headers.ok_or_else(|| missing("SignedHeaders"))?;
    let sig = sig.ok_or_else(|| missing("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [akid, date, region, service, terminator] = scope[..] else {
        return Err(incomplete(
            "Credential must have the form ACCESS_KEY_ID/YYYYMMDD/region/service/aws4_request.",
        ));
    };
    if akid.is_empty() || !akid.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(incomplete(
            "The access key id in the Credential is malformed.",
        ));
    }
    if terminator != "aws4_request" {
        return Err(ApiError::invalid_signature(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        )));
    }
    if region.is_empty() {
        return Err(incomplete("The Credential has no region."));
    }
    let signature: [u8; 32] = unhex(sig)
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| incomplete("The Signature must be 64 hexadecimal digits."))?;
    let amz_date = header(req.headers, "x-amz-date").ok_or_else(|| {
        incomplete("Authorization header requires existence of a 'X-Amz-Date' header.")
    })?;
    let time = parse_amz_date(amz_date).ok_or_else(|| {
        incomplete(format!(
            "X-Amz-Date '{amz_date}' is not of the form YYYYMMDD'T'HHMMSS'Z'."
        ))
    })?;
    if !amz_date.starts_with(date) || date.len() != 8 {
        return Err(ApiError::invalid_signature(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != '{}', from '{amz_date}'.",
            &amz_date[..8]
        )));
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    if names
        .iter()
        .any(|n| n.is_empty() || *n != n.to_ascii_lowercase())
    {
        return Err(incomplete(
            "SignedHeaders must be lower-case names separated by ';'.",
        ));
    }
    if !names.contains(&"host") {
        return Err(ApiError::invalid_signature(
            "'Host' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    let sent_hash = header(req.headers, "x-amz-content-sha256");
    let payload_hash = if signing || sent_hash.is_some() {
        let body_hash = sha256_hex(req.body);
        if sent_hash.is_some_and(|h| h != body_hash) {
            return Err(ApiError::invalid_signature(
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            ));
        }
        body_hash
    } else {
        String::new()
    };
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    let mut canonical_headers = String::new();
    for n in &sorted {
        canonical_headers.push_str(n);
        canonical_headers.push(':');
        canonical_headers.push_str(&canonical_header_value(req.headers, n)?);
        canonical_headers.push('\n');
    }
    if !signing {
        return Ok(Signed {
            access_key_id: akid.to_string(),
            region: region.to_string(),
            service: service.to_string(),
            amz_date: amz_date.to_string(),
            time,
            string_to_sign: String::new(),
            signature,
        });
    }
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        canonical_uri(req.path),
        canonical_query(req.query),
        canonical_headers,
        sorted.join(";"),
        payload_hash
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{date}/{region}/{service}/aws4_request\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    Ok(Signed {
        access_key_id: akid.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        amz_date: amz_date.to_string(),
        time,
        string_to_sign,
        signature,
    })
}

impl Signed {
    /// The service in the credential scope must be the one answering.
    pub fn check_service(&self, service: &str) -> Result<(), ApiError> {
        if self.service != service {
            return Err(ApiError::invalid_signature(format!(
                "Credential should be scoped to correct service: '{service}'."
            )));
        }
        Ok(())
    }

    /// Refuses a request signed more than 15 minutes before or after `now`.
    pub fn check_time(&self, now: jiff::Timestamp) -> Result<(), ApiError> {
        let skew = now.as_second() - self.time.as_second();
        let window = jiff::SignedDuration::from_secs(MAX_SKEW_SECONDS);
        if skew > MAX_SKEW_SECONDS {
            return Err(ApiError::invalid_signature(format!(
                "Signature expired: {} is now earlier than {} ({} - 15 min.)",
                self.amz_date,
                amz_date(now - window),
                amz_date(now)
            )));
        }
        if -skew > MAX_SKEW_SECONDS {
            return Err(ApiError::invalid_signature(format!(
                "Signature not yet current: {} is still later than {} ({} + 15 min.)",
                self.amz_date,
                amz_date(now + window),
                amz_date(now)
            )));
        }
        Ok(())
    }

    /// Checks the signature against the caller's secret access key, in constant time.
    pub fn verify(&self, secret: &str) -> Result<(), ApiError> {
        let date = &self.amz_date[..8];
        self.verify_with(&signing_key(secret, date, &self.region, &self.service))
    }

    /// Checks the signature against a signing key derived for this request's scope.
    fn verify_with(&self, key: &[u8; 32]) -> Result<(), ApiError> {
        let mismatch = || {
            ApiError::invalid_signature(
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
            )
        };
        // Parsed without a string to sign (`parse_unverified`): nothing to verify against.
        if self.string_to_sign.is_empty() {
            return Err(mismatch());
        }
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
        mac.update(self.string_to_sign.as_bytes());
        mac.verify_slice(&self.signature).map_err(|_| mismatch())
    }
}

/// Signing keys already derived, by access key and scope (date, region, service): a client
/// signs every request of a day with the same key, and deriving it is four HMACs of the
/// five a verification costs. An entry is used only while the access key's secret is the
/// one it was derived from (compared by SHA-256), so a key rotated, deleted or replaced is
/// never verified against its old secret. At most [`SigningKeys::MAX`] entries (then it
/// starts over); the keys are zeroized when dropped.
#[derive(Default)]
pub struct SigningKeys(std::sync::Mutex<std::collections::HashMap<Scope, Derived>>);

type Scope = (String, String, String, String);

struct Derived {
    secret_digest: [u8; 32],
    key: zeroize::Zeroizing<[u8; 32]>,
}

impl SigningKeys {
    pub const MAX: usize = 1024;

    /// [`Signed::verify`], deriving the signing key only for a scope or secret not seen.
    pub fn verify(&self, signed: &Signed, secret: &str) -> Result<(), ApiError> {
        use sha2::Digest;
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let scope = (
            signed.access_key_id.clone(),
            signed.amz_date[..8].to_string(),
            signed.region.clone(),
            signed.service.clone(),
        );
        let key = {
            let cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
            cache
                .get(&scope)
                .filter(|d| d.secret_digest == digest)
                .map(|d| d.key.clone())
        };
        let key = match key {
            Some(k) => k,
            None => {
                let k = zeroize::Zeroizing::new(signing_key(
                    secret,
                    &scope.1,
                    &signed.region,
                    &signed.service,
                ));
                let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
                if cache.len() >= Self::MAX {
                    cache.clear();
                }
                cache.insert(
                    scope,
                    Derived {
                        secret_digest: digest,
                        key: k.clone(),
                    },
                );
                k
            }
        };
        signed.verify_with(&key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::signature;
    use axum::http::HeaderValue;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    /// AWS's SigV4 test suite, `get-vanilla`.
    const VANILLA_SIGNATURE: &str =
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

    fn vanilla_headers(signature: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("example.amazonaws.com"));
        h.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
        h.insert(
            "authorization",
            HeaderValue::from_str(&format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}"
            ))
            .unwrap(),
        );
        h
    }

    fn parts<'a>(headers: &'a HeaderMap, body: &'a [u8]) -> RequestParts<'a> {
        RequestParts {
            method: "GET",
            path: "/",
            query: "",
            headers,
            body,
        }
    }

    fn vanilla_time() -> jiff::Timestamp {
        parse_amz_date("20150830T123600Z").unwrap()
    }

    #[test]
    fn aws_get_vanilla_vector_verifies() {
        let h = vanilla_headers(VANILLA_SIGNATURE);
        let s = parse(&parts(&h, b"")).unwrap();
        assert_eq!(
            s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
        assert_eq!(
            signature(
                SECRET,
                "20150830",
                "us-east-1",
                "service",
                &s.string_to_sign
            ),
            VANILLA_SIGNATURE
        );
        s.verify(SECRET).unwrap();
        s.check_time(vanilla_time()).unwrap();
        assert_eq!(s.access_key_id, "AKIDEXAMPLE");
        assert_eq!(s.region, "us-east-1");
    }

    #[test]
    fn the_emulators_parse_checks_the_same_form_and_leaves_nothing_to_verify() {
        let h = vanilla_headers(VANILLA_SIGNATURE);
        let s = parse_unverified(&parts(&h, b"")).unwrap();
        let full = parse(&parts(&h, b"")).unwrap();
        assert_eq!(
            (&s.access_key_id, &s.region, &s.service, s.time),
            (&full.access_key_id, &full.region, &full.service, full.time)
        );
        assert_eq!(
            s.verify(SECRET).unwrap_err().code,
            "InvalidSignatureException"
        );
        // The same refusals of form as a vault's parse.
        let mut h = vanilla_headers(VANILLA_SIGNATURE);
        h.insert("x-amz-date", HeaderValue::from_static("20150831T123600Z"));
        assert_eq!(
            parse_unverified(&parts(&h, b"")).unwrap_err(),
            parse(&parts(&h, b"")).unwrap_err()
        );
        let mut h = vanilla_headers(VANILLA_SIGNATURE);
        h.insert(
            "x-amz-content-sha256",
            HeaderValue::from_str(&sha256_hex(b"")).unwrap(),
        );
        assert_eq!(
            parse_unverified(&parts(&h, b"tampered")).unwrap_err(),
            parse(&parts(&h, b"tampered")).unwrap_err()
        );
    }

    #[test]
    fn a_cached_signing_key_serves_its_secret_only() {
        let keys = SigningKeys::default();
        let s = parse(&parts(&vanilla_headers(VANILLA_SIGNATURE), b"")).unwrap();
        keys.verify(&s, SECRET).unwrap();
        // The same scope again comes from the cache and still verifies.
        keys.verify(&s, SECRET).unwrap();
        // A key whose secret changed is checked against the new secret, not the cached key.
        let e = keys.verify(&s, "another secret").unwrap_err();
        assert_eq!(e.code, "InvalidSignatureException");
        keys.verify(&s, SECRET).unwrap();
        // A wrong signature in a cached scope fails.
        let bad = "0".repeat(64);
        let t = parse(&parts(&vanilla_headers(&bad), b"")).unwrap();
        assert!(keys.verify(&t, SECRET).is_err());
    }

    #[test]
    fn a_wrong_secret_or_signature_fails() {
        let h = vanilla_headers(VANILLA_SIGNATURE);
        let s = parse(&parts(&h, b"")).unwrap();
        let e = s.verify("not-the-secret").unwrap_err();
        assert_eq!(e.code, "InvalidSignatureException");
        assert_eq!(e.status.as_u16(), 403);
        let mut flipped = VANILLA_SIGNATURE.to_string();
        flipped.replace_range(0..1, "6");
        let h = vanilla_headers(&flipped);
        assert!(parse(&parts(&h, b"")).unwrap().verify(SECRET).is_err());
    }

    #[test]
    fn tampered_headers_body_or_date_fail() {
        let mut h = vanilla_headers(VANILLA_SIGNATURE);
        h.insert("host", HeaderValue::from_static("evil.example.com"));
        assert!(parse(&parts(&h, b"")).unwrap().verify(SECRET).is_err());

        let h = vanilla_headers(VANILLA_SIGNATURE);
        assert!(parse(&parts(&h, b"{}")).unwrap().verify(SECRET).is_err());

        let mut h = vanilla_headers(VANILLA_SIGNATURE);
        h.insert("x-amz-date", HeaderValue::from_static("20150830T123601Z"));
        assert!(parse(&parts(&h, b"")).unwrap().verify(SECRET).is_err());

        let mut h = vanilla_headers(VANILLA_SIGNATURE);
        h.insert("x-amz-date", HeaderValue::from_static("20150831T123600Z"));
        assert_eq!(
            parse(&parts(&h, b"")).unwrap_err().code,
            "InvalidSignatureException"
        );

        let mut h = vanilla_headers(VANILLA_SIGNATURE);
        h.insert(
            "x-amz-content-sha256",
            HeaderValue::from_str(&sha256_hex(b"")).unwrap(),
        );
        assert_eq!(
            parse(&parts(&h, b"tampered")).unwrap_err().code,
            "InvalidSignatureException"
        );

        let q = RequestParts {
            query: "a=b",
            ..parts(&h, b"")
        };
        assert!(parse(&q).unwrap().verify(SECRET).is_err());
    }

    #[test]
    fn dates_more_than_15_minutes_away_fail() {
        let h = vanilla_headers(VANILLA_SIGNATURE);
        let s = parse(&parts(&h, b"")).unwrap();
        let t = vanilla_time();
        s.check_time(t + jiff::SignedDuration::from_secs(14 * 60))
            .unwrap();
        s.check_time(t - jiff::SignedDuration::from_secs(14 * 60))
            .unwrap();
        let late = s
            .check_time(t + jiff::SignedDuration::from_secs(16 * 60))
            .unwrap_err();
        assert_eq!(late.code, "InvalidSignatureException");
        assert!(late.message.starts_with("Signature expired"));
        assert!(
            s.check_time(t - jiff::SignedDuration::from_secs(16 * 60))
                .is_err()
        );
    }

    #[test]
    fn malformed_authorization_is_an_incomplete_signature() {
        for bad in [
            "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=zz",
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1, SignedHeaders=host;x-amz-date, Signature=00",
            "Basic dXNlcjpwYXNz",
        ] {
            let mut h = vanilla_headers(VANILLA_SIGNATURE);
            h.insert("authorization", HeaderValue::from_str(bad).unwrap());
            let e = parse(&parts(&h, b"")).unwrap_err();
            assert_eq!(e.code, "IncompleteSignatureException", "{bad}");
        }
        let mut h = vanilla_headers(VANILLA_SIGNATURE);
        h.remove("x-amz-date");
        assert_eq!(
            parse(&parts(&h, b"")).unwrap_err().code,
            "IncompleteSignatureException"
        );
    }

    #[test]
    fn canonical_forms_follow_aws() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/a/./b/../c/"), "/a/c/");
        assert_eq!(canonical_uri("/a b"), "/a%20b");
        assert_eq!(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(canonical_query("k=%2Fx y"), "k=%2Fx%20y");
        assert_eq!(
            parse_amz_date("20150830T123600Z").unwrap().as_second(),
            1_440_938_160
        );
        assert!(parse_amz_date("2015-08-30T12:36:00Z").is_none());
    }
}
