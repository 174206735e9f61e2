//! `ikou layouts`.

/// List the layouts bundled in ikou, or show one.
///
/// Without NAME: one line per bundled layout (name, version, number of items,
/// title). With NAME (a bundled name or a path to a layout file): what the layout
/// follows and a table of its items; with --toml, its exact TOML, to save and edit.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  ikou layouts\n  ikou layouts juki-kojin\n  ikou layouts juki-kojin --toml > my-juki-kojin.toml"
)]
pub struct Args {
    /// A bundled layout name, or a path to a layout file.
    #[arg(value_name = "NAME")]
    name: Option<String>,
    /// Print the layout's TOML exactly as ikou reads it.
    #[arg(long, requires = "name")]
    toml: bool,
}

pub fn run(a: Args) -> u8 {
    let Some(name) = a.name else {
        return match ikou::layout::show::list() {
            Ok(text) => {
                print!("{text}");
                0
            }
            Err(e) => super::fail(&e.into()),
        };
    };
    match ikou::layout::load(&name) {
        Ok(loaded) if a.toml => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            match out.write_all(&loaded.bytes).and_then(|()| out.flush()) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("ikou: error: cannot write the layout to stdout: {e}");
                    1
                }
            }
        }
        Ok(loaded) => {
            print!(
                "{}",
                ikou::layout::show::describe(&loaded.layout, &loaded.origin)
            );
            0
        }
        Err(e) => {
            let code = super::fail(&e.into());
            eprintln!(
                "ikou: the bundled layouts are: {}",
                ikou::layout::bundled::names()
            );
            code
        }
    }
}
