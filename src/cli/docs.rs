//! `ikou completions SHELL` and `ikou manpage`: generated from the clap definitions,
//! so they cannot drift from what the binary accepts.

use clap::CommandFactory;
use std::path::{Path, PathBuf};

/// Print a shell completion script for ikou.
///
/// bash: `ikou completions bash > ~/.local/share/bash-completion/completions/ikou`;
/// zsh: `ikou completions zsh > ~/.zfunc/_ikou` (with ~/.zfunc in $fpath); fish:
/// `ikou completions fish > ~/.config/fish/completions/ikou.fish`; PowerShell:
/// `ikou completions powershell | Out-String | Invoke-Expression` (in $PROFILE).
#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_name = "SHELL", value_enum)]
    shell: clap_complete::Shell,
}

/// Print the man page of ikou (roff), or write one page per command.
///
/// Without arguments prints ikou(1) on stdout (`ikou manpage | man -l -`). With a
/// command (`ikou manpage convert`, `ikou manpage mappings check`) prints that
/// command's page. With --out DIR writes ikou.1 and one page per command
/// (ikou-convert.1, ikou-mappings-check.1, …) into DIR; an existing file is never
/// overwritten: nothing is written if any of them exists.
#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 written; 2 no such command, or a page already exists; 1 I/O error.\n\nExamples:\n  ikou manpage | man -l -\n  ikou manpage --out ~/.local/share/man/man1"
)]
pub struct ManpageArgs {
    /// The command whose page to print (e.g. convert, or mappings check).
    #[arg(value_name = "COMMAND", conflicts_with = "out")]
    command: Vec<String>,
    /// Write every page into DIR (created if missing) instead of printing one.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// With --out: do not print how many pages were written.
    #[arg(short, long, requires = "out")]
    quiet: bool,
}

pub fn completions(a: CompletionsArgs) -> u8 {
    let mut cmd = super::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "ikou", &mut script);
    super::stdout::write(&script).err().unwrap_or(0)
}

/// Every page: (file name, roff), the top-level page first.
fn pages() -> Result<Vec<(String, Vec<u8>)>, std::io::Error> {
    fn walk(cmd: &clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
        // Subcommands have no version of their own: every page names ikou's.
        let man = clap_mangen::Man::new(cmd.clone())
            .source(concat!("ikou ", env!("CARGO_PKG_VERSION")))
            .manual("ikou");
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        out.push((man.get_filename(), roff));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, out)?;
        }
        Ok(())
    }
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    // Building sets each subcommand's display name (ikou-convert), which names its page.
    cmd.build();
    let mut out = Vec::new();
    walk(&cmd, &mut out)?;
    Ok(out)
}

pub fn manpage(a: ManpageArgs) -> u8 {
    let pages = match pages() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("ikou: error: cannot render the man pages: {e}");
            return 1;
        }
    };
    if let Some(dir) = &a.out {
        return write_pages(dir, &pages, a.quiet);
    }
    let name = std::iter::once("ikou")
        .chain(a.command.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("-");
    let file = format!("{name}.1");
    match pages.iter().find(|(f, _)| *f == file) {
        Some((_, roff)) => super::stdout::write(roff).err().unwrap_or(0),
        None => {
            let names: Vec<&str> = pages
                .iter()
                .filter_map(|(f, _)| f.strip_prefix("ikou-")?.strip_suffix(".1"))
                .collect();
            eprintln!(
                "ikou: error: no command {:?}; the commands are: {}",
                a.command.join(" "),
                names.join(", ").replace('-', " ")
            );
            2
        }
    }
}

/// Writes every page into `dir`, or none: an existing page (or anything else at its
/// path, a symlink included) stops the run before anything is written, and a write
/// that fails removes the pages this run created.
fn write_pages(dir: &Path, pages: &[(String, Vec<u8>)], quiet: bool) -> u8 {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("ikou: error: cannot create {}: {e}", dir.display());
        return 1;
    }
    let existing: Vec<String> = pages
        .iter()
        .map(|(f, _)| dir.join(f))
        .filter(|p| p.symlink_metadata().is_ok())
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        eprintln!(
            "ikou: error: not overwriting {}; remove them or choose another --out directory (nothing was written)",
            existing.join(", ")
        );
        return 2;
    }
    let mut written: Vec<PathBuf> = Vec::new();
    for (file, roff) in pages {
        let path = dir.join(file);
        // create_new: never replaces a file that appeared since the check above.
        let result = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| {
                written.push(path.clone());
                std::io::Write::write_all(&mut f, roff).and_then(|()| f.sync_all())
            });
        if let Err(e) = result {
            for p in &written {
                let _ = std::fs::remove_file(p);
            }
            eprintln!(
                "ikou: error: cannot write {}: {e} (the pages written before it were removed)",
                path.display()
            );
            return if e.kind() == std::io::ErrorKind::AlreadyExists {
                2
            } else {
                1
            };
        }
    }
    if !quiet {
        eprintln!(
            "ikou: wrote {} man pages into {}",
            pages.len(),
            dir.display()
        );
    }
    0
}
