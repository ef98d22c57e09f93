//! The card page's "Check Card Balance Before Transaction".

use ahrvo_types::money::decimal_string;
use ahrvo_types::{CardBalance, CardId, Decimal};
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::InvalidInput;

/// Whether an available balance covers an amount, from [`check_funds`].
///
/// Serialized as `{"sufficient": true, "remaining": "968.87"}` or `{"sufficient": false,
/// "shortage": "0.01"}`.
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

    /// What is left after the transaction, when the funds suffice.
    pub fn remaining(&self) -> Option<Decimal> {
        match self {
            Self::Sufficient { remaining } => Some(*remaining),
            Self::Insufficient { .. } => None,
        }
    }

    /// The top-up required first, when they do not.
    pub fn shortage(&self) -> Option<Decimal> {
        match self {
            Self::Sufficient { .. } => None,
            Self::Insufficient { shortage } => Some(*shortage),
        }
    }
}

impl Serialize for FundsCheck {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Amount(Decimal);
        impl Serialize for Amount {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                decimal_string::serialize(&self.0, serializer)
            }
        }
        let mut s = serializer.serialize_struct("FundsCheck", 2)?;
        s.serialize_field("sufficient", &self.is_sufficient())?;
        match self {
            Self::Sufficient { remaining } => {
                s.serialize_field("remaining", &Amount(*remaining))?
            }
            Self::Insufficient { shortage } => s.serialize_field("shortage", &Amount(*shortage))?,
        }
        s.end()
    }
}

/// Checks that `available` covers `amount`, exactly (`available >= amount` suffices, so an
/// amount equal to the balance leaves `0`).
///
/// # Errors
///
/// An [`InvalidInput`] error when `amount` is not above zero, or when the difference leaves the
/// range of `Decimal` (only possible with a hugely negative `available`).
///
/// ```
/// use ahrvo_reports::issuing::{check_funds, FundsCheck};
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
pub fn check_funds(available: Decimal, amount: Decimal) -> Result<FundsCheck, InvalidInput> {
    if amount <= Decimal::ZERO {
        return Err(InvalidInput::new(format!(
            "the amount must be greater than zero, not {amount}"
        )));
    }
    let out_of_range = || InvalidInput::new("the difference of the amounts is out of range");
    if available >= amount {
        let remaining = available.checked_sub(amount).ok_or_else(out_of_range)?;
        Ok(FundsCheck::Sufficient { remaining })
    } else {
        let shortage = amount.checked_sub(available).ok_or_else(out_of_range)?;
        Ok(FundsCheck::Insufficient { shortage })
    }
}

/// A card's fund check, from [`check_card_funds`]: the card, the amount and the verdict.
///
/// Serialized flat: `{"card_id": ..., "card_number": "5157********2686", "available_balance":
/// "1468.87", "amount": "500.00", "sufficient": true, "remaining": "968.87"}` (`shortage`
/// instead of `remaining` when the funds do not suffice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CardFundsCheck {
    /// The card.
    pub card_id: CardId,
    /// Its balance, as queried.
    #[serde(flatten)]
    pub card: CardBalance,
    /// The amount to spend.
    #[serde(with = "decimal_string")]
    pub amount: Decimal,
    /// Whether the card's `available_balance` covers it.
    #[serde(flatten)]
    pub check: FundsCheck,
}

/// [`check_funds`] on a card's `available_balance`, with the card kept for the report.
///
/// # Errors
///
/// As [`check_funds`].
///
/// ```
/// use ahrvo_reports::issuing::check_card_funds;
/// use ahrvo_types::{CardBalance, MaskedCardNumber};
///
/// let card = CardBalance::new(MaskedCardNumber::new("5157********2686"), "1468.87".parse()?);
/// let check = check_card_funds("card1".into(), card, "2000.00".parse()?)?;
/// assert!(!check.check.is_sufficient());
/// let json = serde_json::to_value(&check)?;
/// assert_eq!(json["shortage"], "531.13");
/// assert_eq!(json["sufficient"], false);
/// assert_eq!(json["available_balance"], "1468.87");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_card_funds(
    card_id: CardId,
    card: CardBalance,
    amount: Decimal,
) -> Result<CardFundsCheck, InvalidInput> {
    let check = check_funds(card.available_balance, amount)?;
    Ok(CardFundsCheck {
        card_id,
        card,
        amount,
        check,
    })
}
