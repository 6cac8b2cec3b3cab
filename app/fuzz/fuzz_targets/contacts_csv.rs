//! A contact import's CSV file, as untrusted bytes: read into a header and rows the way
//! the import reads it (byte-order mark, UTF-8, sniffed separator, flexible rows, line
//! numbers counted from the bytes), then mapped and checked by the domain's rules
//! (`ColumnMapping::suggest`, `from_choices`, `check`, `choices`, `contact`, `read_rows`,
//! `is_blank_row`, `attribute_key`).
//!
//! The file reader itself (`app::api::contacts::read_csv`) is compiled only with the
//! `ssr` feature, which this crate leaves off; `read_table` below follows it step by step
//! so the domain sees the same cells and line numbers.
#![no_main]

use app::domain::contacts::{attribute_key, is_blank_row, read_rows, ColumnMapping};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

fuzz_target!(|data: &[u8]| {
    let Some((headers, rows)) = read_table(data) else {
        return;
    };
    let columns = headers.len();

    for cell in headers
        .iter()
        .chain(rows.iter().flat_map(|(_, r)| r.iter()))
    {
        if let Some(key) = attribute_key(cell) {
            assert!(!key.is_empty() && key.len() <= 64, "{cell:?} -> {key:?}");
            assert_eq!(attribute_key(&key).as_deref(), Some(key.as_str()));
        }
    }

    // The mapping the header suggests, as the import uses it when none is given.
    let suggested = ColumnMapping::suggest(&headers);
    if suggested.check(columns).is_ok() {
        // The preview shows a checked mapping as choices; sending them back unchanged
        // must give the same mapping.
        let choices = suggested.choices(columns);
        assert_eq!(
            ColumnMapping::from_choices(&choices).as_ref(),
            Ok(&suggested),
            "{choices:?}"
        );
        check_rows(&suggested, columns, &rows);
    }

    // The header's cells read as a user's choices (`email`, `attribute:team`, …), as the
    // preview form and the API send them.
    if let Ok(chosen) = ColumnMapping::from_choices(&headers) {
        assert_eq!(chosen.check(columns), Ok(()));
        check_rows(&chosen, columns, &rows);
    }
});

fn check_rows(mapping: &ColumnMapping, columns: usize, rows: &[(u64, Vec<String>)]) {
    let (good, bad) = read_rows(
        mapping,
        columns,
        rows.iter().map(|(line, cells)| (*line, cells.as_slice())),
    );
    let data_rows = rows.iter().filter(|(_, c)| !is_blank_row(c)).count();
    // Every data row is imported or reported once; a repeated email reports the earlier
    // row and keeps the later one.
    assert_eq!(good.len() + bad.len(), data_rows);
    assert!(
        bad.windows(2).all(|w| w[0].line <= w[1].line),
        "errors by line"
    );
    let mut emails = HashSet::new();
    for (_, contact) in &good {
        assert!(emails.insert(contact.email.clone()), "one row per email");
        assert!(contact.name.chars().count() <= app::domain::contacts::NAME_MAX_CHARS);
    }
    for cells in rows.iter().map(|(_, c)| c) {
        let _ = mapping.contact(cells);
    }
}

/// The import's reading of a CSV file: None where it refuses the file.
fn read_table(bytes: &[u8]) -> Option<(Vec<String>, Vec<(u64, Vec<String>)>)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).ok()?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().ok()?.iter().map(str::to_owned).collect();
    if is_blank_row(&headers) {
        return None;
    }
    let bytes = text.as_bytes();
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    let (mut line, mut counted) = (1u64, 0usize);
    for record in reader.records() {
        let record = record.ok()?;
        let mut start = record
            .position()
            .map_or(counted, |p| p.byte() as usize)
            .clamp(counted, bytes.len());
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        line += newlines(&bytes[counted..start]);
        counted = start;
        // Records are numbered in file order.
        assert!(line >= rows.last().map_or(1, |(l, _)| *l), "line {line}");
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    Some((headers, rows))
}

fn delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in text.bytes() {
        match c {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(count) = counts.iter_mut().find(|(d, _)| *d == c) {
                    count.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .map_or(b',', |(d, _)| *d)
}

fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}
