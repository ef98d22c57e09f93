//! Printing results: aligned tables, JSON (the API's own reply, or a report's own type), RFC
//! 4180 CSV (the `csv` crate), JSON Lines, and colour (on a terminal, `NO_COLOR` unset).
//!
//! The table is written here, not by a crate: it is a few dozen lines, and its plain layout
//! (two spaces between columns, amounts right-aligned, a dashed rule, no borders, no trailing
//! spaces) is what scripts and the tests read.
//!
//! **Nothing the API sends reaches a terminal as a control sequence.** [`escape`] is the one
//! function that makes text safe to show, and every printer goes through it: table cells and
//! records, CSV fields (with a spreadsheet-formula guard on top, [`csv_field`]), free text lines
//! (`watch`, `demo`) and every line on stderr ([`note`]). JSON is escaped by JSON itself
//! ([`json_text`] adds `\u` escapes for what serde_json leaves raw).

use std::borrow::Cow;
use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::exit::CliError;

/// How a column is aligned in a table, and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text, ids: a CSV field starting like a formula gets the formula guard ([`csv_field`]).
    Left,
    /// Amounts and counts, written by the CLI itself: CSV writes a number as it is (`-12.50`
    /// stays `-12.50`); anything else in such a column is guarded like text.
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
        self.render_with(&self.widths(), true)
    }

    /// The width of each column: its widest cell as shown (escaped), or its title.
    pub fn widths(&self) -> Vec<usize> {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                self.rows
                    .iter()
                    .map(|r| width(&escape(&r[i].shown)))
                    .chain([width(c.title)])
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// The rows aligned to `widths` (a stream's, set by its first rows; a longer cell pushes the
    /// rest of its line), after the header and its rule when `header`.
    pub fn render_with(&self, widths: &[usize], header: bool) -> String {
        let mut widths = widths.to_vec();
        widths.resize(self.columns.len(), 0);
        let mut out = String::new();
        if header {
            let titles: Vec<&str> = self.columns.iter().map(|c| c.title).collect();
            self.line(&mut out, &titles, &widths);
            let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
            self.line(&mut out, &rules, &widths);
        }
        for row in &self.rows {
            let shown: Vec<Cow<'_, str>> = row.iter().map(|c| escape(&c.shown)).collect();
            let cells: Vec<&str> = shown.iter().map(|c| c.as_ref()).collect();
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
                let line = format!("{}{pad}  {}", col.key, escape(&cell.shown));
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        out
    }

    /// CSV: a header row of the columns' keys, then the raw values, RFC 4180 quoting, CRLF.
    /// Every field goes through [`csv_field`].
    pub fn to_csv(&self) -> String {
        self.csv(true)
    }

    /// The CSV records: the header row when `header`, then the rows (a stream prints the header
    /// once and then rows as they come).
    pub fn csv(&self, header: bool) -> String {
        let head = header.then(|| self.columns.iter().map(|c| c.key.to_owned()).collect());
        let rows = self.rows.iter().map(|row| {
            row.iter()
                .zip(&self.columns)
                .map(|(cell, col)| csv_field(&cell.raw, col.align == Align::Right).into_owned())
                .collect::<Vec<String>>()
        });
        csv_text(head.into_iter().chain(rows))
    }
}

/// Display width of a cell: characters (the ids, amounts and names printed here are not wide).
fn width(s: &str) -> usize {
    s.chars().count()
}

/// Whether a character is shown escaped by [`escape`]: a control character (Unicode `Cc`: C0,
/// DEL, C1, so ESC, CR, LF, TAB, BEL, CSI...), a line or paragraph separator (U+2028, U+2029),
/// or a bidirectional formatting character (U+061C, U+200E, U+200F, U+202A..U+202E,
/// U+2066..U+2069), which would reorder what a terminal shows.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Text safe to show on a terminal: every character of [`is_unsafe`] becomes its code point in
/// Rust's escape notation, `\u{XX}` (ESC `\u{1b}`, CR `\u{d}`, LF `\u{a}`, BEL `\u{7}`, RLO
/// `\u{202e}`); everything else, backslashes included, is shown as it is. The one escaping
/// function of the CLI: tables, CSV, free text and stderr all use it.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection): `=`,
/// `+`, `-`, `@`, and their full-width forms. Tab and CR, also on OWASP's list, never lead a
/// field: [`escape`] has turned them into `\u{9}` and `\u{d}`.
const FORMULA_START: [char; 8] = [
    '=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];

/// A plain decimal number as the CLI writes amounts and counts: `12`, `-12.50`, `+3.00`.
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// One CSV field: [`escape`]d like a table cell, then guarded against formula injection (OWASP):
/// a field starting with a character of [`FORMULA_START`] gets a leading `'`, so a spreadsheet
/// shows it as text. A `numeric` column's numbers (`-1500.00`) are written as they are.
pub fn csv_field(raw: &str, numeric: bool) -> Cow<'_, str> {
    let text = escape(raw);
    if !text.starts_with(FORMULA_START) || (numeric && is_number(&text)) {
        return text;
    }
    Cow::Owned(format!("'{text}"))
}

/// CSV records written by the `csv` crate: RFC 4180 quoting (a field holding a comma, a quote,
/// CR or LF is quoted, its quotes doubled), every record ended by CRLF. The fields are written as
/// given: [`Table::csv`] has passed them through [`csv_field`].
fn csv_text<R, F>(records: impl IntoIterator<Item = R>) -> String
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

/// `value` as compact JSON (serde_json), before [`json_text`].
pub fn compact_json<T: Serialize + ?Sized>(value: &T) -> Result<String, CliError> {
    serde_json::to_string(value).map_err(|e| CliError::Other(format!("cannot write JSON: {e}")))
}

/// Pretty JSON of `value` with a final newline (through [`json_text`]).
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, CliError> {
    Ok(json_text(&compact_json(value)?, true))
}

/// JSON text laid out again, every token kept as it is written: strings keep their escapes,
/// numbers their digits (`1.10` stays `1.10`, `1e2` stays `1e2`, a 30-digit integer stays whole),
/// so the API's reply prints with its values as sent. `pretty`: serde_json's pretty layout (two
/// spaces, `"key": value`, `[]` and `{}` when empty) and a final newline; else compact, one line.
///
/// Inside strings, what [`escape`] escapes and JSON allows raw (DEL, C1 controls, U+2028/U+2029,
/// bidirectional controls; raw C0 controls, invalid JSON anyway) is written as a `\uXXXX` escape:
/// the same string to any JSON reader, inert on a terminal. `text` is JSON that serde_json wrote
/// or read; anything outside strings is copied as it is (through [`escape`]).
pub fn json_text(text: &str, pretty: bool) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4 + 2);
    let mut depth = 0_usize;
    // A `{` or `[` was just written: its first item starts a new line, or it closes at once.
    let mut opened = false;
    let newline = |out: &mut String, depth: usize| {
        if pretty {
            out.push('\n');
            for _ in 0..depth {
                out.push_str("  ");
            }
        }
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
            continue;
        }
        if matches!(b, b'}' | b']') {
            depth = depth.saturating_sub(1);
            if !opened {
                newline(&mut out, depth);
            }
            opened = false;
            out.push(char::from(b));
            i += 1;
            continue;
        }
        if opened {
            newline(&mut out, depth);
            opened = false;
        }
        match b {
            b'{' | b'[' => {
                out.push(char::from(b));
                depth += 1;
                opened = true;
                i += 1;
            }
            b',' => {
                out.push(',');
                newline(&mut out, depth);
                i += 1;
            }
            b':' => {
                out.push_str(if pretty { ": " } else { ":" });
                i += 1;
            }
            b'"' => i = copy_string(text, i, &mut out),
            _ => {
                // A number or a literal: up to the next structural character or space (ASCII,
                // so the cut is on a character boundary).
                let end = bytes[i..]
                    .iter()
                    .position(|b| b" \t\n\r,:{}[]\"".contains(b))
                    .map_or(bytes.len(), |n| i + n);
                out.push_str(&escape(&text[i..end]));
                i = end;
            }
        }
    }
    if pretty {
        out.push('\n');
    }
    out
}

/// Copies the JSON string starting at `text[start]` (a `"`) to `out`, escapes intact, and
/// returns the index after its closing quote. Characters of [`is_unsafe`] are written as
/// `\uXXXX` (two escapes, a surrogate pair, above U+FFFF; none of them is).
fn copy_string(text: &str, start: usize, out: &mut String) -> usize {
    out.push('"');
    let mut escaped = false;
    for (n, c) in text[start + 1..].char_indices() {
        if escaped {
            escaped = false;
            out.push(c);
        } else if c == '\\' {
            escaped = true;
            out.push(c);
        } else if c == '"' {
            out.push('"');
            return start + 1 + n + 1;
        } else if is_unsafe(c) {
            let mut units = [0_u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    text.len()
}

/// Prints a result: `data` serialized as JSON, or `table` as a table or CSV.
pub fn emit<T: Serialize + ?Sized>(
    format: OutputFormat,
    data: &T,
    table: impl FnOnce() -> Table,
) -> Result<(), CliError> {
    emit_reply(format, None, data, table)
}

/// Prints what the API sent: in JSON the reply's own text `raw` (from
/// [`crate::raw`]: every field, null included, values as sent), or `data` serialized when there
/// is no such text (no body to show, such as the documented 404 of an empty budget list); a
/// table or CSV as [`emit`] does.
pub fn emit_reply<T: Serialize + ?Sized>(
    format: OutputFormat,
    raw: Option<String>,
    data: &T,
    table: impl FnOnce() -> Table,
) -> Result<(), CliError> {
    let text = match (format, raw) {
        (OutputFormat::Json, Some(raw)) => json_text(&raw, true),
        (OutputFormat::Json, None) => json(data)?,
        (OutputFormat::Jsonl, Some(raw)) => format!("{}\n", json_text(&raw, false)),
        (OutputFormat::Jsonl, None) => format!("{}\n", json_text(&compact_json(data)?, false)),
        (OutputFormat::Table, _) => table().render(),
        (OutputFormat::Csv, _) => table().to_csv(),
    };
    print(&text)
}

/// Whether stdout may be coloured: it is a terminal and `NO_COLOR` is unset or empty
/// (<https://no-color.org>).
pub fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && no_color_unset()
}

/// Whether stderr may be coloured (as [`color_stdout`]).
pub fn color_stderr() -> bool {
    std::io::stderr().is_terminal() && no_color_unset()
}

fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
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

/// Writes a note to stderr, one line, [`escape`]d: an error's API code, message or JSON path
/// shows its control characters as `\u{..}` (never fails: stderr is the last resort).
pub fn note(text: &str) {
    let text = escape(text);
    let mut err = std::io::stderr().lock();
    match text.strip_prefix("error: ") {
        // Red on a terminal (NO_COLOR unset), plain everywhere else.
        Some(rest) if color_stderr() => {
            let _ = writeln!(err, "\x1b[31merror:\x1b[0m {rest}");
        }
        _ => {
            let _ = writeln!(err, "{text}");
        }
    }
}

/// stderr for the SDK's log lines (`-v`, `-vv`), which quote the API's codes and messages as
/// they came: every line is written through [`escape`], its line break kept. The log formatter
/// writes each event whole, in one call.
#[derive(Debug, Clone, Copy, Default)]
pub struct EscapedStderr;

impl Write for EscapedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let (body, end) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            out.push_str(&escape(body));
            out.push_str(end);
        }
        std::io::stderr().lock().write_all(out.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().lock().flush()
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

    #[test]
    fn escape_shows_controls_and_reordering_characters_and_nothing_else() {
        assert!(matches!(
            escape("Ops, \"EU\" C:\\ops é 漢"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            escape("\u{1b}]0;x\u{7}\u{1b}[2J"),
            r"\u{1b}]0;x\u{7}\u{1b}[2J"
        );
        assert_eq!(escape("\r\nFAKE ROW"), r"\u{d}\u{a}FAKE ROW");
        assert_eq!(escape("a\tb\u{0}"), r"a\u{9}b\u{0}");
        assert_eq!(escape("del\u{7f} csi\u{9b}"), r"del\u{7f} csi\u{9b}");
        assert_eq!(
            escape("rlo\u{202e}x\u{2066}\u{2028}"),
            r"rlo\u{202e}x\u{2066}\u{2028}"
        );
    }

    #[test]
    fn csv_guards_formulas_in_text_but_not_numbers() {
        for (raw, numeric, written) in [
            ("=1+1", false, "'=1+1"),
            ("+1", false, "'+1"),
            ("-2+3", false, "'-2+3"),
            ("@SUM(A1)", false, "'@SUM(A1)"),
            ("\u{ff1d}1", false, "'\u{ff1d}1"),
            ("-5", false, "'-5"),
            ("plain", false, "plain"),
            ("\t=1", false, r"\u{9}=1"),
            ("-1500.00", true, "-1500.00"),
            ("+12.50", true, "+12.50"),
            ("42", true, "42"),
            ("-x", true, "'-x"),
            ("", true, ""),
        ] {
            assert_eq!(csv_field(raw, numeric), written, "{raw:?}");
        }
        let mut t = Table::new(vec![left("NAME", "name"), right("BALANCE", "balance")]);
        t.push(vec!["=cmd|'/C calc'!A0".into(), "-5.00".into()]);
        assert_eq!(t.to_csv(), "name,balance\r\n'=cmd|'/C calc'!A0,-5.00\r\n");
        assert_eq!(t.csv(false), "'=cmd|'/C calc'!A0,-5.00\r\n");
    }

    #[test]
    fn tables_escape_cells_and_align_on_what_is_shown() {
        let mut t = Table::new(vec![left("NAME", "name"), right("N", "n")]);
        t.push(vec!["a\u{1b}".into(), "1".into()]);
        t.push(vec!["bbbbbbb".into(), "2".into()]);
        let text = t.render();
        assert_eq!(text.lines().nth(2), Some(r"a\u{1b}  1"));
        assert_eq!(text.lines().nth(3), Some("bbbbbbb  2"));
        let r = Table::record(vec![left("ID", "id")], vec!["x\r\ny".into()]);
        assert_eq!(r.render(), "id  x\\u{d}\\u{a}y\n");
    }

    #[test]
    fn json_text_keeps_every_token_and_lays_out_like_serde_json() {
        let value = serde_json::json!({"a": [1, {"b": null}], "c": {}, "d": [], "e": "x\"y\\"});
        let compact = serde_json::to_string(&value).unwrap();
        assert_eq!(
            json_text(&compact, true),
            format!("{}\n", serde_json::to_string_pretty(&value).unwrap())
        );
        assert_eq!(json_text(&compact, false), compact);
        let sent =
            "{ \"n\" : 1.50 , \"big\":123456789012345678901234567890,\"e\":1e2,\"s\":\"\\u00e9\" }";
        assert_eq!(
            json_text(sent, false),
            r#"{"n":1.50,"big":123456789012345678901234567890,"e":1e2,"s":"\u00e9"}"#
        );
        // Raw DEL, C1 and bidi controls in strings become \u escapes: the same string to JSON.
        let hostile = "[\"del\u{7f} csi\u{9b} rlo\u{202e}\"]";
        let out = json_text(hostile, false);
        assert_eq!(out, r#"["del\u007f csi\u009b rlo\u202e"]"#);
        let back: Vec<String> = serde_json::from_str(&out).unwrap();
        assert_eq!(back, ["del\u{7f} csi\u{9b} rlo\u{202e}"]);
    }
}
