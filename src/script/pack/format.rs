//! The format strings of `pack` and `unpack`: the byte order, the letters with their counts,
//! and where each item starts. Sizes and alignment are those of Python's `struct`: native ones
//! (this platform's C types, each aligned to its size) with `@` or no prefix, standard ones
//! with `=`, `<`, `>`, `!`.

const LETTERS: &str = "x c b B ? h H i I l L q Q n N P e f d s";

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Pad,
    Char,
    Bool,
    Int { signed: bool },
    Float,
    Bytes,
}

/// One letter of the format with its count, its size in bytes and where it stands (from 1).
#[derive(Debug, Clone, Copy)]
pub(super) struct Item {
    pub(super) letter: char,
    pub(super) kind: Kind,
    pub(super) count: usize,
    pub(super) size: usize,
    pub(super) at: usize,
}

impl Item {
    /// How many values it takes or gives: `4s` is one blob, `3x` none.
    pub(super) fn values(&self) -> usize {
        match self.kind {
            Kind::Pad => 0,
            Kind::Bytes => 1,
            _ => self.count,
        }
    }

    pub(super) fn bytes(&self) -> Option<usize> {
        match self.kind {
            Kind::Bytes => Some(self.count),
            _ => self.count.checked_mul(self.size),
        }
    }
}

#[derive(Debug)]
pub(super) struct Format {
    pub(super) little: bool,
    /// `@`: items are aligned to their size, counted from the start of the record.
    aligned: bool,
    pub(super) items: Vec<Item>,
}

fn size_of(letter: char, native: bool) -> Option<(Kind, usize)> {
    use std::ffi::{c_int, c_long, c_short};
    use std::mem::size_of as n;
    let int = |signed| Kind::Int { signed };
    Some(match letter {
        'x' => (Kind::Pad, 1),
        'c' => (Kind::Char, 1),
        's' => (Kind::Bytes, 1),
        '?' => (Kind::Bool, 1),
        'b' | 'B' => (int(letter == 'b'), 1),
        'h' | 'H' => (int(letter == 'h'), if native { n::<c_short>() } else { 2 }),
        'i' | 'I' => (int(letter == 'i'), if native { n::<c_int>() } else { 4 }),
        'l' | 'L' => (int(letter == 'l'), if native { n::<c_long>() } else { 4 }),
        'q' | 'Q' => (int(letter == 'q'), 8),
        'n' | 'N' if native => (int(letter == 'n'), n::<isize>()),
        'P' if native => (int(false), n::<usize>()),
        'e' => (Kind::Float, 2),
        'f' => (Kind::Float, 4),
        'd' => (Kind::Float, 8),
        _ => return None,
    })
}

pub(super) fn parse(format: &str) -> Result<Format, String> {
    let mut chars = format.chars().enumerate().peekable();
    let (little, native) = match chars.peek().map(|&(_, c)| c) {
        Some('<') => (true, false),
        Some('>' | '!') => (false, false),
        Some('=') => (cfg!(target_endian = "little"), false),
        Some('@') => (cfg!(target_endian = "little"), true),
        _ => (cfg!(target_endian = "little"), true),
    };
    if chars.peek().is_some_and(|&(_, c)| "<>!=@".contains(c)) {
        chars.next();
    }
    let mut items = Vec::new();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut count = None;
        let (mut i, mut c) = (i, c);
        while let Some(d) = c.to_digit(10) {
            count = Some(
                count
                    .unwrap_or(0usize)
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(d as usize))
                    .ok_or_else(|| format!("the count at {} is too large", i + 1))?,
            );
            (i, c) = chars
                .next()
                .ok_or_else(|| format!("the count at the end of '{format}' has no letter"))?;
        }
        let Some((kind, size)) = size_of(c, native) else {
            return Err(match c {
                'n' | 'N' | 'P' => format!(
                    "'{c}' (at {}) has a native size only: use it without a byte order or with '@'",
                    i + 1
                ),
                '<' | '>' | '!' | '=' | '@' => {
                    format!("the byte order '{c}' (at {}) may only come first", i + 1)
                }
                _ => format!(
                    "'{c}' (at {}) is not a format letter; they are {LETTERS}",
                    i + 1
                ),
            });
        };
        items.push(Item {
            letter: c,
            kind,
            count: count.unwrap_or(1),
            size,
            at: i + 1,
        });
    }
    Ok(Format {
        little,
        aligned: native,
        items,
    })
}

impl Format {
    /// Where each item starts, and the record's size; `None` past `max` bytes.
    pub(super) fn offsets(&self, max: usize) -> Option<(Vec<usize>, usize)> {
        let mut at = 0usize;
        let mut starts = Vec::with_capacity(self.items.len());
        for item in &self.items {
            if self.aligned && item.size > 1 && item.kind != Kind::Bytes {
                at = at.checked_next_multiple_of(item.size)?;
            }
            starts.push(at);
            at = at.checked_add(item.bytes()?)?;
        }
        (at <= max).then_some((starts, at))
    }

    pub(super) fn values(&self) -> usize {
        self.items.iter().map(Item::values).sum()
    }
}

pub(super) fn int_range(item: &Item) -> (i64, i64) {
    let bits = item.size as u32 * 8;
    match item.kind {
        Kind::Int { signed: true } if bits < 64 => {
            (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
        }
        Kind::Int { signed: false } if bits < 64 => (0, (1i64 << bits) - 1),
        Kind::Int { signed: false } => (0, i64::MAX),
        _ => (i64::MIN, i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn native_alignment_is_counted_from_the_record_start() {
        let f = parse("@bhiq").unwrap();
        assert_eq!(f.offsets(usize::MAX).unwrap(), (vec![0, 2, 4, 8], 16));
        let f = parse("llh0l").unwrap();
        assert_eq!(f.offsets(usize::MAX).unwrap().1, 24);
        let f = parse("<bhiq").unwrap();
        assert_eq!(f.offsets(usize::MAX).unwrap().1, 15);
        assert!(parse("<n").unwrap_err().contains("native size only"));
        assert!(parse("<H<").unwrap_err().contains("may only come first"));
        assert!(parse("3").unwrap_err().contains("has no letter"));
        assert!(parse("z").unwrap_err().contains("not a format letter"));
    }
}
