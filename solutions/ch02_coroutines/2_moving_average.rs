//! Exercise 2.2's reference solution: a moving average (the task is in
//! `exercises/ch02_coroutines/2_moving_average.rs`).

use std::collections::VecDeque;

use yieldpoint::ch02_coroutines::{Generator, Yielder};

/// The average of the last `window` numbers, after each number sent in.
pub fn moving_average(window: usize) -> Generator<Option<i64>, f64, usize> {
    assert!(
        window > 0,
        "moving_average: a window of 0 numbers has no average; give it a window of at least 1"
    );
    Generator::new(move |yielder: &Yielder<Option<i64>, f64>, first| {
        let mut last: VecDeque<i64> = VecDeque::with_capacity(window);
        let mut received = 0;
        let mut input = first;
        while let Some(number) = input {
            received += 1;
            if last.len() == window {
                last.pop_front();
            }
            last.push_back(number);
            let sum: i64 = last.iter().sum();
            input = yielder.suspend(sum as f64 / last.len() as f64);
        }
        received
    })
}
