//! The start-up reference: a Rhai engine with its defaults, running the script file it is given,
//! so opi-tcp's start-up can be compared with the interpreter alone.

fn main() {
    let path = std::env::args().nth(1).expect("usage: rhai-bare SCRIPT");
    let engine = rhai::Engine::new();
    if let Err(e) = engine.run_file(path.into()) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
