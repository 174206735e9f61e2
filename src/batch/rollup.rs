//! `batch report`: one page (Japanese, self-contained, the report kit) and one
//! JSON file over every job of a JOBS file: records, rejects by reason, unmapped
//! 外字 and nonstandard characters per municipality and business area, each job
//! linked to its own report.html.

use super::jobs::Batch;
use super::status::{self, JobStatus};
use crate::error::Error;
use crate::report::kit::{Page, Section, html, num, t};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

pub const HTML_NAME: &str = "rollup.html";
pub const JSON_NAME: &str = "rollup.json";

#[derive(Debug, Clone, Serialize)]
pub struct Rollup {
    pub tool: crate::manifest::Tool,
    /// The JOBS file.
    pub jobs_file: String,
    pub run_id: String,
    pub jobs: Vec<JobRow>,
    /// Per municipality and business area, in the order first listed.
    pub groups: Vec<GroupRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobRow {
    pub index: usize,
    pub id: String,
    pub municipality: String,
    pub area: String,
    /// done, stale, failed, not-run.
    pub state: String,
    pub reasons: Vec<String>,
    /// The job's report.html relative to the roll-up's directory (null: none).
    pub report: Option<String>,
    pub out: String,
    #[serde(flatten)]
    pub totals: Totals,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub records: u64,
    pub written: u64,
    pub rejected: u64,
    /// Reason code → count.
    pub rejects_by_reason: BTreeMap<String, u64>,
    /// `U+E000` → occurrences.
    pub unmapped: BTreeMap<String, u64>,
    /// Characters outside `--charset` (`U+20B9F`, or `(sensitive)` for an item only
    /// counted) → occurrences.
    pub nonstandard: BTreeMap<String, u64>,
}

impl Totals {
    fn add(&mut self, o: &Totals) {
        self.records += o.records;
        self.written += o.written;
        self.rejected += o.rejected;
        for (maps, from) in [
            (&mut self.rejects_by_reason, &o.rejects_by_reason),
            (&mut self.unmapped, &o.unmapped),
            (&mut self.nonstandard, &o.nonstandard),
        ] {
            for (k, v) in from {
                *maps.entry(k.clone()).or_insert(0) += v;
            }
        }
    }

    fn of(m: &crate::manifest::Manifest) -> Totals {
        let mut t = Totals {
            records: m.counts.read,
            written: m.counts.written,
            rejected: m.counts.rejected,
            ..Totals::default()
        };
        for r in &m.reject_reasons {
            *t.rejects_by_reason.entry(r.code.clone()).or_insert(0) += r.count;
        }
        for u in &m.unmapped {
            *t.unmapped.entry(u.source.clone()).or_insert(0) += u.count;
        }
        for n in &m.nonstandard {
            let k = n.chars.clone().unwrap_or_else(|| "(sensitive)".into());
            *t.nonstandard.entry(k).or_insert(0) += n.count;
        }
        t
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub municipality: String,
    pub area: String,
    pub jobs: usize,
    /// Jobs with a finished run counted here (done or stale).
    pub finished: usize,
    #[serde(flatten)]
    pub totals: Totals,
}

/// Gathers the roll-up for a page written into `out` (absolute).
pub fn gather(batch: &Batch, list: &[JobStatus], out: &Path) -> Rollup {
    let mut jobs = Vec::new();
    let mut groups: Vec<GroupRow> = Vec::new();
    let mut ids = Vec::new();
    for s in list {
        let m = s.state.manifest();
        let totals = m.map(Totals::of).unwrap_or_default();
        if let Some(m) = m {
            ids.push(crate::report::run_id(m));
        }
        let report = m.and_then(|m| m.report.as_ref()).and_then(|r| {
            let target = s.out.join(&r.path);
            std::fs::symlink_metadata(&target)
                .is_ok_and(|md| md.is_file())
                .then(|| relative(out, &target))
        });
        let g = match groups
            .iter_mut()
            .position(|g| g.municipality == s.municipality && g.area == s.area)
        {
            Some(i) => &mut groups[i],
            None => {
                groups.push(GroupRow {
                    municipality: s.municipality.clone(),
                    area: s.area.clone(),
                    jobs: 0,
                    finished: 0,
                    totals: Totals::default(),
                });
                let last = groups.len() - 1;
                &mut groups[last]
            }
        };
        g.jobs += 1;
        if m.is_some() {
            g.finished += 1;
            g.totals.add(&totals);
        }
        jobs.push(JobRow {
            index: s.index,
            id: s.id.clone(),
            municipality: s.municipality.clone(),
            area: s.area.clone(),
            state: s.state.word().into(),
            reasons: s.state.reasons(),
            report,
            out: s.out.to_string_lossy().into_owned(),
            totals,
        });
    }
    let run_id = crate::output::hex(&Sha256::digest(ids.join(",").as_bytes()))[..12].to_string();
    Rollup {
        tool: crate::manifest::Tool::this(),
        jobs_file: batch.path.to_string_lossy().into_owned(),
        run_id,
        jobs,
        groups,
    }
}

/// `to` as a link from a page in `from_dir` (both absolute): `../a/report.html`.
fn relative(from_dir: &Path, to: &Path) -> String {
    let norm = |p: &Path| -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for c in p.components() {
            match c {
                Component::Normal(s) => v.push(s.to_string_lossy().into_owned()),
                Component::ParentDir => {
                    v.pop();
                }
                _ => {}
            }
        }
        v
    };
    let (a, b) = (norm(from_dir), norm(to));
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".into(); a.len() - common];
    parts.extend(b[common..].iter().cloned());
    // Each segment percent-encoded where a URL needs it (spaces, #, ?, %).
    parts
        .iter()
        .map(|p| {
            p.chars()
                .map(|c| match c {
                    ' ' | '#' | '?' | '%' | '"' | '\'' | '<' | '>' | '\\' => {
                        format!("%{:02X}", c as u32)
                    }
                    c => c.to_string(),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn state_ja(word: &str) -> &'static str {
    match word {
        "done" => "完了",
        "stale" => "要再実行（前回から変更あり）",
        "failed" => "失敗",
        _ => "未実行",
    }
}

/// The page.
pub fn render(r: &Rollup) -> String {
    let mut total = Totals::default();
    for g in &r.groups {
        total.add(&g.totals);
    }
    let count = |w: &str| r.jobs.iter().filter(|j| j.state == w).count();
    let summary = Section {
        id: "summary",
        title: "概要".into(),
        body: html! {
            table id="summary-table" {
                tbody {
                    tr { th { "ジョブ" } td class="n" { (num(r.jobs.len() as u64)) } }
                    tr { th { "完了" } td class="n" { (num(count("done") as u64)) } }
                    tr { th { "要再実行" } td class="n" { (num(count("stale") as u64)) } }
                    tr { th { "失敗" } td class="n" { (num(count("failed") as u64)) } }
                    tr { th { "未実行" } td class="n" { (num(count("not-run") as u64)) } }
                    tr { th { "読み込んだレコード" } td class="n" { (num(total.records)) } }
                    tr { th { "変換したレコード" } td class="n" { (num(total.written)) } }
                    tr { th { "不正レコード" } td class="n" { (num(total.rejected)) } }
                    tr { th { "未対応外字（か所）" } td class="n" { (num(total.unmapped.values().sum())) } }
                    tr { th { "規格外文字（か所）" } td class="n" { (num(total.nonstandard.values().sum())) } }
                }
            }
            p class="note" { "件数は、完了または要再実行のジョブの最新の変換結果（manifest.json）から集計しています。" }
        },
    };
    let groups = Section {
        id: "groups",
        title: "市区町村・業務別".into(),
        body: html! {
            table id="groups-table" {
                thead { tr { th { "市区町村" } th { "業務" } th { "ジョブ" } th { "変換済み" } th { "読込" } th { "変換" } th { "不正" } th { "未対応外字" } th { "規格外文字" } } }
                tbody {
                    @for g in &r.groups {
                        tr {
                            td { (t(g.municipality.as_str())) } td { (t(g.area.as_str())) }
                            td class="n" { (num(g.jobs as u64)) } td class="n" { (num(g.finished as u64)) }
                            td class="n" { (num(g.totals.records)) } td class="n" { (num(g.totals.written)) }
                            td class="n" { (num(g.totals.rejected)) }
                            td class="n" { (num(g.totals.unmapped.values().sum())) }
                            td class="n" { (num(g.totals.nonstandard.values().sum())) }
                        }
                    }
                }
            }
        },
    };
    let jobs = Section {
        id: "jobs",
        title: "ジョブ一覧".into(),
        body: html! {
            table id="jobs-table" {
                thead { tr { th { "番号" } th { "ID" } th { "市区町村" } th { "業務" } th { "状態" } th { "読込" } th { "不正" } th { "報告書" } th { "理由" } } }
                tbody {
                    @for j in &r.jobs {
                        tr class=(j.state) {
                            td class="n" { (j.index) } td { code { (t(j.id.as_str())) } }
                            td { (t(j.municipality.as_str())) } td { (t(j.area.as_str())) }
                            td { (state_ja(&j.state)) }
                            td class="n" { (num(j.totals.records)) } td class="n" { (num(j.totals.rejected)) }
                            td { @if let Some(link) = &j.report { a href=(t(link.as_str())) { "report.html" } } @else { "—" } }
                            td { @for reason in &j.reasons { (t(reason.as_str())) br; } }
                        }
                    }
                }
            }
        },
    };
    let by = |f: fn(&Totals) -> &BTreeMap<String, u64>| {
        let mut rows = Vec::new();
        for g in &r.groups {
            for (k, v) in f(&g.totals) {
                rows.push((g.municipality.as_str(), g.area.as_str(), k.clone(), *v));
            }
        }
        rows
    };
    let reasons = by(|t| &t.rejects_by_reason);
    let reasons = Section {
        id: "reasons",
        title: "不正レコードの理由別件数".into(),
        body: html! {
            @if reasons.is_empty() { p class="ok" { "不正レコードはありません。" } } @else {
                table id="reasons-table" {
                    thead { tr { th { "市区町村" } th { "業務" } th { "理由" } th { "コード" } th { "件数" } } }
                    tbody { @for (m, a, code, n) in &reasons {
                        tr { td { (t(*m)) } td { (t(*a)) } td { (crate::report::reason_label(code)) } td { code { (t(code.as_str())) } } td class="n" { (num(*n)) } }
                    } }
                }
            }
        },
    };
    let unmapped = by(|t| &t.unmapped);
    let unmapped = Section {
        id: "unmapped",
        title: "未対応外字".into(),
        body: html! {
            @if unmapped.is_empty() { p class="ok" { "未対応の外字はありません。" } } @else {
                p class="note" { "外字対応表にない私用領域の文字です。各ジョブの報告書に、最初に現れたレコードがあります。" }
                table id="unmapped-table" {
                    thead { tr { th { "市区町村" } th { "業務" } th { "文字（コードポイント）" } th { "か所" } } }
                    tbody { @for (m, a, cp, n) in &unmapped {
                        tr { td { (t(*m)) } td { (t(*a)) } td { code { (t(cp.as_str())) } } td class="n" { (num(*n)) } }
                    } }
                }
            }
        },
    };
    let nonstandard = by(|t| &t.nonstandard);
    let nonstandard = Section {
        id: "nonstandard",
        title: "規格外文字".into(),
        body: html! {
            @if nonstandard.is_empty() { p class="ok" { "指定した文字集合の外の文字はありません。" } } @else {
                table id="nonstandard-table" {
                    thead { tr { th { "市区町村" } th { "業務" } th { "文字" } th { "か所" } } }
                    tbody { @for (m, a, cps, n) in &nonstandard {
                        tr { td { (t(*m)) } td { (t(*a)) } td { (glyph_of(cps)) } td class="n" { (num(*n)) } }
                    } }
                }
            }
        },
    };
    Page {
        title: "一括変換 集計報告書",
        subtitle: html! { p { "作業リスト " code { (t(r.jobs_file.as_str())) } } },
        run_id: &r.run_id,
        sections: vec![summary, groups, jobs, reasons, unmapped, nonstandard],
        sign_off: true,
    }
    .render()
}

/// `U+845B U+E0100` shown as the glyph with its code points; anything else as text.
fn glyph_of(cps: &str) -> crate::report::kit::Markup {
    let text: Option<String> = cps
        .split(' ')
        .map(|c| {
            c.strip_prefix("U+")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32)
        })
        .collect();
    match text {
        Some(s) => crate::report::kit::glyph(&s),
        None => html! { (t(cps)) },
    }
}

/// Writes rollup.html and rollup.json into `out` (created if missing). Returns
/// the roll-up. Err: exit 1 when they cannot be written.
pub fn write(batch: &Batch, out: &Path) -> Result<Rollup, Error> {
    std::fs::create_dir_all(out).map_err(Error::io(out, "cannot create the report directory"))?;
    let abs: PathBuf =
        std::path::absolute(out).map_err(Error::io(out, "cannot resolve the path"))?;
    let list = status::all(batch);
    let r = gather(batch, &list, &abs);
    let mut json = serde_json::to_string_pretty(&r)
        .map_err(|e| Error::Config(format!("cannot write the roll-up JSON: {e}")))?;
    json.push('\n');
    let html = render(&r);
    for (name, data) in [(JSON_NAME, json.as_bytes()), (HTML_NAME, html.as_bytes())] {
        let p = out.join(name);
        crate::output::write_atomic(&p, data).map_err(Error::io(&p, "the disk may be full"))?;
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links() {
        assert_eq!(
            relative(Path::new("/w/rollup"), Path::new("/w/out/a b/report.html")),
            "../out/a%20b/report.html"
        );
        assert_eq!(
            relative(Path::new("/w"), Path::new("/w/out/x/report.html")),
            "out/x/report.html"
        );
    }
}
