//! The rates of the national scenario: taken from a rates fragment (keeping the rules of
//! roles and regions the submissions have) or the national defaults, written through the
//! scenario types' [`RateSection`] and [`Transfer`].
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use wfcast_core::band::{BAND_HELP, Band};
use wfcast_core::error::{Error, Result};
use wfcast_core::sampling::ParamSpec;
use wfcast_core::scenario::{Names, Origin, RateRule, RateSection, ScenarioFile, Transfer};

use crate::format::one_line;
use crate::toml_doc::{TomlWriter, inline, names, param, rows};

/// Why the national defaults are what they are, above them in the scenario.
const DEFAULT_RATES_NOTE: &str = "\
---- Rates: national defaults (no --rates fragment was given). ASSUMPTIONS, to be replaced by
rates calibrated from ESR history (`wfcast calibrate`, then `wfcast aggregate --rates`):
leaving the NHS 10% a year (NHS-wide leaver rates run at about 8% to 11% a year: NHS Digital),
moving up a band 5% a year, 2.5% at bands 7 and 8a (the 'glass ceiling' of the Health
Informatics Career Pathways report, 2019), no moves between roles.";

/// The rates of a national scenario made without a rates fragment: attrition 10% a year,
/// progression 5% a year and 2.5% at bands 7 and 8a.
pub(crate) fn default_rates(w: &mut TomlWriter) {
    w.comment(DEFAULT_RATES_NOTE);
    let attrition = RateSection { default: Some(ParamSpec::MeanSd { mean: 0.1, sd: 0.015 }), rule: Vec::new() };
    rate_section(w, "attrition", &attrition);
    w.blank();
    let glass_ceiling = RateRule {
        role: None,
        band: Some(Names(vec!["7".into(), "8a".into()])),
        region: None,
        rate: ParamSpec::Fixed(0.025),
        origin: Origin::default(),
    };
    let progression = RateSection { default: Some(ParamSpec::Fixed(0.05)), rule: vec![glass_ceiling] };
    rate_section(w, "progression", &progression);
}

/// `[name]`: the default and the rules of an attrition or progression section.
fn rate_section(w: &mut TomlWriter, name: &str, section: &RateSection) {
    w.table(name);
    if let Some(d) = &section.default {
        w.key("default", param(d));
    }
    if !section.rule.is_empty() {
        let rules = section.rule.iter().map(|r| {
            let selectors = [("role", &r.role), ("band", &r.band), ("region", &r.region)];
            let fields = selectors.into_iter().filter_map(|(k, v)| Some((k, names(v.as_ref()?))));
            inline(fields.chain([("rate", param(&r.rate))]))
        });
        w.key("rule", rows(rules, &[]));
    }
}

/// `[[transfer]]`: one move between roles.
fn transfer(w: &mut TomlWriter, t: &Transfer) {
    w.array_table("transfer");
    w.key("from", t.from.as_str());
    w.key("to", t.to.as_str());
    if let Some(b) = &t.band {
        w.key("band", names(b));
    }
    if let Some(r) = &t.region {
        w.key("region", names(r));
    }
    w.key("rate", param(&t.rate));
}

/// Reads a rates fragment: a scenario file that extends no other.
fn read_fragment(path: &Path) -> Result<ScenarioFile> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::input(path, "", "is not UTF-8 text: expected a TOML scenario fragment"))?;
    let spec: ScenarioFile = toml::from_str(&text).map_err(|e| Error::toml(path, &text, &e))?;
    if spec.extends.is_some() {
        return Err(Error::input(
            path,
            "key extends",
            "a rates fragment that extends another: pass the file it extends, or merge them",
        ));
    }
    Ok(spec)
}

/// The attrition, progression and transfers of a rates fragment, keeping only the roles and
/// regions of the national baseline, with a comment naming what was left out.
pub(crate) fn rates_from_fragment(
    w: &mut TomlWriter,
    path: &Path,
    roles: &BTreeSet<String>,
    regions: &BTreeSet<String>,
) -> Result<()> {
    let spec = read_fragment(path)?;
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
    w.comment(&format!(
        "---- Rates: from {} (its [attrition], [progression] and [[transfer]]; its supply and demand are\n  \
         not used: the submissions give those).",
        one_line(&path.display().to_string())
    ));
    let mut rules_left = 0;
    for (name, section) in [("attrition", &spec.attrition), ("progression", &spec.progression)] {
        let Some(section) = section else { continue };
        let mut kept = RateSection { default: section.default.clone(), rule: Vec::new() };
        for (i, r) in section.rule.iter().enumerate() {
            check_bands(&r.band, &format!("{name}.rule[{i}]"))?;
            let (Some(role), Some(region)) =
                (keep(&r.role, roles, "role", &mut dropped), keep(&r.region, regions, "region", &mut dropped))
            else {
                rules_left += 1;
                continue;
            };
            kept.rule.push(RateRule { role, region, ..r.clone() });
        }
        w.blank();
        rate_section(w, name, &kept);
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
        w.blank();
        transfer(w, &Transfer { region, ..t.clone() });
    }
    if !dropped.is_empty() {
        w.blank();
        w.comment(&format!(
            "Not in any submission, so left out of the rules above: {} ({rules_left} rules or transfers\n  left out whole).",
            dropped.join(", ")
        ));
    }
    Ok(())
}
