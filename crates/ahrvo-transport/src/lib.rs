//! The HTTP layer of the Ahrvo SDK: sends typed operations over HTTP and knows no API family.
//!
//! - [`HttpTransport`]: the one small async trait that sends a request; [`ReqwestTransport`]
//!   (rustls) is the default; plug in your own, or the `mock` feature's `MockHttpTransport`.
//! - [`ApiClient`]: the pipeline every operation goes through: percent-encoded paths, signing
//!   (a family's [`Signer`]), per-attempt and whole-call timeouts, retries ([`RetryConfig`]),
//!   error mapping (a family's [`ErrorDecoder`]) into one [`Error`] with a flat [`ErrorKind`],
//!   and a `tracing` span per call.
//! - [`Operation`]: an operation of the spec, typed by what its reply decodes to.
//! - [`ClientConfig`] and [`Environment`]: where to send and how.
//!
//! The API families' credentials, envelopes and error bodies live in their own crates
//! (`ahrvo-issuing`, `ahrvo-payments`). Credentials are held in [`Secret`], whose `Debug` and
//! `Display` print `<redacted>`.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod client;
mod config;
mod decode;
mod error;
mod operation;
mod rate_limit;
mod reqwest;
mod retry;
mod transport;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;

pub use auth::{NoAuth, Secret, Signer, sensitive_header};
pub use client::{ApiClient, USER_AGENT};
pub use config::{ClientConfig, Environment, TimeoutConfig};
pub use decode::{
    ApiErrorBody, ErrorDecoder, GenericErrors, decode_bytes, decode_json, extract_message,
};
pub use error::{Error, ErrorKind};
pub use http::{Method, StatusCode};
pub use operation::{ApiRequest, Operation, OperationInfo, validate_id};
pub use rate_limit::RateLimit;
pub use reqwest::ReqwestTransport;
pub use retry::{Resend, RetryConfig};
#[cfg(any(test, feature = "mock"))]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub use transport::MockHttpTransport;
pub use transport::{HttpRequest, HttpResponse, HttpTransport};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
