//! The errno-pointer convention end to end: the safe API returns the error
//! without touching the thread's errno, the C-style API sets it, the raw API
//! writes only through the pointer it is given.
#![no_std]
#![no_main]

use sys_layer::fd::{AsRawFd, BorrowedFd, OwnedFd};
use sys_layer::{Errno, c, env, fs, io};
use sys_layer_tests::Checks;

sys_layer::main!(main);

const SENTINEL: i32 = 4242;

fn main(_: env::Args, _: env::Vars) -> i32 {
    let mut t = Checks::default();

    // A descriptor opened and closed, so it is certainly closed now.
    let fd = fs::open(c"/dev/null", fs::RDONLY, fs::Mode::empty()).expect("open /dev/null");
    let raw = fd.into_raw_fd();
    // SAFETY: raw was just opened and is owned by nobody else.
    let owned = unsafe { OwnedFd::from_raw_fd(raw) };
    t.eq("close ok", owned.close(), Ok(()));

    c::set_errno(SENTINEL);
    // SAFETY: raw is closed; the kernel answers EBADF.
    let closed = unsafe { BorrowedFd::borrow_raw(raw) };
    let mut buf = [0u8; 4];
    t.eq("safe read on closed fd", io::read(closed, &mut buf), Err(Errno::EBADF));
    t.eq("safe write on closed fd", io::write(closed, b"x"), Err(Errno::EBADF));
    t.eq("thread errno untouched by the safe API", c::errno(), SENTINEL);

    // SAFETY: a closed descriptor; only errno is written.
    let r = unsafe { c::close(raw) };
    t.eq("c::close returns -1", r, -1);
    t.eq("c::close sets thread errno", c::errno(), Errno::EBADF.raw());

    c::set_errno(SENTINEL);
    let mut local = 0;
    // SAFETY: buf is writable; local receives the error.
    let r = unsafe { sys_layer::raw::read(raw, buf.as_mut_ptr().cast(), buf.len(), &mut local) };
    t.eq("raw read returns -1", r, -1);
    t.eq("raw read writes through its pointer", local, Errno::EBADF.raw());
    t.eq("raw read leaves thread errno alone", c::errno(), SENTINEL);

    t.eq("missing file", fs::open(c"/nonexistent/sys-layer", fs::RDONLY, fs::Mode::empty()).err(), Some(Errno::ENOENT));
    let zero_fd = fs::open(c"/dev/zero", fs::RDONLY, fs::Mode::empty()).expect("open /dev/zero");
    let mut e = 0;
    // SAFETY: address 8 is never mapped; the kernel answers EFAULT.
    let r = unsafe { sys_layer::raw::read(zero_fd.as_raw_fd(), 8 as *mut _, 1, &mut e) };
    t.eq("bad pointer gives EFAULT", (r, e), (-1, Errno::EFAULT.raw()));
    t.finish()
}
