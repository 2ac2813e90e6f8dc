#!/usr/bin/env python3
"""Reference NumPy implementation of the wfcast model, for benchmarking.

A plain, vectorised NumPy version of the model's core phases, written the way an analyst
would, from the reference semantics in /work/shared/MODEL.md ('Indices and state', 'Time',
'Uncertainty', 'One step, in this order', 'Details that are easy to get subtly wrong', 'What
is reported'). A benchmark runs it side by side with the Rust binary and compares throughput
(cell-steps per second) and the means of the totals.

    python3 benches/reference_numpy.py scenarios/steady-state.toml --runs 1000 [--seed S] [--json]
    python3 benches/reference_numpy.py scenarios/steady-state.toml --runs 200 --check SUMMARY_CSV

State is arrays of shape (runs, cells) over the dense grid of every role x band x region of
the baseline (plus `new_roles` / `new_regions`), cells ordered (role, band, region).

Simplifications (deliberate, for a benchmark reference):
- Parameter uncertainty is not simulated: every parameter written as a distribution is taken
  at its MEAN, the same value in every run; only process noise is drawn. For `{ low, high }`
  the midpoint (low + high) / 2 is used, an approximation to the mean of the fitted Beta /
  Gamma (exact for the Normal of growth rates). Demand is therefore the same in every run.
- Transfers: the Multinomial of a cell over its links is drawn as sequential conditional
  Binomials (the same distribution).
- Vacancy-fill cap: as wfcast, a whole budget floor(max_per_year * months of the reporting
  year so far / 12) minus the hires of the year so far; when a step's hires exceed it they are
  scaled down proportionally and floored per cell (wfcast thins at random to exactly the
  budget), so this hires at most a few fewer.
- Not implemented, refused with an error: `extends`, `[[intervention]]`, `[retirement]`, an
  age column, `by_organisation = true`. Costs, families and flows are not reported (only the
  totals of headcount, fte and demand_fte).
"""
import argparse, csv, difflib, json, math, sys, time, tomllib
from pathlib import Path

import numpy as np

T0 = time.perf_counter()
BANDS = ["2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"]
STEP_MONTHS = {"month": 1, "quarter": 3, "year": 12}
METRICS = ["headcount", "fte", "demand_fte"]
TOP_KEYS = {"name", "title", "description", "baseline", "start", "end", "step", "runs", "seed",
            "report_month", "new_roles", "new_regions", "by_organisation", "families",
            "attrition", "progression", "transfer", "supply", "demand", "cost"}


def fail(msg):
    raise SystemExit(f"reference_numpy: {msg}")


def month(text):  # 'YYYY-MM' -> months since year 0
    y, m = str(text).split("-")
    return int(y) * 12 + int(m) - 1


def month_text(m):
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def band_of(text):
    s = str(text).strip().lower()
    s = s.removeprefix("band").strip().replace(" ", "").replace("-", "")
    if s not in BANDS:
        fail(f"`{text}` is not an AfC band (expected one of {', '.join(BANDS)})")
    return BANDS.index(s)


def mean_of(spec, where):
    """A parameter at its mean: a number, { mean, sd }, or { low, high } (midpoint)."""
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return float(spec)
    if isinstance(spec, dict) and set(spec) == {"mean", "sd"}:
        return float(spec["mean"])
    if isinstance(spec, dict) and set(spec) == {"low", "high"}:
        # Approximation: the mean of the fitted Beta/Gamma is not exactly the midpoint.
        return (float(spec["low"]) + float(spec["high"])) / 2
    fail(f"{where}: expected a number, {{ mean, sd }} or {{ low, high }}, got {spec!r}")


def names(x):
    return None if x is None else ([x] if isinstance(x, (str, int)) else list(x))


def only_keys(table, allowed, where):
    extra = set(table) - set(allowed)
    if extra:
        fail(f"{where}: not implemented by this reference: {', '.join(sorted(extra))}")


class Model:
    def __init__(self, path, runs, seed):
        self.path = Path(path)
        with open(self.path, "rb") as f:
            sc = tomllib.load(f)
        self.sc = sc
        only_keys(sc, TOP_KEYS, "scenario")
        if sc.get("by_organisation"):
            fail("by_organisation = true is not implemented")
        self.runs = runs or sc.get("runs", 1000)
        self.seed = sc.get("seed", 1) if seed is None else seed
        self.start = month(sc["start"])
        self.end = month(sc.get("end", "2030-03"))
        self.s = STEP_MONTHS[sc.get("step", "month")]
        if (self.end - self.start) % self.s:
            fail("end is not a whole number of steps after start")
        self.n_steps = (self.end - self.start) // self.s
        self.report_month = sc.get("report_month", 3)
        self.report_steps = [0] + [k for k in range(1, self.n_steps + 1)
                                   if self.end_of(k) % 12 + 1 == self.report_month or k == self.n_steps]
        off = [month_text(m) for m in range(self.start + 1, self.end + 1)
               if m % 12 + 1 == self.report_month and (m - self.start) % self.s]
        if off:
            fail(f"reporting dates {', '.join(off)} do not fall on step ends")
        self.read_baseline(self.path.parent / sc["baseline"])
        self.compile()

    def end_of(self, k):
        return self.start + k * self.s

    # ---- baseline and grid ---------------------------------------------------------------
    def read_baseline(self, path):
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
        cols = {c.strip().lower(): c for c in rows[0]}
        if any(c in cols for c in ("age band", "age", "age_band")):
            fail("baseline has an age column: the age dimension is not implemented")
        col = lambda *alts: next((cols[a] for a in alts if a in cols), None)
        c_role, c_band = col("job role", "role"), col("band", "afc band")
        c_reg, c_h, c_fte = col("region"), col("headcount"), col("fte")
        c_est = col("establishment_fte", "establishment fte")
        if not (c_role and c_band and c_h):
            fail(f"{path}: needs role, band and headcount columns")
        reg_of = lambda r: r[c_reg].strip() if c_reg else "England"
        self.roles = list(dict.fromkeys(r[c_role].strip() for r in rows))
        self.regions = list(dict.fromkeys(reg_of(r) for r in rows))
        self.roles += self.sc.get("new_roles", [])
        self.regions += self.sc.get("new_regions", [])
        R, B, G = len(self.roles), len(BANDS), len(self.regions)
        self.shape, self.n = (R, B, G), R * B * G
        self.h0, fte = np.zeros(self.n), np.zeros(self.n)
        self.est = np.zeros(self.n) if c_est else None
        ri, gi = {n: i for i, n in enumerate(self.roles)}, {n: i for i, n in enumerate(self.regions)}
        for r in rows:
            c = self.cell(ri[r[c_role].strip()], band_of(r[c_band]), gi[reg_of(r)])
            self.h0[c] += float(r[c_h])
            fte[c] += float(r[c_fte]) if c_fte else float(r[c_h])
            if c_est and r[c_est].strip():
                self.est[c] += float(r[c_est])
        # FTE per head: the cell's, else its role's average, else 1.
        hr = self.h0.reshape(R, -1).sum(1)
        fr = fte.reshape(R, -1).sum(1)
        role_phi = np.repeat(np.where(hr > 0, fr / np.maximum(hr, 1e-300), 1.0), B * G)
        self.phi = np.where(self.h0 > 0, fte / np.maximum(self.h0, 1e-300), role_phi)

    def cell(self, role, band, region):
        return (role * len(BANDS) + band) * len(self.regions) + region

    def index(self, kind, name, known):
        if name in known:
            return known.index(name)
        near = difflib.get_close_matches(str(name), known, n=1)
        fail(f"unknown {kind} `{name}`" + (f" (did you mean `{near[0]}`?)" if near else ""))

    def mask(self, t):
        """Boolean mask over cells of a selector (role / band / region, a string or a list);
        an unknown name is an error naming the nearest known one."""
        R, B, G = self.shape
        m_role, m_band, m_reg = np.ones(R, bool), np.ones(B, bool), np.ones(G, bool)
        for key, m, fn in (("role", m_role, lambda x: self.index("role", x, self.roles)),
                           ("band", m_band, band_of),
                           ("region", m_reg, lambda x: self.index("region", x, self.regions))):
            sel = names(t.get(key))
            if sel is not None:
                m[:] = False
                for x in sel:
                    m[fn(x)] = True
        return (m_role[:, None, None] & m_band[None, :, None] & m_reg[None, None, :]).ravel()

    # ---- scenario -> per-cell, per-step parameters -----------------------------------------
    def per_step(self, p):
        return 1 - (1 - np.clip(p, 0, 1)) ** (self.s / 12)

    def rate_section(self, name):
        sec = self.sc.get(name, {})
        only_keys(sec, {"default", "rule"}, f"[{name}]")
        a = np.full(self.n, mean_of(sec.get("default", 0.0), f"{name}.default"))
        for i, r in enumerate(sec.get("rule", [])):  # later rules win
            only_keys(r, {"role", "band", "region", "rate"}, f"{name}.rule[{i}]")
            a[self.mask(r)] = mean_of(r["rate"], f"{name}.rule[{i}].rate")
        return a

    def intake_share(self, w, k):
        """Share of an annual intake (month weights w, January first) falling in step k."""
        return sum(w[m % 12] for m in range(self.end_of(k - 1) + 1, self.end_of(k) + 1))

    def compile(self):
        sc, n, (R, B, G) = self.sc, self.n, self.shape
        for key in ("retirement", "intervention", "extends"):
            if key in sc:
                fail(f"`{key}` is not implemented")
        self.attr = self.per_step(self.rate_section("attrition"))
        prog = self.rate_section("progression").reshape(R, B, G)
        prog[:, -1, :] = 0.0  # none from band 9
        self.prog = self.per_step(prog.ravel())
        # Transfers: (from cell, to cell) -> annual rate; a later one replaces an earlier.
        links = {}
        for i, t in enumerate(sc.get("transfer", [])):
            only_keys(t, {"from", "to", "band", "region", "rate"}, f"transfer[{i}]")
            fr, to = (self.index("role", t[k], self.roles) for k in ("from", "to"))
            if fr == to:
                fail(f"transfer[{i}]: `{t['to']}` moves to itself")
            rate = mean_of(t["rate"], f"transfer[{i}].rate")
            for c in np.flatnonzero(self.mask({**t, "role": None})):
                r_, b, g = np.unravel_index(c, self.shape)
                if r_ == fr:
                    links[(c, self.cell(to, b, g))] = rate
        out_sum = {}
        for (c, _), p in links.items():
            out_sum[c] = out_sum.get(c, 0.0) + p
        if any(v > 1 + 1e-12 for v in out_sum.values()):
            fail("transfer rates out of a cell sum above 1")
        # Group links by rank within their from cell, for sequential conditional binomials.
        self.t_from = np.array(sorted(out_sum), dtype=np.int64)
        pos = {c: i for i, c in enumerate(self.t_from)}
        ranks, seen = [], {}
        for (c, d), p in sorted(links.items()):
            j = seen.get(c, 0)
            seen[c] = j + 1
            if j == len(ranks):
                ranks.append([])
            ranks[j].append((pos[c], d, float(self.per_step(p))))
        self.t_ranks = [tuple(np.array(x) for x in zip(*rk)) for rk in ranks]
        self.compile_supply()
        self.compile_demand()

    def compile_supply(self):
        self.pipes, self.fills = [], []
        R, B, G = self.shape
        for i, s in enumerate(self.sc.get("supply", [])):
            where = f"supply[{i}] `{s.get('name')}`"
            if s.get("kind", "pipeline") == "vacancy-fill":
                only_keys(s, {"name", "kind", "fill_rate", "max_per_year", "role", "band", "region"}, where)
                cap = s.get("max_per_year")
                months = np.array([self.end_of(k) % 12 + 1 for k in range(self.n_steps + 1)])
                to_report = (self.report_month - months) % 12
                into_year = np.minimum(12 - to_report, np.arange(self.n_steps + 1) * self.s)
                budget = None if cap is None else np.floor(cap * into_year / 12 + 1e-9)
                begins = [k == 1 or (k > 1 and self.end_of(k - 1) % 12 + 1 == self.report_month)
                          for k in range(self.n_steps + 1)]
                self.fills.append(dict(cells=np.flatnonzero(self.mask(s)), budget=budget, begins=begins,
                                       f=float(self.per_step(mean_of(s["fill_rate"], where + ".fill_rate")))))
                continue
            if s.get("kind", "pipeline") != "pipeline":
                fail(f"{where}: unknown kind `{s['kind']}`")
            only_keys(s, {"name", "kind", "intake", "months", "duration_months", "completion",
                          "in_training", "entry"}, where)
            intake = mean_of(s["intake"], where + ".intake")
            ms = s.get("months")
            w = np.full(12, 1 / 12) if not ms else np.bincount([m - 1 for m in ms], minlength=12) / len(ms)
            dur = s.get("duration_months", 0)
            delay = -(-dur // self.s)
            share = np.array([0.0] + [self.intake_share(w, k) for k in range(1, self.n_steps + 1)])
            base = np.zeros(delay)  # pre-start step k (1-delay..0) waits in ring slot k mod delay
            for k in range(1 - delay, 1):
                base[k % delay] = self.intake_share(w, k)
            # Entry cells: an entry with no region spreads by the baseline headcount of the role
            # and band over regions (then of the role, then of everyone, then evenly).
            weights = {}
            for j, e in enumerate(s["entry"]):
                only_keys(e, {"role", "band", "region", "share"}, f"{where}.entry[{j}]")
                r, b, sh = self.index("role", e["role"], self.roles), band_of(e["band"]), e.get("share", 1.0)
                if e.get("region") is not None:
                    mix = np.eye(G)[self.index("region", e["region"], self.regions)]
                else:
                    h = self.h0.reshape(R, B, G)
                    mix = next((m for m in (h[r, b], h[r].sum(0), h.sum((0, 1)), np.ones(G)) if m.sum() > 0))
                for g in np.flatnonzero(mix):
                    c = self.cell(r, b, g)
                    weights[c] = weights.get(c, 0.0) + sh * mix[g] / mix.sum()
            shares = [e.get("share", 1.0) for e in s["entry"]]
            if not (all(float(x).is_integer() for x in shares) or abs(sum(shares) - 1) <= 1e-3):
                fail(f"{where}: entry shares {shares} are neither fractions summing to 1 nor whole weights")
            cells = np.array(sorted(weights))
            probs = np.array([weights[c] for c in cells])
            self.pipes.append(dict(intake=intake, share=share, delay=delay, base=base,
                                   in_training=s.get("in_training"), cells=cells, probs=probs / probs.sum(),
                                   completion=float(np.clip(mean_of(s.get("completion", 1.0), where), 0, 1))))

    def compile_demand(self):
        d = self.sc.get("demand", {})
        only_keys(d, {"vacancy_rate", "growth", "rule", "change"}, "[demand]")
        vac = np.full(self.n, mean_of(d.get("vacancy_rate", 0.0), "demand.vacancy_rate"))
        growth = np.full(self.n, mean_of(d.get("growth", 0.0), "demand.growth"))
        for i, r in enumerate(d.get("rule", [])):
            only_keys(r, {"role", "band", "region", "growth", "vacancy_rate"}, f"demand.rule[{i}]")
            m = self.mask(r)
            if "growth" in r:
                growth[m] = mean_of(r["growth"], f"demand.rule[{i}].growth")
            if "vacancy_rate" in r:
                vac[m] = mean_of(r["vacancy_rate"], f"demand.rule[{i}].vacancy_rate")
        if (vac >= 1).any():
            fail("a vacancy rate of 1 or more")
        self.d0 = self.est if self.est is not None else self.h0 * self.phi / (1 - vac)
        self.growth_s = (1 + np.maximum(growth, -1)) ** (self.s / 12) - 1
        self.changes = []
        for i, ch in enumerate(d.get("change", [])):
            only_keys(ch, {"role", "band", "region", "from", "to", "add_fte"}, f"demand.change[{i}]")
            cells = np.flatnonzero(self.mask(ch))
            fr = month(ch["from"])
            to = month(ch.get("to", ch["from"]))
            done = lambda t: min(max((t - fr + 1) / (to - fr + 1), 0.0), 1.0)
            share = np.array([done(self.end_of(k)) - done(self.start) for k in range(self.n_steps + 1)])
            tot = self.d0[cells].sum()
            w = self.d0[cells] / tot if tot > 0 else np.full(len(cells), 1 / len(cells))
            self.changes.append((cells, w * mean_of(ch["add_fte"], f"demand.change[{i}].add_fte"), share))

    def demand(self, k, gfac):
        D = self.d0 * gfac
        for cells, amount, share in self.changes:
            D[cells] += amount * share[k]
        return D

    # ---- simulation ------------------------------------------------------------------------
    def simulate(self):
        rng = np.random.default_rng(self.seed)
        runs, (R, B, G) = self.runs, self.shape
        H = np.repeat(self.h0.astype(np.int64)[None, :], runs, axis=0)
        rings = []
        for p in self.pipes:  # trainees in training at the baseline
            if p["delay"] == 0:
                rings.append(None)
            elif p["in_training"] is None:  # steady state: Poisson cohorts of the months before
                rings.append(rng.poisson(p["intake"] * p["base"], size=(runs, p["delay"])))
            elif p["in_training"] > 0 and p["base"].sum() > 0:
                rings.append(rng.multinomial(round(p["in_training"]), p["base"] / p["base"].sum(), size=runs))
            else:
                rings.append(np.zeros((runs, p["delay"]), np.int64))
        hired_year = np.zeros((len(self.fills), runs))
        gfac = np.ones(self.n)
        D = self.demand(0, gfac)
        out = {m: [] for m in METRICS}

        def report(D):
            out["headcount"].append(H.sum(1).mean())
            out["fte"].append((H @ self.phi).mean())
            out["demand_fte"].append(D.sum())

        report(D)
        for k in range(1, self.n_steps + 1):
            # 1. Leavers.
            H -= rng.binomial(H, self.attr)
            # 2. Progression, from the stock after leavers, applied together.
            U = rng.binomial(H, self.prog)
            H -= U
            H.reshape(runs, R, B, G)[:, :, 1:, :] += U.reshape(runs, R, B, G)[:, :, :-1, :]
            # 3. Transfers: one multinomial per cell as sequential conditional binomials.
            if len(self.t_from):
                rem = H[:, self.t_from].copy()
                cum = np.zeros(len(self.t_from))
                moved = []
                for src, dest, p in self.t_ranks:
                    m = rng.binomial(rem[:, src], np.minimum(p / np.maximum(1 - cum[src], 1e-12), 1.0))
                    rem[:, src] -= m
                    cum[src] += p
                    moved.append((dest, m))
                H[:, self.t_from] = rem
                for dest, m in moved:
                    np.add.at(H, (slice(None), dest), m)
            # 4. Supply routes.
            for p, ring in zip(self.pipes, rings):
                taken = rng.poisson(p["intake"] * p["share"][k], size=runs)
                if ring is None:
                    entering = taken
                else:
                    slot = k % p["delay"]
                    entering = rng.binomial(ring[:, slot], p["completion"])
                    ring[:, slot] = taken
                H[:, p["cells"]] += rng.multinomial(entering, p["probs"])
            # 5. Demand (the same in every run: parameters at their means).
            gfac *= 1 + self.growth_s
            D = self.demand(k, gfac)
            # 6. Vacancy-fill recruitment, route by route, capped by the year's budget.
            for f, hired in zip(self.fills, hired_year):
                c = f["cells"]
                wanted = D[c] / self.phi[c] - H[:, c]
                V = np.where(wanted >= 1, np.floor(wanted), 0).astype(np.int64)
                hires = rng.binomial(V, f["f"])
                if f["budget"] is not None:
                    if f["begins"][k]:
                        hired[:] = 0
                    left = np.maximum(f["budget"][k] - hired, 0)
                    total = hires.sum(1)
                    over = total > left
                    if over.any():  # proportional scale-down, floored (simplification)
                        scale = left[over] / total[over]
                        hires[over] = np.floor(hires[over] * scale[:, None]).astype(np.int64)
                    hired += hires.sum(1)
                H[:, c] += hires
            if k in self.report_steps:
                report(D)
        return out


def read_summary(path):
    """Totals (date -> metric -> mean) from a wfcast summary.csv."""
    got = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["level"] == "total" and r["metric"] in METRICS:
                got.setdefault(r["date"], {})[r["metric"]] = float(r["mean"])
    return got


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--check", metavar="SUMMARY_CSV", help="compare totals with a wfcast summary.csv (1.5%%)")
    a = ap.parse_args()
    m = Model(a.scenario, a.runs, a.seed)
    t = time.perf_counter()
    out = m.simulate()
    sim = time.perf_counter() - t
    dates = [month_text(m.end_of(k)) for k in m.report_steps]
    res = dict(runs=m.runs, cells=m.n, occupied_cells=int((m.h0 > 0).sum()), steps=m.n_steps,
               seconds=dict(simulation=sim, process=time.perf_counter() - T0),
               cell_steps_per_second=m.n * m.n_steps * m.runs / sim,
               means={d: {k: float(out[k][i]) for k in METRICS} for i, d in enumerate(dates)})
    if a.json:
        print(json.dumps(res))
    else:
        print(f"runs {m.runs}, cells {m.n} ({res['occupied_cells']} occupied), steps {m.n_steps}")
        print(f"simulation {sim:.2f} s, process {res['seconds']['process']:.2f} s, "
              f"{res['cell_steps_per_second']:.3e} cell-steps/s")
        print(f"{'date':8} {'headcount':>11} {'fte':>11} {'demand_fte':>11}")
        for d, v in res["means"].items():
            print(f"{d:8} " + " ".join(f"{v[k]:11.1f}" for k in METRICS))
    if a.check:
        ref, bad = read_summary(a.check), False
        dest = sys.stderr if a.json else sys.stdout  # keep stdout one JSON object with --json
        print(f"\n{'date':8} {'metric':10} {'numpy':>11} {'wfcast':>11} {'diff %':>7}", file=dest)
        for d, v in res["means"].items():
            for k in METRICS:
                r = ref.get(d, {}).get(k)
                pct = math.inf if not r else 100 * (v[k] - r) / r
                bad |= not abs(pct) <= 1.5
                print(f"{d:8} {k:10} {v[k]:11.1f} {r if r is not None else float('nan'):11.1f} {pct:+7.2f}"
                      + ("  <-- over 1.5%" if not abs(pct) <= 1.5 else ""), file=dest)
        if bad:
            sys.exit(1)


if __name__ == "__main__":
    main()
