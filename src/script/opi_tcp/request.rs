//! `OPI_TCP`'s one-shot request: ProcessRequest (connect, send, read one line, close).

use rhai::plugin::*;

// Rhai's plugin macro registers only `pub` functions, which this private module cannot export.
#[allow(unreachable_pub)]
#[export_module]
pub(super) mod request {
    use rhai::{Dynamic, NativeCallContext};

    use crate::script::args::RhaiResultOf;
    use crate::script::client;

    const U: Dynamic = Dynamic::UNIT;

    /// Connects, reads the answer up to the first "\n" (5 s), closes. A string, or an error map.
    #[rhai_fn(
        name = "ProcessRequest",
        name = "ОбработатьЗапрос",
        volatile,
        return_raw
    )]
    pub fn process_request(ctx: NativeCallContext, address: &str) -> RhaiResultOf<Dynamic> {
        client::process_request(&ctx, address, &U, &U, &U, &U)
    }

    /// Sends `data` (a string or a blob) and returns the answer up to the first "\n".
    #[rhai_fn(
        name = "ProcessRequest",
        name = "ОбработатьЗапрос",
        volatile,
        return_raw
    )]
    pub fn process_request_with_data(
        ctx: NativeCallContext,
        address: &str,
        data: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        client::process_request(&ctx, address, &data, &U, &U, &U)
    }

    /// As above; `response_string = false` returns a blob.
    #[rhai_fn(
        name = "ProcessRequest",
        name = "ОбработатьЗапрос",
        volatile,
        return_raw
    )]
    pub fn process_request_with_response_string(
        ctx: NativeCallContext,
        address: &str,
        data: Dynamic,
        response_string: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        client::process_request(&ctx, address, &data, &response_string, &U, &U)
    }

    /// As above, with TLS settings.
    #[rhai_fn(
        name = "ProcessRequest",
        name = "ОбработатьЗапрос",
        volatile,
        return_raw
    )]
    pub fn process_request_with_tls(
        ctx: NativeCallContext,
        address: &str,
        data: Dynamic,
        response_string: Dynamic,
        tls: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        client::process_request(&ctx, address, &data, &response_string, &tls, &U)
    }

    /// As above, with TLS settings and a proxy.
    #[rhai_fn(
        name = "ProcessRequest",
        name = "ОбработатьЗапрос",
        volatile,
        return_raw
    )]
    pub fn process_request_with_proxy(
        ctx: NativeCallContext,
        address: &str,
        data: Dynamic,
        response_string: Dynamic,
        tls: Dynamic,
        proxy: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        client::process_request(&ctx, address, &data, &response_string, &tls, &proxy)
    }
}
