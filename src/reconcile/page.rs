//! reconcile.html: the clerk's page, built with the report kit.

use super::{Difference, Summary};

/// What the page shows besides the summary.
pub struct PageInput<'a> {
    pub summary: &'a Summary,
    /// Every difference in differences.csv order; the page shows the first 100 per
    /// item and says how many more the CSV has.
    pub differences: &'a [Difference],
    /// Input paths as given, with their layouts.
    pub old_files: &'a [String],
    pub new_files: &'a [String],
    pub old_layout: &'a str,
    pub new_layout: &'a str,
    /// Key item names, joined by `|` in `Difference::key`.
    pub key_items: &'a [String],
    /// Hex digits identifying the run (as report.html's 実行ID).
    pub run_id: &'a str,
}

/// The page as written (self-contained HTML).
pub fn render(input: &PageInput) -> String {
    // Placeholder until the page is built: the summary as text.
    crate::report::kit::Page {
        title: "移行結果の照合",
        subtitle: crate::report::kit::html! { (input.old_layout) " → " (input.new_layout) },
        run_id: input.run_id,
        sections: Vec::new(),
        sign_off: true,
    }
    .render()
}
