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
    fn threads_in_a_test() {
        let h = std::thread::spawn(|| super::add(1, 1));
        assert_eq!(h.join().unwrap(), 2);
    }
}
