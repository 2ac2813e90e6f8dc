//! Aggregation: submissions read and checked together, summed into the national baseline
//! (`national.csv`) and the national scenarios, written together or not at all.
use polars::prelude::DataFrame;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use wfcast_core::error::{Error, Result};
use wfcast_core::names::Spellings;
use wfcast_core::scenario::SupplyKind;
use wfcast_io::export::write_files;

use crate::aggregation::{AGGREGATE_MARKER, AggregateOptions, AggregateReport, Baseline, Included, LeftOut};
use crate::format::{one_line, plain};
use crate::national::{Cells, common_scenario, future_scenario, header};
use crate::raw::extension;
use crate::read::read_submission;
use crate::submission::{Submission, kind_name};
use crate::validate::usable_future;

/// The submission files among `paths`: files as given, and the `.xlsx`, `.xlsm` and
/// `.toml` files of folders (sorted; Excel's `~$` lock files and hidden files skipped).
pub fn submission_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = fs::read_dir(p)
                .map_err(|e| Error::io(p, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    f.is_file()
                        && !name.starts_with("~$")
                        && !name.starts_with('.')
                        && matches!(extension(f).as_deref(), Some("xlsx" | "xlsm" | "toml"))
                })
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Reads every submission (folders give their `.xlsx` and `.toml` files) and writes the
/// national baseline and scenarios beside `out` (`DIR/national.toml`):
///
/// - `DIR/national.csv`: one row per organisation, role and band, columns
///   `org_code,org_name,region,role,band,headcount,fte,establishment_fte` (a row of zeros
///   where an organisation has demand or a pipeline entry but no staff, so every role it
///   names is in the grid);
/// - `DIR/national.toml`: the common scenario `national` (baseline `national.csv`,
///   2025-03 to 2030-03 monthly, 1,000 runs), the rates, the supply routes summed over
///   organisations, demand flat at the summed establishment (`[demand] growth = 0`), and a
///   comment header listing the organisations included (per region) and left out;
/// - `DIR/national-<future>.toml` for each future: `extends = "national.toml"` and that
///   future's demand as one `[[demand.change]]` per (role, band, region) and year: the
///   increase of the summed demand from 31 March of year y-1 to 31 March of y, from
///   `<y-1>-04` to `<y>-03`, so that a run's demand at each 31 March is exactly the sum of
///   the organisations' Demand cells.
///
/// Supply routes: rows of the same name (case aside) and kind are one national route.
/// Pipelines: intake = the starters summed; completion = the starters-weighted mean; one
/// entry per (role, band, region) with share = starters x completion, so the expected
/// entrants of each cell are exactly its organisations'; rows of one name with different
/// durations become separate routes named `<name> (<n> months)`; with duration 0 the
/// intake is starters x completion (straight into post). Intakes are spread evenly over
/// the year. Vacancy-fill: one route per name recruiting into the roles, bands and regions
/// its organisations name (every role or band when any row leaves it blank), fill rate
/// the mean weighted by each row's establishment in the cells it names.
///
/// Nothing is written unless every file can be: with an invalid submission and no
/// `skip_invalid`, the error is returned. The files are written to temporary names and
/// renamed into place together. An existing scenario file without the
/// [`AGGREGATE_MARKER`] line (not written by aggregate) is never replaced.
pub fn aggregate(paths: &[PathBuf], options: &AggregateOptions, out: &Path) -> Result<AggregateReport> {
    let stem = match (extension(out).as_deref(), out.file_stem().and_then(|s| s.to_str())) {
        (Some("toml"), Some(stem)) if usable_future(stem) => stem.to_string(),
        _ => {
            return Err(Error::input(
                out,
                "argument --out",
                "expected a scenario file name such as output/national/national.toml (letters, digits, `-` and `_`, ending in .toml)",
            ));
        }
    };
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    let files = submission_files(paths)?;
    if files.is_empty() {
        return Err(Error::input(
            "",
            "arguments",
            "no submissions: expected .xlsx or .toml files, or folders holding them",
        ));
    }
    let (mut subs, left_out, futures) = read_all(&files, options)?;
    unify_new_roles(&mut subs);
    let base = baseline(&subs);
    let demand = demand_by_future(&subs, &futures);
    let included: Vec<Included> = subs
        .iter()
        .map(|s| Included {
            path: s.path.clone(),
            org_code: s.org_code.clone(),
            org_name: s.org_name.clone(),
            region: s.region.clone(),
        })
        .collect();
    let header = header(&subs, &left_out);
    let csv_name = format!("{stem}.csv");
    let csv = baseline_csv(&dir.join(&csv_name), &base, &subs)?;
    let common = common_scenario(&stem, &futures, &subs, &base, &header, &csv_name, options)?;
    let mut outputs: Vec<(PathBuf, Vec<u8>)> =
        vec![(dir.join(&csv_name), csv), (dir.join(format!("{stem}.toml")), common.into_bytes())];
    for (fi, future) in futures.iter().enumerate() {
        let text = future_scenario(&stem, future, subs.len(), &header, &demand[fi]);
        outputs.push((dir.join(format!("{stem}-{future}.toml")), text.into_bytes()));
    }
    check_replaced(&outputs)?;
    fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let written: Vec<PathBuf> = outputs.iter().map(|(p, _)| p.clone()).collect();
    write_files(outputs)?;
    Ok(AggregateReport { included, left_out, futures, written })
}

/// Reads and checks every file: the submissions kept, those left out (with
/// [`AggregateOptions::skip_invalid`]) and the futures, as the first valid one names them.
fn read_all(files: &[PathBuf], options: &AggregateOptions) -> Result<(Vec<Submission>, Vec<LeftOut>, [String; 2])> {
    let mut subs: Vec<Submission> = Vec::new();
    let mut left_out: Vec<LeftOut> = Vec::new();
    let mut futures: Option<[String; 2]> = None;
    let mut route_kinds: BTreeMap<String, (SupplyKind, PathBuf)> = BTreeMap::new();
    for file in files {
        let checked = read_submission(file).and_then(|s| {
            if let Some(f) = &futures {
                let same = |a: &[String; 2], b: &[String; 2]| {
                    let set = |x: &[String; 2]| x.iter().map(|s| s.to_lowercase()).collect::<BTreeSet<_>>();
                    set(a) == set(b)
                };
                if !same(f, &s.futures) {
                    return Err(Error::input(
                        file,
                        "futures",
                        format!(
                            "names the futures `{}` and `{}`; the other submissions name `{}` and `{}`",
                            s.futures[0], s.futures[1], f[0], f[1]
                        ),
                    ));
                }
            }
            for r in &s.supply {
                if let Some((kind, other)) = route_kinds.get(&r.route.to_lowercase())
                    && *kind != r.kind
                {
                    return Err(Error::input(
                        file,
                        format!("route {}", r.route),
                        format!(
                            "is a {} here and a {} in {}: one national route has one kind; rename one of them",
                            kind_name(r.kind),
                            kind_name(*kind),
                            other.display()
                        ),
                    ));
                }
            }
            Ok(s)
        });
        match checked {
            Ok(s) => {
                if let Some(first) = subs.iter().find(|o| o.org_code == s.org_code) {
                    return Err(Error::input(
                        file,
                        "organisation code",
                        format!(
                            "{} is also the organisation code of {}: two submissions for one organisation; keep one",
                            s.org_code,
                            first.path.display()
                        ),
                    ));
                }
                futures.get_or_insert_with(|| s.futures.clone());
                for r in &s.supply {
                    route_kinds.entry(r.route.to_lowercase()).or_insert((r.kind, file.to_path_buf()));
                }
                subs.push(s);
            }
            Err(e) if options.skip_invalid => {
                left_out.push(LeftOut { path: file.to_path_buf(), error: one_line(&e.to_string()) })
            }
            Err(e) => return Err(e),
        }
    }
    let Some(futures) = futures else {
        return Err(Error::input(
            "",
            "arguments",
            format!("no valid submissions among the {} files: all were left out", files.len()),
        ));
    };
    Ok((subs, left_out, futures))
}

/// The national baseline: one row per organisation, role and band; a row of zeros where an
/// organisation has demand or a pipeline entry but no staff.
fn baseline(subs: &[Submission]) -> Baseline {
    let mut base = Baseline::new();
    for s in subs {
        for r in &s.staff {
            base.insert((s.org_code.clone(), r.role.clone(), r.band), [r.headcount, r.fte, r.establishment_fte]);
        }
        let extra = s.demand.iter().map(|d| (d.role.clone(), d.band)).chain(
            s.supply.iter().filter(|r| r.kind == SupplyKind::Pipeline).filter_map(|r| Some((r.role.clone()?, r.band?))),
        );
        for (role, band) in extra {
            base.entry((s.org_code.clone(), role, band)).or_insert([0.0; 3]);
        }
    }
    base
}

/// Demand per future and cell (role, band, region): [2025 (establishment), 2026, ..., 2030],
/// each submission's futures mapped onto the first's spelling and order.
fn demand_by_future(subs: &[Submission], futures: &[String; 2]) -> [Cells; 2] {
    let future_index = |name: &str| futures.iter().position(|f| f.eq_ignore_ascii_case(name)).expect("checked");
    let mut demand: [Cells; 2] = Default::default();
    for s in subs {
        for d in &s.demand {
            let cell = demand[future_index(&d.future)].entry((d.role.clone(), d.band, s.region.clone())).or_default();
            cell[0] += s.establishment(&d.role, d.band);
            for (k, v) in d.fte.iter().enumerate() {
                cell[k + 1] += v;
            }
        }
    }
    demand
}

/// `national.csv`: one row per organisation, role and band.
fn baseline_csv(path: &Path, base: &Baseline, subs: &[Submission]) -> Result<Vec<u8>> {
    let org_of: BTreeMap<&str, &Submission> = subs.iter().map(|s| (s.org_code.as_str(), s)).collect();
    let mut columns: [Vec<String>; 8] = Default::default();
    for ((org, role, band), [hc, fte, est]) in base {
        let s = org_of[org.as_str()];
        let row = [
            org.clone(),
            s.org_name.clone(),
            s.region.clone(),
            role.clone(),
            band.label().to_string(),
            plain(*hc),
            plain(*fte),
            plain(*est),
        ];
        for (column, value) in columns.iter_mut().zip(row) {
            column.push(value);
        }
    }
    let names = ["org_code", "org_name", "region", "role", "band", "headcount", "fte", "establishment_fte"];
    let frame = DataFrame::new_infer_height(
        names.iter().zip(columns).map(|(name, values)| polars::prelude::Column::new((*name).into(), values)).collect(),
    )
    .map_err(|e| Error::Run(format!("national baseline table: {e}")))?;
    wfcast_io::export::csv_bytes(path, frame)
}

/// Refuses to replace a scenario someone else wrote, or a CSV without the scenario beside it.
fn check_replaced(outputs: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    for (path, _) in outputs {
        if path.extension().is_some_and(|e| e == "toml") && path.exists() {
            let old = fs::read_to_string(path).unwrap_or_default();
            if !old.starts_with(AGGREGATE_MARKER) {
                return Err(Error::input(
                    path,
                    "",
                    "exists and was not written by `wfcast aggregate`: not replacing it; choose another --out",
                ));
            }
        }
    }
    let csv_path = &outputs[0].0;
    if csv_path.exists() && !outputs[1].0.exists() {
        return Err(Error::input(
            csv_path,
            "",
            "exists, without the national scenario aggregate writes beside it: not replacing it; choose another --out",
        ));
    }
    Ok(())
}

/// Spells each role the same in every submission: roles that are one name (case and spacing
/// aside, the rule of `wfcast_core::names`) take the spelling on most rows (staff, demand and
/// supply rows, over every submission; the first met among equals); national roles keep the
/// national spelling.
fn unify_new_roles(subs: &mut [Submission]) {
    let mut spelling = Spellings::known(crate::ROLES.iter().copied());
    for s in subs.iter() {
        let roles = s.staff.iter().map(|r| &r.role).chain(s.demand.iter().map(|d| &d.role));
        for role in roles.chain(s.supply.iter().filter_map(|r| r.role.as_ref())) {
            spelling.add(role);
        }
    }
    let fix = |role: &mut String| {
        if let Some(k) = spelling.kept(role)
            && k != role.as_str()
        {
            *role = k.to_string();
        }
    };
    for s in subs.iter_mut() {
        s.staff.iter_mut().for_each(|r| fix(&mut r.role));
        s.demand.iter_mut().for_each(|d| fix(&mut d.role));
        s.supply.iter_mut().filter_map(|r| r.role.as_mut()).for_each(fix);
        s.new_roles.iter_mut().for_each(fix);
    }
}
