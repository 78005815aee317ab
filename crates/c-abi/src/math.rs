//! The C math functions std's float methods call (`f64::sin`, `powf`,
//! `exp2`, `mul_add`, `%`, ...): the compiler turns them into calls to
//! libm's `sin`, `pow`, `exp2`, `fma`, `fmod`, which glibc's `libm.a`
//! would provide. Here they are the `libm` crate's (a port of musl's
//! libm), as `compiler_builtins` gives them on targets without a C
//! library. No system calls: `errno` is not set (Rust never reads it
//! after these).

use core::ffi::c_int;

/// Defines C math functions, each the `libm` function of the same name.
macro_rules! libm_functions {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {$(
        #[doc = concat!("C's `", stringify!($name), "`: `libm::", stringify!($name), "`.")]
        #[unsafe(no_mangle)]
        pub extern "C" fn $name($($arg: $ty),*) -> $ret {
            libm::$name($($arg),*)
        }
    )*};
}

libm_functions! {
    acos(x: f64) -> f64; acosf(x: f32) -> f32;
    asin(x: f64) -> f64; asinf(x: f32) -> f32;
    atan(x: f64) -> f64; atanf(x: f32) -> f32;
    atan2(y: f64, x: f64) -> f64; atan2f(y: f32, x: f32) -> f32;
    cbrt(x: f64) -> f64; cbrtf(x: f32) -> f32;
    ceil(x: f64) -> f64; ceilf(x: f32) -> f32;
    cos(x: f64) -> f64; cosf(x: f32) -> f32;
    cosh(x: f64) -> f64; coshf(x: f32) -> f32;
    erf(x: f64) -> f64; erff(x: f32) -> f32;
    erfc(x: f64) -> f64; erfcf(x: f32) -> f32;
    exp(x: f64) -> f64; expf(x: f32) -> f32;
    exp2(x: f64) -> f64; exp2f(x: f32) -> f32;
    expm1(x: f64) -> f64; expm1f(x: f32) -> f32;
    fdim(x: f64, y: f64) -> f64; fdimf(x: f32, y: f32) -> f32;
    floor(x: f64) -> f64; floorf(x: f32) -> f32;
    fma(x: f64, y: f64, z: f64) -> f64; fmaf(x: f32, y: f32, z: f32) -> f32;
    fmax(x: f64, y: f64) -> f64; fmaxf(x: f32, y: f32) -> f32;
    fmin(x: f64, y: f64) -> f64; fminf(x: f32, y: f32) -> f32;
    fmod(x: f64, y: f64) -> f64; fmodf(x: f32, y: f32) -> f32;
    hypot(x: f64, y: f64) -> f64; hypotf(x: f32, y: f32) -> f32;
    log(x: f64) -> f64; logf(x: f32) -> f32;
    log10(x: f64) -> f64; log10f(x: f32) -> f32;
    log1p(x: f64) -> f64; log1pf(x: f32) -> f32;
    log2(x: f64) -> f64; log2f(x: f32) -> f32;
    pow(x: f64, y: f64) -> f64; powf(x: f32, y: f32) -> f32;
    rint(x: f64) -> f64; rintf(x: f32) -> f32;
    round(x: f64) -> f64; roundf(x: f32) -> f32;
    roundeven(x: f64) -> f64; roundevenf(x: f32) -> f32;
    sin(x: f64) -> f64; sinf(x: f32) -> f32;
    sinh(x: f64) -> f64; sinhf(x: f32) -> f32;
    sqrt(x: f64) -> f64; sqrtf(x: f32) -> f32;
    tan(x: f64) -> f64; tanf(x: f32) -> f32;
    tanh(x: f64) -> f64; tanhf(x: f32) -> f32;
    tgamma(x: f64) -> f64; tgammaf(x: f32) -> f32;
    trunc(x: f64) -> f64; truncf(x: f32) -> f32;
}

/// C's `lgamma_r`: `libm::lgamma_r`, the sign of Γ(x) through `sign`.
///
/// # Safety
/// `sign` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lgamma_r(x: f64, sign: *mut c_int) -> f64 {
    let (y, s) = libm::lgamma_r(x);
    // SAFETY: as the caller vouches.
    unsafe { sign.write(s) };
    y
}

/// C's `lgammaf_r`: `libm::lgammaf_r`, the sign of Γ(x) through `sign`.
///
/// # Safety
/// `sign` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lgammaf_r(x: f32, sign: *mut c_int) -> f32 {
    let (y, s) = libm::lgammaf_r(x);
    // SAFETY: as the caller vouches.
    unsafe { sign.write(s) };
    y
}
