use super::pic::{self, CodeBase, Elem, Picture, Sign, Spec, Usage};
use super::source::{self, Tok};
use super::*;

/// Fixed-format lines: sequence number, indicator and text in columns 8–72.
fn fixed(lines: &[&str]) -> String {
    let mut s = String::new();
    for (i, l) in lines.iter().enumerate() {
        // A line starting with an indicator character goes in column 7.
        let (ind, text) = match l.chars().next() {
            Some(c @ ('*' | '/' | '-' | 'D')) => (c, &l[1..]),
            _ => (' ', *l),
        };
        s += &format!("{:06}{ind}{text}\n", (i + 1) * 100);
    }
    s
}

fn import_ok(text: &str) -> Imported {
    import(text.as_bytes(), "t.cpy", &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// (name, type, offset, length) of each item.
fn shape(imp: &Imported) -> Vec<(String, &'static str, usize, usize)> {
    imp.layout
        .fields
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                f.kind.as_str(),
                f.offset.unwrap_or(usize::MAX),
                f.length.unwrap_or(0),
            )
        })
        .collect()
}

/// (line, severity) of each finding.
fn lines(imp: &Imported) -> Vec<(usize, Severity)> {
    imp.findings.iter().map(|f| (f.row, f.severity)).collect()
}

fn item(kind: FieldType, size: usize, digits: Option<u32>, scale: Option<u32>) -> Elem {
    Elem::Item(Spec {
        kind,
        size,
        digits,
        scale,
        dbcs: false,
        codes: None,
    })
}

fn elem(p: &str, usage: Usage) -> (Elem, Vec<(Severity, String)>) {
    let pic = pic::parse(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    pic::elem(Some(&pic), p, &usage, None)
}

#[test]
fn pictures_of_every_form() {
    use Picture::*;
    let cases: &[(&str, Picture)] = &[
        ("X", Alphanumeric { len: 1 }),
        ("X(10)", Alphanumeric { len: 10 }),
        ("X(03)", Alphanumeric { len: 3 }),
        ("XXX", Alphanumeric { len: 3 }),
        ("x(2)", Alphanumeric { len: 2 }),
        ("A(4)", Alphanumeric { len: 4 }),
        ("XX99", Alphanumeric { len: 4 }),
        ("N(20)", National { chars: 20 }),
        ("NN", National { chars: 2 }),
        ("G(5)", National { chars: 5 }),
        (
            "9(5)",
            Numeric {
                signed: false,
                digits: 5,
                scale: 0,
                p: false,
            },
        ),
        (
            "99999",
            Numeric {
                signed: false,
                digits: 5,
                scale: 0,
                p: false,
            },
        ),
        (
            "S9(7)V99",
            Numeric {
                signed: true,
                digits: 9,
                scale: 2,
                p: false,
            },
        ),
        (
            "S9(5)V9(3)",
            Numeric {
                signed: true,
                digits: 8,
                scale: 3,
                p: false,
            },
        ),
        (
            "9V9",
            Numeric {
                signed: false,
                digits: 2,
                scale: 1,
                p: false,
            },
        ),
        (
            "S999PP",
            Numeric {
                signed: true,
                digits: 3,
                scale: 0,
                p: true,
            },
        ),
        (
            "ZZ,ZZ9.99",
            Edited {
                len: 9,
                national: false,
            },
        ),
        (
            "***,**9",
            Edited {
                len: 7,
                national: false,
            },
        ),
        (
            "9(5)CR",
            Edited {
                len: 7,
                national: false,
            },
        ),
        (
            "ZZ9DB",
            Edited {
                len: 5,
                national: false,
            },
        ),
        (
            "$$$,$$9",
            Edited {
                len: 7,
                national: false,
            },
        ),
        (
            "+ZZZ9",
            Edited {
                len: 5,
                national: false,
            },
        ),
        (
            "-9(4)",
            Edited {
                len: 5,
                national: false,
            },
        ),
        (
            "9(4)/99/99",
            Edited {
                len: 10,
                national: false,
            },
        ),
        (
            "Z(5)9V99",
            Edited {
                len: 8,
                national: false,
            },
        ),
        (
            "NBN",
            Edited {
                len: 3,
                national: true,
            },
        ),
    ];
    for (text, want) in cases {
        assert_eq!(&pic::parse(text).unwrap(), want, "PIC {text}");
    }
    for bad in [
        "",
        "X(",
        "X()",
        "X(0)",
        "X(a)",
        "Q",
        "9S9",
        "S9V9V9",
        "SX",
        "X(99999999)",
        "9(2000000)",
        "X(18446744073709551616)",
    ] {
        assert!(pic::parse(bad).is_err(), "PIC {bad:?} must be refused");
    }
}

#[test]
fn pictures_and_usages_give_types_and_sizes() {
    use FieldType::*;
    let text = |n| {
        Elem::Item(Spec {
            codes: Some(CodeBase::Text(n)),
            ..spec(Text, n)
        })
    };
    fn spec(kind: FieldType, size: usize) -> Spec {
        Spec {
            kind,
            size,
            digits: None,
            scale: None,
            dbcs: false,
            codes: None,
        }
    }
    assert_eq!(elem("X(10)", Usage::Display).0, text(10));
    assert_eq!(
        elem("9(5)", Usage::Display).0,
        Elem::Item(Spec {
            codes: Some(CodeBase::Digits(5)),
            ..spec(Digits, 5)
        })
    );
    let national = Elem::Item(Spec {
        dbcs: true,
        ..spec(Text, 40)
    });
    assert_eq!(elem("N(20)", Usage::Display).0, national);
    assert_eq!(elem("G(20)", Usage::Display1).0, national);
    assert_eq!(elem("N(20)", Usage::Display1).0, national);
    let (e, notes) = elem("N(20)", Usage::National);
    assert_eq!(e, national);
    assert_eq!(notes[0].0, Severity::Guessed, "UTF-16 on IBM: {notes:?}");
    // Zoned: signed, or with decimal places.
    assert_eq!(
        elem("S9(5)", Usage::Display).0,
        item(Zoned, 5, Some(5), Some(0))
    );
    assert_eq!(
        elem("S9(7)V99", Usage::Display).0,
        item(Zoned, 9, Some(9), Some(2))
    );
    assert_eq!(
        elem("9(3)V9", Usage::Display).0,
        item(Zoned, 4, Some(4), Some(1))
    );
    // Packed: digits / 2 + 1 bytes.
    for (p, size, digits, scale) in [
        ("S9(7)V99", 5, 9, 2),
        ("S9(8)", 5, 8, 0),
        ("9", 1, 1, 0),
        ("S9(18)", 10, 18, 0),
    ] {
        assert_eq!(
            elem(p, Usage::Packed).0,
            item(Packed, size, Some(digits), Some(scale)),
            "{p} COMP-3"
        );
    }
    // Binary: 2, 4 or 8 bytes.
    for (p, size) in [
        ("S9(4)", 2),
        ("9", 2),
        ("S9(5)", 4),
        ("S9(9)", 4),
        ("S9(10)", 8),
        ("S9(18)", 8),
    ] {
        for u in [Usage::Binary, Usage::Comp5] {
            let (e, _) = elem(p, u.clone());
            let digits = match pic::parse(p).unwrap() {
                Picture::Numeric { digits, .. } => digits,
                _ => unreachable!(),
            };
            assert_eq!(e, item(Binary, size, Some(digits), Some(0)), "{p} {u:?}");
        }
    }
    for w in [
        "COMP",
        "COMP-4",
        "BINARY",
        "COMPUTATIONAL",
        "computational-4",
    ] {
        assert_eq!(Usage::of_word(w), Some(Usage::Binary), "{w}");
    }
    for w in ["COMP-3", "PACKED-DECIMAL", "COMPUTATIONAL-3"] {
        assert_eq!(Usage::of_word(w), Some(Usage::Packed), "{w}");
    }
    assert_eq!(Usage::of_word("COMP-5"), Some(Usage::Comp5));
    // Unsupported: a gap where the size is known, unknown otherwise; reported.
    let (e, notes) = elem("S9(19)", Usage::Binary);
    assert_eq!((e, notes[0].0), (Elem::Unknown, Severity::Skipped));
    let (e, notes) = elem("S9(20)", Usage::Packed);
    assert_eq!((e, notes[0].0), (Elem::Gap(11), Severity::Skipped));
    let (e, notes) = elem("S9(20)", Usage::Display);
    assert_eq!(
        (e, notes[0].0),
        (item(Text, 20, None, None), Severity::Guessed)
    );
    let (e, notes) = pic::elem(None, "", &Usage::Float(4), None);
    assert_eq!((e, notes[0].0), (Elem::Gap(4), Severity::Skipped));
    let (e, notes) = pic::elem(None, "", &Usage::Float(8), None);
    assert_eq!((e, notes[0].0), (Elem::Gap(8), Severity::Skipped));
    let (e, notes) = elem("X(4)", Usage::Packed);
    assert_eq!((e, notes[0].0), (Elem::Unknown, Severity::Skipped));
    // Editing: text of the edited length, with a warning.
    let (e, notes) = elem("ZZ,ZZ9.99", Usage::Display);
    assert_eq!(
        (e, notes[0].0),
        (item(Text, 9, None, None), Severity::Guessed)
    );
    let (e, notes) = elem("-9(4)", Usage::Display);
    assert_eq!(
        (e, notes[0].0),
        (item(Text, 5, None, None), Severity::Guessed)
    );
    // SIGN LEADING / SEPARATE: text with the sign's byte, reported.
    let pic = pic::parse("S9(5)").unwrap();
    for (sign, size) in [
        (
            Sign {
                leading: true,
                separate: false,
            },
            5,
        ),
        (
            Sign {
                leading: true,
                separate: true,
            },
            6,
        ),
        (
            Sign {
                leading: false,
                separate: true,
            },
            6,
        ),
    ] {
        let (e, notes) = pic::elem(Some(&pic), "S9(5)", &Usage::Display, Some(sign));
        assert_eq!(
            (e, notes[0].0),
            (item(Text, size, None, None), Severity::Guessed)
        );
    }
    let trailing = Sign::default();
    assert_eq!(
        pic::elem(Some(&pic), "S9(5)", &Usage::Display, Some(trailing)).0,
        item(Zoned, 5, Some(5), Some(0))
    );
}

#[test]
fn comments_sequence_and_identification_areas_are_not_code() {
    let text = fixed(&[
        "* a comment 01 X PIC X(99).",
        "/ a page eject comment",
        "D    05  DEBUG-ONLY PIC X(50).",
        " 01  REC.",
        "     05  A  PIC X(4).",
        "     05  B  PIC 9(2).   *> an inline comment PIC X(9)",
    ]);
    // Columns 73–80 (identification) on one line.
    let text = text.replacen(
        "     05  A  PIC X(4).\n",
        &format!("{:<65}KOJIN001\n", "     05  A  PIC X(4)."),
        1,
    );
    let imp = import_ok(&text);
    assert_eq!(
        shape(&imp),
        [
            ("A".to_string(), "text", 0, 4),
            ("B".to_string(), "digits", 4, 2)
        ]
    );
    assert!(imp.fully_understood(), "{:?}", imp.findings);
    assert_eq!(
        imp.origin,
        Origin::Copybook {
            free_format: false,
            record: "REC".into(),
            lines: (4, 6)
        }
    );
}

#[test]
fn continuation_lines_join_words_and_literals() {
    // A literal continued to column 72 and resumed after a quote; a word split.
    let first = format!("{:<65}", "         88  KANJI VALUE 'ABCDE");
    assert_eq!(first.chars().count(), 65);
    let text = format!(
        "{}000300 {first}\n000400-    'FGH'.\n000500     05  NUMB PIC 9(\n000600-        3).\n",
        fixed(&[" 01  REC.", "     05  KUBUN PIC X(80)."]),
    );
    let src = source::read(&text);
    let lit = src
        .tokens
        .iter()
        .find_map(|t| match &t.tok {
            Tok::Lit { text, .. } => Some((t.line, text.clone())),
            _ => None,
        })
        .unwrap();
    let want = format!(
        "ABCDE{}FGH",
        " ".repeat(65 - first.trim_end().chars().count())
    );
    assert_eq!(lit, (3, want));
    let imp = import_ok(&text);
    assert_eq!(
        shape(&imp),
        [
            ("KUBUN".to_string(), "code", 0, 80),
            ("NUMB".to_string(), "digits", 80, 3)
        ]
    );
    assert_eq!(imp.layout.fields[0].codes, [lit.1.trim_end()]);
}

#[test]
fn japanese_names_count_two_columns_and_keep_hyphens() {
    // 氏名－カナ is 5 characters, 10 columns (Shift_JIS bytes): the identification
    // area starts at column 73 counted that way.
    let line = format!("{:<53}", "     05  氏名-カナ  PIC N(20).");
    let cols: usize = line.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    let pad = " ".repeat(65 - cols);
    let text = format!(
        "{}000300 {line}{pad}ABCDEFGH\n",
        fixed(&[" 01  個人.", "     05  ＤＢＣＳ名 PIC X(2)."])
    );
    let imp = import_ok(&text);
    assert_eq!(
        shape(&imp),
        [
            ("ＤＢＣＳ名".to_string(), "text", 0, 2),
            ("氏名-カナ".to_string(), "text", 2, 40)
        ]
    );
    assert!(imp.layout.fields[1].dbcs);
    assert!(imp.fully_understood(), "{:?}", imp.findings);
}

#[test]
fn free_format_is_read_when_lines_cannot_be_fixed() {
    let text = "*> free format\n01 REC.\n  05 A PIC X(3). *> comment\n  05 B PIC S9(3) COMP-3.\n";
    let imp = import_ok(text);
    assert!(matches!(
        imp.origin,
        Origin::Copybook {
            free_format: true,
            ..
        }
    ));
    assert_eq!(
        shape(&imp),
        [
            ("A".to_string(), "text", 0, 3),
            ("B".to_string(), "packed", 3, 2)
        ]
    );
    // A directive says so too, and a line longer than 80 columns.
    let long = format!(
        ">>SOURCE FORMAT IS FREE\n       01 REC.\n           05 A PIC X(3).{}05 B PIC X.\n",
        " ".repeat(70)
    );
    assert_eq!(imp_names(&long), ["A", "B"]);
    // Sequence numbers make it fixed format, whatever is past column 72.
    let text = format!(
        "{}000300     05  B PIC X(2).{}B\n",
        fixed(&[" 01  REC.", "     05  A PIC X."]),
        " ".repeat(60)
    );
    assert_eq!(imp_names(&text), ["A", "B"]);
    // Tabs expand to multiples of 8: a fixed line may start with one.
    assert_eq!(imp_names("\t01 REC.\n\t    05 A PIC X.\n"), ["A"]);
    // A comment typed from column 1 is a comment in either format.
    for text in [
        "* comment\n       01 REC.\n* 05 NOT-ME PIC X.\n           05 A PIC X.\n",
        "*comment\n000100 01 REC.\n000200     05 A PIC X.\n",
        "* comment\n01 REC.\n  * 05 NOT-ME PIC X.\n  05 A PIC X.\n",
    ] {
        let got = super::import(text.as_bytes(), "t.cpy", &ImportOptions::default()).unwrap();
        assert_eq!(imp_names(text), ["A"], "{text}");
        assert!(got.fully_understood(), "{text}: {:?}", got.findings);
    }
}

fn imp_names(text: &str) -> Vec<String> {
    import_ok(text)
        .layout
        .fields
        .iter()
        .map(|f| f.name.clone())
        .collect()
}

#[test]
fn groups_occurs_filler_and_redefines() {
    let text = fixed(&[
        " 01  REC.",
        "     05  HEAD.",
        "         10  ID       PIC 9(4).",
        "         10  FILLER   PIC X(2).",
        "     05  ALT REDEFINES HEAD.",
        "         10  ALL-OF-IT PIC X(6).",
        "     05  TBL OCCURS 2 TIMES.",
        "         10  CODE     PIC X.",
        "         10  SUB OCCURS 3 INDEXED BY IX.",
        "             15  V    PIC 9.",
        "     05  PIC X(5).",
        "     05  LAST-ONE  PIC X.",
    ]);
    let imp = import_ok(&text);
    let got: Vec<(String, usize)> = shape(&imp).into_iter().map(|s| (s.0, s.2)).collect();
    let want: Vec<(&str, usize)> = vec![
        ("ID", 0),
        ("CODE_1", 6),
        ("V_1_1", 7),
        ("V_1_2", 8),
        ("V_1_3", 9),
        ("CODE_2", 10),
        ("V_2_1", 11),
        ("V_2_2", 12),
        ("V_2_3", 13),
        ("LAST-ONE", 19),
    ];
    let want: Vec<(String, usize)> = want.into_iter().map(|(n, o)| (n.into(), o)).collect();
    assert_eq!(got, want);
    assert_eq!(imp.layout.record_length, Some(20));
    assert_eq!(lines(&imp), [(5, Severity::Skipped)]);
    assert!(
        imp.findings[0].message.contains("2行目") && imp.findings[0].message.contains("5〜6行目"),
        "{}",
        imp.findings[0].message
    );
}

#[test]
fn level_88_values_become_codes() {
    let text = fixed(&[
        " 01  REC.",
        "     05  SEX     PIC X.",
        "         88  MALE   VALUE '1'.",
        "         88  FEMALE VALUE \"2\".",
        "     05  PREF    PIC 99.",
        "         88  OK  VALUES ARE 1 THRU 3, 47.",
        "         88  NONE VALUE ZERO.",
        "     05  KIND    PIC X(2).",
        "         88  K   VALUE 'A' 'B ' SPACE.",
        "     05  AMOUNT  PIC S9(5) COMP-3.",
        "         88  ZERO-AMOUNT VALUE 0.",
        "     05  ODD     PIC X.",
        "         88  HIGH VALUE HIGH-VALUE.",
        "         88  A    VALUE 'A'.",
    ]);
    let imp = import_ok(&text);
    let f = &imp.layout.fields;
    assert_eq!(
        (f[0].kind, f[0].codes.clone()),
        (FieldType::Code, vec!["1".to_string(), "2".into()])
    );
    assert_eq!(f[1].codes, ["01", "02", "03", "47", "00"]);
    assert_eq!(f[2].codes, ["A", "B"]);
    assert_eq!((f[3].kind, f[3].codes.len()), (FieldType::Packed, 0));
    assert_eq!((f[4].kind, f[4].codes.len()), (FieldType::Text, 0));
    let l = lines(&imp);
    assert!(l.contains(&(11, Severity::Info)), "88 on COMP-3: {l:?}");
    assert!(l.contains(&(13, Severity::Guessed)), "HIGH-VALUE: {l:?}");
    // The converter accepts the codes.
    crate::cleanse::Cleanser::new(&imp.layout).unwrap();
}

#[test]
fn reported_lines_have_their_numbers() {
    let text = fixed(&[
        " 01  REC.",                                       // 1
        "     05  A  PIC X(4) FOO.",                       // 2: unknown word (guessed)
        "     05  B  PIC 9(3)V.9.",                        // 3: editing (guessed)
        "     05  C  PIC S9(3) SIGN LEADING.",             // 4: sign leading (guessed)
        "     05  D  COMP-1.",                             // 5: float (skipped, gap 4)
        "     05  E  PIC Q(3).",                           // 6: bad PIC (skipped)
        "     05  F  PIC X OCCURS 1 TO 5 DEPENDING ON N.", // 7: ODO (guessed)
        " 66  R RENAMES A THRU B.",                        // 8: RENAMES (note)
        "     COPY OTHER.",                                // 9: COPY (skipped)
        "     MOVE A TO B.",                               // 10: not an entry (skipped)
        " 77  W  PIC X.",                                  // 11: 77 (note)
        " 01  REC2.",                                      // 12: another record (skipped)
        "     05  Z  PIC X.",
    ]);
    let imp = import_ok(&text);
    assert_eq!(
        lines(&imp),
        [
            (2, Severity::Guessed),
            (3, Severity::Guessed),
            (4, Severity::Guessed),
            (5, Severity::Skipped),
            (6, Severity::Skipped),
            (7, Severity::Guessed),
            (8, Severity::Info),
            (9, Severity::Skipped),
            (10, Severity::Skipped),
            (11, Severity::Info),
            (12, Severity::Skipped),
        ],
        "{:#?}",
        imp.findings
    );
    assert_eq!(
        shape(&imp),
        [
            ("A".to_string(), "text", 0, 4),
            ("B".to_string(), "text", 4, 5),
            ("C".to_string(), "text", 9, 3),
            ("F_1".to_string(), "text", 16, 1),
            ("F_2".to_string(), "text", 17, 1),
            ("F_3".to_string(), "text", 18, 1),
            ("F_4".to_string(), "text", 19, 1),
            ("F_5".to_string(), "text", 20, 1),
        ]
    );
    assert!(!imp.fully_understood());
    assert_eq!(
        imp.findings[0].to_string(),
        format!("line 2 「A」: guessed: {}", imp.findings[0].message)
    );
    // The layout file carries them as comments where the item is.
    assert!(imp.toml.contains("# guessed (line 2):"), "{}", imp.toml);
}

#[test]
fn a_missing_period_starts_the_next_entry() {
    let text = fixed(&[" 01  REC.", "     05  A  PIC X(4)", "     05  B  PIC X(2)."]);
    let imp = import_ok(&text);
    assert_eq!(imp_names(&text), ["A", "B"]);
    assert_eq!(lines(&imp), [(3, Severity::Guessed)]);
}

#[test]
fn a_copybook_below_level_01_is_the_record() {
    let text = fixed(&[
        "     05  A  PIC X(4).",
        "     05  B.",
        "         10  C PIC 9.",
    ]);
    let imp = import_ok(&text);
    assert_eq!(imp_names(&text), ["A", "C"]);
    assert_eq!(imp.layout.record_length, Some(5));
    assert_eq!(imp.layout.title, "t");
}

#[test]
fn repeated_names_are_qualified_by_their_groups() {
    let text = fixed(&[
        " 01  REC.",
        "     05  生年月日.",
        "         10  年 PIC 9(4).",
        "         10  月 PIC 99.",
        "     05  異動日.",
        "         10  年 PIC 9(4).",
        "         10  月 PIC 99.",
        "     05  月 PIC 99.",
    ]);
    assert_eq!(
        imp_names(&text),
        [
            "年 OF 生年月日",
            "月 OF 生年月日",
            "年 OF 異動日",
            "月 OF 異動日",
            "月 OF REC",
        ]
    );
    // Groups of the same names do not tell them apart: numbered.
    let text = fixed(&[
        " 01  REC.",
        "     05  G.",
        "         10  X PIC X.",
        "     05  G.",
        "         10  X PIC X.",
    ]);
    assert_eq!(imp_names(&text), ["X", "X（2）"]);
}

#[test]
fn group_usage_applies_to_its_items_and_personal_numbers_are_sensitive() {
    let text = fixed(&[
        " 01  REC.",
        "     05  AMOUNTS COMP-3.",
        "         10  A PIC S9(5).",
        "         10  B PIC S9(3).",
        "     05  個人番号 PIC 9(12).",
    ]);
    let imp = import_ok(&text);
    assert_eq!(
        shape(&imp),
        [
            ("A".to_string(), "packed", 0, 3),
            ("B".to_string(), "packed", 3, 2),
            ("個人番号".to_string(), "digits", 5, 12),
        ]
    );
    assert!(imp.layout.fields[2].sensitive);
}

#[test]
fn key_newline_and_name_come_from_the_options() {
    let text = fixed(&[
        " 01  REC.",
        "     05  宛名番号 PIC 9(15).",
        "     05  X PIC X.",
    ]);
    let opts = ImportOptions {
        key: Some("宛名番号".into()),
        newline: Some(true),
        name: Some("kojin".into()),
        ..ImportOptions::default()
    };
    let imp = import(text.as_bytes(), "t.cpy", &opts).unwrap();
    assert!(imp.layout.fields[0].key && imp.layout.newline);
    assert_eq!(imp.layout.name, "kojin");
    assert!(!imp.toml.contains("No item is the key"));
    let opts = ImportOptions {
        key: Some("なし".into()),
        ..ImportOptions::default()
    };
    let e = import(text.as_bytes(), "t.cpy", &opts).unwrap_err();
    assert!(e.contains("宛名番号, X"), "{e}");
    let opts = ImportOptions {
        sheet: Some("s".into()),
        ..ImportOptions::default()
    };
    assert!(import(text.as_bytes(), "t.cpy", &opts).is_err());
}

#[test]
fn shift_jis_copybooks_are_read() {
    let text = fixed(&[" 01  個人.", "     05  氏名 PIC N(10)."]);
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let imp = import(&sjis, "t.cpy", &ImportOptions::default()).unwrap();
    assert_eq!(imp.layout.fields[0].name, "氏名");
    // "       01  REC." … in EBCDIC (card images without line ends).
    let ebcdic: Vec<u8> = format!("{:<80}{:<80}", "       01  REC.", "           05  A PIC X.")
        .bytes()
        .map(|b| match b {
            b' ' => 0x40,
            b'.' => 0x4B,
            b'0'..=b'9' => 0xF0 + (b - b'0'),
            b'A'..=b'I' => 0xC1 + (b - b'A'),
            b'J'..=b'R' => 0xD1 + (b - b'J'),
            _ => 0xE2,
        })
        .collect();
    let e = import(&ebcdic, "t.cpy", &ImportOptions::default()).unwrap_err();
    assert!(e.contains("EBCDIC"), "{e}");
}

#[test]
fn huge_counts_are_refused_not_wrapped() {
    for body in [
        "     05  A PIC X(1000000) OCCURS 2.",
        "     05  A OCCURS 99999999999. 10 B PIC X.",
        "     05  A OCCURS 18446744073709551615. 10 B PIC X OCCURS 18446744073709551615.",
        "     05  A PIC X OCCURS 20000.",
    ] {
        let text = fixed(&[" 01  REC.", body]);
        let e = import(text.as_bytes(), "t.cpy", &ImportOptions::default()).unwrap_err();
        assert!(e.contains("limit") || e.contains("items"), "{body}: {e}");
    }
    // FILLER tables cost nothing to walk, whatever their count (within the record).
    let text = fixed(&[
        " 01  REC.",
        "     05  FILLER OCCURS 1000. 10 FILLER PIC X OCCURS 1000.",
        "     05  A PIC X.",
    ]);
    assert_eq!(import_ok(&text).layout.fields[0].offset, Some(1_000_000));
}

#[test]
fn nothing_to_convert_is_an_error_naming_the_lines() {
    let text = fixed(&[
        " 01  REC.",
        "     05  FILLER PIC X(4).",
        "     05  A PIC Q.",
    ]);
    let e = import(text.as_bytes(), "t.cpy", &ImportOptions::default()).unwrap_err();
    assert!(e.contains("no item") && e.contains("line 3"), "{e}");
    let e = import(b"hello\n", "t.cpy", &ImportOptions::default()).unwrap_err();
    assert!(e.contains("no data description"), "{e}");
}

#[test]
fn copybooks_are_told_from_sheets() {
    let cb = fixed(&[" 01  REC.", "     05  A PIC X."]);
    assert!(is_copybook("x.cpy", b""));
    assert!(is_copybook("X.CBL", b""));
    assert!(is_copybook("x.cob", b""));
    assert!(is_copybook("x.txt", cb.as_bytes()));
    assert!(is_copybook("KOJIN", cb.as_bytes()));
    assert!(!is_copybook("x.csv", cb.as_bytes()));
    assert!(!is_copybook(
        "x.txt",
        "項目名,型,桁数\n宛名番号,数字,15\n".as_bytes()
    ));
    assert!(!is_copybook("x.txt", b"01,A,PIC\n"));
    assert!(!is_copybook("x.xlsx", b"PK\x03\x04"));
}

#[test]
fn control_characters_never_break_the_layout_file() {
    let text = fixed(&[
        " 01  REC.",
        "     05  A\u{7} PIC X VALUE 'a\u{1}'.",
        "     05  B PIC X BAR\u{1}.",
    ]);
    let imp = import_ok(&text);
    assert_eq!(imp.layout.fields.len(), 2);
    assert_eq!(lines(&imp), [(3, Severity::Guessed)]);
    assert!(imp.toml.contains("BAR "), "{}", imp.toml);
}

#[test]
fn long_words_names_and_codes_stay_bounded() {
    // A name longer than any COBOL name is no name: the entry is a gap.
    let long = "N".repeat(MAX_NAME_CHARS + 1);
    let text = format!("01 REC.\n  05 {long} PIC X.\n  05 B PIC X.\n");
    let imp = import_ok(&text);
    assert_eq!(shape(&imp), [("B".to_string(), "text", 1, 1)]);
    assert_eq!(lines(&imp), [(2, Severity::Skipped)]);
    assert!(imp.findings[0].message.chars().count() < 200);
    // A word as long as the file is shown cut short in messages.
    let text = format!(
        "{}       05  C PIC X({}).\n",
        fixed(&[" 01  REC.", "     05  B PIC X."]),
        "9".repeat(5000)
    );
    let imp = super::import(text.as_bytes(), "t.txt", &ImportOptions::default()).unwrap();
    assert!(
        imp.findings.iter().all(|f| f.message.chars().count() < 300),
        "{:?}",
        imp.findings
    );
    // Codes of a long item, and codes repeated past the limit by OCCURS.
    let text = fixed(&[
        " 01  REC.",
        "     05  A PIC 9(200).",
        "         88  Z VALUE ZERO.",
    ]);
    let imp = import_ok(&text);
    assert_eq!(
        (imp.layout.fields[0].kind, lines(&imp)),
        (FieldType::Digits, vec![(3, Severity::Guessed)])
    );
    let text = fixed(&[
        " 01  REC.",
        "     05  T OCCURS 200.",
        "         10  A PIC 9(3).",
        "             88  OK VALUE 1 THRU 999.",
    ]);
    let e = super::import(text.as_bytes(), "t.cpy", &ImportOptions::default()).unwrap_err();
    assert!(e.contains("code values"), "{e}");
}
