//! Printing results: aligned tables, JSON of the API's models and of the reports' own types,
//! RFC 4180 CSV (the `csv` crate), and a progress line on stderr.
//!
//! The table is written here, not by a crate: it is a few dozen lines, and its plain layout
//! (two spaces between columns, amounts right-aligned, a dashed rule, no borders, no trailing
//! spaces) is what scripts and the tests read.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::exit::CliError;

/// How a column is aligned in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text, ids.
    Left,
    /// Amounts and counts.
    Right,
}

/// A column: its title in tables, its key (the API's field name) in CSV headers.
#[derive(Debug, Clone)]
pub struct Column {
    /// The table heading, e.g. `BALANCE`.
    pub title: &'static str,
    /// The CSV header, e.g. `balance`.
    pub key: &'static str,
    /// The alignment in tables.
    pub align: Align,
}

/// A left-aligned column.
pub fn left(title: &'static str, key: &'static str) -> Column {
    Column {
        title,
        key,
        align: Align::Left,
    }
}

/// A right-aligned column.
pub fn right(title: &'static str, key: &'static str) -> Column {
    Column {
        title,
        key,
        align: Align::Right,
    }
}

/// One cell: what a table shows and what CSV writes (often the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// Shown in tables (may add a unit or a decimal rendering of cents).
    pub shown: String,
    /// Written to CSV: the raw value.
    pub raw: String,
}

impl Cell {
    /// A cell showing `shown` in tables and `raw` in CSV.
    pub fn new(shown: impl Into<String>, raw: impl Into<String>) -> Self {
        Cell {
            shown: shown.into(),
            raw: raw.into(),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell {
            shown: s.clone(),
            raw: s,
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::from(s.to_owned())
    }
}

/// Rows under columns, printed as an aligned table or as CSV.
#[derive(Debug, Clone)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
    /// One record shown as `field  value` lines in table format.
    vertical: bool,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(columns: Vec<Column>) -> Self {
        Table {
            columns,
            rows: Vec::new(),
            vertical: false,
        }
    }

    /// A single record: printed as `field  value` lines in table format, one CSV row.
    pub fn record(columns: Vec<Column>, cells: Vec<Cell>) -> Self {
        let mut t = Table::new(columns);
        t.push(cells);
        t.vertical = true;
        t
    }

    /// Adds a row (missing cells are empty, extra cells ignored).
    pub fn push(&mut self, mut cells: Vec<Cell>) {
        cells.resize(self.columns.len(), Cell::from(""));
        self.rows.push(cells);
    }

    /// The aligned text: a header, a rule, the rows; or `field  value` lines for a record.
    pub fn render(&self) -> String {
        if self.vertical {
            return self.render_vertical();
        }
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                self.rows
                    .iter()
                    .map(|r| width(&r[i].shown))
                    .chain([width(c.title)])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let titles: Vec<&str> = self.columns.iter().map(|c| c.title).collect();
        self.line(&mut out, &titles, &widths);
        let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
        self.line(&mut out, &rules, &widths);
        for row in &self.rows {
            let cells: Vec<&str> = row.iter().map(|c| c.shown.as_str()).collect();
            self.line(&mut out, &cells, &widths);
        }
        out
    }

    fn line(&self, out: &mut String, cells: &[&str], widths: &[usize]) {
        let mut line = String::new();
        for (i, (cell, col)) in cells.iter().zip(&self.columns).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[i].saturating_sub(width(cell)));
            match col.align {
                Align::Left => {
                    line.push_str(cell);
                    line.push_str(&pad);
                }
                Align::Right => {
                    line.push_str(&pad);
                    line.push_str(cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }

    fn render_vertical(&self) -> String {
        let key_width = self
            .columns
            .iter()
            .zip(self.rows.first().into_iter().flatten())
            .filter(|(_, cell)| !cell.shown.is_empty())
            .map(|(c, _)| width(c.key))
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for row in &self.rows {
            // Absent optional fields are left out of a record.
            for (col, cell) in self
                .columns
                .iter()
                .zip(row)
                .filter(|(_, c)| !c.shown.is_empty())
            {
                let pad = " ".repeat(key_width - width(col.key));
                let line = format!("{}{pad}  {}", col.key, cell.shown);
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        out
    }

    /// CSV: a header row of the columns' keys, then the raw values, RFC 4180 quoting, CRLF.
    pub fn to_csv(&self) -> String {
        let header = self.columns.iter().map(|c| c.key);
        let rows = self
            .rows
            .iter()
            .map(|row| row.iter().map(|c| c.raw.as_str()));
        csv_text(std::iter::once(header.collect::<Vec<_>>()).chain(rows.map(Iterator::collect)))
    }
}

/// Display width of a cell: characters (the ids, amounts and names printed here are not wide).
fn width(s: &str) -> usize {
    s.chars().count()
}

/// CSV records written by the `csv` crate: RFC 4180 quoting (a field holding a comma, a quote,
/// CR or LF is quoted, its quotes doubled), every record ended by CRLF.
pub fn csv_text<R, F>(records: impl IntoIterator<Item = R>) -> String
where
    R: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::new());
    for record in records {
        // Writing to a Vec cannot fail.
        let _ = writer.write_record(record);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    // Every field is a &str: the output is UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

/// At most `max` characters, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Pretty JSON with a final newline.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, CliError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Other(format!("cannot write JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Prints a result: `data` serialized as JSON, or `table` as a table or CSV.
pub fn emit<T: Serialize + ?Sized>(
    format: OutputFormat,
    data: &T,
    table: impl FnOnce() -> Table,
) -> Result<(), CliError> {
    let text = match format {
        OutputFormat::Json => json(data)?,
        OutputFormat::Table => table().render(),
        OutputFormat::Csv => table().to_csv(),
    };
    print(&text)
}

/// Writes to stdout. A closed pipe (`ahrvo ... | head -1`) is not an error: there is no one left
/// to read.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(CliError::from),
    }
}

/// Writes a note to stderr (never fails: stderr is the last resort).
pub fn note(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// A `label: done/total` line on stderr, redrawn in place, shown only when stderr is a terminal
/// and there is more than one item; erased when dropped.
#[derive(Debug)]
pub struct Progress {
    label: &'static str,
    total: usize,
    done: usize,
    enabled: bool,
}

impl Progress {
    /// A progress line for `total` items.
    pub fn new(label: &'static str, total: usize) -> Self {
        let enabled = total > 1 && std::io::stderr().is_terminal();
        let p = Progress {
            label,
            total,
            done: 0,
            enabled,
        };
        p.draw();
        p
    }

    /// One more item done.
    pub fn tick(&mut self) {
        self.done = self.done.saturating_add(1).min(self.total);
        self.draw();
    }

    fn draw(&self) {
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}: {}/{}", self.label, self.done, self.total);
            let _ = err.flush();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(vec![left("NAME", "name"), right("BALANCE", "balance")]);
        t.push(vec!["Ops".into(), "5.00".into()]);
        t.push(vec!["Marketing, \"EU\"".into(), "45250.75".into()]);
        t
    }

    #[test]
    fn tables_align_and_right_align_amounts() {
        let text = sample().render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "NAME              BALANCE");
        assert_eq!(lines[1], "---------------  --------");
        assert_eq!(lines[2], "Ops                  5.00");
        assert_eq!(lines[3], "Marketing, \"EU\"  45250.75");
    }

    #[test]
    fn csv_quotes_per_rfc_4180() {
        assert_eq!(
            sample().to_csv(),
            "name,balance\r\nOps,5.00\r\n\"Marketing, \"\"EU\"\"\",45250.75\r\n"
        );
        assert_eq!(csv_text([["a\nb", "plain"]]), "\"a\nb\",plain\r\n");
        assert_eq!(csv_text([["", "x", ""]]), ",x,\r\n");
    }

    #[test]
    fn csv_reads_back_as_written() {
        let fields = ["Ops, \"EU\"", "line one\nline \"two\"", "plain", ""];
        let text = csv_text([fields]);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].iter().collect::<Vec<_>>(), fields);
    }

    #[test]
    fn records_print_field_value_lines() {
        let t = Table::record(
            vec![left("ID", "id"), right("AMOUNT", "available_amount")],
            vec!["b1".into(), Cell::new("12.50 USD", "1250")],
        );
        assert_eq!(
            t.render(),
            "id                b1\navailable_amount  12.50 USD\n"
        );
        assert_eq!(t.to_csv(), "id,available_amount\r\nb1,1250\r\n");
    }
}
