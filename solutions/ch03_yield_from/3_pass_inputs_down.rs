//! Exercise 3.3's reference solution: inputs passed down through `yield_from`
//! (the task is in `exercises/ch03_yield_from/3_pass_inputs_down.rs`).

use yieldpoint::ch02_coroutines::{Generator, Yielder};
use yieldpoint::ch03_yield_from::yield_from;

/// Running totals of the numbers sent in, until a 0; returns the total.
pub fn summer() -> Generator<i64, i64, i64> {
    Generator::new(|yielder: &Yielder<i64, i64>, first| {
        let mut total = 0;
        let mut number = first;
        while number != 0 {
            total += number;
            number = yielder.suspend(total);
        }
        total
    })
}

/// Two summers, one after the other, with the subtotal yielded between them.
pub fn two_sums() -> Generator<i64, i64, (i64, i64)> {
    Generator::new(|yielder: &Yielder<i64, i64>, first| {
        let one = yield_from(yielder, summer(), first);
        // The second summer needs a first number: the answer to the subtotal.
        let next = yielder.suspend(one);
        let two = yield_from(yielder, summer(), next);
        (one, two)
    })
}
