//! Keys and streams: [`key_hash`] of names and the generator [`stream`] of
//! `(seed, run, key)`, defined bit for bit so that they are portable.

use super::WfRng;

/// The golden-ratio increment of SplitMix64.
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function (Stafford's Mix13): a bijection of `u64` in which every
/// input bit affects every output bit.
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// MurmurHash3's 64-bit finaliser `fmix64`: a bijection of `u64` with full avalanche.
#[inline]
fn fmix64(mut z: u64) -> u64 {
    z ^= z >> 33;
    z = z.wrapping_mul(0xff51_afd7_ed55_8ccd);
    z ^= z >> 33;
    z = z.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    z ^ (z >> 33)
}

/// A stable 64-bit key for a list of names (FNV-1a, then mixed): the same on every platform.
///
/// Each name is hashed byte by byte with FNV-1a and followed by the byte `0xff` (which
/// never occurs in UTF-8), so `["ab"]` and `["a", "b"]` differ; the result goes through
/// MurmurHash3's `fmix64` finaliser so that similar names give unrelated keys. The
/// definition is fixed: changing it changes every stream.
pub fn key_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fmix64(h)
}

/// The generator of stream `key` in run `run` of seed `seed`. Streams are independent of
/// each other and of the order in which they are made.
///
/// `seed`, `run` and `key` are absorbed in turn by a SplitMix64-style mix
/// (`h = mix64((h + golden) ^ x)`, a bijection in each argument, so no two `(seed, run)`
/// pairs share a state the way a plain xor would let them); four SplitMix64 outputs from
/// `h` then make the 256-bit Xoshiro256++ state, little-endian. Everything is `u64`
/// arithmetic defined here, so the streams are portable across platforms and stable
/// across versions of this crate and of `rand_xoshiro` (a test pins a value).
pub fn stream(seed: u64, run: u64, key: u64) -> WfRng {
    use rand::SeedableRng;
    let absorb = |h: u64, x: u64| mix64(h.wrapping_add(GOLDEN_GAMMA) ^ x);
    let mut h = absorb(absorb(absorb(0x5746_4341_5354_0001, seed), run), key);
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_exact_mut(8) {
        h = h.wrapping_add(GOLDEN_GAMMA);
        chunk.copy_from_slice(&mix64(h).to_le_bytes());
    }
    WfRng::from_seed(bytes)
}
