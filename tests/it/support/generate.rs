//! The benchmark workload: a seeded synthetic fleet modelled on real clusters (well-known Kubernetes
//! topology labels, instance types, teams, GPUs, racks) and 15 named job-spec selectors. A faithful
//! port of the workload generator whose Kubernetes match counts are recorded (same seed, same nodes,
//! same bytes), including CPython's Mersenne Twister and the `random` methods it uses, so the
//! recorded counts hold for it. Shared by tests and benches (`#[path]`-included).

#![allow(dead_code, unreachable_pub)] // Each includer uses a different part; nothing is exported.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One generated node: its id and its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedNode {
    /// `node-<region>-<index, six digits>`.
    pub id: String,
    /// The node's labels, sorted by key.
    pub labels: BTreeMap<String, String>,
}

/// Generates `nodes` nodes from `seed`, exactly as the generator does for `--nodes` and `--seed`.
pub fn fleet(nodes: usize, seed: u64) -> Vec<GeneratedNode> {
    let mut rng = Random::new(seed);
    (0..nodes).map(|i| node(&mut rng, i)).collect()
}

/// The nodes [`fleet`] generates from `seed`, one at a time, without end: for streams too large to
/// hold.
pub fn nodes(seed: u64) -> impl Iterator<Item = GeneratedNode> {
    let mut rng = Random::new(seed);
    (0..).map(move |i| node(&mut rng, i))
}

/// The node's line of the fleet file: its JSON with sorted keys and no spaces.
pub fn to_ndjson_line(node: &GeneratedNode) -> String {
    let mut line = String::with_capacity(512);
    line.push_str("{\"id\":");
    push_json_string(&mut line, &node.id);
    line.push_str(",\"labels\":{");
    for (n, (key, value)) in node.labels.iter().enumerate() {
        if n > 0 {
            line.push(',');
        }
        push_json_string(&mut line, key);
        line.push(':');
        push_json_string(&mut line, value);
    }
    line.push_str("}}");
    line
}

/// The 15 named selectors, each with its selector object as JSON text (no spaces, fields in the
/// order written).
pub fn selectors() -> Vec<(&'static str, String)> {
    let ids_only = node_ids("us-east-1", (0..2000).step_by(97));
    let ids_and_labels = node_ids("eu-west-1", (0..5000).step_by(13));
    [
        ("os-linux", r#"{"match_labels":{"kubernetes.io/os":"linux"}}"#),
        ("region-eq", r#"{"match_expressions":["topology.kubernetes.io/region=us-east-1"]}"#),
        (
            "region-in",
            r#"{"match_expressions":["topology.kubernetes.io/region in (us-east-1,us-west-2,eu-west-1)"]}"#,
        ),
        ("gpu-exists", r#"{"match_expressions":["gpu"]}"#),
        ("no-debug", r#"{"match_expressions":["!debug","!maintenance"]}"#),
        ("rack-eq", r#"{"match_expressions":["rack==rack-0042"]}"#),
        ("team-notin", r#"{"match_expressions":["team notin (team-000,team-001,team-002)"]}"#),
        ("cpu-gt", r#"{"match_expressions":["cpu>32","memory-gb<1024"]}"#),
        (
            "prod-gpu",
            r#"{"match_labels":{"env":"prod"},"match_expressions":["gpu in (nvidia-h100,nvidia-a100)","gpu-count>3","!debug"]}"#,
        ),
        (
            "scheduler-typical",
            r#"{"match_labels":{"kubernetes.io/os":"linux","kubernetes.io/arch":"amd64"},"match_expressions":["topology.kubernetes.io/region in (us-east-1,eu-west-1)","tier!=spot","!maintenance","disk in (nvme,ssd)"]}"#,
        ),
        (
            "many-terms",
            r#"{"match_expressions":["kubernetes.io/os=linux","env in (prod,staging)","tier notin (spot)","disk!=hdd","cpu>4","!debug","!maintenance","owner","topology.kubernetes.io/zone notin (us-east-1c,eu-west-1c)"]}"#,
        ),
        ("ids-only", &format!(r#"{{"match_ids":{ids_only}}}"#)),
        (
            "ids-and-labels",
            &format!(r#"{{"match_ids":{ids_and_labels},"match_expressions":["env=prod"]}}"#),
        ),
        ("none-match", r#"{"match_expressions":["topology.kubernetes.io/region=mars-north-1"]}"#),
        ("empty", "{}"),
    ]
    .into_iter()
    .map(|(name, selector)| (name, selector.to_owned()))
    .collect()
}

/// Regions with their weights.
const REGIONS: [(&str, u32); 8] = [
    ("us-east-1", 30),
    ("us-west-2", 20),
    ("eu-west-1", 15),
    ("eu-central-1", 10),
    ("ap-south-1", 8),
    ("ap-northeast-1", 7),
    ("sa-east-1", 5),
    ("ca-central-1", 5),
];

/// Instance families; those ending in `g` are arm64.
const FAMILIES: [&str; 12] = [
    "m5", "m6i", "m7g", "c5", "c6i", "c7g", "r5", "r6i", "g5", "p4d", "p5", "t3",
];

/// Instance sizes.
const SIZES: [&str; 5] = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge"];

/// GPU models.
const GPUS: [&str; 4] = ["nvidia-h100", "nvidia-a100", "nvidia-l4", "nvidia-t4"];

/// Node `i`, drawing from `rng` in the generator's order (including the conditional draws).
fn node(rng: &mut Random, i: usize) -> GeneratedNode {
    let region = pick(rng, &REGIONS);
    let family = *rng.choice(&FAMILIES);
    let zone = *rng.choice(&['a', 'b', 'c']);
    let size = *rng.choice(&SIZES);
    let os = if rng.random() < 0.03 {
        "windows"
    } else {
        "linux"
    };
    let tier = pick(rng, &[("premium", 15), ("standard", 60), ("spot", 25)]);
    let env = pick(rng, &[("prod", 60), ("staging", 25), ("dev", 15)]);
    // Python's `int()` truncates toward zero; a Pareto variate is at least 1.
    let team = (rng.paretovariate(1.2).trunc() as i64 - 1).min(199);
    let rack = rng.randbelow(5000);
    let cpu = *rng.choice(&[2, 4, 8, 16, 32, 48, 64, 96, 192]);
    let memory = *rng.choice(&[4, 8, 16, 32, 64, 128, 256, 512, 1024]);
    let disk = pick(rng, &[("nvme", 40), ("ssd", 45), ("hdd", 15)]);
    let minor = 4 + rng.randbelow(4);
    let patch = rng.randbelow(10);

    let mut labels = BTreeMap::new();
    let mut label = |key: &str, value: String| {
        labels.insert(key.to_owned(), value);
    };
    label("topology.kubernetes.io/region", region.to_owned());
    label("topology.kubernetes.io/zone", format!("{region}{zone}"));
    label(
        "node.kubernetes.io/instance-type",
        format!("{family}.{size}"),
    );
    let arch = if family.ends_with('g') {
        "arm64"
    } else {
        "amd64"
    };
    label("kubernetes.io/arch", arch.to_owned());
    label("kubernetes.io/os", os.to_owned());
    label("tier", tier.to_owned());
    label("env", env.to_owned());
    label("team", format!("team-{team:03}"));
    label("rack", format!("rack-{rack:04}"));
    label("cpu", cpu.to_string());
    label("memory-gb", memory.to_string());
    label("disk", disk.to_owned());
    label("expanso.io/agent-version", format!("1.{minor}.{patch}"));
    // The random draw happens only for families without a GPU.
    if ["g5", "p4d", "p5"].contains(&family) || rng.random() < 0.04 {
        label("gpu", (*rng.choice(&GPUS)).to_owned());
        label("gpu-count", rng.choice(&[1, 2, 4, 8]).to_string());
    }
    if rng.random() < 0.02 {
        label("debug", String::new());
    }
    if rng.random() < 0.01 {
        label("maintenance", "true".to_owned());
    }
    if rng.random() < 0.3 {
        label("owner", format!("svc-{:03}", rng.randbelow(400)));
    }
    GeneratedNode {
        id: node_id(region, i),
        labels,
    }
}

/// A weighted pick: a uniform draw in `[0, total]`, then the first value whose running weight
/// reaches it (the last value if rounding leaves the draw above the total).
fn pick(rng: &mut Random, weighted: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = weighted.iter().map(|&(_, w)| w).sum();
    let mut x = rng.uniform(0.0, f64::from(total));
    for &(value, weight) in weighted {
        x -= f64::from(weight);
        if x <= 0.0 {
            return value;
        }
    }
    weighted[weighted.len() - 1].0
}

/// The id of node `i` in `region`.
fn node_id(region: &str, i: usize) -> String {
    format!("node-{region}-{i:06}")
}

/// A JSON array of the ids of nodes `indices` in `region`.
fn node_ids(region: &str, indices: impl Iterator<Item = usize>) -> String {
    let ids: Vec<String> = indices
        .map(|i| format!("\"{}\"", node_id(region, i)))
        .collect();
    format!("[{}]", ids.join(","))
}

/// Appends `text` as a JSON string the way Python's `json.dumps` writes it by default (ASCII only:
/// short escapes for `"`, `\`, `\b`, `\f`, `\n`, `\r`, `\t`; `\u00XX` for other control characters
/// and DEL; `\uXXXX`, in surrogate pairs above U+FFFF, for the rest of non-ASCII; lowercase hex).
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    if text
        .bytes()
        .all(|b| matches!(b, b' '..=b'~') && b != b'"' && b != b'\\')
    {
        out.push_str(text); // The common case: nothing to escape.
    } else {
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                ' '..='~' => out.push(c),
                _ => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        write!(out, "\\u{unit:04x}").expect("writing to a String cannot fail");
                    }
                }
            }
        }
    }
    out.push('"');
}

/// CPython's `random.Random`: the MT19937 Mersenne Twister, seeded and drawn from as CPython does.
struct Random {
    /// The generator's 624 words of state.
    state: [u32; Random::N],
    /// The index of the next state word to temper; `N` when the state must be regenerated.
    index: usize,
}

impl Random {
    /// Words of state.
    const N: usize = 624;
    /// The twist's middle offset.
    const M: usize = 397;

    /// `random.Random(seed)`: `init_by_array` with the seed's 32-bit words, least significant first
    /// (one word, 0, for seed 0).
    fn new(seed: u64) -> Random {
        let low = seed as u32;
        let high = (seed >> 32) as u32;
        let key: &[u32] = if high == 0 { &[low] } else { &[low, high] };
        Random::init_by_array(key)
    }

    /// MT19937's `init_genrand`.
    fn init_genrand(seed: u32) -> Random {
        let mut state = [0u32; Random::N];
        state[0] = seed;
        for i in 1..Random::N {
            let previous = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(previous ^ (previous >> 30))
                .wrapping_add(i as u32);
        }
        Random {
            state,
            index: Random::N,
        }
    }

    /// MT19937's `init_by_array`.
    fn init_by_array(key: &[u32]) -> Random {
        let mut rng = Random::init_genrand(19_650_218);
        let mt = &mut rng.state;
        let (mut i, mut j) = (1, 0);
        for _ in 0..Random::N.max(key.len()) {
            let previous = mt[i - 1];
            mt[i] = (mt[i] ^ (previous ^ (previous >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= Random::N {
                mt[0] = mt[Random::N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..Random::N - 1 {
            let previous = mt[i - 1];
            mt[i] = (mt[i] ^ (previous ^ (previous >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= Random::N {
                mt[0] = mt[Random::N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
        rng
    }

    /// MT19937's `genrand_uint32`: the next 32 random bits.
    fn next_u32(&mut self) -> u32 {
        if self.index >= Random::N {
            for k in 0..Random::N {
                let y =
                    (self.state[k] & 0x8000_0000) | (self.state[(k + 1) % Random::N] & 0x7fff_ffff);
                let mag = if y & 1 == 1 { 0x9908_b0df } else { 0 };
                self.state[k] = self.state[(k + Random::M) % Random::N] ^ (y >> 1) ^ mag;
            }
            self.index = 0;
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random()`: 53 random bits (27 from one word, 26 from the next) as a float in `[0, 1)`.
    fn random(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)` for `1 <= k <= 32`: the top `k` bits of one word.
    fn getrandbits(&mut self, k: u32) -> u32 {
        self.next_u32() >> (32 - k)
    }

    /// `_randbelow(n)` for `1 <= n < 2^32` (and so `randrange(n)`): rejection sampling on
    /// `n.bit_length()` bits.
    fn randbelow(&mut self, n: u32) -> u32 {
        let k = u32::BITS - n.leading_zeros();
        loop {
            let r = self.getrandbits(k);
            if r < n {
                return r;
            }
        }
    }

    /// `uniform(a, b)`: `a + (b - a) * random()`.
    fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.random()
    }

    /// `paretovariate(alpha)`: `(1 - random()) ** (-1 / alpha)`, with the platform's `pow` as CPython
    /// uses it.
    fn paretovariate(&mut self, alpha: f64) -> f64 {
        let u = 1.0 - self.random();
        u.powf(-1.0 / alpha)
    }

    /// `choice(seq)`: the element at `_randbelow(len(seq))`.
    fn choice<'a, T>(&mut self, seq: &'a [T]) -> &'a T {
        let len = u32::try_from(seq.len()).expect("choice from fewer than 2^32 elements");
        &seq[self.randbelow(len) as usize]
    }
}
