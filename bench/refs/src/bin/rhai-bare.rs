//! The start-up reference: a Rhai engine with its defaults, running the script file it is given,
//! so opi-tcp's start-up can be compared with the interpreter alone. `RHAI_BARE_LIMITS=string`,
//! `array` or `all` sets opi-tcp's data size limits (32 MiB strings and arrays, 1 Mi map
//! entries), to show what they cost a script (each push re-walks the array once any is set).

fn main() {
    let path = std::env::args().nth(1).expect("usage: rhai-bare SCRIPT");
    let mut engine = rhai::Engine::new();
    let limits = std::env::var("RHAI_BARE_LIMITS").unwrap_or_default();
    if limits == "string" || limits == "all" {
        engine.set_max_string_size(32 << 20);
    }
    if limits == "array" || limits == "all" {
        engine.set_max_array_size(32 << 20);
    }
    if limits == "all" {
        engine.set_max_map_size(1 << 20);
    }
    if let Err(e) = engine.run_file(path.into()) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
