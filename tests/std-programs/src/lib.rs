//! Tests run by std's test harness on sys-layer (built with the `unwind`
//! feature and `panic = "unwind"`, ci/build-programs.sh): one of them
//! fails on purpose, so the harness's report is seen whole.

/// The sum of two numbers.
pub fn add(a: u32, b: u32) -> u32 {
    a + b
}

#[cfg(test)]
mod tests {
    #[test]
    fn adds() {
        assert_eq!(super::add(2, 2), 4);
    }

    #[test]
    fn fails_on_purpose() {
        assert_eq!(super::add(2, 2), 5, "on purpose");
    }

    #[test]
    #[should_panic(expected = "boom")]
    fn should_panic() {
        panic!("boom");
    }

    #[test]
    fn output_is_captured() {
        println!("captured output");
    }

    #[test]
    fn float_math() {
        // Calls of the C math functions (sys-layer-c-abi's `math.rs`): the
        // compiler emits `exp2f`, `fmod`, `pow`, `sin`, `fma`, ... here.
        use std::hint::black_box;
        let x = black_box(2.5f64);
        assert_eq!(black_box(3.0f32).exp2(), 8.0);
        assert_eq!(x % 1.0, 0.5);
        assert_eq!(x.powf(2.0), 6.25);
        assert_eq!(x.mul_add(2.0, 1.0), 6.0);
        assert_eq!(x.floor() + x.ceil() + x.round() + x.trunc(), 2.0 + 3.0 + 3.0 + 2.0);
        assert!((x.sin() - 0.598_472_144_103_956_5).abs() < 1e-15);
        assert!((x.ln() - 0.916_290_731_874_155).abs() < 1e-15);
        assert!((black_box(27.0f64).cbrt() - 3.0).abs() < 1e-15);
        assert!((black_box(3.0f32).hypot(4.0) - 5.0).abs() < 1e-6);
    }

    #[test]
    fn open_without_64() {
        // The `libc` crate's `open` (getrandom and others call it), beside
        // std's `open64`.
        use std::ffi::{c_char, c_int};
        unsafe extern "C" {
            fn open(path: *const c_char, flags: c_int, ...) -> c_int;
            fn close(fd: c_int) -> c_int;
        }
        // SAFETY: C strings; the descriptor is closed once.
        unsafe {
            let fd = open(c".".as_ptr(), 0 /* O_RDONLY */);
            assert!(fd >= 0, "{}", std::io::Error::last_os_error());
            assert_eq!(close(fd), 0);
            assert_eq!(open(c"/nonexistent/file".as_ptr(), 0), -1);
        }
        assert_eq!(std::io::Error::last_os_error().raw_os_error(), Some(2), "ENOENT");
    }

    #[test]
    fn pthread_mutex_and_atfork() {
        // Called by crates through the `libc` crate (getrandom 0.2, rand
        // 0.8), not by std.
        use std::ffi::{c_int, c_void};
        use std::sync::atomic::{AtomicU32, Ordering};
        unsafe extern "C" {
            fn pthread_mutex_lock(m: *mut c_void) -> c_int;
            fn pthread_mutex_trylock(m: *mut c_void) -> c_int;
            fn pthread_mutex_unlock(m: *mut c_void) -> c_int;
            fn pthread_atfork(
                prepare: Option<extern "C" fn()>,
                parent: Option<extern "C" fn()>,
                child: Option<extern "C" fn()>,
            ) -> c_int;
        }
        // PTHREAD_MUTEX_INITIALIZER: all zeros, as large as any target's.
        let mut mutex = [0u64; 6];
        let m = mutex.as_mut_ptr().cast::<c_void>();
        // SAFETY: a zeroed pthread_mutex_t, locked and unlocked by this thread.
        unsafe {
            assert_eq!(pthread_mutex_lock(m), 0);
            assert_eq!(pthread_mutex_trylock(m), 16, "EBUSY");
            assert_eq!(pthread_mutex_unlock(m), 0);
            assert_eq!(pthread_mutex_trylock(m), 0);
            assert_eq!(pthread_mutex_unlock(m), 0);
        }
        static PREPARED: AtomicU32 = AtomicU32::new(0);
        static IN_PARENT: AtomicU32 = AtomicU32::new(0);
        extern "C" fn prepare() {
            PREPARED.fetch_add(1, Ordering::Relaxed);
        }
        extern "C" fn parent() {
            IN_PARENT.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the handlers only count.
        assert_eq!(unsafe { pthread_atfork(Some(prepare), Some(parent), None) }, 0);
        // std forks for Command; the exec fails in the child.
        let err = std::process::Command::new("/nonexistent/program").spawn().unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
        assert_eq!((PREPARED.load(Ordering::Relaxed), IN_PARENT.load(Ordering::Relaxed)), (1, 1));
    }

    /// The `posix_spawn` family, as crates call it through the `libc` crate
    /// (std itself forks and execs here).
    #[test]
    fn posix_spawn_family() {
        use std::ffi::{c_char, c_int, c_short};
        use std::io::Read;
        use std::os::fd::AsRawFd;
        unsafe extern "C" {
            static environ: *const *const c_char;
            fn posix_spawn(
                pid: *mut c_int,
                path: *const c_char,
                actions: *const Opaque,
                attr: *const Opaque,
                argv: *const *const c_char,
                envp: *const *const c_char,
            ) -> c_int;
            fn posix_spawnp(
                pid: *mut c_int,
                file: *const c_char,
                actions: *const Opaque,
                attr: *const Opaque,
                argv: *const *const c_char,
                envp: *const *const c_char,
            ) -> c_int;
            fn posix_spawn_file_actions_init(actions: *mut Opaque) -> c_int;
            fn posix_spawn_file_actions_destroy(actions: *mut Opaque) -> c_int;
            fn posix_spawn_file_actions_addopen(
                actions: *mut Opaque,
                fd: c_int,
                path: *const c_char,
                flags: c_int,
                mode: u32,
            ) -> c_int;
            fn posix_spawn_file_actions_addclose(actions: *mut Opaque, fd: c_int) -> c_int;
            fn posix_spawn_file_actions_adddup2(actions: *mut Opaque, fd: c_int, target: c_int) -> c_int;
            fn posix_spawn_file_actions_addchdir_np(actions: *mut Opaque, path: *const c_char) -> c_int;
            fn posix_spawnattr_init(attr: *mut Opaque) -> c_int;
            fn posix_spawnattr_setflags(attr: *mut Opaque, flags: c_short) -> c_int;
            fn posix_spawnattr_getflags(attr: *const Opaque, flags: *mut c_short) -> c_int;
            fn posix_spawnattr_setpgroup(attr: *mut Opaque, group: c_int) -> c_int;
            fn posix_spawnattr_setsigmask(attr: *mut Opaque, set: *const Opaque) -> c_int;
            fn posix_spawnattr_setsigdefault(attr: *mut Opaque, set: *const Opaque) -> c_int;
            fn sigemptyset(set: *mut Opaque) -> c_int;
            fn sigaddset(set: *mut Opaque, sig: c_int) -> c_int;
            fn signal(sig: c_int, handler: usize) -> usize;
            fn waitpid(pid: c_int, status: *mut c_int, options: c_int) -> c_int;
        }
        /// Room for glibc's `posix_spawn_file_actions_t` (80 bytes),
        /// `posix_spawnattr_t` (336) and `sigset_t` (128).
        #[repr(C, align(8))]
        struct Opaque([u8; 336]);
        fn opaque() -> Box<Opaque> {
            Box::new(Opaque([0; 336]))
        }
        const SETPGROUP: c_short = 2;
        const SETSIGDEF: c_short = 4;
        const SETSIGMASK: c_short = 8;
        const SETSCHEDULER: c_short = 0x20;
        const ENOENT: c_int = 2;
        const EBADF: c_int = 9;
        const EINVAL: c_int = 22;
        const ENOSYS: c_int = 38;
        const SIGUSR1: c_int = 10;
        const SIGUSR2: c_int = 12;

        // Runs `argv` with `posix_spawnp`, standard output into a pipe; its
        // output and exit code, or the spawn's error number.
        let run = |argv: &[&std::ffi::CStr], more: &dyn Fn(*mut Opaque), attr: Option<&Opaque>| {
            let (mut reader, writer) = std::io::pipe().unwrap();
            let mut actions = opaque();
            let mut argv: Vec<*const c_char> = argv.iter().map(|a| a.as_ptr()).collect();
            argv.push(std::ptr::null());
            let mut pid = 0;
            // SAFETY: the actions initialised before use and destroyed
            // after; argv and environ null-terminated; pid writable.
            let r = unsafe {
                posix_spawn_file_actions_init(&mut *actions);
                more(&mut *actions);
                assert_eq!(posix_spawn_file_actions_adddup2(&mut *actions, writer.as_raw_fd(), 1), 0);
                let attr = attr.map_or(std::ptr::null(), |a| a as *const Opaque);
                let r = posix_spawnp(&mut pid, argv[0], &*actions, attr, argv.as_ptr(), environ);
                posix_spawn_file_actions_destroy(&mut *actions);
                r
            };
            drop(writer);
            if r != 0 {
                return Err(r);
            }
            let mut out = String::new();
            reader.read_to_string(&mut out).unwrap();
            let mut status = 0;
            // SAFETY: our child; status writable.
            assert_eq!(unsafe { waitpid(pid, &mut status, 0) }, pid);
            Ok((pid, out, status))
        };

        // File actions in order: a directory, then a file opened relative
        // to it as standard input.
        let dir = std::env::temp_dir().join(format!("posix-spawn-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("input"), "spawned with actions\n").unwrap();
        let dir_c = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
        let in_order = |a: *mut Opaque| {
            // SAFETY: an initialised list; C strings.
            unsafe {
                assert_eq!(posix_spawn_file_actions_addchdir_np(a, dir_c.as_ptr()), 0);
                assert_eq!(posix_spawn_file_actions_addopen(a, 0, c"input".as_ptr(), 0, 0), 0);
                assert_eq!(posix_spawn_file_actions_addclose(a, 97), 0, "not open: no error");
            }
        };
        let (_, out, status) = run(&[c"cat"], &in_order, None).unwrap();
        assert_eq!((out.as_str(), status), ("spawned with actions\n", 0));
        std::fs::remove_dir_all(&dir).unwrap();

        // Attributes: a new process group, a mask, and an ignored signal
        // back to its default, seen in the program's /proc files.
        let mut attr = opaque();
        let (mut mask, mut defaults) = (opaque(), opaque());
        // SAFETY: initialised before use; signal numbers in range.
        unsafe {
            posix_spawnattr_init(&mut *attr);
            sigemptyset(&mut *mask);
            sigaddset(&mut *mask, SIGUSR1);
            sigemptyset(&mut *defaults);
            sigaddset(&mut *defaults, SIGUSR2);
            assert_eq!(posix_spawnattr_setsigmask(&mut *attr, &*mask), 0);
            assert_eq!(posix_spawnattr_setsigdefault(&mut *attr, &*defaults), 0);
            assert_eq!(posix_spawnattr_setpgroup(&mut *attr, 0), 0);
            assert_eq!(posix_spawnattr_setflags(&mut *attr, 0x100), EINVAL);
        }
        let show = [c"cat", c"/proc/self/stat", c"/proc/self/status"];
        let field = |out: &str, name: &str| {
            let line = out.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} in {out}"));
            u64::from_str_radix(line[name.len()..].trim(), 16).unwrap()
        };
        // SAFETY: SIG_IGN (1) for a signal this test binary does not use.
        let before = unsafe { signal(SIGUSR2, 1) };
        let mut flags = SETPGROUP | SETSIGMASK;
        let mut seen = Vec::new();
        for with_default in [false, true] {
            if with_default {
                flags |= SETSIGDEF;
            }
            let mut got = 0;
            // SAFETY: initialised attributes.
            unsafe {
                assert_eq!(posix_spawnattr_setflags(&mut *attr, flags), 0);
                posix_spawnattr_getflags(&*attr, &mut got);
            }
            assert_eq!(got, flags);
            let (pid, out, status) = run(&show, &|_| {}, Some(&attr)).unwrap();
            assert_eq!(status, 0, "{out}");
            let group: i32 = out.split(") ").nth(1).unwrap().split(' ').nth(2).unwrap().parse().unwrap();
            assert_eq!(group, pid, "its own process group: {out}");
            assert_eq!(field(&out, "SigBlk:"), 1 << (SIGUSR1 - 1), "{out}");
            seen.push(field(&out, "SigIgn:") & 1 << (SIGUSR2 - 1) != 0);
        }
        // SAFETY: the disposition found before.
        unsafe { signal(SIGUSR2, before) };
        assert_eq!(seen, [true, false], "SIGUSR2 ignored, then back to its default");

        // Errors: the number returned, nothing left running.
        assert_eq!(run(&[c"/nonexistent/program"], &|_| {}, None).unwrap_err(), ENOENT);
        let missing_input = |a: *mut Opaque| {
            // SAFETY: an initialised list; a C string.
            unsafe { posix_spawn_file_actions_addopen(a, 0, c"/nonexistent/input".as_ptr(), 0, 0) };
        };
        assert_eq!(run(&[c"cat"], &missing_input, None).unwrap_err(), ENOENT);
        let bad_close = |a: *mut Opaque| {
            // SAFETY: an initialised list.
            assert_eq!(unsafe { posix_spawn_file_actions_addclose(a, -1) }, EBADF);
        };
        assert_eq!(run(&[c"true"], &bad_close, None).map(|r| r.2), Ok(0));
        let closed_source = |a: *mut Opaque| {
            // SAFETY: an initialised list; 60 is not open in this test.
            assert_eq!(unsafe { posix_spawn_file_actions_adddup2(a, 60, 5) }, 0);
        };
        assert_eq!(run(&[c"true"], &closed_source, None).unwrap_err(), EBADF, "dup2 from a closed descriptor");
        // SAFETY: initialised attributes.
        assert_eq!(unsafe { posix_spawnattr_setflags(&mut *attr, SETSCHEDULER) }, 0);
        assert_eq!(run(&[c"true"], &|_| {}, Some(&attr)).unwrap_err(), ENOSYS);
        // posix_spawn does not search PATH.
        let mut pid = 0;
        let argv = [c"true".as_ptr(), std::ptr::null()];
        // SAFETY: null-terminated arrays; pid writable.
        let r = unsafe { posix_spawn(&mut pid, argv[0], std::ptr::null(), std::ptr::null(), argv.as_ptr(), environ) };
        assert_eq!(r, ENOENT, "no ./true here");
    }

    #[test]
    fn threads_in_a_test() {
        let h = std::thread::spawn(|| super::add(1, 1));
        assert_eq!(h.join().unwrap(), 2);
    }
}
