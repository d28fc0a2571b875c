//! The arities of every `OPI_TCP` name, as the catch-all fallbacks need them: (name, longest
//! signature, bit mask of arities with a real all-`Dynamic` overload, bit mask of arities whose
//! signature takes a `TcpServer` first). Derived from the module's signatures and kept equal to it by the test below, which prints the table to paste
//! when a function is added or changed; reading it off the signatures at start-up cost 16% of an
//! empty script's run.

pub(super) const TABLE: &[(&str, u8, u16, u16)] = &[
    ("AddInName", 0, 0b1, 0b0),
    ("CloseConnection", 1, 0b0, 0b0),
    ("CloseIncomingConnection", 2, 0b0, 0b100),
    ("CompleteSend", 2, 0b0, 0b100),
    ("ConnectAll", 4, 0b11110, 0b0),
    ("CreateConnection", 5, 0b0, 0b0),
    ("Expect", 4, 0b0, 0b0),
    ("ExpectConnection", 5, 0b0, 0b111000),
    ("FinishReceiving", 2, 0b0, 0b100),
    ("FinishSending", 1, 0b0, 0b0),
    ("GetConnectionData", 4, 0b0, 0b11100),
    ("GetConnectionList", 1, 0b0, 0b10),
    ("GetLastError", 1, 0b0, 0b0),
    ("GetLog", 3, 0b0, 0b1110),
    ("GetLoggingSettings", 3, 0b1111, 0b0),
    ("GetNextConnectionData", 3, 0b0, 0b1110),
    ("GetProxySettings", 5, 0b0, 0b0),
    ("GetTLSSettings", 2, 0b110, 0b0),
    ("GetTlsSettings", 2, 0b110, 0b0),
    ("Interact", 2, 0b0, 0b0),
    ("IsClientObject", 1, 0b10, 0b0),
    ("IsServerObject", 1, 0b10, 0b0),
    ("OpenConnection", 5, 0b0, 0b0),
    ("ProcessRequest", 5, 0b0, 0b0),
    ("ReadAvailable", 3, 0b0, 0b0),
    ("ReadBinaryData", 4, 0b0, 0b0),
    ("ReadLine", 4, 0b0, 0b0),
    ("ReadUntilQuiet", 4, 0b0, 0b0),
    ("SendAfter", 4, 0b0, 0b0),
    ("SendBinaryData", 3, 0b0, 0b0),
    ("SendData", 3, 0b0, 0b1000),
    ("SendLine", 4, 0b0, 0b0),
    ("SendLineAfter", 5, 0b0, 0b0),
    ("SetTrace", 3, 0b0, 0b0),
    ("StartServer", 4, 0b11110, 0b0),
    ("StopServer", 1, 0b0, 0b10),
    ("WaitAny", 2, 0b110, 0b0),
    ("get$port", 1, 0b0, 0b10),
    ("ЗавершитьОтправку", 2, 0b0, 0b100),
    ("ЗавершитьПолучение", 2, 0b0, 0b100),
    ("ЗакрытьВходящееСоединение", 2, 0b0, 0b100),
    ("ЗакрытьСоединение", 1, 0b0, 0b0),
    ("ЗапуститьСервер", 4, 0b11110, 0b0),
    ("ИмяКомпоненты", 0, 0b1, 0b0),
    ("ОбработатьЗапрос", 5, 0b0, 0b0),
    ("ОстановитьСервер", 1, 0b0, 0b10),
    ("ОткрытьСоединение", 4, 0b0, 0b0),
    ("ОтправитьДанные", 3, 0b0, 0b1000),
    ("ОтправитьДвоичныеДанные", 3, 0b0, 0b0),
    ("ОтправитьСтроку", 4, 0b0, 0b0),
    ("ПолучитьДанныеОчередногоСоединения", 3, 0b0, 0b1110),
    ("ПолучитьДанныеСоединения", 4, 0b0, 0b11100),
    ("ПолучитьЛог", 3, 0b0, 0b1110),
    ("ПолучитьНастройкиTLS", 2, 0b110, 0b0),
    ("ПолучитьНастройкиTls", 2, 0b110, 0b0),
    ("ПолучитьНастройкиЛогирования", 3, 0b1111, 0b0),
    ("ПолучитьНастройкиПрокси", 5, 0b0, 0b0),
    ("ПолучитьПоследнююОшибку", 1, 0b0, 0b0),
    ("ПолучитьСписокСоединений", 1, 0b0, 0b10),
    ("ПрочитатьДвоичныеДанные", 4, 0b0, 0b0),
    ("ПрочитатьСтроку", 4, 0b0, 0b0),
    ("ЭтоОбъектКлиента", 1, 0b10, 0b0),
    ("ЭтоОбъектСервера", 1, 0b10, 0b0),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    /// (longest, all-`Dynamic` arities, server arities) of each name, read off its signatures.
    fn derive() -> BTreeMap<String, (usize, u16, u16)> {
        let mut by_name: BTreeMap<String, (usize, u16, u16)> = BTreeMap::new();
        for sig in super::super::opi_tcp::module().gen_fn_signatures_with_mapper(|s| s.into()) {
            let (name, rest) = sig.split_once('(').unwrap();
            let params = rest.split(')').next().unwrap_or("");
            let params: Vec<&str> = params.split(", ").filter(|p| !p.is_empty()).collect();
            let (longest, all_dynamic, server) = by_name.entry(name.to_string()).or_default();
            *longest = (*longest).max(params.len());
            if params.iter().all(|p| p.ends_with(": Dynamic")) {
                *all_dynamic |= 1 << params.len();
            }
            if params.first().is_some_and(|p| p.ends_with("TcpServer")) {
                *server |= 1 << params.len();
            }
        }
        by_name
    }

    #[test]
    fn the_table_is_what_the_signatures_say() {
        let mut want = String::new();
        for (name, (longest, all_dynamic, server)) in derive() {
            want.push_str(&format!(
                "    ({name:?}, {longest}, {all_dynamic:#b}, {server:#b}),\n"
            ));
        }
        let mut have = String::new();
        for (name, longest, all_dynamic, server) in super::TABLE {
            have.push_str(&format!(
                "    ({name:?}, {longest}, {all_dynamic:#b}, {server:#b}),\n"
            ));
        }
        assert!(
            have == want,
            "src/script/arity.rs is out of date; its TABLE should read:\n{want}"
        );
    }
}
