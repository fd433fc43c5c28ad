//! The `coffer` binary; everything it does is the `coffer` library's (`src/lib.rs`).

fn main() -> std::process::ExitCode {
    coffer::main()
}
