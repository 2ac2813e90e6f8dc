//! Writing results: one [`Exporter`] trait, each exporter making its files as bytes, and one
//! writer putting them on disk, all swapped into place at once.
//!
//! An exporter never touches the disk: it returns its files, named relative to the scenario's
//! folder, and [`write_all`] (through [`write_into`]) is the one place that writes them. All
//! files of a scenario are written into a temporary folder beside the output folder and
//! swapped in at the end, so a failed or interrupted run leaves the previous results whole.
use polars::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};
use wfcast_core::error::{Error, Result};
use wfcast_core::results::Results;

/// One output file: its path, relative to the folder it goes in, and its bytes.
pub type OutputFile = (PathBuf, Vec<u8>);

/// Makes some of a scenario's output files.
pub trait Exporter {
    /// Its files for `results`, named relative to the scenario's folder. `made` holds the files
    /// of the exporters before it (so that a workbook can embed the charts drawn before it).
    fn files(&self, results: &Results, made: &[OutputFile]) -> Result<Vec<OutputFile>>;
}

/// `summary.csv`: the long summary table.
pub struct SummaryCsv;
/// `summary.parquet`: the same table as Parquet.
pub struct SummaryParquet;
/// `meta.json`: what was run, with what, by which version.
pub struct MetaJson;
/// `scenario.toml`: the scenario as run, merged with what it extends.
pub struct ScenarioToml;

fn polars_err(path: &Path) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::io(path, std::io::Error::other(e.to_string()))
}

impl Exporter for SummaryCsv {
    fn files(&self, results: &Results, _made: &[OutputFile]) -> Result<Vec<OutputFile>> {
        let path = PathBuf::from("summary.csv");
        let bytes = csv_bytes(&path, crate::results::frame(results)?)?;
        Ok(vec![(path, bytes)])
    }
}

impl Exporter for SummaryParquet {
    fn files(&self, results: &Results, _made: &[OutputFile]) -> Result<Vec<OutputFile>> {
        let path = PathBuf::from("summary.parquet");
        let mut df = crate::results::frame(results)?;
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes).finish(&mut df).map_err(polars_err(&path))?;
        Ok(vec![(path, bytes)])
    }
}

impl Exporter for MetaJson {
    fn files(&self, results: &Results, _made: &[OutputFile]) -> Result<Vec<OutputFile>> {
        let text = serde_json::to_string_pretty(&results.meta).expect("JSON of plain values");
        Ok(vec![("meta.json".into(), (text + "\n").into_bytes())])
    }
}

impl Exporter for ScenarioToml {
    fn files(&self, results: &Results, _made: &[OutputFile]) -> Result<Vec<OutputFile>> {
        let text = format!(
            "# The scenario `{}` as run by wfcast {}: {} merged with what it extends.\n{}",
            results.meta.scenario, results.meta.version, results.meta.file, results.scenario_toml
        );
        Ok(vec![("scenario.toml".into(), text.into_bytes())])
    }
}

/// The exporters of the data files every run writes (charts and workbooks are added by
/// `wfcast-report`).
pub fn default_exporters() -> Vec<Box<dyn Exporter>> {
    vec![Box::new(SummaryCsv), Box::new(SummaryParquet), Box::new(MetaJson), Box::new(ScenarioToml)]
}

/// A name as a file name: lower-case letters and digits, other runs of characters as one `-`
/// (`Data Science` -> `data-science`).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Writes `results` with `exporters` into `out/<scenario name>/`, replacing what was there
/// only once every file is written. Refuses to replace a folder that is not wfcast output.
pub fn write_all(results: &Results, out: &Path, exporters: &[Box<dyn Exporter>]) -> Result<PathBuf> {
    let dest = out.join(&results.meta.scenario);
    write_folder(&dest, Some(("meta.json", "output")), |tmp| write_into(tmp, &files_of(results, exporters)?))?;
    Ok(dest)
}

/// Every file `exporters` make for `results`, in their order; each exporter is given the files
/// of those before it.
pub fn files_of(results: &Results, exporters: &[Box<dyn Exporter>]) -> Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    for exporter in exporters {
        let more = exporter.files(results, &files)?;
        files.extend(more);
    }
    Ok(files)
}

/// Writes `files` into the folder `dir` (which must exist), creating the folders inside it
/// that their paths name: the one place output files are put on disk. Returns their paths.
pub fn write_into(dir: &Path, files: &[OutputFile]) -> Result<Vec<PathBuf>> {
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent()
            && parent != dir
        {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// Writes the folder `dest` whole: `write` fills a temporary folder beside it, which then
/// replaces `dest` (see [`replace_dir`]); on failure the temporary folder is removed and
/// `dest` is left as it was. With `marker = Some((file, kind))`, an existing `dest` without
/// that file is not wfcast's `kind` folder and is refused, never replaced.
pub fn write_folder<T>(dest: &Path, marker: Option<(&str, &str)>, write: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    if let Some((file, kind)) = marker
        && dest.exists()
        && !dest.join(file).exists()
    {
        return Err(Error::input(
            dest,
            "",
            format!("exists and is not a wfcast {kind} folder (no {file}): not replacing it; choose another --out"),
        ));
    }
    let parent = dest.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    }
    fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let written = match write(&tmp) {
        Ok(v) => v,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    replace_dir(&tmp, dest)?;
    Ok(written)
}

/// Moves the folder `tmp` to `dest`, replacing `dest`; the old folder is removed only after
/// the new one is in place, and put back if the new one cannot be.
pub fn replace_dir(tmp: &Path, dest: &Path) -> Result<()> {
    if dest.exists() {
        let old = dest.with_file_name(format!(
            ".{}.old-{}",
            dest.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        fs::rename(dest, &old).map_err(|e| Error::io(dest, e))?;
        if let Err(e) = fs::rename(tmp, dest) {
            let _ = fs::rename(&old, dest);
            let _ = fs::remove_dir_all(tmp);
            return Err(Error::io(dest, e));
        }
        fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        fs::rename(tmp, dest).map_err(|e| Error::io(dest, e))?;
    }
    Ok(())
}

/// Writes the file `dest` whole: into a temporary file beside it, then renamed into place, so
/// that `dest` is never half written.
pub fn write_file(dest: &Path, bytes: &[u8]) -> Result<()> {
    write_files(vec![(dest.to_path_buf(), bytes.to_vec())])
}

/// Writes every file to a temporary name beside it, then renames them all into place, so that
/// none is half written and none is written unless all could be; on failure the temporary
/// files are removed.
pub fn write_files(files: Vec<(PathBuf, Vec<u8>)>) -> Result<()> {
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let clean = |temps: &[(PathBuf, PathBuf)]| {
        for (t, _) in temps {
            let _ = fs::remove_file(t);
        }
    };
    for (dest, bytes) in files {
        let tmp = temporary_beside(&dest);
        if let Err(e) = fs::write(&tmp, &bytes) {
            let _ = fs::remove_file(&tmp);
            clean(&temps);
            return Err(Error::io(&tmp, e));
        }
        temps.push((tmp, dest));
    }
    for (i, (tmp, dest)) in temps.iter().enumerate() {
        if let Err(e) = fs::rename(tmp, dest) {
            clean(&temps[i..]);
            return Err(Error::io(dest, e));
        }
    }
    Ok(())
}

/// Writes `frame` as the CSV file `dest` (with a header row), whole or not at all.
pub fn write_csv(dest: &Path, frame: DataFrame) -> Result<()> {
    write_file(dest, &csv_bytes(dest, frame)?)
}

/// `frame` as CSV text with a header row, to be written to `dest` (named in errors).
pub fn csv_bytes(dest: &Path, mut frame: DataFrame) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    CsvWriter::new(&mut bytes).include_header(true).finish(&mut frame).map_err(polars_err(dest))?;
    Ok(bytes)
}

/// A temporary name beside `dest` (same folder, so a rename is atomic).
pub fn temporary_beside(dest: &Path) -> PathBuf {
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}
