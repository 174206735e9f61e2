//! `identify --html`: the review page (文字同定 確認表). Each vendor 外字 as the
//! vendor drew it (an inline PNG image) beside its candidates drawn in IPAmj明朝
//! with what the MJ table says of them (MJ文字図形名, 総画数, 住基ネット統一文字コード,
//! 戸籍統一文字番号, the code points written), most confident first, so a clerk
//! confirms the proposal or picks another, on screen or on paper (a box per 外字
//! for the decision, and the sign-off block).
//!
//! 読み is not shown, and the page says so: no table ikou ships has it (MJ文字情報一覧表
//! has none), and a reading made up here would mislead the clerk who relies on it.

use super::rank::Candidate;
use super::ranked::{Identified, by_confidence, round};
use super::worklist::Accept;
use crate::report::kit::{self, Markup, Section, html, t};
use base64::Engine;
use sha2::{Digest, Sha256};

/// What the page is about.
pub struct Review<'a> {
    /// The vendor's font, BDF or directory, as given.
    pub font: &'a str,
    /// The reference font (IPAmj明朝), as found.
    pub reference: &'a str,
    /// The 外字 with their candidates (any order).
    pub glyphs: &'a [Identified],
    /// `--accept-above`, when given: which proposals the work list took.
    pub accept: Option<Accept>,
}

/// The page: a self-contained HTML document.
pub fn render(r: &Review<'_>) -> String {
    let mut list = r.glyphs.to_vec();
    by_confidence(&mut list);
    let run_id = run_id(r);
    let sections = vec![summary(r, &list), glyphs(&list, r.accept)];
    kit::Page {
        title: "文字同定 確認表（外字と MJ 候補）",
        subtitle: html! {
            p { "外字フォント: " code { (t(r.font)) } "　参照フォント: " code { (t(r.reference)) } }
        },
        run_id: &run_id,
        sections,
        sign_off: true,
    }
    .render()
}

/// 12 hex digits from the glyphs and their candidates: the same input gives the
/// same id on every printed page.
fn run_id(r: &Review<'_>) -> String {
    let mut h = Sha256::new();
    h.update(b"ikou identify 1\0");
    h.update(r.font.as_bytes());
    h.update(b"\0");
    for i in r.glyphs {
        h.update(i.code().to_string().as_bytes());
        h.update(b"\0");
        h.update(i.glyph.bitmap.width.to_le_bytes());
        h.update(&i.glyph.bitmap.pixels);
        for c in &i.candidates {
            h.update(c.name.as_bytes());
            h.update(round(c.score).to_le_bytes());
        }
    }
    crate::output::hex(&h.finalize())[..12].to_string()
}

fn summary(r: &Review<'_>, list: &[Identified]) -> Section {
    let accepted = r.accept.map(|a| {
        list.iter()
            .filter(|i| i.accepted(a.score, a.margin))
            .count()
    });
    Section {
        id: "summary",
        title: "概要".into(),
        body: html! {
            p {
                "外字 " strong { (kit::num(list.len() as u64)) } " 字について、字形の似ている MJ 文字図形を IPAmj明朝 から探しました。"
                "各外字の行で、左がベンダーの字形、右が候補（似ている順）です。"
            }
            ul {
                li { "スコア（0–100）: 字形の近さ。100 は同じ形。" }
                li { "差: 最良の候補と次の候補のスコアの差。差が小さいときは、よく似た字形（異体字など）が複数あります。字形を見比べてください。" }
                li { "候補の下の数字: 総画数（MJ文字情報一覧表の値）、住基ネット統一文字コード（J+）、戸籍統一文字番号。" }
                li {
                    "読みは表示していません。ikou に組み込まれている MJ の表には読みがありません。"
                    "候補の符号と、変換でどう書かれるかは " code { "ikou mj MJ文字図形名" } " で確かめられます（"
                    code { "ikou mj" } " は MJ文字図形名・住基・戸籍の番号・文字で引くもので、読みや部首からは引けません）。"
                    "字形が候補にないときは、読みや部首で引ける検索（デジタル庁の同定支援ツールなど）を使ってください。"
                }
            }
            @if let (Some(a), Some(n)) = (r.accept, accepted) {
                p class="warn" {
                    "作業リストでは、スコア " (round(a.score)) " 以上で差が " (round(a.margin)) " 以上の "
                    strong { (n) } " 字に、最良の候補を自動で記入しました（表の「自動」）。この表で確認してください。"
                }
            }
        },
    }
}

fn glyphs(list: &[Identified], accept: Option<Accept>) -> Section {
    let img = base64::engine::general_purpose::STANDARD;
    Section {
        id: "glyphs",
        title: "外字と候補".into(),
        body: html! {
            table id="identify-table" {
                thead {
                    tr { th { "外字コード" } th { "外字の字形" } th { "候補（似ている順）" } th { "決定" } }
                }
                tbody {
                    @for i in list {
                        @let png = super::source::png::encode(&i.glyph.bitmap);
                        tr id={ "g-" (i.code().to_string()) } {
                            td { code { (i.code().to_string()) } }
                            td {
                                img alt={ (i.code().to_string()) " の字形" }
                                    src={ "data:image/png;base64," (img.encode(&png)) }
                                    style="width:4.5rem;height:4.5rem;image-rendering:pixelated;border:1px solid #999;background:#fff";
                                br;
                                span class="note" { "差 " (format!("{:.1}", round(i.margin()))) }
                                @if accept.is_some_and(|a| i.accepted(a.score, a.margin)) {
                                    " " strong { "自動" }
                                }
                            }
                            td {
                                @if i.candidates.is_empty() { "候補なし" }
                                @for (n, c) in i.candidates.iter().enumerate() {
                                    (candidate(n + 1, c))
                                }
                            }
                            td style="min-width:7rem" {}
                        }
                    }
                }
            }
        },
    }
}

/// One candidate: its glyph in IPAmj明朝 and what the MJ table says of it.
fn candidate(rank: usize, c: &Candidate) -> Markup {
    let g = c
        .name
        .strip_prefix("MJ")
        .and_then(|d| d.parse::<u32>().ok())
        .and_then(|n| crate::mj::db().glyph(n));
    // What ikou writes for the glyph (with its Moji_Joho IVS), so the browser draws
    // exactly this MJ shape.
    let text = g.as_ref().and_then(|g| {
        g.ivs
            .map(|v| v.to_string())
            .or_else(|| g.implemented.map(String::from))
    });
    html! {
        div style="display:inline-block;vertical-align:top;margin:0 .8rem .4rem 0;min-width:8.5rem" {
            span class="note" { (rank) ". " } strong { (t(c.name.as_str())) } " " (format!("{:.1}", round(c.score))) br;
            @if let Some(text) = &text { (kit::glyph(text)) br; }
            @if let Some(g) = &g {
                span class="note" {
                    @if let Some(n) = g.strokes { (n) "画 " }
                    @if let Some(j) = g.juki { "J+" (format!("{j:04X}")) " " }
                    @if let Some(k) = g.koseki { "戸籍 " (format!("{k:06}")) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::ranked::tests::found;

    #[test]
    fn the_page_shows_each_glyph_with_its_candidates_most_confident_first() {
        let list = [
            found('\u{E001}', &[("MJ000002", 40.0)]),
            found('\u{E000}', &[("MJ000001", 98.0), ("MJ000002", 80.0)]),
        ];
        let page = render(&Review {
            font: "<v>.ttf",
            reference: "/r/ipamjm.ttf",
            glyphs: &list,
            accept: Some(Accept {
                score: 95.0,
                margin: 5.0,
            }),
        });
        let a = page.find("id=\"g-U+E000\"").unwrap();
        let b = page.find("id=\"g-U+E001\"").unwrap();
        assert!(a < b, "most confident first");
        assert!(page.contains("data:image/png;base64,"));
        assert!(page.contains("&lt;v&gt;.ttf"), "names are escaped");
        // MJ000001 is 々 with 住基 J+AD1D; MJ000002 is 〆 with 戸籍 001340.
        assert!(page.contains("<span class=\"glyph\">々</span>"), "{page}");
        assert!(page.contains("J+AD1D") && page.contains("戸籍 001340"));
        // 総画数 from MJ文字情報一覧表: 々 3, 〆 2.
        assert!(page.contains("3画 J+AD1D"), "{page}");
        assert!(page.contains("2画 戸籍 001340"), "{page}");
        // No reading is made up: the page says the tables have none.
        assert!(page.contains("読みは表示していません"));
        assert!(page.contains("自動"));
        assert!(page.contains("確認欄"), "printable with the sign-off block");
    }
}
