//! The replies of issue 14's operations, for the spec conformance test (`spec.rs`): every
//! status each one declares, success and error.

use ahrvo_sandbox::{CardKind, NewBalance, Sandbox};

use crate::common::*;
use crate::spec::Observed;
use crate::spec_issue14_errors::http_errors;

pub(crate) async fn observe(seeded: &Sandbox) -> Vec<Observed> {
    let mut seen = Vec::new();
    let mut push = |method: &'static str, template: &'static str, what: &str, reply: Reply| {
        seen.push(Observed {
            method,
            template,
            what: what.to_owned(),
            reply,
        })
    };
    let budget = seeded.create_budget("Spec funding", "USD").unwrap();
    seeded.fund_budget(&budget, "100.00").unwrap();
    let card = seeded.create_card(&budget, CardKind::Dedicated).unwrap();

    // Top up a budget, and its order.
    let post = "post";
    push(
        post,
        TOP_UP,
        "new",
        issuing_post(
            seeded,
            TOP_UP,
            &top_up_body(&budget, "10.45", "spec-1"),
            Issuing::Good,
        )
        .await,
    );
    push(
        post,
        TOP_UP,
        "same again",
        issuing_post(
            seeded,
            TOP_UP,
            &top_up_body(&budget, "10.45", "spec-1"),
            Issuing::Good,
        )
        .await,
    );
    push(
        post,
        TOP_UP,
        "duplicate",
        issuing_post(
            seeded,
            TOP_UP,
            &top_up_body(&budget, "1", "spec-1"),
            Issuing::Good,
        )
        .await,
    );
    push(
        post,
        TOP_UP,
        "bad amount",
        issuing_post(
            seeded,
            TOP_UP,
            &top_up_body(&budget, "1.234", "spec-2"),
            Issuing::Good,
        )
        .await,
    );
    push(
        post,
        TOP_UP,
        "unknown budget",
        issuing_post(
            seeded,
            TOP_UP,
            &top_up_body("ci000", "1", "spec-3"),
            Issuing::Good,
        )
        .await,
    );
    push(
        post,
        TOP_UP,
        "no key",
        issuing_post(seeded, TOP_UP, "{}", Issuing::TokenOnly).await,
    );
    push(
        post,
        TOP_UP,
        "disabled",
        issuing_post(seeded, TOP_UP, "{}", Issuing::Forbidden).await,
    );
    let order = |id: &str| format!("{TOP_UP_ORDER}?unique_order_id={id}");
    push(
        "get",
        TOP_UP_ORDER,
        "found",
        good(seeded, &order("spec-1")).await,
    );
    push(
        "get",
        TOP_UP_ORDER,
        "seeded",
        good(seeded, &order("seed-top-up-0001")).await,
    );
    push(
        "get",
        TOP_UP_ORDER,
        "missing id",
        good(seeded, TOP_UP_ORDER).await,
    );
    push(
        "get",
        TOP_UP_ORDER,
        "unknown",
        good(seeded, &order("nope")).await,
    );
    push(
        "get",
        TOP_UP_ORDER,
        "no token",
        issuing_get(seeded, &order("spec-1"), Issuing::KeyOnly).await,
    );
    push(
        "get",
        TOP_UP_ORDER,
        "disabled",
        issuing_get(seeded, &order("spec-1"), Issuing::Forbidden).await,
    );

    // Transfers.
    let transfer = |from: &str, to: &str, amount: &str, to_currency: &str| {
        serde_json::json!({"source_budget_id": from, "target_budget_id": to, "transfer_amount": amount,
            "source_currency": "USD", "target_currency": to_currency})
        .to_string()
    };
    let reply = issuing_post(
        seeded,
        TRANSFER,
        &transfer(&budget, MARKETING, "5.00", "USD"),
        Issuing::Good,
    )
    .await;
    let transfer_id = reply.body["data"]["transfer_order_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    push(post, TRANSFER, "moved", reply);
    push(
        post,
        TRANSFER,
        "to itself",
        issuing_post(
            seeded,
            TRANSFER,
            &transfer(&budget, &budget, "1", "USD"),
            Issuing::Good,
        )
        .await,
    );
    push(
        post,
        TRANSFER,
        "insufficient",
        issuing_post(
            seeded,
            TRANSFER,
            &transfer(&budget, MARKETING, "100000", "USD"),
            Issuing::Good,
        )
        .await,
    );
    push(
        post,
        TRANSFER,
        "unknown",
        issuing_post(
            seeded,
            TRANSFER,
            &transfer("ci0", MARKETING, "1", "USD"),
            Issuing::Good,
        )
        .await,
    );
    push(
        post,
        TRANSFER,
        "no token",
        issuing_post(seeded, TRANSFER, "{}", Issuing::Nothing).await,
    );
    push(
        post,
        TRANSFER,
        "disabled",
        issuing_post(seeded, TRANSFER, "{}", Issuing::Forbidden).await,
    );
    let t_order = |id: &str| format!("{TRANSFER_ORDER}?transfer_order_id={id}");
    push(
        "get",
        TRANSFER_ORDER,
        "found",
        good(seeded, &t_order(&transfer_id)).await,
    );
    push(
        "get",
        TRANSFER_ORDER,
        "missing id",
        good(seeded, TRANSFER_ORDER).await,
    );
    push(
        "get",
        TRANSFER_ORDER,
        "unknown",
        good(seeded, &t_order("bt0")).await,
    );
    push(
        "get",
        TRANSFER_ORDER,
        "no token",
        issuing_get(seeded, &t_order("bt0"), Issuing::WrongToken).await,
    );
    push(
        "get",
        TRANSFER_ORDER,
        "disabled",
        issuing_get(seeded, &t_order("bt0"), Issuing::Forbidden).await,
    );

    // Card top-ups.
    let card_body = |id: &str, card: &str, amount: &str| {
        serde_json::json!({"unique_order_id": id, "card_id": card, "amount": amount}).to_string()
    };
    push(
        post,
        CARD_TOP_UP,
        "new",
        issuing_post(
            seeded,
            CARD_TOP_UP,
            &card_body("c-1", &card, "1.50"),
            Issuing::Good,
        )
        .await,
    );
    push(
        post,
        CARD_TOP_UP,
        "shared",
        issuing_post(
            seeded,
            CARD_TOP_UP,
            &card_body("c-2", SEED_SHARED_CARD, "1"),
            Issuing::Good,
        )
        .await,
    );
    push(
        post,
        CARD_TOP_UP,
        "insufficient",
        issuing_post(
            seeded,
            CARD_TOP_UP,
            &card_body("c-3", &card, "99999"),
            Issuing::Good,
        )
        .await,
    );
    push(
        post,
        CARD_TOP_UP,
        "unknown",
        issuing_post(
            seeded,
            CARD_TOP_UP,
            &card_body("c-4", "card0", "1"),
            Issuing::Good,
        )
        .await,
    );
    push(
        post,
        CARD_TOP_UP,
        "no key",
        issuing_post(seeded, CARD_TOP_UP, "{}", Issuing::WrongKey).await,
    );
    push(
        post,
        CARD_TOP_UP,
        "disabled",
        issuing_post(seeded, CARD_TOP_UP, "{}", Issuing::Forbidden).await,
    );

    // Issuing lists.
    for (path, bad) in [
        (FUNDING_LIST, "status=DONE"),
        (CARD_LIST, "card_status=LOST"),
    ] {
        push("get", path, "default", good(seeded, path).await);
        push(
            "get",
            path,
            "page 2 of 3",
            good(seeded, &format!("{path}?page_no=2&page_size=3")).await,
        );
        push(
            "get",
            path,
            "past the end",
            good(seeded, &format!("{path}?page_no=99")).await,
        );
        push(
            "get",
            path,
            "bad filter",
            good(seeded, &format!("{path}?{bad}")).await,
        );
        push(
            "get",
            path,
            "page_size 0",
            good(seeded, &format!("{path}?page_size=0")).await,
        );
        push(
            "get",
            path,
            "no token",
            issuing_get(seeded, path, Issuing::Nothing).await,
        );
        push(
            "get",
            path,
            "disabled",
            issuing_get(seeded, path, Issuing::Forbidden).await,
        );
    }
    push(
        "get",
        FUNDING_LIST,
        "by card",
        good(seeded, &format!("{FUNDING_LIST}?card_id={card}")).await,
    );
    push(
        "get",
        CARD_LIST,
        "by status",
        good(seeded, &format!("{CARD_LIST}?card_status=CANCELED")).await,
    );
    push("get", PRODUCTS, "all", good(seeded, PRODUCTS).await);
    push(
        "get",
        PRODUCTS,
        "no token",
        issuing_get(seeded, PRODUCTS, Issuing::Nothing).await,
    );
    push(
        "get",
        PRODUCTS,
        "disabled",
        issuing_get(seeded, PRODUCTS, Issuing::Forbidden).await,
    );

    // Payments lists and transfers.
    let _ = seeded
        .create_balance(NewBalance::new().with_available_amount(5))
        .unwrap();
    let entries = "/payments/na/balances/{balance_id}/balance_entries";
    let transfer_t = "/payments/na/transfers/{transfer_id}";
    let seed_entries = entries_path(SEED_BALANCE);
    for (template, path) in [
        (BALANCES, BALANCES.to_owned()),
        (entries, seed_entries.clone()),
        (ADJUSTMENTS, ADJUSTMENTS.to_owned()),
    ] {
        push(
            "get",
            template,
            "cursor",
            payments_list(seeded, &path, true).await,
        );
        push(
            "get",
            template,
            "offset",
            payments_list(seeded, &format!("{path}?offset=1&limit=2"), false).await,
        );
        push(
            "get",
            template,
            "limit 101",
            payments_list(seeded, &format!("{path}?limit=101"), true).await,
        );
        push(
            "get",
            template,
            "unknown cursor",
            payments_list(seeded, &format!("{path}?after_cursor=nope"), true).await,
        );
        push(
            "get",
            template,
            "no credentials",
            payments_get(seeded, &path, Payments::Nothing).await,
        );
    }
    push(
        "get",
        entries,
        "last page",
        payments_list(
            seeded,
            &format!("{seed_entries}?limit=100&after_cursor=balance_entry_i5YzFZYEh6CoCrN2zqgPdW"),
            true,
        )
        .await,
    );
    push(
        "get",
        entries,
        "unknown balance",
        payments_list(seeded, &entries_path("balance_nope"), true).await,
    );
    let t = |id: &str| format!("/payments/na/transfers/{id}");
    push(
        "get",
        transfer_t,
        "seeded",
        payments_get(seeded, &t(SEED_TRANSFER), Payments::Good).await,
    );
    push(
        "get",
        transfer_t,
        "not UTF-8",
        payments_get(seeded, &t("%C3%28"), Payments::Good).await,
    );
    push(
        "get",
        transfer_t,
        "unknown",
        payments_get(seeded, &t("TRnope"), Payments::Good).await,
    );
    push(
        "get",
        transfer_t,
        "no credentials",
        payments_get(seeded, &t(SEED_TRANSFER), Payments::WrongUser).await,
    );

    seen.extend(http_errors(seeded, &order("spec-1"), &t_order(&transfer_id)).await);
    seen
}

async fn good(sb: &Sandbox, path: &str) -> Reply {
    issuing_get(sb, path, Issuing::Good).await
}
