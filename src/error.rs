//! Errors that stop a command, each with the exit status CONTRACT.md gives it.
//! Messages name the file and say what to do; they never hold record contents.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad flags or arguments (exit 2).
    #[error("{0}")]
    Usage(String),
    /// An unreadable or invalid layout or table (exit 2).
    #[error("{0}")]
    Config(String),
    /// An input that cannot be converted at all (exit 1).
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    /// Reading or writing failed (exit 1).
    #[error("{path}: {source}; {hint}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
        hint: &'static str,
    },
    /// `--unmapped fail` met an unmapped 外字 (exit 1); nothing was published.
    #[error("{0}")]
    Stopped(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Config(_) => 2,
            Error::Input { .. } | Error::Io { .. } | Error::Stopped(_) => 1,
        }
    }

    /// The same error naming `shown` where it named `path`: a spooled standard
    /// input is shown as `-`, as it was given.
    pub fn shown_as(mut self, path: &Path, shown: &Path) -> Error {
        if let Error::Input { path: p, .. } | Error::Io { path: p, .. } = &mut self
            && p == path
        {
            *p = shown.to_path_buf();
        }
        self
    }

    /// For `map_err`: an I/O error on `path`, with what to do about it.
    pub fn io(path: &Path, hint: &'static str) -> impl FnOnce(std::io::Error) -> Error + use<> {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source, hint }
    }

    pub fn input(path: &Path, message: impl Into<String>) -> Error {
        Error::Input {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

impl From<crate::layout::LayoutError> for Error {
    fn from(e: crate::layout::LayoutError) -> Error {
        Error::Config(e.to_string())
    }
}
