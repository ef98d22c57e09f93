use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::InvalidValue;

/// An ISO 4217 alphabetic currency code such as `USD`: three ASCII upper-case letters.
///
/// Any well-formed code is accepted (the list of currencies grows), and
/// [`minor_units`](Self::minor_units) knows the exponent of every current code that does not
/// use two decimals.
///
/// ```
/// use ahrvo_types::Currency;
///
/// let usd: Currency = "USD".parse()?;
/// assert_eq!(usd, Currency::USD);
/// assert_eq!(Currency::new("JPY")?.minor_units(), 0);
/// assert!(Currency::new("usd").is_err());
/// # Ok::<(), ahrvo_types::InvalidValue>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

/// The codes of ISO 4217 List One (current currencies and funds, the precious metals and the
/// testing and "no currency" codes), sorted for a binary search.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
    "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW",
    "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD",
    "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR",
    "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL",
    "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES",
    "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR",
    "XOF", "XPD", "XPF", "XPT", "XSU", "XTS", "XUA", "XXX", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
];

/// Codes with no minor unit (ISO 4217 exponent 0).
const ZERO_DECIMALS: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
/// Codes with three decimals (ISO 4217 exponent 3).
const THREE_DECIMALS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
/// Codes with four decimals (ISO 4217 exponent 4).
const FOUR_DECIMALS: &[&str] = &["CLF", "UYW"];

impl Currency {
    /// United States dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// Pound sterling.
    pub const GBP: Currency = Currency(*b"GBP");
    /// Japanese yen (no minor unit).
    pub const JPY: Currency = Currency(*b"JPY");

    /// Parses a code, which must be exactly three ASCII upper-case letters.
    pub fn new(code: &str) -> Result<Self, InvalidValue> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Self([a, b, c])),
            _ => Err(InvalidValue::new(
                "currency code",
                format!("{code:?} is not three upper-case letters (ISO 4217, e.g. \"USD\")"),
            )),
        }
    }

    /// Parses a code that ISO 4217 lists today (`"USD"`, not `"ABC"`): what the SDK checks
    /// before it sends an amount in a currency. [`new`](Self::new) accepts any well-formed code,
    /// so that a reply naming a newer currency still decodes.
    ///
    /// ```
    /// use ahrvo_types::Currency;
    ///
    /// assert_eq!(Currency::iso_4217("EUR")?, Currency::EUR);
    /// assert!(Currency::iso_4217("ABC").is_err());
    /// assert!(Currency::new("ABC").is_ok());
    /// # Ok::<(), ahrvo_types::InvalidValue>(())
    /// ```
    pub fn iso_4217(code: &str) -> Result<Self, InvalidValue> {
        let currency = Self::new(code)?;
        if currency.is_iso_4217() {
            Ok(currency)
        } else {
            Err(InvalidValue::new(
                "currency code",
                format!("{code:?} is not an ISO 4217 currency code"),
            ))
        }
    }

    /// Whether ISO 4217 lists this code today.
    pub fn is_iso_4217(&self) -> bool {
        ISO_4217.binary_search(&self.as_str()).is_ok()
    }

    /// The code as a string slice.
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// The number of decimal places of the currency's minor unit (2 for USD, 0 for JPY, 3 for KWD).
    pub fn minor_units(&self) -> u32 {
        let code = self.as_str();
        if ZERO_DECIMALS.contains(&code) {
            0
        } else if THREE_DECIMALS.contains(&code) {
            3
        } else if FOUR_DECIMALS.contains(&code) {
            4
        } else {
            2
        }
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl AsRef<str> for Currency {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Currency;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 4217 currency code such as \"USD\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Currency, E> {
                Currency::new(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_three_upper_case_letters() {
        assert_eq!(Currency::new("EUR").unwrap(), Currency::EUR);
        for bad in ["", "US", "USDX", "usd", "U$D", "ÜSD", "12A"] {
            assert!(Currency::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn the_iso_list_is_sorted_and_known_codes_pass() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
        for code in ["USD", "EUR", "GBP", "JPY", "AED", "ZWG", "XXX"] {
            assert!(Currency::iso_4217(code).is_ok(), "{code}");
        }
        for code in ["ABC", "QQQ", "US", "usd"] {
            assert!(Currency::iso_4217(code).is_err(), "{code}");
        }
        assert!(!Currency::new("ABC").unwrap().is_iso_4217());
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        assert_eq!(Currency::USD.minor_units(), 2);
        assert_eq!(Currency::JPY.minor_units(), 0);
        assert_eq!(Currency::new("KWD").unwrap().minor_units(), 3);
        assert_eq!(Currency::new("CLF").unwrap().minor_units(), 4);
    }

    #[test]
    fn serde_round_trip_and_rejection() {
        let c: Currency = serde_json::from_str("\"GBP\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"GBP\"");
        assert!(serde_json::from_str::<Currency>("\"gbp\"").is_err());
        assert!(serde_json::from_str::<Currency>("840").is_err());
    }
}
