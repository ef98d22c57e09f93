//! All cards: the card list, filtered, page by page or as one stream.

use ahrvo_transport::{ApiRequest, Error};
use ahrvo_types::{CardDetail, CardDetailPage, CardStatus};

use crate::IssuingClient;
use crate::generated::operations::LIST_CARDS;
use crate::paging::{
    DEFAULT_PAGE_SIZE, Paged, validate_date_time, validate_page_no, validate_page_size,
};

/// The cards of [`IssuingClient::list_cards`], every page.
pub type CardStream = Paged<CardDetail>;

/// The filters of [`IssuingClient::list_cards`], all optional, and the page size.
///
/// ```
/// use ahrvo_issuing::{CardFilter, CardStatus};
///
/// let filter = CardFilter::new().card_status(CardStatus::Active).last4("1234").page_size(50);
/// assert_eq!(filter.get_page_size(), 50);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CardFilter {
    card_status: Option<CardStatus>,
    last4: Option<String>,
    remark: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    page_size: Option<u32>,
}

impl CardFilter {
    /// No filter: every card, 20 per page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only cards with this status.
    pub fn card_status(mut self, status: CardStatus) -> Self {
        self.card_status = Some(status);
        self
    }

    /// Only cards whose number ends with these 4 digits.
    pub fn last4(mut self, last4: impl Into<String>) -> Self {
        self.last4 = Some(last4.into());
        self
    }

    /// Only cards with this remark.
    pub fn remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }

    /// Only cards created from `start` to `end` (`yyyy-MM-dd HH:mm:ss` each).
    pub fn between(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.start_date = Some(start.into());
        self.end_date = Some(end.into());
        self
    }

    /// Items per page, 1 to 100 (default 20); checked when the list is asked for.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// The page size in force.
    pub fn get_page_size(&self) -> u32 {
        self.page_size.unwrap_or(DEFAULT_PAGE_SIZE)
    }

    /// The query parameters of page `page_no`, in the order the SDK sends them: the request of
    /// [`IssuingClient::list_cards_page`] is built from exactly these pairs (after checking
    /// them), so a caller that matches a page by its URL (a recorded reply, a log line) can
    /// rebuild it without copying the SDK's order.
    ///
    /// ```
    /// use ahrvo_issuing::{CardFilter, CardStatus};
    ///
    /// let filter = CardFilter::new().card_status(CardStatus::Active).last4("2686").page_size(50);
    /// assert_eq!(
    ///     filter.query_pairs(3),
    ///     [
    ///         ("page_no", "3".to_owned()),
    ///         ("page_size", "50".to_owned()),
    ///         ("card_status", "ACTIVE".to_owned()),
    ///         ("last4", "2686".to_owned()),
    ///     ]
    /// );
    /// ```
    pub fn query_pairs(&self, page_no: u32) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("page_no", page_no.to_string()),
            ("page_size", self.get_page_size().to_string()),
        ];
        if let Some(status) = &self.card_status {
            pairs.push(("card_status", status.as_str().to_owned()));
        }
        if let Some(last4) = &self.last4 {
            pairs.push(("last4", last4.clone()));
        }
        if let Some(remark) = &self.remark {
            pairs.push(("remark", remark.clone()));
        }
        if let Some(start) = &self.start_date {
            pairs.push(("start_date", start.clone()));
        }
        if let Some(end) = &self.end_date {
            pairs.push(("end_date", end.clone()));
        }
        pairs
    }

    /// Checks the filter and the page number as a list call does before sending.
    fn validate(&self, page_no: u32) -> Result<(), Error> {
        validate_page_no(page_no)?;
        validate_page_size(self.get_page_size())?;
        if let Some(last4) = &self.last4
            && (last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Error::validation("last4 must be 4 digits"));
        }
        if let Some(remark) = &self.remark
            && remark.chars().any(char::is_control)
        {
            return Err(Error::validation(
                "remark must not contain control characters",
            ));
        }
        if let Some(start) = &self.start_date {
            validate_date_time("start_date", start)?;
        }
        if let Some(end) = &self.end_date {
            validate_date_time("end_date", end)?;
        }
        Ok(())
    }

    fn request(&self, page_no: u32) -> Result<ApiRequest<CardDetailPage>, Error> {
        self.validate(page_no)?;
        let request = ApiRequest::new(LIST_CARDS);
        Ok(self
            .query_pairs(page_no)
            .into_iter()
            .fold(request, |r, (name, value)| r.query(name, value)))
    }
}

impl IssuingClient {
    /// One page of cards, with `total_num`, the number of matches over all pages. `page_no`
    /// starts at 1; the filter's page size is 1 to 100. Card numbers are masked as decoded.
    #[doc(alias = "listCards")]
    pub async fn list_cards_page(
        &self,
        filter: &CardFilter,
        page_no: u32,
    ) -> Result<CardDetailPage, Error> {
        self.call(filter.request(page_no)?).await
    }

    /// Every card that matches `filter`, page after page, as a stream ([`Paged`]): it stops at
    /// `total_num` or a short page; a page that repeats is an error, never an endless loop.
    ///
    /// ```no_run
    /// # async fn run(client: ahrvo_issuing::IssuingClient) -> Result<(), ahrvo_issuing::Error> {
    /// use ahrvo_issuing::CardFilter;
    ///
    /// let cards = client.list_cards(&CardFilter::new()).collect_all().await?;
    /// for card in &cards {
    ///     println!("{} {} {:?}", card.card_id, card.card_status, card.card_number);
    /// }
    /// # Ok(()) }
    /// ```
    #[doc(alias = "listCards")]
    pub fn list_cards(&self, filter: &CardFilter) -> CardStream {
        let client = self.clone();
        let filter = filter.clone();
        Paged::new(filter.get_page_size(), move |page_no| {
            let client = client.clone();
            let filter = filter.clone();
            async move {
                let page = client.list_cards_page(&filter, page_no).await?;
                Ok((page.total_num, page.list))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The request of a page is its `query_pairs`, in their order: what a caller rebuilds from
    /// them is the URL sent.
    #[test]
    fn the_request_of_a_page_is_its_query_pairs() {
        let filter = CardFilter::new()
            .card_status(CardStatus::Revoked)
            .last4("2686")
            .remark("a b")
            .between("2026-01-01 00:00:00", "2026-01-31 23:59:59")
            .page_size(7);
        let pairs = filter.query_pairs(4);
        assert_eq!(pairs.len(), 7);
        let rebuilt = pairs
            .into_iter()
            .fold(ApiRequest::new(LIST_CARDS), |r, (k, v)| r.query(k, v));
        let sent = filter.request(4).unwrap();
        assert_eq!(sent.target().unwrap(), rebuilt.target().unwrap());
        assert!(
            sent.target()
                .unwrap()
                .ends_with("?page_no=4&page_size=7&card_status=REVOKED&last4=2686&remark=a%20b&start_date=2026-01-01%2000%3A00%3A00&end_date=2026-01-31%2023%3A59%3A59"),
            "{}",
            sent.target().unwrap()
        );
        // The checks still come first.
        assert!(CardFilter::new().last4("12").request(1).is_err());
        assert!(CardFilter::new().request(0).is_err());
    }
}
