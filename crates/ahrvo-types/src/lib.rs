//! Typed models of the Ahrvo Network API: the generated models, exact money, ids, currencies and
//! timestamps. No HTTP, no async.
//!
//! Issuing money is a [`rust_decimal::Decimal`] read from and written back to its decimal string
//! with its scale intact (`"78900.00"` stays `"78900.00"`); Payments money is [`Cents`], integer
//! minor units. No float is used anywhere. Enums the API sends keep values this SDK does not know
//! yet in an `Unknown(String)` variant, and unknown fields are ignored, so a new field or value in
//! a reply never breaks decoding.
//!
//! Most models are generated from `docs/openapi/ahrvo.json` by `cargo xtask codegen` (see
//! [`generated`](crate#modules)); the scalar types here are written by hand.
//!
//! ```
//! use ahrvo_types::BudgetBalance;
//!
//! let json = r#"{"budget_id":"ci202507232016182662","budget_name":"Engineering Team Budget",
//!                "balance":"78900.00","currency":"USD"}"#;
//! let budget: BudgetBalance = serde_json::from_str(json)?;
//! assert_eq!(budget.balance.to_string(), "78900.00");
//! assert_eq!(budget.currency.as_str(), "USD");
//! # Ok::<(), serde_json::Error>(())
//! ```

mod balance;
mod card;
mod currency;
mod enums;
mod envelope;
mod error;
mod ids;
pub mod lenient_bool;
pub mod money;
mod timestamp;

mod generated;

pub use card::MaskedCardNumber;
pub use currency::Currency;
pub use envelope::{Envelope, SUCCESS};
pub use error::InvalidValue;
pub use generated::*;
pub use ids::{
    BalanceAdjustmentId, BalanceEntryId, BalanceId, BudgetId, CardId, RecordId, TransferId,
    TransferOrderId, UniqueOrderId,
};
pub use money::Cents;
pub use rust_decimal::Decimal;
pub use timestamp::Timestamp;

/// Custom metadata key-value pairs attached to Payments resources.
pub type Tags = std::collections::BTreeMap<String, String>;
