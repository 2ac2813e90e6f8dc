//! The crates' layering (ARCHITECTURE.md), checked from their manifests: arrows point down
//! only, and the engine crate depends on no table, chart, workbook or command-line crate.
use std::path::Path;

/// Each crate, the workspace crates it may depend on, and crates it must never depend on.
const LAYERS: [(&str, &[&str], &[&str]); 5] = [
    ("wfcast-core", &[], &["polars", "plotters", "rust_xlsxwriter", "calamine", "clap", "askama", "indicatif"]),
    ("wfcast-io", &["wfcast-core"], &["plotters", "rust_xlsxwriter", "calamine", "clap", "askama"]),
    ("wfcast-report", &["wfcast-core", "wfcast-io"], &["calamine", "clap"]),
    ("wfcast-toolkit", &["wfcast-core", "wfcast-io"], &["plotters", "clap", "askama"]),
    // Fixtures for tests, above the core only (a dev-dependency of the crates above it).
    ("wfcast-testkit", &["wfcast-core"], &["polars", "plotters", "rust_xlsxwriter", "calamine", "clap"]),
];

fn dependencies(krate: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates").join(krate).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    manifest.get("dependencies").and_then(|d| d.as_table()).map(|d| d.keys().cloned().collect()).unwrap_or_default()
}

#[test]
fn arrows_point_down_and_the_engine_is_pure() {
    for (krate, below, never) in LAYERS {
        for dep in dependencies(krate) {
            if dep.starts_with("wfcast") {
                assert!(below.contains(&dep.as_str()), "{krate} depends on {dep}, which is not below it");
            }
            assert!(!never.contains(&dep.as_str()), "{krate} must not depend on {dep}");
        }
    }
}

#[test]
fn every_crate_of_the_workspace_has_its_layer() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates");
    let mut found: Vec<String> = std::fs::read_dir(&crates)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|name| crates.join(name).join("Cargo.toml").is_file())
        .collect();
    found.sort();
    let mut listed: Vec<String> = LAYERS.iter().map(|(k, _, _)| k.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed, "a crate was added or removed: give it its place in LAYERS and ARCHITECTURE.md");
}
