// Imports and exports allocate millions of small strings; mimalloc does
// that several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // First of all, while this is the only thread: the setgid privilege is
    // put aside (or dropped for good) before anything reads a file.
    jianguan::privilege::init();
    // `jianguan checklist list | head`: end quietly when the reader goes
    // away, as shell tools do, instead of panicking on the broken pipe.
    // SAFETY: set before any other thread exists; the default action
    // installs no Rust handler.
    unsafe {
        let _ = nix::sys::signal::signal(
            nix::sys::signal::Signal::SIGPIPE,
            nix::sys::signal::SigHandler::SigDfl,
        );
    }
    jianguan::cli::run()
}
