//! Figures as a CSV file that a spreadsheet opens as they are: UTF-8 with a byte-order
//! mark (Excel reads it as UTF-8 then), RFC 4180 quoting, numbers as Rust writes them
//! (the shortest text that reads back to the same number), and text cells that cannot
//! run as a formula.

/// Excel takes a file for UTF-8 only when it starts with this.
pub const BOM: &str = "\u{feff}";

/// What a spreadsheet would run as a formula when a text cell starts with it.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell: escaped as [`defuse`] does, and quoted when it holds a comma, a quote or
/// a line break.
pub fn text(value: &str) -> String {
    quoted(&defuse(value))
}

/// A value as an export writes it: one a spreadsheet would run as a formula gets a
/// leading apostrophe, which keeps it text (and so does one that starts with an
/// apostrophe, so [`restore`] can tell the two apart).
pub fn defuse(value: &str) -> String {
    match value.starts_with(FORMULA_STARTS) || value.starts_with('\'') {
        true => format!("'{value}"),
        false => value.to_owned(),
    }
}

/// The value a defused cell stands for: importing an export back changes nothing
/// (`'+49 30 1234` is `+49 30 1234`); an apostrophe before anything else is the value's
/// own.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) || rest.starts_with('\'') => rest,
        _ => cell,
    }
}

/// A number cell; empty for none.
pub fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

/// A count cell; empty for none.
pub fn count(value: Option<u64>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

fn quoted(value: &str) -> String {
    match value.contains([',', '"', '\n', '\r']) {
        true => format!("\"{}\"", value.replace('"', "\"\"")),
        false => value.to_owned(),
    }
}

/// One line of cells, ended by CRLF as RFC 4180 has it.
pub fn line(cells: &[String]) -> String {
    let mut line = cells.join(",");
    line.push_str("\r\n");
    line
}

/// The records of a file written with [`line`] (its byte-order mark skipped), each as
/// the cells a CSV reader returns; [`restore`] then undoes the formula escape.
pub fn read_records(file: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut cell) = (Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = file.strip_prefix(BOM).unwrap_or(file).chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(std::mem::take(&mut cell)),
            ('\r', false) if chars.peek() == Some(&'\n') => {
                chars.next();
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (c, _) => cell.push(c),
        }
    }
    if !cell.is_empty() || !record.is_empty() {
        record.push(cell);
        records.push(record);
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_would_run_as_a_formula_is_escaped_and_read_back_unchanged() {
        let values = [
            "=HYPERLINK(\"http://evil.example\")",
            "+1",
            "-5 is low",
            "@SUM(A1)",
            "\tTabbed",
            "'quoted already",
            "plain, with a comma",
            "a \"quote\"",
            "two\nlines",
            "and\r\nthree",
            "Grüße – 😀",
            "",
        ];
        let cells: Vec<String> = values.iter().map(|v| text(v)).collect();
        assert!(cells[0].starts_with("\"'="), "{}", cells[0]);
        assert!(cells[1].starts_with("'+"));
        let file = format!("{BOM}{}{}", line(&cells), line(&cells));
        let read = read_records(&file);
        assert_eq!(read.len(), 2, "line breaks inside a cell end no record");
        let back: Vec<&str> = read[1].iter().map(|c| restore(c)).collect();
        assert_eq!(back, values);
    }

    #[test]
    fn numbers_read_back_to_the_same_value_and_none_is_an_empty_cell() {
        for v in [-100.0, 0.0, 12.345678901234567, 1.0 / 3.0, 2.5e-7] {
            assert_eq!(number(Some(v)).parse::<f64>().unwrap(), v);
        }
        assert_eq!(number(None), "");
        assert_eq!(count(Some(42)), "42");
        assert_eq!(count(None), "");
    }
}
