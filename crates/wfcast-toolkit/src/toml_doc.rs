//! TOML documents built with toml_edit, top to bottom: keys, tables and arrays of tables in
//! order, each comment and blank line kept in the decor of the key or table header it
//! precedes (or at the end of the document).
use toml_edit::{Array, ArrayOfTables, Decor, DocumentMut, InlineTable, Item, Key, Table, Value};
use wfcast_core::sampling::ParamSpec;
use wfcast_core::scenario::Names;

/// A TOML document written in order, as a person reads it.
pub(crate) struct TomlWriter {
    doc: DocumentMut,
    /// Where keys go: the root (`None`), a table, or (`true`) the last table of an array of
    /// tables.
    at: Option<(String, bool)>,
    /// Comments and blank lines waiting for the next key or table header.
    pending: String,
}

impl TomlWriter {
    /// An empty document.
    pub(crate) fn new() -> TomlWriter {
        TomlWriter { doc: DocumentMut::new(), at: None, pending: String::new() }
    }

    /// A comment: each line of `text` after `# `.
    pub(crate) fn comment(&mut self, text: &str) {
        for line in text.split('\n') {
            self.pending.push_str("# ");
            self.pending.push_str(line);
            self.pending.push('\n');
        }
    }

    /// A blank line.
    pub(crate) fn blank(&mut self) {
        self.pending.push('\n');
    }

    /// `key = value` in the current table.
    pub(crate) fn key(&mut self, key: &str, value: impl Into<Value>) {
        let key = Key::new(key).with_leaf_decor(Decor::new(std::mem::take(&mut self.pending), " "));
        let table = match &self.at {
            None => Some(self.doc.as_table_mut()),
            Some((name, false)) => self.doc.get_mut(name).and_then(Item::as_table_mut),
            Some((name, true)) => {
                self.doc.get_mut(name).and_then(Item::as_array_of_tables_mut).and_then(|a| a.iter_mut().last())
            }
        };
        table.expect("the current table").insert_formatted(&key, Item::Value(value.into()));
    }

    /// `key = value  # note`.
    pub(crate) fn key_noted(&mut self, key: &str, value: impl Into<Value>, note: &str) {
        self.key(key, value.into().decorated(" ", format!("  # {note}")));
    }

    /// A `[name]` header: the keys that follow go in that table.
    pub(crate) fn table(&mut self, name: &str) {
        let table = self.header();
        self.doc.insert(name, Item::Table(table));
        self.at = Some((name.to_string(), false));
    }

    /// A `[[name]]` header: the keys that follow go in a new table of that array.
    pub(crate) fn array_table(&mut self, name: &str) {
        let table = self.header();
        match self.doc.get_mut(name).and_then(Item::as_array_of_tables_mut) {
            Some(array) => array.push(table),
            None => {
                let mut array = ArrayOfTables::new();
                array.push(table);
                self.doc.insert(name, Item::ArrayOfTables(array));
            }
        }
        self.at = Some((name.to_string(), true));
    }

    /// An empty table whose header follows the waiting comments and blank lines.
    fn header(&mut self) -> Table {
        let mut table = Table::new();
        table.decor_mut().set_prefix(std::mem::take(&mut self.pending));
        table.decor_mut().set_suffix("");
        table
    }

    /// The document's text (waiting comments at its end).
    pub(crate) fn finish(mut self) -> String {
        self.doc.set_trailing(std::mem::take(&mut self.pending));
        self.doc.to_string()
    }
}

/// An array with one value per line (`[\n  a,\n  b,\n]`), then `commented` values as
/// commented-out lines (`  # c,`), e.g. examples to uncomment.
pub(crate) fn rows(values: impl IntoIterator<Item = Value>, commented: &[Value]) -> Array {
    let mut array: Array = values.into_iter().map(|v| v.decorated("\n  ", "")).collect();
    array.set_trailing_comma(true);
    let mut trailing = String::from("\n");
    for v in commented {
        trailing.push_str(&format!("  # {v},\n"));
    }
    array.set_trailing(trailing);
    array
}

/// An inline table of `pairs`, in order: `{ a = 1, b = 2 }`.
pub(crate) fn inline<'a>(pairs: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    let mut table = InlineTable::new();
    for (k, v) in pairs {
        table.insert(k, v);
    }
    Value::InlineTable(table)
}

/// A number as Rust displays it: whole numbers as integers (`3`), others as decimals
/// (`2.8`), never an exponent.
pub(crate) fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.2e18 { Value::from(x as i64) } else { Value::from(x) }
}

/// A float in Rust's shortest form (`0.1`, `3.0`, `5e-6`): as toml_edit writes it, except
/// below 1e-4 and from 1e16, where Rust's form has an exponent; there that form is parsed,
/// so that the files read as before.
pub(crate) fn float(x: f64) -> Value {
    let value = Value::from(x);
    let short = format!("{x:?}");
    if value.to_string() == short { value } else { short.parse().unwrap_or(value) }
}

/// One name as a string, several as a list.
pub(crate) fn names(n: &Names) -> Value {
    match n.0.as_slice() {
        [one] => Value::from(one.as_str()),
        many => Value::Array(many.iter().map(String::as_str).collect()),
    }
}

/// A rate: a number, `{ mean, sd }` or `{ low, high }`.
pub(crate) fn param(p: &ParamSpec) -> Value {
    match p {
        ParamSpec::Fixed(x) => float(*x),
        ParamSpec::MeanSd { mean, sd } => inline([("mean", float(*mean)), ("sd", float(*sd))]),
        ParamSpec::LowHigh { low, high } => inline([("low", float(*low)), ("high", float(*high))]),
    }
}
