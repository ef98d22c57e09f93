//! Generated ids (budget, card, Finix-style tokens, masked card digits), their shapes, and
//! timestamps.
//!
//! Ids mix the state's `sequence` counter (persisted in the state file) with, for the
//! time-stamped ones, the clock. The pseudo-random part comes from PCG32 (`rand_pcg`), seeded
//! from those inputs: the same inputs give the same id on every platform.

use rand_core::{Rng as _, SeedableRng as _};
use rand_pcg::Pcg32;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::State;

/// A small deterministic generator seeded from `seed` (PCG32: portable and value-stable).
pub(crate) fn rng(seed: u64) -> Pcg32 {
    Pcg32::seed_from_u64(seed)
}

impl State {
    /// Next value of the id counter.
    pub(crate) fn next_sequence(&mut self) -> u64 {
        self.sequence = self.sequence.wrapping_add(1);
        self.sequence
    }

    /// A fresh `ci` + 18 digits budget id: the UTC time (14 digits) and 4 more digits.
    pub(crate) fn new_budget_id(&mut self) -> String {
        let stamp = compact_timestamp(OffsetDateTime::now_utc());
        loop {
            let n = self.next_sequence();
            let id = format!("ci{stamp}{:04}", n % 10_000);
            if !self.budgets.iter().any(|b| b.budget_id == id) {
                return id;
            }
        }
    }

    /// A fresh `card` + 18 digits card id.
    pub(crate) fn new_card_id(&mut self) -> String {
        let stamp = compact_timestamp(OffsetDateTime::now_utc());
        loop {
            let n = self.next_sequence();
            let id = format!("card{stamp}{:04}", n % 10_000);
            if !self.cards.iter().any(|c| c.card_id == id) {
                return id;
            }
        }
    }

    /// A fresh Finix-style id: `prefix` and 22 base-62 characters.
    pub(crate) fn new_token(&mut self, prefix: &str) -> String {
        let n = self.next_sequence();
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        // Fold the 128-bit timestamp into 64 bits; truncation is intended.
        let mut rng = rng((nanos as u64) ^ ((nanos >> 64) as u64) ^ n.rotate_left(32));
        token_from(&mut rng, prefix)
    }

    /// A fresh issuing order id: `prefix`, the UTC time (14 digits) and 4 more digits, not
    /// taken by any order yet (`taken`).
    pub(crate) fn new_order_id(
        &mut self,
        prefix: &str,
        taken: impl Fn(&State, &str) -> bool,
    ) -> String {
        let stamp = compact_timestamp(OffsetDateTime::now_utc());
        loop {
            let n = self.next_sequence();
            let id = format!("{prefix}{stamp}{:04}", n % 10_000);
            if !taken(self, &id) {
                return id;
            }
        }
    }

    /// Four pseudo-random digits for a masked card number (a function of the sequence only).
    pub(crate) fn new_last4(&mut self) -> String {
        let seed = self.next_sequence() ^ 0x5157_0000_2686;
        format!("{:04}", rng(seed).next_u64() % 10_000)
    }
}

/// `prefix` and 22 base-62 characters drawn from `rng`.
pub(crate) fn token_from(rng: &mut Pcg32, prefix: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut id = String::with_capacity(prefix.len() + 22);
    id.push_str(prefix);
    let mut word = rng.next_u64();
    for i in 0..22 {
        if i == 10 || i == 20 {
            // 62^10 < 2^64: a fresh word every 10 characters keeps them all random.
            word = rng.next_u64();
        }
        let index = usize::try_from(word % 62).unwrap_or(0);
        word /= 62;
        id.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'0')));
    }
    id
}

/// `USD`, `EUR`: three ASCII upper-case letters.
pub(crate) fn is_currency(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// `prefix` followed by exactly `digits` ASCII digits.
pub(crate) fn is_prefixed_digits(id: &str, prefix: &str, digits: usize) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == digits && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// `5157********2686`.
pub(crate) fn is_masked_card_number(number: &str) -> bool {
    let bytes = number.as_bytes();
    bytes.len() == 16
        && bytes.iter().enumerate().all(|(i, b)| {
            if (4..12).contains(&i) {
                *b == b'*'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// `yyyyMMddHHmmss` in UTC.
pub(crate) fn compact_timestamp(now: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        now.year().clamp(0, 9999),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_unix_ms() -> u64 {
    let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    u64::try_from(nanos).unwrap_or(0)
}

/// `yyyy-MM-dd HH:mm:ss` in UTC: the issuing pages' date-time format.
pub(crate) fn issuing_datetime(at: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        at.year().clamp(0, 9999),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// The issuing date-time a time-stamped id carries (`card20190702172307…` →
/// `2019-07-02 17:23:07`): `prefix`, then `yyyyMMddHHmmss`.
pub(crate) fn datetime_of_id(id: &str, prefix: &str) -> String {
    let digits = id
        .strip_prefix(prefix)
        .and_then(|d| d.get(..14))
        .unwrap_or("");
    if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return "1970-01-01 00:00:00".to_owned();
    }
    let part = |r: std::ops::Range<usize>| digits.get(r).unwrap_or("00");
    format!(
        "{}-{}-{} {}:{}:{}",
        part(0..4),
        part(4..6),
        part(6..8),
        part(8..10),
        part(10..12),
        part(12..14)
    )
}

/// Whether `text` is a date-time `yyyy-MM-dd HH:mm:ss`.
pub(crate) fn is_issuing_datetime(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// The current UTC time as RFC 3339, to the second (`2025-07-23T20:16:18Z`).
pub(crate) fn now_rfc3339() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

/// `at` as RFC 3339 in UTC, to the second.
pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.replace_nanosecond(0).unwrap_or(at);
    at.format(&Rfc3339)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_documented_shapes() {
        let mut s = State::default();
        assert!(is_prefixed_digits(&s.new_budget_id(), "ci", 18));
        assert!(is_prefixed_digits(&s.new_card_id(), "card", 18));
        let token = s.new_token("balance_");
        assert_eq!(token.len(), "balance_".len() + 22);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        );
        assert!(is_masked_card_number(&format!(
            "5157********{}",
            s.new_last4()
        )));
    }

    #[test]
    fn issuing_date_times() {
        assert_eq!(
            datetime_of_id("card201907021723076245", "card"),
            "2019-07-02 17:23:07"
        );
        assert!(is_issuing_datetime(&datetime_of_id(
            "card201907021723076245",
            "card"
        )));
        assert!(is_issuing_datetime(&issuing_datetime(
            OffsetDateTime::now_utc()
        )));
        assert!(!is_issuing_datetime("2019-07-02T17:23:07"));
        assert!(!is_issuing_datetime("2019-07-02"));
    }

    #[test]
    fn last4_is_a_function_of_the_sequence() {
        let digits = |sequence| {
            let mut s = State {
                sequence,
                ..State::default()
            };
            s.new_last4()
        };
        assert_eq!(digits(41), digits(41));
        let all: std::collections::BTreeSet<String> = (0..50).map(digits).collect();
        assert!(all.len() > 40, "{all:?}");
    }
}
