//! Unit tests of the toolkit, one file per module tested, on the fixtures of [`support`].
mod aggregate;
mod read;
mod support;
mod template;
mod toml_doc;
mod toml_form;
