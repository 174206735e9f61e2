//! Escaping and the fixed parts of the page (style, font check).

use std::fmt::Write;

/// Text for HTML element content and attribute values. Besides the five markup
/// characters, control and bidirectional-formatting characters are shown as
/// U+FFFD: a record value must never change how the page around it reads.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() || is_bidi_control(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
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
pub fn glyph(text: &str) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<span class="glyph">{}</span> <code class="cp">{}</code>"#,
        esc(text),
        esc(&crate::gaiji::code_points(text))
    );
    s
}

/// The page's head: title and style. Everything is inline: the page is opened
/// from a file on a machine without network access.
pub fn head(title: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ikou {version}">
<title>{title}</title>
<style>
@font-face {{ font-family: ikou-mj; src: local("IPAmj明朝"), local("IPAmjMincho"); }}
:root {{ color: #1a1a1a; background: #fff; }}
body {{ font-family: "IPAexGothic", "IPAGothic", "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif;
  margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.6; font-size: 15px; }}
h1 {{ font-size: 1.5rem; border-bottom: 3px solid #1d4f91; padding-bottom: .3rem; }}
h2 {{ font-size: 1.2rem; margin-top: 2rem; border-left: 6px solid #1d4f91; padding-left: .5rem; }}
h3 {{ font-size: 1.05rem; margin-top: 1.2rem; }}
table {{ border-collapse: collapse; margin: .5rem 0 1rem; }}
th, td {{ border: 1px solid #999; padding: .25rem .5rem; vertical-align: top; text-align: left; }}
th {{ background: #e8eef7; font-weight: bold; }}
tbody tr:nth-child(even) td {{ background: #f6f8fb; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
code, .hash {{ font-family: "DejaVu Sans Mono", "Noto Sans Mono", Consolas, monospace; font-size: .85em; }}
.hash {{ word-break: break-all; }}
.glyph {{ font-family: ikou-mj, "IPAmjMincho", "IPAmj明朝", "IPAexMincho", "IPAMincho", "Noto Serif CJK JP", serif;
  font-size: 2.2rem; line-height: 1.2; }}
.cp {{ color: #333; white-space: nowrap; }}
.note {{ color: #444; font-size: .9em; }}
.ok {{ border: 2px solid #2e7d32; background: #edf7ee; padding: .5rem 1rem; }}
.warn {{ border: 2px solid #b26a00; background: #fff4e0; padding: .5rem 1rem; }}
.bad {{ color: #b00020; font-weight: bold; }}
.records {{ max-width: 30rem; }}
@media print {{ body {{ max-width: none; margin: 0; font-size: 11px; }} h2 {{ break-after: avoid; }} tr {{ break-inside: avoid; }} }}
</style>
</head>
"#,
        version = env!("CARGO_PKG_VERSION"),
        title = esc(title),
    )
}

/// Shows the warning `#font-missing` when IPAmj明朝 is not installed, and records
/// the result on the root element (`data-mj-font="ok|missing"`). Without script
/// the page still works: the code points stand beside every glyph.
pub const FONT_CHECK: &str = r#"<script>
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
    fn escaping_neutralises_markup_and_controls() {
        assert_eq!(
            esc(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("a\u{202E}b\u{0}c\nd"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d");
        assert_eq!(
            esc("葛\u{E0102}"),
            "葛\u{E0102}",
            "variation selectors stay"
        );
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
            glyph("葛\u{E0102}"),
            "<span class=\"glyph\">葛\u{E0102}</span> <code class=\"cp\">U+845B U+E0102</code>"
        );
    }
}
