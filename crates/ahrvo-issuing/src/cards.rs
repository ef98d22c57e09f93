//! Cards: the balance of a Dedicated Funds Card, one or many.

use std::collections::{HashMap, VecDeque};
use std::pin::Pin;
use std::task::{Context, Poll};

use ahrvo_transport::{ApiRequest, Error, ErrorKind};
use ahrvo_types::{CardBalance, CardId};
use futures_core::Stream;
use tokio::runtime::Handle;
use tokio::task::{self, JoinSet};

use crate::IssuingClient;
use crate::generated::operations::GET_CARD_BALANCE;

impl IssuingClient {
    /// The available balance of a Dedicated Funds Card, with its masked number.
    ///
    /// A Shared Funds Card has no balance of its own: the API answers 400, an
    /// [`ErrorKind::BadRequest`](crate::ErrorKind::BadRequest) error carrying its message. An
    /// unknown card is [`ErrorKind::NotFound`](crate::ErrorKind::NotFound).
    #[doc(alias = "getCardBalance")]
    pub async fn get_card_balance(&self, card_id: impl Into<CardId>) -> Result<CardBalance, Error> {
        let card_id = card_id.into();
        let request = ApiRequest::new(GET_CARD_BALANCE).query_id("card_id", card_id.as_str())?;
        self.call(request).await
    }
}

/// Options of [`IssuingClient::get_card_balances`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CardBatchOptions {
    concurrency: usize,
}

impl CardBatchOptions {
    /// The default number of requests in flight at once: 8.
    pub const DEFAULT_CONCURRENCY: usize = 8;

    /// The defaults: [`DEFAULT_CONCURRENCY`](Self::DEFAULT_CONCURRENCY) requests at once.
    pub fn new() -> Self {
        Self::default()
    }

    /// At most `n` requests in flight at once; `0` counts as `1`.
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The bound on requests in flight (at least 1).
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }
}

impl Default for CardBatchOptions {
    fn default() -> Self {
        Self {
            concurrency: Self::DEFAULT_CONCURRENCY,
        }
    }
}

/// The outcome for one card of [`IssuingClient::get_card_balances`].
#[derive(Debug)]
#[non_exhaustive]
pub struct CardBalanceResult {
    /// The card, as given.
    pub card_id: CardId,
    /// Its balance, or why it could not be had (e.g. [`ErrorKind::NotFound`] for an unknown
    /// card, [`ErrorKind::BadRequest`] for a Shared Funds Card).
    ///
    /// [`ErrorKind::NotFound`]: crate::ErrorKind::NotFound
    /// [`ErrorKind::BadRequest`]: crate::ErrorKind::BadRequest
    pub result: Result<CardBalance, Error>,
}

impl CardBalanceResult {
    /// A result (for tests and fakes of your own).
    pub fn new(card_id: CardId, result: Result<CardBalance, Error>) -> Self {
        Self { card_id, result }
    }
}

/// The balances of many cards as they arrive, from [`IssuingClient::get_card_balances`].
///
/// Read it with [`next`](Self::next), [`collect_all`](Self::collect_all), or as a
/// [`futures_core::Stream`]. It yields exactly one [`CardBalanceResult`] per card id given, in
/// completion order, then `None`.
///
/// Requests start when the stream is first polled, and a new one starts each time one of the
/// at most `concurrency` in flight is read: a consumer that stops reading stops the batch after
/// at most `concurrency` results waiting. Dropping the stream cancels the requests in flight and
/// starts no more.
///
/// Must be polled inside a Tokio runtime (the requests run as Tokio tasks); polled outside one,
/// every card not yet started comes back with an [`ErrorKind::Config`](crate::ErrorKind::Config)
/// error instead of a panic.
#[derive(Debug)]
pub struct CardBalanceStream {
    client: IssuingClient,
    concurrency: usize,
    waiting: VecDeque<CardId>,
    running: JoinSet<CardBalanceResult>,
    /// The card of each running task, so that a task that panicked still yields its card.
    started: HashMap<task::Id, CardId>,
}

impl CardBalanceStream {
    /// The next result to complete, or `None` when every card has been yielded.
    pub async fn next(&mut self) -> Option<CardBalanceResult> {
        std::future::poll_fn(|cx| self.poll_next_result(cx)).await
    }

    /// Every remaining result, one per card not yet yielded, in completion order (so in no
    /// particular order: match them by [`CardBalanceResult::card_id`]).
    pub async fn collect_all(mut self) -> Vec<CardBalanceResult> {
        let mut all = Vec::with_capacity(self.remaining());
        while let Some(result) = self.next().await {
            all.push(result);
        }
        all
    }

    /// How many results are still to come.
    pub fn remaining(&self) -> usize {
        self.waiting.len().saturating_add(self.running.len())
    }

    /// Starts requests up to the bound; outside a Tokio runtime, fails the next waiting card.
    fn fill(&mut self) -> Option<CardBalanceResult> {
        let handle = match Handle::try_current() {
            Ok(handle) => handle,
            Err(_) => {
                let card_id = self.waiting.pop_front()?;
                return Some(CardBalanceResult::new(
                    card_id,
                    Err(Error::config(
                        "get_card_balances must be polled inside a Tokio runtime",
                    )),
                ));
            }
        };
        while self.running.len() < self.concurrency {
            let Some(card_id) = self.waiting.pop_front() else {
                break;
            };
            let client = self.client.clone();
            let id = card_id.clone();
            let abort = self.running.spawn_on(
                async move {
                    let result = client.get_card_balance(id.clone()).await;
                    CardBalanceResult::new(id, result)
                },
                &handle,
            );
            self.started.insert(abort.id(), card_id);
        }
        None
    }

    fn poll_next_result(&mut self, cx: &mut Context<'_>) -> Poll<Option<CardBalanceResult>> {
        if let Some(failed) = self.fill() {
            return Poll::Ready(Some(failed));
        }
        match self.running.poll_join_next_with_id(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Ready(Some(Ok((id, result)))) => {
                self.started.remove(&id);
                Poll::Ready(Some(result))
            }
            Poll::Ready(Some(Err(join_error))) => {
                let card_id = self
                    .started
                    .remove(&join_error.id())
                    .unwrap_or_else(|| CardId::new(""));
                let message = if join_error.is_panic() {
                    "the balance query panicked"
                } else {
                    "the balance query was cancelled"
                };
                Poll::Ready(Some(CardBalanceResult::new(
                    card_id,
                    Err(Error::new(ErrorKind::Transport, message)),
                )))
            }
        }
    }
}

impl Stream for CardBalanceStream {
    type Item = CardBalanceResult;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_result(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.remaining();
        (n, Some(n))
    }
}

impl IssuingClient {
    /// The balances of many Dedicated Funds Cards, at most
    /// [`concurrency`](CardBatchOptions::with_concurrency) requests at once (8 by default),
    /// yielded as each completes.
    ///
    /// Every id given yields exactly one [`CardBalanceResult`] (an id given twice is queried
    /// twice): a card that fails (unknown, Shared Funds, a timeout after the client's retries)
    /// carries its error and never stops the others. Each request is a
    /// [`get_card_balance`](Self::get_card_balance) with this client's retries and timeouts.
    /// See [`CardBalanceStream`] for when requests start and how dropping cancels them.
    ///
    /// ```no_run
    /// use ahrvo_issuing::{CardBatchOptions, IssuingClient};
    ///
    /// # async fn run(client: IssuingClient) {
    /// let ids = ["card201907021723076245", "card201907021723076246"];
    /// let mut balances = client.get_card_balances(ids, CardBatchOptions::default().with_concurrency(4));
    /// while let Some(card) = balances.next().await {
    ///     match card.result {
    ///         Ok(balance) => println!("{}: {}", card.card_id, balance.available_balance),
    ///         Err(e) => eprintln!("{}: {e}", card.card_id),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn get_card_balances(
        &self,
        card_ids: impl IntoIterator<Item = impl Into<CardId>>,
        options: CardBatchOptions,
    ) -> CardBalanceStream {
        CardBalanceStream {
            client: self.clone(),
            concurrency: options.concurrency().max(1),
            waiting: card_ids.into_iter().map(Into::into).collect(),
            running: JoinSet::new(),
            started: HashMap::new(),
        }
    }
}
