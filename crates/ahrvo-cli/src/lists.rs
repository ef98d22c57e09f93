//! The paged lists: `ahrvo cards list | funding-orders | products`, `ahrvo balances list`,
//! `ahrvo balance-entries list BALANCE_ID`.
//!
//! A list streams every page, row by row, as the SDK's streams read them (one page in memory at
//! a time; Issuing stops at `total_num` or a short page, Payments when `next_cursor` is null; a
//! page or cursor that repeats is an error, never an endless loop). `-o json` is one array of
//! the items as the API sent them (every field as written, [`crate::raw`]), `-o jsonl` one item
//! per line: [`RawItems`] takes each page's recorded reply and hands its items out in step with
//! the typed stream. Card numbers are printed masked, as the SDK decodes them, whatever the
//! reply held.

use std::collections::{HashMap, VecDeque};
use std::fmt;

use ahrvo::issuing::operations::{LIST_CARD_FUNDING_ORDERS, LIST_CARD_PRODUCTS, LIST_CARDS};
use ahrvo::payments::operations::{LIST_BALANCE_ENTRIES, LIST_BALANCES};
use ahrvo::transport::ApiRequest;
use ahrvo::types::{
    Balance, BalanceEntry, CardDetail, CardFundingOrder, CardProduct, MaskedCardNumber,
};
use ahrvo::{CardFilter, FundingOrderFilter, ListOptions};
use bytes::Bytes;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::bulk::{Flow, Rows, Style};
use crate::cli::{CardListArgs, FundingOrdersArgs, OutputFormat};
use crate::exit::{CliResult, Status};
use crate::output::{self, Cell, Column, Table, left, right};
use crate::{Context, raw};

/// The URL of an Issuing page, by its number.
pub type NumberedUrl = Box<dyn Fn(u32) -> Option<String> + Send>;
/// The URL of a Payments page, by the cursor it comes after (`None`: the first page).
pub type CursorUrl = Box<dyn Fn(Option<&str>) -> Option<String> + Send>;

/// Where the next page's reply was recorded, and how to read its items.
pub enum PageKey {
    /// Issuing: pages numbered from 1; the request of page n.
    Numbered {
        /// The last page taken (0 before the first).
        page_no: u32,
        /// The URL of page n.
        url: NumberedUrl,
    },
    /// Payments: the first page, then `after_cursor` = the previous page's `next_cursor`.
    Cursor {
        /// The cursor of the next page (`None`: the first).
        next: Option<String>,
        /// The URL of the page after this cursor.
        url: CursorUrl,
    },
}

impl fmt::Debug for PageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageKey::Numbered { page_no, .. } => write!(f, "Numbered({page_no})"),
            PageKey::Cursor { next, .. } => write!(f, "Cursor({next:?})"),
        }
    }
}

/// The items of a paged list as the API sent them, page after page, in step with the SDK's
/// typed stream: when the items of one page are used up, the next item is the next page's
/// first, whose reply the recording holds under that page's URL (taken, so no page stays in
/// memory). `None` when no reply was recorded (not `-o json`/`jsonl`) or it could not be read:
/// the typed item is printed instead.
#[derive(Debug)]
pub struct RawItems {
    key: PageKey,
    items: VecDeque<String>,
    /// The key of the Payments `_embedded` list (`balance_entries`).
    embedded: &'static str,
    enabled: bool,
}

impl RawItems {
    /// The raw items of the pages of `key`, when `ctx` records replies.
    pub fn new(ctx: &Context, key: PageKey, embedded: &'static str) -> Self {
        RawItems {
            key,
            items: VecDeque::new(),
            embedded,
            enabled: matches!(ctx.format(), OutputFormat::Json | OutputFormat::Jsonl),
        }
    }

    /// The text of the next item.
    pub fn next(&mut self, ctx: &Context) -> Option<String> {
        if !self.enabled {
            return None;
        }
        if self.items.is_empty() {
            self.load(ctx);
        }
        self.items.pop_front()
    }

    fn load(&mut self, ctx: &Context) {
        match &mut self.key {
            PageKey::Numbered { page_no, url } => {
                *page_no += 1;
                let body = ctx.take_reply(url(*page_no).as_deref());
                self.items = body.and_then(|b| issuing_items(&b)).unwrap_or_default();
            }
            PageKey::Cursor { next, url } => {
                let body = ctx.take_reply(url(next.as_deref()).as_deref());
                let page = body.and_then(|b| payments_items(&b, self.embedded));
                let (items, cursor) = page.unwrap_or_default();
                self.items = items;
                *next = cursor;
            }
        }
    }
}

/// The items of an Issuing page: `data.list`, each as sent.
fn issuing_items(body: &Bytes) -> Option<VecDeque<String>> {
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        data: Data<'a>,
    }
    #[derive(Deserialize)]
    struct Data<'a> {
        #[serde(borrow)]
        list: Vec<&'a RawValue>,
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body).ok()?;
    Some(
        envelope
            .data
            .list
            .iter()
            .map(|v| v.get().to_owned())
            .collect(),
    )
}

/// The items of a Payments page (`_embedded.<key>`, each as sent) and its `next_cursor`.
fn payments_items(body: &Bytes, key: &str) -> Option<(VecDeque<String>, Option<String>)> {
    #[derive(Deserialize)]
    struct List<'a> {
        #[serde(rename = "_embedded", borrow, default)]
        embedded: Option<HashMap<String, Vec<&'a RawValue>>>,
        #[serde(default)]
        page: Option<Page>,
    }
    #[derive(Deserialize)]
    struct Page {
        #[serde(default)]
        next_cursor: Option<String>,
    }
    let list: List<'_> = serde_json::from_slice(body).ok()?;
    let items = list
        .embedded
        .and_then(|mut e| e.remove(key))
        .unwrap_or_default()
        .iter()
        .map(|v| v.get().to_owned())
        .collect();
    Some((items, list.page.and_then(|p| p.next_cursor)))
}

/// The members of a JSON object in the order sent, each value as its own text.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// `item` (a JSON object's text) with its `card_number` replaced by the SDK's masked form of
/// it: never a full card number, whatever the reply held. The other members stay as sent, in
/// their order. `None` if `item` is not an object.
pub fn masked_item(item: &str, card_number: Option<&MaskedCardNumber>) -> Option<String> {
    let members: Members<'_> = serde_json::from_str(item).ok()?;
    let mut out = String::from("{");
    for (i, (key, value)) in members.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(key).ok()?);
        out.push(':');
        match (key.as_str(), card_number) {
            ("card_number", Some(masked)) => out.push_str(&serde_json::to_string(masked).ok()?),
            ("card_number", None) => out.push_str("null"),
            _ => out.push_str(value.get()),
        }
    }
    out.push('}');
    Some(out)
}

/// The SDK's two paged streams ([`Paged`](ahrvo::issuing::Paged),
/// [`CursorStream`](ahrvo::payments::CursorStream)), read item by item.
pub trait ItemStream<T> {
    /// The next item, `None` at the end of the list.
    async fn next_item(&mut self) -> Option<Result<T, ahrvo::Error>>;
}

impl<T> ItemStream<T> for ahrvo::issuing::Paged<T> {
    async fn next_item(&mut self) -> Option<Result<T, ahrvo::Error>> {
        self.next().await
    }
}

impl<T> ItemStream<T> for ahrvo::payments::CursorStream<T> {
    async fn next_item(&mut self) -> Option<Result<T, ahrvo::Error>> {
        self.next().await
    }
}

/// Reads a stream to its end, one row per item; an error of the stream ends the output
/// properly (JSON's `]`) and then the command.
async fn stream_rows<T, S, F>(mut rows: Rows, mut stream: S, mut row: F) -> CliResult
where
    S: ItemStream<T>,
    F: FnMut(&T) -> (Vec<Cell>, String),
{
    while let Some(item) = stream.next_item().await {
        match item {
            Ok(item) => {
                let (cells, json) = row(&item);
                if rows.push(cells, &json, Style::Plain)? == Flow::Closed {
                    return Ok(Status::Ok);
                }
            }
            Err(e) => {
                let _ = rows.finish()?;
                return Err(e.into());
            }
        }
    }
    rows.finish()?;
    Ok(Status::Ok)
}

fn opt<T: ToString>(value: Option<&T>) -> Cell {
    value.map(ToString::to_string).unwrap_or_default().into()
}

fn json_or<T: serde::Serialize>(raw: Option<String>, typed: &T) -> String {
    raw.or_else(|| raw::to_json(typed)).unwrap_or_default()
}

/// `ahrvo cards list`.
pub async fn cards(ctx: &Context, args: CardListArgs) -> CliResult {
    let mut filter = CardFilter::new().page_size(args.page_size);
    if let Some(status) = &args.status {
        filter = filter.card_status(status.clone());
    }
    if let Some(last4) = &args.last4 {
        filter = filter.last4(last4.clone());
    }
    if let Some(remark) = &args.remark {
        filter = filter.remark(remark.clone());
    }
    if let (Some(from), Some(to)) = (&args.from, &args.to) {
        filter = filter.between(from.clone(), to.clone());
    }
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let url = numbered_url(issuing.base_url(), LIST_CARDS, {
        let filter = filter.clone();
        move |page_no| filter.query_pairs(page_no)
    });
    let mut raw_items = RawItems::new(ctx, PageKey::Numbered { page_no: 0, url }, "");
    let rows = Rows::new(ctx.format(), card_columns());
    stream_rows(rows, issuing.list_cards(&filter), |c: &CardDetail| {
        let json = raw_items
            .next(ctx)
            .and_then(|item| masked_item(&item, c.card_number.as_ref()));
        (card_cells(c), json_or(json, c))
    })
    .await
}

fn card_columns() -> Vec<Column> {
    vec![
        left("CARD ID", "card_id"),
        left("CARD NUMBER", "card_number"),
        left("STATUS", "card_status"),
        left("TYPE", "type"),
        left("BUDGET ID", "budget_id"),
        left("CURRENCY", "billing_currency"),
        left("CREATED", "created"),
        left("REMARK", "remark"),
    ]
}

fn card_cells(c: &CardDetail) -> Vec<Cell> {
    vec![
        c.card_id.to_string().into(),
        opt(c.card_number.as_ref()),
        c.card_status.to_string().into(),
        opt(c.card_type.as_ref()),
        opt(c.budget_id.as_ref()),
        opt(c.billing_currency.as_ref()),
        opt(c.created.as_ref()),
        opt(c.remark.as_ref()),
    ]
}

/// `ahrvo cards funding-orders`.
pub async fn funding_orders(ctx: &Context, args: FundingOrdersArgs) -> CliResult {
    let mut filter = FundingOrderFilter::new().page_size(args.page_size);
    if let Some(from) = &args.from {
        filter = filter.start_date(from.clone());
    }
    if let Some(to) = &args.to {
        filter = filter.end_date(to.clone());
    }
    if let Some(status) = &args.status {
        filter = filter.status(status.clone());
    }
    if let Some(id) = &args.order_id {
        filter = filter.unique_order_id(id.clone());
    }
    if let Some(card) = &args.card {
        filter = filter.card_id(card.as_str());
    }
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let url = numbered_url(issuing.base_url(), LIST_CARD_FUNDING_ORDERS, {
        let filter = filter.clone();
        move |page_no| filter.query_pairs(page_no)
    });
    let mut raw_items = RawItems::new(ctx, PageKey::Numbered { page_no: 0, url }, "");
    let rows = Rows::new(
        ctx.format(),
        vec![
            left("RECORD ID", "record_id"),
            left("ORDER ID", "unique_order_id"),
            left("CARD ID", "card_id"),
            left("CARD NUMBER", "card_number"),
            right("AMOUNT", "amount"),
            left("CURRENCY", "currency"),
            left("STATUS", "status"),
            left("TYPE", "operate_type"),
            left("CREATED", "created"),
            left("REMARK", "remark"),
        ],
    );
    let stream = issuing.list_card_funding_orders(&filter);
    stream_rows(rows, stream, |o: &CardFundingOrder| {
        let json = raw_items
            .next(ctx)
            .and_then(|item| masked_item(&item, o.card_number.as_ref()));
        let cells = vec![
            o.record_id.to_string().into(),
            opt(o.unique_order_id.as_ref()),
            opt(o.card_id.as_ref()),
            opt(o.card_number.as_ref()),
            o.amount.to_string().into(),
            o.currency.to_string().into(),
            o.status.to_string().into(),
            opt(o.operate_type.as_ref()),
            opt(o.created.as_ref()),
            opt(o.remark.as_ref()),
        ];
        (cells, json_or(json, o))
    })
    .await
}

/// `ahrvo cards products`: one call, the reply's `data` as sent in JSON.
pub async fn products(ctx: &Context) -> CliResult {
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let products = issuing.list_card_products().await?;
    let url = raw::url_of(issuing.base_url(), LIST_CARD_PRODUCTS);
    let reply = ctx
        .reply(url.as_deref())
        .and_then(|b| raw::issuing_data(&b));
    let flag = |b: Option<bool>| Cell::from(b.map(|b| b.to_string()).unwrap_or_default());
    output::emit_reply(ctx.format(), reply, &products, || {
        let mut table = Table::new(vec![
            left("CODE", "card_product_code"),
            left("NAME", "name_en"),
            left("NETWORK", "card_network"),
            right("VALID MONTHS", "valid_month"),
            right("FEE", "card_application_fee"),
            left("CURRENCY", "billing_currency"),
            left("BIN RANGE", "bin_range"),
            left("SHARED FUNDS", "share"),
            left("WITHDRAWAL", "allow_withdrawal"),
        ]);
        for p in &products {
            let p: &CardProduct = p;
            table.push(vec![
                p.card_product_code.clone().into(),
                opt(p.name_en.as_ref()),
                opt(p.card_network.as_ref()),
                opt(p.valid_month.as_ref()),
                opt(p.card_application_fee.as_ref()),
                opt(p.billing_currency.as_ref()),
                opt(p.bin_range.as_ref()),
                flag(p.share),
                flag(p.allow_withdrawal),
            ]);
        }
        table
    })?;
    Ok(Status::Ok)
}

/// A Payments amount in a streamed row: major units in tables, the raw cents in CSV.
fn cents_cell(cents: ahrvo::Cents, currency: ahrvo::Currency) -> Cell {
    Cell::new(cents.to_decimal(currency).to_string(), cents.to_string())
}

/// The URL of an Issuing list page `page_no`: `operation` with the query the SDK sends
/// (`pairs`, the filter's own `query_pairs`: never a copy of its parameter order).
pub fn numbered_url<O: 'static>(
    base: &str,
    operation: ahrvo::transport::Operation<O>,
    pairs: impl Fn(u32) -> Vec<(&'static str, String)> + Send + 'static,
) -> NumberedUrl {
    let base = base.to_owned();
    Box::new(move |page_no| {
        let request = pairs(page_no)
            .into_iter()
            .fold(ApiRequest::new(operation.clone()), |r, (name, value)| {
                r.query(name, value)
            });
        raw::url(&base, Ok(request))
    })
}

/// The URL of a Payments list page: `request` with the query of `options` after `cursor`, as
/// the SDK sends it ([`ListOptions::query_pairs`]).
fn payments_url<O>(
    base: &str,
    request: Result<ApiRequest<O>, ahrvo::Error>,
    options: &ListOptions,
    cursor: Option<&str>,
) -> Option<String> {
    let options = match cursor {
        Some(cursor) => options.clone().after_cursor(cursor),
        None => options.clone(),
    };
    let request = request.map(|r| {
        options
            .query_pairs()
            .into_iter()
            .fold(r, |r, (name, value)| r.query(name, value))
    });
    raw::url(base, request)
}

/// `ahrvo balances list`.
pub async fn balances(ctx: &Context, limit: u32) -> CliResult {
    let client = ctx.client()?;
    let payments = client.payments()?;
    let base = payments.base_url().to_owned();
    let mut raw_items = RawItems::new(
        ctx,
        PageKey::Cursor {
            next: None,
            url: Box::new(move |cursor| {
                let options = ListOptions::new().limit(limit);
                payments_url(&base, Ok(ApiRequest::new(LIST_BALANCES)), &options, cursor)
            }),
        },
        "balances",
    );
    let rows = Rows::new(
        ctx.format(),
        vec![
            left("ID", "id"),
            left("TYPE", "type"),
            left("CURRENCY", "currency"),
            right("AVAILABLE", "available_amount"),
            right("PENDING", "pending_amount"),
            right("POSTED", "posted_amount"),
            left("LINKED TO", "linked_to"),
            left("CREATED", "created_at"),
        ],
    );
    let stream = payments.list_balances(ListOptions::new().limit(limit));
    stream_rows(rows, stream, |b: &Balance| {
        let cells = vec![
            b.id.to_string().into(),
            b.balance_type.to_string().into(),
            b.currency.to_string().into(),
            cents_cell(b.available_amount, b.currency),
            cents_cell(b.pending_amount, b.currency),
            cents_cell(b.posted_amount, b.currency),
            opt(b.linked_to.as_ref()),
            b.created_at.to_string().into(),
        ];
        (cells, json_or(raw_items.next(ctx), b))
    })
    .await
}

/// The raw items of a Balance's entries, page after page.
pub fn entry_items(ctx: &Context, base: &str, balance_id: &str, limit: u32) -> RawItems {
    let base = base.to_owned();
    let balance_id = balance_id.to_owned();
    RawItems::new(
        ctx,
        PageKey::Cursor {
            next: None,
            url: Box::new(move |cursor| {
                let request =
                    ApiRequest::new(LIST_BALANCE_ENTRIES).path_id("balance_id", &balance_id);
                payments_url(&base, request, &ListOptions::new().limit(limit), cursor)
            }),
        },
        "balance_entries",
    )
}

/// `ahrvo balance-entries list BALANCE_ID`.
pub async fn balance_entries(ctx: &Context, balance_id: &str, limit: u32) -> CliResult {
    let client = ctx.client()?;
    let payments = client.payments()?;
    let mut raw_items = entry_items(ctx, payments.base_url(), balance_id, limit);
    let rows = Rows::new(
        ctx.format(),
        vec![
            left("ID", "id"),
            left("TYPE", "type"),
            left("STATE", "state"),
            right("AMOUNT", "amount"),
            left("CURRENCY", "currency"),
            left("DESCRIPTION", "description"),
            left("CREATED", "created_at"),
            left("POSTED", "posted_at"),
        ],
    );
    let stream = payments.list_balance_entries(balance_id, ListOptions::new().limit(limit));
    stream_rows(rows, stream, |e: &BalanceEntry| {
        let cells = vec![
            e.id.to_string().into(),
            e.entry_type.to_string().into(),
            e.state.to_string().into(),
            cents_cell(e.amount, e.currency),
            e.currency.to_string().into(),
            opt(e.description.as_ref()),
            e.created_at.to_string().into(),
            opt(e.posted_at.as_ref()),
        ];
        (cells, json_or(raw_items.next(ctx), e))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_keep_their_members_and_mask_the_card_number() {
        let item = r#"{"card_id":"c1","card_number":"5157123412342686","n":1.50,"z":null}"#;
        let masked = MaskedCardNumber::new("5157123412342686");
        assert_eq!(
            masked_item(item, Some(&masked)).unwrap(),
            r#"{"card_id":"c1","card_number":"5157********2686","n":1.50,"z":null}"#
        );
        assert_eq!(
            masked_item(r#"{"card_number":null}"#, None).unwrap(),
            r#"{"card_number":null}"#
        );
        assert!(masked_item("[1]", None).is_none());
    }

    #[test]
    fn pages_give_their_items_as_sent_and_the_next_cursor() {
        let body = Bytes::from_static(
            br#"{"code":"SUCCESS","data":{"total_num":3,"list":[{"a":1.10},{"b":null}]}}"#,
        );
        let items: Vec<String> = issuing_items(&body).unwrap().into();
        assert_eq!(items, [r#"{"a":1.10}"#, r#"{"b":null}"#]);
        let body = Bytes::from_static(
            br#"{"_embedded":{"balance_entries":[{"id":"e1"}]},"page":{"limit":1,"next_cursor":"e1"}}"#,
        );
        let (items, next) = payments_items(&body, "balance_entries").unwrap();
        assert_eq!(Vec::from(items), [r#"{"id":"e1"}"#]);
        assert_eq!(next.as_deref(), Some("e1"));
        let last = Bytes::from_static(br#"{"page":{"limit":1}}"#);
        let (items, next) = payments_items(&last, "balance_entries").unwrap();
        assert!(items.is_empty() && next.is_none());
    }
}
