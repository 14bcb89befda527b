//! The top-level README's handler snippets, ours and the frameworks' own, compiled as
//! doctests of this package: it is the one that depends on all three frameworks and on
//! actix-web-lab.

#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
