//! The event loop.

use super::app::App;
use super::draw::draw;
use super::terminal::{self, Signals};
use ratatui::crossterm::event::{self, Event, KeyEventKind, MouseEventKind};
use std::time::{Duration, Instant};

/// How often other operators' commits are looked for. Background work
/// (the catalogue read, search answers) wakes the loop itself.
const REFRESH: Duration = Duration::from_millis(500);

pub fn run(mut app: App) -> anyhow::Result<()> {
    let signals = Signals::install()?;
    let mut term = terminal::enter()?;
    crate::store::waiting::on_wait(terminal::say_waiting);
    let result = event_loop(&mut term, &mut app, &signals);
    terminal::leave();
    result
}

fn event_loop(
    term: &mut ratatui::DefaultTerminal,
    app: &mut App,
    signals: &Signals,
) -> anyhow::Result<()> {
    let alarm = app.alarm()?;
    // What finished before the alarm was bound woke nobody: take it now.
    app.pump();
    let mut last_refresh = Instant::now();
    let mut mouse = false;
    term.draw(|f| draw(f, app))?;
    while !app.quit && !signals.raised() {
        let timeout = REFRESH.saturating_sub(last_refresh.elapsed());
        let mut dirty = false;
        match terminal::wait(timeout, alarm.fd()) {
            terminal::Wait::HungUp => break,
            // A timeout may still have a resize waiting in crossterm.
            terminal::Wait::Ready | terminal::Wait::TimedOut => {
                while event::poll(Duration::ZERO)? {
                    dirty |= handle(app, event::read()?);
                    if app.quit {
                        break;
                    }
                }
            }
        }
        // Drained before the results are taken: a wake-up after this
        // point comes with a result the next round takes.
        alarm.drain();
        dirty |= app.pump();
        if last_refresh.elapsed() >= REFRESH {
            last_refresh = Instant::now();
            dirty |= app.refresh_if_changed();
        }
        app.flush_draft(false);
        if app.mouse != mouse {
            mouse = app.mouse;
            terminal::set_mouse(mouse);
        }
        // A wait notice was written over the screen while a write waited:
        // drawn whole again, not as a difference from what ratatui drew.
        if terminal::take_overwritten() {
            term.clear()?;
            dirty = true;
        }
        if dirty {
            term.draw(|f| draw(f, app))?;
        }
    }
    // Quit, hang-up or signal: what was typed in the last second too.
    app.flush_draft(true);
    Ok(())
}

/// Applies one terminal event; true when the screen should change.
fn handle(app: &mut App, ev: Event) -> bool {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => {
            app.on_key(k);
            true
        }
        Event::Paste(text) => {
            app.on_paste(&text);
            true
        }
        // With the mouse on, the wheel scrolls the focused pane.
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollDown => {
                app.update(super::action::Action::Down);
                true
            }
            MouseEventKind::ScrollUp => {
                app.update(super::action::Action::Up);
                true
            }
            _ => false,
        },
        Event::Resize(..) | Event::FocusGained => true,
        _ => false,
    }
}
