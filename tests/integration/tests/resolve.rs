//! Name resolution (`sys_layer::net::lookup_host`) through the `resolve`
//! program, against a DNS responder of this test's own on 127.0.0.1 (UDP
//! and TCP on one port, std threads): numeric addresses, the hosts file,
//! A, AAAA, CNAME, search domains with ndots, NXDOMAIN, SERVFAIL, a silent
//! first server, truncation answered over TCP, `use-vc`, `rotate`, and
//! hostile replies. The program finds the files through
//! `SYS_LAYER_RESOLV_CONF` and `SYS_LAYER_HOSTS`; nothing leaves this
//! machine. In a guest the program asks the responder through qemu's alias
//! of this machine's loopback ([`host_addr_for_programs`]).
//!
//! Runs on every target and kernel: resolve.

use std::net::{Ipv6Addr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use sys_layer_integration::dns::{Responder, nameserver, parse_query};
use sys_layer_integration::*;

static DIRS: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory for one run's files.
fn temp_dir() -> PathBuf {
    let n = DIRS.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("sys-layer-resolve-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Run {
    stdout: String,
    success: bool,
    elapsed: Duration,
}

/// Runs `resolve ARGS` with `conf` as its resolv.conf and `hosts` as its
/// hosts file.
fn resolve(conf: &str, hosts: &str, args: &[&str]) -> Run {
    resolve_with(command("resolve"), conf, hosts, args)
}

/// As [`resolve`], through `cmd` (which runs the program).
fn resolve_with(mut cmd: Command, conf: &str, hosts: &str, args: &[&str]) -> Run {
    let dir = temp_dir();
    std::fs::write(dir.join("resolv.conf"), conf).unwrap();
    std::fs::write(dir.join("hosts"), hosts).unwrap();
    let start = Instant::now();
    let out = cmd
        .args(args)
        .env("SYS_LAYER_RESOLV_CONF", dir.join("resolv.conf"))
        .env("SYS_LAYER_HOSTS", dir.join("hosts"))
        .env_remove("LOCALDOMAIN")
        .env_remove("RES_OPTIONS")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run resolve");
    let elapsed = start.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.code().is_some_and(|c| c <= 1), "resolve crashed: {:?}\n{}", out.status, stderr(&out));
    Run { stdout: stdout(&out), success: out.status.success(), elapsed }
}

/// The line `resolve` printed for `name`.
fn line<'a>(run: &'a Run, name: &str) -> &'a str {
    let prefix = format!("{name}:");
    run.stdout.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no line for {name}:\n{}", run.stdout))
}

#[test]
fn numeric_addresses_ask_no_server() {
    let dns = Responder::start();
    let run = resolve(
        &dns.nameserver(),
        "",
        &["-p", "80", "127.1", "0x7f.0.0.2", "::1", "fe80::1%2", "fe80::1%lo", "fe80::1%nosuch9", "192.0.2.9"],
    );
    assert_eq!(line(&run, "127.1"), "127.1: 127.0.0.1:80");
    assert_eq!(line(&run, "0x7f.0.0.2"), "0x7f.0.0.2: 127.0.0.2:80");
    assert_eq!(line(&run, "::1"), "::1: [::1]:80");
    assert_eq!(line(&run, "fe80::1%2"), "fe80::1%2: [fe80::1%2]:80");
    // A zone by name: the loopback is interface 1 in every network namespace.
    assert_eq!(line(&run, "fe80::1%lo"), "fe80::1%lo: [fe80::1%1]:80");
    assert_eq!(line(&run, "fe80::1%nosuch9"), "fe80::1%nosuch9: error BadName (invalid host name)");
    assert_eq!(line(&run, "192.0.2.9"), "192.0.2.9: 192.0.2.9:80");
    let run = resolve(&dns.nameserver(), "", &["-6", "127.0.0.1"]);
    assert_eq!(line(&run, "127.0.0.1"), "127.0.0.1: error NoData (no address associated with the host name)");
    assert_eq!(dns.log(), Vec::<String>::new());
}

#[test]
fn the_hosts_file_comes_before_dns() {
    let dns = Responder::start();
    let hosts = "# test hosts\n192.0.2.50  fromhosts.test  alias.hosts.test\n2001:db8::50 fromhosts.test\n\
                 192.0.2.51 a.test\n";
    let run = resolve(&dns.nameserver(), hosts, &["-p", "7", "fromhosts.test", "ALIAS.hosts.test", "a.test"]);
    assert!(run.success, "{}", run.stdout);
    assert_eq!(line(&run, "fromhosts.test"), "fromhosts.test: 192.0.2.50:7 [2001:db8::50]:7");
    assert_eq!(line(&run, "ALIAS.hosts.test"), "ALIAS.hosts.test: 192.0.2.50:7");
    // The file's address, not the zone's (192.0.2.1).
    assert_eq!(line(&run, "a.test"), "a.test: 192.0.2.51:7");
    assert_eq!(dns.log(), Vec::<String>::new());
    // Only an IPv4 line: an IPv6 lookup goes on to DNS.
    let run = resolve(&dns.nameserver(), hosts, &["-6", "a.test"]);
    assert_eq!(line(&run, "a.test"), "a.test: [2001:db8::1]:0");
    assert_eq!(dns.log(), ["udp AAAA a.test"]);
}

#[test]
fn a_aaaa_and_aliases() {
    let dns = Responder::start();
    let conf = format!("{}options attempts:1\n", dns.nameserver());
    let run = resolve(&conf, "", &["-p", "443", "a.test", "alias.test", "v4only.test", "A.TEST."]);
    assert!(run.success, "{}", run.stdout);
    assert_eq!(line(&run, "a.test"), "a.test: 192.0.2.1:443 [2001:db8::1]:443");
    assert_eq!(line(&run, "alias.test"), "alias.test: 192.0.2.7:443 [2001:db8::7]:443");
    assert_eq!(line(&run, "v4only.test"), "v4only.test: 192.0.2.4:443");
    assert_eq!(line(&run, "A.TEST."), "A.TEST.: 192.0.2.1:443 [2001:db8::1]:443");
    let run = resolve(&conf, "", &["-4", "a.test", "-6", "alias.test", "v4only.test"]);
    assert_eq!(line(&run, "a.test"), "a.test: 192.0.2.1:0");
    assert_eq!(line(&run, "alias.test"), "alias.test: [2001:db8::7]:0");
    assert_eq!(line(&run, "v4only.test"), "v4only.test: error NoData (no address associated with the host name)");
    assert!(!run.success);
    let log = dns.log();
    assert!(log.starts_with(&["udp A a.test".into(), "udp AAAA a.test".into()]), "{log:?}");
}

/// The names asked for A records, in order (each name is asked for A,
/// then AAAA).
fn names_asked(log: &[String]) -> Vec<String> {
    log.iter().filter_map(|entry| entry.split_once(" A ").map(|(_, name)| name.to_owned())).collect()
}

#[test]
fn search_domains_and_ndots() {
    let dns = Responder::start();
    let conf = format!("{}search corp.test other.test\noptions ndots:2\n", dns.nameserver());
    let run = resolve(&conf, "", &["host"]);
    assert_eq!(line(&run, "host"), "host: 192.0.2.8:0 [2001:db8::8]:0");
    // Found with the second domain: the name alone is never asked.
    assert_eq!(names_asked(&dns.log()), ["host.corp.test", "host.other.test"]);

    let dns = Responder::start();
    let conf = format!("{}search corp.test other.test\noptions ndots:2\n", dns.nameserver());
    let run = resolve(&conf, "", &["a.test", "a.test.", "nx.test"]);
    assert_eq!(line(&run, "a.test"), "a.test: 192.0.2.1:0 [2001:db8::1]:0");
    assert_eq!(line(&run, "a.test."), "a.test.: 192.0.2.1:0 [2001:db8::1]:0");
    assert_eq!(line(&run, "nx.test"), "nx.test: error NotFound (host not found)");
    // One dot, fewer than ndots: the search list first, then the name;
    // with a trailing dot, only the name.
    assert_eq!(
        names_asked(&dns.log()),
        [
            "a.test.corp.test",
            "a.test.other.test",
            "a.test",
            "a.test",
            "nx.test.corp.test",
            "nx.test.other.test",
            "nx.test"
        ]
    );

    // ndots:1 (the default): a.test as it is first, and found.
    let dns = Responder::start();
    let conf = format!("{}search corp.test\n", dns.nameserver());
    let run = resolve(&conf, "", &["a.test"]);
    assert_eq!(line(&run, "a.test"), "a.test: 192.0.2.1:0 [2001:db8::1]:0");
    assert_eq!(names_asked(&dns.log()), ["a.test"]);
}

#[test]
fn errors_from_the_servers() {
    let dns = Responder::start();
    let conf = format!("{}search corp.test\noptions attempts:1\n", dns.nameserver());
    let run = resolve(&conf, "", &["nx.test", "servfail.test"]);
    assert!(!run.success);
    assert_eq!(line(&run, "nx.test"), "nx.test: error NotFound (host not found)");
    assert_eq!(line(&run, "servfail.test"), "servfail.test: error ServerFailure (name server failure)");
    // Bad names are refused before any file or server is read.
    let run = resolve(&conf, "", &["bad..name", "sp ace", ""]);
    assert_eq!(line(&run, "bad..name"), "bad..name: error BadName (invalid host name)");
    assert_eq!(line(&run, "sp ace"), "sp ace: error BadName (invalid host name)");
    assert!(run.stdout.lines().any(|l| l == ": error BadName (invalid host name)"), "{}", run.stdout);
    assert!(!dns.log().iter().any(|l| l.contains("bad") || l.contains("sp")), "{:?}", dns.log());
}

#[test]
fn edns_is_dropped_for_a_server_that_refuses_it() {
    let dns = Responder::start();
    let run = resolve(&format!("{}options edns0\n", dns.nameserver()), "", &["noedns.test.", "a.test."]);
    assert_eq!(line(&run, "noedns.test."), "noedns.test.: 192.0.2.9:0 [2001:db8::9]:0");
    assert_eq!(line(&run, "a.test."), "a.test.: 192.0.2.1:0 [2001:db8::1]:0");
    assert_eq!(
        dns.log(),
        [
            "udp A noedns.test",
            "formerr noedns.test",
            "udp AAAA noedns.test",
            "formerr noedns.test",
            "udp A noedns.test",
            "udp AAAA noedns.test",
            "udp A a.test",
            "udp AAAA a.test"
        ]
    );
}

#[test]
fn a_silent_server_is_left_after_its_timeout() {
    let dns = Responder::start();
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let conf =
        format!("{}{}options timeout:1 attempts:1\n", nameserver(&silent.local_addr().unwrap()), dns.nameserver());
    let run = resolve(&conf, "", &["a.test"]);
    assert_eq!(line(&run, "a.test"), "a.test: 192.0.2.1:0 [2001:db8::1]:0");
    assert!(run.elapsed >= Duration::from_secs(1), "answered in {:?}, before the first server's timeout", run.elapsed);
    assert!(run.elapsed < Duration::from_secs(20), "took {:?}", run.elapsed);
    // The silent server was asked both queries first.
    silent.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 512];
    let mut asked = 0;
    while let Ok(n) = silent.recv(&mut buf) {
        assert!(parse_query(&buf[..n]).is_some_and(|(_, name, ..)| name == "a.test"));
        asked += 1;
    }
    assert_eq!(asked, 2);
    assert_eq!(dns.log(), ["udp A a.test", "udp AAAA a.test"]);

    // Nothing at all answers: a timeout, after one second per attempt.
    let run = resolve(
        &format!("{}options timeout:1 attempts:2\n", nameserver(&silent.local_addr().unwrap())),
        "",
        &["a.test."],
    );
    assert_eq!(line(&run, "a.test."), "a.test.: error Timeout (no answer from the name servers)");
    assert!(run.elapsed >= Duration::from_secs(2), "gave up after {:?}", run.elapsed);
}

#[test]
fn truncated_answers_are_asked_again_over_tcp() {
    let dns = Responder::start();
    let run = resolve(&dns.nameserver(), "", &["big.test."]);
    let want: Vec<String> = (1..=40).map(|i| format!("198.51.100.{i}:0")).collect();
    assert_eq!(line(&run, "big.test."), format!("big.test.: {}", want.join(" ")));
    // The UDP and TCP threads log as they go: compare without the order.
    let mut log = dns.log();
    log.sort();
    assert_eq!(log, ["tcp A big.test", "tcp AAAA big.test", "udp A big.test", "udp AAAA big.test"]);

    // use-vc: TCP from the start.
    let dns = Responder::start();
    let run = resolve(&format!("{}options use-vc\n", dns.nameserver()), "", &["a.test."]);
    assert_eq!(line(&run, "a.test."), "a.test.: 192.0.2.1:0 [2001:db8::1]:0");
    assert_eq!(dns.log(), ["tcp A a.test", "tcp AAAA a.test"]);
}

#[test]
fn an_ipv6_name_server() {
    let Some(dns) = Responder::start_on(Ipv6Addr::LOCALHOST.into()) else {
        eprintln!("skipped: no ::1 on this machine");
        return;
    };
    if host_addr_for_programs(dns.addr).is_none() {
        eprintln!("skipped: a program in the guest cannot reach this machine's ::1 (qemu's user network)");
        return;
    }
    let run = resolve(&dns.nameserver(), "", &["a.test.", "big.test."]);
    assert!(dns.nameserver().starts_with("nameserver [::1]:"), "{}", dns.nameserver());
    assert_eq!(line(&run, "a.test."), "a.test.: 192.0.2.1:0 [2001:db8::1]:0");
    assert!(line(&run, "big.test.").ends_with(" 198.51.100.40:0"), "{}", run.stdout);
    assert!(dns.log().contains(&"tcp A big.test".to_owned()), "{:?}", dns.log());
}

#[test]
fn rotate_spreads_lookups_over_the_servers() {
    let (one, two) = (Responder::start(), Responder::start());
    let conf = format!("{}{}options rotate\n", one.nameserver(), two.nameserver());
    let run = resolve(&conf, "", &["a.test.", "v4only.test."]);
    assert!(run.success, "{}", run.stdout);
    assert_eq!(names_asked(&one.log()), ["a.test"]);
    assert_eq!(names_asked(&two.log()), ["v4only.test"]);
}

#[test]
fn hostile_replies_end_in_errors_not_hangs() {
    let dns = Responder::start();
    let conf = format!("{}options timeout:1 attempts:1\n", dns.nameserver());
    let run = resolve(&conf, "", &["loop.test.", "garbage.test."]);
    assert_eq!(line(&run, "loop.test."), "loop.test.: error BadReply (malformed reply from a name server)");
    // Garbage is not an answer to the query: ignored until the timeout.
    assert_eq!(line(&run, "garbage.test."), "garbage.test.: error Timeout (no answer from the name servers)");
    assert!(run.elapsed < Duration::from_secs(20), "took {:?}", run.elapsed);

    // Nothing listens: the "port unreachable" ends the wait at once.
    let closed = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr: SocketAddr = closed.local_addr().unwrap();
    drop(closed);
    // The address as it is, also in a guest: qemu's user network passes
    // no "port unreachable" on, so there it is the guest's own loopback,
    // where nothing listens either.
    // A long timeout: ending well before it is ending at once, also where
    // starting the program takes seconds (a guest under emulation).
    let run = resolve(&format!("nameserver {addr}\noptions timeout:30 attempts:1\n"), "", &["a.test."]);
    assert_eq!(line(&run, "a.test."), "a.test.: error Io(ECONNREFUSED) (name resolution: Connection refused)");
    assert!(run.elapsed < Duration::from_secs(20), "took {:?}", run.elapsed);
}

#[test]
fn set_id_programs_ignore_the_override() {
    // SAFETY: getuid has no preconditions.
    let root = unsafe { libc_getuid() } == 0;
    let setpriv = Command::new("setpriv").arg("--version").output().is_ok_and(|o| o.status.success());
    // The set-id run reads the system's files: only a name the system's
    // hosts file has keeps it from asking the system's name servers.
    let system_has_localhost = std::fs::read_to_string("/etc/hosts").is_ok_and(|t| {
        t.lines().any(|l| l.split('#').next().unwrap().split_whitespace().skip(1).any(|n| n == "localhost"))
    });
    if !runs_directly() || !root || !setpriv || !system_has_localhost {
        eprintln!("skipped: needs root, setpriv, localhost in /etc/hosts, and programs run directly");
        return;
    }
    let dns = Responder::start();
    let hosts = "192.0.2.77 localhost\n";
    let run = resolve(&dns.nameserver(), hosts, &["localhost"]);
    assert_eq!(line(&run, "localhost"), "localhost: 192.0.2.77:0");

    let dir = temp_dir();
    let copy = dir.join("resolve-setuid");
    copy_program("resolve", &copy);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o4755)).unwrap();
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(&copy);
    let run = resolve_with(cmd, &dns.nameserver(), hosts, &["localhost"]);
    let _ = std::fs::remove_dir_all(&dir);
    let found = line(&run, "localhost");
    assert!(run.success && !found.contains("192.0.2.77"), "the override was used: {found}");
    assert_eq!(dns.log(), Vec::<String>::new());
}

unsafe extern "C" {
    #[link_name = "getuid"]
    fn libc_getuid() -> u32;
}
