//! The poller (chapter 10): the scheduler waits for sockets as asyncio's
//! loop does, in one system call that also waits for the next timer.
//!
//! This file owns the reactor: the `polling` crate's [`Poller`] (epoll on
//! Linux), the sockets registered with it, and the tasks that wait for one
//! of them to be readable or writable. Chapter 10's sockets
//! (`ch10_sockets`) are built on its crate-wide API, [`IoSource`]: register a
//! socket, wait for it from a stackful task or an async one, deregister it.
//!
//! ```text
//!   run_once, while a socket is registered (asyncio's _run_once):
//!     timeout = 0 if something is ready, else the time to the earliest timer
//!               (for ever if there is none, as long as a task waits on a socket)
//!     poller.wait(timeout)   ── the one system call of the iteration
//!     each ready socket: a callback to the back of the ready queue, which
//!               wakes its waiting task (asyncio's reader or writer handle)
//!     then the due timers, then the pass, as always: the woken task runs
//!     in the next pass, as a sleeper whose timer fired does
//!
//!   a task reads:  try the non-blocking read ── WouldBlock? ── register its waker
//!                  for "readable", arm the socket in the poller, park ── woken ── try again
//! ```
//!
//! A scheduler with no socket registered never calls the poller: the loop
//! is chapter 6's, and its switch costs what chapter 8 measured.
//!
//! Sockets and the virtual clock do not mix: time on the virtual clock
//! jumps when nothing is ready, and a reply on its way through the kernel
//! is not "ready" until it arrives, so a timeout would fire at once while
//! the reply is in flight (tokio's paused test clock has had that very
//! bug). A socket is refused on the virtual clock, with an error that says
//! so ([`SchedError::SocketsNeedRealClock`]).

// With chapter 10's rebuild exercise in place of `ch10_sockets/stackful.rs`,
// the stackful wait is unused until the learner uses it: no warning then.
// (Chapter 6's own exercise allows it for this whole module already.)
#![cfg_attr(
    all(feature = "exercise-ch10", not(feature = "exercise-ch06")),
    allow(dead_code)
)]

use std::io;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::task::Context;
use std::time::Duration;

use polling::{Event, Events, Poller};

use super::current::{self};
use super::error::SchedError;
use super::trace::{Cause, EventKind};
use super::{Clock, Shared, park};

/// Which way a task waits on a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interest {
    /// Until it can be read from (or accepted on, for a listener).
    Read,
    /// Until it can be written to (or, for a connecting socket, until the
    /// connection is made or refused).
    Write,
}

/// Who waits on a socket, one way: a stackful task (woken through chapter
/// 6's [`Waker`](super::Waker)) or an async task (through its
/// `std::task::Waker`).
enum Waiter {
    Stackful(super::Waker),
    Async(std::task::Waker),
}

impl Waiter {
    fn wake(self) {
        match self {
            Waiter::Stackful(waker) => {
                waker.wake();
            }
            Waiter::Async(waker) => waker.wake(),
        }
    }
}

/// A registered socket: who waits on it, each way.
#[derive(Default)]
struct Registered {
    reader: Option<Waiter>,
    writer: Option<Waiter>,
}

impl Registered {
    fn waiter(&mut self, interest: Interest) -> &mut Option<Waiter> {
        match interest {
            Interest::Read => &mut self.reader,
            Interest::Write => &mut self.writer,
        }
    }

    /// What the poller should report for it: what its waiters wait for.
    fn event(&self, key: usize) -> Event {
        match (self.reader.is_some(), self.writer.is_some()) {
            (true, true) => Event::all(key),
            (true, false) => Event::readable(key),
            (false, true) => Event::writable(key),
            (false, false) => Event::none(key),
        }
    }
}

// ANCHOR: reactor
/// The scheduler's side of the sockets: made on the first registration.
pub(super) struct Reactor {
    /// The OS's readiness queue (epoll), shared with the wakers of other
    /// threads, which `notify` it to end a wait early.
    pub(super) poller: Arc<Poller>,
    /// The registered sockets, by key (a slab: a freed key is reused).
    sources: Vec<Option<Registered>>,
    /// Keys free for reuse.
    free: Vec<usize>,
    /// How many sockets are registered.
    live: usize,
    /// How many tasks wait on a socket now.
    waiting: usize,
    /// Where the poller writes what it found.
    events: Events,
    /// How many times the loop has asked the poller (for the tests, and
    /// chapter 10's claim that a program without sockets never does).
    polls: u64,
}
// ANCHOR_END: reactor

impl Reactor {
    fn new() -> io::Result<Self> {
        Ok(Reactor {
            poller: Arc::new(Poller::new()?),
            sources: Vec::new(),
            free: Vec::new(),
            live: 0,
            waiting: 0,
            events: Events::with_capacity(NonZeroUsize::new(256).expect("256 is not zero")),
            polls: 0,
        })
    }
}

/// A socket's registration with the running scheduler's poller: what
/// chapter 10's sockets hold. Dropping it does not deregister (that needs
/// the socket, see [`IoSource::deregister`]); the socket's owner must.
#[derive(Debug)]
pub(crate) struct IoSource {
    key: usize,
    scheduler: std::rc::Weak<Shared>,
    /// The poller it is registered with, held so that `deregister` can take
    /// the socket out even after the scheduler is gone (the promise made to
    /// `Poller::add` outlives the scheduler).
    poller: Arc<Poller>,
}

impl IoSource {
    /// Whether a socket operation may run here: inside a task of a running
    /// scheduler (not a callback, which cannot wait) on the real clock, and,
    /// for the stackful operations (`stackful`), not in an async task, which
    /// must await the `_async` twin instead. Asked before the first system
    /// call, so that an operation misplaced is refused every time, not only
    /// when it would have had to wait (and a connect on the virtual clock
    /// never reaches its peer).
    ///
    /// # Errors
    ///
    /// [`SchedError::NotInTask`], [`SchedError::InCallback`],
    /// [`SchedError::SocketsNeedRealClock`] or [`SchedError::InAsyncTask`],
    /// naming `operation`.
    pub(crate) fn check_task(operation: &'static str, stackful: bool) -> Result<(), SchedError> {
        super::check_in_task(operation)?;
        Self::check_clock(operation)?;
        if stackful && current::in_async_task() {
            return Err(SchedError::InAsyncTask { operation });
        }
        Ok(())
    }

    /// That the running scheduler keeps the real clock: sockets are refused
    /// on the virtual one (see the module's docs). Asked before the socket
    /// is made, so that the refusal comes before any system call: no port
    /// is bound and no handshake leaves for the peer.
    ///
    /// # Errors
    ///
    /// [`SchedError::NotInTask`] outside a running scheduler,
    /// [`SchedError::SocketsNeedRealClock`] on the virtual clock.
    pub(crate) fn check_clock(operation: &'static str) -> Result<(), SchedError> {
        if current::running(operation)?.clock == Clock::Virtual {
            return Err(SchedError::SocketsNeedRealClock { operation });
        }
        Ok(())
    }

    /// [`check_task`](Self::check_task), and that the running scheduler is
    /// the one this socket is registered with: the poller of another would
    /// never report on it, and its task would wait for ever.
    ///
    /// # Errors
    ///
    /// Those of [`check_task`](Self::check_task), and [`SchedError::Io`]
    /// for a socket of another scheduler.
    pub(crate) fn check(&self, operation: &'static str, stackful: bool) -> Result<(), SchedError> {
        Self::check_task(operation, stackful)?;
        if current::in_task_of(self.scheduler.as_ptr(), operation)? {
            Ok(())
        } else {
            Err(SchedError::io(
                operation,
                &io::Error::other(
                    "the socket belongs to another scheduler (or to one that has ended): a \
                     socket can only be used by the tasks of the scheduler it was opened in",
                ),
            ))
        }
    }

    // ANCHOR: register
    /// Registers `socket` (already non-blocking) with the running
    /// scheduler's poller, interested in nothing yet.
    ///
    /// # Safety
    ///
    /// The caller must call [`deregister`](Self::deregister) with this same
    /// socket before the socket is closed: the poller keeps its file
    /// descriptor, and a descriptor closed while registered could be reused
    /// by an unrelated file that the poller would then report on (this is
    /// `polling::Poller::add`'s contract).
    ///
    /// # Errors
    ///
    /// [`SchedError::NotInTask`] outside a running scheduler,
    /// [`SchedError::SocketsNeedRealClock`] on the virtual clock, and the
    /// OS's refusal as [`SchedError::Io`].
    pub(crate) unsafe fn register(
        socket: &impl std::os::fd::AsRawFd,
        operation: &'static str,
    ) -> Result<IoSource, SchedError> {
        let shared = current::running(operation)?;
        if shared.clock == Clock::Virtual {
            return Err(SchedError::SocketsNeedRealClock { operation });
        }
        let mut io = shared.io.borrow_mut();
        if io.is_none() {
            let reactor = Reactor::new().map_err(|error| SchedError::io(operation, &error))?;
            // Wakes from other threads must end a wait in the poller too.
            let _ = shared.inbox.poller.set(Arc::clone(&reactor.poller));
            *io = Some(reactor);
        }
        let reactor = io.as_mut().expect("made above");
        let key = match reactor.free.pop() {
            Some(key) => key,
            None => {
                reactor.sources.push(None);
                reactor.sources.len() - 1
            }
        };
        // SAFETY: the caller promises to deregister the socket before it
        // is closed, which is all `Poller::add` asks.
        let added = unsafe { reactor.poller.add(socket.as_raw_fd(), Event::none(key)) };
        if let Err(error) = added {
            reactor.free.push(key);
            return Err(SchedError::io(operation, &error));
        }
        reactor.sources[key] = Some(Registered::default());
        reactor.live += 1;
        shared.io_live.set(reactor.live);
        Ok(IoSource {
            key,
            scheduler: std::rc::Rc::downgrade(&shared),
            poller: Arc::clone(&reactor.poller),
        })
    }
    // ANCHOR_END: register

    /// Takes `socket` out of the poller, and wakes whoever waited on it (to
    /// find it gone). Call it with the socket this source was registered
    /// with, before closing it.
    pub(crate) fn deregister(&self, socket: &impl std::os::fd::AsFd) {
        // First of all, and whatever else is gone: the poller must not keep
        // a socket that is about to close.
        let _ = self.poller.delete(socket);
        let Some(shared) = self.scheduler.upgrade() else {
            return; // the scheduler is gone, and its books with it
        };
        let waiters = {
            let Ok(mut io) = shared.io.try_borrow_mut() else {
                return;
            };
            let Some(reactor) = io.as_mut() else {
                return;
            };
            let Some(registered) = reactor.sources.get_mut(self.key).and_then(Option::take) else {
                return;
            };
            reactor.free.push(self.key);
            reactor.live -= 1;
            shared.io_live.set(reactor.live);
            let waiters: Vec<Waiter> = [registered.reader, registered.writer]
                .into_iter()
                .flatten()
                .collect();
            reactor.waiting -= waiters.len();
            waiters
        };
        for waiter in waiters {
            waiter.wake();
        }
    }

    // ANCHOR: wait
    /// Waits, in a stackful task, until the socket is ready `interest`'s
    /// way: registers the task's waker, arms the socket in the poller, and
    /// parks. Readiness is a hint: the caller tries its operation again,
    /// and waits again on `WouldBlock`.
    ///
    /// # Errors
    ///
    /// [`SchedError::Cancelled`] if the task is cancelled meanwhile (its
    /// waiter is taken out first); [`SchedError::Io`] if another task
    /// already waits on this socket this way; those of `park` when called
    /// from the wrong place.
    #[track_caller]
    pub(crate) fn wait(
        &self,
        socket: &impl std::os::fd::AsFd,
        interest: Interest,
        operation: &'static str,
    ) -> Result<(), SchedError> {
        let waker = super::waker()?;
        self.arm(socket, interest, Waiter::Stackful(waker), operation)?;
        let parked = park(None);
        // Woken by the poller, the waiter is gone already; woken any other
        // way (a cancellation), it is taken out here.
        self.disarm(socket, interest);
        parked.map(drop).map_err(|error| named(error, operation))
    }
    // ANCHOR_END: wait

    /// The async twin of [`wait`](Self::wait), for a future's `poll`:
    /// registers `cx`'s waker for `interest` and arms the socket. The
    /// caller returns `Pending`, tries again when polled, and calls
    /// [`disarm`](Self::disarm) when it is dropped.
    ///
    /// # Errors
    ///
    /// As [`wait`](Self::wait), less the cancellation (an async task is
    /// cancelled by dropping its future).
    pub(crate) fn wait_async(
        &self,
        socket: &impl std::os::fd::AsFd,
        interest: Interest,
        cx: &Context<'_>,
        operation: &'static str,
    ) -> Result<(), SchedError> {
        self.arm(
            socket,
            interest,
            Waiter::Async(cx.waker().clone()),
            operation,
        )
    }

    /// Registers `waiter` for `interest`, and arms the poller for what the
    /// socket's waiters wait for now.
    fn arm(
        &self,
        socket: &impl std::os::fd::AsFd,
        interest: Interest,
        waiter: Waiter,
        operation: &'static str,
    ) -> Result<(), SchedError> {
        let shared = self
            .scheduler
            .upgrade()
            .ok_or(SchedError::NotInTask { operation })?;
        let task = current::task();
        let mut io = shared.io.borrow_mut();
        let reactor = io.as_mut().ok_or(SchedError::NotInTask { operation })?;
        let Some(registered) = reactor.sources.get_mut(self.key).and_then(Option::as_mut) else {
            return Err(SchedError::io(
                operation,
                &io::Error::new(io::ErrorKind::NotConnected, "the socket was closed"),
            ));
        };
        let slot = registered.waiter(interest);
        let mine = match (&waiter, slot.as_ref()) {
            (Waiter::Async(new), Some(Waiter::Async(old))) => new.will_wake(old),
            (_, None) => true,
            _ => false,
        };
        if !mine {
            return Err(SchedError::io(
                operation,
                &io::Error::new(
                    io::ErrorKind::ResourceBusy,
                    match interest {
                        Interest::Read => {
                            "another task is already waiting to read from this socket; a \
                             socket has one reader at a time: let one task read and hand \
                             what it reads to the others"
                        }
                        Interest::Write => {
                            "another task is already waiting to write to this socket; a \
                             socket has one writer at a time: let one task write and hand \
                             it what the others have to send"
                        }
                    },
                ),
            ));
        }
        if slot.replace(waiter).is_none() {
            reactor.waiting += 1;
        }
        let event = registered.event(self.key);
        let armed = reactor.poller.modify(socket, event);
        drop(io);
        armed.map_err(|error| SchedError::io(operation, &error))?;
        shared.record(task, || EventKind::IoWait {
            socket: self.key,
            interest,
        });
        Ok(())
    }

    /// Takes out the waiter for `interest`, if any, and arms the poller for
    /// what is left: when a wait ends some other way than by readiness (a
    /// cancellation, a future dropped).
    pub(crate) fn disarm(&self, socket: &impl std::os::fd::AsFd, interest: Interest) {
        let Some(shared) = self.scheduler.upgrade() else {
            return;
        };
        let Ok(mut io) = shared.io.try_borrow_mut() else {
            return;
        };
        let Some(reactor) = io.as_mut() else {
            return;
        };
        let Some(registered) = reactor.sources.get_mut(self.key).and_then(Option::as_mut) else {
            return;
        };
        if registered.waiter(interest).take().is_some() {
            reactor.waiting -= 1;
            let event = registered.event(self.key);
            let _ = reactor.poller.modify(socket, event);
        }
    }

    /// The key the poller knows this socket by (for the trace).
    #[allow(dead_code)] // for the trace of chapter 10's examples
    pub(crate) fn key(&self) -> usize {
        self.key
    }
}

/// Wakes `waiter`, whose socket `socket` is ready: the callback `poll_io`
/// queues for each ready socket.
fn wake_for_io(waiter: Waiter, socket: usize) {
    let shared = current::running_scheduler();
    let recorded = shared.as_ref().map_or(0, |shared| shared.trace_len());
    waiter.wake();
    if let Some(shared) = shared {
        shared.relabel_wakes(recorded, socket);
    }
}

/// `error`, from `park` inside a socket's wait, as the socket operation's
/// own: a read in a destructor during a panic says `read()`, not `park()`.
fn named(error: SchedError, operation: &'static str) -> SchedError {
    match error {
        SchedError::Unwinding { .. } => SchedError::Unwinding { operation },
        SchedError::NotOnTaskStack { task, .. } => SchedError::NotOnTaskStack { operation, task },
        other => other,
    }
}

impl super::Scheduler {
    /// How many times this scheduler has asked its poller which sockets are
    /// ready (chapter 10): once per iteration while a socket is registered,
    /// and never otherwise.
    pub fn io_polls(&self) -> u64 {
        self.shared
            .io
            .borrow()
            .as_ref()
            .map_or(0, |reactor| reactor.polls)
    }
}

impl Shared {
    /// Whether a socket is registered: the loop then asks the poller on
    /// every iteration.
    #[inline]
    pub(super) fn io_registered(&self) -> bool {
        self.io_live.get() > 0
    }

    /// How many sockets are registered with the poller, and how many tasks
    /// wait on one now.
    pub(super) fn io_counts(&self) -> (usize, usize) {
        self.io
            .borrow()
            .as_ref()
            .map_or((0, 0), |reactor| (reactor.live, reactor.waiting))
    }

    // ANCHOR: poll_io
    /// asyncio's `selector.select(timeout)` and `_process_events`: asks the
    /// OS which sockets are ready, waiting at most `timeout` (for ever if
    /// `None`), and puts a callback at the back of the ready queue for each
    /// task that waited on one, in the order the OS reported them; the
    /// callback wakes the task. A wake from another thread ends the wait
    /// early (the inbox notifies the poller).
    pub(super) fn poll_io(&self, timeout: Option<Duration>) -> Result<(), SchedError> {
        if timeout != Some(Duration::ZERO) {
            self.record(None, || EventKind::Idle {
                until: timeout.map_or(Duration::MAX, |timeout| self.now().saturating_add(timeout)),
            });
        }
        let woken = {
            let mut io = self.io.borrow_mut();
            let reactor = io.as_mut().expect("a socket is registered");
            reactor.polls += 1;
            reactor.events.clear();
            loop {
                match reactor.poller.wait(&mut reactor.events, timeout) {
                    Ok(_) => break,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                    Err(error) => return Err(SchedError::io("poll", &error)),
                }
            }
            let mut woken = Vec::new();
            let Reactor {
                sources,
                events,
                waiting,
                ..
            } = reactor;
            for event in events.iter() {
                let Some(registered) = sources.get_mut(event.key).and_then(Option::as_mut) else {
                    continue; // deregistered since
                };
                // The poller reports a socket once per arming, and the one
                // arming covered both ways: a waiter the other way is woken
                // too, tries its operation, meets `WouldBlock`, and waits
                // (arms) again. (An error or a hang-up is reported as
                // readable and writable: whoever waits meets it in their
                // operation.)
                woken.extend(registered.reader.take().map(|waiter| (event.key, waiter)));
                woken.extend(registered.writer.take().map(|waiter| (event.key, waiter)));
            }
            *waiting -= woken.len();
            woken
        };
        // asyncio's `_process_events`: each socket's handler goes to the
        // back of the ready queue, before the due timers; it wakes the
        // task, which runs in the next pass.
        for (socket, waiter) in woken {
            self.call_soon(Box::new(move || wake_for_io(waiter, socket)));
        }
        Ok(())
    }
    // ANCHOR_END: poll_io

    /// How many events the trace holds (0 when not tracing).
    fn trace_len(&self) -> usize {
        if !self.tracing.get() {
            return 0;
        }
        self.trace
            .borrow()
            .as_ref()
            .map_or(0, |trace| trace.events.len())
    }

    /// Says in the trace why the tasks woken since event `from` were woken:
    /// their waker records "woken by a callback", since no task runs while
    /// the loop polls; it was socket `socket`.
    fn relabel_wakes(&self, from: usize, socket: usize) {
        if !self.tracing.get() {
            return;
        }
        if let Some(trace) = self.trace.borrow_mut().as_mut() {
            for event in trace.events.iter_mut().skip(from) {
                if event.kind == EventKind::Woken(Cause::Waker(None)) {
                    event.kind = EventKind::Woken(Cause::Io(socket));
                }
            }
        }
    }

    /// Whether a task waits on a socket now: then an iteration with nothing
    /// ready and no timer waits in the poller, rather than calling it a
    /// deadlock.
    pub(super) fn io_waiting(&self) -> bool {
        self.io_counts().1 > 0
    }
}
