//! Run with: cargo run --example ch03_yield_from

/// Placeholder.
pub fn main() {}
