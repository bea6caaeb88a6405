//! The words of a query marked in a whole document (the web page's article view), found
//! the way snippets find them, so that a view marks what the hit's snippet marked.

use chrono::NaiveDate;

use super::query::Filters;
use super::snippet::SnippetMaker;
use super::{DateRange, Document, KindFilter, SearchIndex};

/// Byte ranges of a query's words in a document's title, body and each caption.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocMarks {
    pub title: Vec<(usize, usize)>,
    pub body: Vec<(usize, usize)>,
    /// One list per caption, in the document's order.
    pub captions: Vec<Vec<(usize, usize)>>,
}

impl SearchIndex {
    /// Where the words of `query` are in `doc`. A query that does not parse is the
    /// caller's error, as for a search.
    pub fn marks(&self, query: &str, today: NaiveDate, doc: &Document) -> anyhow::Result<DocMarks> {
        let filters = Filters {
            dates: DateRange::any(),
            source_slugs: Vec::new(),
            kind: KindFilter::All,
        };
        let built = self.queries.build(query, &filters, today)?;
        let searcher = self.searcher();
        let maker = SnippetMaker::new(&searcher, &*built.query, &built.prefixes, &self.fields)?;
        Ok(DocMarks {
            title: maker.title_highlights(&doc.title),
            body: maker.body_highlights(&doc.body),
            captions: doc
                .captions
                .iter()
                .map(|(text, _)| maker.caption_highlights(text))
                .collect(),
        })
    }
}
