//! The replies of the faults a `Router` cannot express: a connection dropped without a
//! response, and a body cut in half after a `Content-Length` promising all of it.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use hyper::body::Frame;

/// The error a service returns to make hyper close the connection without a response.
#[derive(Debug)]
pub(crate) struct InjectedDrop;

impl fmt::Display for InjectedDrop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ahrvo-sandbox: injected fault: connection dropped")
    }
}

impl std::error::Error for InjectedDrop {}

/// The error that ends a truncated body (hyper then closes the connection).
#[derive(Debug)]
struct InjectedTruncation;

impl fmt::Display for InjectedTruncation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ahrvo-sandbox: injected fault: body truncated")
    }
}

impl std::error::Error for InjectedTruncation {}

/// A body that sends `part`, waits briefly so that hyper flushes it with the head, then fails.
struct TruncatedBody {
    part: Option<Bytes>,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl hyper::body::Body for TruncatedBody {
    type Data = Bytes;
    type Error = InjectedTruncation;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, InjectedTruncation>>> {
        let this = self.get_mut();
        if let Some(part) = this.part.take() {
            return Poll::Ready(Some(Ok(Frame::data(part))));
        }
        match this.pause.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(InjectedTruncation))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A body sending the first half of `full` and then failing.
pub(crate) fn truncated_body(full: &Bytes) -> Body {
    let half = full.slice(..full.len() / 2);
    Body::new(TruncatedBody {
        part: (!half.is_empty()).then_some(half),
        pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
    })
}
