//! A panic inside calamine on a malformed file becomes an error. The fuzzer
//! found .xls files whose broken sector tables make calamine index out of
//! bounds; an operator given such a file must get a message, not a crash
//! (nothing has been written while reading).

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// Set while this thread runs a guarded call: its panics are expected
    /// and reported as errors, so the panic hook stays quiet for them.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Wraps the process's panic hook once: silent on guarded threads, the
/// previous hook everywhere else (real bugs still print as before).
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into `Err` with its message.
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_quiet_hook();
    let was = GUARDED.with(|g| g.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message_and_values_pass_through() {
        assert_eq!(guarded(|| 7), Ok(7));
        let v: Vec<u8> = vec![1, 2, 3];
        let r = guarded(|| v[1..10].len());
        assert!(r.unwrap_err().contains("out of range"));
        assert!(!GUARDED.with(Cell::get));
    }
}
