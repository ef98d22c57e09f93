//! The issuing lists: card funding orders and all cards (paged by `page_no` and `page_size`,
//! with `total_num`), and the card products.

// A refusal is the reply itself (an axum `Response`, 128 bytes), returned on the cold path
// of a handler's parsing: boxing it would only add an allocation to every refusal.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;

use super::issuing::{bad_request, refuse, success};
use crate::shared::Shared;
use crate::state::{
    Card, CardKind, CardStatus, FundingOrder, FundingStatus, Money, datetime_of_id,
    is_issuing_datetime,
};

/// `GET`: card funding orders.
pub(crate) const FUNDING_LIST: &str = "/card/issuance/api/issuing/card/v2/funding/list";
/// `GET`: all cards.
pub(crate) const CARD_LIST: &str = "/card/issuance/api/issuing/card/v2/detail-list";
/// `GET`: the card products.
pub(crate) const PRODUCTS: &str = "/card/issuance/api/issuing/card/v2/product";

/// The default and largest `page_size`.
const DEFAULT_PAGE_SIZE: usize = 20;
const MAX_PAGE_SIZE: usize = 100;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(FUNDING_LIST, get(funding_list))
        .route(CARD_LIST, get(card_list))
        .route(PRODUCTS, get(products))
}

#[derive(Serialize)]
struct Page<T> {
    total_num: usize,
    list: Vec<T>,
}

#[derive(Serialize)]
struct FundingItem {
    record_id: String,
    unique_order_id: String,
    created: String,
    amount: Money,
    currency: String,
    card_number: String,
    card_id: String,
    remark: String,
    status: &'static str,
    operate_type: String,
}

#[derive(Serialize)]
struct CardItem {
    card_id: String,
    card_status: &'static str,
    cancellation_in_progress: &'static str,
    card_cancelled: &'static str,
    allow_withdrawal: &'static str,
    card_number: String,
    budget_id: String,
    created: String,
    billing_currency: String,
    remark: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Product {
    card_net_work: &'static str,
    card_product_code: &'static str,
    valid_month: u32,
    allow_withdrawal: bool,
    card_application_fee: &'static str,
    billing_currency: &'static str,
    bin_range: &'static str,
    share: bool,
    name_cn: &'static str,
    name_en: &'static str,
}

/// The card products the sandbox offers (its own: no page lists real ones).
const PRODUCTS_OFFERED: [Product; 3] = [
    Product {
        card_net_work: "Mastercard",
        card_product_code: "MC_DEDICATED_USD",
        valid_month: 36,
        allow_withdrawal: true,
        card_application_fee: "1.00",
        billing_currency: "USD",
        bin_range: "515700-515799",
        share: false,
        name_cn: "万事达专用资金卡",
        name_en: "Mastercard Dedicated Funds Card",
    },
    Product {
        card_net_work: "Mastercard",
        card_product_code: "MC_SHARED_USD",
        valid_month: 36,
        allow_withdrawal: false,
        card_application_fee: "0.50",
        billing_currency: "USD",
        bin_range: "515700-515799",
        share: true,
        name_cn: "万事达共享资金卡",
        name_en: "Mastercard Shared Funds Card",
    },
    Product {
        card_net_work: "Visa",
        card_product_code: "VISA_DEDICATED_USD",
        valid_month: 24,
        allow_withdrawal: true,
        card_application_fee: "1.50",
        billing_currency: "USD",
        bin_range: "428800-428899",
        share: false,
        name_cn: "Visa专用资金卡",
        name_en: "Visa Dedicated Funds Card",
    },
];

/// The validated query of a paged list.
struct ListQuery {
    query: HashMap<String, String>,
    page_no: usize,
    page_size: usize,
}

impl ListQuery {
    /// Authentication, then `page_no` (from 1) and `page_size` (1 to 100).
    fn parse(
        shared: &Shared,
        headers: &HeaderMap,
        query: Result<Query<HashMap<String, String>>, QueryRejection>,
    ) -> Result<ListQuery, Response> {
        if let Some(reply) = refuse(shared, headers) {
            return Err(reply);
        }
        let Ok(Query(query)) = query else {
            return Err(bad_request("The query string is malformed"));
        };
        let number = |name: &str, default: usize, max: usize| match query.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    bad_request(&format!(
                        "{name} must be an integer from 1 to {max}, got {v:?}"
                    ))
                }),
        };
        let page_no = number("page_no", 1, 1_000_000_000)?;
        let page_size = number("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
        for name in ["start_date", "end_date"] {
            if let Some(v) = query.get(name)
                && !is_issuing_datetime(v)
            {
                return Err(bad_request(&format!(
                    "{name} must be yyyy-MM-dd HH:mm:ss, got {v:?}"
                )));
            }
        }
        Ok(ListQuery {
            query,
            page_no,
            page_size,
        })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    /// Whether `created` (`yyyy-MM-dd HH:mm:ss`) is within `start_date..=end_date`.
    fn in_dates(&self, created: &str) -> bool {
        self.get("start_date").is_none_or(|start| created >= start)
            && self.get("end_date").is_none_or(|end| created <= end)
    }

    /// One page of `items` (already filtered and ordered).
    fn page<T>(&self, items: Vec<T>) -> Page<T> {
        let total_num = items.len();
        let skip = (self.page_no - 1).saturating_mul(self.page_size);
        let list = items.into_iter().skip(skip).take(self.page_size).collect();
        Page { total_num, list }
    }
}

async fn funding_list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let q = match ListQuery::parse(&shared, &headers, query) {
        Ok(q) => q,
        Err(reply) => return reply,
    };
    let status = match q.get("status") {
        None => None,
        Some(v) => match FundingStatus::ALL.into_iter().find(|s| s.as_str() == v) {
            Some(s) => Some(s),
            None => {
                return bad_request(&format!(
                    "status must be SUCCESS, FAIL or PROCESSING, got {v:?}"
                ));
            }
        },
    };
    let items = shared.store.read(|s| {
        let number = |card_id: &str| {
            (s.cards.iter().find(|c| c.card_id == card_id))
                .map_or_else(String::new, |c| c.card_number.clone())
        };
        let keep = |o: &&FundingOrder| {
            status.is_none_or(|st| o.status == st)
                && q.get("unique_order_id")
                    .is_none_or(|id| o.unique_order_id == id)
                && q.get("card_id").is_none_or(|id| o.card_id == id)
                && q.in_dates(&o.created)
        };
        let mut orders: Vec<&FundingOrder> = s.funding_orders.iter().filter(keep).collect();
        // Newest first; orders of the same second in reverse insertion order.
        orders.reverse();
        orders.sort_by(|a, b| b.created.cmp(&a.created));
        (orders.into_iter())
            .map(|o| FundingItem {
                record_id: o.record_id.clone(),
                unique_order_id: o.unique_order_id.clone(),
                created: o.created.get(..10).unwrap_or(&o.created).to_owned(),
                amount: o.amount,
                currency: o.currency.clone(),
                card_number: number(&o.card_id),
                card_id: o.card_id.clone(),
                remark: o.remark.clone(),
                status: o.status.as_str(),
                operate_type: o.operate_type.clone(),
            })
            .collect::<Vec<_>>()
    });
    success(q.page(items))
}

fn card_item(c: &Card) -> CardItem {
    let flag = |b: bool| if b { "true" } else { "false" };
    CardItem {
        card_id: c.card_id.clone(),
        card_status: c.status.as_str(),
        cancellation_in_progress: "false",
        card_cancelled: flag(c.status == CardStatus::Canceled),
        allow_withdrawal: flag(c.kind == CardKind::Dedicated && c.status == CardStatus::Active),
        card_number: c.card_number.clone(),
        budget_id: c.budget_id.clone(),
        created: datetime_of_id(&c.card_id, "card"),
        billing_currency: c.currency.clone(),
        remark: c.remark.clone(),
        kind: match c.kind {
            CardKind::Dedicated => "DEDICATED",
            CardKind::Shared => "SHARE",
        },
    }
}

async fn card_list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let q = match ListQuery::parse(&shared, &headers, query) {
        Ok(q) => q,
        Err(reply) => return reply,
    };
    let status = match q.get("card_status") {
        None => None,
        Some(v) => match CardStatus::ALL.into_iter().find(|s| s.as_str() == v) {
            Some(s) => Some(s),
            None => {
                return bad_request(&format!(
                    "card_status must be INACTIVE, ACTIVE, REVOKED or CANCELED, got {v:?}"
                ));
            }
        },
    };
    if let Some(last4) = q.get("last4")
        && !(last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit()))
    {
        return bad_request(&format!("last4 must be 4 digits, got {last4:?}"));
    }
    let items = shared.store.read(|s| {
        let mut items: Vec<CardItem> = (s.cards.iter())
            .filter(|c| {
                status.is_none_or(|st| c.status == st)
                    && q.get("last4").is_none_or(|l| c.card_number.ends_with(l))
                    && q.get("remark").is_none_or(|r| c.remark.contains(r))
            })
            .map(card_item)
            .filter(|c| q.in_dates(&c.created))
            .collect();
        // Newest first (the id starts with its creation time), then by id, descending.
        items.sort_by(|a, b| b.card_id.cmp(&a.card_id));
        items
    });
    success(q.page(items))
}

async fn products(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(reply) = refuse(&shared, &headers) {
        return reply;
    }
    success(&PRODUCTS_OFFERED)
}
