//! The catalog of script functions that `opi-tcp functions` prints: OPI's public `OPI_TCP`
//! names in both languages (from OPI's newest `OPI_TCP.os`, en and ru), the group each function
//! is listed under, and what is an addition of ours. These tables decide both the group and the
//! mark; a function missing from them is still listed, never dropped: an `OPI_TCP` name as an
//! addition in the group of its handle (server or client), a global function as a helper.

/// A heading of the list, in the order printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Client,
    Server,
    Logging,
    Settings,
    Helpers,
    BytesAndFiles,
    Assertions,
}

impl Group {
    fn heading(self) -> &'static str {
        match self {
            Group::Client => "client",
            Group::Server => "server",
            Group::Logging => "logging",
            Group::Settings => "settings",
            // OPI has no global functions: every one of ours is an addition.
            Group::Helpers => "helpers (additions)",
            Group::BytesAndFiles => "bytes & files (additions)",
            Group::Assertions => "assertions (additions)",
        }
    }
}

/// One public function of OPI's `OPI_TCP` module, by both its names.
#[derive(Debug, Clone, Copy)]
pub struct OpiName {
    pub english: &'static str,
    pub russian: &'static str,
    pub group: Group,
}

const fn opi(english: &'static str, russian: &'static str, group: Group) -> OpiName {
    OpiName {
        english,
        russian,
        group,
    }
}

/// OPI's public `OPI_TCP` functions (its `#Region Alternate` pairs, without the internal
/// `AddInName`), in OPI's order.
pub const OPI_NAMES: &[OpiName] = &[
    opi("CreateConnection", "ОткрытьСоединение", Group::Client),
    opi("CloseConnection", "ЗакрытьСоединение", Group::Client),
    opi("ReadBinaryData", "ПрочитатьДвоичныеДанные", Group::Client),
    opi("ReadLine", "ПрочитатьСтроку", Group::Client),
    opi("SendBinaryData", "ОтправитьДвоичныеДанные", Group::Client),
    opi("SendLine", "ОтправитьСтроку", Group::Client),
    opi("ProcessRequest", "ОбработатьЗапрос", Group::Client),
    opi("GetLastError", "ПолучитьПоследнююОшибку", Group::Client),
    opi(
        "GetProxySettings",
        "ПолучитьНастройкиПрокси",
        Group::Settings,
    ),
    opi("GetTlsSettings", "ПолучитьНастройкиTls", Group::Settings),
    opi("IsClientObject", "ЭтоОбъектКлиента", Group::Client),
    opi("StartServer", "ЗапуститьСервер", Group::Server),
    opi("StopServer", "ОстановитьСервер", Group::Server),
    opi(
        "GetNextConnectionData",
        "ПолучитьДанныеОчередногоСоединения",
        Group::Server,
    ),
    opi(
        "GetConnectionData",
        "ПолучитьДанныеСоединения",
        Group::Server,
    ),
    opi("SendData", "ОтправитьДанные", Group::Server),
    opi(
        "CloseIncomingConnection",
        "ЗакрытьВходящееСоединение",
        Group::Server,
    ),
    opi("CompleteSend", "ЗавершитьОтправку", Group::Server),
    opi("FinishReceiving", "ЗавершитьПолучение", Group::Server),
    opi(
        "GetConnectionList",
        "ПолучитьСписокСоединений",
        Group::Server,
    ),
    opi("GetLog", "ПолучитьЛог", Group::Logging),
    opi(
        "GetLoggingSettings",
        "ПолучитьНастройкиЛогирования",
        Group::Logging,
    ),
    opi("IsServerObject", "ЭтоОбъектСервера", Group::Server),
];

/// Our other spellings of OPI's names: OPI's earlier name, and the casing OPI's own suites
/// write (BSL ignores case, Rhai does not).
const ALIASES: &[(&str, &str)] = &[
    ("OpenConnection", "CreateConnection"),
    ("GetTLSSettings", "GetTlsSettings"),
];

/// OPI's names we give more parameters than OPI does, with OPI's longest parameter list: an
/// overload past it is an addition, and marked so.
const EXTENDED: &[(&str, usize)] = &[("CreateConnection", 4), ("OpenConnection", 4)];

/// The global functions that are not helpers.
const GLOBALS: &[(Group, &[&str])] = &[
    (
        Group::BytesAndFiles,
        &[
            "byte_len",
            "encode",
            "decode",
            "hex",
            "from_hex",
            "hexdump",
            "pack",
            "unpack",
            "read_file",
            "read_text",
            "write_file",
            "append_file",
            "write_stdout",
            "read_stdin",
            "read_stdin_line",
            "eprint",
        ],
    ),
    (
        Group::Assertions,
        &[
            "assert",
            "assert_eq",
            "assert_ne",
            "assert_match",
            "assert_contains",
            "assert_type",
            "fail",
        ],
    ),
];

/// Registered so that handles print and deep collections print and compare (`nesting`): Rhai's
/// own names, not functions of ours.
const NOT_LISTED: &[&str] = &["to_string", "to_debug", "print", "debug", "==", "!="];

/// Whether `name` is one of Rhai's own names we only register more types for.
pub(crate) fn is_unlisted(name: &str) -> bool {
    NOT_LISTED.contains(&name)
}

/// Where a function of the `OPI_TCP` module goes, and its mark (none for OPI's own names).
fn opi_tcp_entry(name: &str, params: &str) -> (Group, Option<String>) {
    let count = params.split(',').filter(|p| !p.trim().is_empty()).count();
    let extended = EXTENDED
        .iter()
        .any(|(n, longest)| *n == name && count > *longest);
    if let Some(n) = OPI_NAMES
        .iter()
        .find(|n| n.english == name || n.russian == name)
    {
        return (
            n.group,
            extended.then(|| "(addition: the last argument)".into()),
        );
    }
    if let Some((_, of)) = ALIASES.iter().find(|(alias, _)| *alias == name) {
        let group = OPI_NAMES
            .iter()
            .find(|n| n.english == *of)
            .map_or(Group::Client, |n| n.group);
        let more = if extended {
            "; the last argument is an addition"
        } else {
            ""
        };
        return (group, Some(format!("(alias of {of}{more})")));
    }
    // OPI's one internal export: its generic server code asks the module for the add-in name.
    if name == "AddInName" || name == "ИмяКомпоненты" {
        return (Group::Server, Some("(OPI's internal AddInName)".into()));
    }
    let first = params.split(',').next().unwrap_or_default();
    let group = if first.contains("TcpServer") {
        Group::Server
    } else {
        Group::Client
    };
    (group, Some("(addition)".into()))
}

/// `OPI_TCP::get$port(server: &mut TcpServer) -> i64` as `server.port -> i64`; `None` for
/// other internal names (indexers, operators).
fn property_line(name: &str, params: &str, ret: &str) -> Option<String> {
    let (object, ty) = params.split_once(':')?;
    let ty = ty.trim().trim_start_matches("&mut ");
    let ty = ty.split(',').next().unwrap_or(ty);
    if let Some(prop) = name.strip_prefix("get$") {
        Some(format!(
            "{object}.{prop}{ret}  (property of {ty}; addition)"
        ))
    } else {
        let prop = name.strip_prefix("set$")?;
        let value = params.split(',').nth(1).unwrap_or_default().trim();
        Some(format!(
            "{object}.{prop} = {value}  (property of {ty}; addition)"
        ))
    }
}

/// One readable signature as a line of the list, with its group; `None` if it is not listed.
fn entry(sig: &str) -> Option<(Group, String)> {
    let (head, rest) = sig.split_once('(')?;
    let (params, ret) = rest.rsplit_once(')')?;
    match head.strip_prefix("OPI_TCP::") {
        Some(name) if name.contains('$') => {
            let group = if params.contains("TcpServer") {
                Group::Server
            } else {
                Group::Client
            };
            property_line(name, params, ret).map(|line| (group, line))
        }
        Some(name) => {
            let (group, mark) = opi_tcp_entry(name, params);
            let line = match mark {
                Some(mark) => format!("{sig}  {mark}"),
                None => sig.to_string(),
            };
            Some((group, line))
        }
        None if head.starts_with("get$") || head.starts_with("set$") => {
            let group = if params.contains("TcpServer") {
                Group::Server
            } else {
                Group::Client
            };
            property_line(head, params, ret).map(|line| (group, line))
        }
        None if NOT_LISTED.contains(&head) || head.contains('$') => None,
        None => {
            let group = GLOBALS
                .iter()
                .find(|(_, names)| names.contains(&head))
                .map_or(Group::Helpers, |(g, _)| *g);
            Some((group, sig.to_string()))
        }
    }
}

/// The list `opi-tcp functions` prints: each group's heading, then its lines indented, for the
/// lines that contain `filter` (case-insensitive); groups with none are left out.
pub(super) fn listing(signatures: &[String], filter: Option<&str>) -> Vec<String> {
    let wanted = filter.map(str::to_lowercase);
    let mut entries: Vec<(Group, bool, String)> = signatures
        .iter()
        .filter_map(|s| entry(s))
        .filter(|(_, line)| {
            wanted
                .as_ref()
                .is_none_or(|w| line.to_lowercase().contains(w))
        })
        // Properties after the functions of their group.
        .map(|(g, line)| (g, line.contains("(property of"), line))
        .collect();
    entries.sort();
    entries.dedup();
    let mut out = Vec::new();
    let mut current = None;
    for (group, _, line) in entries {
        if current != Some(group) {
            out.push(group.heading().to_string());
            current = Some(group);
        }
        out.push(format!("  {line}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_marks_come_from_the_tables() {
        let e = |s: &str| entry(s).unwrap();
        assert_eq!(
            e("OPI_TCP::ПолучитьЛог(server: TcpServer) -> Dynamic"),
            (
                Group::Logging,
                "OPI_TCP::ПолучитьЛог(server: TcpServer) -> Dynamic".into()
            )
        );
        assert_eq!(
            e("OPI_TCP::GetTLSSettings(x: Dynamic) -> Map").1,
            "OPI_TCP::GetTLSSettings(x: Dynamic) -> Map  (alias of GetTlsSettings)"
        );
        assert_eq!(
            e("OPI_TCP::GetTLSSettings(x: Dynamic) -> Map").0,
            Group::Settings
        );
        // A name no table knows is an addition, in the group of its handle.
        assert_eq!(
            e("OPI_TCP::Expect(conn: TcpClient, text: Dynamic) -> bool"),
            (
                Group::Client,
                "OPI_TCP::Expect(conn: TcpClient, text: Dynamic) -> bool  (addition)".into()
            )
        );
        assert_eq!(
            e("OPI_TCP::Drain(server: TcpServer) -> Map").0,
            Group::Server
        );
        assert_eq!(
            e("OPI_TCP::get$port(server: &mut TcpServer) -> i64").1,
            "server.port -> i64  (property of TcpServer; addition)"
        );
        // An OPI name with more arguments than OPI's is marked.
        assert_eq!(
            e("OPI_TCP::CreateConnection(address: &str, tls: Dynamic) -> Dynamic").1,
            "OPI_TCP::CreateConnection(address: &str, tls: Dynamic) -> Dynamic"
        );
        assert!(
            e("OPI_TCP::CreateConnection(a: &str, b: Dynamic, c: Dynamic, d: Dynamic, e: Dynamic) -> Dynamic")
                .1
                .ends_with("  (addition: the last argument)")
        );
        assert_eq!(e("hexdump(data: Blob) -> string").0, Group::BytesAndFiles);
        assert_eq!(e("assert(condition: bool)").0, Group::Assertions);
        assert_eq!(e("some_new_helper() -> int").0, Group::Helpers);
        assert_eq!(entry("to_string(c: &mut TcpClient) -> String"), None);
    }

    #[test]
    fn listing_filters_and_keeps_headings_of_matching_groups_only() {
        let sigs = [
            "OPI_TCP::ReadLine(conn: TcpClient) -> string".to_string(),
            "OPI_TCP::SendLine(conn: TcpClient, text: Dynamic) -> bool".to_string(),
            "sleep(ms: i64)".to_string(),
        ];
        assert_eq!(
            listing(&sigs, Some("readline")),
            ["client", "  OPI_TCP::ReadLine(conn: TcpClient) -> string"]
        );
        assert_eq!(listing(&sigs, None).len(), 5);
    }
}
