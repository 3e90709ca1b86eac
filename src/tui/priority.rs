//! Background work must not keep the UI thread from drawing: on two busy cores a thread doing
//! a long job (an import, a reload, matching a long picker) runs at a lower priority, so the UI
//! thread gets a core as soon as it has a frame to draw, and the job takes what is left.

/// Lower the calling thread's priority (nice +10); threads it starts inherit it. It cannot be
/// raised again without privileges, so only threads that do nothing else call it.
pub fn lower_this_thread() {
    // On Linux a priority is per thread: who = 0 is the calling thread (elsewhere it would be
    // the whole process, the UI thread included, so nothing is done there).
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its arguments.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// Run `f` on a thread of lower priority and wait for it: a long job on the database worker
/// keeps its place in the order of jobs while the UI thread takes a core whenever it wants one.
pub fn behind_the_ui<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        let job = s.spawn(|| {
            lower_this_thread();
            f()
        });
        match job.join() {
            Ok(v) => v,
            // The job's panic, carried on as if it had happened here.
            Err(p) => std::panic::resume_unwind(p),
        }
    })
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn nice() -> i32 {
        // SAFETY: getpriority only reads its arguments.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
    }

    #[test]
    fn the_job_runs_at_lower_priority_and_the_caller_keeps_its_own() {
        let before = nice();
        let inside = behind_the_ui(nice);
        assert_eq!(inside, (before + 10).min(19));
        assert_eq!(nice(), before);
    }
}
