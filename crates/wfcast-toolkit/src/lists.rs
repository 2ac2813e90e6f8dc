//! The national lists a submission is checked against: the baseline month, the years, the
//! regions, the roles and their typical bands, and the default futures.

/// The month of the staff in post every submission describes: 31 March 2025.
pub const BASELINE_MONTH: &str = "2025-03";

/// The years whose 31 March demand a submission gives.
pub const YEARS: [i32; 5] = [2026, 2027, 2028, 2029, 2030];

/// The seven NHS England regions.
pub const REGIONS: [&str; 7] =
    ["London", "South East", "South West", "East of England", "Midlands", "North East and Yorkshire", "North West"];

/// The 20 national roles: those of the shipped illustrative extract
/// (`seeds/esr_informatics_2025.csv`).
pub const ROLES: [&str; 20] = [
    "Business Analyst & Change",
    "Business Intelligence & Analysis",
    "Clinical Coding",
    "Clinical Informatics",
    "Clinical Systems",
    "Cyber Security",
    "Data Engineering",
    "Data Science",
    "Data Warehousing",
    "Digital & Data Leadership",
    "Education & Training",
    "Health Records",
    "IT Service Desk & Operations",
    "Information Governance & Data Quality",
    "Library & Knowledge Services",
    "Networks & Infrastructure",
    "Portfolio & Programme Management",
    "Product Management",
    "Project Management",
    "Systems & Software Development",
];

/// The bands at which each national role typically has staff (at least about 2% of its
/// headcount in the shipped extract): the blank rows of a template made without an extract.
pub const TYPICAL_BANDS: [(&str, &[&str]); 20] = [
    ("Business Analyst & Change", &["4", "5", "6", "7", "8a", "8b"]),
    ("Business Intelligence & Analysis", &["3", "4", "5", "6", "7", "8a", "8b", "8c"]),
    ("Clinical Coding", &["3", "4", "5", "6", "7", "8a"]),
    ("Clinical Informatics", &["5", "6", "7", "8a", "8b", "8c", "8d", "9"]),
    ("Clinical Systems", &["3", "4", "5", "6", "7", "8a", "8b"]),
    ("Cyber Security", &["4", "5", "6", "7", "8a", "8b", "8c"]),
    ("Data Engineering", &["5", "6", "7", "8a", "8b"]),
    ("Data Science", &["5", "6", "7", "8a", "8b", "8c"]),
    ("Data Warehousing", &["4", "5", "6", "7", "8a", "8b"]),
    ("Digital & Data Leadership", &["8a", "8b", "8c", "8d", "9"]),
    ("Education & Training", &["3", "4", "5", "6", "7", "8a"]),
    ("Health Records", &["2", "3", "4", "5", "6", "7"]),
    ("IT Service Desk & Operations", &["2", "3", "4", "5", "6", "7", "8a"]),
    ("Information Governance & Data Quality", &["3", "4", "5", "6", "7", "8a", "8b"]),
    ("Library & Knowledge Services", &["2", "3", "4", "5", "6", "7", "8a"]),
    ("Networks & Infrastructure", &["3", "4", "5", "6", "7", "8a", "8b"]),
    ("Portfolio & Programme Management", &["6", "7", "8a", "8b", "8c", "8d", "9"]),
    ("Product Management", &["6", "7", "8a", "8b", "8c", "8d"]),
    ("Project Management", &["4", "5", "6", "7", "8a", "8b", "8c"]),
    ("Systems & Software Development", &["4", "5", "6", "7", "8a", "8b"]),
];

/// The futures a template names when none are given.
pub const DEFAULT_FUTURES: [&str; 2] = ["steady", "accelerated"];

/// The vacancy rate behind a pre-filled establishment: `FTE / (1 - 0.08)`, rounded to one
/// decimal (8%, the middle of the 4% to 12% range of informatics vacancy rates, ASSIST 2006).
pub const PREFILL_VACANCY_RATE: f64 = 0.08;
