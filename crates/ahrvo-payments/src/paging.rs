//! Payments' cursor-paged lists: `Finix-Version: 2022-02-01` on every list request, `limit`
//! 1..=100, `after_cursor` until `page.next_cursor` is null.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use ahrvo_transport::{ApiRequest, Error, ErrorKind};
use ahrvo_types::ListPage;
use futures_core::Stream;
use futures_util::StreamExt;

/// The header that selects cursor paging.
pub const FINIX_VERSION_HEADER: &str = "Finix-Version";
/// The API version this SDK's lists speak: cursor paging (`page.next_cursor`).
pub const FINIX_VERSION: &str = "2022-02-01";
/// The API's default page size.
pub const DEFAULT_LIMIT: u32 = 10;
/// The largest page the API serves.
pub const MAX_LIMIT: u32 = 100;

/// The options of a Payments list: the page size (`limit`, 1 to [`MAX_LIMIT`], default
/// [`DEFAULT_LIMIT`]) and where to start (`after_cursor`, a previous page's `next_cursor`).
///
/// ```
/// use ahrvo_payments::ListOptions;
///
/// let options = ListOptions::new().limit(100).after_cursor("balance_entry_i5YzFZYEh6CoCrN2zqgPdW");
/// assert_eq!(options.get_limit(), 100);
/// assert!(ListOptions::new().limit(0).validate().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ListOptions {
    limit: Option<u32>,
    after_cursor: Option<String>,
}

impl ListOptions {
    /// The first page, [`DEFAULT_LIMIT`] items per page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Items per page, 1 to [`MAX_LIMIT`]; checked before anything is sent.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Starts after this cursor (a previous page's `page.next_cursor`).
    pub fn after_cursor(mut self, cursor: impl Into<String>) -> Self {
        self.after_cursor = Some(cursor.into());
        self
    }

    /// The page size in force.
    pub fn get_limit(&self) -> u32 {
        self.limit.unwrap_or(DEFAULT_LIMIT)
    }

    /// The cursor to start after, if any.
    pub fn get_after_cursor(&self) -> Option<&str> {
        self.after_cursor.as_deref()
    }

    /// Checks the options as a list call does before sending: `limit` 1 to [`MAX_LIMIT`], a
    /// cursor that is not empty and has no control characters.
    pub fn validate(&self) -> Result<(), Error> {
        let limit = self.get_limit();
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::validation(format!(
                "limit must be between 1 and {MAX_LIMIT} (got {limit})"
            )));
        }
        if let Some(cursor) = &self.after_cursor {
            ahrvo_transport::validate_id("after_cursor", cursor)?;
        }
        Ok(())
    }

    /// The query parameters of the page these options ask for, in the order the SDK sends
    /// them: every list request is built from exactly these pairs (after
    /// [`validate`](Self::validate)), so a caller that matches a page by its URL (a recorded
    /// reply, a log line) can rebuild it without copying the SDK's order.
    ///
    /// ```
    /// use ahrvo_payments::ListOptions;
    ///
    /// assert_eq!(ListOptions::new().query_pairs(), [("limit", "10".to_owned())]);
    /// assert_eq!(
    ///     ListOptions::new().limit(100).after_cursor("balance_entry_x").query_pairs(),
    ///     [("limit", "100".to_owned()), ("after_cursor", "balance_entry_x".to_owned())]
    /// );
    /// ```
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("limit", self.get_limit().to_string())];
        if let Some(cursor) = &self.after_cursor {
            pairs.push(("after_cursor", cursor.clone()));
        }
        pairs
    }

    /// The request of one page: the options as query parameters ([`query_pairs`](Self::query_pairs)),
    /// and the version header.
    pub(crate) fn apply<O>(&self, request: ApiRequest<O>) -> Result<ApiRequest<O>, Error> {
        self.validate()?;
        let request = request.header(FINIX_VERSION_HEADER, FINIX_VERSION)?;
        Ok(self
            .query_pairs()
            .into_iter()
            .fold(request, |r, (name, value)| r.query(name, value)))
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// Every item of a cursor-paged list, page after page, as a [`futures_core::Stream`] of
/// `Result<T, Error>`.
///
/// Pages are fetched one at a time, when the previous page's items have been read (nothing
/// before the first poll; invalid [`ListOptions`] are the stream's one item, an error, with
/// nothing sent). It follows `page.next_cursor` with `after_cursor` and ends when the cursor
/// is null (or absent) or a page is empty. A cursor the server already gave in this stream
/// ends it with an error of kind [`Protocol`](ErrorKind::Protocol) instead of looping. An
/// error is the stream's last item.
pub struct CursorStream<T> {
    inner: BoxStream<T>,
}

impl<T> fmt::Debug for CursorStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CursorStream").finish_non_exhaustive()
    }
}

impl<T: Send + 'static> CursorStream<T> {
    /// A stream over the pages `fetch(options)` returns: the items and the page.
    pub(crate) fn new<F, Fut>(options: ListOptions, fetch: F) -> Self
    where
        F: FnMut(ListOptions) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(Vec<T>, ListPage), Error>> + Send + 'static,
    {
        let mut seen = HashSet::new();
        if let Some(cursor) = &options.after_cursor {
            seen.insert(cursor.clone());
        }
        let state = State {
            fetch,
            next: Some(options),
            seen,
            buffer: VecDeque::new(),
        };
        let stream = futures_util::stream::unfold(state, |mut state| async move {
            loop {
                if let Some(item) = state.buffer.pop_front() {
                    return Some((Ok(item), state));
                }
                let options = state.next.take()?;
                if let Err(e) = state.page(options).await {
                    return Some((Err(e), state));
                }
            }
        });
        Self {
            inner: Box::pin(stream),
        }
    }
}

impl<T> CursorStream<T> {
    /// The next item, or `None` at the end of the list.
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        self.inner.next().await
    }

    /// Every item, or the first error.
    pub async fn collect_all(mut self) -> Result<Vec<T>, Error> {
        let mut all = Vec::new();
        while let Some(item) = self.inner.next().await {
            all.push(item?);
        }
        Ok(all)
    }
}

impl<T> Stream for CursorStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

struct State<F, T> {
    fetch: F,
    next: Option<ListOptions>,
    seen: HashSet<String>,
    buffer: VecDeque<T>,
}

impl<F, Fut, T> State<F, T>
where
    F: FnMut(ListOptions) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, ListPage), Error>>,
{
    async fn page(&mut self, options: ListOptions) -> Result<(), Error> {
        options.validate()?;
        let (items, page) = (self.fetch)(options.clone()).await?;
        let empty = items.is_empty();
        self.buffer.extend(items);
        match page.next_cursor {
            Some(cursor) if !empty => {
                if !self.seen.insert(cursor.clone()) {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        format!(
                            "the server gave the cursor {cursor:?} a second time: the list \
                             would repeat, so it was not read further"
                        ),
                    ));
                }
                self.next = Some(options.after_cursor(cursor));
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generated::operations::LIST_BALANCES;

    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn page(next: Option<&str>) -> ListPage {
        let mut page = ListPage::new(10);
        page.next_cursor = next.map(str::to_owned);
        page
    }

    /// A stream over scripted pages (`items`, `next_cursor`), counting the fetches.
    fn scripted(
        pages: Vec<(Vec<u32>, Option<&'static str>)>,
    ) -> (CursorStream<u32>, Arc<AtomicU32>) {
        let fetches = Arc::new(AtomicU32::new(0));
        let counter = fetches.clone();
        let stream = CursorStream::new(ListOptions::new(), move |_options| {
            let n = counter.fetch_add(1, Ordering::SeqCst) as usize;
            let (items, next) = pages.get(n).cloned().unwrap_or_default();
            async move { Ok((items, page(next))) }
        });
        (stream, fetches)
    }

    /// Read as a `futures` `Stream` (`poll_next`), not only through the inherent `next`.
    #[tokio::test]
    async fn it_is_a_stream_of_every_page_in_order() {
        let (mut stream, fetches) = scripted(vec![(vec![1, 2], Some("c1")), (vec![3], None)]);
        let mut all = Vec::new();
        while let Some(item) = StreamExt::next(&mut stream).await {
            all.push(item.unwrap());
        }
        assert_eq!(all, [1, 2, 3]);
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    /// An empty page ends the list even when it names a next cursor (a server that keeps
    /// handing out cursors for nothing is not followed).
    #[tokio::test]
    async fn an_empty_page_ends_the_list_whatever_its_cursor() {
        let (stream, fetches) = scripted(vec![(vec![], Some("c1")), (vec![], Some("c2"))]);
        assert_eq!(stream.collect_all().await.unwrap(), Vec::<u32>::new());
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn options_and_streams_say_what_they_are() {
        assert_eq!(ListOptions::new().get_after_cursor(), None);
        assert_eq!(
            ListOptions::new()
                .after_cursor("balance_x")
                .get_after_cursor(),
            Some("balance_x")
        );
        let (stream, _) = scripted(vec![]);
        assert_eq!(format!("{stream:?}"), "CursorStream { .. }");
    }

    /// The request of a page is its `query_pairs`, in their order, with the version header.
    #[test]
    fn the_request_of_a_page_is_its_query_pairs() {
        let options = ListOptions::new().limit(5).after_cursor("balance_x");
        let rebuilt = options
            .query_pairs()
            .into_iter()
            .fold(ApiRequest::new(LIST_BALANCES), |r, (k, v)| r.query(k, v));
        let sent = options.apply(ApiRequest::new(LIST_BALANCES)).unwrap();
        assert_eq!(sent.target().unwrap(), rebuilt.target().unwrap());
        assert_eq!(
            sent.target().unwrap(),
            "/payments/na/balances?limit=5&after_cursor=balance_x"
        );
        assert!(
            ListOptions::new()
                .limit(0)
                .apply(ApiRequest::new(LIST_BALANCES))
                .is_err()
        );
        assert!(
            ListOptions::new()
                .after_cursor("a\tb")
                .apply(ApiRequest::new(LIST_BALANCES))
                .is_err()
        );
    }
}
