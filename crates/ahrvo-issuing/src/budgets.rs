//! Budget accounts: list all balances, create one.

use ahrvo_transport::{ApiRequest, Error, ErrorKind};
use ahrvo_types::{BudgetBalance, BudgetId, CreateBudgetRequest, CreateBudgetResult};

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

    /// Creates a budget account named `name` (trimmed) and returns its id.
    ///
    /// The name is checked with [`validate_budget_name`] before anything is sent. A name already
    /// in use is an [`ErrorKind::Conflict`]. Not retried when its outcome is unknown (timeout,
    /// connection lost after sending): such an error says so with
    /// [`Error::is_outcome_unknown`].
    #[doc(alias = "createBudget")]
    pub async fn create_budget(&self, name: &str) -> Result<BudgetId, Error> {
        let name = validate_budget_name(name)?;
        let request =
            ApiRequest::new(CREATE_BUDGET).json(&CreateBudgetRequest::new(name.to_owned()))?;
        let result: CreateBudgetResult = self.call(request).await?;
        Ok(result.budget_id)
    }
}
