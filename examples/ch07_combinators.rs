//! Run with: cargo run --example ch07_combinators

/// Placeholder while the chapter is written.
pub fn main() {}

/// Placeholder while the chapter is written.
pub fn run(_args: &[String]) {}
