//! Printing a bulk run's rows as they come, in every format, without holding them:
//!
//! - table: the first [`TABLE_SAMPLE`] rows set the column widths (the whole table when it is
//!   that short, so a short run prints exactly as a batch would); later rows use those widths
//!   (a longer cell pushes the rest of its line);
//! - CSV: the header once, then a record per row;
//! - JSON: one document, an array written item by item (`[`, the items, `]`);
//! - JSON Lines: one compact object per line.
//!
//! A failed item is a row like any other (its error kind and message in their columns, or an
//! `error` object in JSON). On a terminal with `NO_COLOR` unset, failed rows are red and alert
//! rows red or yellow ([`Style`]); never in a pipe or a file.

use std::io::Write;

use crate::cli::OutputFormat;
use crate::exit::CliError;
use crate::output::{self, Cell, Column, Table, json_text};

use super::run::Flow;

/// How many rows set a streamed table's column widths.
pub const TABLE_SAMPLE: usize = 64;

/// The colour of a table row on a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// No colour.
    Plain,
    /// Yellow: a warning level.
    #[allow(
        dead_code,
        reason = "for rows with a warning level (issue 14's funding)"
    )]
    Warn,
    /// Red: a critical level, a failed item.
    Alert,
}

/// A stream of rows on stdout.
#[derive(Debug)]
pub struct Rows {
    format: OutputFormat,
    columns: Vec<Column>,
    count: u64,
    /// Table: rows waiting for the widths to be known.
    pending: Vec<(Vec<Cell>, Style)>,
    widths: Option<Vec<usize>>,
    color: bool,
}

/// Writes `text` to stdout; a closed pipe is [`Flow::Closed`], not an error.
pub fn write(text: &str) -> Result<Flow, CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(Flow::Continue),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Flow::Closed),
        Err(e) => Err(CliError::from(e)),
    }
}

impl Rows {
    /// Rows of `columns` (table and CSV) printed in `format`.
    pub fn new(format: OutputFormat, columns: Vec<Column>) -> Self {
        Rows {
            format,
            columns,
            count: 0,
            pending: Vec::new(),
            widths: None,
            color: output::color_stdout(),
        }
    }

    /// How many rows were pushed.
    #[allow(
        dead_code,
        reason = "for commands that report how many rows they printed"
    )]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// One row: `cells` for a table or CSV, `json` (a JSON object's text) for JSON and JSON
    /// Lines, `style` its colour on a terminal.
    pub fn push(&mut self, cells: Vec<Cell>, json: &str, style: Style) -> Result<Flow, CliError> {
        self.count += 1;
        match self.format {
            OutputFormat::Jsonl => write(&format!("{}\n", json_text(json, false))),
            OutputFormat::Json => {
                let item = indent(&json_text(json, true));
                let lead = if self.count == 1 { "[\n" } else { ",\n" };
                write(&format!("{lead}{item}"))
            }
            OutputFormat::Csv => {
                let mut table = Table::new(self.columns.clone());
                table.push(cells);
                write(&table.csv(self.count == 1))
            }
            OutputFormat::Table => {
                if self.widths.is_none() {
                    self.pending.push((cells, style));
                    if self.pending.len() < TABLE_SAMPLE {
                        return Ok(Flow::Continue);
                    }
                    return self.flush_table();
                }
                self.table_row(cells, style)
            }
        }
    }

    /// Sets the widths from the pending rows and prints them under the header.
    fn flush_table(&mut self) -> Result<Flow, CliError> {
        let mut sample = Table::new(self.columns.clone());
        for (cells, _) in &self.pending {
            sample.push(cells.clone());
        }
        let widths = sample.widths();
        let header = Table::new(self.columns.clone()).render_with(&widths, true);
        self.widths = Some(widths);
        if write(&header)? == Flow::Closed {
            return Ok(Flow::Closed);
        }
        for (cells, style) in std::mem::take(&mut self.pending) {
            if self.table_row(cells, style)? == Flow::Closed {
                return Ok(Flow::Closed);
            }
        }
        Ok(Flow::Continue)
    }

    fn table_row(&mut self, cells: Vec<Cell>, style: Style) -> Result<Flow, CliError> {
        let mut table = Table::new(self.columns.clone());
        table.push(cells);
        let line = table.render_with(self.widths.as_deref().unwrap_or(&[]), false);
        let line = match (self.color, style) {
            (true, Style::Alert) => paint(&line, "31"),
            (true, Style::Warn) => paint(&line, "33"),
            _ => line,
        };
        write(&line)
    }

    /// Ends the output: the table's last rows, JSON's closing bracket (`[]` when empty).
    pub fn finish(&mut self) -> Result<Flow, CliError> {
        match self.format {
            OutputFormat::Json if self.count == 0 => write("[]\n"),
            OutputFormat::Json => write("\n]\n"),
            OutputFormat::Table if self.widths.is_none() && !self.pending.is_empty() => {
                self.flush_table()
            }
            _ => Ok(Flow::Continue),
        }
    }
}

/// `line` (ending in a line break) in an SGR colour.
fn paint(line: &str, sgr: &str) -> String {
    let body = line.strip_suffix('\n').unwrap_or(line);
    format!("\x1b[{sgr}m{body}\x1b[0m\n")
}

/// A pretty JSON item indented one level (two spaces), without its final line break.
fn indent(pretty: &str) -> String {
    pretty
        .trim_end_matches('\n')
        .lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_indent_as_one_pretty_array() {
        let a = indent(&json_text(r#"{"a":1,"b":[2]}"#, true));
        let whole = format!("[\n{a}\n]\n");
        let value: serde_json::Value = serde_json::from_str(&whole).unwrap();
        assert_eq!(
            whole,
            format!(
                "{}\n",
                serde_json::to_string_pretty(&[value[0].clone()]).unwrap()
            )
        );
        assert_eq!(paint("x\n", "31"), "\x1b[31mx\x1b[0m\n");
    }
}
