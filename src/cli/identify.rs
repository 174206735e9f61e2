//! `ikou identify`.

use ikou::identify::index::{GlyphInfo, Index, Origin};
use ikou::identify::ranked::{Identified, round, to_json};
use ikou::identify::source::{self, Codes};
use ikou::identify::worklist::Accept;
use ikou::identify::{Candidate, page, worklist};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Rank MJ candidates for each vendor 外字 from its glyph (文字同定).
///
/// Reads the vendor's 外字 glyphs (a TrueType/OpenType/EUDC font with glyphs at
/// private-use code points, a BDF bitmap font, or a directory of PNG images named
/// by code: U+E000.png, E000.png, 0xF040.png) and ranks the MJ glyphs of IPAmj明朝
/// by shape similarity: a score 0–100 and the margin to the next candidate. Prints
/// a table (or JSON with --json); --worklist writes a 外字 table skeleton with the
/// candidates as notes, --html a review page to confirm them. The reference index
/// is built from the font on first use (about a minute) and cached in
/// $XDG_CACHE_HOME/ikou (~/.cache/ikou); nothing is downloaded.
///
/// Exit status: 0 done; 2 usage or configuration error (bad flag, no reference
/// font, an output that exists); 1 I/O error or an unreadable vendor font.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  ikou identify --font EUDC.TTE --codes U+E000-U+E0FF --worklist worklist.tsv --html review.html"
)]
pub struct Args {
    /// The vendor's 外字: a TrueType/OpenType font (.ttf, .otf, EUDC .tte), a BDF
    /// font (.bdf), or a directory of PNG files named by code.
    #[arg(long, value_name = "FONT|DIR")]
    font: PathBuf,
    /// Which codes to identify: U+E000-U+E0FF, 0xF040-0xF0FC (a BDF's own codes),
    /// single codes, comma-separated. Default: every private-use code point and
    /// every BDF code.
    #[arg(long, value_name = "RANGE", value_parser = parse_codes)]
    codes: Option<Codes>,
    /// IPAmj明朝 (ipamjm.ttf). Default: found through fontconfig, else
    /// /usr/share/fonts/truetype/ipamj/ipamjm.ttf.
    #[arg(long, value_name = "PATH")]
    reference: Option<PathBuf>,
    /// 行政事務標準文字 extension table (GJ000001…): with --ext-font, its glyphs are
    /// candidates too.
    #[arg(long = "charset-ext", value_name = "TSV", requires = "ext_font")]
    charset_ext: Vec<PathBuf>,
    /// A font that draws the extension table's characters at their code points.
    #[arg(long, value_name = "FONT", requires = "charset_ext")]
    ext_font: Option<PathBuf>,
    /// Candidates per 外字 (1–100).
    #[arg(long, value_name = "N", default_value = "10", value_parser = clap::value_parser!(u16).range(1..=100))]
    top: u16,
    /// Write a 外字 table skeleton (as profile --worklist): one line per 外字, target
    /// empty, the best candidates in the note. Never replaces an existing file.
    #[arg(long, value_name = "FILE")]
    worklist: Option<PathBuf>,
    /// With --worklist: write the best candidate as the target when its score is
    /// at least S and it leads the next by at least --accept-margin.
    #[arg(long, value_name = "S", requires = "worklist", value_parser = parse_score)]
    accept_above: Option<f32>,
    /// With --accept-above: the lead over the next candidate a filled target needs
    /// (a small lead means near-identical MJ glyphs: a person should choose). With
    /// the default 2, `--accept-above 95` was right in ≥ 99% of the benchmark glyphs.
    #[arg(long, value_name = "M", default_value = "2", requires = "accept_above", value_parser = parse_score)]
    accept_margin: f32,
    /// Write the review page (HTML, self-contained, printable) to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Print {"glyphs": [{"code", "candidates": [{"mj"|"gj", "score"}]}]} instead of the table.
    #[arg(long)]
    json: bool,
}

fn parse_codes(s: &str) -> Result<Codes, String> {
    Codes::parse(s)
}

/// A score or margin: 0–100.
fn parse_score(s: &str) -> Result<f32, String> {
    s.parse::<f32>()
        .ok()
        .filter(|v| (0.0..=100.0).contains(v))
        .ok_or_else(|| format!("{s:?}: a score from 0 to 100"))
}

pub fn run(a: Args) -> u8 {
    match identify(&a) {
        Ok(()) => 0,
        Err(e) => super::fail(&e),
    }
}

fn identify(a: &Args) -> Result<(), ikou::Error> {
    // Refusals first: they should not wait for the index.
    if let Some(w) = &a.worklist {
        check_new(
            w,
            "--worklist",
            "it never replaces a file: give a new name, or move the old work list away",
        )?;
    }
    if let Some(h) = &a.html {
        check_replaceable(h)?;
    }
    let ext = match &a.ext_font {
        Some(_) => Some(ikou::charset::ext::CharsetExt::read_all(&a.charset_ext)?),
        None => None,
    };
    let reference = match &a.reference {
        Some(p) => p.clone(),
        None => find_reference(&fontconfig_candidates()).ok_or_else(|| {
            ikou::Error::Config(format!(
                "no IPAmj明朝 font found (fontconfig, {DEBIAN_PATH}); install it (Debian/Ubuntu: apt install fonts-ipamj-mincho; \
                 elsewhere ipamjm.ttf from the 文字情報基盤 site) or give its path with --reference"
            ))
        })?,
    };
    let codes = a.codes.clone().unwrap_or_default();
    let found = source::read(&a.font, &codes)?;
    for n in &found.notes {
        eprintln!("ikou: {}: {n}", a.font.display());
    }
    let cache = cache_dir();
    let mj = load_index(
        &reference,
        cache.as_deref(),
        "mj",
        &ikou::identify::index::mj_name,
    )?;
    if mj.is_empty() {
        return Err(ikou::Error::Config(format!(
            "{}: no glyph named mj000001… in this font; --reference must be IPAmj明朝 (ipamjm.ttf)",
            reference.display()
        )));
    }
    let gj = match (&a.ext_font, &ext) {
        (Some(font), Some(ext)) => {
            // A GJ character is its plane 15/16 code point; those with a variation
            // selector are drawn through a sequence the cmap cannot name, so are left out.
            let by_char: std::collections::HashMap<char, String> = ext
                .entries()
                .iter()
                .filter_map(|e| {
                    let mut cs = e.text.chars();
                    match (cs.next(), cs.next()) {
                        (Some(c), None) => Some((c, e.name())),
                        _ => None,
                    }
                })
                .collect();
            // The cache holds names: it is kept apart for each table's naming, or a
            // changed table would be answered with the names of the old one.
            let kind = {
                use sha2::Digest;
                let mut pairs: Vec<(&char, &String)> = by_char.iter().collect();
                pairs.sort();
                let mut h = sha2::Sha256::new();
                for (c, n) in pairs {
                    h.update(format!("{}={n}\n", u32::from(*c)).as_bytes());
                }
                format!("gj{}", &ikou::output::hex(&h.finalize())[..16])
            };
            let name =
                move |g: &GlyphInfo<'_>| g.chars.iter().find_map(|c| by_char.get(c).cloned());
            let idx = load_index(font, cache.as_deref(), &kind, &name)?;
            if idx.is_empty() {
                eprintln!(
                    "ikou: {}: draws none of the --charset-ext characters at their code points; only MJ candidates are given",
                    font.display()
                );
            }
            Some(idx)
        }
        _ => None,
    };
    let top = usize::from(a.top);
    let list: Vec<Identified> = found
        .glyphs
        .into_par_iter()
        .map(|glyph| {
            let mut candidates = mj.rank(&glyph.bitmap, top);
            if let Some(gj) = &gj {
                candidates.extend(gj.rank(&glyph.bitmap, top));
                candidates.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.name.cmp(&y.name)));
                candidates.truncate(top);
            }
            Identified { glyph, candidates }
        })
        .collect();
    let font_shown = a.font.display().to_string();
    if let Some(path) = &a.worklist {
        let accept = a.accept_above.map(|score| Accept {
            score,
            margin: a.accept_margin,
        });
        let (text, filled) = worklist::worklist(&list, &font_shown, accept);
        ikou::output::write_new(path, text.as_bytes())
            .map_err(|e| write_error(path, "--worklist", e))?;
        let said = match accept {
            Some(acc) => format!(
                "; filled {filled} of {} targets (score ≥ {}, margin ≥ {}): check them too",
                list.len(),
                round(acc.score),
                round(acc.margin)
            ),
            None => String::new(),
        };
        eprintln!(
            "ikou: {}: work list of {} 外字 with candidates{said}; fill in the target column, then give it to convert --gaiji",
            path.display(),
            list.len()
        );
    }
    if let Some(path) = &a.html {
        let text = page::render(&page::Review {
            font: &font_shown,
            reference: &reference.display().to_string(),
            glyphs: &list,
            accept: a.accept_above.map(|score| Accept {
                score,
                margin: a.accept_margin,
            }),
        });
        ikou::output::write_atomic(path, text.as_bytes())
            .map_err(|e| write_error(path, "--html", e))?;
        eprintln!(
            "ikou: {}: review page of {} 外字",
            path.display(),
            list.len()
        );
    }
    let out = if a.json { to_json(&list) } else { table(&list) };
    match super::stdout::write(out.as_bytes()) {
        Ok(()) => Ok(()),
        // stdout closed (a pager quit): nothing more to say.
        Err(_) => Ok(()),
    }
}

/// The index of `font`, cached in `cache` when there is one, saying on stderr when
/// it has to be built (the first run takes a while).
fn load_index(
    font: &Path,
    cache: Option<&Path>,
    kind: &str,
    name: &(dyn Fn(&GlyphInfo<'_>) -> Option<String> + Sync),
) -> Result<Index, ikou::Error> {
    let idx = match cache {
        Some(dir) => Index::load_or_build_named(font, dir, kind, name)?,
        None => {
            let bytes = std::fs::read(font).map_err(ikou::Error::io(
                font,
                "check that the font exists and is readable",
            ))?;
            Index::build_named(&bytes, name)?
        }
    };
    match idx.origin() {
        Origin::Cached(_) => {}
        Origin::BuiltAndCached(p) => eprintln!(
            "ikou: built the reference index of {} ({} glyphs) and cached it in {}",
            font.display(),
            idx.len(),
            p.display()
        ),
        Origin::BuiltNotCached(why) => eprintln!(
            "ikou: built the reference index of {} ({} glyphs); it could not be cached ({why}), so the next run builds it again",
            font.display(),
            idx.len()
        ),
        Origin::Built => eprintln!(
            "ikou: built the reference index of {} (no cache directory: set XDG_CACHE_HOME or HOME to keep it)",
            font.display()
        ),
    }
    Ok(idx)
}

/// `$XDG_CACHE_HOME/ikou`, else `$HOME/.cache/ikou` (absolute paths only).
fn cache_dir() -> Option<PathBuf> {
    let abs = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    std::env::var_os("XDG_CACHE_HOME")
        .and_then(abs)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(abs)
                .map(|h| h.join(".cache"))
        })
        .map(|d| d.join("ikou"))
}

const DEBIAN_PATH: &str = "/usr/share/fonts/truetype/ipamj/ipamjm.ttf";

/// Paths fontconfig gives for IPAmj明朝 (none when fontconfig is not installed),
/// then the Debian path.
fn fontconfig_candidates() -> Vec<PathBuf> {
    let run = |args: &[&str]| -> Vec<String> {
        std::process::Command::new(args[0])
            .args(&args[1..])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    // fc-match always answers with some font: keep its answer only when the family is IPAmj.
    for line in run(&["fc-match", "-f", "%{family}\t%{file}\n", "IPAmjMincho"]) {
        if let Some((family, file)) = line.split_once('\t')
            && family.contains("IPAmj")
        {
            out.push(PathBuf::from(file));
        }
    }
    out.extend(
        run(&["fc-list", ":family=IPAmjMincho", "file"])
            .iter()
            .map(|l| PathBuf::from(l.trim_end().trim_end_matches(':'))),
    );
    out.push(PathBuf::from(DEBIAN_PATH));
    out
}

/// The first candidate that is a readable file.
fn find_reference(candidates: &[PathBuf]) -> Option<PathBuf> {
    candidates.iter().find(|p| p.is_file()).cloned()
}

/// Err (exit 2) when anything is at `path` already.
fn check_new(path: &Path, flag: &str, what_to_do: &str) -> Result<(), ikou::Error> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(ikou::Error::Config(format!(
            "{flag} {}: exists; {what_to_do}",
            path.display()
        )));
    }
    Ok(())
}

/// Err (exit 2) when `path` is a link or something other than a regular file.
fn check_replaceable(path: &Path) -> Result<(), ikou::Error> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(ikou::Error::Config(format!(
            "--html {}: is a symbolic link; ikou does not write through links it did not make. Give the file's real path",
            path.display()
        ))),
        Ok(m) if !m.is_file() => Err(ikou::Error::Config(format!(
            "--html {}: exists and is not a regular file",
            path.display()
        ))),
        _ => Ok(()),
    }
}

fn write_error(path: &Path, flag: &str, e: std::io::Error) -> ikou::Error {
    if e.kind() == std::io::ErrorKind::AlreadyExists {
        return ikou::Error::Config(format!(
            "{flag} {}: appeared while ikou ran; nothing was written over it",
            path.display()
        ));
    }
    ikou::Error::Io {
        path: path.to_path_buf(),
        source: e,
        hint: "check that the directory exists and is writable",
    }
}

/// The table on stdout: each 外字 with its best candidate, score, margin and the next ones.
fn table(list: &[Identified]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "code\tbest\tscore\tmargin\tnext");
    for i in list {
        let (best, score) = match i.best() {
            Some(Candidate { name, score }) => (name.as_str(), format!("{:.1}", round(*score))),
            None => ("-", "-".into()),
        };
        let next: Vec<String> = i
            .candidates
            .iter()
            .skip(1)
            .take(4)
            .map(|c| format!("{} {:.1}", c.name, round(c.score)))
            .collect();
        let _ = writeln!(
            out,
            "{}\t{best}\t{score}\t{:.1}\t{}",
            i.code(),
            round(i.margin()),
            next.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_is_the_first_file_found() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("ipamjm.ttf");
        std::fs::write(&f, b"x").unwrap();
        let missing = dir.path().join("missing.ttf");
        assert_eq!(
            find_reference(&[missing.clone(), dir.path().into(), f.clone()]),
            Some(f)
        );
        assert_eq!(find_reference(&[missing]), None);
    }

    #[test]
    fn scores_are_range_checked() {
        assert_eq!(parse_score("95.5"), Ok(95.5));
        for bad in ["-1", "100.1", "NaN", "x", "inf"] {
            assert!(parse_score(bad).is_err(), "{bad}");
        }
    }
}
