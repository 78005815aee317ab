//! The user database: `/etc/passwd` (files only: no NSS modules, no
//! LDAP; the file is what a static program can read on its own).

extern crate alloc;

use crate::errno::Errno;
use alloc::vec::Vec;
use core::ops::Range;

/// One `/etc/passwd` entry: `name:password:uid:gid:gecos:home:shell`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    line: Vec<u8>,
    fields: [Range<usize>; 5],
    uid: u32,
    gid: u32,
}

impl User {
    /// The login name.
    pub fn name(&self) -> &[u8] {
        &self.line[self.fields[0].clone()]
    }

    /// The password field (`x` when the password lives in `/etc/shadow`).
    pub fn password(&self) -> &[u8] {
        &self.line[self.fields[1].clone()]
    }

    /// The user ID.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The primary group ID.
    pub fn gid(&self) -> u32 {
        self.gid
    }

    /// The comment field (full name and the like).
    pub fn gecos(&self) -> &[u8] {
        &self.line[self.fields[2].clone()]
    }

    /// The home directory.
    pub fn home(&self) -> &[u8] {
        &self.line[self.fields[3].clone()]
    }

    /// The login shell.
    pub fn shell(&self) -> &[u8] {
        &self.line[self.fields[4].clone()]
    }

    /// Reads one line of the file; `None` for a line that is not an entry
    /// (a comment, a `+`/`-` NIS line, wrong field count, bad numbers).
    fn parse(line: &[u8]) -> Option<User> {
        if line.first().is_none_or(|&b| b == b'#' || b == b'+' || b == b'-') {
            return None;
        }
        let mut ranges = [const { 0..0 }; 7];
        let mut start = 0;
        let mut count = 0;
        for (i, b) in line.iter().copied().enumerate().chain([(line.len(), b':')]) {
            if b == b':' {
                *ranges.get_mut(count)? = start..i;
                count += 1;
                start = i + 1;
            }
        }
        if count != 7 {
            return None;
        }
        let number = |r: &Range<usize>| -> Option<u32> {
            let digits = &line[r.clone()];
            if digits.is_empty() || digits.len() > 10 || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            u32::try_from(digits.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))).ok()
        };
        let (uid, gid) = (number(&ranges[2])?, number(&ranges[3])?);
        let [name, password, _, _, gecos, home, shell] = ranges;
        Some(User { line: line.to_vec(), fields: [name, password, gecos, home, shell], uid, gid })
    }

    /// The first entry in `text` (a passwd file) that `wanted` accepts.
    fn find(text: &[u8], wanted: impl Fn(&User) -> bool) -> Option<User> {
        text.split(|&b| b == b'\n').filter_map(User::parse).find(|u| wanted(u))
    }
}

/// The `/etc/passwd` entry of user ID `uid`, the first if several; `None`
/// if there is none. `Err` only if the file cannot be read (`ENOENT` where
/// there is no `/etc/passwd`, as in a bare container).
///
/// `getpwuid(3)`: <https://man7.org/linux/man-pages/man3/getpwuid.3.html>
pub fn user_by_id(uid: u32) -> Result<Option<User>, Errno> {
    Ok(User::find(&crate::fs::read(c"/etc/passwd")?, |u| u.uid() == uid))
}

/// The `/etc/passwd` entry of the login `name`; `None` if there is none.
///
/// `getpwnam(3)`: <https://man7.org/linux/man-pages/man3/getpwnam.3.html>
pub fn user_by_name(name: &[u8]) -> Result<Option<User>, Errno> {
    Ok(User::find(&crate::fs::read(c"/etc/passwd")?, |u| u.name() == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &[u8] = b"# comment\n\
        root:x:0:0:root:/root:/bin/bash\n\
        +nis::::::\n\
        broken:x:1:1:too:few\n\
        bad:x:12a:1::/:/bin/sh\n\
        huge:x:4294967296:1::/:/bin/sh\n\
        nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n\
        empty::7:7::/home/empty:\n\
        dup:x:0:5::/second:/bin/sh";

    #[test]
    fn finds_entries_by_id_and_name() {
        let root = User::find(FILE, |u| u.uid() == 0).unwrap();
        assert_eq!(
            (root.name(), root.home(), root.shell(), root.gid()),
            (&b"root"[..], &b"/root"[..], &b"/bin/bash"[..], 0)
        );
        let nobody = User::find(FILE, |u| u.name() == b"nobody").unwrap();
        assert_eq!((nobody.uid(), nobody.gecos(), nobody.password()), (65534, &b"nobody"[..], &b"x"[..]));
        let empty = User::find(FILE, |u| u.name() == b"empty").unwrap();
        assert_eq!((empty.password(), empty.gid(), empty.shell()), (&b""[..], 7, &b""[..]));
    }

    #[test]
    fn skips_lines_that_are_not_entries() {
        for name in [&b"broken"[..], b"bad", b"huge", b"+nis", b"# comment"] {
            assert!(User::find(FILE, |u| u.name() == name).is_none(), "{name:?}");
        }
        assert!(User::find(FILE, |u| u.uid() == 12).is_none());
        assert!(User::parse(b"a:b:1:2:c:d:e:f").is_none());
        assert!(User::parse(b"").is_none());
    }
}
