//! Text encodings of `SendLine` / `ReadLine`: every WHATWG label that `encoding_rs` knows
//! (`windows-1251`, `koi8-r`, `cp866`, `utf-16le`, …), case-insensitive.
//!
//! `encoding_rs` decodes UTF-16 but cannot encode it (its encoder falls back to UTF-8), so UTF-16
//! is encoded here by hand. Decoding never fails: undecodable bytes become U+FFFD. A BOM is not
//! sniffed: the caller chose the encoding, and a BOM in the data stays in the text.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Codec(&'static Encoding);

impl Codec {
    pub(crate) const UTF8: Codec = Codec(encoding_rs::UTF_8);

    /// Looks an encoding up by any of its labels.
    pub(crate) fn for_label(label: &str) -> Result<Codec, String> {
        Encoding::for_label(label.trim().as_bytes())
            .map(Codec)
            .ok_or_else(|| {
                format!(
                    "unknown encoding '{label}' (try UTF-8, windows-1251, koi8-r, cp866, utf-16le)"
                )
            })
    }

    pub(crate) fn encode(self, text: &str) -> Vec<u8> {
        if self.0 == UTF_16LE {
            text.encode_utf16().flat_map(u16::to_le_bytes).collect()
        } else if self.0 == UTF_16BE {
            text.encode_utf16().flat_map(u16::to_be_bytes).collect()
        } else {
            // Unmappable characters become numeric character references, as in browsers.
            self.0.encode(text).0.into_owned()
        }
    }

    pub(crate) fn decode(self, bytes: &[u8]) -> String {
        self.0.decode_without_bom_handling(bytes).0.into_owned()
    }

    /// Decodes as much of `bytes` as fits in `max` bytes of UTF-8 (a Rhai string's limit): the
    /// text, and how many of `bytes` it took: all of them, unless the text would be longer.
    /// Undecodable bytes take three bytes each as U+FFFD, so 11.2 MB of them fill 32 MiB.
    pub(crate) fn decode_within(self, bytes: &[u8], max: usize) -> (String, usize) {
        let text = self.decode(bytes);
        if text.len() <= max {
            return (text, bytes.len());
        }
        drop(text);
        let mut out = vec![0u8; max];
        let mut decoder = self.0.new_decoder_without_bom_handling();
        // The output fills before the input ends, so nothing is held back in the decoder: every
        // byte it reports as read is in the text.
        let (_, read, written, _) = decoder.decode_to_utf8(bytes, &mut out, false);
        out.truncate(written);
        (String::from_utf8(out).unwrap_or_default(), read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1251_round_trip() {
        let c = Codec::for_label("Windows-1251").unwrap();
        let bytes = c.encode("Привет");
        assert_eq!(bytes, [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2]);
        assert_eq!(c.decode(&bytes), "Привет");
    }

    #[test]
    fn utf16_is_encoded_by_hand() {
        let c = Codec::for_label("utf-16le").unwrap();
        assert_eq!(c.encode("Я"), [0x2F, 0x04]);
        assert_eq!(c.decode(&[0x2F, 0x04]), "Я");
        let c = Codec::for_label("UTF-16BE").unwrap();
        assert_eq!(c.encode("Я"), [0x04, 0x2F]);
    }

    #[test]
    fn a_text_too_long_for_a_string_is_cut_where_it_fits() {
        let bytes = [0xFF; 10];
        let (text, used) = Codec::UTF8.decode_within(&bytes, 10);
        assert!(text.len() <= 10 && used < 10, "{text} {used}");
        assert_eq!(text, Codec::UTF8.decode(&bytes[..used]));
        let c = Codec::for_label("windows-1251").unwrap();
        let bytes = [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2];
        let (text, used) = c.decode_within(&bytes, 9);
        // encoding_rs may stop a character early; what it took is exactly what it returned.
        assert!(
            text.len() <= 9 && used < bytes.len() && used > 0,
            "{text} {used}"
        );
        assert_eq!(text, c.decode(&bytes[..used]));
        assert_eq!(Codec::UTF8.decode_within(b"abc", 3), ("abc".into(), 3));
    }

    #[test]
    fn labels_and_garbage() {
        for l in ["utf8", "UTF-8", "cp866", "ibm866", "koi8-r", "cp1251"] {
            assert!(Codec::for_label(l).is_ok(), "{l}");
        }
        assert!(
            Codec::for_label("klingon")
                .unwrap_err()
                .contains("unknown encoding")
        );
        assert_eq!(Codec::UTF8.decode(&[0x41, 0xFF]), "A\u{FFFD}");
    }
}
