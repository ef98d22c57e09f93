//! Budget accounts: list all balances, create one.

use ahrvo_transport::{ApiRequest, Error, ErrorKind};
use ahrvo_types::{BudgetBalance, BudgetId, CreateBudgetRequest, CreateBudgetResult};
use tokio::time::Instant;

use crate::IssuingClient;
use crate::generated::operations::{CREATE_BUDGET, LIST_BUDGET_BALANCES};

/// The longest budget name accepted, in characters.
pub const MAX_BUDGET_NAME_CHARS: usize = 100;

/// Checks a budget name the way [`IssuingClient::create_budget`] does, returning it trimmed:
/// not empty, at most [`MAX_BUDGET_NAME_CHARS`] characters, no control characters.
///
/// ```
/// use ahrvo_issuing::validate_budget_name;
///
/// assert_eq!(validate_budget_name("  Q1 2026 Operations ")?, "Q1 2026 Operations");
/// assert!(validate_budget_name("   ").is_err());
/// assert!(validate_budget_name("tab\there").is_err());
/// # Ok::<(), ahrvo_issuing::Error>(())
/// ```
pub fn validate_budget_name(name: &str) -> Result<&str, Error> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(Error::validation("budget_name must not be empty"));
    }
    let chars = trimmed.chars().count();
    if chars > MAX_BUDGET_NAME_CHARS {
        return Err(Error::validation(format!(
            "budget_name is {chars} characters long; at most {MAX_BUDGET_NAME_CHARS} are allowed"
        )));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Error::validation(
            "budget_name must not contain control characters",
        ));
    }
    Ok(trimmed)
}

/// A budget account created by [`IssuingClient::create_budget`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CreatedBudget {
    /// The id of the budget account.
    pub budget_id: BudgetId,
    /// `false` when the id came from the API's reply to a create; `true` when a create's outcome
    /// was unknown (timeout, lost connection, unreadable reply), a create sent again was refused
    /// with 409, and the id was found by listing the budgets by name.
    pub recovered: bool,
}

impl CreatedBudget {
    /// A created budget (for tests and fakes of your own).
    pub fn new(budget_id: BudgetId, recovered: bool) -> Self {
        Self {
            budget_id,
            recovered,
        }
    }
}

impl From<CreatedBudget> for BudgetId {
    fn from(created: CreatedBudget) -> Self {
        created.budget_id
    }
}

impl IssuingClient {
    /// Lists every budget account with its available balance.
    ///
    /// No budget accounts is an empty list, whether the API sends an empty array or its documented
    /// 404 "no budget accounts exist" (an Issuing error body; a 404 of another shape, such as a
    /// proxy's page, stays an error).
    #[doc(alias = "listBudgetBalances")]
    pub async fn list_budget_balances(&self) -> Result<Vec<BudgetBalance>, Error> {
        match self.call(ApiRequest::new(LIST_BUDGET_BALANCES)).await {
            Err(e) if e.kind() == ErrorKind::NotFound && e.api_code().is_some() => Ok(Vec::new()),
            other => other,
        }
    }

    /// Creates a budget account named `name` (trimmed), exactly once, and returns its id.
    ///
    /// The name is checked with [`validate_budget_name`] before anything is sent. A name already
    /// in use is an [`ErrorKind::Conflict`]: a budget that existed before this call is never
    /// claimed.
    ///
    /// When the outcome of the create is unknown — no reply in time, the connection lost after
    /// the request was sent, a cut-off or undecodable 2xx reply — the call resolves it instead of
    /// failing: it sends the create again (after the retry policy's backoff), and if the API
    /// answers 409 it looks the budget up by name ([`list_budget_balances`], exact match after
    /// trimming) and returns its id with [`CreatedBudget::recovered`] set. At most
    /// [`RetryConfig::max_attempts`](ahrvo_transport::RetryConfig) further creates are sent, all
    /// within the client's whole-call timeout ([`TimeoutConfig::total`], counted from the start
    /// of this call). If the outcome still cannot be resolved, the first error is returned — a
    /// timeout or a lost connection ([`Error::is_outcome_unknown`] says so), or the decode error of
    /// the unreadable reply: the budget may or may not exist, and only a lookup by name can tell.
    ///
    /// The Ahrvo API has no idempotency key: a budget of the same name created elsewhere between
    /// the lost attempt and the lookup is indistinguishable from this call's own. Keep budget
    /// names unique to one creator.
    ///
    /// [`list_budget_balances`]: IssuingClient::list_budget_balances
    /// [`TimeoutConfig::total`]: ahrvo_transport::TimeoutConfig::total
    #[doc(alias = "createBudget")]
    pub async fn create_budget(&self, name: &str) -> Result<CreatedBudget, Error> {
        let name = validate_budget_name(name)?;
        let request =
            ApiRequest::new(CREATE_BUDGET).json(&CreateBudgetRequest::new(name.to_owned()))?;
        let deadline = Instant::now() + self.api.total_timeout();
        let unknown = match self.call::<CreateBudgetResult>(request.clone()).await {
            Ok(result) => return Ok(CreatedBudget::new(result.budget_id, false)),
            Err(e) if may_have_created(&e) => e,
            Err(e) => return Err(e),
        };
        tracing::warn!(
            error = %unknown,
            "createBudget: outcome unknown; resolving by sending again and looking up the name"
        );
        match tokio::time::timeout_at(deadline, self.resolve_create(name, request)).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) | Err(_) => {
                tracing::warn!(error = %unknown, "createBudget: outcome still unknown");
                Err(unknown)
            }
        }
    }

    /// Sends the create again until the outcome is known: a reply with the id, or a 409 and the
    /// name found in the list. `None` when the attempts run out or an error says nothing more.
    async fn resolve_create(&self, name: &str, request: ApiRequest) -> Option<CreatedBudget> {
        let retry = self.api.retry_config();
        for resend in 1..=retry.max_attempts.max(1) {
            tokio::time::sleep(retry.backoff_cap(resend)).await;
            match self.call::<CreateBudgetResult>(request.clone()).await {
                Ok(result) => return Some(CreatedBudget::new(result.budget_id, false)),
                Err(e) if e.kind() == ErrorKind::Conflict => match self.find_budget(name).await {
                    Ok(Some(budget_id)) => {
                        tracing::info!(%budget_id, "createBudget: recovered by name after 409");
                        return Some(CreatedBudget::new(budget_id, true));
                    }
                    Ok(None) => tracing::debug!("createBudget: 409 but the name is not listed"),
                    Err(e) => tracing::debug!(error = %e, "createBudget: lookup failed"),
                },
                Err(e) if may_have_created(&e) || e.is_retryable() => {
                    tracing::debug!(error = %e, resend, "createBudget: still unknown");
                }
                Err(e) => {
                    tracing::debug!(error = %e, "createBudget: resolution stopped");
                    return None;
                }
            }
        }
        None
    }

    /// The id of the one listed budget named exactly `name` (trimmed).
    async fn find_budget(&self, name: &str) -> Result<Option<BudgetId>, Error> {
        let mut found = self
            .list_budget_balances()
            .await?
            .into_iter()
            .filter(|b| b.budget_name.trim() == name);
        Ok(match (found.next(), found.next()) {
            (Some(only), None) => Some(only.budget_id),
            _ => None,
        })
    }
}

/// Whether a failed create may nonetheless have created the budget: no reply in time, the
/// connection lost after sending, or a 2xx reply that could not be read.
fn may_have_created(e: &Error) -> bool {
    e.is_outcome_unknown() || e.kind() == ErrorKind::Decode
}
