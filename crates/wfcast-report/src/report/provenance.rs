//! A scenario's provenance: the files it read, the results and how to reproduce them.
use super::*;

/// The `wfcast run` command line that reproduces a run.
pub(super) fn reproduce_run(meta: &Meta) -> String {
    let mut cmd = format!("wfcast run {}", shell_word(&meta.file));
    if meta.mode == "deterministic" {
        cmd.push_str(" --deterministic");
    } else {
        w!(cmd, " --seed {} --runs {}", meta.seed, meta.runs);
    }
    if !meta.levels.is_empty() && !default_levels(&meta.levels) {
        w!(cmd, " --levels {}", meta.levels.join(","));
    }
    cmd
}

pub(super) fn provenance(v: &View, dir: &Path, lvl: usize, idp: &str) -> String {
    let meta = v.meta();
    let mut s = h(lvl, &format!("{idp}provenance"), "Provenance: how to reproduce these numbers");
    w!(
        s,
        "<dl class=\"facts\">\n<dt>Scenario</dt><dd><code>{}</code> ({})</dd>\n<dt>Made by</dt><dd>wfcast {}</dd>\n\
         <dt>Mode</dt><dd>{}</dd>\n<dt>Seed</dt><dd>{}</dd>\n<dt>Runs</dt><dd>{}</dd>\n\
         <dt>Levels</dt><dd>{}</dd>\n<dt>Wall time of the runs</dt><dd>{}</dd>\n</dl>\n",
        esc(&meta.scenario),
        esc(&meta.title),
        esc(&meta.version),
        esc(&meta.mode),
        meta.seed,
        fmt_int(meta.runs as f64),
        esc(&meta.levels.join(", ")),
        fmt_seconds(meta.wall_time_seconds)
    );
    let mut files: Vec<(String, String, String)> = meta
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let what = if i == 0 {
                "scenario file"
            } else if f.path.to_lowercase().ends_with(".csv") {
                "role families mapping (`families`)"
            } else {
                "scenario file it extends"
            };
            (f.path.clone(), what.to_string(), f.sha256.clone())
        })
        .collect();
    let mut what = "baseline extract".to_string();
    if v.illustrative() {
        what.push_str(" (the illustrative seed shipped with wfcast)");
    }
    files.push((meta.baseline.path.clone(), what, meta.baseline.sha256.clone()));
    s.push_str("<p>Every file the run read, with its SHA-256 (paths as given to wfcast, relative to the folder it ran in):</p>\n");
    s.push_str(&file_rows(&files));
    let parquet = dir.join("summary.parquet").exists();
    let summary = if parquet { "summary.parquet" } else { "summary.csv" };
    let own = result_files(dir, &["meta.json", summary, "scenario.toml"]);
    if !own.is_empty() {
        s.push_str("<p>The results this report was made from:</p>\n");
        s.push_str(&file_rows(&own));
    }
    w!(
        s,
        "<p>To reproduce the results, from the folder the run was made in, with wfcast {}:</p>\n<p><code>{}</code></p>\n\
         <p>The same scenario files, baseline, seed and number of runs give the same numbers on any machine and \
         any number of threads.</p>\n",
        esc(&meta.version),
        esc(&reproduce_run(meta))
    );
    s
}
