//! The HTTP layer of the Ahrvo SDK: knows HTTP, not the domain.
//!
//! - [`HttpTransport`]: the one small async trait that sends a request; [`ReqwestTransport`]
//!   (rustls) is the default; plug in your own, or the `mock` feature's `MockHttpTransport`.
//! - [`ApiClient`]: the pipeline every operation goes through: percent-encoded paths, auth
//!   headers ([`Auth`]), per-attempt and whole-call timeouts, retries ([`RetryConfig`]), error
//!   mapping into one [`Error`] with a flat [`ErrorKind`], and a `tracing` span per call.
//! - [`ClientConfig`] and [`Environment`]: where to send and how.
//!
//! Credentials live in [`Secret`], whose `Debug` and `Display` print `<redacted>`.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod client;
mod config;
mod decode;
mod error;
mod operation;
mod reqwest;
mod retry;
mod transport;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;

pub use auth::{Auth, IssuingCredentials, PaymentsCredentials, Secret, StaticToken, TokenProvider};
pub use client::{ApiClient, USER_AGENT};
pub use config::{ClientConfig, Environment, TimeoutConfig};
pub use decode::{decode_bytes, decode_json, extract_message};
pub use error::{Error, ErrorKind};
pub use http::{Method, StatusCode};
pub use operation::{ApiRequest, Operation, validate_id};
pub use reqwest::ReqwestTransport;
pub use retry::RetryConfig;
#[cfg(any(test, feature = "mock"))]
pub use transport::MockHttpTransport;
pub use transport::{HttpRequest, HttpResponse, HttpTransport};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
