//! Entering and leaving the terminal's full-screen mode. The terminal is
//! restored however the program ends: quit, error, panic, SIGTERM, SIGHUP
//! (a dropped SSH session) or SIGINT.

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use std::io::stdout;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when a signal asks the program to end.
pub struct Signals(Arc<AtomicBool>);

impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
            signal_hook::consts::SIGINT,
        ] {
            signal_hook::flag::register(sig, Arc::clone(&flag))?;
        }
        Ok(Signals(flag))
    }

    pub fn raised(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What waiting on the terminal found.
pub enum Wait {
    /// Input is ready (or a short wait ended): ask crossterm for events.
    Ready,
    TimedOut,
    /// The terminal is gone (the SSH session dropped).
    HungUp,
}

/// Waits up to `timeout` for input on the terminal, by poll(2) on stdin,
/// or for `alarm` (background work done) to become readable.
/// crossterm itself must not be left waiting: on a hung-up terminal it
/// reads endless empty input and never returns.
pub fn wait(timeout: std::time::Duration, alarm: std::os::fd::BorrowedFd<'_>) -> Wait {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let stdin = std::io::stdin();
    let mut fds = [
        PollFd::new(stdin.as_fd(), PollFlags::POLLIN),
        PollFd::new(alarm, PollFlags::POLLIN),
    ];
    let ms =
        PollTimeout::try_from(timeout.as_millis().min(60_000) as i32).unwrap_or(PollTimeout::ZERO);
    match poll(&mut fds, ms) {
        Ok(0) => Wait::TimedOut,
        Ok(_) => match fds[0].revents() {
            Some(r)
                if r.intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL) =>
            {
                Wait::HungUp
            }
            _ => Wait::Ready,
        },
        Err(nix::errno::Errno::EINTR) => Wait::Ready,
        Err(_) => Wait::HungUp,
    }
}

/// Full screen, raw mode, bracketed paste; a panic restores the terminal
/// before its message is printed.
pub fn enter() -> std::io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    execute!(stdout(), EnableBracketedPaste)?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
    Ok(terminal)
}

pub fn set_mouse(on: bool) {
    let _ = if on {
        execute!(stdout(), EnableMouseCapture)
    } else {
        execute!(stdout(), DisableMouseCapture)
    };
}

/// Back to the normal screen; safe to call more than once.
/// Set when `say_waiting` wrote over the screen behind ratatui's back.
static OVERWRITTEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// While a write waits for another's lock the event loop is blocked and
/// draws nothing: this writes the notice on the bottom line itself.
pub fn say_waiting() {
    use ratatui::crossterm::{cursor::MoveTo, style::Print, style::SetAttribute};
    use ratatui::crossterm::{style::Attribute, terminal::Clear, terminal::ClearType};
    let rows = ratatui::crossterm::terminal::size().map_or(24, |(_, r)| r);
    let _ = execute!(
        stdout(),
        MoveTo(0, rows.saturating_sub(1)),
        Clear(ClearType::CurrentLine),
        SetAttribute(Attribute::Reverse),
        Print(" 正在等待其他人的写入完成（最多 15 秒）…… "),
        SetAttribute(Attribute::Reset)
    );
    OVERWRITTEN.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Whether the screen was written over since last asked.
pub fn take_overwritten() -> bool {
    OVERWRITTEN.swap(false, std::sync::atomic::Ordering::Relaxed)
}

pub fn leave() {
    let _ = execute!(stdout(), DisableMouseCapture, DisableBracketedPaste);
    ratatui::restore();
}
