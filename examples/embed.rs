//! Embedding the opi-tcp engine in another Rust program: the same `script::engine()` the binary
//! uses, with a Rust-side value handed to the script and a result read back.
//!
//! Run: `cargo run --example embed` (starts its own server on a free port; needs nothing else).

use opi_tcp::script;
use rhai::{Dynamic, Scope};

fn main() -> Result<(), Box<rhai::EvalAltResult>> {
    let engine = script::engine();
    let mut scope = Scope::new();
    scope.push_constant("GREETING", "hello from Rust");
    let reply: Dynamic = engine.eval_with_scope(
        &mut scope,
        r#"
            let server = OPI_TCP::StartServer(0);
            let client = OPI_TCP::CreateConnection(`127.0.0.1:${server.port}`);
            client.SendLine(GREETING + "\n");
            let got = server.GetNextConnectionData(2000);
            server.SendData(got.connectionId, got.message);   // echo it back
            client.ReadLine((), "\n", 2000)
        "#,
    )?;
    print!("the script read back: {reply}");
    Ok(())
}
