//! Parameter distributions (a number, `{ mean, sd }`, `{ low, high }`), random streams and flow samplers.
//!
//! This module holds both layers of uncertainty of MODEL.md ('Uncertainty: two layers'):
//!
//! - **Parameter uncertainty.** A scenario writes a parameter as a plain number, as
//!   `{ mean, sd }` or as a 90% interval `{ low, high }` ([`ParamSpec`]). [`Dist::resolve`]
//!   turns that into a distribution of the parameter's [`Family`]: Beta for probabilities,
//!   Gamma for non-negative amounts, Normal (draws clipped at -100%) for growth rates. A
//!   `{ low, high }` Beta or Gamma is the member of the family whose 5th and 95th
//!   percentiles are exactly `low` and `high` (found numerically); for the Normal it is
//!   mean `(low + high) / 2`, sd `(high - low) / (2 * 1.6448536...)`.
//! - **Process noise.** [`binomial`], [`poisson`], [`multinomial`] and [`thin_to`] draw the
//!   flows of one step. They sit in the engine's hot loop, so they take fast paths for the
//!   trivial cases and never panic on valid (or slightly rounded) inputs.
//!
//! Every draw takes a [`WfRng`] made by [`stream`] from `(seed, run, key)`, where `key` is
//! a [`key_hash`] of names. Both are defined here bit for bit (FNV-1a, SplitMix64 and
//! Xoshiro256++ on `u64` arithmetic only), so the same seed gives the same numbers on every
//! platform, thread count and version of this crate.
//!
//! The pieces: `spec` (what the user wrote), `dist` (families and resolved
//! distributions), `fit` (the Beta or Gamma of a `{ low, high }`), `special` (root
//! finding, the Beta and Gamma CDFs and their inverses), `step` (annual rates per step),
//! `stream` (keys and generators) and `draws` (the flow samplers).

use rand_xoshiro::Xoshiro256PlusPlus;

mod dist;
mod draws;
mod fit;
mod spec;
mod special;
mod step;
mod stream;

#[cfg(test)]
mod tests;

pub use dist::{Dist, Family};
pub use draws::{CachedBinomial, StepBinomial, TabledBinomial, binomial, multinomial, poisson, thin_to};
pub use spec::ParamSpec;
pub use step::{growth_per_step, prob_per_step};
pub use stream::{key_hash, stream};

/// The generator every draw takes: portable and the same on every platform.
pub type WfRng = Xoshiro256PlusPlus;

/// The 95th percentile of the standard Normal: a `{ low, high }` interval spans
/// `2 * Z95` standard deviations of a Normal.
pub const Z95: f64 = 1.644_853_626_951_472_2;
