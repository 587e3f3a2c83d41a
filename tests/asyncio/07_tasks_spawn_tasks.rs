//! The twin of `07_tasks_spawn_tasks.py`: tasks that spawn tasks; each new
//! task joins the back of the ready queue, whoever spawned it.

use yieldpoint::ch06_scheduler::{SchedError, spawn};

use crate::parity::{run, say};

fn grandchild(name: &str) -> Result<(), SchedError> {
    say(name, "runs");
    Ok(())
}

fn child(name: &str) -> Result<(), SchedError> {
    say(name, "starts, creates a grandchild");
    let grandchild_name = format!("{name}.1");
    let task = spawn("grandchild", move || grandchild(&grandchild_name))?;
    task.join()?;
    say(name, "its grandchild is done");
    Ok(())
}

fn parent(name: &str) -> Result<(), SchedError> {
    say(name, "starts, creates two children");
    let (name_1, name_2) = (format!("{name}.1"), format!("{name}.2"));
    let first = spawn("child", move || child(&name_1))?;
    let second = spawn("child", move || child(&name_2))?;
    say(name, "created its children");
    first.join()?;
    second.join()?;
    say(name, "its children are done");
    Ok(())
}

fn main() -> Result<(), SchedError> {
    let p1 = spawn("P1", || parent("P1"))?;
    let p2 = spawn("P2", || parent("P2"))?;
    p1.join()?;
    say("main", "P1 is done");
    p2.join()?;
    say("main", "end");
    Ok(())
}

/// Runs the scenario on the virtual clock and returns its lines.
pub fn scenario() -> Vec<String> {
    run(main)
}
