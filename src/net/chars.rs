//! Where characters begin, for the encodings in which a marker's bytes can occur inside a
//! character: UTF-16 (a `"\n"` is `0A 00`, which also straddles two code units such as
//! `41 0A`+`00 42`), the double-byte encodings of East Asia (Shift_JIS, Big5, GBK/gb18030,
//! EUC-KR, EUC-JP, whose trail bytes include `@`, `\`, `|` and letters) and ISO-2022-JP (where
//! two-byte mode reuses ASCII's bytes). A marker or a literal found at a byte offset counts only
//! where a character begins; in single-byte encodings and UTF-8 (whose encoded characters never
//! occur inside another) every match counts, and nothing here runs.
//!
//! Malformed input is stepped over as the WHATWG decoders do: a lead byte whose next byte cannot
//! trail it is a character of its own, and the next byte starts the next one.

/// How an encoding's characters are laid out in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CharUnits {
    /// Any byte can begin a match: single-byte encodings, UTF-8.
    #[default]
    Bytes,
    /// Two-byte code units (UTF-16LE/BE): a match begins at an even offset.
    Utf16,
    /// Shift_JIS: a lead byte 0x81–0x9F or 0xE0–0xFC begins a two-byte character.
    ShiftJis,
    /// Big5, EUC-KR (UHC): a lead byte 0x81–0xFE begins a two-byte character.
    DoubleByte,
    /// GBK and gb18030: as `DoubleByte`, or four bytes when the second is a digit.
    Gb18030,
    /// EUC-JP: 0x8E begins two bytes, 0x8F three, 0xA1–0xFE two.
    EucJp,
    /// ISO-2022-JP: escape sequences switch between one-byte and two-byte modes; a match of a
    /// one-byte text begins only in a one-byte mode.
    Iso2022Jp,
}

const ESC: u8 = 0x1B;

/// Walks a growing buffer from its first byte (which begins a character) to tell which offsets
/// begin one. Offsets must be asked in increasing order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Walker {
    units: CharUnits,
    /// A character begins here, at or before every offset asked so far.
    at: usize,
    /// ISO-2022-JP: in two-byte mode at `at`.
    two_byte_mode: bool,
}

impl Walker {
    pub(crate) fn new(units: CharUnits) -> Walker {
        Walker {
            units,
            ..Walker::default()
        }
    }

    /// Whether a match of `needle` may begin at `offset` of `buf`: a character begins there
    /// (and, in ISO-2022-JP, the mode fits the needle).
    pub(crate) fn may_begin(&mut self, buf: &[u8], offset: usize, needle: &[u8]) -> bool {
        match self.units {
            CharUnits::Bytes => true,
            CharUnits::Utf16 => offset.is_multiple_of(2),
            _ => {
                while self.at < offset {
                    let len = self.char_len(&buf[self.at..]);
                    if self.at + len > offset {
                        // `offset` lies inside the character at `self.at`.
                        return false;
                    }
                    self.at += len;
                }
                self.at == offset
                    && (self.units != CharUnits::Iso2022Jp
                        || !self.two_byte_mode
                        || needle.first() == Some(&ESC))
            }
        }
    }

    /// The length of the character that begins `rest` (never 0 for a non-empty `rest`); one
    /// past the end when it is cut off by the end of what has arrived.
    fn char_len(&mut self, rest: &[u8]) -> usize {
        let b0 = rest.first().copied().unwrap_or(0);
        let b1 = rest.get(1).copied();
        // A lead byte pairs with what follows only if that can trail it; an ASCII byte that
        // cannot is a character of its own (WHATWG decoders put it back).
        let pair = |trail_ok: fn(u8) -> bool| match b1 {
            Some(t) if !trail_ok(t) && t < 0x80 => 1,
            _ => 2,
        };
        match self.units {
            CharUnits::Bytes => 1,
            CharUnits::Utf16 => 2,
            CharUnits::ShiftJis => match b0 {
                0x81..=0x9F | 0xE0..=0xFC => pair(|t| (0x40..=0x7E).contains(&t)),
                _ => 1,
            },
            CharUnits::DoubleByte => match b0 {
                0x81..=0xFE => pair(|t| (0x40..=0x7E).contains(&t)),
                _ => 1,
            },
            CharUnits::Gb18030 => match (b0, b1) {
                (0x81..=0xFE, Some(0x30..=0x39)) => 4,
                (0x81..=0xFE, _) => pair(|t| (0x40..=0x7E).contains(&t)),
                _ => 1,
            },
            CharUnits::EucJp => match b0 {
                0x8F => 3,
                0x8E | 0xA1..=0xFE => 2,
                _ => 1,
            },
            CharUnits::Iso2022Jp => self.iso_2022_jp_len(rest),
        }
    }

    fn iso_2022_jp_len(&mut self, rest: &[u8]) -> usize {
        if rest.first() == Some(&ESC) {
            match rest.get(1..3) {
                // ESC ( B, ESC ( J, ESC ( I: one-byte modes.
                Some([b'(', b'B' | b'J' | b'I']) => {
                    self.two_byte_mode = false;
                    return 3;
                }
                // ESC $ @, ESC $ B: JIS X 0208, two bytes a character.
                Some([b'$', b'@' | b'B']) => {
                    self.two_byte_mode = true;
                    return 3;
                }
                _ => return 1,
            }
        }
        match rest.first() {
            // Line ends and other controls stand for themselves in any mode.
            Some(b) if self.two_byte_mode && (0x21..=0x7E).contains(b) => 2,
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(units: CharUnits, buf: &[u8], needle: &[u8]) -> Vec<usize> {
        let mut w = Walker::new(units);
        (0..buf.len())
            .filter(|&i| w.may_begin(buf, i, needle))
            .collect()
    }

    #[test]
    fn utf16_begins_at_even_offsets() {
        assert_eq!(
            starts(CharUnits::Utf16, &[0x41, 0x0A, 0x00, 0x42], b"\n\0"),
            [0, 2]
        );
    }

    #[test]
    fn shift_jis_trail_bytes_are_not_starts() {
        // 表 is 95 5C: its trail byte is `\`.
        let buf = [0x95, 0x5C, b'\\', 0xB1, b'a'];
        assert_eq!(starts(CharUnits::ShiftJis, &buf, b"\\"), [0, 2, 3, 4]);
        // A lead byte before a line end is a character of its own.
        assert_eq!(starts(CharUnits::ShiftJis, &[0x81, b'\n'], b"\n"), [0, 1]);
    }

    #[test]
    fn gb18030_four_byte_characters() {
        let buf = [0x81, 0x30, 0x81, 0x30, b'@', 0xB0, 0x40];
        assert_eq!(starts(CharUnits::Gb18030, &buf, b"@"), [0, 4, 5]);
    }

    #[test]
    fn iso_2022_jp_two_byte_mode_hides_ascii_bytes() {
        // ESC $ B, 0x30 0x40 (one kanji), ESC ( B, '@'.
        let buf = [ESC, b'$', b'B', 0x30, 0x40, ESC, b'(', b'B', b'@'];
        assert_eq!(
            starts(CharUnits::Iso2022Jp, &buf, b"@"),
            [0, 8],
            "the kanji's bytes are not '@'"
        );
    }
}
