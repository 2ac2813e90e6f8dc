//! The one validation of both forms: every value checked, names made canonical, blanks
//! resolved, with errors naming the file, the sheet and cell (or the TOML key), the value
//! found and what was expected.
use std::collections::BTreeMap;
use std::path::Path;
use wfcast_core::band::{BAND_HELP, Band};
use wfcast_core::baseline::FTE_ROUNDING_PER_HEAD;
use wfcast_core::error::{Error, Result};
use wfcast_core::grid::nearest;
use wfcast_core::names::{same, tidy};
use wfcast_core::scenario::SupplyKind;
use wfcast_io::table::normalise_header;

use crate::raw::{
    Field, Form, P_BAND, P_COMPLETION, P_DURATION, P_FILL, P_KIND, P_ROLE, P_ROUTE, P_STARTERS, Raw, S_BAND,
    S_ESTABLISHMENT, S_FTE, S_HEADCOUNT, S_ROLE, Value,
};
use crate::submission::{DemandRow, StaffRow, Submission, SupplyRow, kind_name};
use crate::{BASELINE_MONTH, REGIONS, ROLES};

/// A number as people write it: whole numbers without decimals.
pub(crate) fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{x:.0}") } else { format!("{x}") }
}

/// The checks every value goes through, with messages naming the file, place and value.
struct Check<'a> {
    path: &'a Path,
    form: Form,
}

const HEADCOUNT_HELP: &str = "expected a whole number of people, 0 or more";
const FTE_HELP: &str = "expected a number of FTE, 0 or more";
const RATE_HELP: &str = "expected a share between 0 and 1 (0.85, or 85% in Excel)";

impl Check<'_> {
    fn err(&self, f: &Field, message: impl Into<String>) -> Error {
        Error::input(self.path, &f.at, message)
    }

    /// Text, or `None` when blank; a number is taken as its digits.
    fn text(&self, f: &Field, help: &str) -> Result<Option<String>> {
        match &f.value {
            Value::Blank => Ok(None),
            Value::Text(t) => Ok(Some(t.clone())),
            Value::Number(x) => Ok(Some(fmt_num(*x))),
            Value::Other(d) => Err(self.err(f, format!("{} is {d}; {help}", f.what))),
        }
    }

    fn required_text(&self, f: &Field, help: &str) -> Result<String> {
        self.text(f, help)?.ok_or_else(|| self.err(f, format!("{} is blank; {help}", f.what)))
    }

    /// A number 0 or more, or `None` when blank; `share` also reads `85%`.
    fn number(&self, f: &Field, help: &str, share: bool) -> Result<Option<f64>> {
        let (value, shown) = match &f.value {
            Value::Blank => return Ok(None),
            Value::Number(x) => (Some(*x), fmt_num(*x)),
            Value::Text(t) => {
                let parsed = match t.strip_suffix('%') {
                    Some(p) if share => p.trim().parse::<f64>().ok().map(|v| v / 100.0),
                    _ => t.parse::<f64>().ok(),
                };
                (parsed, t.clone())
            }
            Value::Other(d) => return Err(self.err(f, format!("{} is {d}, not a number; {help}", f.what))),
        };
        let value = value
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.err(f, format!("{} `{shown}` is not a number; {help}", f.what)))?;
        if value < 0.0 {
            return Err(self.err(f, format!("{} `{shown}` is negative; {help}", f.what)));
        }
        if share && value > 1.0 {
            return Err(self.err(f, format!("{} `{shown}` is above 1 (100%); {help}", f.what)));
        }
        Ok(Some(value))
    }

    fn required_number(&self, f: &Field, help: &str) -> Result<f64> {
        self.number(f, help, false)?.ok_or_else(|| self.err(f, format!("{} is blank; {help}", f.what)))
    }

    fn whole(&self, f: &Field, help: &str) -> Result<Option<f64>> {
        let v = self.number(f, help, false)?;
        if let Some(x) = v
            && x.fract() != 0.0
        {
            return Err(self.err(f, format!("{} `{}` is not a whole number; {help}", f.what, fmt_num(x))));
        }
        Ok(v)
    }

    fn band(&self, f: &Field) -> Result<Option<Band>> {
        let help = format!("expected {BAND_HELP}");
        let Some(text) = self.text(f, &help)? else { return Ok(None) };
        Band::parse(&text)
            .map(Some)
            .ok_or_else(|| self.err(f, format!("{} `{text}` is not an AfC band; {help}", f.what)))
    }

    fn required_band(&self, f: &Field) -> Result<Band> {
        self.band(f)?.ok_or_else(|| self.err(f, format!("{} is blank; expected {BAND_HELP}", f.what)))
    }

    /// Where new roles are declared, for messages.
    fn new_roles_place(&self) -> &'static str {
        match self.form {
            Form::Workbook => "under New roles on the About sheet",
            Form::Toml => "in `new_roles`",
        }
    }

    /// A role: a national role or a declared new role (case and repeated spaces aside),
    /// in its canonical spelling.
    fn role(&self, f: &Field, new_roles: &[String]) -> Result<Option<String>> {
        let help = "expected a role name";
        let Some(text) = self.text(f, help)? else { return Ok(None) };
        let name = tidy(&text);
        let known = ROLES.iter().map(|r| r.to_string()).chain(new_roles.iter().cloned()).collect::<Vec<_>>();
        if let Some(k) = known.iter().find(|k| same(k, &name)) {
            return Ok(Some(k.clone()));
        }
        let hint = match nearest(&name, &known) {
            Some(n) => format!("did you mean `{n}`? "),
            None => format!("the national roles are {}; ", ROLES.join(", ")),
        };
        Err(self.err(
            f,
            format!(
                "{} `{text}` is not a known role: {hint}a new role must be listed {} first",
                f.what,
                self.new_roles_place()
            ),
        ))
    }

    fn required_role(&self, f: &Field, new_roles: &[String]) -> Result<String> {
        self.role(f, new_roles)?.ok_or_else(|| self.err(f, format!("{} is blank; expected a role name", f.what)))
    }
}

/// The canonical spelling of a region (case and spacing aside, as [`same`] compares), if it
/// is one of the seven.
pub(crate) fn canonical_region(s: &str) -> Option<String> {
    REGIONS.iter().find(|r| same(r, s)).map(|r| r.to_string())
}

/// An organisation code: letters and digits, at most 16, upper-cased.
pub(crate) fn check_org_code(code: &str) -> std::result::Result<String, String> {
    let code = code.trim();
    if code.is_empty() {
        return Err("is empty: expected the organisation's ODS code, e.g. RXX".into());
    }
    if code.len() > 16 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("expected an ODS code of letters and digits, e.g. RXX".into());
    }
    Ok(code.to_ascii_uppercase())
}

/// A future's name must be usable in a scenario name (`national-<future>`).
pub(crate) fn usable_future(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The futures of a template, checked usable and different, trimmed.
pub(crate) fn check_futures(futures: &[String; 2]) -> std::result::Result<[String; 2], String> {
    for f in futures {
        if !usable_future(f.trim()) {
            return Err(format!(
                "future `{f}` is not a usable name: use letters, digits, `-` and `_` (it names the national scenario `national-{f}`)"
            ));
        }
    }
    if futures[0].trim().eq_ignore_ascii_case(futures[1].trim()) {
        return Err(format!("the two futures are both called `{}`: expected two different names", futures[0]));
    }
    Ok(futures.clone().map(|f| f.trim().to_string()))
}

/// Checks a submission as found and builds the [`Submission`].
pub(crate) fn validate(raw: Raw) -> Result<Submission> {
    let c = Check { path: &raw.path, form: raw.form };
    let (org_code, org_name, region) = about(&c, &raw)?;
    let futures = futures(&c, &raw)?;
    let new_roles = new_roles(&c, &raw)?;
    let staff = staff(&c, &raw, &new_roles)?;
    let demand = demand(&c, &raw, &new_roles, &futures, &staff)?;
    let supply = supply(&c, &raw, &new_roles)?;
    Ok(Submission { path: raw.path.clone(), org_code, org_name, region, futures, new_roles, staff, demand, supply })
}

/// The organisation code, name and region (and the baseline date, when given).
fn about(c: &Check, raw: &Raw) -> Result<(String, String, String)> {
    let org_text = c.text(&raw.org_code, "expected the organisation's ODS code")?.unwrap_or_default();
    let org_code = check_org_code(&org_text).map_err(|m| c.err(&raw.org_code, format!("{} {m}", raw.org_code.what)))?;
    let org_name = c.required_text(&raw.org_name, "expected the organisation's name")?;
    let region_text =
        c.required_text(&raw.region, &format!("expected one of the NHS England regions: {}", REGIONS.join(", ")))?;
    let region = canonical_region(&region_text).ok_or_else(|| {
        let known: Vec<String> = REGIONS.iter().map(|r| r.to_string()).collect();
        let hint = match nearest(&region_text, &known) {
            Some(n) => format!("did you mean `{n}`? "),
            None => String::new(),
        };
        c.err(
            &raw.region,
            format!(
                "{} `{region_text}` is not an NHS England region: {hint}expected one of {}",
                raw.region.what,
                REGIONS.join(", ")
            ),
        )
    })?;
    if let Some(d) = &raw.baseline_date {
        let text = c.text(d, "expected 2025-03")?.unwrap_or_default();
        if text != BASELINE_MONTH {
            return Err(c.err(d, format!("baseline_date `{text}`: the toolkit describes staff in post at 31 March 2025: expected `{BASELINE_MONTH}`")));
        }
    }
    Ok((org_code, org_name, region))
}

/// The two futures' names, checked usable and different.
fn futures(c: &Check, raw: &Raw) -> Result<[String; 2]> {
    if raw.futures.len() != 2 {
        return Err(Error::input(
            &raw.path,
            &raw.futures_at,
            format!("{} futures given: expected the two futures named by the national team", raw.futures.len()),
        ));
    }
    let mut futures = [String::new(), String::new()];
    for (i, f) in raw.futures.iter().enumerate() {
        let name = c.required_text(f, "expected the future's name")?;
        if !usable_future(&name) {
            return Err(c.err(f, format!("future `{name}` is not a usable name: use letters, digits, `-` and `_`")));
        }
        futures[i] = name;
    }
    if futures[0].eq_ignore_ascii_case(&futures[1]) {
        return Err(
            c.err(&raw.futures[1], format!("both futures are called `{}`: expected two different names", futures[1]))
        );
    }
    Ok(futures)
}

/// The new roles, in the order declared (case aside, once each).
fn new_roles(c: &Check, raw: &Raw) -> Result<Vec<String>> {
    let mut new_roles: Vec<String> = Vec::new();
    for f in &raw.new_roles {
        let Some(name) = c.text(f, "expected role names separated by semicolons")? else { continue };
        let name = tidy(&name);
        if let Some(national) = ROLES.iter().find(|r| same(r, &name)) {
            return Err(c.err(
                f,
                format!("new role `{name}` is already the national role `{national}`: remove it from the new roles"),
            ));
        }
        if !new_roles.iter().any(|r| same(r, &name)) {
            new_roles.push(name);
        }
    }
    Ok(new_roles)
}

/// The staff in post rows (all-blank rows left out).
fn staff(c: &Check, raw: &Raw, new_roles: &[String]) -> Result<Vec<StaffRow>> {
    let mut staff: Vec<StaffRow> = Vec::new();
    let mut staff_at: BTreeMap<(String, Band), String> = BTreeMap::new();
    for row in &raw.staff {
        if row[S_HEADCOUNT..].iter().all(Field::is_blank) {
            continue;
        }
        let role = c.required_role(&row[S_ROLE], new_roles)?;
        let band = c.required_band(&row[S_BAND])?;
        let headcount = c.whole(&row[S_HEADCOUNT], HEADCOUNT_HELP)?.ok_or_else(|| {
            c.err(
                &row[S_HEADCOUNT],
                format!("{} is blank; {HEADCOUNT_HELP} (write 0 for nobody in post)", row[S_HEADCOUNT].what),
            )
        })?;
        let fte = c.required_number(&row[S_FTE], &format!("{FTE_HELP} and at most the headcount"))?;
        if fte > headcount * (1.0 + FTE_ROUNDING_PER_HEAD) + 1e-9 {
            return Err(c.err(
                &row[S_FTE],
                format!(
                    "{} {} is above the headcount {}: FTE can exceed headcount only by rounding ({FTE_ROUNDING_PER_HEAD} per head)",
                    row[S_FTE].what,
                    fmt_num(fte),
                    fmt_num(headcount)
                ),
            ));
        }
        let establishment_fte =
            c.required_number(&row[S_ESTABLISHMENT], "expected the funded establishment in FTE, 0 or more")?;
        if let Some(first) = staff_at.get(&(role.clone(), band)) {
            return Err(c.err(
                &row[S_ROLE],
                format!(
                    "a second row for {role} band {band} (the first is at {first}): expected one row per role and band"
                ),
            ));
        }
        staff_at.insert((role.clone(), band), row[S_ROLE].at.clone());
        staff.push(StaffRow { role, band, headcount, fte, establishment_fte });
    }
    Ok(staff)
}

/// The demand rows (blanks carried forward), with a flat row for each staff row a future
/// leaves out.
fn demand(
    c: &Check,
    raw: &Raw,
    new_roles: &[String],
    futures: &[String; 2],
    staff: &[StaffRow],
) -> Result<Vec<DemandRow>> {
    let mut demand: Vec<DemandRow> = Vec::new();
    let mut demand_at: BTreeMap<(String, Band, usize), String> = BTreeMap::new();
    for row in &raw.demand {
        if row[3..].iter().all(Field::is_blank) {
            continue;
        }
        let role = c.required_role(&row[0], new_roles)?;
        let band = c.required_band(&row[1])?;
        let future_help = format!("expected `{}` or `{}`", futures[0], futures[1]);
        let future_text = c.required_text(&row[2], &future_help)?;
        let fi = futures.iter().position(|f| f.eq_ignore_ascii_case(&future_text)).ok_or_else(|| {
            let place = match raw.form {
                Form::Workbook => "the futures on the About sheet",
                Form::Toml => "the `futures`",
            };
            c.err(&row[2], format!("{} `{future_text}` is not one of {place}: {future_help}", row[2].what))
        })?;
        let mut previous = staff.iter().find(|s| s.role == role && s.band == band).map_or(0.0, |s| s.establishment_fte);
        let mut fte = [0.0; 5];
        for (k, f) in row[3..].iter().enumerate() {
            if let Some(v) = c.number(f, "expected the FTE needed, 0 or more", false)? {
                previous = v;
            }
            fte[k] = previous;
        }
        if let Some(first) = demand_at.get(&(role.clone(), band, fi)) {
            return Err(c.err(
                &row[0],
                format!(
                    "a second row for {role} band {band} in future `{}` (the first is at {first}): expected one row per role, band and future",
                    futures[fi]
                ),
            ));
        }
        demand_at.insert((role.clone(), band, fi), row[0].at.clone());
        demand.push(DemandRow { role, band, future: futures[fi].clone(), fte });
    }
    for (fi, future) in futures.iter().enumerate() {
        for s in staff {
            if !demand_at.contains_key(&(s.role.clone(), s.band, fi)) {
                demand.push(DemandRow {
                    role: s.role.clone(),
                    band: s.band,
                    future: future.clone(),
                    fte: [s.establishment_fte; 5],
                });
            }
        }
    }
    if staff.is_empty() && demand.is_empty() {
        return Err(Error::input(
            &raw.path,
            &raw.staff_at,
            "no staff in post and no demand filled in: expected at least one row with a headcount, FTE and establishment",
        ));
    }
    Ok(demand)
}

/// The supply rows, each checked by its kind.
fn supply(c: &Check, raw: &Raw, new_roles: &[String]) -> Result<Vec<SupplyRow>> {
    let mut supply: Vec<SupplyRow> = Vec::new();
    let mut supply_at: BTreeMap<(String, Option<String>, Option<Band>), String> = BTreeMap::new();
    let mut kinds: BTreeMap<String, (SupplyKind, String)> = BTreeMap::new();
    for row in &raw.supply {
        let route = tidy(&c.required_text(&row[P_ROUTE], "expected the route's name")?);
        let kind_help = "expected `pipeline` or `vacancy-fill`";
        let kind_text = c.required_text(&row[P_KIND], kind_help)?;
        let kind = match normalise_header(&kind_text).as_str() {
            "pipeline" => SupplyKind::Pipeline,
            "vacancy fill" => SupplyKind::VacancyFill,
            _ => {
                return Err(c.err(
                    &row[P_KIND],
                    format!("{} `{kind_text}` is not a kind of route; {kind_help}", row[P_KIND].what),
                ));
            }
        };
        let role = c.role(&row[P_ROLE], new_roles)?;
        let band = c.band(&row[P_BAND])?;
        let starters = c.number(&row[P_STARTERS], "expected people starting each year, 0 or more", false)?;
        let duration = c.whole(&row[P_DURATION], "expected a whole number of months, 0 or more")?;
        let completion = c.number(&row[P_COMPLETION], RATE_HELP, true)?;
        let fill = c.number(&row[P_FILL], RATE_HELP, true)?;
        match kind {
            SupplyKind::Pipeline => {
                for (k, what) in [
                    (P_ROLE, "the role entrants join"),
                    (P_BAND, "the band entrants join"),
                    (P_STARTERS, "starters per year"),
                ] {
                    if row[k].is_blank() {
                        return Err(c.err(&row[k], format!("{} is blank: a pipeline needs {what}", row[k].what)));
                    }
                }
                if fill.is_some() {
                    return Err(c.err(
                        &row[P_FILL],
                        format!("{} is for vacancy-fill routes: leave it blank for a pipeline", row[P_FILL].what),
                    ));
                }
            }
            SupplyKind::VacancyFill => {
                if fill.is_none() {
                    return Err(c.err(
                        &row[P_FILL],
                        format!("{} is blank: a vacancy-fill route needs the share of open vacancies filled in a year; {RATE_HELP}", row[P_FILL].what),
                    ));
                }
                for k in [P_STARTERS, P_DURATION, P_COMPLETION] {
                    if !row[k].is_blank() {
                        return Err(c.err(
                            &row[k],
                            format!("{} is for pipelines: leave it blank for a vacancy-fill route", row[k].what),
                        ));
                    }
                }
            }
        }
        let lower = route.to_lowercase();
        if let Some((other, at)) = kinds.get(&lower)
            && *other != kind
        {
            return Err(c.err(
                &row[P_KIND],
                format!(
                    "route `{route}` is a {} here and a {} at {at}: one route has one kind",
                    kind_name(kind),
                    kind_name(*other)
                ),
            ));
        }
        kinds.entry(lower.clone()).or_insert((kind, row[P_KIND].at.clone()));
        if let Some(first) = supply_at.get(&(lower.clone(), role.clone(), band)) {
            return Err(c.err(
                &row[P_ROUTE],
                format!("a second row for route `{route}` into the same role and band (the first is at {first})"),
            ));
        }
        supply_at.insert((lower, role.clone(), band), row[P_ROUTE].at.clone());
        supply.push(SupplyRow {
            route,
            kind,
            role,
            band,
            starters_per_year: starters,
            duration_months: duration.map(|d| d as u32),
            completion_rate: completion,
            fill_rate: fill,
        });
    }
    Ok(supply)
}
