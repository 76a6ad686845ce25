//! A Kubernetes-compatible label selector engine for schedulers.
//!
//! `labelsel` parses Kubernetes label selector strings (`tier in (premium,standard),!debug,cpu>8`) into
//! an [`Expression`], validates every key and value with the Kubernetes rules, prints the same canonical
//! text as Kubernetes, and matches node labels with the same verdicts. Bad input gets a [`ParseError`]
//! that names the byte span, what was found and what was expected; no input makes it panic.
//!
//! ```
//! use std::collections::HashMap;
//! use labelsel::Expression;
//!
//! let expr: Expression = "env in (prod, staging), gpu, !debug, cpu > 8".parse()?;
//! assert_eq!(expr.to_string(), "cpu>8,!debug,env in (prod,staging),gpu");
//!
//! let node = HashMap::from([("env", "prod"), ("gpu", "nvidia-h100"), ("cpu", "16")]);
//! assert!(expr.matches(&node));
//!
//! let err = Expression::parse("env in (prod").unwrap_err();
//! assert_eq!(err.to_string(), "expected `,` or `)`, found end of input at byte 12");
//! # Ok::<(), labelsel::ParseError>(())
//! ```
//!
//! On top of expressions:
//!
//! - [`Selector`] is the job-spec selector (`match_labels`, `match_expressions`, `match_ids`, all
//!   ANDed) with its JSON form; [`Selector::compile`] validates it into a [`Matcher`], which matches
//!   without allocating. [`LabelSet`] prepares a node's labels once for repeated matching.
//! - [`Fleet`] indexes many nodes with roaring bitmaps; [`Fleet::select`] answers a matcher with bitmap
//!   operations, in insertion order.
//! - [`Matcher::explain`], [`Fleet::diagnose`], [`Matcher::analyze`] and [`Fleet::lint`] say why a node
//!   was turned down, what each requirement costs, and what a selector can never match.
//! - [`LabelSelector`] converts the Kubernetes structured form.
//! - [`NodeReader`] reads a fleet from any byte stream (NDJSON, pretty JSON, arrays, Kubernetes node
//!   lists) one node at a time in bounded memory; [`Fleet::from_reader`] builds a [`Fleet`] from it.
//!
//! ```
//! use labelsel::{Fleet, Selector};
//!
//! let mut fleet = Fleet::new();
//! fleet.insert("node-1", [("env", "prod"), ("gpu", "l4")]);
//! fleet.insert("node-2", [("env", "dev"), ("gpu", "l4")]);
//! let matcher = Selector::new().label("env", "prod").expression("gpu").compile()?;
//! assert_eq!(fleet.select(&matcher).iter().collect::<Vec<_>>(), ["node-1"]);
//! assert!(!matcher.explain("node-2", &fleet.get("node-2").unwrap()).matches);
//! # Ok::<(), labelsel::SelectorError>(())
//! ```
//!
//! # Semantics in brief
//!
//! Requirements separated by commas must all hold. For a key that the node lacks, `!=`, `notin` and
//! `!key` hold and every other operator fails. `x in ()` means `x` has the empty value. `>` and `<`
//! compare base-10 `i64` values; a label value that is not one never matches either. Requirements print
//! sorted by key in exactly the order Go's `sort.Sort` leaves them (so from 13 requirements on,
//! requirements that share a key may change places, as in Kubernetes), with their values sorted and
//! deduplicated.
//!
//! One deliberate difference from Kubernetes: a NUL byte is an ordinary (and therefore invalid)
//! identifier byte. Kubernetes' lexer treats NUL specially: a NUL where a token would start ends the
//! input, and a NUL inside or right after a token is dropped and reading goes on (`a=\0b` parses as
//! `a=b`). labelsel rejects it instead, naming its offset.

mod analyze;
mod error;
mod explain;
mod expr;
mod fleet;
mod go_sort;
mod jobs;
mod kube;
mod labels;
mod map_only;
mod matcher;
mod near;
mod operator;
mod parse;
mod place;
mod placement;
pub mod read;
mod render;
mod selector;
pub mod sql;
mod validate;

pub use analyze::{Analysis, Finding, FindingKind, Severity};
pub use error::{Expected, ParseError, ParseErrorKind};
pub use explain::{Explanation, Reason, Verdict};
pub use expr::{Expression, Requirement};
pub use fleet::{
    Diagnosis, Fleet, NodeLabels, Placed, Ranked, RequirementDiagnosis, Rollout, Selection, Spread,
};
pub use jobs::{Changes, Job, SelectorIndex};
pub use kube::{ConversionError, LabelSelector, LabelSelectorRequirement};
pub use labels::{LabelSet, Labels};
pub use matcher::Matcher;
pub use operator::Operator;
pub use parse::Limits;
pub use place::Place;
pub use placement::{
    AffinityError, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    Placement, PlacementError, PlacementExplanation, Placer, Preference, PreferenceVerdict,
    PreferredSchedulingTerm, Term, TermPlace,
};
pub use read::{
    DEFAULT_MAX_RECORD_BYTES, DuplicateIds, NodeReader, NodeRecord, ReadError, ReadErrorKind,
    ReadLimits, node_id_problem,
};
pub use selector::{Selector, SelectorError};
#[cfg(feature = "postgres")]
pub use sql::PgFleet;
#[cfg(feature = "sqlite")]
pub use sql::SqliteFleet;
pub use sql::{Dialect, SqlParam, SqlStatement};
#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub use sql::{NodeSource, SqlFleet, StoreError, VisitNode};
pub use validate::{Found, LabelError, LabelRule, validate_key, validate_value};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
