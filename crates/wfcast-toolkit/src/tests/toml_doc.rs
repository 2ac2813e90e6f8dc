//! The TOML writer: comments where they were written, rows one per line, numbers as before.
use crate::toml_doc::{TomlWriter, float, inline, number, rows};

#[test]
fn comments_tables_and_rows_come_out_in_order() {
    let mut w = TomlWriter::new();
    w.comment("Top.\n  continued");
    w.key("name", "x");
    w.key_noted("region", "", "fill in");
    w.blank();
    w.comment("Rows.");
    w.key("rows", rows([inline([("a", number(1.0))]), inline([("a", number(2.5))])], &[inline([("a", float(0.0))])]));
    w.blank();
    w.table("demand");
    w.key("growth", 0.0);
    w.blank();
    w.comment("Left out.");
    w.blank();
    w.array_table("supply");
    w.comment("First.");
    w.key("name", "one");
    w.blank();
    w.array_table("supply");
    w.key("name", "two");
    w.blank();
    w.comment("The end.");
    let text = w.finish();
    assert_eq!(
        text,
        "# Top.\n#   continued\nname = \"x\"\nregion = \"\"  # fill in\n\n# Rows.\nrows = [\n  { a = 1 },\n  { a = 2.5 },\n  # { a = 0.0 },\n]\n\
         \n[demand]\ngrowth = 0.0\n\n# Left out.\n\n[[supply]]\n# First.\nname = \"one\"\n\n[[supply]]\nname = \"two\"\n\n# The end.\n"
    );
    let value: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(value["supply"][1]["name"].as_str(), Some("two"));
}

#[test]
fn numbers_keep_the_forms_of_rust() {
    let shown = |v: toml_edit::Value| v.to_string();
    assert_eq!([shown(number(3.0)), shown(number(2.8)), shown(number(1e-7))], ["3", "2.8", "0.0000001"]);
    assert_eq!(
        [shown(float(3.0)), shown(float(0.1)), shown(float(5e-6)), shown(float(1e16))],
        ["3.0", "0.1", "5e-6", "1e16"]
    );
}
