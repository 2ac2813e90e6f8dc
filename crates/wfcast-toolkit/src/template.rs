//! Templates: the workbook and TOML an organisation fills in, pre-filled from an ESR extract
//! when one is given; and writing a submission back in either form.
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use wfcast_core::band::Band;
use wfcast_core::baseline::FTE_ROUNDING_PER_HEAD;
use wfcast_core::error::{Error, Result};
use wfcast_core::names::{Spellings, fold, same, tidy};
use wfcast_io::export::write_files;
use wfcast_io::table::{Table, Wanted};

use crate::format::round_to;
use crate::lists::PREFILL_VACANCY_RATE;
use crate::raw::extension;
use crate::submission::{DemandRow, StaffRow, Submission, empty_submission};
use crate::toml_form::blank_toml;
use crate::validate::{canonical_region, check_futures, check_org_code};
use crate::workbook::{workbook_bytes, xlsx_error};
use crate::{DEFAULT_FUTURES, ROLES, TYPICAL_BANDS};

/// What [`write_template`] writes for one organisation.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateOptions {
    /// Organisation code (ODS code, letters and digits); names the files `<ORG>.xlsx` and
    /// `<ORG>.toml`, and selects the organisation's rows of the extract.
    pub org: String,
    /// Organisation name; the extract's `Org Name` when `None` (blank without an extract).
    pub name: Option<String>,
    /// Region; the extract's `Region` when `None` (blank without an extract).
    pub region: Option<String>,
    /// An ESR extract (CSV or Parquet) with columns like `Org Code, Org Name, Region, Job
    /// Role, Band, Headcount, FTE` (see `seeds/esr_informatics_2025.csv`): the template is
    /// pre-filled from the organisation's rows. Without it, the Staff in post sheet lists
    /// the 20 national roles at their typical bands, with blanks.
    pub baseline: Option<PathBuf>,
    /// The two futures' names (letters, digits, `-` and `_`), e.g. [`DEFAULT_FUTURES`].
    pub futures: [String; 2],
}

impl TemplateOptions {
    /// Options for organisation `org`: no extract, the default futures.
    pub fn new(org: impl Into<String>) -> TemplateOptions {
        TemplateOptions {
            org: org.into(),
            name: None,
            region: None,
            baseline: None,
            futures: DEFAULT_FUTURES.map(String::from),
        }
    }
}

/// Writes `<ORG>.xlsx` and `<ORG>.toml` into `out_dir` (created if need be) and returns
/// their paths.
///
/// With an extract, both are pre-filled from the organisation's rows: staff in post summed
/// per role and band, establishment `FTE / (1 - 0.08)` rounded to one decimal, and demand
/// in every future equal to the establishment, so a CIO edits from today's level. Without
/// one, the workbook lists the national roles at their typical bands with blank cells, and
/// the TOML has those rows commented out.
///
/// Existing files are never overwritten (they may hold a CIO's work): if either file
/// exists, nothing is written and the error names it. Each file is written whole, through
/// a temporary name and a rename.
pub fn write_template(options: &TemplateOptions, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let org = check_org_code(&options.org)
        .map_err(|m| Error::input("", "argument org", format!("organisation code `{}`: {m}", options.org)))?;
    let futures = check_futures(&options.futures).map_err(|m| Error::input("", "argument futures", m))?;
    let (sub, made_from, blank_rows) = match &options.baseline {
        Some(extract) => {
            let (sub, rows) = template_from_extract(&org, extract, &futures, options)?;
            let from = format!(
                "ESR extract {} ({rows} rows for {org}); establishment = FTE / (1 - {PREFILL_VACANCY_RATE})",
                extract.display()
            );
            (sub, from, Vec::new())
        }
        None => {
            let mut sub = empty_submission(&org, &futures);
            sub.org_name = options.name.clone().unwrap_or_default();
            sub.region = options.region.clone().map(|r| canonical_region(&r).unwrap_or(r)).unwrap_or_default();
            let blank: Vec<(String, Band)> = TYPICAL_BANDS
                .iter()
                .flat_map(|(role, bands)| bands.iter().map(|b| (role.to_string(), Band::parse(b).expect("a band"))))
                .collect();
            (sub, "no extract: the national roles at their typical bands, blank".to_string(), blank)
        }
    };
    let xlsx = out_dir.join(format!("{org}.xlsx"));
    let toml = out_dir.join(format!("{org}.toml"));
    for path in [&xlsx, &toml] {
        if path.exists() {
            return Err(Error::input(
                path,
                "",
                "exists: a template never overwrites a file (it may hold a CIO's work); move it away or choose another folder",
            ));
        }
    }
    let book = workbook_bytes(&sub, &blank_rows, &made_from).map_err(|e| xlsx_error(&xlsx, e))?;
    let text = if blank_rows.is_empty() { sub.to_toml() } else { blank_toml(&sub, &blank_rows) };
    fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    write_files(vec![(xlsx.clone(), book), (toml.clone(), text.into_bytes())])?;
    Ok(vec![xlsx, toml])
}

/// Writes a submission as `.xlsx` (the template's layout) or `.toml`, chosen by the
/// extension of `path`, whole (through a temporary name and a rename). Unlike
/// [`write_template`], it replaces an existing file.
pub fn write_submission(sub: &Submission, path: &Path) -> Result<()> {
    let bytes = match extension(path).as_deref() {
        Some("xlsx") => workbook_bytes(sub, &[], "a submission written by wfcast").map_err(|e| xlsx_error(path, e))?,
        Some("toml") => sub.to_toml().into_bytes(),
        _ => {
            return Err(Error::input(path, "", "expected a file name ending in .xlsx or .toml"));
        }
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    write_files(vec![(path.to_path_buf(), bytes)])
}

/// The columns a template reads from an ESR extract.
const EXTRACT_COLUMNS: [Wanted; 7] = [
    Wanted {
        name: "org_code",
        spellings: &["org code", "organisation code", "organization code", "org", "ods code", "trust code"],
        required: true,
    },
    Wanted {
        name: "org_name",
        spellings: &["org name", "organisation name", "organization name", "trust name"],
        required: false,
    },
    Wanted {
        name: "region",
        spellings: &["region", "nhse region", "region name", "nhse region name"],
        required: false,
    },
    Wanted { name: "role", spellings: &["role", "job role", "specialism"], required: true },
    Wanted { name: "band", spellings: &["band", "afc band", "pay band", "agenda for change band"], required: true },
    Wanted { name: "headcount", spellings: &["headcount", "head count", "staff in post"], required: true },
    Wanted {
        name: "fte",
        spellings: &["fte", "wte", "full time equivalent", "whole time equivalent"],
        required: false,
    },
];

/// Builds the pre-filled submission of `org` from an extract; returns it and the number of
/// extract rows used.
fn template_from_extract(
    org: &str,
    extract: &Path,
    futures: &[String; 2],
    options: &TemplateOptions,
) -> Result<(Submission, usize)> {
    const ORG: usize = 0;
    const NAME: usize = 1;
    const REGION: usize = 2;
    const ROLE: usize = 3;
    const BAND: usize = 4;
    const HEADCOUNT: usize = 5;
    const FTE: usize = 6;
    let table = Table::read(extract, &EXTRACT_COLUMNS, "(organisation, role, band)")?;
    let mut codes: BTreeMap<String, (String, String)> = BTreeMap::new();
    // Cells by folded role (see `wfcast_core::names`), and the spellings met.
    let mut cells: BTreeMap<(String, Band), (f64, f64)> = BTreeMap::new();
    let mut spellings = Spellings::known(ROLES.iter().copied());
    let (mut name, mut region): (Option<String>, Option<(String, usize)>) = (None, None);
    let mut used = 0;
    for &row in table.rows() {
        let code = table.required(row, ORG, "expected an organisation code")?.to_ascii_uppercase();
        let row_name = table.text(row, NAME).unwrap_or_default().to_string();
        let row_region = table.text(row, REGION).unwrap_or_default().to_string();
        if code != org {
            codes.entry(code).or_insert((row_name, row_region));
            continue;
        }
        used += 1;
        if name.is_none() && !row_name.is_empty() {
            name = Some(row_name);
        }
        if !row_region.is_empty() {
            match &region {
                None => region = Some((row_region, row)),
                Some((first, at)) if !same(first, &row_region) => {
                    return Err(table.error(
                        row,
                        REGION,
                        format!(
                            "organisation {org} is in region `{row_region}` here and `{first}` at {}: an organisation is in one region",
                            table.at(*at, REGION)
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        let role = tidy(table.required(row, ROLE, "expected a job role")?);
        let band = table.band(row, BAND)?;
        let headcount = table.count(row, HEADCOUNT, "expected a whole number of people, 0 or more")?;
        let fte = if table.has(FTE) {
            let fte = table.number(row, FTE, "expected a number of FTE, 0 or more and at most the headcount")?;
            if fte > headcount * (1.0 + FTE_ROUNDING_PER_HEAD) + 1e-9 {
                return Err(table.error(
                    row,
                    FTE,
                    format!(
                        "fte {} > headcount {}; FTE can exceed headcount only by rounding ({FTE_ROUNDING_PER_HEAD} per head)",
                        table.text(row, FTE).unwrap_or_default(),
                        table.text(row, HEADCOUNT).unwrap_or_default()
                    ),
                ));
            }
            fte
        } else {
            headcount
        };
        // A national role keeps the list's spelling; another, its most common one here.
        spellings.add(&role);
        let cell = cells.entry((fold(&role), band)).or_default();
        cell.0 += headcount;
        cell.1 += fte;
    }
    let cells: BTreeMap<(String, Band), (f64, f64)> = cells
        .into_iter()
        .map(|((key, band), sums)| ((spellings.kept(&key).expect("tallied").to_string(), band), sums))
        .collect();
    if used == 0 {
        return Err(Error::input(extract, "column org_code", unknown_org(org, &codes)));
    }
    let mut sub = empty_submission(org, futures);
    sub.org_name = options.name.clone().or(name).unwrap_or_default();
    let region = options.region.clone().or(region.map(|r| r.0)).unwrap_or_default();
    sub.region = canonical_region(&region).unwrap_or(region);
    for ((role, band), (headcount, fte)) in cells {
        if !ROLES.contains(&role.as_str()) && !sub.new_roles.contains(&role) {
            sub.new_roles.push(role.clone());
        }
        let fte = round_to(fte, 4);
        let establishment_fte = round_to(fte / (1.0 - PREFILL_VACANCY_RATE), 1);
        sub.staff.push(StaffRow { role, band, headcount, fte, establishment_fte });
    }
    for future in futures {
        for s in &sub.staff {
            sub.demand.push(DemandRow {
                role: s.role.clone(),
                band: s.band,
                future: future.clone(),
                fte: [s.establishment_fte; 5],
            });
        }
    }
    Ok((sub, used))
}

/// The message for an organisation code that is not in the extract: the nearest codes
/// (by edit distance), and codes whose names contain what was typed.
fn unknown_org(org: &str, codes: &BTreeMap<String, (String, String)>) -> String {
    let mut scored: Vec<(usize, &String)> = codes.keys().map(|c| (strsim::levenshtein(org, c), c)).collect();
    scored.sort();
    let lower = org.to_lowercase();
    let mut near: Vec<&String> = codes
        .iter()
        .filter(|(_, (name, _))| lower.len() >= 3 && name.to_lowercase().contains(&lower))
        .map(|(c, _)| c)
        .collect();
    for (d, c) in &scored {
        if near.len() >= 5 || *d > 2 {
            break;
        }
        if !near.contains(c) {
            near.push(c);
        }
    }
    let describe = |c: &String| {
        let (name, region) = &codes[c];
        match (name.is_empty(), region.is_empty()) {
            (false, false) => format!("{c} ({name}, {region})"),
            (false, true) => format!("{c} ({name})"),
            _ => c.to_string(),
        }
    };
    let list = if near.is_empty() {
        let first: Vec<String> = codes.keys().take(10).map(|c| c.to_string()).collect();
        format!("codes include {}", first.join(", "))
    } else {
        format!("nearest: {}", near.iter().take(5).map(|c| describe(c)).collect::<Vec<_>>().join("; "))
    };
    format!("organisation `{org}` is not in the extract ({} organisations); {list}", codes.len())
}
