//! guest-init: the `/init` of the guests ci/real-kernels.sh boots. Mounts
//! `/proc`, `/sys`, `/dev` (devtmpfs) and a tmpfs on `/tmp`; has busybox
//! install its applets in `/bin` (the suite's programs run `sh`, `cat`, `id`
//! ...) and load the kernel modules named in `modules=` (comma separated,
//! from the kernel's command line: virtio-net and 9p; there is no
//! `finit_module` slot); brings up the loopback and `eth0` with qemu's user
//! network address; mounts the host's workspace over 9p at `share=`; runs
//! `guest-agent`, reaps every orphan meanwhile, and powers the machine off
//! when the agent exits.
//!
//! It reports each step on the console; a step that fails is reported and
//! the rest still run (the host then sees what is missing), except that
//! without the agent there is nothing to wait for.
#![no_std]
#![no_main]

extern crate alloc;

use core::ffi::{CStr, c_int};
use linux_raw_sys::general as g;
use sys_layer::fd::{AsFd, AsRawFd};
use sys_layer::fs::{self, Mode};
use sys_layer::net::Socket;
use sys_layer::path::CPath;
use sys_layer::process::{self, Command};
use sys_layer::{Errno, eprintln, raw};

sys_layer::main!(main);

/// The guest's address on qemu's user network (its first DHCP address,
/// where `hostfwd` forwards to when no guest address is given) and the
/// network's mask.
const ADDRESS: [u8; 4] = [10, 0, 2, 15];
const NETMASK: [u8; 4] = [255, 255, 255, 0];

/// The share's mount options: 9P2000.L over virtio, as root, 512 KiB messages.
const SHARE_OPTIONS: &CStr = c"trans=virtio,version=9p2000.L,msize=512000,access=any";

fn main(_: sys_layer::env::Args, _: sys_layer::env::Vars) -> i32 {
    for (source, target, fstype) in [
        (c"proc", c"/proc", c"proc"),
        (c"sys", c"/sys", c"sysfs"),
        (c"dev", c"/dev", c"devtmpfs"),
        (c"tmp", c"/tmp", c"tmpfs"),
    ] {
        report(&alloc::format!("mount {}", target.to_string_lossy()), mount(source, target, fstype, None));
    }
    report("busybox --install", run(Command::new("/bin/busybox").args(["--install", "-s", "/bin"])));
    if let Some(modules) = sys_layer::env::var(b"modules") {
        let mut modprobe = Command::new("/bin/busybox");
        modprobe.args(["modprobe", "-a"]);
        modprobe.args(modules.to_bytes().split(|&b| b == b',').filter(|m| !m.is_empty()));
        report("modprobe", run(&mut modprobe));
    }
    report("lo up", interface_up(c"lo", None));
    report("eth0 up", interface_up(c"eth0", Some((ADDRESS, NETMASK))));
    if let Some(share) = sys_layer::env::var(b"share") {
        // The host's workspace, under the same path (the tests' paths are the host's).
        let mounted = make_dirs(share.to_bytes()).and_then(|()| mount(c"share", share, c"9p", Some(SHARE_OPTIONS)));
        report("mount the share", mounted);
    }
    eprintln!("init: starting guest-agent");
    let agent = match Command::new("/bin/guest-agent").spawn() {
        Ok(child) => child.id(),
        Err(e) => {
            eprintln!("init: cannot start guest-agent: {e:?}");
            power_off()
        }
    };
    // Pid 1 inherits every orphan: reap them all until the agent ends.
    loop {
        let mut status = 0;
        let mut e = 0;
        // SAFETY: status and e are writable locals; no rusage.
        let pid = unsafe { raw::wait4(-1, &mut status, 0, core::ptr::null_mut(), &mut e) };
        if pid == agent as isize {
            eprintln!("init: guest-agent ended ({})", process::ExitStatus::from_raw(status));
            break;
        }
        if pid < 0 && Errno::from_raw(e) != Errno::EINTR {
            eprintln!("init: wait: {:?}", Errno::from_raw(e));
            break;
        }
    }
    power_off()
}

fn report(step: &str, result: Result<(), Errno>) {
    if let Err(e) = result {
        eprintln!("init: {step} failed: {e:?}");
    }
}

/// A slot call's result: its return value, or the errno it stored.
fn slot_result(r: isize, e: c_int) -> Result<(), Errno> {
    if r < 0 { Err(Errno::from_raw(e)) } else { Ok(()) }
}

fn mount(source: &CStr, target: &CStr, fstype: &CStr, options: Option<&CStr>) -> Result<(), Errno> {
    let data = options.map_or(core::ptr::null(), |o| o.as_ptr().cast());
    let mut e = 0;
    // SAFETY: NUL-terminated strings; data null or a C string, as the
    // filesystems mounted here read it.
    let r = unsafe { raw::mount(source.as_ptr(), target.as_ptr(), fstype.as_ptr(), 0, data, &mut e) };
    slot_result(r, e)
}

/// Runs a command to its end: an error unless it exits 0.
fn run(cmd: &mut Command) -> Result<(), Errno> {
    match cmd.status()? {
        s if s.success() => Ok(()),
        s => {
            eprintln!("init: {s}");
            Err(Errno::EIO)
        }
    }
}

/// `mkdir -p`: every directory of `path` that is missing.
fn make_dirs(path: &[u8]) -> Result<(), Errno> {
    let ends = path.iter().enumerate().filter(|&(i, &b)| b == b'/' && i > 0).map(|(i, _)| i);
    for end in ends.chain([path.len()]) {
        match fs::mkdir(CPath::new(&path[..end])?.as_c_str(), Mode::from_bits_truncate(0o755)) {
            Ok(()) | Err(Errno::EEXIST) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `struct ifreq`: an interface name and, here, an address or the flags.
/// 40 bytes, the size on 64-bit targets (32-bit kernels read 32).
#[repr(C)]
struct IfReq {
    name: [u8; 16],
    data: [u8; 24],
}

impl IfReq {
    fn new(name: &CStr) -> IfReq {
        let mut req = IfReq { name: [0; 16], data: [0; 24] };
        let bytes = name.to_bytes();
        req.name[..bytes.len()].copy_from_slice(bytes);
        req
    }

    /// An IPv4 `sockaddr_in` in the data, as `SIOCSIFADDR` reads it.
    fn with_address(name: &CStr, address: [u8; 4]) -> IfReq {
        let mut req = IfReq::new(name);
        req.data[..2].copy_from_slice(&(linux_raw_sys::net::AF_INET as u16).to_ne_bytes());
        req.data[4..8].copy_from_slice(&address);
        req
    }
}

/// `ioctl(fd, request, req)` on a socket.
fn interface_ioctl(socket: &Socket, request: u32, req: &mut IfReq) -> Result<(), Errno> {
    let mut e = 0;
    // SAFETY: req is a writable ifreq of the size the kernel reads.
    let r = unsafe {
        raw::ioctl(socket.as_fd().as_raw_fd(), request as core::ffi::c_ulong, (req as *mut IfReq).cast(), &mut e)
    };
    slot_result(r, e)
}

/// Sets an interface's IPv4 address and mask, if given, and brings it up
/// (as `ip addr add`, `ip link set up`).
fn interface_up(name: &CStr, address: Option<([u8; 4], [u8; 4])>) -> Result<(), Errno> {
    use linux_raw_sys::ioctl as io;
    let socket = Socket::new(linux_raw_sys::net::AF_INET, linux_raw_sys::net::SOCK_DGRAM, 0)?;
    if let Some((address, mask)) = address {
        interface_ioctl(&socket, io::SIOCSIFADDR, &mut IfReq::with_address(name, address))?;
        interface_ioctl(&socket, io::SIOCSIFNETMASK, &mut IfReq::with_address(name, mask))?;
    }
    let mut req = IfReq::new(name);
    interface_ioctl(&socket, io::SIOCGIFFLAGS, &mut req)?;
    // ifr_flags: a short at the start of the data.
    let flags = i16::from_ne_bytes([req.data[0], req.data[1]]) | linux_raw_sys::net::net_device_flags::IFF_UP as i16;
    req.data[..2].copy_from_slice(&flags.to_ne_bytes());
    interface_ioctl(&socket, io::SIOCSIFFLAGS, &mut req)
}

/// Powers the machine off (an init must not exit: the kernel would panic).
fn power_off() -> ! {
    eprintln!("init: powering off");
    let mut e = 0;
    // SAFETY: the magic numbers and a command that takes no argument.
    unsafe {
        raw::reboot(
            g::LINUX_REBOOT_MAGIC1 as c_int,
            g::LINUX_REBOOT_MAGIC2 as c_int,
            g::LINUX_REBOOT_CMD_POWER_OFF,
            core::ptr::null_mut(),
            &mut e,
        )
    };
    eprintln!("init: power off failed: {:?}", Errno::from_raw(e));
    loop {
        let _ = sys_layer::time::sleep(sys_layer::time::Timespec { sec: 3600, nsec: 0 });
    }
}
