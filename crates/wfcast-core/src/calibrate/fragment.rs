//! The scenario fragment `wfcast calibrate` writes: [`Calibration::scenario`] as a TOML
//! document (toml_edit), its comments carried by the decor of its tables, keys and array
//! items.

use super::text::*;
use super::*;
use crate::scenario::{Names, RateSection, ScenarioFile};
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

/// A float as TOML with the text `text` (toml_edit keeps the text of a value it parses).
fn float(text: &str) -> Value {
    text.parse().unwrap_or_else(|_| Value::from(text.parse::<f64>().unwrap_or(0.0)))
}

/// The text of numbers written by [`written`](super::calibrated::written): 4 significant
/// figures where every one of them is exactly that, else in full precision.
fn number_texts(xs: &[f64]) -> Vec<String> {
    let short = xs.iter().all(|&x| num(x).parse::<f64>() == Ok(x));
    xs.iter().map(|&x| if short { num(x) } else { format!("{x:?}") }).collect()
}

/// A number as the fragment writes it.
fn number(x: f64) -> Value {
    float(&number_texts(&[x])[0])
}

/// A parameter as TOML: a plain number, `{ mean, sd }` or `{ low, high }`.
fn param(spec: &ParamSpec) -> Value {
    let pair = |keys: [&str; 2], a: f64, b: f64| {
        let texts = number_texts(&[a, b]);
        let mut t = InlineTable::new();
        for (key, text) in keys.into_iter().zip(&texts) {
            t.insert(key, float(text));
        }
        Value::InlineTable(t)
    };
    match *spec {
        ParamSpec::Fixed(x) => number(x),
        ParamSpec::MeanSd { mean, sd } => pair(["mean", "sd"], mean, sd),
        ParamSpec::LowHigh { low, high } => pair(["low", "high"], low, high),
    }
}

/// Names as TOML: a string, or an array of them.
fn names(n: &Names) -> Value {
    match n.0.as_slice() {
        [one] => Value::from(one.as_str()),
        many => Value::Array(many.iter().map(String::as_str).collect()),
    }
}

/// An inline table of the selector keys that are set, in order.
fn selector(keys: [(&str, Option<Value>); 3]) -> InlineTable {
    let mut t = InlineTable::new();
    for (key, value) in keys {
        if let Some(value) = value {
            t.insert(key, value);
        }
    }
    t
}

/// A multi-line array of inline tables, each followed by its comment:
/// `[\n  { ... },  # comment\n]`.
fn commented_array(items: Vec<(InlineTable, String)>) -> Array {
    let mut array = Array::new();
    let mut before = "\n  ".to_string();
    for (table, comment) in items {
        let mut value = Value::InlineTable(table);
        value.decor_mut().set_prefix(before);
        value.decor_mut().set_suffix("");
        array.push_formatted(value);
        before = format!("  # {comment}\n  ");
    }
    array.set_trailing_comma(true);
    array.set_trailing(before.trim_end_matches(' ').to_string());
    array
}

/// A TOML document built in order: comments wait in `pending` until the next table takes
/// them as the prefix of its header, or the document's end takes them.
struct Writer {
    doc: DocumentMut,
    pending: String,
}

impl Writer {
    /// A new table whose header follows the pending comments and a blank line.
    fn table(&mut self) -> Table {
        self.table_after("")
    }

    /// A new table whose header follows the pending comments, a blank line and `comment`.
    fn table_after(&mut self, comment: &str) -> Table {
        let mut t = Table::new();
        t.decor_mut().set_prefix(format!("{}\n{comment}", std::mem::take(&mut self.pending)));
        t
    }

    /// The document, the pending comments at its end.
    fn finish(mut self) -> DocumentMut {
        self.doc.set_trailing(std::mem::take(&mut self.pending));
        self.doc
    }
}

/// Sets `key = value` in `table`, after the comment lines `before`.
fn insert(table: &mut Table, key: &str, value: Value, before: String) {
    table.insert(key, Item::Value(value));
    table.key_mut(key).expect("just inserted").leaf_decor_mut().set_prefix(before);
}

impl Calibration {
    /// The cells that are not in the last snapshot's roles or regions, as a comment line.
    fn left_out(&self, what: &str, names: Vec<String>) -> String {
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
    /// with [`crate::scenario::Scenario::from_toml`] into [`Calibration::scenario`] and
    /// compiles against the history's last snapshot. Rules for roles or regions that are not
    /// in the last snapshot are left out (a comment lists them).
    pub fn to_toml(&self) -> String {
        self.append_to(DocumentMut::new()).to_string()
    }

    /// `doc` (a scenario's top-level keys, if any), then after a blank line the fragment of
    /// [`Calibration::to_toml`].
    pub fn append_to(&self, doc: DocumentMut) -> DocumentMut {
        let pending = if doc.is_empty() { String::new() } else { "\n".to_string() };
        let mut w = Writer { doc, pending };
        let scenario = self.scenario();
        self.write_header(&mut w);
        let sections = [(&self.attrition, &scenario.attrition), (&self.progression, &scenario.progression)];
        for (estimates, section) in sections {
            if let (Some(r), Some(s)) = (estimates, section) {
                self.write_rates(&mut w, r, s);
            }
        }
        self.write_transfers(&mut w, &scenario);
        self.write_joiners(&mut w, &scenario);
        self.write_net_change(&mut w);
        self.write_demand(&mut w, &scenario);
        w.finish()
    }

    /// The header: where the history came from, the method, what was pooled, and the notes.
    fn write_header(&self, w: &mut Writer) {
        let out = &mut w.pending;
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

    /// `[attrition]` or `[progression]`: the default, then a rule per cell with its counts.
    fn write_rates(&self, w: &mut Writer, r: &RateEstimates, section: &RateSection) {
        let mut table = w.table();
        let overall = format!(
            "# overall: {} {} / {} person-years (Jeffreys posterior); cells without a rule get it\n",
            fmt_count(r.events),
            r.events_name,
            num(r.exposure)
        );
        insert(&mut table, "default", param(section.default.as_ref().expect("calibrated")), overall);
        let strengths: Vec<String> = std::iter::once(format!("cells {}", num(r.kappa)))
            .chain(r.dimensions.iter().map(|d| format!("{}s {}", d.name, num(d.kappa))))
            .collect();
        let strengths = format!("# prior strength (person-years, method of moments): {}\n", strengths.join(", "));
        let mut missing = Vec::new();
        let mut rules = section.rule.iter();
        let mut items = Vec::new();
        for c in &r.cells {
            if !self.known(&c.cell.role, c.cell.region.as_deref()) {
                missing.push(c.cell.label());
                continue;
            }
            let rule = rules.next().expect("a rule per known cell");
            let mut comment = format!("{} {} / {} person-years", fmt_count(c.events), r.events_name, num(c.exposure));
            if c.exposed == 0.0 {
                comment.push_str(", no exposure: the prior");
            } else if c.pooled() {
                let _ = write!(comment, ", pooled {:.0}% towards {}", c.weight * 100.0, num(c.prior_mean));
            }
            let mut item = selector([
                ("role", rule.role.as_ref().map(names)),
                ("band", rule.band.as_ref().map(names)),
                ("region", rule.region.as_ref().map(names)),
            ]);
            item.insert("rate", param(&rule.rate));
            items.push((item, comment));
        }
        if items.is_empty() {
            w.pending.push_str(&strengths);
        } else {
            insert(&mut table, "rule", Value::Array(commented_array(items)), strengths);
        }
        w.doc.insert(r.section, Item::Table(table));
        w.pending.push_str(&self.left_out("rules", missing));
    }

    /// `[[transfer]]`: one table per pair of roles, after its counts.
    fn write_transfers(&self, w: &mut Writer, scenario: &ScenarioFile) {
        if self.transfers.is_empty() {
            return;
        }
        let mut missing = Vec::new();
        let mut tables = ArrayOfTables::new();
        let mut written = scenario.transfer.iter();
        for t in &self.transfers {
            if !self.known(&t.from, None) || !self.known(&t.to, None) {
                missing.push(format!("{} -> {}", clean(&t.from), clean(&t.to)));
                continue;
            }
            let transfer = written.next().expect("a transfer per known pair");
            let mut table = w.table_after(&format!(
                "# {} moves / {} person-years of the from role, all bands and regions (Jeffreys posterior)\n",
                fmt_count(t.events),
                num(t.exposure)
            ));
            insert(&mut table, "from", Value::from(transfer.from.as_str()), String::new());
            insert(&mut table, "to", Value::from(transfer.to.as_str()), String::new());
            insert(&mut table, "rate", param(&transfer.rate), String::new());
            tables.push(table);
        }
        if !tables.is_empty() {
            w.doc.insert("transfer", Item::ArrayOfTables(tables));
        }
        if !missing.is_empty() {
            w.pending.push('\n');
            w.pending.push_str(&self.left_out("transfers", missing));
        }
    }

    /// The joiners' `[[supply]]` routes: why they were chosen, then vacancy-fill recruitment
    /// and the fixed intake, each with how it was estimated.
    fn write_joiners(&self, w: &mut Writer, scenario: &ScenarioFile) {
        if let Some(choice) = &self.joiners_choice {
            let _ = writeln!(w.pending, "\n# {}", wrap(&format!("---- Joiners: {}.", clean(choice)), "# ", 94));
        }
        let mut tables = ArrayOfTables::new();
        let mut routes = scenario.supply.iter();
        if let Some(r) = &self.recruitment {
            let route = routes.next().expect("the recruitment route");
            let mut table = w.table();
            insert(&mut table, "name", Value::from(route.name.as_str()), String::new());
            insert(&mut table, "kind", Value::from("vacancy-fill"), String::new());
            let method = format!(
                "# J = {} joiners into cells with open vacancies, W = {} vacancy-years, over {:.2} years\n\
                 #   ({} to {}). Open vacancies in headcount per cell at each snapshot, as the engine counts\n\
                 #   them: floor(establishment_fte / (fte per head) - headcount), at least 0; trapezoid over\n\
                 #   each period. A snapshot is taken after the month's hires, and the engine hires from the\n\
                 #   vacancies open before them (those at the snapshot plus the hires), so the monthly fill\n\
                 #   probability is J / (12 W + J) = {}, and the annual 1 - (1 - {})^12.\n\
                 # sd: the larger of the Poisson sd of the joiners (delta method) and the standard error of\n\
                 #   the per-period estimates ({})\n",
                fmt_count(r.joiners),
                num(r.vacancy_years),
                r.years,
                r.periods[0].0,
                r.periods[r.periods.len() - 1].1,
                num(r.monthly),
                num(r.monthly),
                r.per_period.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ")
            );
            insert(&mut table, "fill_rate", param(route.fill_rate.as_ref().expect("calibrated")), method);
            tables.push(table);
        }
        let mut missing = Vec::new();
        if let Some(j) = &self.joiners {
            let route = routes.next().expect("the joiners' route");
            let mut table = w.table();
            insert(&mut table, "name", Value::from(route.name.as_str()), String::new());
            let mut method = String::new();
            if self.recruitment.is_some() {
                method.push_str(
                    "# The joiners into cells with no open vacancy at either snapshot of their period: a fixed\n\
                     # intake beside the recruitment above.\n",
                );
            }
            let _ = writeln!(
                method,
                "# {} joiners over {:.2} years; sd: the larger of the Poisson sd and the standard error of the\n\
                 # per-period counts per year ({})",
                fmt_count(j.total),
                j.years,
                j.per_period.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ")
            );
            insert(&mut table, "intake", param(route.intake.as_ref().expect("calibrated")), method);
            insert(&mut table, "duration_months", Value::from(i64::from(route.duration_months)), String::new());
            let mut entries = route.entry.iter();
            let mut items = Vec::new();
            for e in &j.entries {
                if !self.known(&e.cell.role, e.cell.region.as_deref()) {
                    missing.push(e.cell.label());
                    continue;
                }
                let entry = entries.next().expect("an entry per known cell");
                let mut item = selector([
                    ("role", Some(Value::from(entry.role.as_str()))),
                    ("band", Some(names(&entry.band))),
                    ("region", entry.region.as_deref().map(Value::from)),
                ]);
                item.insert("share", number(entry.share));
                items.push((item, format!("{} joiners", fmt_count(e.joiners))));
            }
            if !items.is_empty() {
                insert(&mut table, "entry", Value::Array(commented_array(items)), String::new());
            }
            tables.push(table);
        }
        if !tables.is_empty() {
            w.doc.insert("supply", Item::ArrayOfTables(tables));
        }
        w.pending.push_str(&self.left_out("entry cells", missing));
    }

    /// The net change of staff in post per role, as comments.
    fn write_net_change(&self, w: &mut Writer) {
        let out = &mut w.pending;
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

    /// `[demand]`: the growth of the total establishment, then a rule per role.
    fn write_demand(&self, w: &mut Writer, scenario: &ScenarioFile) {
        let (Some(d), Some(section)) = (&self.demand, &scenario.demand) else {
            w.pending.push_str(
                "\n# Demand growth was not estimated: the history has no establishment_fte column \
                 (at two dates or more).\n",
            );
            return;
        };
        let mut table = w.table();
        let total = format!(
            "# growth of the funded establishment (OLS of ln establishment FTE on years): total {}\n",
            trend_text(&d.total, "FTE")
        );
        insert(&mut table, "growth", param(section.growth.as_ref().expect("calibrated")), total);
        let mut missing = Vec::new();
        let mut rules = section.rule.iter();
        let mut items = Vec::new();
        for t in &d.roles {
            if !self.known(&t.name, None) {
                missing.push(clean(&t.name));
                continue;
            }
            let rule = rules.next().expect("a rule per known role");
            let mut item = selector([("role", rule.role.as_ref().map(names)), ("band", None), ("region", None)]);
            item.insert("growth", param(rule.growth.as_ref().expect("calibrated")));
            items.push((item, trend_text(t, "FTE")));
        }
        if !items.is_empty() {
            insert(&mut table, "rule", Value::Array(commented_array(items)), String::new());
        }
        w.doc.insert("demand", Item::Table(table));
        w.pending.push_str(&self.left_out("demand rules", missing));
    }
}
