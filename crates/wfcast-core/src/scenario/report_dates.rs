//! Reporting dates fall on step ends (MODEL.md): the check that every reporting date of a
//! scenario ends a step, with an error that names the dates and what would line up.
use super::{MONTH_NAMES, Month, Step};
use crate::error::{Error, Result};
use std::path::Path;

/// Every reporting date in the projection (each `report_month` after `start`, to `end`) must
/// end a step (MODEL.md, 'Reporting dates fall on step ends'): an input error names the dates
/// that do not, and what would line up.
pub(super) fn check(path: &Path, start: Month, end: Month, step: Step, report_month: u32) -> Result<()> {
    let s = step.months() as i32;
    let off: Vec<Month> =
        (start.0 + 1..=end.0).map(Month).filter(|t| t.month() == report_month && (t.0 - start.0) % s != 0).collect();
    if off.is_empty() {
        return Ok(());
    }
    let month_names = |months: Vec<u32>| -> String {
        let names: Vec<&str> = months.iter().map(|&m| MONTH_NAMES[m as usize - 1]).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        }
    };
    let mut ends: Vec<u32> = (0..12 / s).map(|i| Month(start.0 + i * s).month()).collect();
    ends.sort_unstable();
    let mut starts: Vec<u32> = (0..12 / s).map(|i| Month(report_month as i32 - 1 + i * s).month()).collect();
    starts.sort_unstable();
    let dates: Vec<String> = off.iter().map(|t| t.to_string()).collect();
    let step_name = match step {
        Step::Month => "month",
        Step::Quarter => "quarter",
        Step::Year => "year",
    };
    Err(Error::input(
        path,
        "keys step, start and report_month",
        format!(
            "the reporting dates {} ({} of each year, report_month = {report_month}) do not fall at the end of a step: steps of {s} months (step = \"{step_name}\") from start {start} end in {}. Expected a report_month of {} (report_month = {}), or a start in {}, or step = \"month\"",
            dates.join(", "),
            MONTH_NAMES[report_month as usize - 1],
            month_names(ends.clone()),
            month_names(ends.clone()),
            ends.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", "),
            month_names(starts),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: &str, end: &str, step: Step, report_month: u32) -> Result<()> {
        check(Path::new("s.toml"), Month::parse(start).unwrap(), Month::parse(end).unwrap(), step, report_month)
    }

    #[test]
    fn quarterly_steps_from_january_never_end_in_march() {
        let e = at("2025-01", "2027-01", Step::Quarter, 3).unwrap_err().to_string();
        assert!(
            e.starts_with("s.toml: keys step, start and report_month: the reporting dates 2025-03, 2026-03 "),
            "{e}"
        );
        assert!(e.contains("end in January, April, July or October"), "{e}");
        assert!(e.contains("report_month = 1, 4, 7, 10"), "{e}");
        assert!(e.contains("a start in March, June, September or December"), "{e}");
        assert_eq!(at("2025-01", "2027-01", Step::Quarter, 3).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn dates_that_line_up_pass() {
        assert!(at("2025-03", "2030-03", Step::Quarter, 3).is_ok());
        assert!(at("2025-06", "2030-12", Step::Quarter, 3).is_ok());
        assert!(at("2025-01", "2027-01", Step::Quarter, 4).is_ok());
        assert!(at("2025-01", "2027-01", Step::Month, 3).is_ok());
        assert!(at("2025-03", "2027-03", Step::Year, 3).is_ok());
        // No March falls in the projection: nothing to line up.
        assert!(at("2025-04", "2025-10", Step::Quarter, 3).is_ok());
        let e = at("2025-06", "2027-06", Step::Year, 3).unwrap_err().to_string();
        assert!(e.contains("2026-03, 2027-03") && e.contains("end in June") && e.contains("a start in March"), "{e}");
    }
}
