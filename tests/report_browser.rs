//! report.html in a real browser: headless Chromium renders the report of the
//! bundled sample. The screenshot must not be blank, the 外字 table must be on it
//! with ink in it, and with fonts-ipamj-mincho installed the glyphs must be drawn
//! in IPAmj明朝; without the font the page must say so.
//!
//! Ignored when /usr/bin/chromium (or the browser named by IKOU_CHROMIUM) is
//! absent at build time (build.rs sets `cfg(ikou_browser)` when it is there),
//! unless IKOU_REQUIRE_BROWSER is set (as `.ci/run` does): then the tests run and
//! fail without it.

mod common;

use common::{ikou, s, testdata};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
const WIDTH: u32 = 1200;
// Tall enough for the heading, contents, summary and chart above the 外字 table.
const HEIGHT: u32 = 2400;

fn required() -> bool {
    std::env::var_os("IKOU_REQUIRE_BROWSER").is_some_and(|v| !v.is_empty())
}

fn browser() -> PathBuf {
    std::env::var_os("IKOU_CHROMIUM").map_or_else(|| PathBuf::from(DEFAULT_CHROMIUM), PathBuf::from)
}

fn chromium_present() -> bool {
    let b = browser();
    if b.exists() {
        return true;
    }
    assert!(
        !required(),
        "IKOU_REQUIRE_BROWSER is set but {} is missing: apt-get install -y chromium fonts-ipamj-mincho",
        b.display()
    );
    // Only when Chromium went away after the build (build.rs saw it).
    eprintln!(
        "SKIPPED: {} not found, report.html was not rendered in a browser. \
         Install it to run this test: apt-get install -y chromium fonts-ipamj-mincho",
        b.display()
    );
    false
}

/// True when fontconfig knows IPAmj明朝.
fn ipamj_installed() -> bool {
    Command::new("fc-list")
        .args([":family=IPAmjMincho", "family"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("IPAmj"))
}

/// Runs Chromium headless on `page` with `args`; its stdout. Stops it after 2 minutes.
fn chromium(tmp: &Path, args: &[&str], page: &Path) -> String {
    let profile = tmp.join("chromium-profile");
    let mut child = Command::new(browser())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            &format!("--window-size={WIDTH},{HEIGHT}"),
            &format!("--user-data-dir={}", profile.display()),
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .env("HOME", tmp)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            assert!(status.success(), "chromium {args:?} failed: {status}");
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {args:?} did not finish within 2 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().expect("reader").expect("chromium's stdout")
}

/// Decoded screenshot: width, height, RGB per pixel.
struct Shot {
    w: usize,
    h: usize,
    rgb: Vec<[u8; 3]>,
}

impl Shot {
    fn load(path: &Path) -> Shot {
        let mut d = png::Decoder::new(std::io::BufReader::new(fs::File::open(path).unwrap()));
        d.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut r = d.read_info().unwrap();
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        let n = info.color_type.samples();
        let rgb = buf[..info.buffer_size()]
            .chunks(n)
            .map(|p| match n {
                1 | 2 => [p[0]; 3],
                _ => [p[0], p[1], p[2]],
            })
            .collect();
        Shot {
            w: info.width as usize,
            h: info.height as usize,
            rgb,
        }
    }

    /// Pixels darker than mid-grey (ink: text and lines) in the rectangle.
    fn ink(&self, r: Rect) -> usize {
        let mut n = 0;
        for y in r.y.max(0.0) as usize..((r.y + r.h) as usize).min(self.h) {
            for x in r.x.max(0.0) as usize..((r.x + r.w) as usize).min(self.w) {
                let [a, b, c] = self.rgb[y * self.w + x];
                if (a as u32 + b as u32 + c as u32) < 3 * 128 {
                    n += 1;
                }
            }
        }
        n
    }

    fn non_white(&self) -> usize {
        self.rgb
            .iter()
            .filter(|p| p.iter().any(|&v| v < 240))
            .count()
    }
}

#[derive(Debug, Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// Reads `name="x y w h"` from the dumped DOM.
fn rect(dom: &str, name: &str) -> Rect {
    let start = dom
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("the probe did not write {name}"))
        + name.len()
        + 2;
    let v: Vec<f64> = dom[start..dom[start..].find('"').unwrap() + start]
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    Rect {
        x: v[0],
        y: v[1],
        w: v[2],
        h: v[3],
    }
}

fn attr<'a>(dom: &'a str, name: &str) -> Option<&'a str> {
    let start = dom.find(&format!("{name}=\""))? + name.len() + 2;
    Some(&dom[start..start + dom[start..].find('"')?])
}

/// Writes the positions the test needs onto the root element once the page is laid
/// out (for --dump-dom); changes nothing on screen.
const PROBE: &str = r#"<script>
window.addEventListener("load", function () {
  function r(el) { var b = el.getBoundingClientRect(); return [b.x, b.y, b.width, b.height].join(" "); }
  var root = document.documentElement, t = document.getElementById("gaiji-table");
  if (!t) { return; }
  var st = getComputedStyle(t);
  root.setAttribute("data-probe-gaiji", r(t));
  root.setAttribute("data-probe-visible", st.display !== "none" && st.visibility === "visible" ? "yes" : "no");
  var chart = document.getElementById("outcome-chart");
  if (chart) { root.setAttribute("data-probe-chart", r(chart)); }
  var cells = t.querySelectorAll(".glyph");
  for (var i = 0; i < cells.length; i++) {
    if (cells[i].textContent === "\u845B\uDB40\uDD02") { root.setAttribute("data-probe-ivs", r(cells[i])); }
  }
});
</script>
"#;

/// Converts the bundled sample; returns the report with the probe added, as a file.
fn sample_report(tmp: &Path) -> (PathBuf, String) {
    let out = tmp.join("out");
    let o = ikou()
        .current_dir(common::root())
        .args([
            "convert",
            "--layout",
            "testdata/layouts/juki-kojin.toml",
            "--gaiji",
            "testdata/gaiji/sample.tsv",
            "--out",
            s(&out),
            s(&testdata("juki_kojin.csv")),
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let probed = html.replace("</body>", &format!("{PROBE}</body>"));
    assert_ne!(probed, html);
    let page = tmp.join("probed.html");
    fs::write(&page, &probed).unwrap();
    (page, html)
}

#[test]
#[cfg_attr(
    not(ikou_browser),
    ignore = "Chromium not installed (/usr/bin/chromium or IKOU_CHROMIUM): apt-get install -y chromium fonts-ipamj-mincho"
)]
fn the_sample_report_renders_with_its_gaiji_table_visible() {
    if !chromium_present() {
        return;
    }
    let font = ipamj_installed();
    assert!(
        font || !required(),
        "IKOU_REQUIRE_BROWSER is set but fonts-ipamj-mincho is not installed"
    );
    let tmp = tempfile::tempdir().unwrap();
    let (page, _) = sample_report(tmp.path());

    let dom = chromium(
        tmp.path(),
        &["--virtual-time-budget=5000", "--dump-dom"],
        &page,
    );
    assert!(dom.contains("id=\"gaiji-table\""), "{dom}");
    assert_eq!(attr(&dom, "data-probe-visible"), Some("yes"));
    let table = rect(&dom, "data-probe-gaiji");
    let ivs = rect(&dom, "data-probe-ivs");
    assert!(
        table.w > 300.0 && table.h > 100.0 && table.y >= 0.0 && table.y + table.h <= HEIGHT as f64,
        "the 外字 table must be on the first screen: {table:?}"
    );

    let png = tmp.path().join("shot.png");
    chromium(
        tmp.path(),
        &[
            "--virtual-time-budget=5000",
            &format!("--screenshot={}", png.display()),
        ],
        &page,
    );
    let shot = Shot::load(&png);
    eprintln!(
        "drawn {} of {} pixels; 外字 table {table:?}: {} dark; IVS glyph {ivs:?}: {} dark; font {:?}",
        shot.non_white(),
        shot.w * shot.h,
        shot.ink(table),
        shot.ink(ivs),
        attr(&dom, "data-mj-font")
    );
    assert_eq!((shot.w, shot.h), (WIDTH as usize, HEIGHT as usize));
    let drawn = shot.non_white() as f64 / (shot.w * shot.h) as f64;
    assert!(
        drawn > 0.03,
        "the screenshot is (nearly) blank: {:.2}% drawn",
        drawn * 100.0
    );
    let ink = shot.ink(table);
    assert!(
        ink as f64 > 0.02 * table.w * table.h,
        "no ink in the 外字 table: {ink} dark pixels in {table:?}"
    );
    // The outcome chart (inline SVG) is laid out and drawn.
    let chart = rect(&dom, "data-probe-chart");
    let chart_ink = shot.ink(chart);
    assert!(
        chart.w > 300.0 && chart.h > 100.0 && chart_ink as f64 > 0.02 * chart.w * chart.h,
        "the chart is not drawn: {chart_ink} dark pixels in {chart:?}"
    );
    // The glyph of MJ022335 (葛 + U+E0102) is drawn, not an empty box.
    let glyph_ink = shot.ink(ivs);
    assert!(
        glyph_ink > 80,
        "the IVS glyph is not drawn: {glyph_ink} dark pixels in {ivs:?}"
    );

    if font {
        assert_eq!(
            attr(&dom, "data-mj-font"),
            Some("ok"),
            "IPAmj明朝 is installed but the page did not load it"
        );
        assert!(dom.contains("id=\"font-missing\" class=\"warn\" hidden"));
    } else {
        eprintln!("NOTE: fonts-ipamj-mincho is not installed; the IPAmj明朝 checks were skipped");
    }
    // Kept for the README (docs/report-sample.png is a copy of it).
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-sample.png");
    fs::copy(&png, &keep).unwrap();
    eprintln!("screenshot: {}", keep.display());
}

#[test]
#[cfg_attr(
    not(ikou_browser),
    ignore = "Chromium not installed (/usr/bin/chromium or IKOU_CHROMIUM): apt-get install -y chromium fonts-ipamj-mincho"
)]
fn without_the_font_the_page_says_so_and_keeps_the_code_points() {
    if !chromium_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (page, html) = sample_report(tmp.path());
    // The same page on a machine without IPAmj明朝: the local() names match nothing.
    let text = fs::read_to_string(&page).unwrap();
    let fontless = text.replace(
        r#"local("IPAmj明朝"), local("IPAmjMincho")"#,
        r#"local("ikou-test-no-such-font")"#,
    );
    assert_ne!(fontless, text);
    fs::write(&page, fontless).unwrap();
    let dom = chromium(
        tmp.path(),
        &["--virtual-time-budget=5000", "--dump-dom"],
        &page,
    );
    assert_eq!(attr(&dom, "data-mj-font"), Some("missing"));
    assert!(
        !dom.contains("id=\"font-missing\" class=\"warn\" hidden"),
        "the warning is shown"
    );
    assert!(
        html.contains("U+845B U+E0102"),
        "the code points are on the page"
    );
}
