//! Text encodings of `SendLine` / `ReadLine`: every WHATWG label that `encoding_rs` knows
//! (`windows-1251`, `koi8-r`, `cp866`, `utf-16le`, …), case-insensitive, and 1C's `ANSI` / `OEM`.
//!
//! `encoding_rs` decodes UTF-16 but cannot encode it (its encoder falls back to UTF-8), so UTF-16
//! is encoded here by hand. Decoding never fails: undecodable bytes become U+FFFD. A BOM is not
//! sniffed: the caller chose the encoding, and a BOM in the data stays in the text.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

use crate::net::CharUnits;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Codec(&'static Encoding);

impl Codec {
    pub(crate) const UTF8: Codec = Codec(encoding_rs::UTF_8);

    /// Looks an encoding up by any of its labels, or by 1C's names for the system code pages:
    /// `ANSI` (windows-1251) and `OEM` (cp866), as on a Russian Windows, where OPI runs.
    pub(crate) fn for_label(label: &str) -> Result<Codec, String> {
        // The default, named on nearly every SendLine and ReadLine: no table lookup for it.
        if label.eq_ignore_ascii_case("UTF-8") {
            return Ok(Codec::UTF8);
        }
        let label = label.trim();
        if label.eq_ignore_ascii_case("ansi") {
            return Ok(Codec(encoding_rs::WINDOWS_1251));
        }
        if label.eq_ignore_ascii_case("oem") {
            return Ok(Codec(encoding_rs::IBM866));
        }
        match Encoding::for_label(label.as_bytes()) {
            // WHATWG maps ISO-2022-KR, HZ-GB-2312, ISO-2022-CN and the like to an encoding that
            // decodes any input to one U+FFFD (a guard for browsers): a read in it would consume
            // the line and give nothing back.
            Some(e) if e == encoding_rs::REPLACEMENT => Err(format!(
                "the encoding '{label}' is not supported: WHATWG maps it to the 'replacement' \
                 encoding, which turns any text into one U+FFFD (read a blob and decode it \
                 yourself)"
            )),
            Some(e) => Ok(Codec(e)),
            None => Err(format!(
                "unknown encoding '{label}' (try UTF-8, windows-1251, koi8-r, cp866, utf-16le)"
            )),
        }
    }

    /// Where this encoding's characters begin, for a marker search that must not find its
    /// bytes inside a character.
    pub(crate) fn units(self) -> CharUnits {
        let e = self.0;
        if e == UTF_16LE || e == UTF_16BE {
            CharUnits::Utf16
        } else if e == encoding_rs::SHIFT_JIS {
            CharUnits::ShiftJis
        } else if e == encoding_rs::BIG5 || e == encoding_rs::EUC_KR {
            CharUnits::DoubleByte
        } else if e == encoding_rs::GBK || e == encoding_rs::GB18030 {
            CharUnits::Gb18030
        } else if e == encoding_rs::EUC_JP {
            CharUnits::EucJp
        } else if e == encoding_rs::ISO_2022_JP {
            CharUnits::Iso2022Jp
        } else {
            CharUnits::Bytes
        }
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
    /// text, and the bytes it did not take (none, unless the text would be longer). Valid UTF-8
    /// becomes the string without a copy. Undecodable bytes take three bytes each as U+FFFD, so
    /// 11.2 MB of them fill 32 MiB.
    pub(crate) fn decode_within(self, bytes: Vec<u8>, max: usize) -> (String, Vec<u8>) {
        let bytes = if self.0 == encoding_rs::UTF_8 && bytes.len() <= max {
            match String::from_utf8(bytes) {
                Ok(text) => return (text, Vec::new()),
                Err(e) => e.into_bytes(),
            }
        } else {
            bytes
        };
        let text = self.decode(&bytes);
        if text.len() <= max {
            return (text, Vec::new());
        }
        drop(text);
        let mut out = vec![0u8; max];
        let mut decoder = self.0.new_decoder_without_bom_handling();
        // The output fills before the input ends, so nothing is held back in the decoder: every
        // byte it reports as read is in the text.
        let (_, read, written, _) = decoder.decode_to_utf8(&bytes, &mut out, false);
        out.truncate(written);
        let rest = bytes.get(read..).unwrap_or_default().to_vec();
        (String::from_utf8(out).unwrap_or_default(), rest)
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
        let bytes = vec![0xFF; 10];
        let (text, rest) = Codec::UTF8.decode_within(bytes.clone(), 10);
        assert!(text.len() <= 10 && !rest.is_empty(), "{text} {rest:?}");
        assert_eq!(text, Codec::UTF8.decode(&bytes[..10 - rest.len()]));
        let c = Codec::for_label("windows-1251").unwrap();
        let bytes = vec![0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2];
        let (text, rest) = c.decode_within(bytes.clone(), 9);
        // encoding_rs may stop a character early; what it took is exactly what it returned.
        let used = bytes.len() - rest.len();
        assert!(
            text.len() <= 9 && used < bytes.len() && used > 0,
            "{text} {used}"
        );
        assert_eq!(text, c.decode(&bytes[..used]));
        assert_eq!(
            Codec::UTF8.decode_within(b"abc".to_vec(), 3),
            ("abc".into(), vec![])
        );
    }

    #[test]
    fn ansi_and_oem_are_the_russian_code_pages() {
        let ansi = Codec::for_label("ANSI").unwrap();
        let oem = Codec::for_label("oem").unwrap();
        assert_eq!(ansi.encode("Я"), [0xdf]);
        assert_eq!(oem.encode("Я"), [0x9f]);
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

    #[test]
    fn labels_of_the_replacement_encoding_are_refused() {
        for l in [
            "ISO-2022-KR",
            "hz-gb-2312",
            "iso-2022-cn",
            "csiso2022kr",
            "replacement",
        ] {
            let e = Codec::for_label(l).unwrap_err();
            assert!(e.contains("not supported") && e.contains(l), "{l}: {e}");
        }
        // A real stateful encoding with a similar name still works.
        assert!(Codec::for_label("ISO-2022-JP").is_ok());
    }
}
