//! The scenario fragment `wfcast calibrate` writes.

use super::text::*;
use super::*;

impl Calibration {
    /// Whether a scenario on the last snapshot can name this role and region.
    pub(super) fn known(&self, role: &str, region: Option<&str>) -> bool {
        self.last_roles.contains(role) && region.is_none_or(|r| self.last_regions.contains(r))
    }

    /// The cells that are not in the last snapshot's roles or regions, as a comment line.
    pub(super) fn left_out(&self, what: &str, names: Vec<String>) -> String {
        if names.is_empty() {
            return String::new();
        }
        format!(
            "# {} {what} left out: their role or region is not in the last snapshot ({}).\n",
            names.len(),
            names.join("; ")
        )
    }

    /// The scenario fragment: a commented header, then `[attrition]`, `[progression]`,
    /// `[[transfer]]`, the joiners' `[[supply]]` route and `[demand]`, as far as they were
    /// estimated, and the net change of staff in post as comments.
    ///
    /// Appended to a scenario's top-level keys (`name`, `baseline`, `start`, ...), it parses
    /// with [`crate::scenario::Scenario::from_toml`] and compiles against the history's last
    /// snapshot. Rules for roles or regions that are not in the last snapshot are left out
    /// (a comment lists them).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        self.write_header(&mut out);
        for section in [&self.attrition, &self.progression].into_iter().flatten() {
            self.write_rates(&mut out, section);
        }
        self.write_transfers(&mut out);
        self.write_joiners(&mut out);
        self.write_net_change(&mut out);
        self.write_demand(&mut out);
        out
    }

    fn write_header(&self, out: &mut String) {
        let _ = writeln!(out, "# Calibrated by `wfcast calibrate` from an ESR history");
        let _ = writeln!(
            out,
            "#   snapshots: {} ({} dates: {})",
            clean(&self.path.display().to_string()),
            self.dates.len(),
            date_list(&self.dates)
        );
        match &self.flows_path {
            Some(flows) if !self.flow_periods.is_empty() => {
                let years: f64 = self.flow_periods.iter().map(|(a, b)| (b.0 - a.0) as f64 / 12.0).sum();
                let _ = writeln!(
                    out,
                    "#   flows:     {} ({} periods with flow counts, {years:.2} years, {} to {})",
                    clean(&flows.display().to_string()),
                    self.flow_periods.len(),
                    self.flow_periods[0].0,
                    self.flow_periods[self.flow_periods.len() - 1].1
                );
            }
            _ => {
                let _ = writeln!(out, "#   flows:     none (snapshots only)");
            }
        }
        if self.attrition.is_some() {
            let cells = if self.by_region { "role x band x region" } else { "role x band (regions summed)" };
            let _ = writeln!(out, "# Cells: {cells}.");
            let _ = writeln!(
                out,
                "# Method: annual probability = events / (person-years + events / 2), person-years by the\n\
                 #   trapezoid on the snapshots' headcounts; each cell pooled towards a main-effects prior\n\
                 #   (overall x role x band{} factors) by empirical-Bayes Beta-Binomial shrinkage, prior\n\
                 #   strength by the method of moments (bounded to {} .. {}); written as the posterior\n\
                 #   {{ mean, sd }}. Transfers: Jeffreys posterior per pair of roles. Joiners: {}.",
                if self.by_region { " x region" } else { "" },
                num(KAPPA_MIN),
                num(KAPPA_MAX),
                if self.recruitment.is_some() {
                    "vacancy-fill\n#   recruitment, fill probability from joiners per vacancy-year (see [[supply]])"
                } else {
                    "mean intake\n#   per year straight into post, shared by the cells they joined"
                }
            );
            let pooled: Vec<String> = [&self.attrition, &self.progression]
                .into_iter()
                .flatten()
                .map(|r| format!("{} {} of {} cells", r.section, r.pooled(), r.cells.len()))
                .collect();
            let _ = writeln!(out, "# Pooled (weight above {POOLED_WEIGHT}): {}.", pooled.join(", "));
            let _ = writeln!(out, "# To change a rule, edit its line, or write a scenario that `extends` this one.");
        }
        for note in &self.notes {
            let _ = writeln!(out, "# Note: {}.", clean(note));
        }
    }

    fn write_rates(&self, out: &mut String, r: &RateEstimates) {
        let _ = writeln!(out, "\n[{}]", r.section);
        let _ = writeln!(
            out,
            "# overall: {} {} / {} person-years (Jeffreys posterior); cells without a rule get it",
            fmt_count(r.events),
            r.events_name,
            num(r.exposure)
        );
        let _ = writeln!(out, "default = {}", param(r.mean, Some(r.sd), Family::Probability));
        let strengths: Vec<String> = std::iter::once(format!("cells {}", num(r.kappa)))
            .chain(r.dimensions.iter().map(|d| format!("{}s {}", d.name, num(d.kappa))))
            .collect();
        let _ = writeln!(out, "# prior strength (person-years, method of moments): {}", strengths.join(", "));
        let mut missing = Vec::new();
        let mut lines = String::new();
        for c in &r.cells {
            if !self.known(&c.cell.role, c.cell.region.as_deref()) {
                missing.push(c.cell.label());
                continue;
            }
            let mut comment = format!("{} {} / {} person-years", fmt_count(c.events), r.events_name, num(c.exposure));
            if c.exposed == 0.0 {
                comment.push_str(", no exposure: the prior");
            } else if c.pooled() {
                let _ = write!(comment, ", pooled {:.0}% towards {}", c.weight * 100.0, num(c.prior_mean));
            }
            let _ = writeln!(
                lines,
                "  {{ {}, rate = {} }},  # {comment}",
                c.cell.selector(),
                param(c.mean, Some(c.sd), Family::Probability)
            );
        }
        if !lines.is_empty() {
            let _ = write!(out, "rule = [\n{lines}]\n");
        }
        out.push_str(&self.left_out("rules", missing));
    }

    fn write_transfers(&self, out: &mut String) {
        if self.transfers.is_empty() {
            return;
        }
        let mut missing = Vec::new();
        for t in &self.transfers {
            if !self.known(&t.from, None) || !self.known(&t.to, None) {
                missing.push(format!("{} -> {}", clean(&t.from), clean(&t.to)));
                continue;
            }
            let _ = writeln!(
                out,
                "\n# {} moves / {} person-years of the from role, all bands and regions (Jeffreys posterior)",
                fmt_count(t.events),
                num(t.exposure)
            );
            let _ = writeln!(
                out,
                "[[transfer]]\nfrom = {}\nto = {}\nrate = {}",
                quote(&t.from),
                quote(&t.to),
                param(t.mean, Some(t.sd), Family::Probability)
            );
        }
        if !missing.is_empty() {
            out.push('\n');
            out.push_str(&self.left_out("transfers", missing));
        }
    }

    fn write_joiners(&self, out: &mut String) {
        if let Some(choice) = &self.joiners_choice {
            let _ = writeln!(out, "\n# {}", wrap(&format!("---- Joiners: {}.", clean(choice)), "# ", 94));
        }
        if let Some(r) = &self.recruitment {
            let _ = writeln!(out, "\n[[supply]]\nname = {}\nkind = \"vacancy-fill\"", quote(RECRUITMENT_ROUTE));
            let _ = writeln!(
                out,
                "# J = {} joiners into cells with open vacancies, W = {} vacancy-years, over {:.2} years\n\
                 #   ({} to {}). Open vacancies in headcount per cell at each snapshot, as the engine counts\n\
                 #   them: floor(establishment_fte / (fte per head) - headcount), at least 0; trapezoid over\n\
                 #   each period. A snapshot is taken after the month's hires, and the engine hires from the\n\
                 #   vacancies open before them (those at the snapshot plus the hires), so the monthly fill\n\
                 #   probability is J / (12 W + J) = {}, and the annual 1 - (1 - {})^12.\n\
                 # sd: the larger of the Poisson sd of the joiners (delta method) and the standard error of\n\
                 #   the per-period estimates ({})",
                fmt_count(r.joiners),
                num(r.vacancy_years),
                r.years,
                r.periods[0].0,
                r.periods[r.periods.len() - 1].1,
                num(r.monthly),
                num(r.monthly),
                r.per_period.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ")
            );
            let _ = writeln!(out, "fill_rate = {}", param(r.mean, Some(r.sd), Family::Probability));
        }
        let Some(j) = &self.joiners else { return };
        let _ = writeln!(out, "\n[[supply]]\nname = {}", quote(JOINERS_ROUTE));
        if self.recruitment.is_some() {
            let _ = writeln!(
                out,
                "# The joiners into cells with no open vacancy at either snapshot of their period: a fixed\n\
                 # intake beside the recruitment above."
            );
        }
        let _ = writeln!(
            out,
            "# {} joiners over {:.2} years; sd: the larger of the Poisson sd and the standard error of the\n\
             # per-period counts per year ({})",
            fmt_count(j.total),
            j.years,
            j.per_period.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ")
        );
        let _ = writeln!(out, "intake = {}", param(j.mean, Some(j.sd), Family::Amount));
        let _ = writeln!(out, "duration_months = 0");
        let mut missing = Vec::new();
        let mut lines = String::new();
        for e in &j.entries {
            if !self.known(&e.cell.role, e.cell.region.as_deref()) {
                missing.push(e.cell.label());
                continue;
            }
            let _ = writeln!(
                lines,
                "  {{ {}, share = {} }},  # {} joiners",
                e.cell.selector(),
                num(e.share),
                fmt_count(e.joiners)
            );
        }
        if !lines.is_empty() {
            let _ = write!(out, "entry = [\n{lines}]\n");
        }
        out.push_str(&self.left_out("entry cells", missing));
    }

    fn write_net_change(&self, out: &mut String) {
        out.push('\n');
        if self.flows_path.is_none() || self.attrition.is_none() {
            out.push_str(
                "# ---- Net change only: no flow counts were given, so leaver, progression and transfer rates\n\
                 # cannot be estimated; supply --flows to estimate them.\n",
            );
        } else {
            out.push_str("# ---- Net change of staff in post (for reference; the rates above are what runs).\n");
        }
        out.push_str("# Net annual change of staff in post per role (OLS of ln headcount on years):\n");
        for t in &self.net_change {
            let _ = writeln!(out, "#   {}: {}", clean(&t.name), trend_text(t, "staff"));
        }
    }

    fn write_demand(&self, out: &mut String) {
        let Some(d) = &self.demand else {
            out.push_str(
                "\n# Demand growth was not estimated: the history has no establishment_fte column \
                 (at two dates or more).\n",
            );
            return;
        };
        out.push_str("\n[demand]\n");
        let _ = writeln!(
            out,
            "# growth of the funded establishment (OLS of ln establishment FTE on years): total {}",
            trend_text(&d.total, "FTE")
        );
        let _ = writeln!(out, "growth = {}", param(d.total.mean, d.total.sd, Family::Growth));
        let mut missing = Vec::new();
        let mut lines = String::new();
        for t in &d.roles {
            if !self.known(&t.name, None) {
                missing.push(clean(&t.name));
                continue;
            }
            let _ = writeln!(
                lines,
                "  {{ role = {}, growth = {} }},  # {}",
                quote(&t.name),
                param(t.mean, t.sd, Family::Growth),
                trend_text(t, "FTE")
            );
        }
        if !lines.is_empty() {
            let _ = write!(out, "rule = [\n{lines}]\n");
        }
        out.push_str(&self.left_out("demand rules", missing));
    }
}
