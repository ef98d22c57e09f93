//! Exactly once, with money: a top-up keyed by its `unique_order_id`, sent again only with the
//! same id, and resolved by querying the order whenever an attempt may have landed.
//!
//! Budget top-ups and card top-ups share this logic; each supplies how to send its order and
//! how to look it up ([`OrderApi`]).

use std::time::Duration;

use ahrvo_transport::{Error, ErrorKind, RetryConfig};
use ahrvo_types::{RecordId, UniqueOrderId};

use crate::IssuingErrorCode;
use crate::error_code::error_code;

/// How long a top-up whose order is `PROCESSING` is awaited: up to `max_polls` more queries,
/// `interval` apart. Bounded: after the last one the outcome reports `PROCESSING` as it is.
///
/// ```
/// use std::time::Duration;
///
/// use ahrvo_issuing::OrderPoll;
///
/// let poll = OrderPoll::new(10, Duration::from_millis(500)); // at most ~5 s
/// assert_eq!(poll.max_polls(), 10);
/// assert_eq!(OrderPoll::default(), OrderPoll::new(8, Duration::from_millis(250)));
/// assert_eq!(OrderPoll::none().max_polls(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct OrderPoll {
    max_polls: u32,
    interval: Duration,
}

impl OrderPoll {
    /// Up to `max_polls` queries after the first, `interval` apart.
    pub fn new(max_polls: u32, interval: Duration) -> Self {
        Self {
            max_polls,
            interval,
        }
    }

    /// No waiting: a `PROCESSING` order is reported as it is found.
    pub fn none() -> Self {
        Self::new(0, Duration::ZERO)
    }

    /// The most queries after the first.
    pub fn max_polls(&self) -> u32 {
        self.max_polls
    }

    /// The wait between queries.
    pub fn interval(&self) -> Duration {
        self.interval
    }
}

impl Default for OrderPoll {
    /// 8 more queries, 250 ms apart (about 2 s).
    fn default() -> Self {
        Self::new(8, Duration::from_millis(250))
    }
}

/// The outcome of a top-up ([`IssuingClient::top_up_budget`], [`IssuingClient::top_up_card`]):
/// the order id to keep, the funding record, its status when known, and how it was learnt.
///
/// `S` is the order's status type: [`TopUpOrderStatus`](crate::TopUpOrderStatus) for a budget,
/// [`CardFundingStatus`](crate::CardFundingStatus) for a card.
///
/// [`IssuingClient::top_up_budget`]: crate::IssuingClient::top_up_budget
/// [`IssuingClient::top_up_card`]: crate::IssuingClient::top_up_card
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopUpOutcome<S> {
    /// The order's id: the caller's, or the UUID v4 the SDK made. Store it: it finds the order.
    pub unique_order_id: UniqueOrderId,
    /// The funding record: from the top-up's reply, or from the order when it was resolved by
    /// query (`None` if the order did not say).
    pub record_id: Option<RecordId>,
    /// The order's status when it was queried (resolved by query, or confirmed on request);
    /// `None` when the top-up's reply was taken as it is (accepted, not queried).
    pub status: Option<S>,
    /// `true` when an attempt's outcome was unknown (or a duplicate refused) and the order was
    /// found by querying it.
    pub resolved_by_query: bool,
    /// Top-up requests sent in all (1 without retries).
    pub attempts: u32,
    /// Order queries made (0 when none was needed).
    pub queries: u32,
}

/// An order found by its id.
pub(crate) struct Found<S> {
    pub(crate) status: S,
    pub(crate) record_id: Option<RecordId>,
    /// Whether the order found has this call's body (`None`: the order does not say).
    pub(crate) same_order: Option<bool>,
}

/// How one kind of top-up is sent and looked up.
pub(crate) trait OrderApi {
    type Status: Clone;
    /// What the operation is called in messages ("budget top-up").
    const WHAT: &'static str;
    /// How to look the order up, for messages: `get_top_up_order("id")`.
    fn query_hint(id: &UniqueOrderId) -> String;

    fn is_processing(status: &Self::Status) -> bool;
    /// Sends the order once (the transport retries it under its policy): the record, and how
    /// many requests were sent.
    async fn send(&self) -> Result<(RecordId, u32), Error>;
    /// Looks the order up: `None` when there is no such order.
    async fn query(&self) -> Result<Option<Found<Self::Status>>, Error>;
}

/// The most times one top-up call sends its order: a round ends when the order's query says it
/// did not land (404), and each round's request is retried by the client's retry policy.
pub const MAX_ROUNDS: u32 = 3;

/// Whether an error is the API's refusal of a used `unique_order_id`.
fn is_duplicate(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::BadRequest | ErrorKind::Api)
        && error_code(e) == Some(IssuingErrorCode::DuplicateOrderId)
}

/// Whether an attempt of the call may have been applied although the call failed.
fn may_have_landed(e: &Error) -> bool {
    e.is_outcome_unknown()
        || e.prior_outcome_unknown()
        || matches!(e.kind(), ErrorKind::Server | ErrorKind::Decode)
}

/// Sends the order until its outcome is known; see [`IssuingClient::top_up_budget`].
///
/// [`IssuingClient::top_up_budget`]: crate::IssuingClient::top_up_budget
pub(crate) async fn exactly_once<A: OrderApi>(
    api: &A,
    id: &UniqueOrderId,
    poll: OrderPoll,
    confirm: bool,
    retry: &RetryConfig,
) -> Result<TopUpOutcome<A::Status>, Error> {
    let mut outcome = TopUpOutcome {
        unique_order_id: id.clone(),
        record_id: None,
        status: None,
        resolved_by_query: false,
        attempts: 0,
        queries: 0,
    };
    let rounds = MAX_ROUNDS;
    let mut last = None;
    for round in 1..=rounds {
        if round > 1 {
            tokio::time::sleep(retry.jittered_backoff(round - 1)).await;
        }
        let error = match api.send().await {
            Ok((record_id, sent)) => {
                outcome.attempts += sent;
                outcome.record_id = Some(record_id);
                if confirm
                    && let Ok(Some(found)) = query_settled(api, poll, &mut outcome.queries).await
                {
                    outcome.status = Some(found.status);
                }
                return Ok(outcome);
            }
            Err(e) => e,
        };
        outcome.attempts += error.attempts();
        let duplicate = is_duplicate(&error);
        if !duplicate && !may_have_landed(&error) {
            return Err(error);
        }
        // A duplicate after an earlier attempt or round of this call: that one landed.
        let ours = error.prior_outcome_unknown() || round > 1;
        tracing::warn!(
            error = %error,
            unique_order_id = %id,
            round,
            "{}: the outcome is not known from the reply; querying the order",
            A::WHAT
        );
        match query_settled(api, poll, &mut outcome.queries).await {
            Ok(Some(found)) => {
                match (duplicate, found.same_order) {
                    (_, Some(false)) => {
                        return Err(error.with_context(format!(
                            "unique_order_id {id} belongs to another order (another body): \
                             choose a new id for a new top-up"
                        )));
                    }
                    // Refused on the call's first attempt, and the order does not say its
                    // body: an earlier call's order, which may or may not be this top-up.
                    (true, None) if !ours => {
                        return Err(error.with_context(format!(
                            "unique_order_id {id} was used before, and its order does not say \
                             its body: it cannot be told whether it is this top-up; check it \
                             with {} before choosing a new id",
                            A::query_hint(id)
                        )));
                    }
                    _ => {}
                }
                outcome.record_id = found.record_id;
                outcome.status = Some(found.status);
                outcome.resolved_by_query = true;
                return Ok(outcome);
            }
            Ok(None) if duplicate => {
                return Err(error.with_context(format!(
                    "the API refused unique_order_id {id} as used, but has no such order"
                )));
            }
            // Not landed: safe to send again with the same id.
            Ok(None) => {
                tracing::info!(unique_order_id = %id, round, "{}: no such order; sending it again", A::WHAT);
                last = Some(error);
            }
            Err(query_error) => {
                tracing::warn!(error = %query_error, "{}: the order query failed", A::WHAT);
                return Err(unknown(error, id, &A::query_hint(id)));
            }
        }
    }
    match last {
        Some(error) => Err(error.with_context(format!(
            "unique_order_id {id}: the top-up did not land in {rounds} rounds; it is safe to send \
             again with the same id"
        ))),
        None => Err(Error::validation("no attempt was made")),
    }
}

fn unknown(error: Error, id: &UniqueOrderId, query: &str) -> Error {
    error.with_context(format!(
        "the outcome of top-up {id} is unknown: it may or may not have been applied; query it \
         with {query} and send it again only with the same unique_order_id"
    ))
}

/// Queries the order, then again while it is `PROCESSING`, as `poll` allows.
async fn query_settled<A: OrderApi>(
    api: &A,
    poll: OrderPoll,
    queries: &mut u32,
) -> Result<Option<Found<A::Status>>, Error> {
    *queries += 1;
    let mut found = api.query().await?;
    for _ in 0..poll.max_polls {
        match &found {
            Some(order) if A::is_processing(&order.status) => {
                tokio::time::sleep(poll.interval).await;
                *queries += 1;
                found = api.query().await?;
            }
            _ => break,
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_poll_gives_back_its_bound_and_interval() {
        let poll = OrderPoll::new(10, Duration::from_millis(500));
        assert_eq!(
            (poll.max_polls(), poll.interval()),
            (10, Duration::from_millis(500))
        );
        assert_eq!(OrderPoll::new(1, Duration::ZERO).max_polls(), 1);
        assert_eq!(
            OrderPoll::default(),
            OrderPoll::new(8, Duration::from_millis(250))
        );
        // `none` waits for nothing: no more query, no interval.
        let none = OrderPoll::none();
        assert_eq!((none.max_polls(), none.interval()), (0, Duration::ZERO));
        assert_ne!(none, OrderPoll::default());
    }
}
