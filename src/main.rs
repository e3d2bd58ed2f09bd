fn main() -> std::process::ExitCode {
    jianguan::cli::run()
}
