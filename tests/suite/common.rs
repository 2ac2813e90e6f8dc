//! Helpers shared by the command-line tests: the binary, fixtures written into temporary folders, and summary.csv reading.

use std::fs;
use std::path::{Path, PathBuf};

/// The header every summary.csv starts with.
pub const SUMMARY_HEADER: &str = "scenario,date,level,role,band,region,metric,mean,sd,p05,p25,p50,p75,p95,p_shortfall";

/// A command running the `wfcast` binary built for these tests.
pub fn wfcast() -> assert_cmd::Command {
    assert_cmd::cargo::cargo_bin_cmd!("wfcast")
}

/// Writes `contents` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

/// A small baseline: three roles, a few bands, two regions (CSV text).
pub const SMALL_BASELINE: &str = "\
role,band,region,headcount,fte
Analyst,4,London,60,55
Analyst,5,London,120,112
Analyst,5,North,90,84
Analyst,6,North,40,38
Engineer,6,London,45,44
Engineer,7,North,30,29.5
Lead,8a,London,12,12
";

/// A small scenario called `name` on the baseline file `baseline` (relative to the
/// scenario's folder), using every kind of flow: attrition, progression, a transfer, a
/// pipeline and a vacancy-fill route, and demand growth. Quarterly steps to March 2030.
pub fn small_scenario(name: &str, baseline: &str) -> String {
    format!(
        r#"name = "{name}"
baseline = "{baseline}"
start = "2025-03"
end = "2030-03"
step = "quarter"
runs = 40
seed = 11

[attrition]
default = {{ mean = 0.10, sd = 0.02 }}

[[attrition.rule]]
role = "Engineer"
rate = {{ mean = 0.14, sd = 0.03 }}

[progression]
default = 0.05

[[transfer]]
from = "Analyst"
to = "Engineer"
band = ["5", "6"]
rate = 0.02

[[supply]]
name = "grads"
intake = {{ mean = 20, sd = 4 }}
months = [9]
duration_months = 6
completion = {{ mean = 0.85, sd = 0.05 }}
entry = [ {{ role = "Analyst", band = "5" }} ]

[[supply]]
name = "recruitment"
kind = "vacancy-fill"
fill_rate = {{ mean = 0.6, sd = 0.1 }}
max_per_year = 40

[demand]
vacancy_rate = 0.08
growth = {{ mean = 0.03, sd = 0.01 }}
"#
    )
}

/// A temporary folder holding `staff.csv` (the small baseline) and `<name>.toml` (the small
/// scenario on it). Returns the folder and the scenario path.
pub fn small_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    write(dir.path(), "staff.csv", SMALL_BASELINE);
    let scenario = write(dir.path(), &format!("{name}.toml"), small_scenario(name, "staff.csv"));
    (dir, scenario)
}

/// Entries of `dir` (names), sorted; empty when `dir` does not exist.
pub fn entries(dir: &Path) -> Vec<String> {
    let Ok(read) = fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = read.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Asserts that nothing of scenario `name` was written under `out`: no `<name>` folder and
/// no temporary or old folder `.<name>.*` left behind.
pub fn assert_no_output(out: &Path, name: &str) {
    assert!(!out.join(name).exists(), "{} was written", out.join(name).display());
    let hidden = format!(".{name}.");
    let left: Vec<String> = entries(out).into_iter().filter(|e| e.starts_with(&hidden)).collect();
    assert!(left.is_empty(), "temporary folders left in {}: {left:?}", out.display());
}

/// Asserts that `out` holds no temporary or old folders of any scenario (`.*.tmp-*`, `.*.old-*`).
pub fn assert_no_leftovers(out: &Path) {
    let left: Vec<String> = entries(out)
        .into_iter()
        .filter(|e| e.starts_with('.') && (e.contains(".tmp-") || e.contains(".old-")))
        .collect();
    assert!(left.is_empty(), "temporary folders left in {}: {left:?}", out.display());
}

/// Splits one CSV line into fields (double quotes around fields are understood).
pub fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// One row of summary.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub scenario: String,
    pub date: String,
    pub level: String,
    pub role: String,
    pub band: String,
    pub region: String,
    pub metric: String,
    pub mean: f64,
    pub sd: f64,
    /// p05, p25, p50, p75, p95.
    pub p: [f64; 5],
    pub p_shortfall: Option<f64>,
}

fn number(text: &str, what: &str, line: usize) -> f64 {
    text.parse().unwrap_or_else(|_| panic!("summary.csv line {line}: {what} `{text}` is not a number"))
}

/// Reads a summary.csv, checking its header and the shape of every row.
pub fn read_summary(path: &Path) -> Vec<Row> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(SUMMARY_HEADER), "header of {}", path.display());
    lines
        .enumerate()
        .map(|(i, line)| {
            let n = i + 2;
            let f = split_csv_line(line);
            assert_eq!(f.len(), 15, "summary.csv line {n} has {} fields: {line}", f.len());
            let num = |j: usize, what: &str| number(&f[j], what, n);
            Row {
                scenario: f[0].clone(),
                date: f[1].clone(),
                level: f[2].clone(),
                role: f[3].clone(),
                band: f[4].clone(),
                region: f[5].clone(),
                metric: f[6].clone(),
                mean: num(7, "mean"),
                sd: num(8, "sd"),
                p: [num(9, "p05"), num(10, "p25"), num(11, "p50"), num(12, "p75"), num(13, "p95")],
                p_shortfall: (!f[14].is_empty()).then(|| num(14, "p_shortfall")),
            }
        })
        .collect()
}

/// The one row of level `level`, group (`role`, `band`, `region`; empty for all), `metric` at `date`.
pub fn find<'a>(rows: &'a [Row], date: &str, level: &str, group: [&str; 3], metric: &str) -> &'a Row {
    let mut hits = rows.iter().filter(|r| {
        r.date == date
            && r.level == level
            && [r.role.as_str(), r.band.as_str(), r.region.as_str()] == group
            && r.metric == metric
    });
    let row = hits.next().unwrap_or_else(|| panic!("no row {date} {level} {group:?} {metric}"));
    assert!(hits.next().is_none(), "more than one row {date} {level} {group:?} {metric}");
    row
}

/// Mean of the England total of `metric` at `date`.
pub fn total(rows: &[Row], date: &str, metric: &str) -> f64 {
    find(rows, date, "total", ["", "", ""], metric).mean
}

/// Mean of `metric` of role `role` (level `role`) at `date`.
pub fn of_role(rows: &[Row], date: &str, role: &str, metric: &str) -> f64 {
    find(rows, date, "role", [role, "", ""], metric).mean
}

/// stdout and stderr of an assert as text.
pub fn outputs(assert: &assert_cmd::assert::Assert) -> (String, String) {
    let out = assert.get_output();
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The Pearson correlation of two equally long samples.
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}
