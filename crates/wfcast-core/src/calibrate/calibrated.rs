//! The calibration as a scenario value: the sections a calibrated scenario holds, with their
//! numbers as the fragment writes them. The fragment ([`Calibration::to_toml`]) and the
//! backtest's scenario are both made from it.

use super::text::num;
use super::*;
use crate::scenario::{
    DemandRule, DemandSection, Entry, Names, Origin, RateRule, RateSection, ScenarioFile, Supply, SupplyKind, Transfer,
};

/// A number as the fragment writes it: 4 significant figures ([`num`]).
pub(super) fn written_number(x: f64) -> f64 {
    num(x).parse().unwrap_or(0.0)
}

/// A parameter as the fragment writes it (`{ mean, sd }`, or a plain number when `sd` is
/// unknown or 0): in 4 significant figures where that resolves in `family`, in full
/// precision otherwise.
pub(super) fn written(mean: f64, sd: Option<f64>, family: Family) -> ParamSpec {
    let sd = sd.filter(|s| *s > 0.0);
    for round in [written_number as fn(f64) -> f64, |x| x] {
        let spec = match sd {
            Some(sd) => ParamSpec::MeanSd { mean: round(mean), sd: round(sd) },
            None => ParamSpec::Fixed(round(mean)),
        };
        if Dist::resolve(&spec, family).is_ok() {
            return spec;
        }
    }
    // Unreachable for the estimates made here (Beta posteriors with a prior of at least
    // 2 person-years, positive intakes, growth above -100%): a plain mean always resolves.
    ParamSpec::Fixed(match family {
        Family::Probability => mean.clamp(0.0, 1.0),
        Family::Amount => mean.max(0.0),
        Family::Growth => mean.max(-1.0),
    })
}

/// One name as a selector.
fn names(name: &str) -> Names {
    Names(vec![name.to_string()])
}

impl Calibration {
    /// Whether a scenario on the last snapshot can name this role and region.
    pub(super) fn known(&self, role: &str, region: Option<&str>) -> bool {
        self.last_roles.contains(role) && region.is_none_or(|r| self.last_regions.contains(r))
    }

    /// The calibrated scenario: `[attrition]`, `[progression]`, `[[transfer]]`, the joiners'
    /// `[[supply]]` routes and `[demand]`, as far as they were estimated, with every number
    /// as the fragment writes it; its other fields are left out. Rules for roles or regions
    /// that are not in the last snapshot are left out, so that it compiles against that
    /// snapshot.
    pub fn scenario(&self) -> ScenarioFile {
        ScenarioFile {
            attrition: self.attrition.as_ref().map(|r| self.rate_section(r)),
            progression: self.progression.as_ref().map(|r| self.rate_section(r)),
            transfer: self
                .transfers
                .iter()
                .filter(|t| self.known(&t.from, None) && self.known(&t.to, None))
                .map(|t| Transfer {
                    from: t.from.clone(),
                    to: t.to.clone(),
                    band: None,
                    region: None,
                    rate: written(t.mean, Some(t.sd), Family::Probability),
                    origin: Origin::default(),
                })
                .collect(),
            supply: self.recruitment_route().into_iter().chain(self.joiners_route()).collect(),
            demand: self.demand.as_ref().map(|d| DemandSection {
                vacancy_rate: None,
                growth: Some(written(d.total.mean, d.total.sd, Family::Growth)),
                rule: d
                    .roles
                    .iter()
                    .filter(|t| self.known(&t.name, None))
                    .map(|t| DemandRule {
                        role: Some(names(&t.name)),
                        band: None,
                        region: None,
                        growth: Some(written(t.mean, t.sd, Family::Growth)),
                        vacancy_rate: None,
                        origin: Origin::default(),
                    })
                    .collect(),
                change: Vec::new(),
            }),
            ..ScenarioFile::default()
        }
    }

    /// `[attrition]` or `[progression]`: the overall rate as the default, a rule per cell.
    fn rate_section(&self, r: &RateEstimates) -> RateSection {
        RateSection {
            default: Some(written(r.mean, Some(r.sd), Family::Probability)),
            rule: r
                .cells
                .iter()
                .filter(|c| self.known(&c.cell.role, c.cell.region.as_deref()))
                .map(|c| RateRule {
                    role: Some(names(&c.cell.role)),
                    band: Some(names(c.cell.band.label())),
                    region: c.cell.region.as_deref().map(names),
                    rate: written(c.mean, Some(c.sd), Family::Probability),
                    origin: Origin::default(),
                })
                .collect(),
        }
    }

    /// A supply route of `kind` named `name`, with nothing else set.
    fn route(name: &str, kind: SupplyKind) -> Supply {
        Supply {
            name: name.to_string(),
            kind,
            intake: None,
            months: None,
            duration_months: 0,
            completion: None,
            in_training: None,
            entry: Vec::new(),
            fill_rate: None,
            max_per_year: None,
            role: None,
            band: None,
            region: None,
            origin: Origin::default(),
        }
    }

    /// The vacancy-fill route `Recruitment (calibrated)`, where recruitment was calibrated.
    fn recruitment_route(&self) -> Option<Supply> {
        let r = self.recruitment.as_ref()?;
        Some(Supply {
            fill_rate: Some(written(r.mean, Some(r.sd), Family::Probability)),
            ..Self::route(RECRUITMENT_ROUTE, SupplyKind::VacancyFill)
        })
    }

    /// The fixed-intake route `Joiners (calibrated)` straight into post, where there is one.
    fn joiners_route(&self) -> Option<Supply> {
        let j = self.joiners.as_ref()?;
        Some(Supply {
            intake: Some(written(j.mean, Some(j.sd), Family::Amount)),
            entry: j
                .entries
                .iter()
                .filter(|e| self.known(&e.cell.role, e.cell.region.as_deref()))
                .map(|e| Entry {
                    role: e.cell.role.clone(),
                    band: names(e.cell.band.label()),
                    region: e.cell.region.clone(),
                    share: written_number(e.share),
                })
                .collect(),
            ..Self::route(JOINERS_ROUTE, SupplyKind::Pipeline)
        })
    }
}
