//! Templates: pre-filled from an extract or blank, never overwriting, read back the same.
use super::support::*;
use crate::format::round_to;
use crate::submission::Submission;
use crate::workbook::{ABOUT, DEMAND, GUIDE, LISTS, STAFF, SUPPLY};
use crate::{TYPICAL_BANDS, TemplateOptions, read_submission, write_template};
use calamine::{Data, Reader, Xlsx};
use std::fs;
use wfcast_core::band::Band;

#[test]
fn a_template_is_pre_filled_from_the_extract_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let extract = extract_in(dir.path());
    let out = dir.path().join("templates");
    let options = TemplateOptions { baseline: Some(extract.clone()), ..TemplateOptions::new("raa") };
    let written = write_template(&options, &out).unwrap();
    assert_eq!(written, [out.join("RAA.xlsx"), out.join("RAA.toml")]);
    let sub = read_submission(&written[0]).unwrap();
    assert_eq!((sub.org_name.as_str(), sub.region.as_str()), ("Alpha Hospitals NHS Trust", "London"));
    assert_eq!(sub.new_roles, ["Robotics"]);
    let ds = sub.staff.iter().find(|r| r.role == "Data Science").unwrap();
    assert_eq!((ds.band, ds.headcount, ds.fte), (Band::B6, 4.0, 3.8));
    assert_eq!(ds.establishment_fte, round_to(3.8 / 0.92, 1));
    assert_eq!(sub.demand.len(), 2 * sub.staff.len());
    assert!(sub.demand.iter().all(|d| d.fte == [sub.establishment(&d.role, d.band); 5]));
    let from_toml = read_submission(&written[1]).unwrap();
    assert_eq!(Submission { path: sub.path.clone(), ..from_toml }, sub);
    // Never overwritten.
    let err = write_template(&options, &out).unwrap_err().to_string();
    assert_has(&err, &["RAA.xlsx", "exists"]);
    // The workbook has its sheets, its guide and its lists.
    let mut book: Xlsx<_> = calamine::open_workbook(&written[0]).unwrap();
    assert_eq!(book.sheet_names(), [ABOUT, STAFF, DEMAND, SUPPLY, GUIDE, LISTS]);
    let guide = book.worksheet_range(GUIDE).unwrap();
    let text: String = guide.cells().map(|(_, _, d)| d.to_string()).collect::<Vec<_>>().join(" ");
    assert_has(&text, &["FTE / (1 - 0.08)", "8a", "Blanks", "vacancy-fill"]);
}

#[test]
fn spellings_of_one_role_or_region_in_an_extract_are_one_name() {
    let dir = tempfile::tempdir().unwrap();
    let extract = dir.path().join("esr.csv");
    fs::write(
        &extract,
        "Org Code,Org Name,Region,Job Role,Band,Headcount\n\
         RAA,Alpha,London,DATA  science,6,3\nRAA,Alpha,london ,Robotics,5,2\nRAA,Alpha,London,ROBOTICS,5,1\n\
         RAA,Alpha,London,robotics ,6,1\nRAA,Alpha,LONDON,Robotics,6,4\n",
    )
    .unwrap();
    let options = TemplateOptions { baseline: Some(extract), ..TemplateOptions::new("RAA") };
    let written = write_template(&options, &dir.path().join("t")).unwrap();
    let sub = read_submission(&written[1]).unwrap();
    assert_eq!(sub.region, "London");
    assert_eq!(sub.new_roles, ["Robotics"]);
    let rows: Vec<(&str, Band, f64)> = sub.staff.iter().map(|r| (r.role.as_str(), r.band, r.headcount)).collect();
    assert_eq!(rows, [("Data Science", Band::B6, 3.0), ("Robotics", Band::B5, 3.0), ("Robotics", Band::B6, 5.0)]);
}

#[test]
fn an_org_not_in_the_extract_suggests_the_nearest_codes() {
    let dir = tempfile::tempdir().unwrap();
    let extract = extract_in(dir.path());
    let options = TemplateOptions { baseline: Some(extract), ..TemplateOptions::new("RAC") };
    let err = write_template(&options, dir.path()).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert_has(
        &err.to_string(),
        &["esr.csv", "`RAC` is not in the extract (3 organisations)", "RAA (Alpha Hospitals", "RAB"],
    );
    let options = TemplateOptions { baseline: Some(dir.path().join("esr.csv")), ..TemplateOptions::new("Beta") };
    assert_has(&write_template(&options, dir.path()).unwrap_err().to_string(), &["QXY (NHS Beta"]);
    let bad = TemplateOptions { futures: ["a b".into(), "c".into()], ..TemplateOptions::new("RAA") };
    assert_has(&write_template(&bad, dir.path()).unwrap_err().to_string(), &["`a b` is not a usable name"]);
    assert!(write_template(&TemplateOptions::new(""), dir.path()).unwrap_err().to_string().contains("empty"));
}

#[test]
fn a_template_without_an_extract_has_blank_rows_that_are_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let options = TemplateOptions {
        name: Some("Gamma".into()),
        region: Some("south east".into()),
        ..TemplateOptions::new("RGG")
    };
    let written = write_template(&options, dir.path()).unwrap();
    // Every staff row is blank, so nothing is filled in yet.
    let err = read_submission(&written[0]).unwrap_err().to_string();
    assert_has(&err, &["RGG.xlsx", "sheet Staff in post", "no staff in post"]);
    let err = read_submission(&written[1]).unwrap_err().to_string();
    assert_has(&err, &["RGG.toml", "key staff", "no staff in post"]);
    let text = fs::read_to_string(&written[1]).unwrap();
    assert_has(&text, &["region = \"South East\"", "# { role = \"Health Records\", band = \"2\""]);
    let mut book: Xlsx<_> = calamine::open_workbook(&written[0]).unwrap();
    let staff = book.worksheet_range(STAFF).unwrap();
    let rows = TYPICAL_BANDS.iter().map(|(_, b)| b.len()).sum::<usize>();
    assert_eq!(staff.get_value((rows as u32, 0)), Some(&Data::String("Systems & Software Development".into())));
}
