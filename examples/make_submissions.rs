//! Writes the illustrative CIO toolkit submissions in `seeds/submissions/`: `cargo run --example make_submissions`.
//!
//! For each organisation below it does what a CIO would: takes the template `wfcast
//! template` writes for the organisation from the illustrative extract
//! (`seeds/esr_informatics_2025.csv`), opens it, fills in the Demand sheet for two futures
//! and a few supply routes, and saves it (most as `.xlsx`, a few as `.toml`). Every number
//! is made up by the rules in [`fill`]; nothing is random, so the files come out the same
//! on every run. See `seeds/submissions/README.md`.
use std::error::Error;
use std::fs;
use std::path::Path;
use wfcast_core::band::Band;
use wfcast_core::scenario::SupplyKind;
use wfcast_toolkit::{self as toolkit, DemandRow, Submission, SupplyRow, TemplateOptions};

/// The organisations: three or four per region, of every type and size, and whether the
/// CIO sends the TOML form instead of the workbook.
const ORGS: [(&str, bool); 23] = [
    // East of England: a university trust, a mental health trust, an integrated care board.
    ("RMF", false),
    ("REJ", false),
    ("QTJ", true),
    // London: a university trust, a commissioning support unit, the ambulance service, a community trust.
    ("RGQ", false),
    ("0DA", false),
    ("RG2", false),
    ("RDX", true),
    // Midlands: the largest teaching trust, a mental health trust, the ambulance service, an ICB.
    ("RQ9", false),
    ("RLJ", false),
    ("RWC", false),
    ("QDL", false),
    // North East and Yorkshire: a hospital trust, a partnership trust, an ICB.
    ("RXM", false),
    ("RH9", false),
    ("QPC", true),
    // North West: a commissioning support unit, a university trust, a mental health trust.
    ("0AA", false),
    ("RW8", false),
    ("RP8", false),
    // South East: a university trust, a partnership trust, a community trust.
    ("RKB", false),
    ("RY5", false),
    ("RNR", false),
    // South West: a hospital trust, the ambulance service, an ICB.
    ("RJ8", false),
    ("RV7", false),
    ("QLA", true),
];

/// Roles whose demand grows fastest in the accelerated future.
const DATA_AND_CYBER: [&str; 3] = ["Data Science", "Data Engineering", "Cyber Security"];

fn main() -> Result<(), Box<dyn Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let extract = root.join("seeds/esr_informatics_2025.csv");
    let out = root.join("seeds/submissions");
    fs::create_dir_all(&out)?;
    for entry in fs::read_dir(&out)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "xlsx" || e == "toml") {
            fs::remove_file(&path)?;
        }
    }
    let templates = tempfile::tempdir()?;
    for (i, (code, as_toml)) in ORGS.iter().enumerate() {
        let options = TemplateOptions { baseline: Some(extract.clone()), ..TemplateOptions::new(*code) };
        let files = toolkit::write_template(&options, templates.path())?;
        // Open the template's workbook as the CIO would, and fill it in.
        let mut sub = toolkit::read_submission(&files[0])?;
        fill(&mut sub, i);
        let dest = out.join(format!("{code}.{}", if *as_toml { "toml" } else { "xlsx" }));
        toolkit::write_submission(&sub, &dest)?;
        let headcount: f64 = sub.staff.iter().map(|s| s.headcount).sum();
        println!(
            "{}: {} ({}), {} staff in {} rows, {} demand rows, {} supply rows",
            dest.strip_prefix(root)?.display(),
            sub.org_name,
            sub.region,
            headcount,
            sub.staff.len(),
            sub.demand.len(),
            sub.supply.len()
        );
    }
    Ok(())
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Fills in the demand of both futures and the planned supply of organisation number `i`.
///
/// - `steady`: every role and band grows 2% a year from today's establishment.
/// - `accelerated`: 5.4% a year (about 1.69 times over ten years, as HEE's *Data Driven
///   Healthcare in 2030* implies), 9% for data science, data engineering and cyber
///   security; every fourth organisation also plans new product management posts.
/// - Supply: a graduate DDaT scheme in the larger organisations, digital apprenticeships
///   in the trusts, recruitment into vacancies everywhere, and international recruitment
///   of cyber security and data engineering staff in the largest.
fn fill(sub: &mut Submission, i: usize) {
    let [steady, accelerated] = sub.futures.clone();
    let establishment: Vec<f64> = sub.demand.iter().map(|d| sub.establishment(&d.role, d.band)).collect();
    for (d, est) in sub.demand.iter_mut().zip(establishment) {
        let growth = if d.future == steady {
            1.02
        } else if DATA_AND_CYBER.contains(&d.role.as_str()) {
            1.09
        } else {
            1.054
        };
        for (k, v) in d.fte.iter_mut().enumerate() {
            *v = round1(est * growth_pow(growth, k + 1));
        }
    }
    if i.is_multiple_of(4) && !sub.demand.iter().any(|d| d.role == "Product Management" && d.band == Band::B7) {
        sub.demand.push(DemandRow {
            role: "Product Management".into(),
            band: Band::B7,
            future: accelerated.clone(),
            fte: [1.0, 1.0, 2.0, 2.0, 3.0],
        });
    }

    let headcount: f64 = sub.staff.iter().map(|s| s.headcount).sum();
    let has = |role: &str| sub.staff.iter().any(|s| s.role == role);
    let mut supply = Vec::new();
    let pipeline = |route: &str, role: &str, band: Band, starters: f64, months: u32, completion: f64| SupplyRow {
        route: route.into(),
        kind: SupplyKind::Pipeline,
        role: Some(role.into()),
        band: Some(band),
        starters_per_year: Some(starters),
        duration_months: Some(months),
        completion_rate: Some(completion),
        fill_rate: None,
    };
    if headcount >= 400.0 {
        let graduates = (headcount / 400.0).round().clamp(1.0, 4.0);
        supply.push(pipeline(
            "Graduate DDaT scheme",
            "Business Intelligence & Analysis",
            Band::B6,
            graduates,
            24,
            0.85,
        ));
        if headcount >= 800.0 {
            supply.push(pipeline("Graduate DDaT scheme", "Data Science", Band::B6, 1.0, 24, 0.85));
        }
    }
    if sub.org_code.starts_with('R') {
        let apprentices = (headcount / 150.0).round().max(1.0);
        supply.push(pipeline(
            "Digital apprenticeships",
            "IT Service Desk & Operations",
            Band::B3,
            apprentices,
            18,
            0.7,
        ));
        if has("Clinical Coding") {
            supply.push(pipeline("Digital apprenticeships", "Clinical Coding", Band::B3, 1.0, 18, 0.7));
        }
    }
    supply.push(SupplyRow {
        route: "External recruitment".into(),
        kind: SupplyKind::VacancyFill,
        role: None,
        band: None,
        starters_per_year: None,
        duration_months: None,
        completion_rate: None,
        fill_rate: Some(0.65 + 0.05 * (i % 4) as f64),
    });
    if headcount >= 800.0 {
        for role in ["Cyber Security", "Data Engineering"] {
            supply.push(SupplyRow {
                route: "International recruitment".into(),
                kind: SupplyKind::VacancyFill,
                role: Some(role.into()),
                band: Some(Band::B7),
                starters_per_year: None,
                duration_months: None,
                completion_rate: None,
                fill_rate: Some(0.1),
            });
        }
    }
    sub.supply = supply;
}

fn growth_pow(growth: f64, years: usize) -> f64 {
    growth.powi(years as i32)
}
