//! Exercise 4.2's reference solution: a cancelled task that cleans up in
//! order (the task is in `exercises/ch04_future_task/2_ordered_cleanup.rs`).

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
        log.borrow_mut().push(format!("open {name}"));
        Resource {
            name,
            log: Rc::clone(log),
        }
    }
}

impl Drop for Resource {
    fn drop(&mut self) {
        self.log.borrow_mut().push(format!("close {}", self.name));
    }
}

/// Resources opened one after the other, closed last-opened first.
#[derive(Debug, Default)]
pub struct Pool {
    opened: Vec<Resource>,
}

impl Pool {
    /// Adds a resource that has just been opened.
    pub fn push(&mut self, resource: Resource) {
        self.opened.push(resource);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // A `Vec` drops its items first to last: undo the opening order by
        // hand, last first.
        while let Some(resource) = self.opened.pop() {
            drop(resource);
        }
    }
}

/// A task that opens each of `names` into a pool, in order, suspending after
/// each, and returns how many it opened.
pub fn server(names: &'static [&'static str], log: &Log) -> Task<usize> {
    let log = Rc::clone(log);
    Task::new("server", move |yielder| {
        let mut pool = Pool::default();
        for &name in names {
            pool.push(Resource::open(name, &log));
            yielder.suspend(());
        }
        names.len()
    })
}
