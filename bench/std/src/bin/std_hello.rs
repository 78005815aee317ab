//! The start-up benchmark's std program: print one line and exit.

fn main() {
    println!("hello");
}
