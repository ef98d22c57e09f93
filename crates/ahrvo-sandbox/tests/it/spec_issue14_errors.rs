//! Issue 14's operations for the spec conformance test: the statuses every operation shares
//! (406, the injected 429, 500 and 503; the POSTs' 413 and 415).

use ahrvo_sandbox::{FaultConfig, FaultKind, Sandbox};

use crate::common::*;
use crate::spec::Observed;

const ENTRIES: &str = "/payments/na/balances/{balance_id}/balance_entries";
const TRANSFER_T: &str = "/payments/na/transfers/{transfer_id}";

/// `top_up_order` and `transfer_order` are paths (with their query) of existing orders.
pub(crate) async fn http_errors(
    seeded: &Sandbox,
    top_up_order: &str,
    transfer_order: &str,
) -> Vec<Observed> {
    let mut seen = Vec::new();
    let mut push = |method: &'static str, template: &'static str, what: &str, reply: Reply| {
        seen.push(Observed {
            method,
            template,
            what: what.to_owned(),
            reply,
        })
    };
    // Every operation: 406, the injected 429, 500 and 503; the POSTs' 413 and 415.
    let operations: [(&str, &'static str, String, bool); 12] = [
        ("post", TOP_UP, TOP_UP.to_owned(), true),
        ("get", TOP_UP_ORDER, top_up_order.to_owned(), true),
        ("post", TRANSFER, TRANSFER.to_owned(), true),
        ("get", TRANSFER_ORDER, transfer_order.to_owned(), true),
        ("post", CARD_TOP_UP, CARD_TOP_UP.to_owned(), true),
        ("get", FUNDING_LIST, FUNDING_LIST.to_owned(), true),
        ("get", CARD_LIST, CARD_LIST.to_owned(), true),
        ("get", PRODUCTS, PRODUCTS.to_owned(), true),
        ("get", BALANCES, BALANCES.to_owned(), false),
        ("get", ENTRIES, entries_path(SEED_BALANCE), false),
        ("get", ADJUSTMENTS, ADJUSTMENTS.to_owned(), false),
        (
            "get",
            TRANSFER_T,
            format!("/payments/na/transfers/{SEED_TRANSFER}"),
            false,
        ),
    ];
    let faulty = crate::common::seeded().await;
    for (method, template, path, issuing) in &operations {
        let request = |sb: &Sandbox, accept: &'static str| {
            api_request(sb, method, path, *issuing)
                .header("Accept", accept)
                .header("Content-Type", "application/json")
                .body("{}")
        };
        push(
            method,
            template,
            "Accept: text/html",
            send(request(seeded, "text/html")).await,
        );
        for kind in [
            FaultKind::TooManyRequests,
            FaultKind::InternalServerError,
            FaultKind::ServiceUnavailable,
        ] {
            faulty.set_faults(FaultConfig::with_rate(1.0).kinds([kind]));
            push(
                method,
                template,
                &format!("{kind:?}"),
                send(request(&faulty, "application/json")).await,
            );
        }
        if *method == "post" {
            let big = format!(r#"{{"x": "{}"}}"#, "x".repeat(70 * 1024));
            push(
                method,
                template,
                "70 KiB",
                issuing_post(seeded, path, &big, Issuing::Good).await,
            );
            let plain = api_request(seeded, method, path, true)
                .header("Content-Type", "text/plain")
                .body("{}");
            push(method, template, "text/plain", send(plain).await);
        }
    }
    seen
}
