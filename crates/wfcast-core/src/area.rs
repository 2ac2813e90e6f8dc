//! The area a baseline covers, as outputs name it: one organisation by its name and code, a
//! few organisations by name, else the regions, and `England` only for all seven NHS England
//! regions (or an extract with neither a region nor an organisation column).
use crate::baseline::{Baseline, DEFAULT_REGION};
use crate::names::and_list;

/// The seven NHS England regions: a baseline with staff in all of them covers England.
pub const NHS_REGIONS: [&str; 7] =
    ["East of England", "London", "Midlands", "North East and Yorkshire", "North West", "South East", "South West"];

/// Most organisations an area names one by one; more are named by their regions.
const MOST_NAMED: usize = 3;

/// The area `baseline` covers, for chart titles, the report, workbooks and the terminal.
pub fn area_of(baseline: &Baseline) -> String {
    if let Some(orgs) = baseline.organisations.as_ref().map(|o| &o.organisations) {
        let named = |o: &crate::baseline::BaselineOrganisation| {
            if o.name == o.code || o.name.is_empty() { o.code.clone() } else { format!("{} ({})", o.name, o.code) }
        };
        if !orgs.is_empty() && orgs.len() <= MOST_NAMED {
            return and_list(&orgs.iter().map(named).collect::<Vec<_>>());
        }
    }
    let regions = baseline.regions();
    let all_england = NHS_REGIONS.iter().all(|r| regions.iter().any(|x| x.eq_ignore_ascii_case(r)));
    if all_england || regions.is_empty() {
        return DEFAULT_REGION.to_string();
    }
    and_list(&regions.iter().map(|r| r.to_string()).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::band::Band;
    use crate::baseline::{BaselineOrganisation, BaselineRow, ByOrganisation};

    fn row(region: &str) -> BaselineRow {
        BaselineRow {
            role: "Analyst".into(),
            band: Band::B5,
            region: region.into(),
            headcount: 3.0,
            fte: 3.0,
            establishment_fte: None,
        }
    }

    fn org(code: &str, name: &str) -> BaselineOrganisation {
        BaselineOrganisation { code: code.into(), name: name.into(), region: "London".into() }
    }

    #[test]
    fn an_extract_of_all_seven_regions_or_of_none_is_england() {
        let all = Baseline::from_rows("b.csv", NHS_REGIONS.iter().map(|r| row(r)).collect());
        assert_eq!(area_of(&all), "England");
        assert_eq!(area_of(&Baseline::from_rows("b.csv", vec![row(DEFAULT_REGION)])), "England");
    }

    #[test]
    fn part_of_england_is_named_by_its_regions() {
        let two = Baseline::from_rows("b.csv", vec![row("North West"), row("London")]);
        assert_eq!(area_of(&two), "London and North West");
    }

    #[test]
    fn one_to_three_organisations_are_named_with_their_codes() {
        let mut b = Baseline::from_rows("b.csv", vec![row("London")]);
        let by =
            |orgs: Vec<BaselineOrganisation>| ByOrganisation { organisations: orgs, rows: Vec::new(), problem: None };
        b.organisations = Some(by(vec![org("RXX", "Ockby Hospitals NHS Trust")]));
        assert_eq!(area_of(&b), "Ockby Hospitals NHS Trust (RXX)");
        b.organisations = Some(by(vec![org("RA1", "RA1"), org("RB2", "Bee Trust"), org("RC3", "")]));
        assert_eq!(area_of(&b), "RA1, Bee Trust (RB2) and RC3");
        b.organisations = Some(by((0..4).map(|i| org(&format!("R{i}"), "T")).collect()));
        assert_eq!(area_of(&b), "London");
    }
}
