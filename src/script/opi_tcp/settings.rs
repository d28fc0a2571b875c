//! `OPI_TCP`'s settings constructors: GetTlsSettings, GetProxySettings, GetLoggingSettings.

use rhai::plugin::*;

// Rhai's plugin macro registers only `pub` functions, which this private module cannot export.
#[allow(unreachable_pub)]
#[export_module]
pub(super) mod settings {
    use rhai::{Dynamic, Map, NativeCallContext};

    use crate::script::args::RhaiResultOf;
    use crate::script::{logging, settings as body};

    const U: Dynamic = Dynamic::UNIT;

    /// TLS settings: `#{use_tls: true[, accept_invalid_certs: true]}`.
    #[rhai_fn(
        name = "GetTlsSettings",
        name = "GetTLSSettings",
        name = "ПолучитьНастройкиTls",
        name = "ПолучитьНастройкиTLS",
        return_raw
    )]
    pub fn get_tls_settings(
        ctx: NativeCallContext,
        disable_cert_verification: Dynamic,
    ) -> RhaiResultOf<Map> {
        body::get_tls_settings(&ctx, &disable_cert_verification, &U)
    }

    /// TLS settings with a PEM file of extra trusted CA certificates.
    #[rhai_fn(
        name = "GetTlsSettings",
        name = "GetTLSSettings",
        name = "ПолучитьНастройкиTls",
        name = "ПолучитьНастройкиTLS",
        return_raw
    )]
    pub fn get_tls_settings_with_ca_cert_path(
        ctx: NativeCallContext,
        disable_cert_verification: Dynamic,
        ca_cert_path: Dynamic,
    ) -> RhaiResultOf<Map> {
        body::get_tls_settings(&ctx, &disable_cert_verification, &ca_cert_path)
    }

    /// Proxy settings `#{server, port, proxy_type: "socks5"}`.
    #[rhai_fn(
        name = "GetProxySettings",
        name = "ПолучитьНастройкиПрокси",
        return_raw
    )]
    pub fn get_proxy_settings(
        ctx: NativeCallContext,
        address: &str,
        port: Dynamic,
    ) -> RhaiResultOf<Map> {
        body::get_proxy_settings(&ctx, address, &port, &U, &U, &U)
    }

    /// Proxy settings of a type: socks5, socks5h, socks4, socks4a, http.
    #[rhai_fn(
        name = "GetProxySettings",
        name = "ПолучитьНастройкиПрокси",
        return_raw
    )]
    pub fn get_proxy_settings_with_proxy_type(
        ctx: NativeCallContext,
        address: &str,
        port: Dynamic,
        proxy_type: Dynamic,
    ) -> RhaiResultOf<Map> {
        body::get_proxy_settings(&ctx, address, &port, &proxy_type, &U, &U)
    }

    /// Proxy settings with a login (SOCKS4 userid).
    #[rhai_fn(
        name = "GetProxySettings",
        name = "ПолучитьНастройкиПрокси",
        return_raw
    )]
    pub fn get_proxy_settings_with_login(
        ctx: NativeCallContext,
        address: &str,
        port: Dynamic,
        proxy_type: Dynamic,
        login: Dynamic,
    ) -> RhaiResultOf<Map> {
        body::get_proxy_settings(&ctx, address, &port, &proxy_type, &login, &U)
    }

    /// Proxy settings with a login and a password.
    #[rhai_fn(
        name = "GetProxySettings",
        name = "ПолучитьНастройкиПрокси",
        return_raw
    )]
    pub fn get_proxy_settings_with_password(
        ctx: NativeCallContext,
        address: &str,
        port: Dynamic,
        proxy_type: Dynamic,
        login: Dynamic,
        password: Dynamic,
    ) -> RhaiResultOf<Map> {
        body::get_proxy_settings(&ctx, address, &port, &proxy_type, &login, &password)
    }

    /// Logging settings: memory, 300 entries: `#{mode: "memory", max_entries: 300}`.
    #[rhai_fn(
        name = "GetLoggingSettings",
        name = "ПолучитьНастройкиЛогирования",
        return_raw
    )]
    pub fn get_logging_settings(ctx: NativeCallContext) -> RhaiResultOf<Map> {
        logging::settings_map(&ctx, &U, &U, &U)
    }

    /// Logging settings: to memory or not.
    #[rhai_fn(
        name = "GetLoggingSettings",
        name = "ПолучитьНастройкиЛогирования",
        return_raw
    )]
    pub fn get_logging_settings_with_memory(
        ctx: NativeCallContext,
        memory: Dynamic,
    ) -> RhaiResultOf<Map> {
        logging::settings_map(&ctx, &memory, &U, &U)
    }

    /// Logging settings with the number of entries kept in memory.
    #[rhai_fn(
        name = "GetLoggingSettings",
        name = "ПолучитьНастройкиЛогирования",
        return_raw
    )]
    pub fn get_logging_settings_with_max_entries(
        ctx: NativeCallContext,
        memory: Dynamic,
        max_entries: Dynamic,
    ) -> RhaiResultOf<Map> {
        logging::settings_map(&ctx, &memory, &max_entries, &U)
    }

    /// Logging settings with a file that every entry is appended to.
    #[rhai_fn(
        name = "GetLoggingSettings",
        name = "ПолучитьНастройкиЛогирования",
        return_raw
    )]
    pub fn get_logging_settings_with_file_path(
        ctx: NativeCallContext,
        memory: Dynamic,
        max_entries: Dynamic,
        file_path: Dynamic,
    ) -> RhaiResultOf<Map> {
        logging::settings_map(&ctx, &memory, &max_entries, &file_path)
    }
}
