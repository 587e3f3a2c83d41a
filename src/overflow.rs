//! A task that overflows its stack is named before the process ends.
//!
//! Every task's stack ends in a guard page: memory the OS refuses to read or
//! write. A task that recurses too deep (or puts a large array on its stack)
//! runs into the guard page, and the CPU raises a fault the kernel turns into
//! the signal `SIGSEGV`. Nothing can safely carry on from there: the task was
//! stopped halfway through a function, and its stack has no room to unwind.
//! Rust's standard library ends a *thread* that overflows with a message
//! naming it; without this module a *task* would end the process with a bare
//! "Segmentation fault".
//!
//! The core operations are:
//! - [`prepare`], called by `Scheduler::new`, installs the signal handler
//!   (once per process) and makes sure the thread has an alternate signal
//!   stack for it to run on.
//! - The scheduler already notes, for `suspend`, which task it is running
//!   and where that task's stack lies (`CURRENT`); it also notes the task's
//!   name there. So the handler needs nothing more on each switch.
//! - `on_fault`, the handler, compares the faulting address with the guard
//!   page of the running task's stack. A hit prints the message below on
//!   stderr and aborts; a miss is not ours, and goes to whichever handler
//!   was installed before (Rust's own, which reports threads that overflow).
//!
//! ```text
//!   a task's stack (high addresses at the top)
//!   ┌────────────────────────┐ base
//!   │ frames of the task     │
//!   │   ... deeper calls ▼   │
//!   ├────────────────────────┤
//!   │ guard page (no access) │ ◀── one call too deep touches this page
//!   └────────────────────────┘ limit
//!
//!   SIGSEGV ─▶ on_fault(address): inside the running task's guard page?
//!                │ yes                                  │ no
//!                ▼                                      ▼
//!   "task 'NAME' has overflowed its       the handler installed before
//!    stack of N KiB", then abort           (Rust's own, for threads)
//! ```
//!
//! A signal handler may only do a little: it runs in the middle of whatever
//! the thread was doing, so it must not allocate or take a lock. This one
//! reads a `Copy` value from a constant-initialised thread-local, formats
//! into a buffer on its own stack, and calls `write` and `abort`, which the
//! POSIX standard lists as safe in a handler. It runs on the thread's
//! alternate signal stack, since the faulting stack has no room left; Rust
//! sets one up for every thread it starts, and [`prepare`] adds one to a
//! thread that has none.

use std::cell::Cell;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};

use super::current::{CURRENT, TaskContext};

thread_local! {
    /// Whether the handler is installed and this thread's alternate signal
    /// stack has been checked.
    static READY: Cell<bool> = const { Cell::new(false) };
    /// An alternate signal stack this module added, freed with the thread.
    static ALT_STACK: Cell<Option<AltStack>> = const { Cell::new(None) };
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
pub(super) fn prepare() {
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
    // `try_with`: a fault while the thread's locals are being torn down is
    // not a task's, and must not panic here. `CURRENT` is a `Copy` value in
    // a constant-initialised thread-local: reading it runs no code.
    let current = CURRENT.try_with(Cell::get).ok();
    if let Some(current) = current
        && current.task().is_some()
        && !current.context.is_null()
    {
        // SAFETY: a task's context is in `CURRENT` only while that task is
        // being stepped and its body has not returned (see `current.rs`:
        // the body withdraws it as it ends): it sits in the task's bottom
        // frame, far from the guard page at the other end of the stack, so
        // it is intact whatever the fault was.
        let context = unsafe { &*current.context };
        // corosensei's limit, the stack's lowest address, is the guard page.
        let guard = context.stack_low..context.stack_low + PAGE_SIZE.load(Ordering::Relaxed);
        if guard.contains(&address) {
            report(context, guard.end);
            // SAFETY: abort is async-signal-safe and never returns.
            unsafe { libc::abort() };
        }
    }
    pass_on(signal, info, context);
}

/// Prints the overflow message on stderr with one `write`, formatting into a
/// buffer on the signal stack (no allocation).
fn report(current: &TaskContext, usable_low: usize) {
    let mut message = Buffer::default();
    message.push(b"\ntask '");
    // SAFETY: `current.name` points into the name in the running task's
    // shared half, which its table entry keeps alive until the task ends,
    // after its last step; the fault happened during a step.
    message.push(unsafe { &*current.name }.as_bytes());
    message.push(b"' has overflowed its stack of ");
    message.push_number(current.stack_high.saturating_sub(usable_low) / 1024);
    message.push(
        b" KiB.\nA task's stack cannot grow: give every task more with \
          Scheduler::with_stack_size, or make this task use less \
          (deep recursion, large local arrays). Aborting.\n",
    );
    // SAFETY: writes the initialised part of the buffer to stderr.
    unsafe { libc::write(2, message.bytes.as_ptr().cast(), message.len) };
}

/// Hands a fault that is not a task's overflow to the handler installed
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
}
