//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`; not an API): the settings a
//! script hands to a connect, as JSON text or as a proxy URL, through the same conversion a
//! script's values take. Any input must end as settings or a settings error, never a panic.

use rhai::{Dynamic, Engine};

use super::settings;

/// `text` as a settings map (when it is a JSON object) and as a proxy URL string.
pub fn settings(text: &str) {
    let peer = "example.org:443";
    let url = Dynamic::from(text.to_string());
    let _ = settings::proxy_config(&url, peer);
    let _ = settings::tls_options(&url, peer);
    if let Ok(map) = Engine::new_raw().parse_json(text, true) {
        let map = Dynamic::from_map(map);
        let _ = settings::proxy_config(&map, peer);
        let _ = settings::tls_options(&map, peer);
    }
}
