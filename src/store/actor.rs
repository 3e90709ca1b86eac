//! Who is writing: the real OS user of this process, looked up from the uid. Environment
//! variables such as USER are deliberately ignored: anyone can set them.

/// The login name for the real uid, or `uid:N` when the password database has no entry.
pub fn os_user() -> String {
    // SAFETY: getuid cannot fail and has no preconditions.
    let uid = unsafe { libc::getuid() };
    name_for_uid(uid).unwrap_or_else(|| format!("uid:{uid}"))
}

fn name_for_uid(uid: libc::uid_t) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: passwd is plain old data; all-zero is a valid value for it.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the stated length; getpwuid_r writes only into buf/pwd.
    let rc = unsafe {
        libc::getpwuid_r(
            uid,
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: on success pw_name points to a NUL-terminated string inside buf.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    name.to_str().ok().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_the_user_variable() {
        let before = os_user();
        assert!(!before.is_empty());
        // The value never comes from the environment, so it cannot be spoofed through it.
        assert_eq!(
            name_for_uid(unsafe { libc::getuid() }).unwrap_or_default(),
            before
        );
    }
}
