//! Pagination of the payments lists, as Finix documents it: with `Finix-Version: 2022-02-01`,
//! cursors (`after_cursor`, `before_cursor`, `page.next_cursor`); without it, the older offset
//! style (`offset`, `page: {offset, limit, count}`). Items are ordered newest first
//! (`created_at` descending, then id descending); a cursor is the id of the item it follows,
//! opaque to clients.

use std::collections::HashMap;

use axum::http::HeaderMap;
use axum::http::header::HOST;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The one cursor-pagination version.
pub(crate) const FINIX_VERSION: &str = "2022-02-01";
/// The default and largest `limit`.
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;

/// How a request pages.
#[derive(Debug)]
enum Mode {
    Cursor {
        after: Option<String>,
        before: Option<String>,
    },
    Offset(usize),
}

/// A validated list query.
#[derive(Debug)]
pub(crate) struct Paging {
    limit: usize,
    mode: Mode,
}

/// The `page` object of a list reply.
#[derive(Debug, Serialize)]
pub(crate) struct PageInfo {
    limit: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<usize>,
    /// Present (maybe null) in cursor mode only.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<Option<String>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Href {
    href: String,
}

/// The `_links` of a list reply: `next` only when there is a next page.
#[derive(Debug, Serialize)]
pub(crate) struct ListLinks {
    #[serde(rename = "self")]
    self_link: Href,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<Href>,
}

impl Paging {
    /// Reads `Finix-Version`, `limit` (1 to 100, default 10), the cursors or `offset`; the
    /// error is the 400 message.
    pub(crate) fn parse(
        headers: &HeaderMap,
        query: &HashMap<String, String>,
    ) -> Result<Paging, String> {
        let version = match headers.get("finix-version").map(|v| v.to_str()) {
            None => None,
            Some(Ok(v)) if v.trim() == FINIX_VERSION => Some(FINIX_VERSION),
            Some(_) => {
                return Err(format!(
                    "Finix-Version must be {FINIX_VERSION} (cursor pagination) or absent (offset pagination)"
                ));
            }
        };
        let limit = match query.get("limit") {
            None => DEFAULT_LIMIT,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    format!("limit must be an integer from 1 to {MAX_LIMIT}, got {v:?}")
                })?,
        };
        let cursor = |name: &str| match query.get(name) {
            Some(v) if v.is_empty() => Err(format!("{name} must not be empty")),
            Some(v) => Ok(Some(v.clone())),
            None => Ok(None),
        };
        let (after, before) = (cursor("after_cursor")?, cursor("before_cursor")?);
        let mode = if version.is_some() {
            if after.is_some() && before.is_some() {
                return Err("send after_cursor or before_cursor, not both".to_owned());
            }
            Mode::Cursor { after, before }
        } else {
            if after.is_some() || before.is_some() {
                return Err(format!(
                    "cursors need Finix-Version: {FINIX_VERSION}; without it, page with offset"
                ));
            }
            let offset = match query.get("offset") {
                None => 0,
                Some(v) => v
                    .parse::<usize>()
                    .map_err(|_| format!("offset must be an integer of at least 0, got {v:?}"))?,
            };
            Mode::Offset(offset)
        };
        Ok(Paging { limit, mode })
    }

    /// Whether replies take the cursor style (and echo `Finix-Version`).
    pub(crate) fn is_cursor(&self) -> bool {
        matches!(self.mode, Mode::Cursor { .. })
    }

    /// One page of `items` (already newest first), its `page` object and its `_links`; the
    /// error is the 400 message of an unknown cursor.
    pub(crate) fn page<'a, T>(
        &self,
        items: &'a [T],
        id: impl Fn(&T) -> &str,
        headers: &HeaderMap,
        path: &str,
        raw_query: Option<&str>,
    ) -> Result<(&'a [T], PageInfo, ListLinks), String> {
        let base = match headers.get(HOST).and_then(|h| h.to_str().ok()) {
            Some(host) => format!("http://{host}{path}"),
            None => path.to_owned(),
        };
        let self_link = Href {
            href: match raw_query {
                Some(q) if !q.is_empty() => format!("{base}?{q}"),
                _ => base.clone(),
            },
        };
        let position = |cursor: &str| {
            (items.iter().position(|item| id(item) == cursor)).ok_or_else(|| {
                format!("unknown cursor {cursor:?}: page with the cursors the API gave")
            })
        };
        let limit = self.limit;
        match &self.mode {
            Mode::Offset(offset) => {
                let start = (*offset).min(items.len());
                let end = start.saturating_add(limit).min(items.len());
                let next = (end < items.len()).then(|| Href {
                    href: format!("{base}?limit={limit}&offset={end}"),
                });
                let info = PageInfo {
                    limit,
                    offset: Some(*offset),
                    count: Some(items.len()),
                    next_cursor: None,
                };
                Ok((
                    items.get(start..end).unwrap_or(&[]),
                    info,
                    ListLinks { self_link, next },
                ))
            }
            Mode::Cursor { after, before } => {
                let (start, end) = match (after, before) {
                    (Some(c), _) => {
                        let start = position(c)? + 1;
                        (start, start.saturating_add(limit).min(items.len()))
                    }
                    (None, Some(c)) => {
                        let end = position(c)?;
                        (end.saturating_sub(limit), end)
                    }
                    (None, None) => (0, limit.min(items.len())),
                };
                let slice = items.get(start..end).unwrap_or(&[]);
                let next_cursor = if end < items.len() {
                    slice.last().map(|item| id(item).to_owned())
                } else {
                    None
                };
                let next = next_cursor.as_ref().map(|c| Href {
                    href: format!("{base}?limit={limit}&after_cursor={c}"),
                });
                let info = PageInfo {
                    limit,
                    offset: None,
                    count: None,
                    next_cursor: Some(next_cursor),
                };
                Ok((slice, info, ListLinks { self_link, next }))
            }
        }
    }
}

/// Sorts newest first: `created_at` (RFC 3339, compared as instants) descending, then id
/// descending.
pub(crate) fn newest_first<T>(
    items: &mut [T],
    created_at: impl Fn(&T) -> &str,
    id: impl Fn(&T) -> &str,
) {
    let instant = |text: &str| OffsetDateTime::parse(text, &Rfc3339).ok();
    items.sort_by(|a, b| {
        (instant(created_at(b)).cmp(&instant(created_at(a)))).then_with(|| id(b).cmp(id(a)))
    });
}
