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

    #[test]
    fn arbitrary_json_never_panics_a_decoder(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        // Not a round trip: any input either decodes or is an error; never a panic.
        let _ = serde_json::from_slice::<Balance>(&bytes);
        let _ = serde_json::from_slice::<BalanceEntry>(&bytes);
        let _ = serde_json::from_slice::<Envelope<Vec<BudgetBalance>>>(&bytes);
        let _ = serde_json::from_slice::<Envelope<CardBalance>>(&bytes);
        let _ = serde_json::from_slice::<PaymentsErrorList>(&bytes);
    }
}
