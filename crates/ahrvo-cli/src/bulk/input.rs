//! The ids of a bulk command: from the arguments, then from `--from-file FILE` (one per line,
//! or the `--column` of a CSV file with a header row), `-` meaning stdin; read lazily, one at a
//! time, as the runner asks for them.
//!
//! - Blank lines and lines starting with `#` are skipped (in CSV too: `#` starts a comment
//!   record).
//! - Surrounding spaces are trimmed; an id given twice is queried once and reported once (the
//!   later copies are counted in [`Ids::duplicates`]). To tell duplicates apart the reader keeps
//!   every distinct id: 8 bytes for an id of the `card` + 18 digits form, the text otherwise
//!   (about 10 to 20 MB for 10^6 card ids; the results themselves are never held).
//! - A malformed id (spaces or control characters inside, a comma or a quote, longer than
//!   [`MAX_ID_LEN`]) is an [`Entry`] with [`Entry::invalid`] set: a per-item error, never the
//!   end of the run. A file that cannot be opened, or a `--column` the header does not have, is a
//!   usage error before anything is sent.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::cli::InputArgs;
use crate::exit::CliError;

/// The longest id accepted (the API's ids are 20 to 40 characters).
pub const MAX_ID_LEN: usize = 128;

/// Where an entry was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The n-th argument (1-based).
    Arg(u64),
    /// Line n (1-based) of the file or stdin.
    Line(u64),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Arg(n) => write!(f, "argument {n}"),
            Origin::Line(n) => write!(f, "line {n}"),
        }
    }
}

/// One id of the input, in input order.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Where it was read.
    pub origin: Origin,
    /// The id, trimmed (as given when it is malformed).
    pub id: String,
    /// With `--column`: the whole CSV record, so a command can read other columns of the same
    /// row (an amount to top up, an expected balance); see [`Ids::headers`].
    #[allow(
        dead_code,
        reason = "for the funding commands (issue 14), which read amounts"
    )]
    pub record: Option<csv::StringRecord>,
    /// Why the id cannot be sent, when it cannot: a per-item error.
    pub invalid: Option<String>,
}

/// Whether `id` can be sent: the reason it cannot.
pub fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("the id is empty".to_owned());
    }
    if id.chars().count() > MAX_ID_LEN {
        return Err(format!("the id is longer than {MAX_ID_LEN} characters"));
    }
    if id.chars().any(char::is_control) {
        return Err("the id contains control characters".to_owned());
    }
    if id.contains(char::is_whitespace) {
        return Err("the id contains spaces".to_owned());
    }
    if id.contains([',', '"', ';']) {
        return Err(
            "the id contains a comma, quote or semicolon (a CSV file? name its column with \
             --column)"
                .to_owned(),
        );
    }
    Ok(())
}

/// The distinct ids seen so far.
#[derive(Debug, Default)]
struct Seen {
    /// `card` + 18 digits, as the number.
    cards: HashSet<u64>,
    other: HashSet<Box<str>>,
}

impl Seen {
    /// Records `id`; false if it was seen before.
    fn insert(&mut self, id: &str) -> bool {
        if let Some(digits) = id.strip_prefix("card")
            && digits.len() == 18
            && digits.bytes().all(|b| b.is_ascii_digit())
            && let Ok(n) = digits.parse::<u64>()
        {
            return self.cards.insert(n);
        }
        if self.other.contains(id) {
            return false;
        }
        self.other.insert(id.into())
    }
}

/// Lines or CSV records, lazily.
enum Reader {
    Lines {
        lines: std::io::Lines<Box<dyn BufRead + Send>>,
        line: u64,
    },
    Csv {
        records: csv::StringRecordsIntoIter<Box<dyn Read + Send>>,
        column: usize,
    },
}

/// The ids of a bulk command, in input order, read as they are asked for. An `Iterator` of
/// `Result<Entry, CliError>`: an error is the input's own (stdin or the file could not be read
/// further), which ends the run.
pub struct Ids {
    args: std::vec::IntoIter<String>,
    arg: u64,
    /// Read after the arguments: the file, or stdin for `-`.
    pending: Option<PathBuf>,
    column: Option<String>,
    reader: Option<Reader>,
    headers: Option<csv::StringRecord>,
    stdin_used: bool,
    seen: Seen,
    duplicates: u64,
    label: String,
}

impl std::fmt::Debug for Ids {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ids")
            .field("label", &self.label)
            .field("duplicates", &self.duplicates)
            .finish_non_exhaustive()
    }
}

fn open(path: &Path) -> Result<Box<dyn Read + Send>, CliError> {
    if path == Path::new("-") {
        return Ok(Box::new(std::io::stdin()));
    }
    let file = File::open(path)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
    Ok(Box::new(file))
}

impl Ids {
    /// The ids of `args` (a `-` among them reads stdin there), then of `--from-file`. The file
    /// is opened now, and with `--column` its header read, so that a missing file or column is
    /// a usage error before any request; the rest is read as the runner asks.
    ///
    /// `what` names the ids in messages (`card ids`). Nothing at all to read is a usage error.
    pub fn new(args: Vec<String>, input: &InputArgs, what: &str) -> Result<Ids, CliError> {
        if args.is_empty() && input.from_file.is_none() {
            return Err(CliError::Usage(format!(
                "no {what}: give them as arguments, with --from-file FILE, or as - to read stdin"
            )));
        }
        if input.from_file.as_deref() == Some(Path::new("-")) && args.iter().any(|a| a == "-") {
            return Err(CliError::Usage(
                "stdin can be read once: give - as an argument or --from-file -, not both"
                    .to_owned(),
            ));
        }
        let mut ids = Ids {
            args: args.into_iter(),
            arg: 0,
            pending: input.from_file.clone(),
            column: input.column.clone(),
            reader: None,
            headers: None,
            stdin_used: false,
            seen: Seen::default(),
            duplicates: 0,
            label: what.to_owned(),
        };
        if ids.column.is_some() {
            // Open the file now: its header must have the column.
            let path = ids.pending.take();
            if let Some(path) = path {
                ids.open_file(&path)?;
            }
        }
        Ok(ids)
    }

    /// With `--column`: the CSV file's header row.
    #[allow(
        dead_code,
        reason = "for the funding commands (issue 14), which read amounts"
    )]
    pub fn headers(&self) -> Option<&csv::StringRecord> {
        self.headers.as_ref()
    }

    /// How many ids were skipped as duplicates so far.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    fn open_file(&mut self, path: &Path) -> Result<(), CliError> {
        let shown = if path == Path::new("-") {
            "stdin".to_owned()
        } else {
            path.display().to_string()
        };
        self.stdin_used |= path == Path::new("-");
        let read = open(path)?;
        self.reader = Some(match &self.column {
            None => Reader::Lines {
                lines: (Box::new(BufReader::new(read)) as Box<dyn BufRead + Send>).lines(),
                line: 0,
            },
            Some(name) => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(true)
                    .comment(Some(b'#'))
                    .trim(csv::Trim::All)
                    .from_reader(read);
                let headers = reader
                    .headers()
                    .map_err(|e| CliError::Usage(format!("{shown}: cannot read the header: {e}")))?
                    .clone();
                let column = headers.iter().position(|h| h == name).ok_or_else(|| {
                    CliError::Usage(format!(
                        "{shown}: no column {name:?} in the header ({})",
                        headers.iter().collect::<Vec<_>>().join(",")
                    ))
                })?;
                self.headers = Some(headers);
                Reader::Csv {
                    records: reader.into_records(),
                    column,
                }
            }
        });
        Ok(())
    }

    /// The next raw entry (blank lines and comments skipped, not yet checked for duplicates).
    fn next_raw(&mut self) -> Option<Result<Entry, CliError>> {
        loop {
            if let Some(reader) = &mut self.reader {
                match reader {
                    Reader::Lines { lines, line } => match lines.next() {
                        None => self.reader = None,
                        Some(Err(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                            *line += 1;
                            return Some(Ok(Entry {
                                origin: Origin::Line(*line),
                                id: String::new(),
                                record: None,
                                invalid: Some("the line is not UTF-8 text".to_owned()),
                            }));
                        }
                        Some(Err(e)) => {
                            return Some(Err(CliError::Usage(format!(
                                "cannot read the {}: {e}",
                                self.label
                            ))));
                        }
                        Some(Ok(text)) => {
                            *line += 1;
                            let id = text.trim();
                            if id.is_empty() || id.starts_with('#') {
                                continue;
                            }
                            return Some(Ok(Entry {
                                origin: Origin::Line(*line),
                                id: id.to_owned(),
                                record: None,
                                invalid: None,
                            }));
                        }
                    },
                    Reader::Csv { records, column } => {
                        let column = *column;
                        match records.next() {
                            None => self.reader = None,
                            Some(Err(e)) => {
                                let line = e.position().map_or(0, csv::Position::line);
                                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                                    return Some(Err(CliError::Usage(format!(
                                        "cannot read the {}: {e}",
                                        self.label
                                    ))));
                                }
                                return Some(Ok(Entry {
                                    origin: Origin::Line(line),
                                    id: String::new(),
                                    record: None,
                                    invalid: Some(format!("unreadable CSV record: {e}")),
                                }));
                            }
                            Some(Ok(record)) => {
                                let line = record.position().map_or(0, csv::Position::line);
                                let id = record.get(column).unwrap_or("").to_owned();
                                if record.iter().all(str::is_empty) {
                                    continue;
                                }
                                let invalid =
                                    id.is_empty().then(|| "the id column is empty".to_owned());
                                return Some(Ok(Entry {
                                    origin: Origin::Line(line),
                                    id,
                                    record: Some(record),
                                    invalid,
                                }));
                            }
                        }
                    }
                }
                continue;
            }
            if let Some(arg) = self.args.next() {
                self.arg += 1;
                if arg == "-" {
                    if let Err(e) = self.open_file(Path::new("-")) {
                        return Some(Err(e));
                    }
                    continue;
                }
                return Some(Ok(Entry {
                    origin: Origin::Arg(self.arg),
                    id: arg.trim().to_owned(),
                    record: None,
                    invalid: None,
                }));
            }
            let path = self.pending.take()?;
            if let Err(e) = self.open_file(&path) {
                return Some(Err(e));
            }
        }
    }
}

impl Iterator for Ids {
    type Item = Result<Entry, CliError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let mut entry = match self.next_raw()? {
                Ok(entry) => entry,
                Err(e) => return Some(Err(e)),
            };
            if entry.invalid.is_none() {
                entry.invalid = check_id(&entry.id).err();
            }
            if entry.invalid.is_none() && !self.seen.insert(&entry.id) {
                self.duplicates += 1;
                continue;
            }
            return Some(Ok(entry));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(text: &str, column: Option<&str>) -> Vec<(String, Option<String>)> {
        let path =
            std::env::temp_dir().join(format!("ahrvo-ids-{}-{}.txt", std::process::id(), unique()));
        std::fs::write(&path, text).unwrap();
        let input = InputArgs {
            from_file: Some(path.clone()),
            column: column.map(str::to_owned),
        };
        let ids = Ids::new(vec![], &input, "ids").unwrap();
        let out = ids
            .map(|e| {
                let e = e.unwrap();
                (e.id, e.invalid)
            })
            .collect();
        let _ = std::fs::remove_file(path);
        out
    }

    fn unique() -> u128 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    }

    #[test]
    fn lines_skip_blanks_comments_and_duplicates_and_flag_malformed_ids() {
        let got = from(
            "card000000000000000001\n\n  # a comment\n card000000000000000002 \n\
             card000000000000000001\nbad id\nx,y\nother\nother\n",
            None,
        );
        let ids: Vec<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "card000000000000000001",
                "card000000000000000002",
                "bad id",
                "x,y",
                "other"
            ]
        );
        assert!(got[2].1.as_deref().unwrap().contains("spaces"));
        assert!(got[3].1.as_deref().unwrap().contains("--column"));
        assert!(got[4].1.is_none());
    }

    #[test]
    fn a_csv_column_gives_the_ids_and_keeps_the_record() {
        let got = from(
            "name,card_id,amount\na,card000000000000000001,5\n# skipped\nb,,6\nc,card000000000000000001,7\n",
            Some("card_id"),
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, "card000000000000000001");
        assert!(got[1].1.as_deref().unwrap().contains("empty"));
    }

    #[test]
    fn a_missing_column_or_file_is_a_usage_error_before_reading() {
        let path = std::env::temp_dir().join(format!("ahrvo-ids-col-{}.csv", unique()));
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        let input = InputArgs {
            from_file: Some(path.clone()),
            column: Some("card_id".into()),
        };
        let e = Ids::new(vec![], &input, "ids").unwrap_err().to_string();
        assert!(
            e.contains("no column \"card_id\"") && e.contains("a,b"),
            "{e}"
        );
        let _ = std::fs::remove_file(path);
        let none = InputArgs {
            from_file: None,
            column: None,
        };
        assert!(Ids::new(vec![], &none, "card ids").is_err());
    }

    #[test]
    fn card_ids_are_kept_as_numbers_and_others_as_text() {
        let mut seen = Seen::default();
        assert!(seen.insert("card000000000000000001"));
        assert!(!seen.insert("card000000000000000001"));
        assert!(seen.insert("card00000000000000001"));
        assert!(seen.insert("balance_x"));
        assert!(!seen.insert("balance_x"));
        assert_eq!(seen.cards.len(), 1);
        assert_eq!(seen.other.len(), 2);
    }
}
