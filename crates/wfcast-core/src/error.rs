//! The library's error type: input errors keep the file, the place and the bad value.
use std::path::{Path, PathBuf};

/// Everything that can go wrong in wfcast. Input errors (exit status 2) say which file,
/// which line or key, what value was found and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: a baseline, scenario or argument that cannot be used as it is.
    #[error("{}", fmt_input(file, at, message))]
    Input {
        /// The file at fault (empty for command-line arguments).
        file: PathBuf,
        /// Where in the file: `line 7, column band`, `key attrition.rule[2].rate`, ...
        at: String,
        /// What was found and what was expected.
        message: String,
    },
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A run could not be completed (for example, drawn transfer rates summing above 1).
    #[error("{0}")]
    Run(String),
}

fn fmt_input(file: &Path, at: &str, message: &str) -> String {
    let file = file.display().to_string();
    match (file.is_empty(), at.is_empty()) {
        (true, true) => message.to_string(),
        (true, false) => format!("{at}: {message}"),
        (false, true) => format!("{file}: {message}"),
        (false, false) => format!("{file}: {at}: {message}"),
    }
}

impl Error {
    /// An input error in `file` at `at` (a line, column or key path).
    pub fn input(file: impl Into<PathBuf>, at: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Input { file: file.into(), at: at.into(), message: message.into() }
    }

    /// An input error for TOML `text` read from `file` that does not parse (or does not fit
    /// the type it was read into): the line of the fault, and the parser's message.
    pub fn toml(file: impl Into<PathBuf>, text: &str, error: &toml::de::Error) -> Self {
        let at = error
            .span()
            .map(|s| format!("line {}", text[..s.start.min(text.len())].matches('\n').count() + 1))
            .unwrap_or_default();
        Error::input(file, at, error.message())
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    /// The process exit status for this error: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input { .. } => 2,
            _ => 1,
        }
    }
}

/// The result type of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
