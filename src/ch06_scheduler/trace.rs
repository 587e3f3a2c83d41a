//! What the scheduler did, and when: a [`Trace`] of [`Event`]s, drawn as a
//! text sequence diagram or as Chrome trace-event JSON.
//!
//! The core operations are:
//! - [`Scheduler::with_trace`](super::Scheduler::with_trace) turns recording
//!   on; [`Scheduler::trace`](super::Scheduler::trace) hands the events over.
//! - [`Trace::diagram`] draws one lane per task, one row per event, the kind
//!   of picture asyncio tutorials draw by hand. The start of chapter 6's
//!   step 10 with a unit of 100 ms (`cargo run --example ch06_scheduler --
//!   --clock virtual --trace`):
//!
//! ```text
//!  time | main                | countdown
//! ------+---------------------+-----------------
//! 0.000 | spawned             |
//! 0.000 | > runs              |
//! 0.000 |                     | spawned by main
//! 0.000 | | sleeps to 0.05    |
//! 0.000 |                     | > runs
//! 0.000 |                     | | sleeps to 0.1
//! 0.000 | (idle until 0.050)
//! 0.050 | * timer fires       |
//! 0.050 | > runs              |
//! ```
//!
//!   `>` marks a resume, `|` a suspension and what it waits for, `*` a
//!   wake-up, `=` the end; an idle row spans every lane.
//! - [`Trace::chrome_json`] writes the same events in the Chrome trace-event
//!   format: open the file in <https://ui.perfetto.dev> or `chrome://tracing`
//!   to scroll and zoom through the schedule.
//!
//! Recording costs next to nothing when it is off: the scheduler checks one
//! flag before building an event.

use std::fmt::Write as _;
use std::time::Duration;

use super::{Shared, TaskId, Wait};

/// One thing the scheduler did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The scheduler's time when it happened.
    pub at: Duration,
    /// The task it happened to (`None` for the scheduler itself).
    pub task: Option<TaskId>,
    /// What happened.
    pub kind: EventKind,
}

/// What happened, in an [`Event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The task was created, by the task `by` (or from outside the scheduler).
    Spawned {
        /// The task's name.
        name: String,
        /// Who spawned it.
        by: Option<TaskId>,
    },
    /// The scheduler resumed the task.
    Resumed,
    /// The task suspended, waiting for this.
    Suspended(Wait),
    /// The task became ready: see [`Cause`].
    Woken(Cause),
    /// The step that just ended held the thread this long, more than the
    /// slow-step threshold (chapter 11).
    Slow {
        /// How long, on the wall clock.
        took: Duration,
    },
    /// The task began to wait on socket `socket` (the poller's key for it),
    /// one way (chapter 10).
    IoWait {
        /// The socket's key.
        socket: usize,
        /// Which way.
        interest: super::Interest,
    },
    /// Nothing was ready: the scheduler waited until this time.
    Idle {
        /// The deadline it waited for.
        until: Duration,
    },
    /// The task was asked to stop: before it ever ran (`started: false`),
    /// or after (see chapter 7 for what that does, by where it waits).
    Cancelled {
        /// Whether it had started.
        started: bool,
    },
    /// The task ended: done (its body returned a value), or cancelled.
    Done {
        /// Whether it ended cancelled.
        cancelled: bool,
    },
    /// The task failed: it panicked, or its body returned an error.
    Failed {
        /// The failure, in words.
        message: String,
    },
}

/// Why a waiting task became ready, in an [`EventKind::Woken`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// Its timer fired: its sleep, or its park's deadline, is over.
    Timer,
    /// The task it joined ended.
    Joined(TaskId),
    /// Its [`Waker`](super::Waker) was called: by a task, or by a callback
    /// (`None`).
    Waker(Option<TaskId>),
    /// The socket with this key became ready (chapter 10).
    Io(usize),
}

/// Every event a scheduler recorded, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// The events, oldest first.
    pub events: Vec<Event>,
}

/// Seconds with three decimals: `1.500`.
fn seconds(at: Duration) -> String {
    format!("{:.3}", at.as_secs_f64())
}

/// A deadline the short way: `0.5`, `2`, `1.25`.
fn short_seconds(at: Duration) -> String {
    let text = format!("{:.3}", at.as_secs_f64());
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Trace {
    /// The tasks in the order they were spawned, with their names.
    pub fn tasks(&self) -> Vec<(TaskId, String)> {
        self.events
            .iter()
            .filter_map(|event| match (&event.kind, event.task) {
                (EventKind::Spawned { name, .. }, Some(id)) => Some((id, name.clone())),
                _ => None,
            })
            .collect()
    }

    /// The name of task `id` among `tasks`, or `T<number>` if it is not there.
    fn name(tasks: &[(TaskId, String)], id: TaskId) -> String {
        tasks
            .iter()
            .find(|(task, _)| *task == id)
            .map_or_else(|| id.to_string(), |(_, name)| name.clone())
    }

    /// What the diagram writes in a task's lane for `kind`.
    fn label(tasks: &[(TaskId, String)], kind: &EventKind) -> String {
        match kind {
            EventKind::Spawned { by: None, .. } => "spawned".to_string(),
            EventKind::Spawned { by: Some(by), .. } => {
                format!("spawned by {}", Self::name(tasks, *by))
            }
            EventKind::Resumed => "> runs".to_string(),
            EventKind::Suspended(Wait::Turn) => "| yields".to_string(),
            EventKind::Suspended(Wait::Until(deadline)) => {
                format!("| sleeps to {}", short_seconds(*deadline))
            }
            EventKind::Suspended(Wait::Park(None)) => "| parks".to_string(),
            EventKind::Suspended(Wait::Park(Some(deadline))) => {
                format!("| parks to {}", short_seconds(*deadline))
            }
            EventKind::Suspended(Wait::Task(target)) => {
                format!("| joins {}", Self::name(tasks, *target))
            }
            EventKind::Woken(Cause::Timer) => "* timer fires".to_string(),
            EventKind::Woken(Cause::Joined(by)) => format!("* {} is done", Self::name(tasks, *by)),
            EventKind::Woken(Cause::Waker(Some(by))) => {
                format!("* woken by {}", Self::name(tasks, *by))
            }
            EventKind::Woken(Cause::Waker(None)) => "* woken by a callback".to_string(),
            EventKind::Woken(Cause::Io(socket)) => format!("* socket {socket} ready"),
            EventKind::Slow { took } => format!("! slow step: {:.3} s", took.as_secs_f64()),
            EventKind::IoWait {
                socket,
                interest: super::Interest::Read,
            } => format!("| waits to read socket {socket}"),
            EventKind::IoWait {
                socket,
                interest: super::Interest::Write,
            } => format!("| waits to write socket {socket}"),
            EventKind::Idle { until } if *until == Duration::MAX => {
                "(idle until a socket or a wake)".to_string()
            }
            EventKind::Idle { until } => format!("(idle until {})", seconds(*until)),
            EventKind::Cancelled { started: false } => "x cancelled before it ran".to_string(),
            EventKind::Cancelled { started: true } => "x cancel requested".to_string(),
            EventKind::Done { cancelled: false } => "= done".to_string(),
            EventKind::Done { cancelled: true } => "= cancelled".to_string(),
            EventKind::Failed { message } => format!("= {message}"),
        }
    }

    // ANCHOR: diagram
    /// A text sequence diagram: a column of times, then one lane per task in
    /// spawn order, one row per event. A row in which the scheduler idles
    /// spans every lane.
    pub fn diagram(&self) -> String {
        let tasks = self.tasks();
        let lane_of = |id: TaskId| tasks.iter().position(|(task, _)| *task == id);
        let rows: Vec<(String, Option<usize>, String)> = self
            .events
            .iter()
            .map(|event| {
                let lane = event.task.and_then(lane_of);
                (seconds(event.at), lane, Self::label(&tasks, &event.kind))
            })
            .collect();
        let time_width = rows
            .iter()
            .map(|(time, _, _)| time.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let mut widths: Vec<usize> = tasks.iter().map(|(_, name)| name.len()).collect();
        for (_, lane, label) in &rows {
            if let Some(lane) = lane {
                widths[*lane] = widths[*lane].max(label.len());
            }
        }

        let mut out = String::new();
        let _ = write!(out, "{:>time_width$}", "time");
        for ((_, name), width) in tasks.iter().zip(&widths) {
            let _ = write!(out, " | {name:<width$}");
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
        out.push_str(&"-".repeat(time_width + 1));
        for width in &widths {
            out.push('+');
            out.push_str(&"-".repeat(width + 2));
        }
        out.push('\n');
        for (time, lane, label) in rows {
            let _ = write!(out, "{time:>time_width$}");
            match lane {
                Some(lane) => {
                    for (i, width) in widths.iter().enumerate() {
                        let text = if i == lane { label.as_str() } else { "" };
                        let _ = write!(out, " | {text:<width$}");
                    }
                }
                None => {
                    let _ = write!(out, " | {label}");
                }
            }
            let trimmed = out.trim_end().len();
            out.truncate(trimmed);
            out.push('\n');
        }
        out
    }
    // ANCHOR_END: diagram

    /// The events in Chrome's trace-event format (a JSON array), for
    /// <https://ui.perfetto.dev> or `chrome://tracing`.
    ///
    /// Each task is a thread; each step of a task is a slice from its resume
    /// to its suspension. On the virtual clock a step takes no time at all,
    /// so every slice is drawn at least one microsecond wide to stay visible.
    /// Idle waits are slices on a thread of their own, `scheduler`.
    pub fn chrome_json(&self) -> String {
        let tasks = self.tasks();
        let micros = |at: Duration| at.as_micros();
        let tid = |id: TaskId| id.number() + 1;
        let mut records = vec![
            r#"{"name":"thread_name","ph":"M","pid":1,"tid":0,"args":{"name":"scheduler"}}"#
                .to_string(),
        ];
        for (id, name) in &tasks {
            records.push(format!(
                r#"{{"name":"thread_name","ph":"M","pid":1,"tid":{},"args":{{"name":"{}"}}}}"#,
                tid(*id),
                escape(name)
            ));
        }
        let mut running: Vec<(TaskId, Duration)> = Vec::new();
        for event in &self.events {
            // The diagram's glyphs (`> runs`, `| sleeps`, ...) mean nothing
            // in a trace viewer: keep only the words.
            let label = Self::label(&tasks, &event.kind);
            let label = escape(label.trim_start_matches(['>', '|', '*', '=', ' ']));
            match (&event.kind, event.task) {
                (EventKind::Resumed, Some(id)) => running.push((id, event.at)),
                (
                    EventKind::Suspended(_) | EventKind::Done { .. } | EventKind::Failed { .. },
                    Some(id),
                ) => {
                    if let Some(at) = running.iter().position(|(task, _)| *task == id) {
                        let (_, start) = running.remove(at);
                        let duration = micros(event.at.saturating_sub(start)).max(1);
                        records.push(format!(
                            r#"{{"name":"step","ph":"X","pid":1,"tid":{},"ts":{},"dur":{}}}"#,
                            tid(id),
                            micros(start),
                            duration
                        ));
                    }
                    records.push(format!(
                        r#"{{"name":"{label}","ph":"i","s":"t","pid":1,"tid":{},"ts":{}}}"#,
                        tid(id),
                        micros(event.at)
                    ));
                }
                (EventKind::Idle { until }, _) => records.push(format!(
                    r#"{{"name":"idle","ph":"X","pid":1,"tid":0,"ts":{},"dur":{}}}"#,
                    micros(event.at),
                    micros(until.saturating_sub(event.at)).max(1)
                )),
                (_, Some(id)) => records.push(format!(
                    r#"{{"name":"{label}","ph":"i","s":"t","pid":1,"tid":{},"ts":{}}}"#,
                    tid(id),
                    micros(event.at)
                )),
                (_, None) => {}
            }
        }
        format!("[\n{}\n]\n", records.join(",\n"))
    }
}

/// `text` as the inside of a JSON string.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

impl Shared {
    /// Adds an event to the trace, if the scheduler records one. When it
    /// does not, this is one branch, inlined where it is called.
    #[inline(always)]
    pub(super) fn record(&self, task: Option<TaskId>, kind: impl FnOnce() -> EventKind) {
        if self.tracing.get() {
            self.push_event(task, kind());
        }
    }

    /// [`record`](Self::record) for a step of the task `current` names: the
    /// task's identity is worked out only when tracing.
    #[inline(always)]
    pub(super) fn record_step(
        &self,
        current: super::current::Current,
        kind: impl FnOnce() -> EventKind,
    ) {
        if self.tracing.get() {
            self.push_event(current.task(), kind());
        }
    }

    /// The part of [`record`](Self::record) that runs only when tracing:
    /// kept out of line, so the switch's code stays small.
    #[cold]
    #[inline(never)]
    fn push_event(&self, task: Option<TaskId>, kind: EventKind) {
        let at = self.now();
        if let Some(trace) = self.trace.borrow_mut().as_mut() {
            trace.events.push(Event { at, task, kind });
        }
    }
}
