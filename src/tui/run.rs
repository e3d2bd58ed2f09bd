//! The event loop.

use super::app::App;
use super::draw::draw;
use super::terminal::{self, Signals};
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use std::time::{Duration, Instant};

/// How often other operators' commits are looked for.
const REFRESH: Duration = Duration::from_millis(500);

pub fn run(mut app: App) -> anyhow::Result<()> {
    let signals = Signals::install()?;
    let mut term = terminal::enter()?;
    let result = event_loop(&mut term, &mut app, &signals);
    terminal::leave();
    result
}

fn event_loop(
    term: &mut ratatui::DefaultTerminal,
    app: &mut App,
    signals: &Signals,
) -> anyhow::Result<()> {
    let mut last_refresh = Instant::now();
    let mut mouse = false;
    term.draw(|f| draw(f, app))?;
    while !app.quit && !signals.raised() {
        let mut dirty = false;
        // Wait for input no longer than the refresh period; no statement
        // or transaction is open while waiting.
        if event::poll(REFRESH.saturating_sub(last_refresh.elapsed()))? {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => {
                    app.on_key(k);
                    dirty = true;
                }
                Event::Paste(text) => {
                    app.status = format!(
                        "已粘贴 {} 个字符（当前窗格没有输入框）",
                        text.chars().count()
                    );
                    dirty = true;
                }
                Event::Resize(..) | Event::Mouse(..) | Event::FocusGained => dirty = true,
                _ => {}
            }
        }
        if last_refresh.elapsed() >= REFRESH {
            last_refresh = Instant::now();
            dirty |= app.refresh_if_changed();
        }
        if app.mouse != mouse {
            mouse = app.mouse;
            terminal::set_mouse(mouse);
        }
        if dirty {
            term.draw(|f| draw(f, app))?;
        }
    }
    Ok(())
}
