//! Files and process facts: copies the file named by its first argument to
//! stdout, then prints uname fields and IDs for the suite to compare.
#![no_std]
#![no_main]

use sys_layer::{Errno, env, fd, fs, io, println, process, stdio};

sys_layer::main!(main);

fn main(args: env::Args, _: env::Vars) -> Result<i32, Errno> {
    let path = args.clone().nth(1).ok_or(Errno::EINVAL)?;
    let file = fs::open(path, fs::RDONLY, fs::Mode::empty())?;
    let mut buf = [0u8; 1000];
    loop {
        let n = io::read(&file, &mut buf)?;
        if n == 0 {
            break;
        }
        stdio::write_stdout(&buf[..n]);
    }
    file.close()?;
    let u = process::uname()?;
    stdio::write_stdout(b"--\nrelease=");
    stdio::write_stdout(u.release().to_bytes());
    stdio::write_stdout(b"\nmachine=");
    stdio::write_stdout(u.machine().to_bytes());
    stdio::write_stdout(b"\nsysname=");
    stdio::write_stdout(u.sysname().to_bytes());
    println!();
    println!("pid={} ppid={} tid={}", process::getpid(), process::getppid(), process::gettid());
    // Writing to a read-only descriptor fails cleanly.
    let ro = fs::open(c"/dev/null", fs::RDONLY, fs::Mode::empty())?;
    println!("write to read-only fd: {:?}", io::write(&ro, b"x"));
    println!("stdin is a terminal: {}", io::is_terminal(fd::STDIN));
    Ok(0)
}
