//! std::process::Command with pipes, status, environment and directory;
//! TCP and UDP over loopback; thread::sleep, available_parallelism,
//! io::copy between files and from a file into a pipe (sendfile);
//! Command with another user (as root); a host name through getaddrinfo.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use std::{env, fs, thread};

fn main() {
    // A child with piped standard input and output.
    let mut child = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"through cat\n").unwrap();
    let out = child.wait_with_output().unwrap();
    print!("cat: {}", String::from_utf8_lossy(&out.stdout));
    let status = Command::new("sh").args(["-c", "exit 7"]).status().unwrap();
    println!("sh exit: {:?}", status.code());
    let out = Command::new("sh")
        .args(["-c", "echo \"$STD_CHILD_VAR\"; pwd"])
        .env("STD_CHILD_VAR", "from the parent")
        .current_dir("/")
        .output()
        .unwrap();
    print!("env and dir: {}", String::from_utf8_lossy(&out.stdout));
    let missing = Command::new("/nonexistent/program").status().unwrap_err();
    println!("missing program: {:?}", missing.kind());

    // TCP: a listener on an ephemeral port, a client thread.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"ping").unwrap();
        let mut reply = [0u8; 4];
        s.read_exact(&mut reply).unwrap();
        reply
    });
    let (mut conn, _) = listener.accept().unwrap();
    let mut buf = [0u8; 4];
    conn.read_exact(&mut buf).unwrap();
    conn.write_all(b"pong").unwrap();
    println!("tcp: {} {}", String::from_utf8_lossy(&buf), String::from_utf8_lossy(&client.join().unwrap()));

    // UDP: a datagram to itself.
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.send_to(b"datagram", udp.local_addr().unwrap()).unwrap();
    let mut buf = [0u8; 16];
    let (n, from) = udp.recv_from(&mut buf).unwrap();
    println!("udp: {} from self: {}", String::from_utf8_lossy(&buf[..n]), from == udp.local_addr().unwrap());

    // A name, through getaddrinfo (the test names a hosts file of its own
    // with SYS_LAYER_HOSTS).
    match ("std-programs.test", 80).to_socket_addrs() {
        Ok(addrs) => println!("resolve: {:?}", addrs.collect::<Vec<_>>()),
        Err(e) => println!("resolve: {e}"),
    }
    // And one the test's DNS responder answers (SYS_LAYER_RESOLV_CONF).
    match ("a.test", 80).to_socket_addrs() {
        Ok(addrs) => println!("dns: {:?}", addrs.collect::<Vec<_>>()),
        Err(e) => println!("dns: {e}"),
    }

    let start = Instant::now();
    thread::sleep(Duration::from_millis(20));
    println!("slept: {}", start.elapsed() >= Duration::from_millis(20));
    println!("parallelism: {}", thread::available_parallelism().map(|n| n.get() > 0).unwrap_or(false));

    let dir = env::temp_dir().join(format!("std-process-net-{}", std::process::id()));
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("from"), vec![7u8; 100_000]).unwrap();
    let copied =
        std::io::copy(&mut fs::File::open(dir.join("from")).unwrap(), &mut fs::File::create(dir.join("to")).unwrap())
            .unwrap();
    println!("copied: {copied} {}", fs::read(dir.join("to")).unwrap() == vec![7u8; 100_000]);
    // A file into a child's standard input: std's io::copy tries sendfile
    // (and splice) into a pipe.
    let mut counter = Command::new("wc").arg("-c").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let sent =
        std::io::copy(&mut fs::File::open(dir.join("from")).unwrap(), &mut counter.stdin.take().unwrap()).unwrap();
    let counted = String::from_utf8(counter.wait_with_output().unwrap().stdout).unwrap();
    println!("into a pipe: {sent} {}", counted.trim());
    fs::remove_dir_all(&dir).unwrap();
    println!("removed: {}", !dir.exists());

    // Another user for a child (setgroups, setgid, setuid after fork):
    // PermissionDenied unless this runs as root.
    use std::os::unix::process::CommandExt;
    match Command::new("id").args(["-u"]).uid(65534).gid(65534).output() {
        Ok(out) => println!("child as 65534: {}", String::from_utf8_lossy(&out.stdout).trim()),
        Err(e) => println!("child as 65534: {:?}", e.kind()),
    }
}
