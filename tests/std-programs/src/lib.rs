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

    #[test]
    fn threads_in_a_test() {
        let h = std::thread::spawn(|| super::add(1, 1));
        assert_eq!(h.join().unwrap(), 2);
    }
}
