//! Exercise 6.5: a model ready queue, and the orderings LIFO breaks.
//!
//! Chapter 6's ready queue is first in, first out, as asyncio's is. What if
//! the loop took the task queued *last* instead? Find out on a model small
//! enough to write in a few minutes: tasks are lists of actions (say a line,
//! spawn a task, yield), and `run` is the loop.
//!
//! Write `run(order, main)`:
//!
//! - The ready queue starts with `main`. Each turn, take one task from the
//!   queue (from the front for `Order::Fifo`, from the back for
//!   `Order::Lifo`) and do its actions in order until it yields or has none
//!   left: that is one step.
//! - `Say(text)` adds the line `[name] text`, with the task's name.
//! - `Spawn(task)` puts the new task at the back of the queue; the spawner
//!   goes on.
//! - `Yield` ends the step: the task goes to the back of the queue, to do
//!   its remaining actions when it is taken again.
//! - A task with no actions left has ended. `run` returns every line said,
//!   once the queue is empty.
//!
//! The tests check your FIFO loop against chapter 6's real scheduler, then
//! show which of the chapter's orderings LIFO breaks, and which it keeps.
//! Before you run them, guess.
//!
//! `cargo run -- check 6.5` checks your work. Stuck? `cargo run -- hint 6.5`

#![allow(unused_imports, unused_variables)]

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
    todo!("a queue of tasks and their remaining actions; one step per turn")
}
