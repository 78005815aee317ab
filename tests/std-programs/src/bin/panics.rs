//! A panic with `panic = "abort"`: std's message, then SIGABRT.

fn main() {
    println!("before");
    let v: Vec<u32> = std::env::args().skip(1).map(|a| a.parse().unwrap()).collect();
    if v.is_empty() {
        panic!("no numbers given");
    }
    println!("sum {}", v.iter().sum::<u32>());
}
