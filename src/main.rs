// Imports and exports allocate millions of small strings; mimalloc does
// that several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    jianguan::cli::run()
}
