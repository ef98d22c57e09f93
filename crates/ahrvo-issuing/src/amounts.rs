//! The checks an amount to move goes through before anything is sent.

use ahrvo_transport::Error;
use ahrvo_types::{Currency, Decimal};

/// The most decimal places an Issuing amount to move may have.
pub const MAX_AMOUNT_DECIMALS: u32 = 2;

/// Checks an amount to move (a top-up, a transfer): greater than zero and at most
/// [`MAX_AMOUNT_DECIMALS`] decimal places. Returns it as it is sent: trailing zeros past the
/// second decimal dropped (`10.500` is sent as `10.50`), never rounded.
///
/// ```
/// use ahrvo_issuing::{Decimal, validate_amount};
///
/// let amount: Decimal = "10.45".parse()?;
/// assert_eq!(validate_amount("top_up_amount", amount)?.to_string(), "10.45");
/// assert_eq!(validate_amount("amount", "10.500".parse()?)?.to_string(), "10.50");
/// assert!(validate_amount("amount", "10.455".parse()?).is_err());
/// assert!(validate_amount("amount", Decimal::ZERO).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate_amount(name: &str, amount: Decimal) -> Result<Decimal, Error> {
    if amount <= Decimal::ZERO {
        return Err(Error::validation(format!(
            "{name} must be greater than zero (got {amount})"
        )));
    }
    if amount.normalize().scale() > MAX_AMOUNT_DECIMALS {
        return Err(Error::validation(format!(
            "{name} {amount} has more than {MAX_AMOUNT_DECIMALS} decimal places"
        )));
    }
    let mut sent = amount;
    if sent.scale() > MAX_AMOUNT_DECIMALS {
        // Only zeros are dropped: the value is unchanged.
        sent.rescale(MAX_AMOUNT_DECIMALS);
    }
    Ok(sent)
}

/// Checks that a currency is one ISO 4217 lists today (`"USD"`, not `"ABC"`).
pub(crate) fn validate_currency(name: &str, currency: Currency) -> Result<Currency, Error> {
    if currency.is_iso_4217() {
        Ok(currency)
    } else {
        Err(Error::validation(format!(
            "{name} {currency} is not an ISO 4217 currency code"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn positive_with_at_most_two_decimals() {
        for ok in ["0.01", "1", "10.4", "10.45", "99999999999999999999.99"] {
            assert_eq!(validate_amount("a", d(ok)).unwrap(), d(ok), "{ok}");
        }
        for bad in ["0", "0.00", "-1", "-0.01", "0.001", "1.005"] {
            let e = validate_amount("a", d(bad)).unwrap_err();
            assert_eq!(e.kind(), ahrvo_transport::ErrorKind::Validation, "{bad}");
        }
        assert_eq!(
            validate_amount("a", d("1.000")).unwrap().to_string(),
            "1.00"
        );
        assert_eq!(validate_amount("a", d("1.5")).unwrap().to_string(), "1.5");
    }

    #[test]
    fn currencies_must_be_listed() {
        assert!(validate_currency("c", Currency::USD).is_ok());
        let e = validate_currency("top_up_currency", Currency::new("ABC").unwrap()).unwrap_err();
        assert!(e.message().contains("top_up_currency ABC"), "{e}");
    }
}
