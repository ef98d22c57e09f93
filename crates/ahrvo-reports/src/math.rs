//! Exact decimal helpers shared by the Issuing reports: no float, no operator that can panic.

use ahrvo_types::Decimal;
use rust_decimal::RoundingStrategy;

/// Rounds to 2 decimals, half away from zero, and shows 2 decimals (`50` → `50.00`).
pub(crate) fn round2(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    // Never fails: a mantissa too long for scale 2 keeps the largest scale it can.
    rounded.rescale(2);
    rounded
}

/// `part / whole × 100` rounded with [`round2`]; `0.00` when `whole` is zero; saturates at
/// `Decimal::MAX`/`Decimal::MIN` when the quotient leaves the range.
pub(crate) fn percent(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        return round2(Decimal::ZERO);
    }
    if let Some(exact) = integer_percent(part, whole) {
        return exact;
    }
    // Multiplying first keeps every digit; dividing first cannot overflow on the multiply.
    let exact = part
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|p| p.checked_div(whole))
        .or_else(|| {
            part.checked_div(whole)
                .and_then(|q| q.checked_mul(Decimal::ONE_HUNDRED))
        });
    match exact {
        Some(p) => round2(p),
        None if part.is_sign_negative() == whole.is_sign_negative() => Decimal::MAX,
        None => Decimal::MIN,
    }
}

/// [`percent`] in integers, when both amounts fit one scale as `i128` mantissas (money always
/// does): `part × 10000 / whole` rounded half away from zero, read as hundredths. Exact (no
/// intermediate rounding to 28 digits), and several times cheaper than `Decimal` division,
/// which matters for 100,000 budget shares. `None` when a step would overflow.
fn integer_percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    let scale = part.scale().max(whole.scale());
    let at_scale = |d: Decimal| {
        10_i128
            .checked_pow(scale - d.scale())
            .and_then(|f| d.mantissa().checked_mul(f))
    };
    let (p, w) = (at_scale(part)?, at_scale(whole)?);
    let n = p.checked_mul(10_000)?;
    let (q, r) = (n.checked_div(w)?, n.checked_rem(w)?);
    let away = r.checked_abs()?.checked_mul(2)? >= w.checked_abs()?;
    let q = match (away, (n < 0) != (w < 0)) {
        (false, _) => q,
        (true, true) => q.checked_sub(1)?,
        (true, false) => q.checked_add(1)?,
    };
    Decimal::try_from_i128_with_scale(q, 2).ok()
}

/// The sum of `values`, and whether it saturated at `Decimal::MAX`/`Decimal::MIN` on the way.
/// The sum shows at least 2 decimals, as money does (an empty sum is `0.00`, `1.5 + 2` is
/// `3.50`); more when an amount has more (`0.011` stays `0.011`).
pub(crate) fn sum(values: impl IntoIterator<Item = Decimal>) -> (Decimal, bool) {
    let mut saturated = false;
    let mut total = values.into_iter().fold(Decimal::ZERO, |acc, v| {
        acc.checked_add(v).unwrap_or_else(|| {
            saturated = true;
            acc.saturating_add(v)
        })
    });
    if total.scale() < 2 {
        // Never fails: a mantissa too long for scale 2 keeps the largest scale it can.
        total.rescale(2);
    }
    (total, saturated)
}

/// `total / count` rounded with [`round2`]; `None` when `count` is zero.
pub(crate) fn average(total: Decimal, count: usize) -> Option<Decimal> {
    if count == 0 {
        return None;
    }
    // Dividing by a count of at least one cannot overflow.
    total.checked_div(Decimal::from(count)).map(round2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn rounding_is_half_away_from_zero_with_two_decimals() {
        assert_eq!(round2(d("0.005")).to_string(), "0.01");
        assert_eq!(round2(d("-0.005")).to_string(), "-0.01");
        assert_eq!(round2(d("0.0049")).to_string(), "0.00");
        assert_eq!(round2(d("50")).to_string(), "50.00");
        assert_eq!(round2(Decimal::MAX), Decimal::MAX);
    }

    #[test]
    fn percent_handles_zero_and_overflow() {
        assert_eq!(percent(d("1"), Decimal::ZERO).to_string(), "0.00");
        assert_eq!(percent(d("1"), d("3")).to_string(), "33.33");
        assert_eq!(percent(d("2"), d("3")).to_string(), "66.67");
        assert_eq!(percent(Decimal::MAX, d("0.0001")), Decimal::MAX);
        assert_eq!(percent(Decimal::MAX, d("-0.0001")), Decimal::MIN);
        assert_eq!(percent(Decimal::MAX, Decimal::MAX).to_string(), "100.00");
        // Half away from zero, either sign, any scales.
        assert_eq!(percent(d("1"), d("8")).to_string(), "12.50");
        assert_eq!(percent(d("1"), d("-3")).to_string(), "-33.33");
        assert_eq!(percent(d("-2"), d("3")).to_string(), "-66.67");
        assert_eq!(percent(d("0.00005"), d("1")).to_string(), "0.01");
        assert_eq!(percent(d("-0.00005"), d("1")).to_string(), "-0.01");
        assert_eq!(percent(d("12500.50"), d("136651.25")).to_string(), "9.15");
    }

    #[test]
    fn the_integer_percent_agrees_with_decimal_division() {
        let values = [
            "0",
            "0.01",
            "1",
            "3",
            "7.77",
            "100",
            "12500.50",
            "45250.75",
            "78900.00",
            "-5.00",
            "99999999.99",
            "0.001",
            "123456.789",
        ];
        for part in values {
            for whole in values {
                let (p, w) = (d(part), d(whole));
                if w.is_zero() {
                    continue;
                }
                let by_decimal = round2(p * Decimal::ONE_HUNDRED / w);
                assert_eq!(integer_percent(p, w), Some(by_decimal), "{part} / {whole}");
            }
        }
    }

    #[test]
    fn sums_saturate_and_say_so() {
        assert_eq!(sum([d("1.50"), d("2.25")]), (d("3.75"), false));
        assert_eq!(sum([Decimal::MAX, Decimal::ONE]), (Decimal::MAX, true));
        assert_eq!(
            sum([Decimal::MIN, Decimal::NEGATIVE_ONE]),
            (Decimal::MIN, true)
        );
        assert_eq!(sum([]), (Decimal::ZERO, false));
        assert_eq!(sum([]).0.to_string(), "0.00");
        assert_eq!(sum([d("1.5"), d("2")]).0.to_string(), "3.50");
        assert_eq!(sum([d("0.011")]).0.to_string(), "0.011");
        assert_eq!(sum([Decimal::MAX]).0, Decimal::MAX);
        assert_eq!(average(Decimal::MAX, 1), Some(Decimal::MAX));
        assert_eq!(average(d("1"), 0), None);
    }
}
