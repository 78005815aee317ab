//! Looks up the host names on its command line through the system's
//! resolver (`sys_layer::net::lookup_host`, or `Resolver::lookup` for one
//! family) and prints, for each, one line:
//! `NAME: ADDR ADDR ...` (socket addresses, as std prints them) or
//! `NAME: error VARIANT (MESSAGE)`. Exit status 0 if every name had
//! addresses, 1 otherwise.
//!
//! usage: resolve [-4|-6] [-p PORT] NAME...
//!
//! The suite points it at its own responder with `SYS_LAYER_RESOLV_CONF`
//! and `SYS_LAYER_HOSTS`.
#![no_std]
#![no_main]

use sys_layer::net::{IpFamily, Resolver, lookup_host};
use sys_layer::{env, print, println, stdio};

sys_layer::main!(main);

fn main(args: env::Args, _vars: env::Vars) -> i32 {
    let mut family = IpFamily::Any;
    let mut port = 0u16;
    let mut status = 0;
    let mut args = args.skip(1).map(|a| a.to_bytes());
    while let Some(arg) = args.next() {
        match arg {
            b"-4" => family = IpFamily::V4,
            b"-6" => family = IpFamily::V6,
            b"-p" => {
                let Some(p) = args.next().and_then(|p| core::str::from_utf8(p).ok()?.parse().ok()) else {
                    println!("resolve: -p needs a port number");
                    return 2;
                };
                port = p;
            }
            name => {
                let found = match family {
                    IpFamily::Any => lookup_host(name, port),
                    _ => Resolver::system().lookup(name, port, family),
                };
                stdio::write_stdout(name);
                match found {
                    Ok(addrs) => {
                        print!(":");
                        for a in addrs {
                            print!(" {a}");
                        }
                        println!();
                    }
                    Err(e) => {
                        println!(": error {e:?} ({e})");
                        status = 1;
                    }
                }
            }
        }
    }
    status
}
