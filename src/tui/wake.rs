//! Waking the event loop when background work is done. A thread that has
//! sent its result (the catalogue read, search answers) writes one byte to
//! a socket the loop polls beside the terminal, so the result is drawn at
//! once rather than at the next tick.

use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, OnceLock};

/// Given to background threads. It may be handed out before the event
/// loop exists (the catalogue is read from the start): the loop `bind`s it
/// later; until then, and with no loop at all (tests, benchmarks), waking
/// does nothing.
#[derive(Clone, Default)]
pub struct Waker(Arc<OnceLock<UnixStream>>);

impl Waker {
    /// Call after sending the result, so that the loop finds it.
    pub fn wake(&self) {
        if let Some(s) = self.0.get() {
            // A full buffer means a wake-up is already waiting.
            let _ = (&*s).write(&[1]);
        }
    }

    /// Connects this waker (and its clones) to a new alarm for the event
    /// loop. Wake-ups before this were lost: the loop takes results once
    /// after binding, before it first waits.
    pub fn bind(&self) -> std::io::Result<Alarm> {
        let (a, b) = UnixStream::pair()?;
        a.set_nonblocking(true)?;
        b.set_nonblocking(true)?;
        self.0
            .set(a)
            .map_err(|_| std::io::Error::other("the waker is bound already"))?;
        Ok(Alarm(b))
    }
}

/// The loop's end: polled beside the terminal, drained after each wait.
pub struct Alarm(UnixStream);

impl Alarm {
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }

    /// Forgets the wake-ups received (their results are taken next).
    pub fn drain(&self) {
        let mut buf = [0u8; 64];
        while matches!((&self.0).read(&mut buf), Ok(n) if n > 0) {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wake_is_readable_until_drained() {
        let waker = Waker::default();
        // Unbound: nothing happens.
        waker.wake();
        let alarm = waker.bind().unwrap();
        assert!(waker.bind().is_err(), "one loop");
        let ready = |a: &Alarm| {
            use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
            let mut fds = [PollFd::new(a.fd(), PollFlags::POLLIN)];
            poll(&mut fds, PollTimeout::ZERO).unwrap() == 1
        };
        assert!(!ready(&alarm));
        let other = waker.clone();
        std::thread::spawn(move || other.wake()).join().unwrap();
        waker.wake();
        assert!(ready(&alarm));
        alarm.drain();
        assert!(!ready(&alarm));
    }
}
