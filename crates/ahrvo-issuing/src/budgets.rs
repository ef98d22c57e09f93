//! Budget accounts: list all balances, create one.

use ahrvo_transport::{ApiRequest, Error, ErrorKind};
use ahrvo_types::{BudgetBalance, BudgetId, CreateBudgetRequest};
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

/// The documented "no budget accounts" 404 (page 000; the spec's example body):
/// `{"code": "NOT_FOUND", "message": "No budget accounts exist"}`, the message compared without
/// regard to case or a final period.
fn is_no_budgets(e: &Error) -> bool {
    const CODE: &str = "NOT_FOUND";
    const MESSAGE: &str = "no budget accounts exist";
    e.kind() == ErrorKind::NotFound
        && e.api_code() == Some(CODE)
        && e.message()
            .trim()
            .trim_end_matches('.')
            .eq_ignore_ascii_case(MESSAGE)
}

impl IssuingClient {
    /// Lists every budget account with its available balance.
    ///
    /// No budget accounts is an empty list, whether the API sends an empty array or its documented
    /// 404 "No budget accounts exist" (code `NOT_FOUND`, that message). Any other 404 (an unknown
    /// route, a proxy's page, a base URL with a wrong path prefix) is an
    /// [`ErrorKind::NotFound`] error that says the base URL may not serve the Ahrvo API: it is
    /// never taken for "no budgets".
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
    /// for budget in client.list_budget_balances().await? {
    ///     println!("{:<30} {} {}", budget.budget_name, budget.currency, budget.balance);
    /// }
    /// let budgets = client.list_budget_balances().await?;
    /// let travel = budgets.iter().find(|b| b.budget_name == "Travel Expenses").unwrap();
    /// assert_eq!(travel.balance.to_string(), "12500.50"); // exact, scale kept
    /// # Ok(()) }
    /// ```
    #[doc(alias = "listBudgetBalances")]
    pub async fn list_budget_balances(&self) -> Result<Vec<BudgetBalance>, Error> {
        match self.call(ApiRequest::new(LIST_BUDGET_BALANCES)).await {
            Err(e) if is_no_budgets(&e) => Ok(Vec::new()),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(e.with_context(format!(
                "is the base URL right? {} may not serve the Ahrvo API",
                self.base_url()
            ))),
            other => other,
        }
    }

    /// Creates a budget account named `name` (trimmed), exactly once, and returns its id.
    ///
    /// The name is checked with [`validate_budget_name`] before anything is sent. A name already
    /// in use is an [`ErrorKind::Conflict`]: a budget that existed before this call is never
    /// claimed.
    ///
    /// The API refuses a duplicate name with 409, so a create whose outcome is unknown (no reply
    /// in time, the connection lost after sending, a 5xx) is sent again by the client's retry
    /// policy (its attempts, backoff with jitter and whole-call timeout). When a later attempt is
    /// refused with 409, the earlier one created the budget: the call looks it up by name
    /// ([`list_budget_balances`], exact match after trimming) and returns its id with
    /// [`CreatedBudget::recovered`] set. A 2xx reply that cannot be read is resolved the same
    /// way. If the outcome cannot be resolved, the error says so ([`Error::is_outcome_unknown`],
    /// or a [`ErrorKind::Decode`] of the create's reply): the budget may or may not exist, and
    /// only a lookup by name can tell. Its `Display` says it in words ([`Error::context`]):
    /// `the budget "Q1" may or may not have been created: list the budgets and look for the name
    /// before creating it again`.
    ///
    /// The Ahrvo API has no idempotency key: a budget of the same name created elsewhere between
    /// the lost attempt and the lookup is indistinguishable from this call's own. Keep budget
    /// names unique to one creator.
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
    /// let created = client.create_budget("Q1 2026 Operations").await?;
    /// println!("budget {}", created.budget_id);
    ///
    /// match client.create_budget("Q1 2026 Operations").await {
    ///     Ok(created) => println!("budget {}", created.budget_id),
    ///     Err(e) if e.kind() == ErrorKind::Conflict => println!("that name is taken: {e}"),
    ///     // `e` says it: "the budget ... may or may not have been created: list the budgets..."
    ///     Err(e) if e.is_outcome_unknown() => println!("{e}"),
    ///     Err(e) => return Err(e.into()),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// [`list_budget_balances`]: IssuingClient::list_budget_balances
    #[doc(alias = "createBudget")]
    pub async fn create_budget(&self, name: &str) -> Result<CreatedBudget, Error> {
        let name = validate_budget_name(name)?;
        self.create_budget_once(name).await.map_err(|e| {
            // A 2xx create whose reply could not be read created something too.
            if e.is_outcome_unknown() || e.kind() == ErrorKind::Decode {
                e.with_context(format!(
                    "the budget {name:?} may or may not have been created: list the budgets and \
                     look for the name before creating it again"
                ))
            } else {
                e
            }
        })
    }

    async fn create_budget_once(&self, name: &str) -> Result<CreatedBudget, Error> {
        let request = ApiRequest::new(CREATE_BUDGET)
            .json(&CreateBudgetRequest::new(name.to_owned()))?
            .resend_on_unknown_outcome();
        let deadline = Instant::now() + self.api.total_timeout();
        let unknown = match self.call(request.clone()).await {
            Ok(result) => return Ok(CreatedBudget::new(result.budget_id, false)),
            // An earlier attempt of this call may have created it: the name is ours.
            Err(e) if e.kind() == ErrorKind::Conflict && e.prior_outcome_unknown() => e,
            // Created, but the reply is unreadable: send it again to learn the id or get a 409.
            Err(e) if e.kind() == ErrorKind::Decode => match self.call(request).await {
                Ok(result) => return Ok(CreatedBudget::new(result.budget_id, false)),
                Err(again) if again.kind() == ErrorKind::Conflict => e,
                Err(again) => return Err(again),
            },
            Err(e) => return Err(e),
        };
        tracing::warn!(
            error = %unknown,
            "createBudget: an earlier attempt may have created the budget; looking it up by name"
        );
        match tokio::time::timeout_at(deadline, self.recover_by_name(name)).await {
            Ok(Some(budget_id)) => Ok(CreatedBudget::new(budget_id, true)),
            Ok(None) | Err(_) => {
                tracing::warn!(error = %unknown, "createBudget: outcome still unknown");
                Err(unknown)
            }
        }
    }

    /// Looks the name up until it is listed, waiting between lookups as the retry policy does
    /// between attempts (a list may lag behind a create). `None` when the attempts run out.
    async fn recover_by_name(&self, name: &str) -> Option<BudgetId> {
        let retry = self.api.retry_config();
        for round in 1..=retry.max_attempts.max(1) {
            if round > 1 {
                tokio::time::sleep(retry.jittered_backoff(round - 1)).await;
            }
            match self.find_budget(name).await {
                Ok(Some(budget_id)) => {
                    tracing::info!(%budget_id, "createBudget: recovered by name after 409");
                    return Some(budget_id);
                }
                Ok(None) => tracing::debug!(round, "createBudget: the name is not listed yet"),
                Err(e) => tracing::debug!(error = %e, round, "createBudget: lookup failed"),
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
