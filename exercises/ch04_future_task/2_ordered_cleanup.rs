//! Exercise 4.2: a cancelled task that cleans up in order.
//!
//! A server task opens resources one by one (a database, then a cache, then
//! a socket, say), pausing after each. Cancelling it drops its stack, and
//! with it whatever it has opened. Cleanup must undo the work in reverse: the
//! last resource opened is closed first.
//!
//! Write:
//!
//! - `Resource`: `Resource::open(name, log)` writes `open {name}` to `log`,
//!   and dropping it writes `close {name}`;
//! - `Pool`: resources opened one after the other (`push`), which, when the
//!   pool is dropped, are closed last-opened first;
//! - `server(names, log)`: a task that opens a resource for each name, in
//!   order, into a pool, suspending after each one; after the last, it
//!   returns how many it opened (and the pool closes them as it returns).
//!
//! The tests cancel the server at different steps, and check the log: every
//! open, every close in reverse, and then the task's done callbacks.
//!
//! `cargo run -- check 4.2` checks your work. Stuck? `cargo run -- hint 4.2`

#![allow(unused_imports, unused_variables, dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use yieldpoint::ch04_future_task::Task;

/// A shared log of what happened, in order.
pub type Log = Rc<RefCell<Vec<String>>>;

/// A resource that says in `log` when it is opened and closed.
#[derive(Debug)]
pub struct Resource {
    name: &'static str,
    log: Log,
}

impl Resource {
    /// Opens the resource `name`: writes `open {name}` to `log`.
    pub fn open(name: &'static str, log: &Log) -> Self {
        todo!("write `open {{name}}` and keep what `drop` will need")
    }
}

// Your `impl Drop for Resource` goes here.

/// Resources opened one after the other, closed last-opened first.
#[derive(Debug, Default)]
pub struct Pool {
    opened: Vec<Resource>,
}

impl Pool {
    /// Adds a resource that has just been opened.
    pub fn push(&mut self, resource: Resource) {
        todo!("keep the resource")
    }
}

// Your `impl Drop for Pool` goes here.

/// A task that opens each of `names` into a pool, in order, suspending after
/// each, and returns how many it opened.
pub fn server(names: &'static [&'static str], log: &Log) -> Task<usize> {
    todo!("open each name into a pool, suspending after each open")
}
