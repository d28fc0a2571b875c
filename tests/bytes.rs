//! The byte helpers through `script::engine()`: byte_len, encode/decode, hex, hexdump, and
//! pack/unpack against what Python's `struct` gives for the same formats.

use rhai::Dynamic;

use crate::common::*;

fn ok(code: &str) -> String {
    match eval(code) {
        Ok(v) => v.to_string(),
        Err(e) => panic!("script failed: {e}\n{code}"),
    }
}

fn err(code: &str) -> String {
    match eval(code) {
        Ok(v) => panic!("expected an error, got {v}\n{code}"),
        Err(e) => e,
    }
}

#[test]
fn byte_len_counts_the_bytes_of_the_encoding() {
    assert_eq!(ok(r#""привет".byte_len()"#), "12");
    assert_eq!(ok(r#"byte_len("привет", "windows-1251")"#), "6");
    assert_eq!(ok(r#""Я!".byte_len("utf-16le")"#), "4");
    assert!(err(r#"byte_len("x", "klingon")"#).contains("unknown encoding 'klingon'"));
}

#[test]
fn encode_and_decode_round_trip_in_readline_encodings() {
    assert_eq!(ok(r#"encode("Привет", "cp1251").hex()"#), "cff0e8e2e5f2");
    assert_eq!(ok(r#"encode("Привет", "koi8-r").hex()"#), "f0d2c9d7c5d4");
    assert_eq!(ok(r#"encode("Я", "UTF-16BE").hex()"#), "042f");
    for enc in ["UTF-8", "cp1251", "koi8-r", "cp866", "utf-16le", "utf-16be"] {
        assert_eq!(
            ok(&format!(
                r#"decode(encode("Привет, мир", "{enc}"), "{enc}")"#
            )),
            "Привет, мир",
            "{enc}"
        );
    }
    assert_eq!(ok(r#"decode(from_hex("41ff"), "UTF-8")"#), "A\u{FFFD}");
    assert!(err(r#"decode(from_hex("41"), 5)"#).contains("the encoding must be a string"));
}

#[test]
fn decode_past_the_string_limit_throws_instead_of_cutting() {
    // 12 MB of undecodable bytes are 36 MB of U+FFFD: more than a string's 32 MiB.
    let e = err(r#"decode(blob(12000000, 0xff), "UTF-8")"#);
    assert!(
        e.contains(
            "decode: the text of these 12000000 bytes is longer than a string can hold (32 MiB)"
        ),
        "{e}"
    );
    let e = err(r#"let s = ""; s.pad(17000000, "a"); encode(s, "utf-16le")"#);
    assert!(e.contains("more than a blob can hold (32 MiB)"), "{e}");
    assert!(err(r#"hex(blob(17000000))"#).contains("more than a string can hold"));
}

#[test]
fn hex_and_from_hex() {
    assert_eq!(ok(r#"hex(encode("Hello", "UTF-8"))"#), "48656c6c6f");
    assert_eq!(
        ok(r#"from_hex("48 65 6C\n6c 6f").decode("UTF-8")"#),
        "Hello"
    );
    let e = err("let x = 1;\nfrom_hex(\"48 6g\")");
    assert!(
        e.contains("from_hex: character 5 ('g') is not a hex digit") && e.contains("line 2"),
        "{e}"
    );
    assert!(err(r#"from_hex("486")"#).contains("the digit at character 3 has no pair"));
}

#[test]
fn hexdump_has_the_layout_of_hexdump_c() {
    assert_eq!(
        ok(r#"hexdump(encode("Hello world\n", "UTF-8"))"#),
        "00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a              |Hello world.|\n0000000c"
    );
    assert_eq!(ok("blob(0).hexdump()"), "");
    // 8 MB of distinct lines (no `*`) would dump to 39 MB.
    let bytes: Vec<u8> = (0..2_000_000u32).flat_map(u32::to_le_bytes).collect();
    let e = eval_with(&[("B", Dynamic::from_blob(bytes))], "B.hexdump()").unwrap_err();
    assert!(
        e.contains("hexdump: the dump of 8000000 bytes is longer than a string can hold (32 MiB)"),
        "{e}"
    );
}

#[test]
fn pack_gives_the_bytes_python_struct_gives() {
    // Each expectation is Python's `struct.pack(format, *values).hex()`.
    for (code, hex) in [
        (
            r#"pack("<hHiIq", [-2, 65535, -3, 4000000000, -5])"#,
            "fefffffffdffffff00286beefbffffffffffffff",
        ),
        (r#"pack(">bB?h", [-1, 255, true, 258])"#, "ffff010102"),
        (r#"pack("!I", [1])"#, "00000001"),
        (
            r#"pack("@bhiq", [1, 2, 3, 4])"#,
            "01000200030000000400000000000000",
        ),
        (
            r#"pack("<4s2s0s", ["ab", encode("xyz", "UTF-8"), "q"])"#,
            "616200007879",
        ),
        (r#"pack("<3H2x c", [1, 2, 3, "Z"])"#, "01000200030000005a"),
        (r#"pack("<e", [1.5])"#, "003e"),
        (r#"pack(">e", [0.1])"#, "2e66"),
        (r#"pack("<f", [0.1])"#, "cdcccc3d"),
        (r#"pack(">d", [0.1])"#, "3fb999999999999a"),
        (r#"pack("<d", [1])"#, "000000000000f03f"),
        (r#"pack("=H", [1])"#, "0100"),
    ] {
        assert_eq!(ok(&format!("hex({code})")), hex, "{code}");
    }
}

#[test]
fn native_sizes_with_at_or_no_prefix() {
    // x86_64 / aarch64 Linux: C long, ssize_t and pointers are 8 bytes.
    assert_eq!(ok(r#"pack("@lL", [-1, 2]).len()"#), "16");
    assert_eq!(ok(r#"pack("<lL", [-1, 2]).len()"#), "8");
    assert_eq!(
        ok(r#"pack("nNP", [-1, 2, 3]).hex()"#),
        "ffffffffffffffff02000000000000000300000000000000"
    );
    assert_eq!(ok(r#"pack("llh0l", [1, 2, 3]).len()"#), "24");
    assert!(err(r#"pack("<n", [1])"#).contains("'n' (at 2) has a native size only"));
}

#[test]
fn unpack_reads_back_from_an_offset() {
    assert_eq!(
        ok(r#"unpack("<hHiIq", from_hex("fefffffffdffffff00286beefbffffffffffffff"))"#),
        "[-2, 65535, -3, 4000000000, -5]"
    );
    assert_eq!(
        ok(r#"unpack(">H?bc2s", from_hex("ff0102ff4142ff43"), 1)"#),
        "[258, true, 65, [42], [ff43]]"
    );
    assert_eq!(
        ok(r#"unpack("<e f d", pack("<efd", [1.5, 0.5, 0.1]))"#),
        "[1.5, 0.5, 0.1]"
    );
    // Bytes after the record are left alone (Python's unpack_from).
    assert_eq!(ok(r#"unpack("B", from_hex("0102"))"#), "[1]");
}

#[test]
fn values_out_of_range_for_their_letter_throw() {
    let e = err(r#"pack("<HB", [1, 256])"#);
    assert!(
        e.contains("pack: value 2 for 'B' (at 3 of '<HB'): 256 is out of range for 'B' (0 to 255)"),
        "{e}"
    );
    assert!(err(r#"pack("<h", [40000])"#).contains("(-32768 to 32767)"));
    assert!(err(r#"pack("<Q", [-1])"#).contains("(0 to 9223372036854775807)"));
    assert!(err(r#"pack("<I", ["1"])"#).contains("'I' takes an integer, not string"));
    assert!(err(r#"pack("<?", [1])"#).contains("'?' takes a bool"));
    assert!(err(r#"pack("<f", [1e39])"#).contains("too large for 'f'"));
    assert!(err(r#"pack("<e", [65520.0])"#).contains("too large for 'e'"));
    assert!(err(r#"pack("<HH", [1])"#).contains("format '<HH' takes 2 values, not 1"));
    let e = err(r#"unpack("<Q", blob(8, 0xff))"#);
    assert!(
        e.contains("'Q' holds 18446744073709551615") && e.contains("read it as 'q'"),
        "{e}"
    );
    assert_eq!(ok(r#"unpack("<q", blob(8, 0xff))"#), "[-1]");
}

#[test]
fn unpack_with_too_few_bytes_says_how_many_it_needs() {
    let e = err(r#"unpack("<IH", blob(7), 2)"#);
    assert!(
        e.contains(
            "unpack: format '<IH' needs 6 bytes, but the blob has 5 from offset 2 (7 in all)"
        ),
        "{e}"
    );
    assert!(err(r#"unpack("B", blob(1), 2)"#).contains("offset 2 is outside the blob (0 to 1)"));
    assert!(err(r#"unpack("B", blob(1), -1)"#).contains("offset -1 is outside"));
}

#[test]
fn bad_formats_name_the_position() {
    assert!(err(r#"pack("<Hz", [1])"#).contains("format '<Hz': 'z' (at 3) is not a format letter"));
    assert!(err(r#"pack("H<", [1])"#).contains("the byte order '<' (at 2) may only come first"));
    assert!(err(r#"unpack("4", blob(4))"#).contains("has no letter"));
    assert!(err(r#"pack("99999999999999999999x", [])"#).contains("too large"));
    assert!(err(r#"pack("40000000x", [])"#).contains("more bytes than a blob can hold"));
}
