//! Exercise 6.5's reference solution: a model ready queue, first in first
//! out and last in first out (the task is in
//! `exercises/ch06_scheduler/5_lifo.rs`).

use std::collections::VecDeque;

/// What a model task does, one action after the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Says `[name] text`, and goes on.
    Say(&'static str),
    /// Puts a new task at the back of the ready queue, and goes on.
    Spawn(ModelTask),
    /// Gives up the turn: the task goes to the back of the ready queue.
    Yield,
}

/// A task of the model: a name, and its actions in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelTask {
    /// Who says the lines.
    pub name: &'static str,
    /// What it does; it ends after the last.
    pub actions: Vec<Action>,
}

/// Which end of the ready queue the loop takes the next task from. Both
/// put tasks at the back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// From the front: the task that has waited longest (asyncio).
    Fifo,
    /// From the back: the task queued last.
    Lifo,
}

/// Runs `main` and every task it spawns until the ready queue is empty, and
/// returns the lines they said.
pub fn run(order: Order, main: ModelTask) -> Vec<String> {
    let mut ready: VecDeque<(&'static str, VecDeque<Action>)> = VecDeque::new();
    ready.push_back((main.name, main.actions.into()));
    let mut lines = Vec::new();
    loop {
        let next = match order {
            Order::Fifo => ready.pop_front(),
            Order::Lifo => ready.pop_back(),
        };
        let Some((name, mut actions)) = next else {
            return lines;
        };
        // One step: run its actions until it yields or has none left.
        while let Some(action) = actions.pop_front() {
            match action {
                Action::Say(text) => lines.push(format!("[{name}] {text}")),
                Action::Spawn(task) => ready.push_back((task.name, task.actions.into())),
                Action::Yield => {
                    ready.push_back((name, actions));
                    break;
                }
            }
        }
    }
}
