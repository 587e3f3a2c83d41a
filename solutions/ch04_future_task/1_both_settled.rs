//! Exercise 4.1's reference solution: a future that settles when two others
//! have (the task is in `exercises/ch04_future_task/1_both_settled.rs`).

use yieldpoint::ch04_future_task::{Future, Status};

/// A future done with both values once `a` and `b` are done; failed as soon
/// as either gives no value.
pub fn both<A: Clone + 'static, B: Clone + 'static>(
    a: &Future<A>,
    b: &Future<B>,
) -> Future<(A, B)> {
    let joint = Future::new();
    // Each callback settles the joint future if it can. Whoever comes second
    // finds it settled, and its attempt is refused: that is fine, so the
    // `Result` of every attempt is ignored.
    let (joint_a, other_b) = (joint.clone(), b.clone());
    a.add_done_callback(move |a| match (a.result(), other_b.status()) {
        (Err(error), _) => drop(joint_a.set_error(format!("first: {error}"))),
        (Ok(first), Status::Done) => {
            if let Ok(second) = other_b.result() {
                drop(joint_a.set_result((first, second)));
            }
        }
        (Ok(_), _) => {} // `b`'s callback will finish the job
    });
    let (joint_b, other_a) = (joint.clone(), a.clone());
    b.add_done_callback(move |b| match (b.result(), other_a.status()) {
        (Err(error), _) => drop(joint_b.set_error(format!("second: {error}"))),
        (Ok(second), Status::Done) => {
            if let Ok(first) = other_a.result() {
                drop(joint_b.set_result((first, second)));
            }
        }
        (Ok(_), _) => {}
    });
    joint
}
