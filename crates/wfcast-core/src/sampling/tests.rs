//! Tests of the parameter distributions, special functions, streams and samplers.

use super::*;
use super::{dist::*, draws::*, spec::*, special::*, step::*, stream::*};
use rand::Rng;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
struct Holder {
    x: ParamSpec,
}

fn parse(src: &str) -> Result<ParamSpec, String> {
    toml::from_str::<Holder>(src).map(|h| h.x).map_err(|e| e.to_string())
}

// --- deserialisation -------------------------------------------------------------

#[test]
fn parses_numbers_as_fixed() {
    assert_eq!(parse("x = 124").unwrap(), ParamSpec::Fixed(124.0));
    assert_eq!(parse("x = -3").unwrap(), ParamSpec::Fixed(-3.0));
    assert_eq!(parse("x = 0.125").unwrap(), ParamSpec::Fixed(0.125));
}

#[test]
fn parses_tables_with_ints_accepted() {
    assert_eq!(parse("x = { mean = 0.1, sd = 0.02 }").unwrap(), ParamSpec::MeanSd { mean: 0.1, sd: 0.02 });
    assert_eq!(parse("x = { sd = 5, mean = 100 }").unwrap(), ParamSpec::MeanSd { mean: 100.0, sd: 5.0 });
    assert_eq!(parse("x = { low = 80, high = 120.5 }").unwrap(), ParamSpec::LowHigh { low: 80.0, high: 120.5 });
    assert_eq!(parse("[x]\nlow = 0.01\nhigh = 0.02\n").unwrap(), ParamSpec::LowHigh { low: 0.01, high: 0.02 });
}

#[test]
fn unknown_key_is_named() {
    let e = parse("x = { mean = 0.1, sdev = 0.2 }").unwrap_err();
    assert!(e.contains("unknown key `sdev`: expected a number, { mean, sd } or { low, high }"), "{e}");
}

#[test]
fn missing_and_mixed_keys_are_named() {
    let e = parse("x = { mean = 0.1 }").unwrap_err();
    assert!(e.contains("missing key `sd`") && e.contains("{ mean, sd }"), "{e}");
    let e = parse("x = { sd = 0.1 }").unwrap_err();
    assert!(e.contains("missing key `mean`"), "{e}");
    let e = parse("x = { low = 0.1 }").unwrap_err();
    assert!(e.contains("missing key `high`") && e.contains("{ low, high }"), "{e}");
    let e = parse("x = { high = 0.1 }").unwrap_err();
    assert!(e.contains("missing key `low`"), "{e}");
    // The order in which toml hands over the keys is its own: accept either.
    let e = parse("x = { mean = 0.1, high = 0.2 }").unwrap_err();
    assert!(
        e.contains("key `high` cannot be combined with `mean`")
            || e.contains("key `mean` cannot be combined with `high`"),
        "{e}"
    );
    assert!(e.contains("{ mean, sd } or { low, high }"), "{e}");
    let e = parse("x = { low = 0.1, high = 0.2, sd = 0.3 }").unwrap_err();
    assert!(e.contains("cannot be combined with"), "{e}");
    let e = parse("x = {}").unwrap_err();
    assert!(e.contains("empty table: expected a number, { mean, sd } or { low, high }"), "{e}");
}

#[test]
fn wrong_types_say_what_was_expected() {
    let e = parse("x = \"0.1\"").unwrap_err();
    assert!(e.contains("expected a number, { mean, sd } or { low, high }"), "{e}");
    let e = parse("x = true").unwrap_err();
    assert!(e.contains("expected a number, { mean, sd } or { low, high }"), "{e}");
    let e = parse("x = { mean = \"a\", sd = 1 }").unwrap_err();
    assert!(e.contains("a number for `mean`"), "{e}");
    let e = parse("x = { low = 1, high = [2] }").unwrap_err();
    assert!(e.contains("a number for `high`"), "{e}");
}

#[test]
fn serialises_to_the_same_shapes() {
    #[derive(Serialize)]
    struct Out {
        a: ParamSpec,
        b: ParamSpec,
        c: ParamSpec,
    }
    let out = Out {
        a: ParamSpec::Fixed(2.5),
        b: ParamSpec::MeanSd { mean: 0.1, sd: 0.02 },
        c: ParamSpec::LowHigh { low: 1.0, high: 3.0 },
    };
    let s = toml::to_string(&out).unwrap();
    #[derive(Deserialize)]
    struct In {
        a: ParamSpec,
        b: ParamSpec,
        c: ParamSpec,
    }
    let back: In = toml::from_str(&s).unwrap();
    assert_eq!((back.a, back.b, back.c), (out.a, out.b, out.c));
}

// --- resolving ----------------------------------------------------------------------

fn lh(low: f64, high: f64) -> ParamSpec {
    ParamSpec::LowHigh { low, high }
}

fn ms(mean: f64, sd: f64) -> ParamSpec {
    ParamSpec::MeanSd { mean, sd }
}

fn err(spec: ParamSpec, family: Family) -> String {
    Dist::resolve(&spec, family).unwrap_err()
}

#[test]
fn invalid_probabilities_say_what_was_expected() {
    use Family::Probability as P;
    assert!(err(ParamSpec::Fixed(1.2), P).contains("between 0 and 1, got 1.2"));
    assert!(err(ParamSpec::Fixed(-0.1), P).contains("between 0 and 1"));
    assert!(err(ms(1.0, 0.1), P).contains("strictly between 0 and 1, got 1"));
    assert!(err(ms(0.0, 0.1), P).contains("strictly between 0 and 1"));
    assert!(err(ms(0.5, -0.1), P).contains("expected a positive sd"));
    let e = err(ms(0.1, 0.3), P);
    assert!(e.contains("too large for a probability with mean 0.1"), "{e}");
    assert!(e.contains("less than 0.3"), "{e}");
    let e = err(ms(0.2, 0.5), P);
    assert!(e.contains("less than 0.4"), "{e}");
    for (l, h) in [(0.0, 0.5), (0.5, 0.4), (0.3, 0.3), (0.2, 1.0), (-0.1, 0.5)] {
        let e = err(lh(l, h), P);
        assert!(e.contains("expected 0 < low < high < 1"), "{e}");
    }
    let e = err(ParamSpec::Fixed(f64::NAN), P);
    assert!(e.contains("expected a finite number"), "{e}");
    let e = err(ms(0.1, f64::INFINITY), P);
    assert!(e.contains("finite number for the sd"), "{e}");
}

#[test]
fn invalid_amounts_say_what_was_expected() {
    use Family::Amount as A;
    assert!(err(ParamSpec::Fixed(-1.0), A).contains("amount of at least 0, got -1"));
    assert!(err(ms(0.0, 1.0), A).contains("greater than 0, got 0"));
    assert!(err(ms(-5.0, 1.0), A).contains("greater than 0"));
    assert!(err(ms(5.0, -1.0), A).contains("expected a positive sd"));
    for (l, h) in [(0.0, 1.0), (2.0, 1.0), (1.0, 1.0), (-1.0, 1.0)] {
        assert!(err(lh(l, h), A).contains("expected 0 < low < high for an amount"));
    }
}

#[test]
fn invalid_growth_says_what_was_expected() {
    use Family::Growth as G;
    let e = err(ParamSpec::Fixed(-1.5), G);
    assert!(e.contains("at least -1 (-100%), got -1.5"), "{e}");
    assert!(err(ms(0.02, -0.01), G).contains("expected a positive sd"));
    assert!(err(lh(0.03, 0.01), G).contains("expected low < high for a growth rate"));
    assert!(err(lh(0.01, 0.01), G).contains("expected low < high"));
}

#[test]
fn valid_fixed_values_and_zero_sd() {
    assert_eq!(Dist::resolve(&ParamSpec::Fixed(0.0), Family::Probability), Ok(Dist::Fixed(0.0)));
    assert_eq!(Dist::resolve(&ParamSpec::Fixed(1.0), Family::Probability), Ok(Dist::Fixed(1.0)));
    assert_eq!(Dist::resolve(&ParamSpec::Fixed(124.0), Family::Amount), Ok(Dist::Fixed(124.0)));
    assert_eq!(Dist::resolve(&ParamSpec::Fixed(-1.0), Family::Growth), Ok(Dist::Fixed(-1.0)));
    assert_eq!(Dist::resolve(&ms(0.3, 0.0), Family::Probability), Ok(Dist::Fixed(0.3)));
    assert_eq!(Dist::resolve(&ms(40.0, 0.0), Family::Amount), Ok(Dist::Fixed(40.0)));
    assert_eq!(Dist::resolve(&ms(0.02, 0.0), Family::Growth), Ok(Dist::Fixed(0.02)));
    assert!(Dist::resolve(&ms(1.5, 0.0), Family::Probability).is_err());
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn mean_sd_fits_reproduce_mean_and_sd() {
    let cases = [
        (Family::Probability, 0.1, 0.02),
        (Family::Probability, 0.5, 0.2),
        (Family::Probability, 0.97, 0.01),
        (Family::Amount, 120.0, 15.0),
        (Family::Amount, 2.0, 5.0),
        (Family::Growth, 0.03, 0.01),
        (Family::Growth, -0.2, 0.1),
    ];
    for (family, mean, sd) in cases {
        let d = Dist::resolve(&ms(mean, sd), family).unwrap();
        assert!(close(d.mean(), mean, 1e-12 * mean.abs().max(1.0)), "{d:?}");
        assert!(close(d.sd(), sd, 1e-12 * sd.max(1.0)), "{d:?}");
    }
    // The Beta for a probability has the textbook parameters.
    let d = Dist::resolve(&ms(0.2, 0.1), Family::Probability).unwrap();
    let Dist::Beta { alpha, beta } = d else { panic!("{d:?}") };
    assert!(close(alpha, 0.2 * 15.0, 1e-12) && close(beta, 0.8 * 15.0, 1e-12));
    let d = Dist::resolve(&ms(100.0, 20.0), Family::Amount).unwrap();
    let Dist::Gamma { shape, scale } = d else { panic!("{d:?}") };
    assert!(close(shape, 25.0, 1e-12) && close(scale, 4.0, 1e-12));
}

fn check_percentiles(d: &Dist, low: f64, high: f64) {
    let (q05, q95) = (d.quantile(0.05), d.quantile(0.95));
    assert!(close(q05, low, 1e-8), "{d:?}: q05 {q05} vs {low}");
    assert!(close(q95, high, 1e-8), "{d:?}: q95 {q95} vs {high}");
    // And relative to the size of the numbers.
    assert!(close(q05 / low, 1.0, 1e-7), "{d:?}: q05 {q05} vs {low}");
    assert!(close(q95 / high, 1.0, 1e-7), "{d:?}: q95 {q95} vs {high}");
}

#[test]
fn beta_low_high_hits_the_percentiles() {
    let cases = [
        (0.09, 0.11),
        (0.01, 0.6),
        (0.001, 0.02),
        (0.2, 0.8),
        (0.05, 0.95),
        (0.49, 0.51),
        (0.9, 0.999),
        (0.3, 0.31),
        (0.0001, 0.9999),
        (1e-6, 1e-4),
        (0.6, 0.99),
    ];
    for (low, high) in cases {
        let d = Dist::resolve(&lh(low, high), Family::Probability).unwrap();
        assert!(matches!(d, Dist::Beta { .. }), "{d:?}");
        check_percentiles(&d, low, high);
        // Through the CDF as well.
        let Dist::Beta { alpha, beta } = d else { unreachable!() };
        assert!(close(beta_cdf(alpha, beta, low, 1.0 - low), 0.05, 1e-9), "{d:?}");
        assert!(close(beta_cdf(alpha, beta, high, 1.0 - high), 0.95, 1e-9), "{d:?}");
    }
}

#[test]
fn low_high_fits_match_independent_references() {
    // Parameters whose percentiles were checked by quadrature in mpmath (40 digits):
    // CDFs 0.05 and 0.95 to within 1e-14.
    let d = Dist::resolve(&lh(0.09, 0.11), Family::Probability).unwrap();
    let Dist::Beta { alpha, beta } = d else { panic!("{d:?}") };
    assert!(rel_close(alpha, 242.382_665_910_188_34, 1e-9), "{d:?}");
    assert!(rel_close(beta, 2_185.994_526_977_893, 1e-9), "{d:?}");
    let d = Dist::resolve(&lh(0.001, 0.02), Family::Probability).unwrap();
    let Dist::Beta { alpha, beta } = d else { panic!("{d:?}") };
    assert!(rel_close(alpha, 1.575_228_340_920_760_4, 1e-9), "{d:?}");
    assert!(rel_close(beta, 199.537_329_323_036_63, 1e-9), "{d:?}");
    let d = Dist::resolve(&lh(95.0, 105.0), Family::Amount).unwrap();
    let Dist::Gamma { shape, scale } = d else { panic!("{d:?}") };
    assert!(rel_close(shape, 1_080.841_254_588_763_6, 1e-9), "{d:?}");
    assert!(rel_close(scale, 0.092_471_887_614_419_81, 1e-9), "{d:?}");
    let d = Dist::resolve(&lh(0.5, 400.0), Family::Amount).unwrap();
    let Dist::Gamma { shape, scale } = d else { panic!("{d:?}") };
    assert!(rel_close(shape, 0.518_391_910_943_889_7, 1e-9), "{d:?}");
    assert!(rel_close(scale, 203.471_462_868_328_6, 1e-9), "{d:?}");
}

#[test]
fn low_high_limits_give_clear_errors() {
    // Narrower than the fits reach.
    let e = err(lh(1.0, 1.000_001), Family::Amount);
    assert!(e.contains("could not find a Gamma") && e.contains("high / low"), "{e}");
    let e = err(lh(0.5, 0.500_000_01), Family::Probability);
    assert!(e.contains("could not find a Beta") && e.contains("{ mean, sd }"), "{e}");
}

#[test]
fn beta_low_high_is_symmetric_and_mean_is_not_the_midpoint() {
    let d = Dist::resolve(&lh(0.2, 0.8), Family::Probability).unwrap();
    let Dist::Beta { alpha, beta } = d else { panic!() };
    assert!(close(alpha, beta, 1e-9 * alpha), "{d:?}");
    let d = Dist::resolve(&lh(0.001, 0.02), Family::Probability).unwrap();
    // Right-skewed: the mean is below the midpoint 0.0105.
    assert!(d.mean() < 0.0105 && d.mean() > 0.001, "{d:?}");
}

#[test]
fn gamma_low_high_hits_the_percentiles() {
    let cases = [
        (95.0, 105.0),
        (1.0, 10.0),
        (0.5, 400.0),
        (100.0, 10000.0),
        (1e-3, 1e3),
        (200.0, 300.0),
        (4.0, 4.01),
        (0.2, 0.3),
    ];
    for (low, high) in cases {
        let d = Dist::resolve(&lh(low, high), Family::Amount).unwrap();
        assert!(matches!(d, Dist::Gamma { .. }), "{d:?}");
        check_percentiles(&d, low, high);
        let Dist::Gamma { shape, scale } = d else { unreachable!() };
        assert!(close(gamma_p(shape, low / scale), 0.05, 1e-9), "{d:?}");
        assert!(close(gamma_p(shape, high / scale), 0.95, 1e-9), "{d:?}");
    }
}

#[test]
fn normal_low_high_is_the_symmetric_interval() {
    let d = Dist::resolve(&lh(-0.01, 0.05), Family::Growth).unwrap();
    let Dist::Normal { mean, sd } = d else { panic!("{d:?}") };
    assert!(close(mean, 0.02, 1e-15) && close(sd, 0.06 / (2.0 * 1.6448536269514722), 1e-15));
    check_percentiles(&d, -0.01, 0.05);
    assert!(close(d.quantile(0.5), 0.02, 1e-12));
}

#[test]
fn quantiles_match_reference_values() {
    // Reference values from mpmath (40 digits).
    let b = Dist::Beta { alpha: 2.0, beta: 5.0 };
    assert!(close(b.quantile(0.05), 0.062_849_891_708_354_38, 1e-14), "{}", b.quantile(0.05));
    let g = Dist::Gamma { shape: 3.0, scale: 2.0 };
    assert!(close(g.quantile(0.95), 12.591_587_243_743_979, 1e-12), "{}", g.quantile(0.95));
    let n = Dist::Normal { mean: 1.0, sd: 2.0 };
    assert!(close(n.quantile(0.975), 1.0 + 2.0 * 1.959_963_984_540_054, 1e-12));
    // Far from the clipping at -1.
    let std = Dist::Normal { mean: 10.0, sd: 1.0 };
    let z = |p: f64| std.quantile(p) - 10.0;
    assert!(close(z(1e-10), -6.361_340_902_404_056, 1e-12), "{}", z(1e-10));
    assert!(close(z(0.5 / (1u64 << 53) as f64), -8.292_361_075_813_596, 1e-11));
    // p = 1 is read as 1 - 2^-53.
    assert!(close(z(1.0), 8.209_536_151_601_387, 1e-11), "{}", z(1.0));
    let clipped = Dist::Normal { mean: -0.9, sd: 1.0 };
    assert_eq!(clipped.quantile(0.05), -1.0);
    assert_eq!(Dist::Fixed(3.0).quantile(0.3), 3.0);
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs()
}

#[test]
#[allow(clippy::excessive_precision)] // mpmath's digits, as printed
fn special_functions_match_mpmath() {
    // ln Gamma.
    for (x, want) in [
        (1.0f64, 0.0f64),
        (1.5, -0.120_782_237_635_245_222_3),
        (10.25, 13.368_023_671_476_046_3),
        (0.001, 6.907_178_885_383_853_68),
        (100.5, 361.435_540_467_777_621_6),
        (1e6, 12_815_504.569_147_611_66),
    ] {
        let tol = 1e-14 * want.abs().max(1.0);
        assert!(close(ln_gamma(x), want, tol), "ln_gamma({x}) = {}", ln_gamma(x));
    }
    // Beta CDF, including the shapes where puruspe 0.4.4 fails.
    for (a, b, x, want) in [
        (2999.0, 21339.0, 0.09, 7.297_354_285_343_337_9e-67),
        (3001.0, 21339.0, 0.125, 0.791_253_887_829_642_78),
        (3001.0, 3001.0, 0.49, 0.060_625_747_321_100_307),
        (3001.0, 3001.0, 0.51, 0.939_374_252_678_899_69),
        (2.0, 5.0, 0.3, 0.579_825),
        (0.5, 0.25, 0.1, 0.123_787_456_009_936_614),
        (30.5, 200.25, 0.15, 0.793_237_373_940_066_077),
        (1e-3, 2.0, 1e-100, 0.795_122_562_959_005_784),
        // One small and one large shape (the {0.001, 0.02} fit, checked by quadrature).
        (1.575_228_340_920_760_4, 199.537_329_323_036_63, 0.001, 0.05),
    ] {
        let got = beta_cdf(a, b, x, 1.0 - x);
        // Relative: the first value is 16 sds into the tail.
        assert!(rel_close(got, want, 1e-11), "I_{x}({a}, {b}) = {got:e}, want {want:e}");
    }
    // Gamma CDF, including shapes above puruspe's quadrature switch at 100.
    for (a, x, want) in [
        (0.3, 0.01, 0.279_240_996_359_014_846),
        (3.0, 2.0, 0.323_323_583_816_936_541),
        (101.0, 95.0, 0.282_331_573_305_472_973),
        (1087.0, 1000.0, 0.003_441_114_172_943_770_95),
        (1087.0, 1100.0, 0.656_467_442_195_699_894),
        (1e6, 998_355.0, 0.049_926_211_863_660_543),
        (1e6, 1_001_645.0, 0.949_956_515_005_060_727),
        (1e-2, 1e-50, 0.318_032_328_776_226_117),
        (0.5, 5.0, 0.998_434_597_741_997_45),
    ] {
        let got = gamma_p(a, x);
        assert!(rel_close(got, want, 1e-12), "P({a}, {x}) = {got}, want {want}");
    }
    // The upper tail keeps its relative precision.
    let q = gamma_cdf_parts(2.5, 40.0).1;
    assert!(rel_close(q, 8.391_825_114_831_610_6e-16, 1e-11), "{q:e}");
    // Inverses invert.
    for (a, b) in [(0.05, 1.0), (0.3, 0.7), (2.0, 5.0), (5000.0, 5000.0), (1e5, 3.0)] {
        for p in [1e-6, 0.05, 0.5, 0.95, 0.999_999] {
            let x = beta_quantile(p, a, b);
            let got = beta_cdf(a, b, x, 1.0 - x);
            assert!(close(got, p, 1e-11), "Beta({a}, {b}) at p = {p}: x = {x}, F = {got}");
        }
    }
    for a in [0.05, 0.5, 3.0, 101.0, 1e4, 1e8] {
        for p in [1e-6, 0.05, 0.5, 0.95, 0.999_999] {
            let x = gamma_quantile(p, a);
            let got = gamma_p(a, x);
            assert!(close(got, p, 1e-11), "Gamma({a}) at p = {p}: x = {x}, F = {got}");
        }
    }
}

#[test]
fn quantiles_at_extreme_uniforms_are_finite_and_monotone() {
    // The engine draws parameters by inversion from uniforms in [2^-54, 1 - 2^-54].
    let u_min = 0.5 / (1u64 << 53) as f64;
    let us = [
        u_min,
        1e-12,
        1e-6,
        0.01,
        0.05,
        0.3,
        0.5,
        0.7,
        0.95,
        0.99,
        1.0 - 1e-6,
        1.0, // (k + 0.5) / 2^53 rounds to exactly 1.0 for the largest k
    ];
    let dists = [
        Dist::Beta { alpha: 242.38, beta: 2185.99 },
        Dist::Beta { alpha: 0.26, beta: 0.26 },
        Dist::Beta { alpha: 0.05, beta: 3.0 },
        Dist::Beta { alpha: 3381.5, beta: 3381.5 },
        Dist::Gamma { shape: 1080.8, scale: 0.09 },
        Dist::Gamma { shape: 0.05, scale: 10.0 },
        Dist::Gamma { shape: 25.0, scale: 4.0 },
        Dist::Normal { mean: 0.02, sd: 0.01 },
        Dist::Normal { mean: -0.5, sd: 0.5 },
    ];
    for d in &dists {
        let qs: Vec<f64> = us.iter().map(|&u| d.quantile(u)).collect();
        assert!(qs.iter().all(|q| q.is_finite()), "{d:?}: {qs:?}");
        assert!(qs.windows(2).all(|w| w[0] <= w[1]), "{d:?}: {qs:?}");
        match d {
            Dist::Beta { .. } => assert!(qs.iter().all(|q| (0.0..=1.0).contains(q)), "{qs:?}"),
            Dist::Gamma { .. } => assert!(qs.iter().all(|&q| q >= 0.0), "{qs:?}"),
            _ => assert!(qs.iter().all(|&q| q >= -1.0), "{qs:?}"),
        }
    }
}

#[test]
fn inversion_draws_have_the_right_mean() {
    // The engine's way of drawing a parameter: quantile of a uniform.
    let n = 20_000;
    let dists = [
        Dist::resolve(&lh(0.09, 0.11), Family::Probability).unwrap(),
        Dist::resolve(&lh(0.01, 0.6), Family::Probability).unwrap(),
        Dist::resolve(&lh(0.5, 400.0), Family::Amount).unwrap(),
        Dist::resolve(&ms(0.03, 0.2), Family::Growth).unwrap(),
    ];
    for (i, d) in dists.iter().enumerate() {
        let mut rng = stream(100 + i as u64, 0, 0);
        let m = (0..n).map(|_| d.quantile(((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64)).sum::<f64>()
            / n as f64;
        let se = d.sd() / (n as f64).sqrt();
        assert!((m - d.mean()).abs() < 4.0 * se, "{d:?}: {m} vs {} (se {se})", d.mean());
    }
}

#[test]
fn quantiles_of_very_large_shapes() {
    // { mean, sd } with a tiny sd gives huge shapes: the approximations take over and
    // agree with the exact inversion where they meet.
    let u_min = 0.5 / (1u64 << 53) as f64;
    for p in [u_min, 1e-6, 0.05, 0.5, 0.95, 1.0 - 1e-6] {
        let (a, exact) = (1e6, gamma_quantile_exact(p, 1e6));
        let approx = gamma_quantile(p, a);
        assert!(close(approx, exact, 1e-5 * a.sqrt()), "{p}: {approx} {exact} ({:e} sd)", (approx - exact) / a.sqrt());
        let (below, above) = (beta_quantile(p, 999_999_999.0, 2e9), beta_quantile(p, 1e9, 2e9));
        let sd = Dist::Beta { alpha: 1e9, beta: 2e9 }.sd();
        assert!(close(below, above, 1e-3 * sd), "{p}: {below} {above} ({:e} sd)", (below - above) / sd);
    }
    let d = Dist::resolve(&ms(1000.0, 0.001), Family::Amount).unwrap();
    assert!(close(d.quantile(0.05), 1000.0 - 0.001 * Z95, 1e-9), "{}", d.quantile(0.05));
    let d = Dist::resolve(&ms(0.3, 1e-7), Family::Probability).unwrap();
    assert!(close(d.quantile(0.95), 0.3 + 1e-7 * Z95, 1e-12), "{}", d.quantile(0.95));
}

// --- drawing parameters -------------------------------------------------------------

fn sample_mean(d: &Dist, n: usize, seed: u64) -> f64 {
    let mut rng = stream(seed, 0, key_hash(&["test"]));
    (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
}

#[test]
fn sample_means_match_for_each_family() {
    let n = 200_000;
    let dists = [
        Dist::resolve(&lh(0.09, 0.11), Family::Probability).unwrap(),
        Dist::resolve(&lh(0.001, 0.02), Family::Probability).unwrap(),
        Dist::resolve(&ms(0.3, 0.2), Family::Probability).unwrap(),
        Dist::resolve(&lh(0.5, 400.0), Family::Amount).unwrap(),
        Dist::resolve(&ms(120.0, 15.0), Family::Amount).unwrap(),
        Dist::resolve(&lh(-0.01, 0.05), Family::Growth).unwrap(),
        Dist::resolve(&ms(0.03, 0.2), Family::Growth).unwrap(),
    ];
    for (i, d) in dists.iter().enumerate() {
        let m = sample_mean(d, n, i as u64);
        let se = d.sd() / (n as f64).sqrt();
        assert!((m - d.mean()).abs() < 4.0 * se, "{d:?}: {m} vs {} (se {se})", d.mean());
    }
}

#[test]
fn growth_draws_are_clipped_at_minus_one() {
    let d = Dist::Normal { mean: -0.9, sd: 0.5 };
    let mut rng = stream(7, 0, 0);
    let draws: Vec<f64> = (0..10_000).map(|_| d.sample(&mut rng)).collect();
    assert!(draws.iter().all(|&x| x >= -1.0));
    assert!(draws.iter().filter(|&&x| x == -1.0).count() > 3000);
}

#[test]
fn beta_draws_stay_in_the_unit_interval() {
    let d = Dist::Beta { alpha: 0.01, beta: 0.02 };
    let mut rng = stream(8, 0, 0);
    assert!((0..10_000).map(|_| d.sample(&mut rng)).all(|x| (0.0..=1.0).contains(&x)));
}

// --- per-step rates -------------------------------------------------------------

#[test]
fn per_step_rates() {
    assert_eq!(prob_per_step(0.1, 12), 0.1);
    assert!(close(prob_per_step(0.1, 3), 1.0 - 0.9f64.powf(0.25), 1e-15));
    assert!(close(prob_per_step(0.19, 6), 0.1, 1e-15));
    assert_eq!(prob_per_step(1.0, 1), 1.0);
    assert_eq!(prob_per_step(1.0 + 1e-15, 1), 1.0);
    assert_eq!(prob_per_step(0.0, 1), 0.0);
    assert_eq!(growth_per_step(0.05, 12), 0.05);
    assert!(close(growth_per_step(0.21, 6), 0.1, 1e-15));
    assert_eq!(growth_per_step(-1.0, 3), -1.0);
}

// --- keys and streams -------------------------------------------------------------

#[test]
fn key_hash_is_pinned_and_separates_names() {
    assert_eq!(key_hash(&["a"]), 0x3aec_69d2_86fb_d39b);
    assert_ne!(key_hash(&["ab"]), key_hash(&["a", "b"]));
    assert_ne!(key_hash(&["a", "b"]), key_hash(&["b", "a"]));
    // Similar names give unrelated keys: about half the bits differ.
    let names = ["band5", "band6", "band7", "role-a", "role-b"];
    for w in names.windows(2) {
        let d = (key_hash(&[w[0]]) ^ key_hash(&[w[1]])).count_ones();
        assert!((16..=48).contains(&d), "{w:?}: {d} bits differ");
    }
}

#[test]
fn stream_is_pinned() {
    let mut rng = stream(1, 2, key_hash(&["a"]));
    assert_eq!(rng.next_u64(), 0xd0f2_f6d2_e74f_26a5);
}

#[test]
fn streams_differ_where_xor_would_collide() {
    let first = |s, r, k| stream(s, r, k).next_u64();
    // Pairs that a plain xor of the inputs would merge.
    assert_ne!(first(1, 0, 5), first(0, 1, 5));
    assert_ne!(first(3, 3, 5), first(0, 0, 5));
    assert_ne!(first(1, 2, 3), first(3, 2, 1));
    assert_ne!(first(1, 2, 3), first(1, 3, 2));
    // The same inputs give the same stream, however many others were made.
    let _ = first(9, 9, 9);
    assert_eq!(first(1, 2, 3), first(1, 2, 3));
}

// --- flow samplers --------------------------------------------------------------

fn moments(xs: &[u64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().map(|&x| x as f64).sum::<f64>() / n;
    let v = xs.iter().map(|&x| (x as f64 - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v)
}

#[test]
fn binomial_moments() {
    for (n, p, seed) in [(1000u64, 0.01, 1u64), (5, 0.9, 2), (200, 0.5, 3), (40, 0.3, 4)] {
        let mut rng = stream(seed, 0, key_hash(&["binomial"]));
        let draws = 200_000usize;
        let xs: Vec<u64> = (0..draws).map(|_| binomial(&mut rng, n, p)).collect();
        assert!(xs.iter().all(|&x| x <= n));
        let (m, v) = moments(&xs);
        let (mu, var) = (n as f64 * p, n as f64 * p * (1.0 - p));
        // Standard errors of the sample mean and variance.
        let se_m = (var / draws as f64).sqrt();
        let mu4 = var * (1.0 + 3.0 * (n as f64 - 2.0) * p * (1.0 - p)); // 4th central moment
        let se_v = ((mu4 - var * var) / draws as f64).sqrt();
        assert!((m - mu).abs() < 4.0 * se_m, "({n}, {p}): mean {m} vs {mu}");
        assert!((v - var).abs() < 4.0 * se_v, "({n}, {p}): var {v} vs {var}");
    }
}

#[test]
fn binomial_edge_cases_do_not_panic() {
    let mut rng = stream(1, 1, 1);
    let before = rng.clone();
    assert_eq!(binomial(&mut rng, 0, 0.5), 0);
    assert_eq!(binomial(&mut rng, 10, 0.0), 0);
    assert_eq!(binomial(&mut rng, 10, -1e-17), 0);
    assert_eq!(binomial(&mut rng, 10, 1.0), 10);
    assert_eq!(binomial(&mut rng, 10, 1.0 + 1e-15), 10);
    assert_eq!(binomial(&mut rng, 10, f64::NAN), 0);
    assert_eq!(rng, before, "fast paths draw nothing");
    assert!(binomial(&mut rng, u64::MAX / 4, 1e-30) < 10);
    assert!(binomial(&mut rng, 10, 1e-300) <= 10);
}

#[test]
fn poisson_moments_and_edge_cases() {
    let mut rng = stream(5, 0, 0);
    assert_eq!(poisson(&mut rng, 0.0), 0);
    assert_eq!(poisson(&mut rng, -1.0), 0);
    assert_eq!(poisson(&mut rng, f64::NAN), 0);
    assert_eq!(poisson(&mut rng, f64::INFINITY), u64::MAX);
    for lambda in [0.3, 3.5, 50.0, 1e4] {
        let draws = 100_000usize;
        let xs: Vec<u64> = (0..draws).map(|_| poisson(&mut rng, lambda)).collect();
        let (m, v) = moments(&xs);
        let se_m = (lambda / draws as f64).sqrt();
        let se_v = ((lambda + 2.0 * lambda * lambda) / draws as f64).sqrt();
        assert!((m - lambda).abs() < 4.0 * se_m, "{lambda}: mean {m}");
        assert!((v - lambda).abs() < 4.0 * se_v, "{lambda}: var {v}");
    }
}

#[test]
fn multinomial_counts_and_means() {
    let probs = [0.1, 0.25, 0.0, 0.05];
    let n = 40u64;
    let draws = 100_000usize;
    let mut rng = stream(11, 0, 0);
    let mut sums = [0f64; 4];
    let mut out = [0u64; 4];
    let mut stay_sum = 0.0;
    for _ in 0..draws {
        multinomial(&mut rng, n, &probs, &mut out);
        let moved: u64 = out.iter().sum();
        assert!(moved <= n);
        assert_eq!(out[2], 0);
        stay_sum += (n - moved) as f64;
        for (s, &o) in sums.iter_mut().zip(&out) {
            *s += o as f64;
        }
    }
    let stay_p = 1.0 - probs.iter().sum::<f64>();
    for (i, &p) in probs.iter().chain([stay_p].iter()).enumerate() {
        let mean = if i < 4 { sums[i] } else { stay_sum } / draws as f64;
        let expect = n as f64 * p;
        let se = (n as f64 * p * (1.0 - p) / draws as f64).sqrt();
        assert!((mean - expect).abs() < 4.0 * se + 1e-12, "category {i}: {mean} vs {expect}");
    }
}

#[test]
fn multinomial_edge_cases() {
    let mut rng = stream(12, 0, 0);
    let mut out = [9u64; 3];
    multinomial(&mut rng, 0, &[0.2, 0.3, 0.1], &mut out);
    assert_eq!(out, [0, 0, 0]);
    // Probabilities summing to a little over 1: nobody stays, nothing panics.
    let probs = [0.7, 0.2, 0.1 + 1e-15];
    for _ in 0..1000 {
        multinomial(&mut rng, 50, &probs, &mut out);
        assert_eq!(out.iter().sum::<u64>(), 50);
    }
    // Exactly one category taking everyone.
    multinomial(&mut rng, 17, &[0.0, 1.0, 0.0], &mut out);
    assert_eq!(out, [0, 17, 0]);
    // Negative rounding noise counts as zero.
    multinomial(&mut rng, 17, &[-1e-18, 0.5, 0.5], &mut out);
    assert_eq!(out[0], 0);
    assert_eq!(out[1] + out[2], 17);
    // No categories at all.
    multinomial(&mut rng, 17, &[], &mut []);
}

#[test]
fn thin_to_keeps_exactly_keep() {
    let mut rng = stream(13, 0, 0);
    let counts = [5u64, 0, 120, 3, 1000, 1];
    let total: u64 = counts.iter().sum();
    let mut out = [0u64; 6];
    let mut sums = [0f64; 6];
    let draws = 20_000usize;
    for i in 0..draws {
        let keep = (i as u64 * 37) % (total + 50);
        thin_to(&mut rng, &counts, keep, &mut out);
        assert_eq!(out.iter().sum::<u64>(), keep.min(total));
        assert!(out.iter().zip(&counts).all(|(o, c)| o <= c), "{out:?}");
        if keep >= total {
            assert_eq!(out, counts);
        }
    }
    // Each item equally likely to be kept: means proportional to counts.
    let keep = 300u64;
    for _ in 0..draws {
        thin_to(&mut rng, &counts, keep, &mut out);
        for (s, &o) in sums.iter_mut().zip(&out) {
            *s += o as f64;
        }
    }
    let (nn, kk) = (total as f64, keep as f64);
    for (i, &c) in counts.iter().enumerate() {
        let c = c as f64;
        let mean = sums[i] / draws as f64;
        let expect = kk * c / nn;
        let var = kk * (c / nn) * (1.0 - c / nn) * (nn - kk) / (nn - 1.0);
        let se = (var / draws as f64).sqrt();
        assert!((mean - expect).abs() < 4.0 * se + 1e-12, "category {i}: {mean} vs {expect}");
    }
}

#[test]
fn thin_to_edge_cases() {
    let mut rng = stream(14, 0, 0);
    let mut out = [7u64; 3];
    thin_to(&mut rng, &[0, 0, 0], 5, &mut out);
    assert_eq!(out, [0, 0, 0]);
    thin_to(&mut rng, &[4, 5, 6], 0, &mut out);
    assert_eq!(out, [0, 0, 0]);
    thin_to(&mut rng, &[0, 9, 0], 4, &mut out);
    assert_eq!(out, [0, 4, 0]);
    // Large populations.
    let counts = [3_000_000u64, 2, 7_000_000];
    thin_to(&mut rng, &counts, 9_999_990, &mut out);
    assert_eq!(out.iter().sum::<u64>(), 9_999_990);
    assert!(out.iter().zip(&counts).all(|(o, c)| o <= c));
    thin_to(&mut rng, &counts, 3, &mut out);
    assert_eq!(out.iter().sum::<u64>(), 3);
}
