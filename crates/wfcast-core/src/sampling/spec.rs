//! [`ParamSpec`]: a parameter as the user wrote it, with hand-written deserialisation
//! so that mistakes give clear messages.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// A parameter as written in a scenario file.
///
/// Deserialises (by hand, so that mistakes give clear messages) from a TOML integer or
/// float ([`ParamSpec::Fixed`]), or from a table with exactly the keys `{ mean, sd }` or
/// `{ low, high }` whose values are numbers (integers accepted). Any other key, a missing
/// key or a mix of the two forms is an error that names the key and says what was
/// expected. Serialises back to the same shapes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParamSpec {
    /// A plain number: fixed in every run.
    Fixed(f64),
    /// `{ mean, sd }`: the distribution of the parameter's family with this mean and sd.
    MeanSd {
        /// Mean of the distribution.
        mean: f64,
        /// Standard deviation of the distribution.
        sd: f64,
    },
    /// `{ low, high }`: the member of the family whose 5th and 95th percentiles are these.
    LowHigh {
        /// 5th percentile.
        low: f64,
        /// 95th percentile.
        high: f64,
    },
}

/// What a parameter may look like, for error messages.
const EXPECTED_SPEC: &str = "a number, { mean, sd } or { low, high }";

impl<'de> Deserialize<'de> for ParamSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ParamSpecVisitor)
    }
}

/// Visitor behind `ParamSpec`'s `Deserialize`.
struct ParamSpecVisitor;

impl<'de> Visitor<'de> for ParamSpecVisitor {
    type Value = ParamSpec;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(EXPECTED_SPEC)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ParamSpec, E> {
        Ok(ParamSpec::Fixed(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ParamSpec, E> {
        Ok(ParamSpec::Fixed(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ParamSpec, E> {
        Ok(ParamSpec::Fixed(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ParamSpec, A::Error> {
        // Slots in the order mean, sd, low, high.
        const KEYS: [&str; 4] = ["mean", "sd", "low", "high"];
        let mut values: [Option<f64>; 4] = [None; 4];
        while let Some(key) = map.next_key::<String>()? {
            let Some(i) = KEYS.iter().position(|k| *k == key) else {
                return Err(de::Error::custom(format!("unknown key `{key}`: expected {EXPECTED_SPEC}")));
            };
            if values[i].is_some() {
                return Err(de::Error::custom(format!("duplicate key `{key}`: expected {EXPECTED_SPEC}")));
            }
            // A key of the other form already seen: `{ mean, low }` and the like.
            let other = if i < 2 { 2..4 } else { 0..2 };
            if let Some(j) = other.into_iter().find(|&j| values[j].is_some()) {
                return Err(de::Error::custom(format!(
                    "key `{key}` cannot be combined with `{}`: expected {EXPECTED_SPEC}",
                    KEYS[j]
                )));
            }
            values[i] = Some(map.next_value_seed(NumberFor(KEYS[i]))?);
        }
        match values {
            [Some(mean), Some(sd), None, None] => Ok(ParamSpec::MeanSd { mean, sd }),
            [None, None, Some(low), Some(high)] => Ok(ParamSpec::LowHigh { low, high }),
            [None, None, None, None] => Err(de::Error::custom(format!("empty table: expected {EXPECTED_SPEC}"))),
            [Some(_), None, ..] => {
                Err(de::Error::custom("missing key `sd`: expected { mean, sd } (or a number, or { low, high })"))
            }
            [None, Some(_), ..] => {
                Err(de::Error::custom("missing key `mean`: expected { mean, sd } (or a number, or { low, high })"))
            }
            [_, _, Some(_), None] => {
                Err(de::Error::custom("missing key `high`: expected { low, high } (or a number, or { mean, sd })"))
            }
            [_, _, None, Some(_)] => {
                Err(de::Error::custom("missing key `low`: expected { low, high } (or a number, or { mean, sd })"))
            }
            // Mixed forms were rejected while reading.
            _ => Err(de::Error::custom(format!("expected {EXPECTED_SPEC}"))),
        }
    }
}

/// Deserialises one number (integer or float) of a parameter table; the key names it in
/// error messages.
struct NumberFor(&'static str);

impl<'de> DeserializeSeed<'de> for NumberFor {
    type Value = f64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<f64, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NumberFor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a number for `{}`", self.0)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
}
