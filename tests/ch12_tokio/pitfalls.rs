//! What tokio says when it is used wrongly: the messages chapter 12's
//! "What can go wrong" quotes, provoked fresh (tokio 1.54.1).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use tokio::runtime::Builder;
use yieldpoint::ch04_future_task::panic_message;

/// The message of the panic `f` raises.
fn panic_of<R>(f: impl FnOnce() -> R) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => panic_message(payload.as_ref()),
    }
}

#[test]
fn blocking_on_a_runtime_inside_a_runtime_panics() {
    let message = panic_of(|| {
        let outer = Builder::new_current_thread().build().unwrap();
        outer.block_on(async {
            let inner = Builder::new_current_thread().build().unwrap();
            inner.block_on(async {});
        });
    });
    assert_eq!(
        message,
        "Cannot start a runtime from within a runtime. This happens because a function (like \
         `block_on`) attempted to block the current thread while the thread is being used to \
         drive asynchronous tasks. If you are in an async function, use `.await` on the future \
         instead of blocking on it."
    );
}

#[test]
fn a_timer_on_a_runtime_built_without_enable_time_panics() {
    let message = panic_of(|| {
        let runtime = Builder::new_current_thread().build().unwrap();
        runtime.block_on(async { tokio::time::sleep(Duration::from_millis(1)).await });
    });
    assert_eq!(
        message,
        "A Tokio 1.x context was found, but timers are disabled. Call `enable_time` on the \
         runtime builder to enable timers."
    );
}

#[test]
fn spawning_outside_a_runtime_panics() {
    let message = panic_of(|| tokio::spawn(async {}));
    assert_eq!(
        message,
        "there is no reactor running, must be called from the context of a Tokio 1.x runtime"
    );
}

#[test]
fn advancing_a_clock_that_is_not_paused_panics() {
    let message = panic_of(|| {
        let runtime = Builder::new_current_thread().enable_time().build().unwrap();
        runtime.block_on(async { tokio::time::advance(Duration::from_secs(1)).await });
    });
    assert_eq!(message, "time is not frozen");
}

#[test]
fn a_socket_on_a_runtime_built_without_enable_io_panics() {
    let message = panic_of(|| {
        let runtime = Builder::new_current_thread().enable_time().build().unwrap();
        runtime.block_on(async { tokio::net::TcpListener::bind("127.0.0.1:0").await })
    });
    assert_eq!(
        message,
        "A Tokio 1.x context was found, but IO is disabled. Call `enable_io` on the runtime \
         builder to enable IO."
    );
}
