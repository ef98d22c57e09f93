//! Every error `code` the sandbox can send, one enum per API family, in one place.
//!
//! The pages document statuses, not codes; the spec (`docs/openapi/ahrvo.json`) names one set,
//! `IssuingErrorCode` and `PaymentsErrorCode`, and these enums are that set. The sandbox does
//! not depend on `ahrvo-types` (it is an independent implementation), so the unit test below
//! reads the spec and checks both directions: every code here is in the spec's enum, and every
//! code of the spec's enum is one the sandbox sends.
//!
//! An error reply takes one of these types, never a string, so no handler can send a code that
//! is not listed.

/// Declares a code enum with its wire strings and `ALL`.
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every code, in the spec's order.
            #[cfg_attr(not(test), allow(dead_code))]
            pub(crate) const ALL: &[$name] = &[$($name::$variant,)+];

            /// The wire string.
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }
        }
    };
}

codes! {
    /// The `code` of an Issuing error body (`{"code", "message"}`).
    IssuingCode {
        /// 400: a missing or invalid parameter or body.
        InvalidParameter = "INVALID_PARAMETER",
        /// 400: a Shared Funds Card asked for its own balance.
        InvalidCardType = "INVALID_CARD_TYPE",
        /// 401: token or API key missing or wrong.
        Unauthorized = "UNAUTHORIZED",
        /// 403: the issuing-disabled API key.
        Forbidden = "FORBIDDEN",
        /// 404 of the budget list: no budget accounts exist.
        NotFound = "NOT_FOUND",
        /// 404 of the card balance: no such card.
        CardNotFound = "CARD_NOT_FOUND",
        /// 400: a `unique_order_id` used before with another body.
        DuplicateOrderId = "DUPLICATE_ORDER_ID",
        /// 400: the budget holds less than the amount (card top-up, transfer).
        InsufficientBalance = "INSUFFICIENT_BALANCE",
        /// 404: no budget with this id (top-up, transfer).
        BudgetNotFound = "BUDGET_NOT_FOUND",
        /// 404: no top-up order or transfer order with this id.
        OrderNotFound = "ORDER_NOT_FOUND",
        /// 404: no such endpoint.
        RouteNotFound = "ROUTE_NOT_FOUND",
        /// 405: a known path with another method.
        MethodNotAllowed = "METHOD_NOT_ALLOWED",
        /// 406: an `Accept` that excludes JSON.
        NotAcceptable = "NOT_ACCEPTABLE",
        /// 409: a budget of this name exists.
        BudgetNameExists = "BUDGET_NAME_EXISTS",
        /// 413: a body over the limit.
        PayloadTooLarge = "PAYLOAD_TOO_LARGE",
        /// 414: a request target over the limit.
        UriTooLong = "URI_TOO_LONG",
        /// 415: a body that is not `application/json`.
        UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE",
        /// 429: the rate limit (`--rate-limit`) or an injected fault.
        TooManyRequests = "TOO_MANY_REQUESTS",
        /// 500: an injected fault, or the state file could not be written.
        InternalServerError = "INTERNAL_SERVER_ERROR",
        /// 503: the injected outage.
        ServiceUnavailable = "SERVICE_UNAVAILABLE",
    }
}

codes! {
    /// The `code` of one error of a Payments (Finix) error list.
    PaymentsCode {
        /// 400: the id is not UTF-8 once percent-decoded, or empty; a list's `limit`, cursor,
        /// offset or `Finix-Version` is invalid.
        BadRequest = "BAD_REQUEST",
        /// 401: Finix's code for missing or wrong Basic credentials.
        Unknown = "UNKNOWN",
        /// 404: no resource with this id.
        NotFound = "NOT_FOUND",
        /// 404: no such endpoint.
        RouteNotFound = "ROUTE_NOT_FOUND",
        /// 405: a known path with another method.
        MethodNotAllowed = "METHOD_NOT_ALLOWED",
        /// 406: an `Accept` that excludes JSON.
        NotAcceptable = "NOT_ACCEPTABLE",
        /// 414: a request target over the limit.
        UriTooLong = "URI_TOO_LONG",
        /// 413: a body over the limit.
        PayloadTooLarge = "PAYLOAD_TOO_LARGE",
        /// 429: the rate limit (`--rate-limit`) or an injected fault.
        TooManyRequests = "TOO_MANY_REQUESTS",
        /// 500: an injected fault.
        InternalServerError = "INTERNAL_SERVER_ERROR",
        /// 503: the injected outage.
        ServiceUnavailable = "SERVICE_UNAVAILABLE",
    }
}

/// The codes both families send for the same HTTP-level refusal or injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HttpCode {
    /// 404: no such endpoint.
    RouteNotFound,
    /// 405: a known path with another method.
    MethodNotAllowed,
    /// 406: an `Accept` that excludes JSON.
    NotAcceptable,
    /// 413: a body over the limit.
    PayloadTooLarge,
    /// 414: a request target over the limit.
    UriTooLong,
    /// 429: the injected rate limit.
    TooManyRequests,
    /// 500: an injected fault.
    InternalServerError,
    /// 503: the injected outage.
    ServiceUnavailable,
}

impl From<HttpCode> for IssuingCode {
    fn from(code: HttpCode) -> Self {
        match code {
            HttpCode::RouteNotFound => IssuingCode::RouteNotFound,
            HttpCode::MethodNotAllowed => IssuingCode::MethodNotAllowed,
            HttpCode::NotAcceptable => IssuingCode::NotAcceptable,
            HttpCode::PayloadTooLarge => IssuingCode::PayloadTooLarge,
            HttpCode::UriTooLong => IssuingCode::UriTooLong,
            HttpCode::TooManyRequests => IssuingCode::TooManyRequests,
            HttpCode::InternalServerError => IssuingCode::InternalServerError,
            HttpCode::ServiceUnavailable => IssuingCode::ServiceUnavailable,
        }
    }
}

impl From<HttpCode> for PaymentsCode {
    fn from(code: HttpCode) -> Self {
        match code {
            HttpCode::RouteNotFound => PaymentsCode::RouteNotFound,
            HttpCode::MethodNotAllowed => PaymentsCode::MethodNotAllowed,
            HttpCode::NotAcceptable => PaymentsCode::NotAcceptable,
            HttpCode::PayloadTooLarge => PaymentsCode::PayloadTooLarge,
            HttpCode::UriTooLong => PaymentsCode::UriTooLong,
            HttpCode::TooManyRequests => PaymentsCode::TooManyRequests,
            HttpCode::InternalServerError => PaymentsCode::InternalServerError,
            HttpCode::ServiceUnavailable => PaymentsCode::ServiceUnavailable,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The `enum` of a schema of `docs/openapi/ahrvo.json`.
    fn spec_enum(schema: &str) -> BTreeSet<String> {
        // The workspace's spec, or the crate's own copy of it when built from the package.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let path = [
            root.join("../../docs/openapi/ahrvo.json"),
            root.join("tests/fixtures/openapi/ahrvo.json"),
        ]
        .into_iter()
        .find(|p| p.exists())
        .expect("the spec (docs/openapi/ahrvo.json) is present");
        let text = std::fs::read_to_string(path).expect("the spec is readable");
        let spec: serde_json::Value = serde_json::from_str(&text).expect("the spec is JSON");
        spec["components"]["schemas"][schema]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("the spec has no enum schema {schema}"))
            .iter()
            .map(|v| v.as_str().expect("enum values are strings").to_owned())
            .collect()
    }

    fn sent<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> BTreeSet<String> {
        all.iter().map(|c| as_str(*c).to_owned()).collect()
    }

    #[test]
    fn issuing_codes_are_the_specs_issuing_error_codes() {
        let sandbox = sent(IssuingCode::ALL, IssuingCode::as_str);
        let spec = spec_enum("IssuingErrorCode");
        let not_in_spec: Vec<_> = sandbox.difference(&spec).collect();
        let never_sent: Vec<_> = spec.difference(&sandbox).collect();
        assert!(
            not_in_spec.is_empty() && never_sent.is_empty(),
            "sent but not in IssuingErrorCode: {not_in_spec:?}; in the spec but never sent: {never_sent:?}"
        );
        assert_eq!(
            sandbox.len(),
            IssuingCode::ALL.len(),
            "duplicate wire strings"
        );
    }

    #[test]
    fn payments_codes_are_the_specs_payments_error_codes() {
        let sandbox = sent(PaymentsCode::ALL, PaymentsCode::as_str);
        let spec = spec_enum("PaymentsErrorCode");
        let not_in_spec: Vec<_> = sandbox.difference(&spec).collect();
        let never_sent: Vec<_> = spec.difference(&sandbox).collect();
        assert!(
            not_in_spec.is_empty() && never_sent.is_empty(),
            "sent but not in PaymentsErrorCode: {not_in_spec:?}; in the spec but never sent: {never_sent:?}"
        );
        assert_eq!(
            sandbox.len(),
            PaymentsCode::ALL.len(),
            "duplicate wire strings"
        );
    }

    #[test]
    fn the_card_balance_page_has_one_set_of_codes() {
        assert_eq!(IssuingCode::InvalidCardType.as_str(), "INVALID_CARD_TYPE");
        assert_eq!(IssuingCode::CardNotFound.as_str(), "CARD_NOT_FOUND");
    }
}
