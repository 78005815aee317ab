//! std::fs (create, write, read, metadata, read_dir, rename, remove,
//! advisory locks), std::env (args, vars, set_var, current_dir, home_dir
//! without HOME: getpwuid_r), std::process::exit codes.

use std::io::{Read, Write};
use std::{env, fs, process};

fn main() {
    let args: Vec<String> = env::args().collect();
    println!("args: {:?}", &args[1..]);
    if let Some(code) = args.get(1).and_then(|a| a.strip_prefix("exit=")) {
        process::exit(code.parse().unwrap());
    }
    println!("STD_PROGRAMS_VAR={:?}", env::var("STD_PROGRAMS_VAR"));
    let count = env::vars().filter(|(k, _)| k == "STD_PROGRAMS_VAR").count();
    println!("in vars: {count}");
    // SAFETY: single-threaded here.
    unsafe { env::set_var("STD_PROGRAMS_SET", "set here") };
    println!("set: {:?}", env::var("STD_PROGRAMS_SET"));
    // SAFETY: as above.
    unsafe { env::remove_var("STD_PROGRAMS_SET") };
    println!("removed: {:?}", env::var("STD_PROGRAMS_SET").is_err());

    let dir = env::temp_dir().join(format!("std-programs-{}", process::id()));
    fs::create_dir(&dir).unwrap();
    for (name, body) in [("b.txt", "bee\n"), ("a.txt", "ay\n"), ("c.txt", "sea\n")] {
        let mut f = fs::File::create(dir.join(name)).unwrap();
        f.write_all(body.as_bytes()).unwrap();
    }
    let mut text = String::new();
    fs::File::open(dir.join("a.txt")).unwrap().read_to_string(&mut text).unwrap();
    print!("a.txt: {text}");
    println!("b.txt: {} bytes", fs::metadata(dir.join("b.txt")).unwrap().len());
    fs::rename(dir.join("c.txt"), dir.join("d.txt")).unwrap();
    let mut names: Vec<String> =
        fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    println!("read_dir: {names:?}");
    let is_file = fs::read_dir(&dir).unwrap().all(|e| e.unwrap().file_type().unwrap().is_file());
    println!("all files: {is_file}");
    println!("missing: {:?}", fs::read("/nonexistent/std-programs").unwrap_err().kind());
    println!("canonical: {}", fs::canonicalize(&dir).unwrap() == dir);
    let first = fs::File::open(dir.join("a.txt")).unwrap();
    let second = fs::File::open(dir.join("a.txt")).unwrap();
    first.lock().unwrap();
    println!("locked elsewhere: {:?}", second.try_lock_shared().is_err());
    first.unlock().unwrap();
    println!("after unlock: {:?}", second.try_lock_shared().is_ok());
    for name in names {
        fs::remove_file(dir.join(name)).unwrap();
    }
    fs::remove_dir(&dir).unwrap();
    println!("cwd is absolute: {}", env::current_dir().unwrap().is_absolute());

    // Without HOME, home_dir asks the user database; the expectation read
    // here from /etc/passwd by hand (the owner of /proc/self is our user).
    use std::os::unix::fs::MetadataExt;
    let uid = fs::metadata("/proc/self").unwrap().uid().to_string();
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    let expected = passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() == 7 && fields[2] == uid).then(|| std::path::PathBuf::from(fields[5]))
    });
    // SAFETY: single-threaded here.
    unsafe { env::remove_var("HOME") };
    #[allow(deprecated)] // its deprecation was for Windows; Unix behaviour is what is tested
    let home = env::home_dir();
    println!("home from passwd: {}", home == expected);
}
