//! The report kit: what every HTML page ikou writes shares (report.html now;
//! reconcile, batch roll-up and identify review later).
//!
//! - Markup from [`maud`]: HTML checked when ikou is compiled, nothing read at
//!   run time, every `(value)` escaped.
//! - [`t`]: text that comes from data or files (keys, paths, names). Besides
//!   escaping, control and bidirectional-formatting characters become U+FFFD, so
//!   a value never changes how the page around it reads.
//! - [`glyph`]: a character in the MJ font with its code points beside it.
//! - [`bar_chart`]: a small inline SVG bar chart (no script, nothing loaded).
//! - [`Page`]: the chrome: head and stylesheet (with print rules that put the run
//!   id and page numbers on every printed page), title, run id, table of
//!   contents built from the sections (so every entry has its target), the
//!   missing-font warning and, when asked, the sign-off block (確認欄).
//!
//! A page is a list of [`Section`]s handed to [`Page::render`]; see
//! docs/notes/h-report.md.

use maud::Render;
pub use maud::{Markup, PreEscaped, html};
use std::borrow::Cow;

/// Text from data or files, for element content and attribute values.
pub struct Text<'a>(Cow<'a, str>);

/// Marks `s` as text from data or files: see [`Text`].
pub fn t<'a>(s: impl Into<Cow<'a, str>>) -> Text<'a> {
    Text(s.into())
}

impl Render for Text<'_> {
    fn render_to(&self, buf: &mut String) {
        neutralised(&self.0).render_to(buf);
    }
}

/// `s` with control and bidirectional-formatting characters as U+FFFD.
fn neutralised(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_neutralised) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if is_neutralised(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

fn is_neutralised(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `1,234,567`.
pub fn num(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A glyph in the MJ font with its code points beside it, so that a missing font
/// never hides what was written.
pub fn glyph(text: &str) -> Markup {
    html! {
        span class="glyph" { (t(text)) } " " code class="cp" { (crate::gaiji::code_points(text)) }
    }
}

/// One section of a page: its anchor, its heading (also its entry in the table of
/// contents) and its content.
pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub body: Markup,
}

/// A whole page.
pub struct Page<'a> {
    /// `<title>` and the heading.
    pub title: &'a str,
    /// What the page is about, under the heading (e.g. the layout).
    pub subtitle: Markup,
    /// The run identifier ([`super::run_id`]): shown under the heading and at the
    /// foot of every printed page. Hex digits only.
    pub run_id: &'a str,
    pub sections: Vec<Section>,
    /// Ends the page with the sign-off block (確認欄), listed in the contents.
    pub sign_off: bool,
}

impl Page<'_> {
    /// The page as written: a self-contained HTML document ending with a newline.
    pub fn render(self) -> String {
        // The run id goes into a CSS string: only hex digits may.
        let run_id: String = self
            .run_id
            .chars()
            .filter(char::is_ascii_hexdigit)
            .collect();
        let print = format!(
            "@page {{ size: A4; margin: 14mm 12mm 16mm; \
             @bottom-center {{ content: \"実行ID {run_id}　\" counter(page) \" / \" counter(pages); \
             font-size: 8pt; color: #444; }} }}\n"
        );
        let mut sections = self.sections;
        if self.sign_off {
            sections.push(sign_off());
        }
        let page = html! {
            (maud::DOCTYPE)
            html lang="ja" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="generator" content=(concat!("ikou ", env!("CARGO_PKG_VERSION")));
                    meta name="ikou-run-id" content=(run_id);
                    title { (t(self.title)) }
                    style { (PreEscaped(STYLE)) (PreEscaped(print)) }
                }
                body {
                    header id="top" {
                        h1 { (t(self.title)) }
                        (self.subtitle)
                        p class="run-id" {
                            "実行ID " code { (run_id) }
                            span class="note" { "（入力ファイル・使用した表・変換の指定から決まる識別子。印刷すると各ページの下にページ番号とともに入ります）" }
                        }
                    }
                    (font_missing())
                    nav id="toc" {
                        h2 { "目次" }
                        ol {
                            @for s in &sections {
                                li { a href={ "#" (s.id) } { (t(s.title.as_str())) } }
                            }
                        }
                    }
                    @for s in &sections {
                        section id=(s.id) {
                            h2 { (t(s.title.as_str())) }
                            (s.body)
                        }
                    }
                    (PreEscaped(FONT_CHECK))
                }
            }
        };
        let mut s = page.into_string();
        s.push('\n');
        s
    }
}

/// The sign-off block: boxes filled in by hand on the printed page.
fn sign_off() -> Section {
    Section {
        id: "signoff",
        title: "確認欄".into(),
        body: html! {
            p class="note" { "この報告書の内容を確認した方が、印刷したものに記入してください。" }
            table id="signoff-table" class="signoff" {
                tbody {
                    tr { th { "確認者（所属・氏名）" } td class="box" {} th { "印" } td class="seal" {} }
                    tr { th { "確認日" } td class="box" colspan="3" { "　　　　年　　　月　　　日" } }
                    tr { th { "確認内容・備考" } td class="box tall" colspan="3" {} }
                }
            }
        },
    }
}

/// Where to get IPAmj明朝.
pub const FONT_INSTALL: &str = "Windows では、文字情報基盤（IPA）の公式配布から IPAmj明朝 フォント（ipamjm.ttf）を入手し、\
     ファイルを右クリックして「インストール」を選んでください。Debian・Ubuntu では fonts-ipamj-mincho パッケージです。";

/// The warning the font check shows when IPAmj明朝 is missing (hidden otherwise,
/// and without script: the code points beside every glyph still say what it is).
fn font_missing() -> Markup {
    html! {
        p id="font-missing" class="warn" hidden {
            "この端末には IPAmj明朝 がないため、字形が正しく表示されていません。字形の右のコードポイント（U+…）で確認するか、IPAmj明朝 をインストールしてください。"
            (FONT_INSTALL)
        }
    }
}

/// One bar of [`bar_chart`].
pub struct Bar {
    pub label: String,
    pub count: u64,
    /// CSS class of the bar: `ok`, `bad`, `map` or `unmapped`.
    pub class: &'static str,
}

/// Horizontal bars in groups (each group scaled to its own largest bar), as inline
/// SVG: labels left, count right of each bar. Integer geometry, so the markup is
/// the same on every run.
pub fn bar_chart(id: &str, caption: &str, groups: &[(&str, Vec<Bar>)]) -> Markup {
    const ROW: u64 = 26;
    const LABEL: u64 = 270;
    const BAR: u64 = 280;
    const WIDTH: u64 = LABEL + BAR + 90;
    // Each line of the chart: its baseline, then what is on it.
    enum Line<'a> {
        Heading(&'a str),
        Bar(&'a Bar, u64),
    }
    let mut lines = Vec::new();
    for (heading, bars) in groups {
        lines.push(Line::Heading(heading));
        let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1);
        for b in bars {
            // At least a pixel for any count above 0.
            let w = (u128::from(b.count) * u128::from(BAR) / u128::from(max)) as u64;
            lines.push(Line::Bar(b, w.max(u64::from(b.count > 0))));
        }
    }
    let height = lines.len() as u64 * ROW + 6;
    html! {
        figure class="chart" {
            svg id=(id) viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height) role="img" aria-label=(caption) {
                title { (t(caption)) }
                @for (i, line) in lines.iter().enumerate() {
                    @let y = (i as u64 + 1) * ROW;
                    @match line {
                        Line::Heading(h) => { text class="group" x="0" y=(y - 8) { (t(*h)) } }
                        Line::Bar(b, w) => {
                            text x=(LABEL - 8) y=(y - 8) text-anchor="end" { (t(b.label.as_str())) }
                            rect class={ "bar " (b.class) } x=(LABEL) y=(y - ROW + 4) width=(w) height=(ROW - 8) {}
                            text class="count" x=(LABEL + w + 6) y=(y - 8) { (num(b.count)) }
                        }
                    }
                }
            }
            figcaption class="note" { (t(caption)) }
        }
    }
}

/// The stylesheet every page shares. Everything is inline: pages are opened from
/// a file on machines without network access.
const STYLE: &str = r#"
@font-face { font-family: ikou-mj; src: local("IPAmj明朝"), local("IPAmjMincho"); }
:root { color: #1a1a1a; background: #fff; }
body { font-family: "IPAexGothic", "IPAGothic", "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif;
  margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.6; font-size: 15px; }
h1 { font-size: 1.5rem; border-bottom: 3px solid #1d4f91; padding-bottom: .3rem; margin-bottom: .3rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-left: 6px solid #1d4f91; padding-left: .5rem; }
h3 { font-size: 1.05rem; margin-top: 1.2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #999; padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { background: #e8eef7; font-weight: bold; }
tbody tr:nth-child(even) td { background: #f6f8fb; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, .hash { font-family: "DejaVu Sans Mono", "Noto Sans Mono", Consolas, monospace; font-size: .85em; }
.hash { word-break: break-all; }
.glyph { font-family: ikou-mj, "IPAmjMincho", "IPAmj明朝", "IPAexMincho", "IPAMincho", "Noto Serif CJK JP", serif;
  font-size: 2.2rem; line-height: 1.2; }
.cp { color: #333; white-space: nowrap; }
.note { color: #444; font-size: .9em; }
.ok { border: 2px solid #2e7d32; background: #edf7ee; padding: .5rem 1rem; }
.warn { border: 2px solid #b26a00; background: #fff4e0; padding: .5rem 1rem; }
.bad { color: #b00020; font-weight: bold; }
.run-id { margin: 0 0 1rem; }
#toc ol { columns: 2; margin: .3rem 0 1rem; }
.chart { margin: .5rem 0 1rem; }
.chart svg { max-width: 100%; height: auto; font-size: 13px; }
.chart text { fill: #1a1a1a; }
.chart text.group { font-weight: bold; }
.chart .bar.ok { fill: #2e7d32; }
.chart .bar.bad { fill: #b00020; }
.chart .bar.map { fill: #1d4f91; }
.chart .bar.unmapped { fill: #b26a00; }
table.signoff { width: 100%; max-width: 48rem; }
table.signoff th { width: 11rem; }
table.signoff td.box { height: 2.6rem; }
table.signoff td.tall { height: 6rem; }
table.signoff td.seal { width: 4rem; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5px; }
  h2 { break-after: avoid; }
  tr, figure, .signoff { break-inside: avoid; }
  #signoff { break-inside: avoid; }
  #toc ol { columns: 3; }
  a { color: inherit; text-decoration: none; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"#;

/// Shows the warning `#font-missing` when IPAmj明朝 is not installed, and records
/// the result on the root element (`data-mj-font="ok|missing"`). Without script
/// the page still works: the code points stand beside every glyph.
const FONT_CHECK: &str = r#"<script>
(function () {
  var root = document.documentElement, warn = document.getElementById("font-missing");
  function missing() { root.setAttribute("data-mj-font", "missing"); if (warn) { warn.hidden = false; } }
  if (!document.fonts || !document.fonts.load) { return; }
  document.fonts.load("16px ikou-mj", "\u845B").then(function (faces) {
    if (faces.length) { root.setAttribute("data-mj-font", "ok"); } else { missing(); }
  }, missing);
})();
</script>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_neutralises_markup_and_controls() {
        let r = |s: &str| html! { (t(s)) }.into_string();
        assert_eq!(
            r(r#"<a href="x">&</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(
            r("a\u{202E}b\u{0}c\nd\u{2066}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}"
        );
        assert_eq!(r("葛\u{E0102}"), "葛\u{E0102}", "variation selectors stay");
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1000), "1,000");
        assert_eq!(num(1234567), "1,234,567");
    }

    #[test]
    fn glyphs_carry_their_code_points() {
        assert_eq!(
            glyph("葛\u{E0102}").into_string(),
            "<span class=\"glyph\">葛\u{E0102}</span> <code class=\"cp\">U+845B U+E0102</code>"
        );
    }

    #[test]
    fn a_page_lists_its_sections_and_puts_the_run_id_on_printed_pages() {
        let page = Page {
            title: "<t>",
            subtitle: html! {},
            run_id: "0123abcd\"}",
            sections: vec![Section {
                id: "a",
                title: "A".into(),
                body: html! { p { "x" } },
            }],
            sign_off: true,
        }
        .render();
        assert!(page.contains("<title>&lt;t&gt;</title>"));
        assert!(page.contains(r##"<a href="#a">A</a>"##) && page.contains(r#"<section id="a">"#));
        assert!(page.contains(r##"<a href="#signoff">確認欄</a>"##));
        assert!(
            page.contains(r#"content: "実行ID 0123abcd　" counter(page) " / " counter(pages);"#),
            "only hex digits reach the CSS"
        );
    }

    #[test]
    fn bars_scale_to_the_largest_of_their_group() {
        let chart = bar_chart(
            "c",
            "図",
            &[(
                "g",
                vec![
                    Bar {
                        label: "a".into(),
                        count: 10,
                        class: "ok",
                    },
                    Bar {
                        label: "b".into(),
                        count: 5,
                        class: "bad",
                    },
                    Bar {
                        label: "z".into(),
                        count: 0,
                        class: "bad",
                    },
                ],
            )],
        )
        .into_string();
        assert!(chart.contains(r#"width="280" height="18""#), "{chart}");
        assert!(chart.contains(r#"width="140" height="18""#), "{chart}");
        assert!(chart.contains(r#"width="0" height="18""#), "{chart}");
    }
}
