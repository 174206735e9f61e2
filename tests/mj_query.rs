//! `ikou mj QUERY` text (ikou::mj::query::describe).

use ikou::mj::query::{ACCEPTED_FORMS, QueryError, describe, describe_json, split_queries};

#[test]
fn every_form_of_a_glyph_gives_the_same_description() {
    let forms = [
        "MJ030195",
        "J+AF73",
        "j+af73",
        "mj030195",
        "061560",
        "KOSEKI:061560",
        "U+585A U+E0106",
        "u+585a  U+E0106",
        "\u{585A}\u{E0106}",
        " MJ030195 ",
        "ＭＪ０３０１９５",
        "Ｊ＋ＡＦ７３",
        "ｊ＋ａｆ７３",
        "０６１５６０",
        "koseki:061560",
        "ＫＯＳＥＫＩ：０６１５６０",
        "Ｕ＋５８５Ａ　Ｕ＋Ｅ０１０６",
        "\u{3000}MJ030195\u{3000}",
    ];
    let first = describe(forms[0]).unwrap();
    for f in &forms[1..] {
        assert_eq!(describe(f).as_ref(), Ok(&first), "{f:?}");
    }
    for needle in [
        "MJ030195 \u{585A}\u{E0106}",
        "対応するUCS: U+585A 塚",
        "実装したUCS: なし",
        "IVS (Moji_Joho): U+585A U+E0106",
        "住基ネット統一文字コード: J+AF73",
        "戸籍統一文字番号: 061560",
        "JIS X 0213 (面-区-点): 1-15-55（この位置に包摂される字形",
        "対応する互換漢字: U+FA10",
        "--ivs keep で書く文字: \u{585A}\u{E0106} (U+585A U+E0106)、Moji_Joho IVS",
        "--ivs never で書く文字: \u{FA10} (U+FA10)、表: JIS包摂規準UCS統合規則、JIS X 0213 1-15-55（JIS X 0208 外: Shift_JIS-2004 が必要）",
        "縮退候補 (MJ縮退マップ、ikou の優先順):",
        "1. \u{FA10} U+FA10 1-15-55 JIS包摂規準UCS統合規則",
        "3. 塚 U+585A 1-36-45 戸籍統一文字情報_親字正字 ホップ数 2",
    ] {
        assert!(first.contains(needle), "missing {needle:?} in\n{first}");
    }
}

#[test]
fn a_character_lists_every_glyph_it_may_stand_for() {
    // U+FA10: implemented by MJ030194, the 対応する互換漢字 of MJ030194 and MJ030195.
    let text = describe("\u{FA10}").unwrap();
    assert!(
        text.starts_with("「\u{FA10}」(U+FA10) に該当する MJ 文字図形: 2 件"),
        "{text}"
    );
    let a = text.find("MJ030194 ").unwrap();
    let b = text.find("MJ030195 ").unwrap();
    assert!(a < b);
    assert_eq!(describe("U+FA10"), Ok(text));
    // An IVS names one glyph only.
    let one = describe("U+585A U+E0105").unwrap();
    assert!(one.starts_with("MJ030194 "), "{one}");
    // A further IVD registration.
    let alt = describe("U+535A U+E010A").unwrap();
    assert!(alt.starts_with("MJ059399 "), "{alt}");
    assert!(
        alt.contains("IVS (IVD の別の登録): U+535A U+E010A"),
        "{alt}"
    );
}

#[test]
fn glyphs_without_a_code_point_say_what_is_written() {
    let sib = describe("MJ003719").unwrap();
    assert!(sib.contains("備考: MJ003718・MJ003719は"), "{sib}");
    assert!(
        sib.contains("備考が同一字形とする MJ003718 の文字"),
        "{sib}"
    );
    let gone = describe("MJ037229").unwrap();
    assert!(gone.contains("--ivs keep で書く文字: 書けません"), "{gone}");
    assert!(
        gone.contains("--ivs never で書く文字: 書けません"),
        "{gone}"
    );
    assert!(gone.contains("縮退候補 (MJ縮退マップ): なし"), "{gone}");
}

#[test]
fn errors_say_what_is_accepted() {
    for q in [
        "", "  ", "MJ12", "mj12", "J+6F2", "KOSEKI:1", "U+12", "U+110000", "漢字", "12345",
        "1234567",
    ] {
        match describe(q) {
            Err(e @ QueryError::Syntax { .. }) => {
                assert!(e.to_string().contains(ACCEPTED_FORMS), "{q:?}: {e}")
            }
            other => panic!("{q:?}: {other:?}"),
        }
    }
    for q in [
        "MJ000000",
        "J+0000",
        "999999",
        "U+E000",
        "a",
        "\u{6F22}\u{E01EF}",
    ] {
        match describe(q) {
            Err(e @ QueryError::NotFound { .. }) => {
                let msg = e.to_string();
                assert!(msg.contains("該当する MJ 文字図形はありません"), "{msg}");
                assert!(msg.contains(ACCEPTED_FORMS), "{msg}");
            }
            other => panic!("{q:?}: {other:?}"),
        }
    }
}

#[test]
fn each_argument_is_a_query_and_a_selector_joins_the_one_before() {
    assert_eq!(split_queries(&["髙", "﨑"]), ["髙", "﨑"]);
    assert_eq!(split_queries(&["U+845B", "U+E0100"]), ["U+845B U+E0100"]);
    assert_eq!(
        split_queries(&["u+845b", "Ｕ＋Ｅ０１００", "MJ000001"]),
        ["u+845b Ｕ＋Ｅ０１００", "MJ000001"]
    );
    assert_eq!(split_queries(&["葛", "\u{E0100}"]), ["葛\u{E0100}"]);
    assert_eq!(split_queries(&["U+845B U+E0100"]), ["U+845B U+E0100"]);
    assert_eq!(split_queries(&["U+845B", "U+9AD9"]), ["U+845B", "U+9AD9"]);
}

#[test]
fn a_compatibility_ideograph_is_looked_up_as_itself() {
    // NFKC would turn 﨑 (U+FA11) into 崎 (U+5D0E): the fold of notations must not.
    let text = describe("﨑").unwrap();
    assert!(text.starts_with("「﨑」(U+FA11)"), "{text}");
}

#[test]
fn json_has_the_codes_of_the_text() {
    let j = describe_json("j+af73").unwrap();
    assert_eq!(j["query"], "j+af73");
    let g = &j["glyphs"][0];
    assert_eq!(g["mj"], "MJ030195");
    assert_eq!(g["ivs"], "U+585A U+E0106");
    assert_eq!(g["compat"], "U+FA10");
    assert_eq!(g["x0213"], "1-15-55");
    assert_eq!(g["never"]["text"], "\u{FA10}");
    assert_eq!(g["never"]["table"], "JIS包摂規準UCS統合規則");
    assert_eq!(g["candidates"][0]["ucs"], "U+FA10");
    assert!(matches!(
        describe_json("MJ999999"),
        Err(QueryError::NotFound { .. })
    ));
}
