//! `identify --worklist`: the 外字 table skeleton `profile --worklist` writes
//! (`source<TAB>target<TAB>note`, comment lines first), one line per vendor 外字,
//! with the best candidates in the note and the target left for a person, unless
//! `--accept-above` lets a sure candidate fill it.

use super::ranked::{Identified, round};
use std::fmt::Write;

/// When a best candidate is written as the target: score and margin to the next
/// candidate both at least these.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Accept {
    pub score: f32,
    pub margin: f32,
}

/// The work list text and how many targets `accept` filled.
pub fn worklist(list: &[Identified], font: &str, accept: Option<Accept>) -> (String, usize) {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# 外字作業リスト（文字同定の候補つき）。ikou identify が作成。\n\
         # 外字フォント: {}  外字: {}種類\n\
         # 各行の target（2列目）に、その外字に当たる MJ文字図形名（MJ012345）、住基ネット統一文字コード（J+XXXX）、\n\
         # 戸籍統一文字番号（KOSEKI:123450）、または文字のコードポイント（U+XXXX）を書いてください。\n\
         # 3列目は「ikou identify」の候補です（字形の似ている順、スコア 0–100、「差」は次の候補とのスコアの差）。\n\
         # 候補は目安です。確認表（ikou identify --html）で字形を見比べて決めてください。target が空の行があるうちは、\n\
         # 「ikou convert --gaiji」はこの表を受け付けません。",
        printable(font),
        list.len(),
    );
    if let Some(a) = accept {
        let _ = writeln!(
            out,
            "# --accept-above: スコア {} 以上で次の候補との差が {} 以上の外字は、最良の候補を target に書きました\n\
             # （note が「自動」で始まる行）。変換に使う前に、その行も確認してください。",
            round(a.score),
            round(a.margin)
        );
    }
    if list
        .iter()
        .any(|i| i.candidates.iter().any(|c| c.name.starts_with("GJ")))
    {
        out.push_str("# GJ で始まる候補は行政事務標準文字の拡張表の字です。target に書いたら convert に --charset-ext を付けてください。\n");
    }
    out.push_str("source\ttarget\tnote\n");
    let mut filled = 0;
    for i in list {
        let take = accept.is_some_and(|a| i.accepted(a.score, a.margin));
        let target = match (take, i.best()) {
            (true, Some(b)) => {
                filled += 1;
                b.name.as_str()
            }
            _ => "",
        };
        let mut note = String::new();
        if !target.is_empty() {
            note.push_str("自動 ");
        }
        match i.candidates.as_slice() {
            [] => note.push_str("候補なし"),
            cands => {
                let _ = write!(
                    note,
                    "候補 {} {:.1}（差 {:.1}）",
                    cands[0].name,
                    round(cands[0].score),
                    round(i.margin())
                );
                for c in cands.iter().skip(1).take(2) {
                    let _ = write!(note, " / {} {:.1}", c.name, round(c.score));
                }
            }
        }
        let _ = writeln!(out, "{}\t{}\t{}", i.code(), printable(target), note);
    }
    (out, filled)
}

/// A value that cannot break the line or the columns.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::ranked::tests::found;

    #[test]
    fn targets_stay_empty_unless_accepted() {
        let list = [
            found(
                '\u{E000}',
                &[
                    ("MJ000001", 98.0),
                    ("MJ000002", 80.0),
                    ("MJ000003", 70.0),
                    ("MJ000004", 60.0),
                ],
            ),
            found('\u{E001}', &[("MJ000005", 98.0), ("MJ000006", 97.0)]),
            found('\u{E002}', &[]),
        ];
        let (text, filled) = worklist(&list, "v\n.ttf", None);
        assert_eq!(filled, 0);
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            lines,
            [
                "source\ttarget\tnote",
                "U+E000\t\t候補 MJ000001 98.0（差 18.0） / MJ000002 80.0 / MJ000003 70.0",
                "U+E001\t\t候補 MJ000005 98.0（差 1.0） / MJ000006 97.0",
                "U+E002\t\t候補なし",
            ]
        );
        assert!(
            text.contains("v\u{FFFD}.ttf"),
            "a name cannot break a comment line"
        );
        let (text, filled) = worklist(
            &list,
            "v.ttf",
            Some(Accept {
                score: 95.0,
                margin: 5.0,
            }),
        );
        assert_eq!(filled, 1);
        assert!(
            text.contains("U+E000\tMJ000001\t自動 候補 MJ000001"),
            "{text}"
        );
        assert!(text.contains("U+E001\t\t候補"), "{text}");
    }

    #[test]
    fn the_work_list_is_a_table_ikou_reads() {
        let list = [found('\u{E000}', &[("MJ000001", 98.0)])];
        let (text, _) = worklist(
            &list,
            "v.ttf",
            Some(Accept {
                score: 95.0,
                margin: 5.0,
            }),
        );
        let (entries, findings) =
            crate::gaiji::table::parse(&text, "w.tsv", crate::decode::Encoding::Cp932);
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(entries.len(), 1);
    }
}
