//! Authentication as documented: issuing takes `Authorization: Bearer <access_token>` plus
//! `x-api-key`; payments takes HTTP Basic.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;

use crate::config::Credentials;

/// The outcome of checking issuing credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IssuingAuth {
    /// Token and key are right.
    Allowed,
    /// The token and key are right, but the key has card issuance disabled (403).
    Forbidden,
    /// A header is missing or wrong (401).
    Unauthorized(&'static str),
}

/// Checks the issuing headers against the configured credentials.
pub(crate) fn check_issuing(
    headers: &HeaderMap,
    credentials: &Credentials,
    forbidden_api_key: &str,
) -> IssuingAuth {
    let Some(token) = header_str(headers, AUTHORIZATION.as_str()).and_then(bearer_token) else {
        return IssuingAuth::Unauthorized("Missing or malformed Authorization: Bearer header");
    };
    if !constant_time_eq(token.as_bytes(), credentials.access_token.as_bytes()) {
        return IssuingAuth::Unauthorized("Invalid access token");
    }
    let Some(key) = header_str(headers, "x-api-key") else {
        return IssuingAuth::Unauthorized("Missing x-api-key header");
    };
    if constant_time_eq(key.as_bytes(), credentials.api_key.as_bytes()) {
        IssuingAuth::Allowed
    } else if !forbidden_api_key.is_empty()
        && constant_time_eq(key.as_bytes(), forbidden_api_key.as_bytes())
    {
        IssuingAuth::Forbidden
    } else {
        IssuingAuth::Unauthorized("Invalid API key")
    }
}

/// Checks HTTP Basic credentials for the payments API.
pub(crate) fn check_basic(headers: &HeaderMap, credentials: &Credentials) -> bool {
    let Some(value) = header_str(headers, AUTHORIZATION.as_str()) else {
        return false;
    };
    let Some((scheme, encoded)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Some(decoded) = base64_decode(encoded.trim()) else {
        return false;
    };
    let expected = format!("{}:{}", credentials.username, credentials.password);
    constant_time_eq(&decoded, expected.as_bytes())
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    let mut values = headers.get_all(name).iter();
    let first = values.next()?;
    if values.next().is_some() {
        // Two values for one credential header: ambiguous, refuse.
        return None;
    }
    first.to_str().ok()
}

fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Compares without an early exit on the first differing byte.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Standard base64 (RFC 4648, with or without padding). `None` on any invalid input.
fn base64_decode(input: &str) -> Option<Vec<u8>> {
    STANDARD_PAD_INDIFFERENT.decode(input).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for text in [
            "",
            "f",
            "fo",
            "foo",
            "foob",
            "fooba",
            "foobar",
            "sandbox:sandbox-password",
        ] {
            let encoded = base64::engine::general_purpose::STANDARD.encode(text);
            assert_eq!(base64_decode(&encoded).as_deref(), Some(text.as_bytes()));
            assert_eq!(
                base64_decode(encoded.trim_end_matches('=')).as_deref(),
                Some(text.as_bytes())
            );
        }
        assert_eq!(base64_decode("Zm9vYmFy").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(base64_decode("Zm8=").as_deref(), Some(&b"fo"[..]));
        assert!(base64_decode("Zm9v!").is_none());
        assert!(base64_decode("Z").is_none());
        assert!(base64_decode("Zm9v===").is_none());
    }

    #[test]
    fn basic_credentials() {
        let credentials = Credentials::default();
        let header = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, value.parse().expect("a header value"));
            headers
        };
        let good = base64::engine::general_purpose::STANDARD.encode("sandbox:sandbox-password");
        assert!(check_basic(&header(&format!("Basic {good}")), &credentials));
        assert!(check_basic(
            &header(&format!("basic {}", good.trim_end_matches('='))),
            &credentials
        ));
        let wrong = base64::engine::general_purpose::STANDARD.encode("sandbox:nope");
        assert!(!check_basic(
            &header(&format!("Basic {wrong}")),
            &credentials
        ));
        assert!(!check_basic(&header("Basic !!!"), &credentials));
        assert!(!check_basic(
            &header(&format!("Bearer {good}")),
            &credentials
        ));
        assert!(!check_basic(&HeaderMap::new(), &credentials));
    }
}
