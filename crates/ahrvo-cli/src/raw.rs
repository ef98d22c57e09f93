//! `-o json` is the API's own reply: a transport that keeps the body of every 2xx reply by
//! request URL, and the few helpers that pick the part to print (the Issuing envelope's `data`).
//!
//! The SDK still decodes every reply into its typed models (a reply that is not what the API
//! documents is still an error, exit 5); the CLI then prints the text the server sent, laid out
//! again by [`output::json_text`](crate::output::json_text), which keeps every token as written:
//! every field, `null` included, unknown fields too, timestamps and decimals as sent. serde_json
//! reads the reply with `RawValue` only (feature `raw_value`), so no number is ever parsed, and
//! no serde_json feature that changes how the SDK decodes (`arbitrary_precision`) is needed.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use ahrvo::transport::{
    ApiRequest, ClientConfig, Error, HttpRequest, HttpResponse, HttpTransport, Operation,
    ReqwestTransport,
};
use ahrvo::types::MaskedCardNumber;
use async_trait::async_trait;
use bytes::Bytes;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The CLI's transport for `-o json`: the SDK's [`ReqwestTransport`], keeping the body of the
/// last 2xx reply to each request URL (the one the SDK decoded; a retried request keeps its
/// last). Bodies are reference-counted `Bytes`: nothing is copied.
pub struct Recording {
    inner: ReqwestTransport,
    replies: Mutex<HashMap<String, Bytes>>,
}

impl Recording {
    /// A recording transport over the SDK's default one, built from `config` as the SDK would.
    pub fn new(config: &ClientConfig) -> Result<Self, Error> {
        Ok(Self {
            inner: ReqwestTransport::new(config)?,
            replies: Mutex::new(HashMap::new()),
        })
    }

    /// The body of the last 2xx reply to `url`.
    pub fn body(&self, url: &str) -> Option<Bytes> {
        self.replies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(url)
            .cloned()
    }
}

impl Recording {
    /// The body of the last 2xx reply to `url`, removed: a bulk run takes each reply once, so
    /// the recording holds only the replies in flight.
    pub fn take(&self, url: &str) -> Option<Bytes> {
        self.replies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(url)
    }
}

impl fmt::Debug for Recording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self
            .replies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("Recording")
            .field("inner", &self.inner)
            .field("replies", &n)
            .finish()
    }
}

#[async_trait]
impl HttpTransport for Recording {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        let url = request.url.clone();
        let response = self.inner.send(request).await?;
        if response.status.is_success() {
            self.replies
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(url, response.body.clone());
        }
        Ok(response)
    }
}

/// The URL the SDK sends `request` to: `base_url` and the request's path and query, encoded by
/// the SDK's own [`ApiRequest::target`]. `None` if the request cannot be rendered.
pub fn url<O>(base_url: &str, request: Result<ApiRequest<O>, Error>) -> Option<String> {
    Some(format!("{base_url}{}", request.ok()?.target().ok()?))
}

/// The request URL of an operation without parameters.
pub fn url_of<O>(base_url: &str, operation: Operation<O>) -> Option<String> {
    url(base_url, Ok(ApiRequest::new(operation)))
}

/// A Payments reply: the body itself (a Balance, a Balance Entry). `None` if it is not UTF-8
/// JSON (the SDK decoded it, so it is).
pub fn payments_body(body: &Bytes) -> Option<String> {
    let raw: &RawValue = serde_json::from_slice(body).ok()?;
    Some(raw.get().to_owned())
}

/// An Issuing reply: the text of its envelope's `data`, as sent.
pub fn issuing_data(body: &Bytes) -> Option<String> {
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        data: &'a RawValue,
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body).ok()?;
    Some(envelope.data.get().to_owned())
}

/// The members of a JSON object in the order sent, each value as its own text.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// The text of a JSON string.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// One card of `cards balance -o json`: the card id asked for, then every member of the reply's
/// `data` as sent, except `card_number`, which is the SDK's masked form of it (the same text when
/// the API masked it, as documented; never a full card number).
pub fn card_object(card_id: &str, data: &str, card_number: &MaskedCardNumber) -> Option<String> {
    let members: Members<'_> = serde_json::from_str(data).ok()?;
    let mut out = format!("{{{}:{}", json_string("card_id"), json_string(card_id));
    for (key, value) in members.0.iter().filter(|(k, _)| k != "card_id") {
        out.push(',');
        out.push_str(&json_string(key));
        out.push(':');
        if key == "card_number" {
            out.push_str(&serde_json::to_string(card_number).ok()?);
        } else {
            out.push_str(value.get());
        }
    }
    out.push('}');
    Some(out)
}

/// `value` as compact JSON, for a part of a reply the CLI writes itself.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_gives_its_data_as_sent() {
        let body = Bytes::from_static(
            br#"{"code":"SUCCESS","data":[{"balance":"1.10","x":null,"n":1e2}],"extra":1}"#,
        );
        assert_eq!(
            issuing_data(&body).unwrap(),
            r#"[{"balance":"1.10","x":null,"n":1e2}]"#
        );
        assert_eq!(issuing_data(&Bytes::from_static(b"{}")), None);
        let body = Bytes::from_static(br#" {"a": 123456789012345678901234567890} "#);
        assert_eq!(
            payments_body(&body).unwrap(),
            r#"{"a": 123456789012345678901234567890}"#
        );
    }

    #[test]
    fn a_card_keeps_every_member_and_masks_its_number() {
        let data = r#"{"card_number":"5157123412342686","available_balance":"1.50","z":null}"#;
        let out = card_object("card1", data, &MaskedCardNumber::new("5157123412342686")).unwrap();
        assert_eq!(
            out,
            r#"{"card_id":"card1","card_number":"5157********2686","available_balance":"1.50","z":null}"#
        );
    }
}
