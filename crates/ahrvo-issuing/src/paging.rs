//! Issuing's page-numbered lists: `page_no` from 1, `page_size` 1..=100, `total_num` over all
//! pages. A list is read one page at a time (the `_page` methods) or as a [`Paged`] stream of
//! every item across pages.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use ahrvo_transport::{Error, ErrorKind};
use futures_core::Stream;
use futures_util::StreamExt;

/// The default page size of Issuing lists (the API's own default).
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// The largest page size the API accepts.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Checks a page size: 1 to [`MAX_PAGE_SIZE`].
pub(crate) fn validate_page_size(page_size: u32) -> Result<u32, Error> {
    if (1..=MAX_PAGE_SIZE).contains(&page_size) {
        Ok(page_size)
    } else {
        Err(Error::validation(format!(
            "page_size must be between 1 and {MAX_PAGE_SIZE} (got {page_size})"
        )))
    }
}

/// The largest page number the API accepts.
pub const MAX_PAGE_NO: u32 = 1_000_000_000;

/// Checks a page number: 1 to [`MAX_PAGE_NO`].
pub(crate) fn validate_page_no(page_no: u32) -> Result<u32, Error> {
    if (1..=MAX_PAGE_NO).contains(&page_no) {
        Ok(page_no)
    } else {
        Err(Error::validation(format!(
            "page_no must be between 1 and {MAX_PAGE_NO} (got {page_no})"
        )))
    }
}

/// Checks a date filter: `yyyy-MM-dd HH:mm:ss`, as the pages require.
pub(crate) fn validate_date_time(name: &str, value: &str) -> Result<(), Error> {
    let shape = b"dddd-dd-dd dd:dd:dd";
    let ok = value.len() == shape.len()
        && value.bytes().zip(shape).all(|(b, s)| match s {
            b'd' => b.is_ascii_digit(),
            other => b == *other,
        });
    if ok {
        Ok(())
    } else {
        Err(Error::validation(format!(
            "{name} must be written yyyy-MM-dd HH:mm:ss (e.g. \"2026-01-31 23:59:59\")"
        )))
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// Every item of a paged list, page after page, as a [`futures_core::Stream`] of
/// `Result<T, Error>`.
///
/// Pages are fetched one at a time, when the items of the previous one have been read (nothing
/// is fetched before the first poll). The stream ends after the page that reaches the list's
/// `total_num`, after a page shorter than the page size, or at an empty page. A page that
/// repeats the one before it (a server that ignores the page number) ends the stream with an
/// error of kind [`Protocol`](ErrorKind::Protocol) instead of reading it forever. An error
/// ends the stream: it is the last item.
///
/// Read it with [`next`](Self::next), [`collect_all`](Self::collect_all), or any
/// `StreamExt` combinator.
pub struct Paged<T> {
    inner: BoxStream<T>,
}

impl<T> fmt::Debug for Paged<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paged").finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Paged<T> {
    /// A stream over the pages `fetch(page_no)` returns, `(total_num, items)` each.
    pub(crate) fn new<F, Fut>(page_size: u32, fetch: F) -> Self
    where
        T: Clone + PartialEq,
        F: FnMut(u32) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(i64, Vec<T>), Error>> + Send + 'static,
    {
        let state = State {
            fetch,
            page_size,
            next_page: Some(1),
            seen: 0,
            buffer: VecDeque::new(),
            previous: None,
        };
        let stream = futures_util::stream::unfold(state, |mut state| async move {
            loop {
                if let Some(item) = state.buffer.pop_front() {
                    return Some((Ok(item), state));
                }
                let page_no = state.next_page.take()?;
                match state.page(page_no).await {
                    Ok(()) => continue,
                    Err(e) => return Some((Err(e), state)),
                }
            }
        });
        Self {
            inner: Box::pin(stream),
        }
    }
}

impl<T> Paged<T> {
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

impl<T> Stream for Paged<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

struct State<F, T> {
    fetch: F,
    page_size: u32,
    next_page: Option<u32>,
    seen: u64,
    buffer: VecDeque<T>,
    previous: Option<Vec<T>>,
}

impl<F, Fut, T> State<F, T>
where
    T: Clone + PartialEq,
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<(i64, Vec<T>), Error>>,
{
    /// Fetches page `page_no` into the buffer and decides whether another page follows.
    async fn page(&mut self, page_no: u32) -> Result<(), Error> {
        let (total, items) = (self.fetch)(page_no).await?;
        if items.is_empty() {
            return Ok(());
        }
        if self.previous.as_ref() == Some(&items) {
            return Err(Error::new(
                ErrorKind::Protocol,
                format!(
                    "page {page_no} repeats page {} item for item: the server does not page \
                     by page_no, so the list was not read further",
                    page_no - 1
                ),
            ));
        }
        let len = items.len();
        self.seen += len as u64;
        let total = u64::try_from(total).unwrap_or(0);
        let last = self.seen >= total || len < self.page_size as usize;
        if !last {
            self.next_page = page_no.checked_add(1);
        }
        // A copy, only to compare with the next page.
        self.previous = (!last).then(|| items.clone());
        self.buffer.extend(items);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// A stream of pages of `page_size` over scripted pages `(total_num, items)` (page 1 first;
    /// past the script, empty pages), counting the fetches.
    fn scripted(page_size: u32, pages: Vec<(i64, Vec<u32>)>) -> (Paged<u32>, Arc<AtomicU32>) {
        let fetches = Arc::new(AtomicU32::new(0));
        let counter = fetches.clone();
        let stream = Paged::new(page_size, move |page_no| {
            counter.fetch_add(1, Ordering::SeqCst);
            let page = pages.get(page_no as usize - 1).cloned().unwrap_or_default();
            async move { Ok(page) }
        });
        (stream, fetches)
    }

    /// Read as a `futures` `Stream` (`poll_next`), not only through the inherent `next`.
    #[tokio::test]
    async fn it_is_a_stream_of_every_page_in_order() {
        let (mut stream, fetches) = scripted(2, vec![(3, vec![1, 2]), (3, vec![3])]);
        let mut all = Vec::new();
        while let Some(item) = StreamExt::next(&mut stream).await {
            all.push(item.unwrap());
        }
        assert_eq!(all, [1, 2, 3]);
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    /// A page shorter than the page size is the last, even when `total_num` promises more (a
    /// server whose count is off is not asked for pages that cannot exist).
    #[tokio::test]
    async fn a_short_page_is_the_last_whatever_total_num_says() {
        let (stream, fetches) = scripted(3, vec![(10, vec![1, 2]), (10, vec![3, 4, 5])]);
        assert_eq!(stream.collect_all().await.unwrap(), [1, 2]);
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn it_says_what_it_is() {
        let (stream, _) = scripted(1, vec![]);
        assert_eq!(format!("{stream:?}"), "Paged { .. }");
    }
}
