//! The compiler's shared checks: names against the grid, parameters resolved to
//! distributions, selectors to cells, and the rate sections and entry cells built from them.

use super::{Param, ZERO};
use crate::band::{BAND_HELP, Band};
use crate::error::{Error, Result};
use crate::grid::{Grid, unknown_name};
use crate::sampling::{Dist, Family, ParamSpec};
use crate::scenario::{Month, Names, Origin, Scenario, Selector};
use std::collections::BTreeMap;

/// What compiling carries from step to step: the scenario, the grid and the parameters made
/// so far (index 0 is the fixed zero).
pub(super) struct Compiler<'a> {
    /// The scenario being compiled.
    pub(super) scenario: &'a Scenario,
    /// The cells.
    pub(super) grid: Grid,
    /// The parameters so far.
    pub(super) params: Vec<Param>,
    /// Warnings so far: what the model runs but a reader should know.
    pub(super) warnings: Vec<String>,
}

/// The sections (a parameter key's part before the first `|`) whose later rule with the
/// same selector replaces an earlier one for every cell it had: rate rules, transfers
/// (the same from, to and selector) and demand rules (each field apart).
const LATER_WINS: [&str; 5] = ["attrition", "progression", "transfer", "demand.growth", "demand.vacancy_rate"];

/// Whole-number entry weights are at least 1 each; fractions must sum to 1 within this.
/// Fractions rounded to four significant figures (as `wfcast calibrate` writes them) sum to
/// within 5e-4 of 1, so they pass; a slip such as 0.5 and 0.3 does not.
const SHARE_TOLERANCE: f64 = 1e-3;

/// Names as a key: joined by commas.
fn names_text(n: &Option<Names>) -> String {
    n.as_ref().map(|n| n.0.join(",")).unwrap_or_default()
}

/// A selector as a parameter key: `role=...;band=...;region=...`.
pub(super) fn selector_key(s: &Selector) -> String {
    format!("role={};band={};region={}", names_text(&s.role), names_text(&s.band), names_text(&s.region))
}

/// An input error at `key` of the item written at `origin` (of the scenario file `path`
/// when there is no origin): `key supply[0].intake`.
pub(super) fn error_at(path: &std::path::Path, origin: Option<&Origin>, key: &str, msg: impl Into<String>) -> Error {
    match origin {
        Some(o) if !o.key.is_empty() => Error::input(&o.file, format!("key {}.{key}", o.key), msg),
        Some(o) => Error::input(&o.file, format!("key {key}"), msg),
        None => Error::input(path, format!("key {key}"), msg),
    }
}

impl Compiler<'_> {
    pub(super) fn err(&self, origin: Option<&Origin>, key: &str, msg: impl Into<String>) -> Error {
        error_at(&self.scenario.path, origin, key, msg)
    }

    pub(super) fn param(
        &mut self,
        key: String,
        spec: &ParamSpec,
        family: Family,
        origin: Option<&Origin>,
        at: &str,
    ) -> Result<usize> {
        let dist = Dist::resolve(spec, family).map_err(|m| self.err(origin, at, m))?;
        let key = self.own_key(key);
        self.params.push(Param { key, dist });
        Ok(self.params.len() - 1)
    }

    /// The stream key of a new parameter (MODEL.md, 'One written parameter, one draw'):
    /// `key` itself, or, when an earlier parameter holds it, `key#2`, `key#3`, ... in
    /// scenario order. A parent's list items come before its child's in a merged scenario,
    /// so they keep their keys in the child, and the child's like-written items draw anew.
    ///
    /// The exception is a rule of a section where a later rule wins ([`LATER_WINS`]): a
    /// rule with the same key (the same section and selector) replaces the earlier one for
    /// every cell it had, so the two are one parameter and keep one key: a child that
    /// overrides a parent's rule draws it at the parent's quantile.
    pub(super) fn own_key(&self, key: String) -> String {
        let taken = |k: &str| self.params.iter().any(|p| p.key == k);
        let section = key.split('|').next().unwrap_or_default();
        if !taken(&key) || LATER_WINS.contains(&section) {
            return key;
        }
        (2..).map(|i| format!("{key}#{i}")).find(|k| !taken(k)).expect("a free key")
    }

    /// A demand growth rate: as [`Compiler::param`], refusing a rate of 1 (100% a year) or
    /// more, which is almost always a percentage written for a fraction (`growth = 3` meant
    /// as 3%), with the fraction suggested.
    pub(super) fn growth(&mut self, key: String, spec: &ParamSpec, origin: Option<&Origin>, at: &str) -> Result<usize> {
        let (what, x) = match *spec {
            ParamSpec::Fixed(x) => ("", x),
            ParamSpec::MeanSd { mean, .. } => ("a mean of ", mean),
            ParamSpec::LowHigh { high, .. } => ("a high of ", high),
        };
        if x >= 1.0 {
            return Err(self.err(
                origin,
                at,
                format!(
                    "{what}{x} is growth of {}% a year; growth is a fraction a year: for {x}% write {}",
                    x * 100.0,
                    (x * 1e7).round() / 1e9
                ),
            ));
        }
        self.param(key, spec, Family::Growth, origin, at)
    }

    pub(super) fn role(&self, name: &str, origin: Option<&Origin>, at: &str) -> Result<usize> {
        self.grid.role_index(name).ok_or_else(|| self.err(origin, at, unknown_name("role", name, &self.grid.roles)))
    }

    pub(super) fn region(&self, name: &str, origin: Option<&Origin>, at: &str) -> Result<usize> {
        self.grid
            .region_index(name)
            .ok_or_else(|| self.err(origin, at, unknown_name("region", name, &self.grid.regions)))
    }

    pub(super) fn band(&self, name: &str, origin: Option<&Origin>, at: &str) -> Result<Band> {
        Band::parse(name).ok_or_else(|| self.err(origin, at, format!("`{name}` is not {BAND_HELP}")))
    }

    /// Role, band and region masks of a selector.
    pub(super) fn masks(
        &self,
        sel: &Selector,
        origin: Option<&Origin>,
    ) -> Result<(Vec<bool>, [bool; Band::COUNT], Vec<bool>)> {
        let mut roles = vec![sel.role.is_none(); self.grid.roles.len()];
        for n in sel.role.iter().flat_map(|n| &n.0) {
            roles[self.role(n, origin, "role")?] = true;
        }
        let mut bands = [sel.band.is_none(); Band::COUNT];
        for n in sel.band.iter().flat_map(|n| &n.0) {
            bands[self.band(n, origin, "band")?.index()] = true;
        }
        let mut regions = vec![sel.region.is_none(); self.grid.regions.len()];
        for n in sel.region.iter().flat_map(|n| &n.0) {
            regions[self.region(n, origin, "region")?] = true;
        }
        Ok((roles, bands, regions))
    }

    pub(super) fn cells(&self, sel: &Selector, origin: Option<&Origin>) -> Result<Vec<usize>> {
        let (roles, bands, regions) = self.masks(sel, origin)?;
        Ok((0..self.grid.len())
            .filter(|&c| {
                roles[self.grid.role_of(c)] && bands[self.grid.band_of(c).index()] && regions[self.grid.region_of(c)]
            })
            .collect())
    }

    pub(super) fn month(&self, text: &str, origin: Option<&Origin>, at: &str) -> Result<Month> {
        Month::parse(text).ok_or_else(|| self.err(origin, at, format!("`{text}` is not a month: expected `YYYY-MM`")))
    }

    /// The parameter per cell of `[attrition]` or `[progression]`: the default, then each
    /// rule over the cells it selects (the zero parameter without the section).
    pub(super) fn rate_section(
        &mut self,
        section: Option<&crate::scenario::RateSection>,
        name: &str,
    ) -> Result<Vec<usize>> {
        let n = self.grid.len();
        let Some(section) = section else { return Ok(vec![ZERO; n]) };
        let default = match &section.default {
            Some(d) => {
                self.param(format!("{name}|default"), d, Family::Probability, None, &format!("{name}.default"))?
            }
            None => ZERO,
        };
        let mut out = vec![default; n];
        for r in &section.rule {
            let o = Some(&r.origin);
            let p =
                self.param(format!("{name}|{}", selector_key(&r.selector())), &r.rate, Family::Probability, o, "rate")?;
            let cells = self.cells(&r.selector(), o)?;
            cells.iter().for_each(|&cell| out[cell] = p);
        }
        Ok(out)
    }

    /// The entry cells of pipeline route `s` and the share of entrants each gets (an entry
    /// without a region follows the baseline's mix).
    pub(super) fn entries(&self, s: &crate::scenario::Supply, h0: &[f64]) -> Result<(Vec<usize>, Vec<f64>)> {
        let o = Some(&s.origin);
        let g = &self.grid;
        let mut weights: BTreeMap<usize, f64> = BTreeMap::new();
        for (i, e) in s.entry.iter().enumerate() {
            let at = |k: &str| format!("entry[{i}].{k}");
            let role = self.role(&e.role, o, &at("role"))?;
            let band = match e.band.0.as_slice() {
                [one] => self.band(one, o, &at("band"))?,
                _ => return Err(self.err(o, &at("band"), "expected one band per entry")),
            };
            if !(e.share.is_finite() && e.share > 0.0) {
                return Err(self.err(o, &at("share"), format!("{}: expected a share above 0", e.share)));
            }
            let region = match &e.region {
                Some(r) => Some(self.region(r, o, &at("region"))?),
                None => None,
            };
            match region {
                Some(region) if !g.by_organisation() => {
                    *weights.entry(g.cell(role, band, region)).or_default() += e.share;
                }
                _ => {
                    // Follow the baseline's mix over the locations (regions, or the
                    // organisations of the entry's region, if any) of the role and band,
                    // then of the role, then of all staff; evenly when all are empty.
                    let nl = g.locations();
                    let here = |x: usize| region.is_none_or(|r| g.organisations[x].region == r);
                    let mix = |f: &dyn Fn(usize) -> bool| -> Vec<f64> {
                        (0..nl)
                            .map(|x| {
                                if !here(x) {
                                    return 0.0;
                                }
                                (0..g.len()).filter(|&c| g.location_of(c) == x && f(c)).map(|c| h0[c]).sum()
                            })
                            .collect()
                    };
                    let mut shares = mix(&|c| g.role_of(c) == role && g.band_of(c) == band);
                    if shares.iter().sum::<f64>() == 0.0 {
                        shares = mix(&|c| g.role_of(c) == role);
                    }
                    if shares.iter().sum::<f64>() == 0.0 {
                        shares = mix(&|_| true);
                    }
                    if shares.iter().sum::<f64>() == 0.0 {
                        shares = (0..nl).map(|x| if here(x) { 1.0 } else { 0.0 }).collect();
                    }
                    let total: f64 = shares.iter().sum();
                    for (x, w) in shares.iter().enumerate() {
                        if *w > 0.0 {
                            *weights.entry(g.cell(role, band, x)).or_default() += e.share * w / total;
                        }
                    }
                }
            }
        }
        self.check_shares(s)?;
        let total: f64 = weights.values().sum();
        Ok((weights.keys().copied().collect(), weights.values().map(|w| w / total).collect()))
    }

    /// Entry shares are fractions that sum to 1 (within [`SHARE_TOLERANCE`]) or whole-number
    /// weights (3 and 1, 60 and 40); either way entrants are shared in their proportions.
    /// Anything else (0.5 and 0.3, 0.6 and 0.6) is a slip, refused rather than normalised.
    fn check_shares(&self, s: &crate::scenario::Supply) -> Result<()> {
        let sum: f64 = s.entry.iter().map(|e| e.share).sum();
        if s.entry.iter().all(|e| e.share.fract() == 0.0) || (sum - 1.0).abs() <= SHARE_TOLERANCE {
            return Ok(());
        }
        let shares: Vec<String> = s.entry.iter().map(|e| e.share.to_string()).collect();
        let shares = if shares.len() <= 8 { shares.join(", ") } else { format!("{} entries", shares.len()) };
        Err(self.err(
            Some(&s.origin),
            "entry",
            format!(
                "the entry shares of route `{}` ({}) sum to {}: expected fractions that sum to 1, or whole-number weights such as 3 and 1",
                s.name,
                shares,
                (sum * 1e9).round() / 1e9
            ),
        ))
    }
}

/// FTE per head: the baseline's where a cell has staff, else the role's average over its
/// other cells, else 1.
pub(super) fn fte_per_head(grid: &Grid, h0: &[f64], fte: &[f64]) -> Vec<f64> {
    let nroles = grid.roles.len();
    let mut role_h = vec![0.0; nroles];
    let mut role_f = vec![0.0; nroles];
    for c in 0..grid.len() {
        role_h[grid.role_of(c)] += h0[c];
        role_f[grid.role_of(c)] += fte[c];
    }
    (0..grid.len())
        .map(|c| {
            let r = grid.role_of(c);
            if h0[c] > 0.0 {
                fte[c] / h0[c]
            } else if role_h[r] > 0.0 {
                role_f[r] / role_h[r]
            } else {
                1.0
            }
        })
        .collect()
}
