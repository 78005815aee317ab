//! A panic with `panic = "abort"`: std's message, then SIGABRT; and a
//! stack overflow on the main thread or a spawned one (`overflow-main`,
//! `overflow-thread`), which std reports before aborting.

fn recurse(n: u64) -> u64 {
    let frame = [n; 64];
    std::hint::black_box(&frame);
    if n == 0 { 0 } else { recurse(n - 1).wrapping_add(frame[3]) }
}

fn main() {
    println!("before");
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("overflow-main") => println!("{}", recurse(u64::MAX)),
        Some("overflow-thread") => {
            let deep = std::thread::Builder::new().name("deep".into()).spawn(|| recurse(u64::MAX)).unwrap();
            println!("{}", deep.join().unwrap());
        }
        _ => {
            let v: Vec<u32> = args.iter().map(|a| a.parse().unwrap()).collect();
            if v.is_empty() {
                panic!("no numbers given");
            }
            println!("sum {}", v.iter().sum::<u32>());
        }
    }
}
