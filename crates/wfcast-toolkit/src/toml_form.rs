//! The TOML form of a submission: written with toml_edit (filled, or blank with the national
//! roles commented out) and read into the values a workbook gives, for the one validation of
//! both forms.
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml_edit::Value as TomlValue;
use wfcast_core::band::Band;
use wfcast_core::error::{Error, Result};
use wfcast_core::scenario::SupplyKind;

use crate::format::one_line;
use crate::raw::{Field, Form, Raw, Value};
use crate::submission::{DemandRow, Submission, SupplyRow, kind_name};
use crate::toml_doc::{TomlWriter, inline, number, rows};
use crate::validate::validate;
use crate::{BASELINE_MONTH, REGIONS, YEARS};

impl Submission {
    /// The submission as TOML (see the module documentation for the format).
    pub fn to_toml(&self) -> String {
        let mut w = TomlWriter::new();
        w.comment(&format!(
            "wfcast CIO toolkit submission of {} ({}), staff in post at 31 March 2025 and demand to 2030.",
            self.org_code,
            one_line(&self.org_name)
        ));
        w.comment(TOML_GUIDE);
        w.key("org_code", self.org_code.as_str());
        w.key("org_name", self.org_name.as_str());
        w.key("region", self.region.as_str());
        w.key("baseline_date", BASELINE_MONTH);
        w.key("futures", TomlValue::Array(self.futures.iter().map(String::as_str).collect()));
        w.key("new_roles", TomlValue::Array(self.new_roles.iter().map(String::as_str).collect()));
        w.blank();
        w.comment("Staff in post at 31 March 2025: one row per role and band.");
        let staff = self
            .staff
            .iter()
            .map(|s| staff_row(&s.role, s.band, [number(s.headcount), number(s.fte), number(s.establishment_fte)]));
        w.key("staff", rows(staff, &[]));
        w.blank();
        w.comment("FTE needed at 31 March of each year: one row per role, band and future.");
        w.key("demand", rows(self.demand.iter().map(|d| demand_row(d, number)), &[]));
        w.blank();
        w.comment("Planned supply routes.");
        w.key("supply", rows(self.supply.iter().map(supply_row), &[]));
        w.finish()
    }

    /// Reads a submission from TOML text (`path` names it in errors).
    pub fn from_toml(text: &str, path: &Path) -> Result<Submission> {
        let raw = raw_from_toml(text, path)?;
        validate(raw)
    }
}

/// The comment at the top of every TOML submission, after its first line.
const TOML_GUIDE: &str = "\
Fill in or correct the numbers, then send this file back (or the .xlsx; they hold the same).
staff: people in post at 31 March 2025 (headcount, a whole number), their FTE, and the
  funded establishment in FTE. Bands: 2, 3, 4, 5, 6, 7, 8a, 8b, 8c, 8d or 9.
demand: FTE needed at 31 March of each year, per future; a year left out means no change
  from the year before. A staff row without a demand row keeps today's establishment.
supply: kind = \"pipeline\" (role, band, starters_per_year; duration_months, default 0 =
  straight into post; completion_rate 0 to 1, default 1) or kind = \"vacancy-fill\"
  (fill_rate 0 to 1; role and band optional, all when left out).
Roles: the 20 national roles, or roles listed in new_roles. Unknown keys are refused.";

/// A staff row: role, band, then headcount, FTE and establishment.
fn staff_row(role: &str, band: Band, [headcount, fte, establishment]: [TomlValue; 3]) -> TomlValue {
    inline([
        ("role", role.into()),
        ("band", band.label().into()),
        ("headcount", headcount),
        ("fte", fte),
        ("establishment_fte", establishment),
    ])
}

/// A demand row, its FTE of each year written by `value`.
fn demand_row(d: &DemandRow, value: fn(f64) -> TomlValue) -> TomlValue {
    let years: Vec<String> = YEARS.iter().map(|y| y.to_string()).collect();
    let fte = inline(years.iter().zip(d.fte).map(|(y, v)| (y.as_str(), value(v))));
    inline([
        ("role", d.role.as_str().into()),
        ("band", d.band.label().into()),
        ("future", d.future.as_str().into()),
        ("fte", fte),
    ])
}

/// A supply row: route and kind, then the fields given.
fn supply_row(s: &SupplyRow) -> TomlValue {
    let mut fields: Vec<(&str, TomlValue)> =
        vec![("route", s.route.as_str().into()), ("kind", kind_name(s.kind).into())];
    if let Some(r) = &s.role {
        fields.push(("role", r.as_str().into()));
    }
    if let Some(b) = s.band {
        fields.push(("band", b.label().into()));
    }
    let numbers = [
        ("starters_per_year", s.starters_per_year),
        ("duration_months", s.duration_months.map(f64::from)),
        ("completion_rate", s.completion_rate),
        ("fill_rate", s.fill_rate),
    ];
    fields.extend(numbers.into_iter().filter_map(|(k, v)| Some((k, number(v?)))));
    inline(fields)
}

/// The TOML form of a template without an extract: the national roles at their typical
/// bands, and examples of demand and supply, commented out.
pub(crate) fn blank_toml(sub: &Submission, blank: &[(String, Band)]) -> String {
    let mut w = TomlWriter::new();
    w.comment(&format!(
        "wfcast CIO toolkit submission of {}: staff in post at 31 March 2025 and demand to 2030.",
        sub.org_code
    ));
    w.comment(TOML_GUIDE);
    w.key("org_code", sub.org_code.as_str());
    w.key_noted("org_name", sub.org_name.as_str(), "fill in");
    w.key_noted("region", sub.region.as_str(), &format!("one of: {}", REGIONS.join(", ")));
    w.key("baseline_date", BASELINE_MONTH);
    w.key("futures", TomlValue::Array(sub.futures.iter().map(String::as_str).collect()));
    w.key("new_roles", TomlValue::Array(toml_edit::Array::new()));
    w.blank();
    w.comment("Staff in post at 31 March 2025: uncomment the rows you have and fill in the numbers.");
    let staff: Vec<TomlValue> =
        blank.iter().map(|(role, band)| staff_row(role, *band, [0.into(), 0.0.into(), 0.0.into()])).collect();
    w.key("staff", rows([], &staff));
    w.blank();
    w.comment("FTE needed at 31 March of each year, per future (rows left out: today's establishment).");
    let example =
        DemandRow { role: "Data Science".into(), band: Band::B7, future: sub.futures[0].clone(), fte: [0.0; 5] };
    w.key("demand", rows([], &[demand_row(&example, TomlValue::from)]));
    w.blank();
    w.comment("Planned supply routes.");
    let graduates = SupplyRow {
        route: "Graduate DDaT scheme".into(),
        kind: SupplyKind::Pipeline,
        role: Some("Data Science".into()),
        band: Some(Band::B6),
        starters_per_year: Some(2.0),
        duration_months: Some(24),
        completion_rate: Some(0.85),
        fill_rate: None,
    };
    let recruitment = SupplyRow {
        route: "External recruitment".into(),
        kind: SupplyKind::VacancyFill,
        role: None,
        band: None,
        starters_per_year: None,
        duration_months: None,
        completion_rate: None,
        fill_rate: Some(0.7),
    };
    w.key("supply", rows([], &[supply_row(&graduates), supply_row(&recruitment)]));
    w.finish()
}

/// A band in TOML: a string (`"8a"`, `"Band 5"`) or a whole number (`5`).
#[derive(Clone, Debug, PartialEq)]
struct BandText(Value);

impl<'de> Deserialize<'de> for BandText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = BandText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an AfC band such as \"5\" or \"8a\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<BandText, E> {
                Ok(BandText(if v.trim().is_empty() { Value::Blank } else { Value::Text(v.trim().to_string()) }))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<BandText, E> {
                Ok(BandText(Value::Number(v as f64)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<BandText, E> {
                Ok(BandText(Value::Number(v as f64)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<BandText, E> {
                Ok(BandText(Value::Number(v)))
            }
        }
        d.deserialize_any(V)
    }
}

/// The TOML submission as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSubmission {
    org_code: String,
    org_name: String,
    region: String,
    #[serde(default)]
    baseline_date: Option<String>,
    futures: Vec<String>,
    #[serde(default)]
    new_roles: Vec<String>,
    #[serde(default)]
    staff: Vec<FileStaff>,
    #[serde(default)]
    demand: Vec<FileDemand>,
    #[serde(default)]
    supply: Vec<FileSupply>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStaff {
    role: String,
    band: BandText,
    headcount: f64,
    fte: f64,
    establishment_fte: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDemand {
    role: String,
    band: BandText,
    future: String,
    fte: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSupply {
    route: String,
    kind: String,
    role: Option<String>,
    band: Option<BandText>,
    starters_per_year: Option<f64>,
    duration_months: Option<f64>,
    completion_rate: Option<f64>,
    fill_rate: Option<f64>,
}

/// A TOML submission as found: every key a [`Field`] named by its key path.
fn raw_from_toml(text: &str, path: &Path) -> Result<Raw> {
    let file: FileSubmission = toml::from_str(text).map_err(|e| Error::toml(path, text, &e))?;
    let key = |k: String, v: Value| Field {
        what: k.rsplit('.').next().unwrap_or(&k).to_string(),
        at: format!("key {k}"),
        value: v,
    };
    let text_value = |s: &str| if s.trim().is_empty() { Value::Blank } else { Value::Text(s.trim().to_string()) };
    let opt = |v: Option<f64>| v.map_or(Value::Blank, Value::Number);
    let staff = file
        .staff
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let k = |n: &str| format!("staff[{i}].{n}");
            vec![
                key(k("role"), text_value(&s.role)),
                key(k("band"), s.band.0.clone()),
                key(k("headcount"), Value::Number(s.headcount)),
                key(k("fte"), Value::Number(s.fte)),
                key(k("establishment_fte"), Value::Number(s.establishment_fte)),
            ]
        })
        .collect();
    let mut demand = Vec::new();
    for (i, d) in file.demand.iter().enumerate() {
        let k = |n: &str| format!("demand[{i}].{n}");
        if let Some(bad) = d.fte.keys().find(|y| !YEARS.iter().any(|year| year.to_string() == **y)) {
            return Err(Error::input(
                path,
                format!("key demand[{i}].fte.{bad}"),
                format!("`{bad}` is not a year of the toolkit: expected 2026, 2027, 2028, 2029 or 2030"),
            ));
        }
        let mut row = vec![
            key(k("role"), text_value(&d.role)),
            key(k("band"), d.band.0.clone()),
            key(k("future"), text_value(&d.future)),
        ];
        for y in YEARS {
            row.push(key(format!("demand[{i}].fte.{y}"), opt(d.fte.get(&y.to_string()).copied())));
        }
        demand.push(row);
    }
    let supply = file
        .supply
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let k = |n: &str| format!("supply[{i}].{n}");
            vec![
                key(k("route"), text_value(&s.route)),
                key(k("kind"), text_value(&s.kind)),
                key(k("role"), s.role.as_deref().map_or(Value::Blank, text_value)),
                key(k("band"), s.band.clone().map_or(Value::Blank, |b| b.0)),
                key(k("starters_per_year"), opt(s.starters_per_year)),
                key(k("duration_months"), opt(s.duration_months)),
                key(k("completion_rate"), opt(s.completion_rate)),
                key(k("fill_rate"), opt(s.fill_rate)),
            ]
        })
        .collect();
    Ok(Raw {
        path: path.to_path_buf(),
        form: Form::Toml,
        org_code: key("org_code".into(), text_value(&file.org_code)),
        org_name: key("org_name".into(), text_value(&file.org_name)),
        region: key("region".into(), text_value(&file.region)),
        futures_at: "key futures".into(),
        futures: file.futures.iter().enumerate().map(|(i, f)| key(format!("futures[{i}]"), text_value(f))).collect(),
        new_roles: file
            .new_roles
            .iter()
            .enumerate()
            .map(|(i, r)| key(format!("new_roles[{i}]"), text_value(r)))
            .collect(),
        baseline_date: file.baseline_date.as_deref().map(|d| key("baseline_date".into(), text_value(d))),
        staff_at: "key staff".into(),
        staff,
        demand,
        supply,
    })
}
