//! The `posix_spawn` family over [`sys_layer::process::spawn`]: the same
//! child machinery as `Command` (`clone(CLONE_VM | CLONE_VFORK)` on a
//! stack of its own, caught signals reset, `execve` errors reported to the
//! parent), so `posix_spawn` returns `ENOENT` for a missing program.
//!
//! std does not call these here: it spawns with `posix_spawnp` only under
//! glibc 2.24 or later (`gnu_get_libc_version`, which names no glibc
//! version here), and otherwise forks and execs. Crates that call them
//! through the `libc` crate get C's semantics: file actions in order,
//! `POSIX_SPAWN_SETPGROUP`, `SETSIGDEF`, `SETSIGMASK`, `RESETIDS`,
//! `SETSID`, `USEVFORK` (no effect: the child always shares memory);
//! `SETSCHEDPARAM` and `SETSCHEDULER` fail with `ENOSYS` (no scheduler
//! slots).

use crate::signal::{SigsetT, from_kernel, to_kernel};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ffi::{CStr, c_char, c_int, c_short, c_uint};
use sys_layer::Errno;
use sys_layer::fs::{Mode, OFlags};
use sys_layer::process::{ChildStep, Program, SpawnOptions};
use sys_layer::signal::SigSet;

/// `POSIX_SPAWN_RESETIDS`: effective IDs become the real ones.
const RESETIDS: c_short = 0x01;
/// `POSIX_SPAWN_SETPGROUP`: the attributes' process group.
const SETPGROUP: c_short = 0x02;
/// `POSIX_SPAWN_SETSIGDEF`: the attributes' signals to their defaults.
const SETSIGDEF: c_short = 0x04;
/// `POSIX_SPAWN_SETSIGMASK`: the attributes' signal mask.
const SETSIGMASK: c_short = 0x08;
/// `POSIX_SPAWN_SETSCHEDPARAM` (not supported).
const SETSCHEDPARAM: c_short = 0x10;
/// `POSIX_SPAWN_SETSCHEDULER` (not supported).
const SETSCHEDULER: c_short = 0x20;
/// `POSIX_SPAWN_USEVFORK` (glibc's; no effect).
const USEVFORK: c_short = 0x40;
/// `POSIX_SPAWN_SETSID` (glibc's): a new session.
const SETSID: c_short = 0x80;
/// Every flag `posix_spawnattr_setflags` takes.
const ALL_FLAGS: c_short =
    RESETIDS | SETPGROUP | SETSIGDEF | SETSIGMASK | SETSCHEDPARAM | SETSCHEDULER | USEVFORK | SETSID;

/// One file action, with its own copy of any path (the caller may free
/// its string after adding the action, as C allows).
enum Action {
    Open { fd: c_int, path: Box<CStr>, flags: c_int, mode: c_uint },
    Close(c_int),
    Dup { source: c_int, target: c_int },
    Chdir(Box<CStr>),
    Fchdir(c_int),
}

/// `posix_spawn_file_actions_t`: glibc's is 76 (i686) or 80 bytes; this
/// layout uses its first word, a list allocated on the first action.
#[repr(C)]
pub struct FileActions {
    list: *mut Vec<Action>,
}

/// `posix_spawnattr_t`: glibc's is 336 bytes or more; this layout uses
/// its first 24.
#[repr(C)]
pub struct SpawnAttr {
    flags: c_short,
    process_group: c_int,
    default_signals: u64,
    mask: u64,
}

impl SpawnAttr {
    /// What `posix_spawnattr_init` sets, and what a null `attr` means.
    const DEFAULT: SpawnAttr = SpawnAttr { flags: 0, process_group: 0, default_signals: 0, mask: 0 };
}

/// Whether `fd` can name a descriptor: below `RLIMIT_NOFILE`'s soft limit
/// (`getdtablesize`), else an action is refused with `EBADF`, as C's are.
fn valid_fd(fd: c_int) -> bool {
    let limit = sys_layer::process::getrlimit(linux_raw_sys::general::RLIMIT_NOFILE);
    fd >= 0 && limit.is_ok_and(|(soft, _)| (fd as u64) < soft)
}

/// Appends `action`: 0, or `EBADF` for a bad descriptor number.
///
/// # Safety
/// `actions` was initialised with `posix_spawn_file_actions_init`.
unsafe fn add(actions: *mut FileActions, action: Action, fds: &[c_int]) -> c_int {
    if !fds.iter().all(|&fd| valid_fd(fd)) {
        return Errno::EBADF.raw();
    }
    // SAFETY: as the caller vouches.
    let actions = unsafe { &mut *actions };
    if actions.list.is_null() {
        actions.list = Box::into_raw(Box::new(Vec::new()));
    }
    // SAFETY: the list is ours (allocated above or by an earlier add).
    unsafe { (*actions.list).push(action) };
    0
}

/// Copies a C string for an action.
///
/// # Safety
/// `path` is a C string.
unsafe fn own(path: *const c_char) -> Box<CStr> {
    // SAFETY: as the caller vouches.
    Box::from(unsafe { CStr::from_ptr(path) })
}

/// `posix_spawn_file_actions_init(3)`: an empty list.
///
/// # Safety
/// `actions` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_init(actions: *mut FileActions) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { actions.write(FileActions { list: core::ptr::null_mut() }) };
    0
}

/// `posix_spawn_file_actions_destroy(3)`: frees the list.
///
/// # Safety
/// `actions` was initialised and is not used again (but to init it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_destroy(actions: *mut FileActions) -> c_int {
    // SAFETY: as the caller vouches.
    let actions = unsafe { &mut *actions };
    if !actions.list.is_null() {
        // SAFETY: allocated by add, freed once (the pointer is cleared).
        drop(unsafe { Box::from_raw(actions.list) });
        actions.list = core::ptr::null_mut();
    }
    0
}

/// `posix_spawn_file_actions_addopen(3)`.
///
/// # Safety
/// `actions` initialised; `path` a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_addopen(
    actions: *mut FileActions,
    fd: c_int,
    path: *const c_char,
    flags: c_int,
    mode: c_uint,
) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { add(actions, Action::Open { fd, path: own(path), flags, mode }, &[fd]) }
}

/// `posix_spawn_file_actions_addclose(3)`.
///
/// # Safety
/// `actions` initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_addclose(actions: *mut FileActions, fd: c_int) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { add(actions, Action::Close(fd), &[fd]) }
}

/// `posix_spawn_file_actions_adddup2(3)`: `target` becomes a copy of
/// `source`; the same number clears its close-on-exec flag (POSIX.1-2024).
///
/// # Safety
/// `actions` initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_adddup2(
    actions: *mut FileActions,
    source: c_int,
    target: c_int,
) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { add(actions, Action::Dup { source, target }, &[source, target]) }
}

/// `posix_spawn_file_actions_addchdir(3)` (POSIX.1-2024).
///
/// # Safety
/// `actions` initialised; `path` a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_addchdir(actions: *mut FileActions, path: *const c_char) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { add(actions, Action::Chdir(own(path)), &[]) }
}

/// `posix_spawn_file_actions_addchdir_np(3)`: glibc's name of
/// [`posix_spawn_file_actions_addchdir`].
///
/// # Safety
/// As [`posix_spawn_file_actions_addchdir`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_addchdir_np(actions: *mut FileActions, path: *const c_char) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { posix_spawn_file_actions_addchdir(actions, path) }
}

/// `posix_spawn_file_actions_addfchdir_np(3)`.
///
/// # Safety
/// `actions` initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn_file_actions_addfchdir_np(actions: *mut FileActions, fd: c_int) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { add(actions, Action::Fchdir(fd), &[fd]) }
}

/// `posix_spawnattr_init(3)`: no flags, group 0, empty sets.
///
/// # Safety
/// `attr` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnattr_init(attr: *mut SpawnAttr) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { attr.write(SpawnAttr::DEFAULT) };
    0
}

/// `posix_spawnattr_destroy(3)`: nothing to free.
#[unsafe(no_mangle)]
pub extern "C" fn posix_spawnattr_destroy(_attr: *mut SpawnAttr) -> c_int {
    0
}

/// Defines a setter and a getter of one attribute.
macro_rules! attribute {
    ($($(#[$doc:meta])* $set:ident, $get:ident: $c:ty, $field:ident, $to:expr, $from:expr;)*) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        /// `attr` initialised; a pointer argument valid for its type.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $set(attr: *mut SpawnAttr, value: $c) -> c_int {
            let to: fn($c) -> Result<_, Errno> = $to;
            match to(value) {
                // SAFETY: as the caller vouches.
                Ok(v) => unsafe { (*attr).$field = v; 0 },
                Err(e) => e.raw(),
            }
        }

        $(#[$doc])*
        ///
        /// # Safety
        /// `attr` initialised; `out` writable.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $get(attr: *const SpawnAttr, out: *mut <$c as Target>::Out) -> c_int {
            let from: fn(&SpawnAttr, *mut <$c as Target>::Out) = $from;
            // SAFETY: as the caller vouches.
            from(unsafe { &*attr }, out);
            0
        }
    )*};
}

/// What a getter writes for a setter's argument type.
pub trait Target {
    /// The pointee of the getter's out pointer.
    type Out;
}
impl Target for c_short {
    type Out = c_short;
}
impl Target for c_int {
    type Out = c_int;
}
impl Target for *const SigsetT {
    type Out = SigsetT;
}

/// A signal set argument as the kernel's 64 bits.
fn read_set(set: *const SigsetT) -> Result<u64, Errno> {
    // SAFETY: the caller of the setter vouches for the set.
    Ok(to_kernel(unsafe { &*set }).bits())
}

/// Writes the kernel's 64 bits as a C set.
fn write_set(bits: u64, out: *mut SigsetT) {
    // SAFETY: the caller of the getter vouches for out.
    unsafe { out.write(from_kernel(&SigSet::from_bits(bits))) };
}

attribute! {
    /// `posix_spawnattr_setflags(3)` / `getflags`: `EINVAL` for unknown flags.
    posix_spawnattr_setflags, posix_spawnattr_getflags: c_short, flags,
        |f| if f & !ALL_FLAGS == 0 { Ok(f) } else { Err(Errno::EINVAL) },
        // SAFETY: the caller of the getter vouches for out.
        |a, out| unsafe { out.write(a.flags) };
    /// `posix_spawnattr_setpgroup(3)` / `getpgroup`.
    posix_spawnattr_setpgroup, posix_spawnattr_getpgroup: c_int, process_group,
        Ok,
        // SAFETY: the caller of the getter vouches for out.
        |a, out| unsafe { out.write(a.process_group) };
    /// `posix_spawnattr_setsigdefault(3)` / `getsigdefault`.
    posix_spawnattr_setsigdefault, posix_spawnattr_getsigdefault: *const SigsetT, default_signals,
        read_set, |a, out| write_set(a.default_signals, out);
    /// `posix_spawnattr_setsigmask(3)` / `getsigmask`.
    posix_spawnattr_setsigmask, posix_spawnattr_getsigmask: *const SigsetT, mask,
        read_set, |a, out| write_set(a.mask, out);
}

/// The work of the four spawn functions: the error number, or 0 with the
/// child's ID (and, for a pidfd, the descriptor) in `*pid`.
///
/// # Safety
/// As [`posix_spawn`].
unsafe fn spawn_c(
    pid: *mut c_int,
    program: Program<'_>,
    actions: *const FileActions,
    attr: *const SpawnAttr,
    argv: *const *const c_char,
    envp: *const *const c_char,
    want_pidfd: bool,
) -> c_int {
    // SAFETY: as the caller vouches (null: no actions, no attributes).
    let list = unsafe { actions.as_ref() }.map_or(core::ptr::null_mut(), |a| a.list);
    // SAFETY: an initialised list is null or the one `add` allocated.
    let actions: &[Action] = unsafe { list.as_ref() }.map_or(&[], |l| l.as_slice());
    // SAFETY: as above.
    let attr = unsafe { attr.as_ref() }.unwrap_or(&SpawnAttr::DEFAULT);
    if attr.flags & (SETSCHEDPARAM | SETSCHEDULER) != 0 {
        return Errno::ENOSYS.raw();
    }
    let steps: Vec<ChildStep<'_>> = actions
        .iter()
        .map(|a| match a {
            Action::Open { fd, path, flags, mode } => ChildStep::Open {
                fd: *fd,
                path,
                flags: OFlags::from_bits_retain(*flags as u32),
                mode: Mode::from_bits_retain(*mode),
            },
            Action::Close(fd) => ChildStep::Close(*fd),
            Action::Dup { source, target } => ChildStep::Dup { source: *source, target: *target },
            Action::Chdir(path) => ChildStep::Chdir(path),
            Action::Fchdir(fd) => ChildStep::Fchdir(*fd),
        })
        .collect();
    let flag = |f: c_short| attr.flags & f != 0;
    let options = SpawnOptions {
        steps: &steps,
        default_signals: SigSet::from_bits(if flag(SETSIGDEF) { attr.default_signals } else { 0 }),
        mask: flag(SETSIGMASK).then(|| SigSet::from_bits(attr.mask)),
        process_group: flag(SETPGROUP).then_some(attr.process_group),
        new_session: flag(SETSID),
        reset_effective_ids: flag(RESETIDS),
    };
    // SAFETY: as the caller vouches for argv and envp.
    let child = match unsafe { sys_layer::process::spawn(program, argv, envp, &options) } {
        Ok(child) => child,
        Err(e) => return e.raw(),
    };
    let value = if want_pidfd {
        match sys_layer::process::pidfd_open(child) {
            Ok(fd) => fd.into_raw_fd(),
            Err(e) => {
                // No descriptor to give: the child must not outlive the
                // call unseen.
                let _ = sys_layer::signal::kill(child, linux_raw_sys::general::SIGKILL);
                let _ = sys_layer::process::wait_pid(child, false);
                return e.raw();
            }
        }
    } else {
        child
    };
    if !pid.is_null() {
        // SAFETY: as the caller vouches.
        unsafe { pid.write(value) };
    }
    0
}

/// `posix_spawn(3)`: runs `path` as given (no search); 0 and the child's
/// ID in `*pid` (if not null), or the error number (`ENOENT`, `EACCES`,
/// a file action's error...).
///
/// # Safety
/// `path` a C string; `actions` and `attr` null or initialised; `argv` and
/// `envp` null-terminated arrays of C strings; `pid` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn(
    pid: *mut c_int,
    path: *const c_char,
    actions: *const FileActions,
    attr: *const SpawnAttr,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    // SAFETY: as the caller vouches.
    let program = Program::Path(unsafe { CStr::from_ptr(path) });
    // SAFETY: as the caller vouches.
    unsafe { spawn_c(pid, program, actions, attr, argv, envp, false) }
}

/// The program of a `p` function: `file` looked up in this process's
/// `PATH` (not the child's environment), as glibc's.
///
/// # Safety
/// `file` is a C string.
unsafe fn searched<'a>(file: *const c_char) -> Program<'a> {
    // SAFETY: as the caller vouches.
    let name = unsafe { CStr::from_ptr(file) };
    Program::Search { name, search: sys_layer::env::var(b"PATH").map(CStr::to_bytes) }
}

/// `posix_spawnp(3)`: as [`posix_spawn`], with `file` looked up in `PATH`
/// unless it has a `/`.
///
/// # Safety
/// As [`posix_spawn`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnp(
    pid: *mut c_int,
    file: *const c_char,
    actions: *const FileActions,
    attr: *const SpawnAttr,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { spawn_c(pid, searched(file), actions, attr, argv, envp, false) }
}

/// `pidfd_spawnp(3)`: as [`posix_spawnp`], with a pidfd for the child in
/// `*pidfd` (`pidfd_open` after the start, Linux 5.3: below it, the child
/// is killed and reaped and the call returns `ENOSYS`).
///
/// # Safety
/// As [`posix_spawn`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pidfd_spawnp(
    pidfd: *mut c_int,
    file: *const c_char,
    actions: *const FileActions,
    attr: *const SpawnAttr,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { spawn_c(pidfd, searched(file), actions, attr, argv, envp, true) }
}
