//! The card page's "Generate Balance Report" (statistics and distribution) and "Balance Alert
//! System" (alert levels).

use std::fmt;

use ahrvo_types::money::decimal_string;
use ahrvo_types::{CardBalance, CardId, Decimal};
use serde::{Serialize, Serializer};

use crate::math::{average, sum};

/// A range of the card page's balance distribution. Each lower bound is inclusive, each upper
/// bound exclusive, as the page's `balance < 100`, `< 500`, … chain decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BalanceBucket {
    /// `$0-$100`: below 100 (a negative balance counts here too).
    Under100,
    /// `$100-$500`: 100 up to, not including, 500.
    From100To500,
    /// `$500-$1,000`: 500 up to, not including, 1000.
    From500To1000,
    /// `$1,000-$5,000`: 1000 up to, not including, 5000.
    From1000To5000,
    /// `$5,000+`: 5000 and above.
    From5000,
}

impl BalanceBucket {
    /// Every bucket, lowest first.
    pub const ALL: [BalanceBucket; 5] = [
        BalanceBucket::Under100,
        BalanceBucket::From100To500,
        BalanceBucket::From500To1000,
        BalanceBucket::From1000To5000,
        BalanceBucket::From5000,
    ];

    /// The bucket `balance` falls in.
    pub fn of(balance: Decimal) -> BalanceBucket {
        Self::ALL
            .into_iter()
            .find(|b| b.upper().is_none_or(|upper| balance < upper))
            .unwrap_or(BalanceBucket::From5000)
    }

    /// The page's label: `$0-$100`, `$100-$500`, `$500-$1,000`, `$1,000-$5,000`, `$5,000+`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Under100 => "$0-$100",
            Self::From100To500 => "$100-$500",
            Self::From500To1000 => "$500-$1,000",
            Self::From1000To5000 => "$1,000-$5,000",
            Self::From5000 => "$5,000+",
        }
    }

    /// The inclusive lower bound; `None` for the first bucket, which also holds negatives.
    pub fn lower(&self) -> Option<Decimal> {
        match self {
            Self::Under100 => None,
            Self::From100To500 => Some(Decimal::from(100)),
            Self::From500To1000 => Some(Decimal::from(500)),
            Self::From1000To5000 => Some(Decimal::from(1_000)),
            Self::From5000 => Some(Decimal::from(5_000)),
        }
    }

    /// The exclusive upper bound; `None` for the last bucket.
    pub fn upper(&self) -> Option<Decimal> {
        match self {
            Self::Under100 => Some(Decimal::from(100)),
            Self::From100To500 => Some(Decimal::from(500)),
            Self::From500To1000 => Some(Decimal::from(1_000)),
            Self::From1000To5000 => Some(Decimal::from(5_000)),
            Self::From5000 => None,
        }
    }
}

impl fmt::Display for BalanceBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Serialized as the page's label: `"$0-$100"`, ..., `"$5,000+"`.
impl Serialize for BalanceBucket {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.label())
    }
}

/// How many cards fall in one bucket, and their total: `{"range": "$0-$100", "count": 1,
/// "total": "40.00"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct BucketSummary {
    /// The range (serialized as `range`, its label).
    #[serde(rename = "range")]
    pub bucket: BalanceBucket,
    /// Cards whose balance falls in it.
    pub count: usize,
    /// The sum of their balances (saturating; see [`Distribution::total_saturated`]), at least 2
    /// decimals (`0.00` for none).
    #[serde(with = "decimal_string")]
    pub total: Decimal,
}

/// Statistics of card balances, from [`card_balance_distribution`].
///
/// Serialized as `{"count": 2, "total": "1508.87", "total_saturated": false, "average":
/// "754.44", "min": "40.00", "max": "1468.87", "buckets": [BucketSummary...]}` (`null` for an
/// absent average, min or max).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Distribution {
    /// How many balances were given.
    pub count: usize,
    /// The sum of every balance, at least 2 decimals. If it leaves the range of `Decimal` it
    /// stops at `Decimal::MAX` (or `MIN`) and [`total_saturated`](Self::total_saturated) is set.
    #[serde(with = "decimal_string")]
    pub total: Decimal,
    /// Whether any total (overall or of a bucket) saturated.
    pub total_saturated: bool,
    /// `total / count`, 2 decimals, half away from zero; `None` when no balance was given.
    #[serde(with = "decimal_string::option")]
    pub average: Option<Decimal>,
    /// The lowest balance; `None` when no balance was given.
    #[serde(with = "decimal_string::option")]
    pub min: Option<Decimal>,
    /// The highest balance; `None` when no balance was given.
    #[serde(with = "decimal_string::option")]
    pub max: Option<Decimal>,
    /// The five buckets of [`BalanceBucket::ALL`], in that order, empty ones included.
    pub buckets: Vec<BucketSummary>,
}

impl Distribution {
    /// The summary of one bucket.
    pub fn bucket(&self, bucket: BalanceBucket) -> Option<&BucketSummary> {
        self.buckets.iter().find(|b| b.bucket == bucket)
    }
}

/// Counts card balances into the page's five ranges (`$0-$100`, `$100-$500`, `$500-$1,000`,
/// `$1,000-$5,000`, `$5,000+`; see [`BalanceBucket`]) with a total per range, plus the overall
/// total, average, minimum and maximum.
///
/// A card balance carries no currency (the page's usage notes: the card's billing currency);
/// give cards of one currency at a time.
///
/// ```
/// use ahrvo_reports::issuing::{card_balance_distribution, BalanceBucket};
/// use ahrvo_types::{CardBalance, CardId, MaskedCardNumber};
///
/// let card = |id: &str, amount: &str| -> (CardId, CardBalance) {
///     (id.into(), CardBalance::new(MaskedCardNumber::new("5157********2686"), amount.parse().unwrap()))
/// };
/// let dist = card_balance_distribution(&[card("a", "99.99"), card("b", "100.00"), card("c", "1468.87")]);
/// assert_eq!(dist.bucket(BalanceBucket::Under100).unwrap().count, 1);
/// assert_eq!(dist.bucket(BalanceBucket::From100To500).unwrap().count, 1);
/// assert_eq!(dist.total.to_string(), "1668.86");
/// assert_eq!(dist.average.unwrap().to_string(), "556.29");
/// ```
pub fn card_balance_distribution(balances: &[(CardId, CardBalance)]) -> Distribution {
    let amounts = || balances.iter().map(|(_, b)| b.available_balance);
    let (total, mut total_saturated) = sum(amounts());
    let buckets = BalanceBucket::ALL
        .into_iter()
        .map(|bucket| {
            let (count, (bucket_total, saturated)) = {
                let inside: Vec<Decimal> = amounts()
                    .filter(|a| BalanceBucket::of(*a) == bucket)
                    .collect();
                (inside.len(), sum(inside))
            };
            total_saturated |= saturated;
            BucketSummary {
                bucket,
                count,
                total: bucket_total,
            }
        })
        .collect();
    Distribution {
        buckets,
        count: balances.len(),
        total,
        total_saturated,
        average: average(total, balances.len()),
        min: amounts().min(),
        max: amounts().max(),
    }
}

/// The thresholds of the card page's "Balance Alert System". A balance at or below `critical`
/// is critical, else at or below `warning` a warning, else at or below `low` low.
///
/// The defaults are the page's: critical 50.00, warning 100.00, low 250.00. Serialized as
/// `{"critical": "50.00", "warning": "100.00", "low": "250.00"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct CardAlertThresholds {
    /// At or below: [`CardAlertLevel::Critical`]. Default 50.00.
    #[serde(with = "decimal_string")]
    pub critical: Decimal,
    /// At or below (and above `critical`): [`CardAlertLevel::Warning`]. Default 100.00.
    #[serde(with = "decimal_string")]
    pub warning: Decimal,
    /// At or below (and above `warning`): [`CardAlertLevel::Low`]. Default 250.00.
    #[serde(with = "decimal_string")]
    pub low: Decimal,
}

impl CardAlertThresholds {
    /// Thresholds of your own. They are checked in the order critical, warning, low, so they
    /// are meant to rise in that order; any order is accepted and gives what that check gives.
    pub fn new(critical: Decimal, warning: Decimal, low: Decimal) -> Self {
        Self {
            critical,
            warning,
            low,
        }
    }
}

impl Default for CardAlertThresholds {
    fn default() -> Self {
        Self {
            critical: Decimal::from_parts(5_000, 0, 0, false, 2),
            warning: Decimal::from_parts(10_000, 0, 0, false, 2),
            low: Decimal::from_parts(25_000, 0, 0, false, 2),
        }
    }
}

/// A card's alert level, from [`classify_card`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CardAlertLevel {
    /// At or below the critical threshold: top up now.
    Critical,
    /// At or below the warning threshold.
    Warning,
    /// At or below the low threshold.
    Low,
    /// Above every threshold.
    Normal,
}

impl CardAlertLevel {
    /// The page's word: `CRITICAL`, `WARNING`, `LOW` or `NORMAL`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Critical => "CRITICAL",
            Self::Warning => "WARNING",
            Self::Low => "LOW",
            Self::Normal => "NORMAL",
        }
    }

    /// Whether the page sends an alert for this level (critical and warning).
    pub fn needs_alert(&self) -> bool {
        matches!(self, Self::Critical | Self::Warning)
    }
}

impl fmt::Display for CardAlertLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as the page's word: `"CRITICAL"`, `"WARNING"`, `"LOW"` or `"NORMAL"`.
impl Serialize for CardAlertLevel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The alert level of a card balance, as the page decides it: `<= critical`, else
/// `<= warning`, else `<= low`, else normal. Exactly at a threshold is that threshold's level.
///
/// ```
/// use ahrvo_reports::issuing::{classify_card, CardAlertLevel, CardAlertThresholds};
///
/// let t = CardAlertThresholds::default();
/// assert_eq!(classify_card("50.00".parse()?, &t), CardAlertLevel::Critical);
/// assert_eq!(classify_card("50.01".parse()?, &t), CardAlertLevel::Warning);
/// assert_eq!(classify_card("1468.87".parse()?, &t), CardAlertLevel::Normal);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn classify_card(balance: Decimal, thresholds: &CardAlertThresholds) -> CardAlertLevel {
    if balance <= thresholds.critical {
        CardAlertLevel::Critical
    } else if balance <= thresholds.warning {
        CardAlertLevel::Warning
    } else if balance <= thresholds.low {
        CardAlertLevel::Low
    } else {
        CardAlertLevel::Normal
    }
}

/// The card page's "Generate Balance Report" and "Balance Alert System" together, from
/// [`card_report`].
///
/// Serialized as `{"thresholds": CardAlertThresholds, "distribution": Distribution, "cards":
/// [CardReportLine...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CardReport {
    /// The thresholds the alert levels come from.
    pub thresholds: CardAlertThresholds,
    /// The statistics of every card's balance.
    pub distribution: Distribution,
    /// Every card, in the order given.
    pub cards: Vec<CardReportLine>,
}

impl CardReport {
    /// The cards whose level needs an alert (critical or warning).
    pub fn alert_count(&self) -> usize {
        self.cards.iter().filter(|c| c.alert).count()
    }
}

/// One card of a [`CardReport`]: the card, its range and its alert level.
///
/// Serialized flat: `{"card_id": ..., "card_number": "5157********2686", "available_balance":
/// "40.00", "range": "$0-$100", "alert_level": "CRITICAL", "alert": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CardReportLine {
    /// The card, as given.
    pub card_id: CardId,
    /// Its balance (serialized as the API's `card_number` and `available_balance`).
    #[serde(flatten)]
    pub balance: CardBalance,
    /// The range its balance falls in.
    pub range: BalanceBucket,
    /// Its level by the thresholds.
    pub alert_level: CardAlertLevel,
    /// Whether the level needs an alert ([`CardAlertLevel::needs_alert`]).
    pub alert: bool,
}

/// The distribution of the cards' balances ([`card_balance_distribution`]) and each card's
/// range and alert level ([`classify_card`] with `thresholds`), cards in the order given.
///
/// ```
/// use ahrvo_reports::issuing::{card_report, CardAlertThresholds};
/// use ahrvo_types::{CardBalance, CardId, MaskedCardNumber};
///
/// let card = |id: &str, amount: &str| -> (CardId, CardBalance) {
///     (id.into(), CardBalance::new(MaskedCardNumber::new("5157********2686"), amount.parse().unwrap()))
/// };
/// let report = card_report(&[card("a", "40.00"), card("b", "1468.87")], CardAlertThresholds::default());
/// assert_eq!(report.alert_count(), 1);
/// let json = serde_json::to_value(&report).unwrap();
/// assert_eq!(json["cards"][0]["alert_level"], "CRITICAL");
/// assert_eq!(json["cards"][0]["range"], "$0-$100");
/// assert_eq!(json["distribution"]["total"], "1508.87");
/// assert_eq!(json["thresholds"]["critical"], "50.00");
/// ```
pub fn card_report(
    balances: &[(CardId, CardBalance)],
    thresholds: CardAlertThresholds,
) -> CardReport {
    let cards = balances
        .iter()
        .map(|(card_id, balance)| {
            let level = classify_card(balance.available_balance, &thresholds);
            CardReportLine {
                card_id: card_id.clone(),
                balance: balance.clone(),
                range: BalanceBucket::of(balance.available_balance),
                alert_level: level,
                alert: level.needs_alert(),
            }
        })
        .collect();
    CardReport {
        thresholds,
        distribution: card_balance_distribution(balances),
        cards,
    }
}
