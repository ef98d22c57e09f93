//! Cards: the balance of a Dedicated Funds Card, one or many.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use ahrvo_transport::{ApiRequest, Error};
use ahrvo_types::{CardBalance, CardId};
use futures_core::Stream;
use futures_util::{StreamExt, stream};
use tokio::runtime::Handle;

use crate::IssuingClient;
use crate::generated::operations::GET_CARD_BALANCE;

impl IssuingClient {
    /// The available balance of a Dedicated Funds Card, with its masked number.
    ///
    /// A Shared Funds Card has no balance of its own: the API answers 400, an
    /// [`ErrorKind::BadRequest`](crate::ErrorKind::BadRequest) error carrying its message. An
    /// unknown card is [`ErrorKind::NotFound`](crate::ErrorKind::NotFound).
    ///
    /// ```
    /// # use ahrvo_issuing::{ClientConfig, Environment, IssuingClient, IssuingCredentials};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = ahrvo_sandbox::Sandbox::start_seeded().await?;
    /// # let c = sandbox.credentials();
    /// # let client = IssuingClient::new(
    /// #     &ClientConfig::new(Environment::custom(sandbox.base_url())?),
    /// #     IssuingCredentials::new(c.api_key.clone(), c.access_token.clone()),
    /// # )?;
    /// // `client` is an `IssuingClient` (here against a local, seeded sandbox).
    /// use ahrvo_issuing::ErrorKind;
    ///
    /// let card = client.get_card_balance("card201907021723076245").await?;
    /// println!("{} available {}", card.card_number, card.available_balance);
    /// assert!(card.card_number.as_str().contains("****")); // masked, always
    ///
    /// let missing = client.get_card_balance("card-that-does-not-exist").await.unwrap_err();
    /// assert_eq!(missing.kind(), ErrorKind::NotFound);
    /// # Ok(()) }
    /// ```
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

/// The balances of many cards, from [`IssuingClient::get_card_balances`].
///
/// Read it with [`next`](Self::next), [`collect_all`](Self::collect_all), or as a
/// [`futures_core::Stream`]. It yields exactly one [`CardBalanceResult`] per card id given, **in
/// the order given**, then `None`.
///
/// Requests start when the stream is first polled; at most `concurrency` are in flight or
/// waiting to be read at once, and a new one starts each time the oldest is read: a consumer
/// that stops reading stops the batch. A slow card holds back the results after it (never more
/// than `concurrency` of them). The requests run inside the task that polls the stream; dropping
/// the stream cancels those in flight and starts no more.
///
/// Must be polled inside a Tokio runtime (the transport and its timers need one); polled outside
/// one, every card comes back with an [`ErrorKind::Config`](crate::ErrorKind::Config) error
/// instead of a panic.
pub struct CardBalanceStream {
    inner: Pin<Box<dyn Stream<Item = CardBalanceResult> + Send>>,
    remaining: usize,
}

impl fmt::Debug for CardBalanceStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardBalanceStream")
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

impl CardBalanceStream {
    /// The next result, in the order the cards were given, or `None` when every card has been
    /// yielded.
    pub async fn next(&mut self) -> Option<CardBalanceResult> {
        StreamExt::next(self).await
    }

    /// Every remaining result, one per card not yet yielded, in the order the cards were given.
    pub async fn collect_all(self) -> Vec<CardBalanceResult> {
        StreamExt::collect(self).await
    }

    /// How many results are still to come.
    pub fn remaining(&self) -> usize {
        self.remaining
    }
}

impl Stream for CardBalanceStream {
    type Item = CardBalanceResult;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let next = this.inner.as_mut().poll_next(cx);
        if let Poll::Ready(Some(_)) = next {
            this.remaining = this.remaining.saturating_sub(1);
        }
        next
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

/// One card's query: its result, or a [`ErrorKind::Config`](crate::ErrorKind::Config) error
/// outside a Tokio runtime (where the transport would panic).
async fn query(client: IssuingClient, card_id: CardId) -> CardBalanceResult {
    let result = if Handle::try_current().is_ok() {
        client.get_card_balance(card_id.clone()).await
    } else {
        Err(Error::config(
            "get_card_balances must be polled inside a Tokio runtime",
        ))
    };
    CardBalanceResult::new(card_id, result)
}

impl IssuingClient {
    /// The balances of many Dedicated Funds Cards, at most
    /// [`concurrency`](CardBatchOptions::with_concurrency) requests at once (8 by default),
    /// yielded in the order given.
    ///
    /// Every id given yields exactly one [`CardBalanceResult`] (an id given twice is queried
    /// twice): a card that fails (unknown, Shared Funds, a timeout after the client's retries)
    /// carries its error and never stops the others. Each request is a
    /// [`get_card_balance`](Self::get_card_balance) with this client's retries and timeouts.
    /// See [`CardBalanceStream`] for when requests start and how dropping cancels them.
    ///
    /// ```
    /// # use ahrvo_issuing::{ClientConfig, Environment, IssuingClient, IssuingCredentials};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = ahrvo_sandbox::Sandbox::start_seeded().await?;
    /// # let c = sandbox.credentials();
    /// # let client = IssuingClient::new(
    /// #     &ClientConfig::new(Environment::custom(sandbox.base_url())?),
    /// #     IssuingCredentials::new(c.api_key.clone(), c.access_token.clone()),
    /// # )?;
    /// // `client` is an `IssuingClient` (here against a local, seeded sandbox).
    /// use ahrvo_issuing::CardBatchOptions;
    ///
    /// let ids = ["card201907021723076245", "card-unknown"];
    /// let mut balances = client.get_card_balances(ids, CardBatchOptions::default().with_concurrency(4));
    /// let mut failed = 0;
    /// while let Some(card) = balances.next().await {
    ///     match card.result {
    ///         Ok(balance) => println!("{}: {}", card.card_id, balance.available_balance),
    ///         Err(e) => {
    ///             failed += 1;
    ///             eprintln!("{}: {e}", card.card_id)
    ///         }
    ///     }
    /// }
    /// assert_eq!(failed, 1);
    /// # Ok(()) }
    /// ```
    pub fn get_card_balances(
        &self,
        card_ids: impl IntoIterator<Item = impl Into<CardId>>,
        options: CardBatchOptions,
    ) -> CardBalanceStream {
        let ids: Vec<CardId> = card_ids.into_iter().map(Into::into).collect();
        let remaining = ids.len();
        let client = self.clone();
        let inner = stream::iter(ids)
            .map(move |card_id| query(client.clone(), card_id))
            .buffered(options.concurrency().max(1));
        CardBalanceStream {
            inner: Box::pin(inner),
            remaining,
        }
    }
}
