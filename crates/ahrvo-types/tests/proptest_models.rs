//! Property tests: every model survives decode → encode → decode unchanged, from replies shaped
//! like the API's with random values, optional fields absent, `null` or present, unknown fields
//! and unknown enum values. Money keeps its exact text: a decimal string's scale (`"78900.00"`),
//! integer cents to the last unit.
//!
//! 256 cases per property by default (the CI pass); `PROPTEST_CASES=N` runs more
//! (docs/reliability.md).

use std::fmt::Debug;

use ahrvo_types::*;
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Strategies for the wire values.
// ---------------------------------------------------------------------------------------------

/// The text a decimal string is written back as: itself, except that a negative zero
/// (`"-0.00"`) is written as zero (`"0.00"`): same value, same scale, no sign on zero.
fn canonical(s: &str) -> String {
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_owned(),
        _ => s.to_owned(),
    }
}

/// A decimal string as the API writes it: no leading zeros, any scale up to 12.
fn decimal_string() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop_oneof![Just("0".to_owned()), "[1-9][0-9]{0,15}"],
        prop::option::of("[0-9]{1,12}"),
    )
        .prop_map(|(negative, int, frac)| {
            let mut s = String::new();
            if negative {
                s.push('-');
            }
            s.push_str(&int);
            if let Some(f) = frac {
                s.push('.');
                s.push_str(&f);
            }
            s
        })
}

/// Any string, including unicode, quotes, backslashes and control characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9 _-]{0,30}",
        any::<String>(),
        Just(String::new()),
        Just("\"\\\u{0}\u{1f}\u{7f}\u{202e}💳".to_owned()),
    ]
}

fn currency() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("USD".to_owned()),
        Just("JPY".to_owned()),
        Just("KWD".to_owned()),
        "[A-Z]{3}"
    ]
}

/// A timestamp in one of the forms the API uses, with the instant it means.
fn timestamp() -> impl Strategy<Value = (String, time::OffsetDateTime)> {
    (
        1970i32..2100,
        1u8..=12,
        1u8..=28,
        0u8..24,
        0u8..60,
        0u8..60,
        prop::option::of((1usize..=9, 0u32..1_000_000_000)),
        prop_oneof![
            Just(None),
            (-14i8..=14, prop_oneof![Just(0i8), Just(30), Just(45)]).prop_map(Some)
        ],
        0u8..3,
    )
        .prop_map(|(y, mo, d, h, mi, s, frac, offset, form)| {
            let date =
                time::Date::from_calendar_date(y, time::Month::try_from(mo).unwrap(), d).unwrap();
            match form {
                0 => (
                    format!("{y:04}-{mo:02}-{d:02}"),
                    date.midnight().assume_utc(),
                ),
                1 => (
                    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"),
                    date.with_hms(h, mi, s).unwrap().assume_utc(),
                ),
                _ => {
                    let (frac_text, nanos) = match frac {
                        Some((digits, n)) => {
                            let n = n % 10u32.pow(digits as u32);
                            let text = format!(".{n:0digits$}");
                            (text, n * 10u32.pow(9 - digits as u32))
                        }
                        None => (String::new(), 0),
                    };
                    let (offset_text, offset) = match offset {
                        None => ("Z".to_owned(), time::UtcOffset::UTC),
                        Some((oh, om)) => {
                            let sign = if oh < 0 { '-' } else { '+' };
                            let om = if oh < 0 { -om } else { om };
                            (
                                format!("{sign}{:02}:{:02}", oh.unsigned_abs(), om.unsigned_abs()),
                                time::UtcOffset::from_hms(oh, om, 0).unwrap(),
                            )
                        }
                    };
                    (
                        format!(
                            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac_text}{offset_text}"
                        ),
                        date.with_hms_nano(h, mi, s, nanos)
                            .unwrap()
                            .assume_offset(offset),
                    )
                }
            }
        })
}

/// A known wire value of an extensible enum, or a value this SDK does not know.
fn enum_value(known: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(known).prop_map(str::to_owned),
        "[A-Z][A-Z_]{0,20}",
        any::<String>(),
    ]
}

const ENTRY_TYPES: &[&str] = &[
    "BALANCE_TOP_UP_ACH",
    "BALANCE_TOP_UP_WIRE",
    "PUSH_TO_CARD",
    "TRANSFER",
    "FEE",
    "REFUND",
    "PAYOUT",
];
const ENTRY_STATES: &[&str] = &["PENDING", "SUCCEEDED", "FAILED"];

/// An optional field: absent, `null`, or a value.
fn optional(value: impl Strategy<Value = Value>) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![Just(None), Just(Some(Value::Null)), value.prop_map(Some)]
}

fn tags() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(text(), text(), 0..4).prop_map(|m| json!(m))
}

/// Fields a newer API version may add: they must be ignored.
fn unknown_fields() -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::vec(
        (
            "x_[a-z]{1,8}",
            prop_oneof![
                Just(Value::Null),
                any::<i64>().prop_map(Value::from),
                text().prop_map(Value::from),
                Just(json!({"nested": [1, {"deep": [[[]]]}]})),
            ],
        ),
        0..3,
    )
}

/// Builds an object from present fields, optional ones, and unknown extras.
fn object(
    fields: Vec<(&str, Value)>,
    optional_fields: Vec<(&str, Option<Value>)>,
    extra: Vec<(String, Value)>,
) -> Value {
    let mut m = Map::new();
    for (k, v) in extra {
        m.insert(k, v);
    }
    for (k, v) in fields {
        m.insert(k.to_owned(), v);
    }
    for (k, v) in optional_fields {
        if let Some(v) = v {
            m.insert(k.to_owned(), v);
        }
    }
    Value::Object(m)
}

// ---------------------------------------------------------------------------------------------
// The property.
// ---------------------------------------------------------------------------------------------

/// Decode, encode, decode: the same value, and the same encoding again.
fn round_trip<T: DeserializeOwned + Serialize + PartialEq + Debug>(
    json: &Value,
) -> Result<(T, Value), TestCaseError> {
    let text = serde_json::to_string(json).unwrap();
    let first: T = serde_json::from_str(&text)
        .map_err(|e| TestCaseError::fail(format!("does not decode: {e}: {text}")))?;
    let encoded = serde_json::to_string(&first).unwrap();
    let second: T = serde_json::from_str(&encoded)
        .map_err(|e| TestCaseError::fail(format!("re-encoding does not decode: {e}: {encoded}")))?;
    prop_assert_eq!(&first, &second);
    prop_assert_eq!(serde_json::to_string(&second).unwrap(), encoded.clone());
    Ok((first, serde_json::from_str(&encoded).unwrap()))
}

/// The fields of `input` named in `keys` come back byte for byte (money, ids, enum values).
fn same_fields(input: &Value, output: &Value, keys: &[&str]) -> Result<(), TestCaseError> {
    for k in keys {
        match input.get(*k) {
            Some(Value::Null) | None => prop_assert!(
                output.get(*k).is_none_or(Value::is_null),
                "{k}: absent became {:?}",
                output.get(*k)
            ),
            Some(v) => prop_assert_eq!(Some(v), output.get(*k), "{}", k),
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn decimal_strings_keep_value_and_scale(s in decimal_string()) {
        let (b, out) = round_trip::<BudgetBalance>(&json!({
            "budget_id": "ci1", "budget_name": "n", "balance": s, "currency": "USD"
        }))?;
        let want = canonical(&s);
        prop_assert_eq!(out["balance"].as_str(), Some(want.as_str()));
        let frac = s.split_once('.').map_or(0, |(_, f)| f.len());
        prop_assert_eq!(b.balance.scale() as usize, frac);
    }

    #[test]
    fn budget_balances_round_trip(
        budgets in prop::collection::vec(
            (text(), text(), decimal_string(), currency(), unknown_fields()), 0..5),
        message in optional(text().prop_map(Value::from)),
    ) {
        let data: Vec<Value> = budgets
            .into_iter()
            .map(|(id, name, balance, currency, extra)| object(
                vec![("budget_id", id.into()), ("budget_name", name.into()),
                     ("balance", balance.into()), ("currency", currency.into())],
                vec![],
                extra,
            ))
            .collect();
        let input = object(vec![("code", "SUCCESS".into()), ("data", Value::from(data.clone()))],
                           vec![("message", message)], vec![]);
        let (env, out) = round_trip::<Envelope<Vec<BudgetBalance>>>(&input)?;
        prop_assert!(env.is_success());
        for (i, o) in data.iter().zip(out["data"].as_array().unwrap()) {
            same_fields(i, o, &["budget_id", "budget_name", "currency"])?;
            let want = canonical(i["balance"].as_str().unwrap());
            prop_assert_eq!(o["balance"].as_str(), Some(want.as_str()));
        }
    }

    #[test]
    fn card_balances_round_trip(
        masked in "[0-9]{4}\\*{4,11}[0-9]{4}",
        full in "[0-9]{13,19}",
        spaced in "[0-9]{4}( [0-9]{4}){3}",
        balance in decimal_string(),
        pick in 0u8..3,
        extra in unknown_fields(),
    ) {
        let number = match pick { 0 => masked.clone(), 1 => full.clone(), _ => spaced.clone() };
        let input = object(vec![("card_number", number.clone().into()),
                                ("available_balance", balance.clone().into())], vec![], extra);
        let (card, out) = round_trip::<CardBalance>(&input)?;
        let want = canonical(&balance);
        prop_assert_eq!(out["available_balance"].as_str(), Some(want.as_str()));
        let shown = card.card_number.as_str();
        prop_assert!(shown.chars().filter(char::is_ascii_digit).count() <= 8, "{}", shown);
        prop_assert_eq!(shown.chars().count(), number.chars().count());
        if pick == 0 {
            prop_assert_eq!(shown, masked.as_str());
        }
        prop_assert_eq!(card.card_number.last4(), number.get(number.len() - 4..));
    }

    #[test]
    fn create_budget_request_and_result_round_trip(name in text(), id in text()) {
        let (req, out) = round_trip::<CreateBudgetRequest>(&json!({"budget_name": name}))?;
        prop_assert_eq!(&req.budget_name, &name);
        prop_assert_eq!(out, json!({"budget_name": name}));
        let (env, _) = round_trip::<Envelope<CreateBudgetResult>>(
            &json!({"code": "SUCCESS", "data": {"budget_id": id}}))?;
        let result = env.data.unwrap();
        prop_assert_eq!(result.budget_id.as_str(), id.as_str());
    }

    #[test]
    fn issuing_error_bodies_round_trip(code in text(), message in optional(text().prop_map(Value::from))) {
        let input = object(vec![("code", code.into())], vec![("message", message)], vec![]);
        let (_, out) = round_trip::<IssuingErrorBody>(&input)?;
        same_fields(&input, &out, &["code", "message"])?;
        let (env, _) = round_trip::<Envelope<serde_json::Value>>(&input)?;
        prop_assert!(!env.is_success() || input["code"] == "SUCCESS");
    }

    #[test]
    fn balances_round_trip(
        id in text(),
        created in timestamp(),
        updated in timestamp(),
        available in any::<i64>(),
        pending in any::<i64>(),
        posted in any::<i64>(),
        currency in currency(),
        linked_to in optional(text().prop_map(Value::from)),
        linked_type in optional(enum_value(&["APPLICATION"]).prop_map(Value::from)),
        tags in optional(tags()),
        balance_type in enum_value(&["DISBURSEMENT"]),
        extra in unknown_fields(),
    ) {
        let input = object(
            vec![("id", id.into()), ("created_at", created.0.into()), ("updated_at", updated.0.into()),
                 ("available_amount", available.into()), ("pending_amount", pending.into()),
                 ("posted_amount", posted.into()), ("currency", currency.into()),
                 ("type", balance_type.into())],
            vec![("linked_to", linked_to), ("linked_type", linked_type), ("tags", tags)],
            extra,
        );
        let (b, out) = round_trip::<Balance>(&input)?;
        same_fields(&input, &out, &["id", "available_amount", "pending_amount", "posted_amount",
                                    "currency", "linked_to", "linked_type", "tags", "type"])?;
        prop_assert_eq!(b.created_at.as_offset_date_time(), created.1);
        prop_assert_eq!(b.updated_at.as_offset_date_time(), updated.1);
        let consistent = available.checked_add(pending) == Some(posted);
        prop_assert_eq!(b.is_consistent(), consistent);
    }

    #[test]
    fn balance_entries_round_trip(
        id in text(),
        created in timestamp(),
        amount in any::<i64>(),
        currency in currency(),
        state in enum_value(ENTRY_STATES),
        entry_type in enum_value(ENTRY_TYPES),
        created_by in optional(enum_value(&["SYSTEM"]).prop_map(Value::from)),
        description in optional(text().prop_map(Value::from)),
        entity_type in optional(enum_value(&["BALANCE_ADJUSTMENT", "TRANSFER"]).prop_map(Value::from)),
        posted_at in optional(timestamp().prop_map(|t| Value::from(t.0))),
        parent in optional(text().prop_map(Value::from)),
        tags in optional(tags()),
        wire in optional(optional(text().prop_map(Value::from)).prop_map(|r| {
            object(vec![], vec![("external_reference_number", r)], vec![])
        })),
        extra in unknown_fields(),
    ) {
        let input = object(
            vec![("id", id.into()), ("created_at", created.0.clone().into()),
                 ("updated_at", created.0.into()), ("amount", amount.into()),
                 ("currency", currency.into()), ("state", state.into()), ("type", entry_type.into())],
            vec![("created_by", created_by), ("description", description),
                 ("entity_type", entity_type), ("posted_at", posted_at),
                 ("parent_balance_entry_id", parent), ("tags", tags), ("wire_details", wire)],
            extra,
        );
        let (e, out) = round_trip::<BalanceEntry>(&input)?;
        same_fields(&input, &out, &["id", "amount", "currency", "state", "type", "created_by",
                                    "description", "entity_type", "parent_balance_entry_id",
                                    "tags"])?;
        prop_assert_eq!(e.amount.get(), amount);
        prop_assert_eq!(e.created_at.as_offset_date_time(), created.1);
    }

    #[test]
    fn payments_error_lists_round_trip(
        errors in prop::collection::vec(
            (text(), text(), optional(text().prop_map(Value::from)),
             optional(prop::collection::btree_map(text(), text(), 0..3)
                 .prop_map(|m| json!(m.into_iter()
                     .map(|(k, href)| (k, json!({"href": href})))
                     .collect::<Map<String, Value>>()))),
             unknown_fields()),
            0..4),
        total in optional(any::<i64>().prop_map(Value::from)),
    ) {
        let list: Vec<Value> = errors.into_iter().map(|(code, message, logref, links, extra)| {
            object(vec![("code", code.into()), ("message", message.into())],
                   vec![("logref", logref), ("_links", links)], extra)
        }).collect();
        let input = object(vec![("_embedded", json!({"errors": list.clone()}))],
                           vec![("total", total)], vec![]);
        let (decoded, out) = round_trip::<PaymentsErrorList>(&input)?;
        prop_assert_eq!(decoded.embedded.errors.len(), list.len());
        for (i, o) in list.iter().zip(out["_embedded"]["errors"].as_array().unwrap()) {
            same_fields(i, o, &["code", "message", "logref", "_links"])?;
        }
    }

    #[test]
    fn timestamps_round_trip_to_the_same_instant((text, instant) in timestamp()) {
        let t: Timestamp = serde_json::from_value(Value::from(text.clone())).unwrap();
        prop_assert_eq!(t.as_offset_date_time(), instant);
        let again: Timestamp = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        prop_assert_eq!(again, t);
        // Same offset kept, not only the same instant.
        prop_assert_eq!(again.as_offset_date_time().offset(), instant.offset());
    }

    #[test]
    fn cents_round_trip_exactly(v in any::<i64>()) {
        let c: Cents = serde_json::from_str(&v.to_string()).unwrap();
        prop_assert_eq!(c.get(), v);
        prop_assert_eq!(serde_json::to_string(&c).unwrap(), v.to_string());
    }

    #[test]
    fn enums_keep_every_value(
        state in enum_value(ENTRY_STATES),
        entry_type in enum_value(ENTRY_TYPES),
    ) {
        let s: BalanceEntryState = serde_json::from_value(Value::from(state.clone())).unwrap();
        prop_assert_eq!(s.as_str(), state.as_str());
        prop_assert_eq!(matches!(s, BalanceEntryState::Unknown(_)), !ENTRY_STATES.contains(&state.as_str()));
        prop_assert_eq!(serde_json::to_value(&s).unwrap(), Value::from(state));
        let t: BalanceEntryType = serde_json::from_value(Value::from(entry_type.clone())).unwrap();
        prop_assert_eq!(serde_json::to_value(&t).unwrap(), Value::from(entry_type.clone()));
        prop_assert_eq!(t, BalanceEntryType::from(entry_type.as_str()));
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile input: random bytes and mutated fixtures. Whatever a decoder accepts, it reads
// exactly: each money field is the amount the JSON says, to the last cent and the last digit
// of scale, or the reply is refused; and it survives encode → decode unchanged.
// ---------------------------------------------------------------------------------------------

/// A money amount as decoded: integer cents, or a decimal's mantissa and scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Amount {
    Cents(i64),
    Decimal { mantissa: i128, scale: u32 },
}

fn decimal(d: &Decimal) -> Amount {
    Amount::Decimal {
        mantissa: d.mantissa(),
        scale: d.scale(),
    }
}

/// What the JSON of a money field allows, read by a reference independent of the SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    /// An amount: if the reply decodes, the field is exactly this.
    Exact(Amount),
    /// A plain decimal string beyond what `Decimal` holds exactly (more than 96 bits of
    /// mantissa, or a scale above 28): the reply must be refused, never rounded.
    TooBig,
    /// Not an amount (a number where a string belongs, a fraction of a cent, an exponent, a
    /// separator, a sign, `null`, missing): the reply must be refused.
    Refused,
}

/// Cents: a JSON integer that fits in an `i64`, nothing else.
fn wire_cents(v: Option<&Value>) -> Wire {
    v.and_then(Value::as_i64)
        .map_or(Wire::Refused, |n| Wire::Exact(Amount::Cents(n)))
}

/// Issuing decimals: a JSON string of an optional `-`, digits, and optionally `.` and digits.
fn wire_decimal(v: Option<&Value>) -> Wire {
    let Some(Value::String(s)) = v else {
        return Wire::Refused;
    };
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((_, "")) => return Wire::Refused,
        Some((i, f)) => (i, f),
        None => (digits, ""),
    };
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Wire::Refused;
    }
    let mut mantissa: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        match mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(b - b'0')))
        {
            Some(m) => mantissa = m,
            None => return Wire::TooBig,
        }
    }
    if mantissa >= 1i128 << 96 || frac.len() > 28 {
        return Wire::TooBig;
    }
    Wire::Exact(Amount::Decimal {
        mantissa: if s.starts_with('-') {
            -mantissa
        } else {
            mantissa
        },
        scale: frac.len() as u32,
    })
}

/// A model under test: its money fields as decoded, and as the JSON has them (`None` when the
/// JSON is not an object, which a struct may still decode from positionally: not checked).
struct Model<T> {
    decoded: fn(&T) -> Vec<Amount>,
    wire: fn(&Value) -> Option<Vec<Wire>>,
}

fn fields(v: &Value, keys: &[&str], read: fn(Option<&Value>) -> Wire) -> Option<Vec<Wire>> {
    v.as_object()
        .map(|o| keys.iter().map(|k| read(o.get(*k))).collect())
}

const BALANCE: Model<Balance> = Model {
    decoded: |b| {
        [b.available_amount, b.pending_amount, b.posted_amount]
            .map(|c| Amount::Cents(c.get()))
            .to_vec()
    },
    wire: |v| {
        fields(
            v,
            &["available_amount", "pending_amount", "posted_amount"],
            wire_cents,
        )
    },
};

const ENTRY: Model<BalanceEntry> = Model {
    decoded: |e| vec![Amount::Cents(e.amount.get())],
    wire: |v| fields(v, &["amount"], wire_cents),
};

const BUDGETS: Model<Envelope<Vec<BudgetBalance>>> = Model {
    decoded: |env| {
        env.data
            .iter()
            .flatten()
            .map(|b| decimal(&b.balance))
            .collect()
    },
    wire: |v| match v.as_object()?.get("data") {
        None | Some(Value::Null) => Some(vec![]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::Array(_) => None,
                i => Some(wire_decimal(i.get("balance"))),
            })
            .collect(),
        // Not a list: refused, whatever the money.
        Some(_) => Some(vec![Wire::Refused]),
    },
};

const CARD: Model<Envelope<CardBalance>> = Model {
    decoded: |env| {
        env.data
            .iter()
            .map(|c| decimal(&c.available_balance))
            .collect()
    },
    wire: |v| match v.as_object()?.get("data") {
        None | Some(Value::Null) => Some(vec![]),
        Some(Value::Array(_)) => None,
        Some(d) => Some(vec![wire_decimal(d.get("available_balance"))]),
    },
};

const ERRORS: Model<PaymentsErrorList> = Model {
    decoded: |_| vec![],
    wire: |v| v.as_object().map(|_| vec![]),
};

/// Decodes `bytes` as `T` and checks what came out against the reference reading of the JSON:
/// a reply with a field that is not an amount is refused; a decoded reply has exactly the
/// amounts the JSON says; it re-encodes, and the encoding decodes to the same value. With
/// `must_decode`, the reply is valid and refusing it is a failure too.
fn check<T>(bytes: &[u8], model: &Model<T>, must_decode: bool) -> Result<(), TestCaseError>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let text = String::from_utf8_lossy(bytes);
    let decoded = serde_json::from_slice::<T>(bytes);
    let wire = serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|v| (model.wire)(&v));
    if let Some(wire) = &wire
        && wire.contains(&Wire::Refused)
    {
        prop_assert!(
            decoded.is_err(),
            "decoded although a money field is not an amount ({:?}): {:?} from {}",
            wire,
            decoded,
            text
        );
    }
    let value = match decoded {
        Ok(value) => value,
        Err(e) => {
            prop_assert!(!must_decode, "a valid reply is refused: {}: {}", e, text);
            return Ok(());
        }
    };
    if let Some(wire) = wire {
        let got: Vec<Wire> = (model.decoded)(&value)
            .into_iter()
            .map(Wire::Exact)
            .collect();
        prop_assert_eq!(got, wire, "money decoded inexactly from {}", text);
    }
    let encoded = serde_json::to_vec(&value).unwrap();
    let again: T = serde_json::from_slice(&encoded).map_err(|e| {
        TestCaseError::fail(format!(
            "the encoding of a decoded reply does not decode: {e}: {}",
            String::from_utf8_lossy(&encoded)
        ))
    })?;
    prop_assert_eq!(&again, &value);
    prop_assert_eq!(serde_json::to_vec(&again).unwrap(), encoded);
    Ok(())
}

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/", $name, ".json"))
    };
}

/// The fixtures, each with the JSON pointers of its money fields and whether those are cents.
const FIXTURES: &[(&str, &str, &[&str], bool)] = &[
    (
        "getBalance",
        fixture!("getBalance"),
        &["/available_amount", "/pending_amount", "/posted_amount"],
        true,
    ),
    (
        "getBalanceEntry",
        fixture!("getBalanceEntry"),
        &["/amount"],
        true,
    ),
    (
        "listBudgetBalances",
        fixture!("listBudgetBalances"),
        &["/data/0/balance", "/data/1/balance", "/data/2/balance"],
        false,
    ),
    (
        "getCardBalance",
        fixture!("getCardBalance"),
        &["/data/available_balance"],
        false,
    ),
];

/// Raw JSON for a cents field, and whether it is a valid amount.
fn cents_token() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        any::<i64>().prop_map(|n| (n.to_string(), true)),
        prop::sample::select(vec![
            "12.5",
            "1250000.0",
            "1e3",
            "1E3",
            "-1.5e2",
            "9223372036854775808",
            "-9223372036854775809",
            "92233720368547758070",
            "18446744073709551616",
            "\"1250000\"",
            "\"\"",
            "null",
            "true",
            "[]",
            "{}",
            "1_000",
            "+5",
            "0x10",
            "1 000",
            "NaN",
            "",
        ])
        .prop_map(|t| (t.to_owned(), false)),
        "-?[1-9][0-9]{0,21}(\\.[0-9]{1,4})?([eE][-+]?[0-9]{1,2})?".prop_map(|t| (t, false)),
    ]
}

/// Raw JSON for an Issuing decimal field, and whether it is a valid amount.
fn decimal_token() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        decimal_string().prop_map(|s| (format!("\"{s}\""), true)),
        prop::sample::select(vec![
            "\"1e3\"",
            "\"1E3\"",
            "\"1,000.00\"",
            "\"1_000\"",
            "\"+1\"",
            "\" 1\"",
            "\"1 \"",
            "\"1.\"",
            "\".5\"",
            "\"\"",
            "\"-\"",
            "\"--1\"",
            "\"NaN\"",
            "\"0x10\"",
            "\"1.2.3\"",
            "\"\u{ff11}\u{ff12}\"",
            "\"1\\u00300\"",
            "12.5",
            "1468.87",
            "1e3",
            "0",
            "null",
            "true",
            "[]",
            "{}",
        ])
        .prop_map(|t| (t.to_owned(), false)),
        // Long and finely scaled: beyond `Decimal` past 28 digits of scale or 96 bits.
        "\"-?0{0,3}[0-9]{1,31}(\\.[0-9]{0,31})?\"".prop_map(|t| (t, false)),
    ]
}

/// One byte edit: at a position, overwrite, insert or delete.
#[derive(Debug, Clone)]
enum ByteEdit {
    Overwrite(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Delete(prop::sample::Index),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    let byte = || {
        prop_oneof![
            any::<u8>(),
            prop::sample::select(b"0123456789.-+eE,_\" {}[]:n".to_vec()),
        ]
    };
    prop_oneof![
        (any::<prop::sample::Index>(), byte()).prop_map(|(i, b)| ByteEdit::Overwrite(i, b)),
        (any::<prop::sample::Index>(), byte()).prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        any::<prop::sample::Index>().prop_map(ByteEdit::Delete),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &ByteEdit) {
    if bytes.is_empty() {
        return;
    }
    match edit {
        ByteEdit::Overwrite(i, b) => {
            let i = i.index(bytes.len());
            bytes[i] = *b;
        }
        ByteEdit::Insert(i, b) => bytes.insert(i.index(bytes.len() + 1), *b),
        ByteEdit::Delete(i) => {
            bytes.remove(i.index(bytes.len()));
        }
    }
}

/// `fixture` with the money field at `pointer` replaced by the raw text `token`.
fn with_money(fixture: &str, pointer: &str, token: &str) -> Vec<u8> {
    const MARK: &str = "__MONEY__";
    let mut v: Value = serde_json::from_str(fixture).unwrap();
    *v.pointer_mut(pointer).expect("the fixture has the field") = Value::from(MARK);
    let text = serde_json::to_string_pretty(&v).unwrap();
    let mark = format!("\"{MARK}\"");
    assert_eq!(text.matches(&mark).count(), 1);
    text.replacen(&mark, token, 1).into_bytes()
}

fn check_any(name: &str, bytes: &[u8], must_decode: bool) -> Result<(), TestCaseError> {
    match name {
        "getBalance" => check(bytes, &BALANCE, must_decode),
        "getBalanceEntry" => check(bytes, &ENTRY, must_decode),
        "listBudgetBalances" => check(bytes, &BUDGETS, must_decode),
        "getCardBalance" => check(bytes, &CARD, must_decode),
        _ => unreachable!("{name}"),
    }
}

#[test]
fn the_reference_reading_of_money_is_right() {
    let d = |s: &str| wire_decimal(Some(&Value::from(s)));
    let exact = |mantissa, scale| Wire::Exact(Amount::Decimal { mantissa, scale });
    assert_eq!(d("78900.00"), exact(7_890_000, 2));
    assert_eq!(d("-0.5"), exact(-5, 1));
    assert_eq!(d("007"), exact(7, 0));
    for refused in [
        "1e3", "1,000.00", "+1", " 1", "1.", ".5", "", "-", "1.2.3", "１",
    ] {
        assert_eq!(d(refused), Wire::Refused, "{refused:?}");
    }
    assert_eq!(wire_decimal(Some(&json!(12.5))), Wire::Refused);
    assert_eq!(wire_decimal(None), Wire::Refused);
    // 2^96 ≈ 7.9e28: 28 nines fit, 29 do not.
    assert_eq!(d(&"9".repeat(28)), exact(10i128.pow(28) - 1, 0));
    assert_eq!(d(&"9".repeat(29)), Wire::TooBig);
    assert_eq!(d(&format!("0.{}", "1".repeat(29))), Wire::TooBig);
    let c = |s: &str| wire_cents(Some(&serde_json::from_str(s).unwrap()));
    assert_eq!(c("-4200"), Wire::Exact(Amount::Cents(-4200)));
    assert_eq!(
        c("9223372036854775807"),
        Wire::Exact(Amount::Cents(i64::MAX))
    );
    for refused in ["12.5", "1e3", "9223372036854775808", "\"1\"", "null"] {
        assert_eq!(c(refused), Wire::Refused, "{refused}");
    }
    assert_eq!(wire_cents(None), Wire::Refused);
}

#[test]
fn every_fixture_passes_the_check_unmutated() {
    for (name, text, pointers, _) in FIXTURES {
        check_any(name, text.as_bytes(), true).unwrap();
        assert!(!pointers.is_empty());
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_decode_exactly_or_fail(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            prop::collection::vec(prop::sample::select(b"{}[]:,\"0123456789.-e ntrufalsdy_".to_vec()), 0..200),
        ],
    ) {
        check(&bytes, &BALANCE, false)?;
        check(&bytes, &ENTRY, false)?;
        check(&bytes, &BUDGETS, false)?;
        check(&bytes, &CARD, false)?;
        check(&bytes, &ERRORS, false)?;
    }

    #[test]
    fn mutated_fixtures_decode_exactly_or_fail(
        fixture in prop::sample::select(FIXTURES),
        field in any::<prop::sample::Index>(),
        cents in cents_token(),
        decimal in decimal_token(),
        edits in prop::collection::vec(byte_edit(), 0..3),
    ) {
        let (name, text, pointers, is_cents) = fixture;
        let pointer = field.get(pointers);
        let (token, valid) = if is_cents { cents } else { decimal };
        let mut bytes = with_money(text, pointer, &token);
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        // Unedited and with a valid amount, the reply is valid: it must decode.
        check_any(name, &bytes, valid && edits.is_empty())?;
    }
}
