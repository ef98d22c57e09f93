//! Name conversions between the spec's wire names and Rust identifiers.
//!
//! Kept apart so every generator (models, operation table, method check) derives names the same
//! way: the method check names `list_budget_balances` for `listBudgetBalances` through
//! [`snake_case`], exactly as the operation table derives `LIST_BUDGET_BALANCES`. Word splitting
//! and case conversion are `heck`'s; only the Rust-specific rules (keywords, identifiers, the `V`
//! prefix of a leading digit) are written here.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Words Rust reserves (strict, reserved and 2024-edition keywords): never usable as a plain
/// field or module name.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `word` is a Rust keyword.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// `listBudgetBalances` → `list_budget_balances`, `HTTPStatus` → `http_status`.
pub fn snake_case(name: &str) -> String {
    name.to_snake_case()
}

/// `listBudgetBalances` → `LIST_BUDGET_BALANCES`.
pub fn screaming_snake_case(name: &str) -> String {
    name.to_shouty_snake_case()
}

/// `BALANCE_TOP_UP_ACH` → `BalanceTopUpAch`; a leading digit gets a `V` prefix (`3DS` → `V3ds`).
pub fn upper_camel_case(name: &str) -> String {
    let out = name.to_upper_camel_case();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{out}")
    } else {
        out
    }
}

/// Whether `name` is a plain (non-raw) Rust identifier that is not a keyword.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    starts_well && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !is_keyword(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_operation_ids() {
        assert_eq!(snake_case("listBudgetBalances"), "list_budget_balances");
        assert_eq!(screaming_snake_case("getBalanceEntry"), "GET_BALANCE_ENTRY");
        assert_eq!(snake_case("getHTTPStatus2Fa"), "get_http_status2_fa");
    }

    #[test]
    fn converts_type_and_enum_names() {
        assert_eq!(
            snake_case("PaymentsErrorListEmbedded"),
            "payments_error_list_embedded"
        );
        assert_eq!(upper_camel_case("BALANCE_TOP_UP_ACH"), "BalanceTopUpAch");
        assert_eq!(upper_camel_case("push-to-card"), "PushToCard");
        // heck keeps a digit-led word whole: `3DS` is one word, `3ds`.
        assert_eq!(upper_camel_case("3DS"), "V3ds");
    }

    #[test]
    fn recognises_identifiers() {
        assert!(is_identifier("balance_type"));
        assert!(!is_identifier("type"));
        assert!(!is_identifier("2fa"));
    }
}
