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
    /// A bundled layout name, a path to a layout file, or - to read one from standard
    /// input.
    #[arg(value_name = "NAME")]
    name: Option<String>,
    /// Print the layout's TOML exactly as ikou reads it.
    #[arg(long, requires = "name")]
    toml: bool,
}

pub fn run(a: Args) -> u8 {
    let Some(name) = a.name else {
        return match ikou::layout::show::list() {
            Ok(text) => match super::stdout::write(text.as_bytes()) {
                Ok(()) => 0,
                Err(failed) => failed,
            },
            Err(e) => super::fail(&e.into()),
        };
    };
    match super::args::load_layout(&name) {
        Ok(loaded) if a.toml => match super::stdout::write(&loaded.bytes) {
            Ok(()) => 0,
            Err(failed) => failed,
        },
        Ok(loaded) => {
            let text = ikou::layout::show::describe(&loaded.layout, &loaded.origin);
            match super::stdout::write(text.as_bytes()) {
                Ok(()) => 0,
                Err(failed) => failed,
            }
        }
        Err(e) => {
            let code = super::fail(&e);
            eprintln!(
                "ikou: the bundled layouts are: {}",
                ikou::layout::bundled::names()
            );
            code
        }
    }
}
