//! Placeholder: the switch benches are being written.
fn main() {}
