//! Exercise 11.2's reference solution: a yield after every whole chunk.

use yieldpoint::ch06_scheduler::{SchedError, yield_now};

/// The sum of the squares below `n`, with a turn for the others after
/// every `chunk` of them.
pub fn sum_of_squares(n: u64, chunk: u64) -> Result<u64, SchedError> {
    let mut sum = 0;
    for i in 0..n {
        sum += i * i;
        if (i + 1) % chunk == 0 {
            yield_now()?; // a turn for every other ready task
        }
    }
    Ok(sum)
}
