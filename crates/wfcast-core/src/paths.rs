//! Paths that do not lead to a file: what is wrong, and the nearest existing file or folder.
//!
//! Every "does not exist" message of wfcast (a scenario's `baseline`, `cost.pay`, `families`
//! or `extends`, a path on the command line) is made here, so that each names the path as it
//! was resolved and suggests what is there instead, never an operating-system message alone.
use crate::error::{Error, Result};
use crate::grid::nearest;
use std::path::{Component, Path, PathBuf};

/// Extensions of a scenario file.
pub const SCENARIO: &[&str] = &["toml"];
/// Extensions of a table wfcast reads (a baseline, a history): CSV or Parquet.
pub const TABLE: &[&str] = &["csv", "parquet", "pq", "txt", "tsv"];
/// Extensions of a CSV file (a pay table, a role families mapping).
pub const CSV: &[&str] = &["csv", "txt", "tsv"];
/// Extensions of a CIO toolkit submission.
pub const SUBMISSION: &[&str] = &["xlsx", "toml"];

/// How many names a message lists when none is close to the one given.
const LISTED: usize = 8;

/// Why `path` is not a file wfcast can read, or `None` when it is one. The message starts
/// with the path (`` `seeds/esr_2024.csv` does not exist``) and ends with the nearest file of
/// its folder with one of `extensions` (`did you mean `seeds/esr_informatics_2025.csv`?`),
/// the files that are there, or the nearest existing folder when the folder itself is missing.
pub fn missing_file(path: &Path, extensions: &[&str]) -> Option<String> {
    if path.is_file() {
        return None;
    }
    let shown = shown(path);
    if path.is_dir() {
        return Some(format!("`{}` is a folder: expected a file", shown.display()));
    }
    let fits = |p: &Path| {
        p.is_file()
            && p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
    };
    Some(missing(path, &shown, "file", &fits, &describe(extensions)))
}

/// Refuses the file that `key` of the scenario file `scenario` names, `resolved` (relative
/// paths resolved against the scenario's folder), when it is not a file: an input error
/// naming the scenario, the key, the resolved path and the nearest file of its folder with
/// one of `extensions`, and the value as written when it was relative.
pub fn named_file(scenario: &Path, key: &str, resolved: &Path, extensions: &[&str]) -> Result<()> {
    let Some(why) = missing_file(resolved, extensions) else {
        return Ok(());
    };
    let dir = folder_of(scenario);
    let head = format!("`{}`", shown(resolved).display());
    let written = resolved
        .strip_prefix(&dir)
        .ok()
        .filter(|w| !dir.as_os_str().is_empty() && format!("`{}`", w.display()) != head);
    let message = match written {
        Some(w) if why.starts_with(&head) => {
            format!("`{}`, read from the scenario's folder as {head},{}", w.display(), &why[head.len()..])
        }
        _ => why,
    };
    Err(Error::input(scenario, format!("key {key}"), message))
}

/// Why `path` is not a folder, or `None` when it is one: as [`missing_file`], with the
/// nearest folder of its parent folder.
pub fn missing_folder(path: &Path) -> Option<String> {
    if path.is_dir() {
        return None;
    }
    let shown = shown(path);
    if path.exists() {
        return Some(format!("`{}` is a file: expected a folder", shown.display()));
    }
    Some(missing(path, &shown, "folder", &|p: &Path| p.is_dir(), "folder"))
}

/// The message for a `path` (shown as `shown`) that does not exist: the nearest of the
/// entries of its folder that `fits` (`what` they are, for the message), or what is missing
/// above it.
fn missing(path: &Path, shown: &Path, kind: &str, fits: &dyn Fn(&Path) -> bool, what: &str) -> String {
    let head = format!("`{}` does not exist", shown.display());
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (dir, shown_dir) = (folder_of(path), folder_of(shown));
    if !dir.as_os_str().is_empty() && !dir.is_dir() {
        return format!("{head}: {}", missing_ancestor(&shown_dir));
    }
    let entries = entries(&dir, fits);
    if let Some(n) = nearest(&name, &entries) {
        return format!("{head} (did you mean `{}`?)", shown_dir.join(n).display());
    }
    let place = if shown_dir.as_os_str().is_empty() {
        "the current folder".to_string()
    } else {
        format!("`{}`", shown_dir.display())
    };
    match entries.len() {
        0 => format!("{head}, and {place} holds no {what}"),
        n if n <= LISTED => format!("{head}; the {}s in {place} are: {}", kind, quoted(&entries)),
        n => format!("{head}; {place} holds {n} {kind}s, none named like it: {}, ...", quoted(&entries[..LISTED])),
    }
}

/// What to say of a folder `dir` that does not exist: the first missing folder on the way to
/// it, the nearest existing folder above it, and the folder there named most like it.
fn missing_ancestor(dir: &Path) -> String {
    let mut missing = dir.to_path_buf();
    let mut above = folder_of(&missing);
    while !above.is_dir() && above.components().next().is_some() {
        missing = above.clone();
        above = folder_of(&missing);
    }
    let here =
        if above.as_os_str().is_empty() { "the current folder".to_string() } else { format!("`{}`", above.display()) };
    let name = missing.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut text = format!("there is no folder `{}`; the nearest existing folder is {here}", missing.display());
    let folders = entries(if above.as_os_str().is_empty() { Path::new(".") } else { &above }, &|p: &Path| p.is_dir());
    if let Some(n) = nearest(&name, &folders) {
        text.push_str(&format!(" (did you mean `{}`?)", above.join(n).display()));
    }
    text
}

/// The folder that holds `path` (empty for a bare name: the current folder).
fn folder_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The names of the entries of `dir` that `fits`, sorted; hidden entries left out.
fn entries(dir: &Path, fits: &dyn Fn(&Path) -> bool) -> Vec<String> {
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| fits(&e.path()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// `path` as it is best shown: `a/../b` as `b` and `./a` as `a`, when that names the same
/// folder (it does not when `a` is a link to a folder elsewhere).
fn shown(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    let same = |a: &Path, b: &Path| {
        let real = |p: &Path| if p.as_os_str().is_empty() { Path::new(".").canonicalize() } else { p.canonicalize() };
        match (real(a), real(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    };
    // Compare the deepest folders that exist on both ways, so that a missing folder is shown
    // short too.
    let (mut a, mut b) = (folder_of(path), folder_of(&out));
    while !a.as_os_str().is_empty() && !a.is_dir() {
        a = folder_of(&a);
        b = folder_of(&b);
    }
    if out.as_os_str().is_empty() || !same(&a, &b) { path.to_path_buf() } else { out }
}

/// `a.csv or .parquet file`-style words for `extensions`.
fn describe(extensions: &[&str]) -> String {
    let list: Vec<String> = extensions.iter().map(|e| format!(".{e}")).collect();
    match list.split_last() {
        Some((last, [])) => format!("{last} file"),
        Some((last, rest)) => format!("{} or {last} file", rest.join(", ")),
        None => "file".into(),
    }
}

/// Names in backquotes, separated by commas.
fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn a_missing_file_gets_the_nearest_file_of_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let seeds = dir.path().join("seeds");
        fs::create_dir(&seeds).unwrap();
        fs::write(seeds.join("esr_informatics_2025.csv"), "x").unwrap();
        fs::write(seeds.join("esr_informatics_2024.toml"), "x").unwrap();
        let asked = dir.path().join("scenarios/../seeds/esr_informatics_2024.csv");
        fs::create_dir(dir.path().join("scenarios")).unwrap();
        let m = missing_file(&asked, TABLE).unwrap();
        let want = seeds.join("esr_informatics_2025.csv");
        assert!(m.contains(&format!("did you mean `{}`?", want.display())), "{m}");
        assert!(
            m.starts_with(&format!("`{}` does not exist", seeds.join("esr_informatics_2024.csv").display())),
            "{m}"
        );
        assert_eq!(missing_file(&want, TABLE), None);
        assert!(missing_file(&seeds, TABLE).unwrap().contains("is a folder"));
    }

    #[test]
    fn with_nothing_close_the_files_there_are_listed_and_a_missing_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("pay.csv"), "x").unwrap();
        let m = missing_file(&dir.path().join("zzzz.csv"), CSV).unwrap();
        assert!(m.contains("are: `pay.csv`"), "{m}");
        let m = missing_file(&dir.path().join("zzzz.toml"), SCENARIO).unwrap();
        assert!(m.contains("holds no .toml file"), "{m}");
        fs::create_dir(dir.path().join("seeds")).unwrap();
        let m = missing_file(&dir.path().join("seed/more/pay.csv"), CSV).unwrap();
        let (no, near) = (dir.path().join("seed"), dir.path().join("seeds"));
        assert!(m.contains(&format!("there is no folder `{}`", no.display())), "{m}");
        assert!(m.contains(&format!("the nearest existing folder is `{}`", dir.path().display())), "{m}");
        assert!(m.contains(&format!("did you mean `{}`?", near.display())), "{m}");
        assert!(missing_folder(&dir.path().join("seedz")).unwrap().contains("did you mean"));
        assert_eq!(missing_folder(dir.path()), None);
    }
}
