//! The rates of the national scenario: taken from a rates fragment (keeping the rules of
//! roles and regions the submissions have) or the national defaults.
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use wfcast_core::band::{BAND_HELP, Band};
use wfcast_core::error::{Error, Result};
use wfcast_core::sampling::ParamSpec;
use wfcast_core::scenario::{Names, RateSection, ScenarioFile};

use crate::format::{float, one_line, quote};

/// The rates of a national scenario made without a rates fragment.
pub(crate) const DEFAULT_RATES: &str = "\
# ---- Rates: national defaults (no --rates fragment was given). ASSUMPTIONS, to be replaced by
# rates calibrated from ESR history (`wfcast calibrate`, then `wfcast aggregate --rates`):
# leaving the NHS 10% a year (NHS-wide leaver rates run at about 8% to 11% a year: NHS Digital),
# moving up a band 5% a year, 2.5% at bands 7 and 8a (the 'glass ceiling' of the Health
# Informatics Career Pathways report, 2019), no moves between roles.
[attrition]
default = { mean = 0.1, sd = 0.015 }

[progression]
default = 0.05
rule = [
  { band = [\"7\", \"8a\"], rate = 0.025 },
]
";

/// The attrition, progression and transfers of a rates fragment, as TOML, keeping only the
/// roles and regions of the national baseline.
pub(crate) fn rates_from_fragment(path: &Path, roles: &BTreeSet<String>, regions: &BTreeSet<String>) -> Result<String> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::input(path, "", "is not UTF-8 text: expected a TOML scenario fragment"))?;
    let spec: ScenarioFile = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!("line {}", text[..s.start.min(text.len())].matches('\n').count() + 1))
            .unwrap_or_default();
        Error::input(path, at, e.message().to_string())
    })?;
    if spec.extends.is_some() {
        return Err(Error::input(
            path,
            "key extends",
            "a rates fragment that extends another: pass the file it extends, or merge them",
        ));
    }
    let mut dropped: Vec<String> = Vec::new();
    // Keeps the known names of a selector; `None` when it named some and none are known.
    let keep = |names: &Option<Names>,
                known: &BTreeSet<String>,
                what: &str,
                dropped: &mut Vec<String>|
     -> Option<Option<Names>> {
        match names {
            None => Some(None),
            Some(n) => {
                let kept: Vec<String> = n.0.iter().filter(|x| known.contains(*x)).cloned().collect();
                for x in n.0.iter().filter(|x| !known.contains(*x)) {
                    let item = format!("{what} `{x}`");
                    if !dropped.contains(&item) {
                        dropped.push(item);
                    }
                }
                (!kept.is_empty()).then_some(Some(Names(kept)))
            }
        }
    };
    let check_bands = |names: &Option<Names>, key: &str| -> Result<()> {
        for b in names.iter().flat_map(|n| &n.0) {
            if Band::parse(b).is_none() {
                return Err(Error::input(path, format!("key {key}.band"), format!("`{b}` is not {BAND_HELP}")));
            }
        }
        Ok(())
    };
    let mut out = format!(
        "# ---- Rates: from {} (its [attrition], [progression] and [[transfer]]; its supply and demand are\n\
         #   not used: the submissions give those).\n",
        one_line(&path.display().to_string())
    );
    let mut rules_left = 0;
    for (name, section) in [("attrition", &spec.attrition), ("progression", &spec.progression)] {
        let Some(RateSection { default, rule }) = section else { continue };
        let _ = writeln!(out, "\n[{name}]");
        if let Some(d) = default {
            let _ = writeln!(out, "default = {}", param(d));
        }
        let mut lines = String::new();
        for (i, r) in rule.iter().enumerate() {
            check_bands(&r.band, &format!("{name}.rule[{i}]"))?;
            let (Some(role), Some(region)) =
                (keep(&r.role, roles, "role", &mut dropped), keep(&r.region, regions, "region", &mut dropped))
            else {
                rules_left += 1;
                continue;
            };
            let mut fields = selector_fields(&role, &r.band, &region);
            fields.push(format!("rate = {}", param(&r.rate)));
            let _ = writeln!(lines, "  {{ {} }},", fields.join(", "));
        }
        if !lines.is_empty() {
            let _ = write!(out, "rule = [\n{lines}]\n");
        }
    }
    for (i, t) in spec.transfer.iter().enumerate() {
        check_bands(&t.band, &format!("transfer[{i}]"))?;
        let mut missing = false;
        for r in [&t.from, &t.to] {
            if !roles.contains(r) {
                missing = true;
                let item = format!("role `{r}`");
                if !dropped.contains(&item) {
                    dropped.push(item);
                }
            }
        }
        let Some(region) = keep(&t.region, regions, "region", &mut dropped) else {
            rules_left += 1;
            continue;
        };
        if missing {
            rules_left += 1;
            continue;
        }
        let _ = writeln!(out, "\n[[transfer]]\nfrom = {}\nto = {}", quote(&t.from), quote(&t.to));
        if let Some(b) = &t.band {
            let _ = writeln!(out, "band = {}", names(b));
        }
        if let Some(r) = &region {
            let _ = writeln!(out, "region = {}", names(r));
        }
        let _ = writeln!(out, "rate = {}", param(&t.rate));
    }
    if !dropped.is_empty() {
        let _ = writeln!(
            out,
            "\n# Not in any submission, so left out of the rules above: {} ({rules_left} rules or transfers\n#   left out whole).",
            dropped.join(", ")
        );
    }
    Ok(out)
}

/// The `role`, `band` and `region` of a rule, those given.
fn selector_fields(role: &Option<Names>, band: &Option<Names>, region: &Option<Names>) -> Vec<String> {
    let mut fields = Vec::new();
    for (k, v) in [("role", role), ("band", band), ("region", region)] {
        if let Some(n) = v {
            fields.push(format!("{k} = {}", names(n)));
        }
    }
    fields
}

/// One name as a string, several as a list.
pub(crate) fn names(n: &Names) -> String {
    match n.0.as_slice() {
        [one] => quote(one),
        many => format!("[{}]", many.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")),
    }
}

/// A rate: a number, `{ mean, sd }` or `{ low, high }`.
fn param(p: &ParamSpec) -> String {
    match p {
        ParamSpec::Fixed(x) => float(*x),
        ParamSpec::MeanSd { mean, sd } => format!("{{ mean = {}, sd = {} }}", float(*mean), float(*sd)),
        ParamSpec::LowHigh { low, high } => format!("{{ low = {}, high = {} }}", float(*low), float(*high)),
    }
}
