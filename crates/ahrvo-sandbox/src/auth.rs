//! Authentication as documented: issuing takes `Authorization: Bearer <access_token>` plus
//! `x-api-key`; payments takes HTTP Basic.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

use crate::Credentials;

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
pub(crate) fn base64_decode(input: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let trimmed = input.trim_end_matches('=');
    if input.len() - trimmed.len() > 2 || trimmed.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    for chunk in trimmed.as_bytes().chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= value(*c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        let take = chunk.len() - 1;
        out.extend_from_slice(bytes.get(1..1 + take)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Standard base64 with padding.
    fn base64_encode(input: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
        for chunk in input.chunks(3) {
            let mut buf = [0u8; 3];
            buf[..chunk.len()].copy_from_slice(chunk);
            let n = (u32::from(buf[0]) << 16) | (u32::from(buf[1]) << 8) | u32::from(buf[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    let index = ((n >> (18 - 6 * i)) & 63) as usize;
                    out.push(char::from(ALPHABET[index]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

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
            let encoded = base64_encode(text.as_bytes());
            assert_eq!(base64_decode(&encoded).as_deref(), Some(text.as_bytes()));
            assert_eq!(
                base64_decode(encoded.trim_end_matches('=')).as_deref(),
                Some(text.as_bytes())
            );
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert!(base64_decode("Zm9v!").is_none());
        assert!(base64_decode("Z").is_none());
        assert!(base64_decode("Zm9v===").is_none());
    }
}
