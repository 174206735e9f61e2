//! Rejects: why a record was refused, and its line in `<stem>.rejects.csv`.
//!
//! A rejected record is kept whole and verbatim (base64 of its original bytes),
//! so nothing is lost. Messages are Japanese and never contain item values:
//! they name the item and a position, because values are personal data.

use base64::Engine;

/// Why a record was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Stable reason code (kebab-case), for scripts.
    pub code: &'static str,
    /// The reason in Japanese, for people.
    pub message: String,
    /// The item concerned, if one is.
    pub item: Option<String>,
}

impl Reject {
    pub fn record(code: &'static str, message: String) -> Reject {
        Reject {
            code,
            message,
            item: None,
        }
    }

    pub fn item(code: &'static str, item: &str, message: String) -> Reject {
        Reject {
            code,
            message,
            item: Some(item.to_string()),
        }
    }
}

/// Appends the reject-file line for one record: record number, reason code,
/// reason, base64 of the original bytes, byte offset in the input, item name.
pub fn write_line(out: &mut Vec<u8>, record: u64, offset: u64, reject: &Reject, original: &[u8]) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(original);
    let fields = [
        record.to_string(),
        reject.code.to_string(),
        reject.message.clone(),
        b64,
        offset.to_string(),
        reject.item.clone().unwrap_or_default(),
    ];
    crate::output::csv_line(out, fields.iter().map(String::as_str));
}

/// One parsed line of a reject file (used by `verify` and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectLine {
    pub record: u64,
    pub code: String,
    pub message: String,
    pub original: Vec<u8>,
    pub offset: u64,
    pub item: String,
}

/// Reads a reject file back; Err names the line that is not a reject line.
pub fn read_lines(bytes: &[u8]) -> Result<Vec<RejectLine>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let bad = |what: &str| format!("line {}: {what}", i + 1);
        let rec = rec.map_err(|e| bad(&e.to_string()))?;
        if rec.len() < 6 {
            return Err(bad("fewer than 6 columns"));
        }
        lines.push(RejectLine {
            record: rec[0]
                .parse()
                .map_err(|_| bad("record number is not a number"))?,
            code: rec[1].to_string(),
            message: rec[2].to_string(),
            original: base64::engine::general_purpose::STANDARD
                .decode(&rec[3])
                .map_err(|_| bad("original bytes are not base64"))?,
            offset: rec[4].parse().map_err(|_| bad("offset is not a number"))?,
            item: rec[5].to_string(),
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_with_any_bytes() {
        let mut out = Vec::new();
        let r = Reject::item("too-long", "氏名", "氏名: 長すぎます, \"x\"".into());
        write_line(&mut out, 7, 1234, &r, b"\x82\xA0,\"\r\n\xFF");
        write_line(
            &mut out,
            9,
            0,
            &Reject::record("item-count", "項目数".into()),
            b"",
        );
        let lines = read_lines(&out).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].record, 7);
        assert_eq!(lines[0].code, "too-long");
        assert_eq!(lines[0].message, "氏名: 長すぎます, \"x\"");
        assert_eq!(lines[0].original, b"\x82\xA0,\"\r\n\xFF");
        assert_eq!(lines[0].offset, 1234);
        assert_eq!(lines[0].item, "氏名");
        assert_eq!(lines[1].item, "");
        assert!(out.ends_with(b"\r\n"));
    }
}
