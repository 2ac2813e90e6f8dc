#!/usr/bin/env python3
"""Build the illustrative seed data shipped with wfcast.

Writes two files next to this script:

``esr_informatics_2025.csv``
    An ILLUSTRATIVE extract shaped like an Electronic Staff Record (ESR) extract of the NHS
    digital, data and technology (DDaT) / informatics workforce of England at the end of
    March 2025. It has one row per organisation x job role x AfC band, with the columns
    ``Org Code,Org Name,Region,Staff Group,Job Role,Band,Headcount,FTE``. None of it is
    real ESR data: the organisations, their codes and their staff are made up. (Any code or
    name that matches a real organisation or place does so by coincidence.)

``afc_pay_2025_26.csv``
    The Agenda for Change (AfC) pay table for 2025/26 in England: ``band,entry,top`` in GBP
    for the 11 bands 2 ... 9, copied from the pay table in the project's domain notes.

How the extract is built (every number below is an assumption chosen to look like the
public figures in /work/shared/DOMAIN.md, not a measurement):

1. Organisations. About 130 made-up organisations spread over the seven NHS England regions
   in rough proportion to population (Midlands, London and North East and Yorkshire
   largest, South West smallest): acute trusts (the bulk), mental health and community
   trusts, one ambulance trust per region, integrated care boards (ICBs) and a few
   commissioning support units (CSUs). Trusts get ``R``-style three-character codes, ICBs
   ``Q`` codes and CSUs ``0`` codes, as in the real organisation data service. Each
   organisation gets a size (log-normal around its type's typical size); sizes are then
   scaled so that each region's share of the total matches its population share.
2. Roles. Twenty job roles taken from the specialist areas of the Health Informatics Career
   Pathways report (2019) and the emerging roles the planners single out (data science,
   data engineering, cyber security, product management). Each has a national headcount
   (``ROLES`` below) summing to about 50,000, inside the ESR-based estimate of 41,000 to
   53,000 (HEE CIO / BCS, 2020) and close to the 46,009 WTE of HEE 'Data Driven Healthcare
   in 2030' once FTE per head is applied. Health records, IT operations, business
   intelligence, clinical coding and clinical systems are large; data science and product
   management have a few hundred staff each.
3. Each role's national headcount is shared among organisations in proportion to
   organisation size times a role-by-organisation-type weight (ICBs have no health records
   staff, CSUs are analytics- and IT-heavy, ambulance trusts have no clinical coders...).
   Small expected counts are turned into presence or absence (a small trust usually has no
   data scientist), so that not every organisation has every role; counts carry log-normal
   noise.
4. Bands. Each organisation's staff in a role are spread over AfC bands by a role profile
   modelled on the NHS Employers national profiles for IT and information roles (operator
   2, entry analyst 3, technician 4, analyst 5, specialist 6, advanced analyst/section
   manager 7, principal 8a-8b, service manager 8a-8c, few at 8d and 9). Emerging roles
   are concentrated at 6 to 8a with few juniors. Each organisation's profile is perturbed a
   little.
5. FTE. Every member of staff is either full time or part time (0.4 to 0.9 FTE, i.e. 15 to
   33.75 of 37.5 hours); the chance of working full time rises with band, and is lower in
   health records, library services and clinical informatics (clinicians who give
   sessional time to informatics). FTE per head ends up between about 0.85 and 0.97 per
   role and band. FTE is rounded to 2 decimals and never exceeds headcount.

The script uses only the Python standard library and a fixed seed, so it writes the same
bytes every time:

    python3 seeds/make_seeds.py
"""

import csv
import math
import os
import random

SEED = 20250331
HERE = os.path.dirname(os.path.abspath(__file__))

BANDS = ["2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"]

# ---------------------------------------------------------------------------------------
# AfC pay 2025/26, England (entry and top of band, GBP), from DOMAIN.md.
PAY = [
    ("2", 24465, 24465),
    ("3", 24937, 26598),
    ("4", 27485, 30162),
    ("5", 31049, 37796),
    ("6", 38682, 46580),
    ("7", 47810, 54710),
    ("8a", 55690, 62682),
    ("8b", 64455, 74896),
    ("8c", 76965, 88682),
    ("8d", 91342, 105337),
    ("9", 109179, 125637),
]

# ---------------------------------------------------------------------------------------
# Regions and their approximate share of England's population (registered patients).
REGIONS = [
    # name, population share, number of organisations
    ("London", 0.170, 21),
    ("South East", 0.150, 19),
    ("South West", 0.100, 13),
    ("East of England", 0.115, 15),
    ("Midlands", 0.190, 24),
    ("North East and Yorkshire", 0.155, 21),
    ("North West", 0.120, 18),
]

# Organisation types: typical informatics size (relative), log-normal spread.
ORG_TYPES = {
    "acute": (1.00, 0.45),
    "mental": (0.55, 0.35),
    "community": (0.40, 0.35),
    "ambulance": (0.55, 0.20),
    "icb": (0.35, 0.30),
    "csu": (1.60, 0.25),
}

AC = "Administrative and Clerical"
APST = "Additional Professional Scientific and Technical"

# Role -> national headcount, band profile (shares of 2..9), staff group(s), FTE adjustment,
# elasticity of the role's size to organisation size, weights by organisation type
# (acute, mental, community, ambulance, icb, csu).
#            2     3     4     5     6     7     8a    8b    8c    8d    9
ROLES = [
    ("Health Records", 10900,
     [.300, .380, .170, .080, .040, .020, .010, 0, 0, 0, 0],
     [(AC, 1.0)], -0.025, 1.0, (1.0, 0.8, 0.7, 0.05, 0, 0)),
    ("Clinical Coding", 4300,
     [0, .220, .380, .220, .100, .050, .025, .005, 0, 0, 0],
     [(AC, 1.0)], -0.01, 1.0, (1.0, 0.25, 0.15, 0, 0, 0.3)),
    ("IT Service Desk & Operations", 7200,
     [.030, .250, .300, .220, .120, .050, .025, .005, 0, 0, 0],
     [(AC, 1.0)], 0.005, 1.0, (1.0, 1.0, 1.0, 1.2, 0.3, 2.0)),
    ("Networks & Infrastructure", 3600,
     [0, .040, .160, .280, .280, .150, .060, .025, .005, 0, 0],
     [(AC, 1.0)], 0.01, 1.0, (1.0, 0.9, 0.9, 1.2, 0.2, 2.0)),
    ("Clinical Systems", 4000,
     [0, .030, .120, .270, .300, .170, .080, .025, .005, 0, 0],
     [(AC, 0.85), (APST, 0.15)], 0.0, 1.0, (1.0, 1.0, 1.0, 1.0, 0.1, 0.5)),
    ("Systems & Software Development", 2200,
     [0, 0, .050, .200, .330, .250, .120, .040, .010, 0, 0],
     [(AC, 1.0)], 0.01, 1.0, (1.0, 0.8, 0.6, 1.0, 0.5, 2.0)),
    ("Business Intelligence & Analysis", 5000,
     [0, .020, .100, .240, .280, .190, .100, .050, .015, .005, 0],
     [(AC, 1.0)], 0.0, 1.0, (1.0, 1.0, 1.0, 1.0, 2.5, 5.0)),
    ("Information Governance & Data Quality", 2600,
     [0, .100, .200, .220, .200, .150, .090, .030, .010, 0, 0],
     [(AC, 1.0)], -0.01, 1.0, (1.0, 1.0, 1.0, 0.8, 1.5, 1.5)),
    ("Data Warehousing", 1000,
     [0, 0, .040, .160, .300, .280, .150, .060, .010, 0, 0],
     [(AC, 1.0)], 0.01, 1.0, (1.0, 0.8, 0.6, 0.8, 1.0, 3.0)),
    ("Data Engineering", 420,
     [0, 0, 0, .060, .300, .340, .200, .080, .020, 0, 0],
     [(AC, 1.0)], 0.015, 1.0, (1.0, 0.6, 0.3, 0.6, 2.0, 3.0)),
    ("Data Science", 300,
     [0, 0, 0, .040, .260, .360, .220, .090, .030, 0, 0],
     [(AC, 0.6), (APST, 0.4)], 0.01, 1.0, (1.0, 0.5, 0.2, 0.6, 2.5, 3.0)),
    ("Cyber Security", 650,
     [0, 0, .030, .080, .250, .300, .220, .090, .030, 0, 0],
     [(AC, 1.0)], 0.015, 1.0, (1.0, 0.9, 0.8, 1.2, 0.8, 2.0)),
    ("Project Management", 2100,
     [0, 0, .050, .120, .250, .300, .180, .080, .020, 0, 0],
     [(AC, 1.0)], 0.0, 1.0, (1.0, 1.0, 1.0, 1.0, 1.5, 2.0)),
    ("Portfolio & Programme Management", 850,
     [0, 0, 0, 0, .050, .200, .300, .250, .130, .050, .020],
     [(AC, 1.0)], 0.0, 1.0, (1.0, 1.0, 1.0, 1.0, 2.5, 2.0)),
    ("Business Analyst & Change", 1200,
     [0, 0, .040, .140, .300, .300, .160, .050, .010, 0, 0],
     [(AC, 1.0)], 0.0, 1.0, (1.0, 1.0, 1.0, 1.0, 1.5, 2.0)),
    ("Product Management", 220,
     [0, 0, 0, 0, .080, .340, .320, .180, .060, .020, 0],
     [(AC, 1.0)], 0.01, 1.0, (1.0, 0.5, 0.3, 0.8, 1.5, 2.0)),
    ("Clinical Informatics", 800,
     [0, 0, 0, .040, .120, .280, .280, .140, .080, .040, .020],
     [(APST, 0.7), (AC, 0.3)], -0.06, 1.0, (1.0, 0.8, 0.6, 0.8, 0.8, 0.3)),
    ("Education & Training", 550,
     [0, .080, .200, .300, .240, .120, .050, .010, 0, 0, 0],
     [(AC, 1.0)], -0.02, 1.0, (1.0, 1.0, 1.0, 1.0, 0.3, 1.0)),
    ("Library & Knowledge Services", 1500,
     [.050, .200, .220, .200, .170, .100, .050, .010, 0, 0, 0],
     [(AC, 0.8), (APST, 0.2)], -0.035, 1.0, (1.0, 0.6, 0.4, 0.1, 0, 0)),
    ("Digital & Data Leadership", 600,
     [0, 0, 0, 0, 0, 0, .050, .200, .300, .270, .180],
     [(AC, 1.0)], 0.01, 0.35, (1.0, 1.0, 1.0, 1.0, 1.0, 1.0)),
]
TYPE_INDEX = {t: i for i, t in enumerate(["acute", "mental", "community", "ambulance", "icb", "csu"])}

# Target FTE per head by band before the role adjustment.
BAND_FTE = [0.87, 0.875, 0.89, 0.915, 0.93, 0.94, 0.945, 0.95, 0.955, 0.955, 0.96]
# Part-time contracts, as FTE (15, 18.75, 20, 22.5, 25, 27.5, 30, 30, 33.75 of 37.5 hours).
PART_TIME = [0.40, 0.50, 0.53, 0.60, 0.67, 0.73, 0.80, 0.80, 0.90]
PART_TIME_MEAN = sum(PART_TIME) / len(PART_TIME)

# ---------------------------------------------------------------------------------------
# Made-up place names.
STEMS = [
    "Ald", "Ash", "Bel", "Brack", "Brom", "Calder", "Chal", "Cran", "Dray", "Dun", "Elm",
    "Ever", "Fal", "Fen", "Gor", "Gren", "Hal", "Hart", "Hol", "Ing", "Kel", "Kes", "Lang",
    "Lox", "Lyn", "Mar", "Mel", "Nor", "Oak", "Ock", "Orm", "Pen", "Pol", "Quen", "Rav",
    "Rook", "Rush", "Sax", "Sel", "Stan", "Tew", "Thorn", "Tor", "Wex", "Whit", "Yar",
    "Aln", "Bran", "Cor", "Dene", "Frith", "Glen", "Hask", "Lid", "Merr", "Nether",
    "Pendle", "Ries", "Sund", "Tarr", "Ulver", "Wend", "Wyre",
]
SUFFIXES = [
    "shire", "ford", "bridge", "mere", "wick", "ham", "ton", "field", "borough", "dale",
    "worth", "combe", "by", "holme", "stead", "minster", "port", "leigh", "well", "gate",
]
# Real places the generator could otherwise produce.
REAL = {
    "Ashford", "Ashton", "Ashby", "Ashfield", "Ashwell", "Oakham", "Whitby", "Melton",
    "Stanford", "Selby", "Bromley", "Thornton", "Thornby", "Marton", "Hartford", "Stanton",
    "Brackley", "Wexford", "Holton", "Hartfield", "Oakfield", "Calderdale", "Pendleton",
    "Rushton", "Yarmouth", "Falmouth", "Kelham", "Holbeck", "Dunford", "Elmfield",
    "Langport", "Marwell", "Oakworth", "Stanwell", "Thornbury", "Whitwell", "Dunham",
    "Ingleby", "Sundridge", "Bradford", "Wendover", "Ulverston", "Sedbergh", "Lidford",
    "Glenfield", "Corby", "Easton", "Merton", "Whitfield", "Bromford", "Hartwell",
    "Melford", "Penwortham", "Kesgrave", "Wyreford", "Eastleigh", "Marham", "Halton",
    "Hollingworth", "Lynton", "Tarrant", "Bramford", "Branston", "Netherfield",
    "Stansted", "Whitstable", "Thornham", "Cranbrook", "Cranford", "Crankshaw",
    "Wexcombe", "Oakley", "Pendleford", "Draycott", "Dunwich", "Elmham", "Cranwell",
    "Norham", "Stanfield", "Penton", "Bromby", "Aldham", "Halford", "Melbourne", "Aldborough",
    "Alnwick", "Alnmouth", "Brandon", "Corbridge", "Ingham", "Ockham", "Kelby", "Lynford",
    "Marbury", "Melbury", "Polgate", "Stanway", "Torbay", "Torport", "Whitham", "Yarwell",
}
SAINTS = ["Aldric", "Bertram", "Cuthman", "Edwold", "Frideswide", "Hilda", "Osyth", "Wilfrid"]


def place_names(rng):
    used = set()
    while True:
        stem, suffix = rng.choice(STEMS), rng.choice(SUFFIXES)
        name = stem + suffix
        if stem[-1] == suffix[0] or name in REAL or name in used or len(name) > 13:
            continue
        used.add(name)
        yield name


def org_name(kind, rng, places, region):
    p = next(places)
    if kind == "acute":
        form = rng.random()
        if region == "London" and form < 0.2:
            return f"St {rng.choice(SAINTS)}'s and {p} Hospitals NHS Foundation Trust"
        if form < 0.35:
            return f"{p} Hospitals NHS Foundation Trust"
        if form < 0.55:
            return f"{p} University Hospitals NHS Foundation Trust"
        if form < 0.75:
            return f"{p} and {next(places)} Hospitals NHS Trust"
        return f"{p} Teaching Hospitals NHS Trust"
    if kind == "mental":
        return rng.choice([
            f"{p} Partnership NHS Foundation Trust",
            f"{p} Mental Health NHS Foundation Trust",
            f"{p} and {next(places)} Healthcare NHS Foundation Trust",
        ])
    if kind == "community":
        return rng.choice([
            f"{p} Community Healthcare NHS Trust",
            f"{p} Community Health Services NHS Trust",
        ])
    if kind == "ambulance":
        if region == "London":
            return "Capital Ambulance Service NHS Trust"
        return f"{p} Ambulance Service NHS Foundation Trust"
    if kind == "icb":
        return f"NHS {p} and {next(places)} Integrated Care Board"
    return f"NHS {p} Commissioning Support Unit"


def org_codes(rng):
    letters = "ABCDEFGHJKLMNPQRTVWXY"
    alnum = letters + "0123456789"
    used = set()

    def make(first, second_pool, third_pool):
        while True:
            code = first + rng.choice(second_pool) + rng.choice(third_pool)
            if code not in used:
                used.add(code)
                return code

    return {
        "trust": lambda: make("R", letters, alnum),
        "icb": lambda: make("Q", letters, letters),
        "csu": lambda: make("0", "ABCD", letters),
    }


def lognormal(rng, sigma):
    """A log-normal multiplier with mean 1."""
    return math.exp(rng.gauss(-sigma * sigma / 2, sigma))


def build_orgs(rng):
    places = place_names(rng)
    codes = org_codes(rng)
    csu_regions = {"London", "Midlands", "North East and Yorkshire", "North West"}
    icbs = {"London": 3, "South East": 3, "South West": 3, "East of England": 3,
            "Midlands": 4, "North East and Yorkshire": 3, "North West": 3}
    orgs = []
    for region, share, n in REGIONS:
        kinds = ["ambulance"] + ["icb"] * icbs[region]
        if region in csu_regions:
            kinds.append("csu")
        rest = n - len(kinds)
        n_mental = round(rest * 0.22)
        n_comm = round(rest * 0.13)
        kinds += ["mental"] * n_mental + ["community"] * n_comm
        kinds += ["acute"] * (n - len(kinds))
        region_orgs = []
        for kind in kinds:
            mean, sigma = ORG_TYPES[kind]
            name = org_name(kind, rng, places, region)
            size = mean * lognormal(rng, sigma)
            if "University" in name or "Teaching" in name:
                size *= 1.5
            code = codes["icb" if kind == "icb" else "csu" if kind == "csu" else "trust"]()
            region_orgs.append({"code": code, "name": name, "region": region, "kind": kind,
                                "size": size})
        total = sum(o["size"] for o in region_orgs)
        for o in region_orgs:
            o["size"] *= share / total
        orgs.extend(region_orgs)
    return orgs


def perturbed(profile, rng, sigma=0.3):
    w = [p * lognormal(rng, sigma) if p > 0 else 0.0 for p in profile]
    s = sum(w)
    return [x / s for x in w]


def person_fte(rng, target):
    q = (target - PART_TIME_MEAN) / (1.0 - PART_TIME_MEAN)
    return 1.0 if rng.random() < q else rng.choice(PART_TIME)


def build_rows(orgs, rng):
    rows = []
    for role, total, profile, groups, fte_adj, elasticity, type_weights in ROLES:
        weights = [o["size"] ** elasticity * type_weights[TYPE_INDEX[o["kind"]]] for o in orgs]
        wsum = sum(weights)
        for org, w in zip(orgs, weights):
            expected = total * w / wsum
            if expected <= 0:
                continue
            present = 1.0 - math.exp(-expected / 1.2)
            if rng.random() >= present:
                continue
            n = max(1, round(expected / present * lognormal(rng, 0.25)))
            group = rng.choices([g for g, _ in groups], [s for _, s in groups])[0]
            prof = perturbed(profile, rng)
            counts = [0] * len(BANDS)
            for _ in range(n):
                counts[rng.choices(range(len(BANDS)), prof)[0]] += 1
            for b, h in enumerate(counts):
                if h == 0:
                    continue
                target = min(0.96, max(0.865, BAND_FTE[b] + fte_adj))
                fte = sum(person_fte(rng, target) for _ in range(h))
                rows.append({
                    "Org Code": org["code"], "Org Name": org["name"], "Region": org["region"],
                    "Staff Group": group, "Job Role": role, "Band": f"Band {BANDS[b]}",
                    "Headcount": h, "FTE": f"{min(fte, h):.2f}",
                    "_role_order": [r[0] for r in ROLES].index(role), "_band": b,
                })
    rows.sort(key=lambda r: (r["Org Code"], r["_role_order"], r["_band"]))
    return rows


def write_esr(rows, path):
    cols = ["Org Code", "Org Name", "Region", "Staff Group", "Job Role", "Band", "Headcount", "FTE"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([r[c] for c in cols])


def write_pay(path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["band", "entry", "top"])
        for band, entry, top in PAY:
            w.writerow([band, entry, top])


def main():
    rng = random.Random(SEED)
    orgs = build_orgs(rng)
    rows = build_rows(orgs, rng)
    headcount = sum(r["Headcount"] for r in rows)
    fte = sum(float(r["FTE"]) for r in rows)
    assert 47000 <= headcount <= 53000, headcount
    write_esr(rows, os.path.join(HERE, "esr_informatics_2025.csv"))
    write_pay(os.path.join(HERE, "afc_pay_2025_26.csv"))
    print(f"esr_informatics_2025.csv: {len(rows)} rows, {len(orgs)} organisations, "
          f"{len(ROLES)} roles, headcount {headcount}, FTE {fte:.2f}")
    print(f"afc_pay_2025_26.csv: {len(PAY)} bands")


if __name__ == "__main__":
    main()
