//! The card page's "Check Card Balance Before Transaction".

use ahrvo_transport::Error;
use ahrvo_types::Decimal;

/// Whether an available balance covers an amount, from [`check_funds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FundsCheck {
    /// `available >= amount`.
    Sufficient {
        /// `available - amount`: the balance after the transaction.
        remaining: Decimal,
    },
    /// `available < amount`.
    Insufficient {
        /// `amount - available`: the top-up the page says is required.
        shortage: Decimal,
    },
}

impl FundsCheck {
    /// Whether the funds suffice.
    pub fn is_sufficient(&self) -> bool {
        matches!(self, Self::Sufficient { .. })
    }
}

/// Checks that `available` covers `amount`, exactly (`available >= amount` suffices, so an
/// amount equal to the balance leaves `0`).
///
/// # Errors
///
/// An [`ErrorKind::Validation`](crate::ErrorKind::Validation) error when `amount` is not above
/// zero, or when the difference leaves the range of `Decimal` (only possible with a hugely
/// negative `available`).
///
/// ```
/// use ahrvo_issuing::analysis::{check_funds, FundsCheck};
///
/// assert_eq!(
///     check_funds("1468.87".parse()?, "500.00".parse()?)?,
///     FundsCheck::Sufficient { remaining: "968.87".parse()? },
/// );
/// assert_eq!(
///     check_funds("100.00".parse()?, "100.01".parse()?)?,
///     FundsCheck::Insufficient { shortage: "0.01".parse()? },
/// );
/// assert!(check_funds("100.00".parse()?, "0".parse()?).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_funds(available: Decimal, amount: Decimal) -> Result<FundsCheck, Error> {
    if amount <= Decimal::ZERO {
        return Err(Error::validation(format!(
            "the amount must be greater than zero, not {amount}"
        )));
    }
    let out_of_range = || Error::validation("the difference of the amounts is out of range");
    if available >= amount {
        let remaining = available.checked_sub(amount).ok_or_else(out_of_range)?;
        Ok(FundsCheck::Sufficient { remaining })
    } else {
        let shortage = amount.checked_sub(available).ok_or_else(out_of_range)?;
        Ok(FundsCheck::Insufficient { shortage })
    }
}
