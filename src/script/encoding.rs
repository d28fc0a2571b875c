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
