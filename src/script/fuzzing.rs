//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`; not an API): the settings a
//! script hands to a connect, as JSON text or as a proxy URL, through the same conversion a
//! script's values take; the JSON text of `--tls`, `--proxy` and `--params` as the binary reads
//! it; `pack` and `unpack` as a script calls them. Any input must end as a value or an error,
//! never a panic, and where a parser has an inverse, the inverse must give the input back.

use rhai::{AST, Array, Blob, Dynamic, Engine, Map, Scope};

use super::{cli_values, settings, to_json};
use crate::net::{Host, TlsOptions};

const PEER: &str = "example.org:443";

thread_local! {
    /// The engine the binary runs scripts in (its nesting limits hold for JSON too); building
    /// one per input would be most of each run.
    static ENGINE: Engine = super::engine();
    static PACK: AST = compiled("pack(f, v)");
    static UNPACK: AST = compiled("unpack(f, b, at)");
    static UNPACK_ALL: AST = compiled("unpack(f, b)");
}

fn compiled(script: &str) -> AST {
    ENGINE.with(|e| match e.compile(script) {
        Ok(ast) => ast,
        Err(err) => panic!("the fuzz script {script:?} compiles: {err}"),
    })
}

/// `text` as a settings map (when it is a JSON object) and as a proxy URL string.
pub fn settings(text: &str) {
    let url = Dynamic::from(text.to_string());
    let _ = settings::proxy_config(&url, PEER);
    let _ = settings::tls_options(&url, PEER);
    if let Ok(map) = Engine::new_raw().parse_json(text, true) {
        let map = Dynamic::from_map(map);
        let _ = settings::proxy_config(&map, PEER);
        let _ = settings::tls_options(&map, PEER);
    }
}

/// `text` as `--tls` / `--proxy` JSON. Settings that it makes, written back as the settings
/// map and printed as JSON (what `opi-tcp tcp GetProxySettings` prints for `--proxy`), must
/// read back as the same settings.
pub fn settings_json(text: &str) {
    ENGINE.with(|engine| {
        let Ok(map) = cli_values::settings_json(engine, text) else {
            return;
        };
        let map = Dynamic::from_map(map);
        let again = |back: Map| {
            let json = to_json(&Dynamic::from_map(back));
            match cli_values::settings_json(engine, &json) {
                Ok(m) => Dynamic::from_map(m),
                Err(e) => panic!("settings printed as {json} do not read back: {e}"),
            }
        };
        if let Ok(Some(tls)) = settings::tls_options(&map, PEER) {
            let back = again(tls_map(&tls));
            let read = settings::tls_options(&back, PEER).map_err(|e| e.to_string());
            assert_eq!(read, Ok(Some(tls)), "from {text:?}");
        }
        if let Ok(Some(proxy)) = settings::proxy_config(&map, PEER) {
            let back = again(settings::proxy_settings_map(
                &server(&proxy.host),
                i64::from(proxy.port),
                proxy.kind.as_str(),
                proxy.login.clone(),
                proxy.password.clone(),
            ));
            let read = settings::proxy_config(&back, PEER).map_err(|e| e.to_string());
            assert_eq!(read, Ok(Some(proxy)), "from {text:?}");
        }
    });
}

/// Every field of the TLS settings map that `opts` sets.
fn tls_map(opts: &TlsOptions) -> Map {
    let mut m = Map::new();
    m.insert("use_tls".into(), true.into());
    m.insert(
        "accept_invalid_certs".into(),
        opts.accept_invalid_certs.into(),
    );
    for (key, path) in [
        ("ca_cert_path", &opts.ca_cert_path),
        ("client_cert_path", &opts.client_cert_path),
        ("client_key_path", &opts.client_key_path),
    ] {
        if let Some(p) = path.as_ref().and_then(|p| p.to_str()) {
            m.insert(key.into(), p.into());
        }
    }
    if let Some(name) = &opts.server_name {
        m.insert("server_name".into(), name.as_str().into());
    }
    m
}

fn server(host: &Host) -> String {
    match host {
        Host::Name(n) => n.clone(),
        Host::Ip(ip) => ip.to_string(),
    }
}

/// `text` as `--params FILE.json`. PARAMS printed as JSON (`to_json`, OPI's `JSONString`) must
/// read back as the same map, as JSON sees it: a number is a number (a whole float is printed
/// as an integer, `-0.0` as `-0`, which reads as the integer 0).
pub fn params(text: &str) {
    ENGINE.with(|engine| {
        let Ok(map) = cli_values::params_json(engine, text) else {
            return;
        };
        let map = Dynamic::from_map(map);
        let json = to_json(&map);
        match cli_values::params_json(engine, &json) {
            Ok(again) => assert!(
                same_json(&map, &Dynamic::from_map(again)),
                "{text:?} printed as {json} reads back otherwise"
            ),
            Err(e) => panic!("PARAMS printed as {json} do not read back: {e} (from {text:?})"),
        }
    });
}

/// Equal as JSON values: numbers by value, whatever their type; anything else as printed.
fn same_json(a: &Dynamic, b: &Dynamic) -> bool {
    let number = |v: &Dynamic| {
        v.as_float()
            .ok()
            .or_else(|| v.as_int().ok().map(|n| n as f64))
    };
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.read_lock::<Map>(), b.read_lock::<Map>()) {
        return x.len() == y.len()
            && x.iter()
                .zip(y.iter())
                .all(|((k, v), (l, w))| k == l && same_json(v, w));
    }
    if let (Some(x), Some(y)) = (a.read_lock::<Array>(), b.read_lock::<Array>()) {
        return x.len() == y.len() && x.iter().zip(y.iter()).all(|(v, w)| same_json(v, w));
    }
    to_json(a) == to_json(b)
}

/// `unpack(format, data, at)` as a script calls it, then, when it unpacks, the round trip:
/// every value it gave packs again, and what that packs unpacks to the same values. The values
/// reversed are packed too, for the errors of values of the wrong type.
pub fn pack(format: &str, data: &[u8], at: i64) {
    ENGINE.with(|engine| {
        let mut scope = Scope::new();
        scope.push("f", format.to_string());
        scope.push("b", Blob::from(data));
        scope.push("at", at);
        let run = |scope: &mut Scope, ast: &'static std::thread::LocalKey<AST>| {
            ast.with(|ast| engine.eval_ast_with_scope::<Dynamic>(scope, ast))
        };
        let Some(values) = run(&mut scope, &UNPACK)
            .ok()
            .and_then(Dynamic::try_cast::<Array>)
        else {
            return;
        };
        scope.push("v", values.iter().rev().cloned().collect::<Array>());
        let _ = run(&mut scope, &PACK);
        scope.set_value("v", values.clone());
        let packed = match run(&mut scope, &PACK).map(Dynamic::try_cast::<Blob>) {
            Ok(Some(p)) => p,
            other => panic!("{format:?} unpacked {values:?}, which do not pack: {other:?}"),
        };
        scope.set_value("b", packed);
        let again = match run(&mut scope, &UNPACK_ALL).map(Dynamic::try_cast::<Array>) {
            Ok(Some(a)) => a,
            other => panic!("{format:?} packed {values:?}, which does not unpack: {other:?}"),
        };
        let same = values.len() == again.len() && values.iter().zip(&again).all(same_value);
        assert!(
            same,
            "{format:?}: {values:?} packed and unpacked to {again:?}"
        );
    });
}

/// Equal values, a NaN equal to any NaN (half and single floats have several).
fn same_value((a, b): (&Dynamic, &Dynamic)) -> bool {
    if let (Ok(x), Ok(y)) = (a.as_float(), b.as_float()) {
        return x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan());
    }
    match (a.read_lock::<Blob>(), b.read_lock::<Blob>()) {
        (Some(x), Some(y)) => return *x == *y,
        (None, None) => {}
        _ => return false,
    }
    a.type_id() == b.type_id() && a.as_int() == b.as_int() && a.as_bool() == b.as_bool()
}
