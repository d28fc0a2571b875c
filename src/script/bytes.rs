//! Bytes as scripts handle them: text to bytes and back in any encoding (`byte_len`, `encode`,
//! `decode`), hex (`hex`, `from_hex`) and `hexdump -C`'s dump (`hexdump`). Every result is
//! checked against the engine's limits before it is handed over, so one that would not fit is a
//! clear error at the call, not Rhai's generic one after the work was done.

use std::fmt::Write;

use rhai::{Blob, Dynamic, Engine, ImmutableString, NativeCallContext};

use super::args::{self, RhaiResultOf, throw};
use super::helpers::reg;
use crate::net::hexdump as dump;

/// The engine's largest blob: Rhai bounds blobs by the array size (0 = no limit).
pub(super) fn blob_limit(ctx: &NativeCallContext) -> usize {
    match ctx.engine().max_array_size() {
        0 => usize::MAX,
        n => n,
    }
}

/// The engine's longest string, in bytes of UTF-8 (0 = no limit).
pub(super) fn string_limit(ctx: &NativeCallContext) -> usize {
    match ctx.engine().max_string_size() {
        0 => usize::MAX,
        n => n,
    }
}

/// A size as the limits are usually set: `32 MiB`, or bytes.
pub(super) fn size(n: usize) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// `Ok` when `len` bytes fit in a blob; otherwise an error saying that `what` would not.
pub(super) fn fits_blob(ctx: &NativeCallContext, len: usize, what: &str) -> RhaiResultOf<()> {
    let max = blob_limit(ctx);
    if len <= max {
        return Ok(());
    }
    Err(throw(
        ctx,
        format!(
            "{what} would be {len} bytes, more than a blob can hold ({})",
            size(max)
        ),
    ))
}

/// `Ok` when a string of `len` bytes fits; otherwise an error saying that `what` would not.
pub(super) fn fits_string(ctx: &NativeCallContext, len: usize, what: &str) -> RhaiResultOf<()> {
    let max = string_limit(ctx);
    if len <= max {
        return Ok(());
    }
    Err(throw(
        ctx,
        format!(
            "{what} would be {len} bytes of UTF-8, more than a string can hold ({})",
            size(max)
        ),
    ))
}

fn byte_len(ctx: &NativeCallContext, text: &str, encoding: &Dynamic) -> RhaiResultOf<i64> {
    let codec = args::encoding(ctx, encoding)?;
    let len = if encoding.is_unit() {
        text.len()
    } else {
        codec.encode(text).len()
    };
    Ok(i64::try_from(len).unwrap_or(i64::MAX))
}

fn encode(ctx: &NativeCallContext, text: &str, encoding: &Dynamic) -> RhaiResultOf<Blob> {
    let bytes = args::encoding(ctx, encoding)?.encode(text);
    fits_blob(ctx, bytes.len(), "the encoded text")?;
    Ok(bytes)
}

fn decode(ctx: &NativeCallContext, blob: Blob, encoding: &Dynamic) -> RhaiResultOf<String> {
    let codec = args::encoding(ctx, encoding)?;
    let total = blob.len();
    let (text, rest) = codec.decode_within(blob, string_limit(ctx));
    if rest.is_empty() {
        return Ok(text);
    }
    Err(throw(
        ctx,
        format!(
            "the text of these {total} bytes is longer than a string can hold ({}); only the \
             first {} bytes fit: decode the blob in parts",
            size(string_limit(ctx)),
            total - rest.len()
        ),
    ))
}

fn hex(ctx: &NativeCallContext, blob: &[u8]) -> RhaiResultOf<String> {
    fits_string(ctx, blob.len().saturating_mul(2), "the hex text")?;
    let mut out = String::with_capacity(blob.len() * 2);
    for b in blob {
        let _ = write!(out, "{b:02x}");
    }
    Ok(out)
}

/// Hex digits in pairs, whitespace allowed between bytes (as Python's `bytes.fromhex`). The
/// error counts characters from 1.
fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut chars = text.chars().enumerate();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let high = c
            .to_digit(16)
            .ok_or_else(|| format!("character {} ({c:?}) is not a hex digit", i + 1))?;
        let low = match chars.next() {
            Some((_, d)) if d.is_ascii_hexdigit() => d.to_digit(16).unwrap_or(0),
            Some((j, d)) => {
                return Err(format!(
                    "character {} ({d:?}) is not a hex digit: the digit at {} has no pair",
                    j + 1,
                    i + 1
                ));
            }
            None => {
                return Err(format!(
                    "the digit at character {} has no pair (an odd number of hex digits)",
                    i + 1
                ));
            }
        };
        out.push((high * 16 + low) as u8);
    }
    Ok(out)
}

fn hexdump(ctx: &NativeCallContext, blob: &[u8]) -> RhaiResultOf<String> {
    dump(blob, string_limit(ctx)).ok_or_else(|| {
        throw(
            ctx,
            format!(
                "the dump of {} bytes is longer than a string can hold ({}); dump a part \
                 (blob.extract(0, 4096))",
                blob.len(),
                size(string_limit(ctx))
            ),
        )
    })
}

pub(super) fn register(engine: &mut Engine) {
    reg(
        "byte_len",
        &["text: string", "int"],
        "/// The number of bytes of `text` in UTF-8 (`\"привет\".byte_len() == 12`).",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, t: ImmutableString| {
        byte_len(&ctx, &t, &Dynamic::UNIT)
    });
    reg(
        "byte_len",
        &["text: string", "encoding: string", "int"],
        "/// The number of bytes of `text` in `encoding` (any label `ReadLine` takes).",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, t: ImmutableString, e: Dynamic| byte_len(&ctx, &t, &e),
    );
    reg(
        "encode",
        &["text: string", "encoding: string", "Blob"],
        "/// The bytes of `text` in `encoding`; characters it cannot hold become `&#NNNN;`.",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, t: ImmutableString, e: Dynamic| encode(&ctx, &t, &e),
    );
    reg(
        "decode",
        &["data: Blob", "encoding: string", "string"],
        "/// The text of `data` in `encoding`; undecodable bytes become U+FFFD.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, b: Blob, e: Dynamic| {
        decode(&ctx, b, &e)
    });
    reg(
        "hex",
        &["data: Blob", "string"],
        "/// The bytes as lowercase hex digits, two a byte (`\"48656c6c6f\"`).",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, b: Blob| hex(&ctx, &b));
    reg(
        "from_hex",
        &["text: string", "Blob"],
        "/// The bytes of hex digit pairs; whitespace may separate bytes (`\"48 65 6c\"`).",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, t: ImmutableString| {
        parse_hex(&t).map_err(|e| throw(&ctx, e))
    });
    reg(
        "hexdump",
        &["data: Blob", "string"],
        "/// The bytes as `hexdump -C` shows them (offsets, hex, `|text|`), without the last newline.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, b: Blob| hexdump(&ctx, &b));
}

#[cfg(test)]
mod tests {
    use super::{dump, parse_hex};

    /// `hexdump -C` (util-linux 2.38) of bytes 0..=255, 48 zero bytes, "Hi", 0x00, 0xff, "end".
    const HEXDUMP_C: &str = r##"00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|
00000010  10 11 12 13 14 15 16 17  18 19 1a 1b 1c 1d 1e 1f  |................|
00000020  20 21 22 23 24 25 26 27  28 29 2a 2b 2c 2d 2e 2f  | !"#$%&'()*+,-./|
00000030  30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 3f  |0123456789:;<=>?|
00000040  40 41 42 43 44 45 46 47  48 49 4a 4b 4c 4d 4e 4f  |@ABCDEFGHIJKLMNO|
00000050  50 51 52 53 54 55 56 57  58 59 5a 5b 5c 5d 5e 5f  |PQRSTUVWXYZ[\]^_|
00000060  60 61 62 63 64 65 66 67  68 69 6a 6b 6c 6d 6e 6f  |`abcdefghijklmno|
00000070  70 71 72 73 74 75 76 77  78 79 7a 7b 7c 7d 7e 7f  |pqrstuvwxyz{|}~.|
00000080  80 81 82 83 84 85 86 87  88 89 8a 8b 8c 8d 8e 8f  |................|
00000090  90 91 92 93 94 95 96 97  98 99 9a 9b 9c 9d 9e 9f  |................|
000000a0  a0 a1 a2 a3 a4 a5 a6 a7  a8 a9 aa ab ac ad ae af  |................|
000000b0  b0 b1 b2 b3 b4 b5 b6 b7  b8 b9 ba bb bc bd be bf  |................|
000000c0  c0 c1 c2 c3 c4 c5 c6 c7  c8 c9 ca cb cc cd ce cf  |................|
000000d0  d0 d1 d2 d3 d4 d5 d6 d7  d8 d9 da db dc dd de df  |................|
000000e0  e0 e1 e2 e3 e4 e5 e6 e7  e8 e9 ea eb ec ed ee ef  |................|
000000f0  f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe ff  |................|
00000100  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000130  48 69 00 ff 65 6e 64                              |Hi..end|
00000137"##;

    #[test]
    fn dump_is_hexdump_c_exactly() {
        let mut bytes: Vec<u8> = (0..=255).collect();
        bytes.extend([0; 48]);
        bytes.extend(b"Hi\x00\xffend");
        assert_eq!(dump(&bytes, usize::MAX).as_deref(), Some(HEXDUMP_C));
        // `printf 'Hi' | hexdump -C`: a short first line keeps the full width.
        assert_eq!(
            dump(b"Hi", usize::MAX).as_deref(),
            Some("00000000  48 69                                             |Hi|\n00000002")
        );
        assert_eq!(dump(b"", usize::MAX).as_deref(), Some(""));
        assert_eq!(dump(&bytes, 100), None);
    }

    #[test]
    fn hex_pairs_with_spaces_between_bytes() {
        assert_eq!(parse_hex("48 65\n6C6c").unwrap(), b"Hell");
        assert_eq!(parse_hex("").unwrap(), b"");
        assert!(parse_hex("4g").unwrap_err().contains("character 2 ('g')"));
        assert!(parse_hex("zz").unwrap_err().contains("character 1 ('z')"));
        assert!(parse_hex("4 8").unwrap_err().contains("character 2 (' ')"));
        assert!(
            parse_hex("48 6")
                .unwrap_err()
                .contains("at character 4 has no pair")
        );
    }
}
