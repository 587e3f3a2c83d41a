//! Run with: cargo run --example ch01_polled_lists

/// Placeholder.
pub fn main() {}
