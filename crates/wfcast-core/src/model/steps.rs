//! The projection's steps in calendar time (MODEL.md, 'Time'): the months each step covers,
//! the reporting dates at step ends, the window of steps whose flows each date reports (the
//! 12 months to it, or since the start where nearer), and the reporting years that a
//! vacancy-fill cap holds in.
use super::Model;
use crate::scenario::Month;
use std::ops::RangeInclusive;

/// The projection's steps: their length and number, and the month each ends.
pub(super) struct Steps {
    /// Baseline month.
    pub(super) start: Month,
    /// Months per step.
    pub(super) step_months: u32,
    /// Number of steps.
    pub(super) n_steps: usize,
}

impl Steps {
    /// The month at the end of step `k`.
    pub(super) fn end_of(&self, k: usize) -> Month {
        self.end_at(k as i64)
    }

    /// The month at the end of step `k` for any `k`: steps 0 and below are the steps before
    /// the baseline (step 0 ends at `start`, step -1 a step earlier).
    pub(super) fn end_at(&self, k: i64) -> Month {
        Month(self.start.0 + (k * self.step_months as i64) as i32)
    }

    /// The share of an annual intake, spread over the calendar months by `month_w` (one weight
    /// per month, January first), that falls in step `k` (any `k`, as for [`Steps::end_at`]).
    pub(super) fn intake_share(&self, month_w: &[f64; 12], k: i64) -> f64 {
        let first = self.end_at(k - 1).0 + 1;
        (first..=self.end_at(k).0).map(|m| month_w[Month(m).month() as usize - 1]).sum()
    }

    /// Steps at whose end results are reported: 0, each step that ends in `report_month`,
    /// and the last. Every reporting month in the projection ends a step (the scenario
    /// checks it), so none is skipped.
    pub(super) fn report_steps(&self, report_month: u32) -> Vec<usize> {
        let mut report_steps = vec![0];
        for k in 1..=self.n_steps {
            if self.end_of(k).month() == report_month || k == self.n_steps {
                report_steps.push(k);
            }
        }
        report_steps
    }

    /// Months of step `k`'s reporting year (the 12 months to a `report_month`) up to the end of
    /// step `k`, counted from the start where the year began before it.
    pub(super) fn months_into_year(&self, report_month: u32, k: usize) -> u32 {
        let end = self.end_of(k);
        let to_report = (report_month as i32 - end.month() as i32).rem_euclid(12) as u32;
        (12 - to_report).min(k as u32 * self.step_months)
    }

    /// A vacancy-fill cap of `max_per_year` hires (MODEL.md, step 6): the most hires in one
    /// step in deterministic mode (a real number), and for stochastic runs the whole hires
    /// allowed from the start of step `k`'s reporting year to its end,
    /// `floor(max_per_year * months so far / 12)` (index 0 unused).
    pub(super) fn cap(&self, report_month: u32, max_per_year: f64) -> (f64, Vec<f64>) {
        // A small allowance, so that a whole budget computed in floating point is not floored
        // one below itself.
        let budget = |k: usize| (max_per_year * self.months_into_year(report_month, k) as f64 / 12.0 + 1e-9).floor();
        let budgets = (0..=self.n_steps).map(|k| if k == 0 { 0.0 } else { budget(k) }).collect();
        (max_per_year * self.step_months as f64 / 12.0, budgets)
    }

    /// For each step (index 0 unused, false), whether it is the first of a reporting year:
    /// step 1, and each step after one that ends in `report_month`.
    pub(super) fn year_begins(&self, report_month: u32) -> Vec<bool> {
        (0..=self.n_steps).map(|k| k == 1 || (k > 1 && self.end_of(k - 1).month() == report_month)).collect()
    }
}

impl Model {
    /// The steps whose flows are reported at reporting date `date` (an index into
    /// `report_steps`): those of the 12 months to it, or since the start where that is nearer
    /// (empty for the baseline). The window of the end date may overlap the previous date's.
    pub fn flow_window(&self, date: usize) -> RangeInclusive<usize> {
        let last = self.report_steps[date];
        let per_year = (12 / self.step_months).max(1) as usize;
        (last + 1).saturating_sub(per_year).max(1)..=last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(start: &str, step_months: u32, n_steps: usize) -> Steps {
        Steps { start: Month::parse(start).unwrap(), step_months, n_steps }
    }

    #[test]
    fn steps_before_the_baseline_take_their_months_intake() {
        // Quarterly from 2025-03: step 0 is Jan-Mar 2025, step -1 Oct-Dec 2024.
        let s = steps("2025-03", 3, 4);
        let mut w = [0.0; 12];
        w[8] = 0.5; // September
        w[0] = 0.5; // January
        assert_eq!(s.end_at(-1), Month::parse("2024-12").unwrap());
        assert_eq!(s.intake_share(&w, 0), 0.5);
        assert_eq!(s.intake_share(&w, -1), 0.0);
        assert_eq!(s.intake_share(&w, -2), 0.5);
        assert_eq!(s.intake_share(&w, 3), 0.0); // Oct-Dec 2025
        assert_eq!(s.intake_share(&w, 2), 0.5); // Jul-Sep 2025
    }

    #[test]
    fn reporting_years_count_months_since_the_start_at_first() {
        // Quarterly from 2025-06, reporting in March: the first year is the 9 months to 2026-03.
        let s = steps("2025-06", 3, 8);
        let m: Vec<u32> = (1..=8).map(|k| s.months_into_year(3, k)).collect();
        assert_eq!(m, [3, 6, 9, 3, 6, 9, 12, 3]);
        assert_eq!(s.year_begins(3), [false, true, false, false, true, false, false, false, true]);
        let y = steps("2025-03", 12, 2);
        assert_eq!([y.months_into_year(3, 1), y.months_into_year(3, 2)], [12, 12]);
        assert_eq!(steps("2025-03", 1, 13).months_into_year(3, 13), 1);
    }
}
