//! A coroutine that overflows its stack is named before the process ends.
//!
//! Every stack corosensei maps for us ends in a guard page: memory the OS
//! refuses to read or write. A body that recurses too deep (or puts a large
//! array on its stack) runs into the guard page, and the CPU raises a fault
//! the kernel turns into the signal `SIGSEGV`. Nothing can safely carry on
//! from there: the body was stopped halfway through a function, and its
//! stack has no room to unwind. Rust's standard library ends a *thread* that
//! overflows with a message naming it; without this module a generator or a
//! task would end the process with a bare "Segmentation fault".
//!
//! The core operations are:
//! - [`prepare`], called by every constructor of a stack (chapter 2's
//!   `Generator`, chapter 6's `Scheduler`), installs the signal handler
//!   (once per process) and makes sure the thread has an alternate signal
//!   stack for it to run on.
//! - [`register`]: a `Generator` (and so every task of chapters 4 and 5,
//!   which runs in one) records where its stack lies, and what to call it,
//!   in a list of this thread's stacks, for as long as it lives.
//!   [`Registration::name_task`] renames it after the task it runs.
//! - Chapter 6's tasks are not listed, since there may be tens of thousands:
//!   the scheduler already notes, for `suspend`, which task it is running
//!   and where that task's stack lies, and the handler reads that
//!   (`ch06_scheduler::running_task_stack`).
//! - `on_fault`, the handler, compares the faulting address with the guard
//!   page of the running chapter 6 task, then with those of the listed
//!   stacks. A hit prints the message below on stderr and aborts; a miss is
//!   not ours, and goes to whichever handler was installed before (Rust's
//!   own, which reports threads that overflow).
//!
//! ```text
//!   a coroutine's stack (high addresses at the top)
//!   ┌────────────────────────┐ base
//!   │ frames of the body     │
//!   │   ... deeper calls ▼   │
//!   ├────────────────────────┤
//!   │ guard page (no access) │ ◀── one call too deep touches this page
//!   └────────────────────────┘ limit
//!
//!   SIGSEGV ─▶ on_fault(address): the running chapter 6 task's guard page?
//!                │ no                     │ yes: "task 'NAME' has overflowed its stack of N KiB", abort
//!                ▼
//!              a listed stack's guard page?
//!                │ no                     │ yes: "generator created at FILE:LINE has overflowed ...",
//!                ▼                        │      or "task 'NAME' ..." for chapters 4 and 5; abort
//!              the handler installed before (Rust's own, for threads)
//! ```
//!
//! A signal handler may only do a little: it runs in the middle of whatever
//! the thread was doing, so it must not allocate or take a lock. This one
//! reads constant-initialised thread-locals (the list only if nobody is
//! changing it at that instant: `try_borrow`), formats into a buffer on its
//! own stack, and calls `write` and `abort`, which the POSIX standard lists
//! as safe in a handler. It runs on the thread's alternate signal stack,
//! since the faulting stack has no room left; Rust sets one up for every
//! thread it starts, and [`prepare`] adds one to a thread that has none.

use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};

thread_local! {
    /// Whether the handler is installed and this thread's alternate signal
    /// stack has been checked.
    static READY: Cell<bool> = const { Cell::new(false) };
    /// An alternate signal stack this module added, freed with the thread.
    static ALT_STACK: Cell<Option<AltStack>> = const { Cell::new(None) };
    /// Whether `STACKS` has been used on this thread: the handler reads it
    /// only then, so that its first use (which registers its destructor)
    /// never happens inside the handler.
    static LISTED: Cell<bool> = const { Cell::new(false) };
    /// The stacks of the generators alive on this thread.
    static STACKS: RefCell<Vec<Listed>> = const { RefCell::new(Vec::new()) };
}

/// What the overflow message calls the owner of a listed stack.
#[derive(Debug, Clone)]
pub(crate) enum Owner {
    /// A generator, by where it was created.
    Generator(&'static Location<'static>),
    /// A task of chapters 4 and 5, by its name.
    Task(Box<str>),
}

/// One listed stack.
#[derive(Debug)]
struct Listed {
    /// The lowest address: the guard page starts here.
    low: usize,
    /// One past the highest address.
    high: usize,
    /// Who owns it.
    owner: Owner,
}

/// A stack's place in this thread's list, for as long as its owner lives:
/// dropping it takes the stack off the list.
#[derive(Debug)]
pub(crate) struct Registration {
    /// The stack's lowest address, which tells it from every other live one.
    low: usize,
}

/// Lists the stack `low..high` under `owner`, until the registration is
/// dropped.
pub(crate) fn register(low: usize, high: usize, owner: Owner) -> Registration {
    prepare();
    LISTED.with(|listed| listed.set(true));
    STACKS.with(|stacks| stacks.borrow_mut().push(Listed { low, high, owner }));
    Registration { low }
}

impl Registration {
    /// From now on the stack is a task's, called `name` (chapters 4 and 5
    /// run their tasks in generators).
    pub(crate) fn name_task(&self, name: &str) {
        STACKS.with(|stacks| {
            if let Some(listed) = stacks.borrow_mut().iter_mut().find(|l| l.low == self.low) {
                listed.owner = Owner::Task(Box::from(name));
            }
        });
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // `try_with`: a generator dropped while the thread's locals are torn
        // down has nothing left to take itself off.
        let _ = STACKS.try_with(|stacks| {
            if let Ok(mut stacks) = stacks.try_borrow_mut()
                && let Some(at) = stacks.iter().rposition(|l| l.low == self.low)
            {
                stacks.swap_remove(at);
            }
        });
    }
}

/// The handlers that were installed before ours, for `SIGSEGV` and `SIGBUS`.
static PREVIOUS: OnceLock<[libc::sigaction; 2]> = OnceLock::new();
static INSTALL: Once = Once::new();

/// The signals a stack overflow can arrive as: Linux sends `SIGSEGV`, some
/// other systems `SIGBUS`.
const SIGNALS: [libc::c_int; 2] = [libc::SIGSEGV, libc::SIGBUS];

/// Installs the handler, once per process, and gives this thread an
/// alternate signal stack if it has none. Cheap after the first call on a
/// thread.
pub(crate) fn prepare() {
    if !READY.with(Cell::get) {
        INSTALL.call_once(install);
        ensure_alt_stack();
        READY.with(|ready| ready.set(true));
    }
}

/// The size of a page (and of corosensei's guard page), read once by
/// `install`.
static PAGE_SIZE: AtomicUsize = AtomicUsize::new(4096);

/// Installs `on_fault` for both signals, keeping the handlers it replaces.
fn install() {
    // SAFETY: sysconf only reads a system setting.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if let Ok(page) = usize::try_from(page) {
        PAGE_SIZE.store(page, Ordering::Relaxed);
    }
    let mut previous = [empty_action(), empty_action()];
    for (signal, old) in SIGNALS.into_iter().zip(previous.iter_mut()) {
        let mut action = empty_action();
        action.sa_sigaction = on_fault as *const () as usize;
        // SA_SIGINFO: the handler gets the faulting address. SA_ONSTACK: it
        // runs on the alternate stack, since the task's stack is full.
        action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        // SAFETY: `action` is fully initialised, its handler is an
        // `extern "C"` function of the three-argument shape SA_SIGINFO asks
        // for, and `old` is valid for the kernel to write into.
        let installed = unsafe {
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, old)
        };
        if installed != 0 {
            // The handler is a courtesy: without it an overflow is still
            // caught by the guard page, just reported less clearly.
            *old = empty_action();
        }
    }
    let _ = PREVIOUS.set(previous);
}

/// A `sigaction` with every field zero: no handler (`SIG_DFL`), no flags.
fn empty_action() -> libc::sigaction {
    // SAFETY: `sigaction` is a plain C struct for which all-zero bytes are a
    // valid value (the default action, an empty mask, no flags).
    unsafe { std::mem::zeroed() }
}

/// An alternate signal stack this module allocated.
#[derive(Debug)]
struct AltStack {
    memory: *mut libc::c_void,
    len: usize,
}

impl Drop for AltStack {
    fn drop(&mut self) {
        let disable = libc::stack_t {
            ss_sp: ptr::null_mut(),
            ss_flags: libc::SS_DISABLE,
            ss_size: 0,
        };
        // SAFETY: the thread stops using the alternate stack first, then the
        // memory, which `ensure_alt_stack` mapped with this length, is
        // returned. No signal handler runs on it after the first call.
        unsafe {
            libc::sigaltstack(&disable, ptr::null_mut());
            libc::munmap(self.memory, self.len);
        }
    }
}

/// Gives this thread an alternate signal stack if it has none, so that the
/// handler has somewhere to run when the task's stack is full.
fn ensure_alt_stack() {
    let mut current = libc::stack_t {
        ss_sp: ptr::null_mut(),
        ss_flags: 0,
        ss_size: 0,
    };
    // SAFETY: a null new stack only reads the current one into `current`.
    if unsafe { libc::sigaltstack(ptr::null(), &mut current) } != 0
        || current.ss_flags & libc::SS_DISABLE == 0
    {
        return; // one is set already (Rust sets one for its threads)
    }
    let len = 64 * 1024;
    // SAFETY: a fresh private anonymous mapping; no existing memory is
    // touched, and failure is checked below.
    let memory = unsafe {
        libc::mmap(
            ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if memory == libc::MAP_FAILED {
        return;
    }
    let stack = libc::stack_t {
        ss_sp: memory,
        ss_flags: 0,
        ss_size: len,
    };
    // SAFETY: `memory` is `len` writable bytes that stay mapped until the
    // thread ends, when `AltStack::drop` disables the stack before unmapping.
    if unsafe { libc::sigaltstack(&stack, ptr::null_mut()) } == 0 {
        ALT_STACK.with(|alt| alt.set(Some(AltStack { memory, len })));
    } else {
        // SAFETY: the mapping was never handed to the kernel as a stack.
        unsafe { libc::munmap(memory, len) };
    }
}

/// The signal handler. Only async-signal-safe work happens here.
extern "C" fn on_fault(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    // SAFETY: with SA_SIGINFO the kernel passes a valid `siginfo_t`, and
    // `si_addr` is the faulting address for SIGSEGV and SIGBUS.
    let address = unsafe { (*info).si_addr() } as usize;
    let guard_page = PAGE_SIZE.load(Ordering::Relaxed);
    // The running chapter 6 task first: its stack is not in the list.
    crate::ch06_scheduler::with_running_task_stack(|low, high, name| {
        if !(low..low + guard_page).contains(&address) {
            return;
        }
        let mut message = Buffer::default();
        message.push(b"\ntask '");
        message.push(name);
        message.push(b"' has overflowed its stack of ");
        message.push_number(high.saturating_sub(low + guard_page) / 1024);
        message.push(
            b" KiB.\nA task's stack cannot grow: give every task more with \
              Scheduler::with_stack_size, or make this task use less \
              (deep recursion, large local arrays). Aborting.\n",
        );
        message.write_and_abort();
    });
    // Then the listed stacks, if the list is not being changed right now
    // (the fault may have struck in the middle of a change).
    if LISTED.try_with(Cell::get).unwrap_or(false) {
        let _ = STACKS.try_with(|stacks| {
            let Ok(stacks) = stacks.try_borrow() else {
                return;
            };
            let Some(hit) = stacks
                .iter()
                .find(|listed| (listed.low..listed.low + guard_page).contains(&address))
            else {
                return;
            };
            let kib = hit.high.saturating_sub(hit.low + guard_page) / 1024;
            let mut message = Buffer::default();
            match &hit.owner {
                Owner::Generator(created) => {
                    message.push(b"\ngenerator created at ");
                    message.push(created.file().as_bytes());
                    message.push(b":");
                    message.push_number(created.line() as usize);
                    message.push(b":");
                    message.push_number(created.column() as usize);
                    message.push(b" has overflowed its stack of ");
                    message.push_number(kib);
                    message.push(
                        b" KiB.\nA generator's stack cannot grow: give it more with \
                          Generator::with_stack_size, or make its body use less \
                          (deep recursion, large local arrays). Aborting.\n",
                    );
                }
                Owner::Task(name) => {
                    message.push(b"\ntask '");
                    message.push(name.as_bytes());
                    message.push(b"' has overflowed its stack of ");
                    message.push_number(kib);
                    message.push(
                        b" KiB.\nA task's stack cannot grow: make this task use less \
                          (deep recursion, large local arrays). Aborting.\n",
                    );
                }
            }
            message.write_and_abort();
        });
    }
    pass_on(signal, info, context);
}

/// Hands a fault that is not an overflow of ours to the handler installed
/// before ours, or to the default action (which ends the process).
fn pass_on(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    let index = SIGNALS.iter().position(|&s| s == signal).unwrap_or(0);
    let previous = PREVIOUS.get().map_or_else(empty_action, |p| p[index]);
    let handler = previous.sa_sigaction;
    if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
        // Put the default back and return: the faulting instruction runs
        // again, faults again, and this time the process ends with the signal.
        let default = empty_action();
        // SAFETY: installs the all-zero (default) action for this signal.
        unsafe { libc::sigaction(signal, &default, ptr::null_mut()) };
    } else if previous.sa_flags & libc::SA_SIGINFO != 0 {
        // SAFETY: the previous handler was installed with SA_SIGINFO, so it
        // has this three-argument shape, and it gets our arguments unchanged.
        let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
            unsafe { std::mem::transmute(handler) };
        handler(signal, info, context);
    } else {
        // SAFETY: without SA_SIGINFO, a handler takes just the signal number.
        let handler: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(handler) };
        handler(signal);
    }
}

/// A fixed buffer for the message: nothing in a signal handler may allocate.
struct Buffer {
    bytes: [u8; 512],
    len: usize,
}

impl Default for Buffer {
    fn default() -> Self {
        Buffer {
            bytes: [0; 512],
            len: 0,
        }
    }
}

impl Buffer {
    /// Appends as much of `text` as fits.
    fn push(&mut self, text: &[u8]) {
        let room = self.bytes.len() - self.len;
        let take = text.len().min(room);
        self.bytes[self.len..self.len + take].copy_from_slice(&text[..take]);
        self.len += take;
    }

    /// Appends `n` in decimal.
    fn push_number(&mut self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.push(&digits[start..]);
    }

    /// Writes the message to stderr with one `write`, and ends the process.
    fn write_and_abort(&self) -> ! {
        // SAFETY: writes the initialised part of the buffer to stderr; then
        // abort, which is async-signal-safe and never returns.
        unsafe {
            libc::write(2, self.bytes.as_ptr().cast(), self.len);
            libc::abort()
        }
    }
}
