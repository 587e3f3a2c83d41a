//! Run with: cargo run --example ch02_coroutines

/// Placeholder.
pub fn main() {}
