//! Binary records in the layout of Python's `struct`: `pack(format, values)` and
//! `unpack(format, blob [, offset])`. The format is an optional byte order (`@` native with
//! native sizes and alignment, the default; `=` native order, `<` little, `>` and `!` big, all
//! three with standard sizes and no alignment) and letters with repeat counts (`3H`; for `s`
//! the byte count, `4s`). Integers are script ints (`i64`), so `Q` and `N` hold 0 to `i64::MAX`:
//! packing more is impossible and unpacking more throws.

mod format;
mod half;

use rhai::{Array, Blob, Dynamic, Engine, FLOAT, ImmutableString, NativeCallContext};

use super::args::{RhaiResultOf, throw, type_name};
use super::bytes::{blob_limit, size};
use super::helpers::reg;
use format::{Format, Item, Kind, int_range, parse};
use half::{from_f16, to_f16};

fn put(out: &mut [u8], bits: u64, little: bool) {
    let n = out.len();
    if little {
        out.copy_from_slice(&bits.to_le_bytes()[..n]);
    } else {
        out.copy_from_slice(&bits.to_be_bytes()[8 - n..]);
    }
}

fn get(bytes: &[u8], little: bool) -> u64 {
    let mut all = [0u8; 8];
    if little {
        all[..bytes.len()].copy_from_slice(bytes);
        u64::from_le_bytes(all)
    } else {
        all[8 - bytes.len()..].copy_from_slice(bytes);
        u64::from_be_bytes(all)
    }
}

/// Packs one value at `out` (its item's size), or says why it cannot.
fn pack_one(
    ctx: &NativeCallContext,
    item: &Item,
    v: &Dynamic,
    little: bool,
    out: &mut [u8],
) -> Result<(), String> {
    let wrong = |wants: &str| format!("'{}' takes {wants}, not {}", item.letter, type_name(ctx, v));
    match item.kind {
        Kind::Pad => {}
        Kind::Bool => out[0] = u8::from(v.as_bool().map_err(|_| wrong("a bool"))?),
        Kind::Char => {
            out[0] = match (
                v.as_char(),
                v.read_lock::<ImmutableString>(),
                v.read_lock::<Blob>(),
            ) {
                (Ok(c), ..) if u32::from(c) < 256 => u32::from(c) as u8,
                (_, Some(s), _) if s.len() == 1 => s.as_bytes()[0],
                (_, _, Some(b)) if b.len() == 1 => b[0],
                _ => {
                    return Err(wrong(
                        "one byte (a blob or string of length 1, or a char below 256)",
                    ));
                }
            }
        }
        Kind::Int { .. } => {
            let n = v.as_int().map_err(|_| wrong("an integer"))?;
            let (lo, hi) = int_range(item);
            if n < lo || n > hi {
                return Err(format!(
                    "{n} is out of range for '{}' ({lo} to {hi})",
                    item.letter
                ));
            }
            put(out, n as u64, little);
        }
        Kind::Float => {
            let x = match (v.as_float(), v.as_int()) {
                (Ok(x), _) => x,
                (_, Ok(n)) => n as FLOAT,
                _ => return Err(wrong("a number")),
            };
            let bits = match item.size {
                2 => to_f16(x).map(u64::from),
                4 => Some(x as f32)
                    .filter(|f| f.is_finite() || !x.is_finite())
                    .map(|f| u64::from(f.to_bits())),
                _ => Some(x.to_bits()),
            };
            let bits = bits.ok_or_else(|| format!("{x} is too large for '{}'", item.letter))?;
            put(out, bits, little);
        }
        Kind::Bytes => {
            let data: Vec<u8> = if let Some(s) = v.read_lock::<ImmutableString>() {
                s.as_bytes().to_vec()
            } else if let Some(b) = v.read_lock::<Blob>() {
                b.clone()
            } else {
                return Err(wrong("a blob or a string"));
            };
            // Cut or padded with zero bytes to the count, as in Python.
            let n = data.len().min(out.len());
            out[..n].copy_from_slice(&data[..n]);
        }
    }
    Ok(())
}

fn unpack_one(item: &Item, bytes: &[u8], little: bool) -> Result<Dynamic, String> {
    Ok(match item.kind {
        Kind::Pad => Dynamic::UNIT,
        Kind::Bool => Dynamic::from_bool(bytes[0] != 0),
        Kind::Char | Kind::Bytes => Dynamic::from_blob(bytes.to_vec()),
        Kind::Int { signed } => {
            let raw = get(bytes, little);
            let shift = 64 - 8 * item.size as u32;
            if signed {
                Dynamic::from_int(((raw << shift) as i64) >> shift)
            } else {
                Dynamic::from_int(i64::try_from(raw).map_err(|_| {
                    format!(
                        "'{}' holds {raw}, more than a script integer can (i64::MAX); read it as '{}'",
                        item.letter,
                        item.letter.to_ascii_lowercase()
                    )
                })?)
            }
        }
        Kind::Float => Dynamic::from_float(match item.size {
            2 => from_f16(get(bytes, little) as u16),
            4 => FLOAT::from(f32::from_bits(get(bytes, little) as u32)),
            _ => f64::from_bits(get(bytes, little)),
        }),
    })
}

fn layout(ctx: &NativeCallContext, format: &str) -> RhaiResultOf<(Format, Vec<usize>, usize)> {
    let f = parse(format).map_err(|e| throw(ctx, format!("format '{format}': {e}")))?;
    let max = blob_limit(ctx);
    let (starts, total) = f.offsets(max).ok_or_else(|| {
        throw(
            ctx,
            format!(
                "format '{format}' describes more bytes than a blob can hold ({})",
                size(max)
            ),
        )
    })?;
    Ok((f, starts, total))
}

fn pack(ctx: &NativeCallContext, format: &str, values: &Array) -> RhaiResultOf<Blob> {
    let (f, starts, total) = layout(ctx, format)?;
    if values.len() != f.values() {
        return Err(throw(
            ctx,
            format!(
                "format '{format}' takes {} values, not {}",
                f.values(),
                values.len()
            ),
        ));
    }
    let mut out = vec![0u8; total];
    let mut values = values.iter().enumerate();
    for (item, start) in f.items.iter().zip(starts) {
        let (n, width) = match item.kind {
            Kind::Pad => continue,
            Kind::Bytes => (1, item.count),
            _ => (item.count, item.size),
        };
        for k in 0..n {
            let Some((i, v)) = values.next() else { break };
            let at = start + k * width;
            pack_one(ctx, item, v, f.little, &mut out[at..at + width]).map_err(|e| {
                throw(
                    ctx,
                    format!(
                        "value {} for '{}' (at {} of '{format}'): {e}",
                        i + 1,
                        item.letter,
                        item.at
                    ),
                )
            })?;
        }
    }
    Ok(out)
}

fn unpack(ctx: &NativeCallContext, format: &str, blob: &[u8], offset: i64) -> RhaiResultOf<Array> {
    let (f, starts, total) = layout(ctx, format)?;
    let Some(offset) = usize::try_from(offset).ok().filter(|&o| o <= blob.len()) else {
        return Err(throw(
            ctx,
            format!("offset {offset} is outside the blob (0 to {})", blob.len()),
        ));
    };
    let rest = &blob[offset..];
    if rest.len() < total {
        return Err(throw(
            ctx,
            format!(
                "format '{format}' needs {total} bytes, but the blob has {} from offset {offset} ({} in all)",
                rest.len(),
                blob.len()
            ),
        ));
    }
    let mut out = Array::with_capacity(f.values());
    for (item, start) in f.items.iter().zip(starts) {
        let (n, width) = match item.kind {
            Kind::Pad => continue,
            Kind::Bytes => (1, item.count),
            _ => (item.count, item.size),
        };
        for k in 0..n {
            let at = start + k * width;
            out.push(
                unpack_one(item, &rest[at..at + width], f.little)
                    .map_err(|e| throw(ctx, format!("at byte {}: {e}", offset + at)))?,
            );
        }
    }
    Ok(out)
}

pub(super) fn register(engine: &mut Engine) {
    reg(
        "pack",
        &["format: string", "values: Array", "Blob"],
        "/// The values as bytes in the layout of Python's `struct` (`pack(\"<HI\", [1, 2])`).",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, f: ImmutableString, v: Array| pack(&ctx, &f, &v),
    );
    reg(
        "unpack",
        &["format: string", "data: Blob", "Array"],
        "/// The values in `data` laid out as `format` (Python's `struct`); more bytes may follow.",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, f: ImmutableString, b: Blob| unpack(&ctx, &f, &b, 0),
    );
    reg(
        "unpack",
        &["format: string", "data: Blob", "offset: int", "Array"],
        "/// The values laid out as `format` from byte `offset` of `data`.",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, f: ImmutableString, b: Blob, o: i64| unpack(&ctx, &f, &b, o),
    );
}
