//! `hexdump -C`'s layout, for the script's `hexdump`, the REPL's blob view and the wire trace.

use std::fmt::Write as _;

/// The text `hexdump -C` prints for `bytes`, without its last newline, or `None` once it would
/// pass `max` bytes. Runs of identical 16-byte lines show as one line and `*`, as there.
pub fn hexdump(bytes: &[u8], max: usize) -> Option<String> {
    let mut out = String::new();
    let mut previous: Option<&[u8]> = None;
    let mut squeezed = false;
    for (n, line) in bytes.chunks(16).enumerate() {
        if line.len() == 16 && previous == Some(line) {
            if !squeezed {
                out.push_str("*\n");
                squeezed = true;
            }
            continue;
        }
        previous = Some(line);
        squeezed = false;
        let _ = write!(out, "{:08x} ", n * 16);
        for j in 0..16 {
            if j % 8 == 0 {
                out.push(' ');
            }
            match line.get(j) {
                Some(b) => {
                    let _ = write!(out, "{b:02x} ");
                }
                None => out.push_str("   "),
            }
        }
        out.push_str(" |");
        out.extend(line.iter().map(|&b| match b {
            0x20..=0x7e => b as char,
            _ => '.',
        }));
        out.push_str("|\n");
        if out.len() > max {
            return None;
        }
    }
    if !bytes.is_empty() {
        let _ = write!(out, "{:08x}", bytes.len());
    }
    (out.len() <= max).then_some(out)
}
