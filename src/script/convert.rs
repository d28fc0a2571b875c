//! OPI's loose argument types: every OPI function passes its arguments through
//! `OPI_TypeConversion` (`GetNumber`, `GetLine`, `GetBoolean`), so a OneScript caller may pass
//! `"5000"` for a timeout, `42` for a text or `"false"` for a flag. These are the same
//! conversions, pure; `args` uses them and throws, worded for a user, on what they refuse.

use rhai::{Array, Blob, Dynamic, ImmutableString, Map};

/// `GetNumber`: an integer, a float (its whole part), or a string holding a number (spaces
/// around it allowed). `None` for anything else.
pub(crate) fn number(v: &Dynamic) -> Option<i64> {
    if let Ok(n) = v.as_int() {
        return Some(n);
    }
    if let Ok(f) = v.as_float() {
        return whole(f);
    }
    let s = v.read_lock::<ImmutableString>()?;
    let s = s.trim();
    s.parse::<i64>()
        .ok()
        .or_else(|| s.parse::<f64>().ok().and_then(whole))
}

fn whole(f: f64) -> Option<i64> {
    // `as` saturates; a value out of range is refused instead of becoming i64::MAX.
    (f.is_finite() && f.abs() < 9.2e18).then_some(f.trunc() as i64)
}

/// `GetBoolean`: a bool, a number (0 is false), or one of 1C's spellings in either language,
/// case-insensitive: `true`/`false`, `истина`/`ложь`, `да`/`нет`, `yes`/`no`, `1`/`0`.
pub(crate) fn boolean(v: &Dynamic) -> Option<bool> {
    if let Ok(b) = v.as_bool() {
        return Some(b);
    }
    if let Some(n) = number_only(v) {
        return Some(n != 0);
    }
    flag_word(&v.read_lock::<ImmutableString>()?)
}

/// One of the boolean spellings above, as text (the command line's flags read these too).
pub(crate) fn flag_word(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "true" | "истина" | "да" | "yes" | "1" => Some(true),
        "false" | "ложь" | "нет" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// A number that is a number already (not a string).
fn number_only(v: &Dynamic) -> Option<i64> {
    v.as_int()
        .ok()
        .or_else(|| v.as_float().ok().and_then(whole))
}

/// `GetLine`: a string; a number as its text; a blob as UTF-8 text; a map or array as JSON.
/// `None` for anything else (a bool, `()`, a handle).
pub(crate) fn text(v: &Dynamic) -> Option<String> {
    if let Some(s) = v.read_lock::<ImmutableString>() {
        return Some(s.to_string());
    }
    if let Ok(n) = v.as_int() {
        return Some(n.to_string());
    }
    if let Ok(f) = v.as_float() {
        return Some(f.to_string());
    }
    if let Some(b) = v.read_lock::<Blob>() {
        return Some(String::from_utf8_lossy(&b).into_owned());
    }
    if v.is::<Map>() || v.is::<Array>() {
        let mut out = String::new();
        json(v, &mut out);
        return Some(out);
    }
    None
}

/// The text OPI sends for data that is not text: `GetLine`'s for numbers, blobs and collections,
/// and for a boolean, which `GetLine` leaves to the platform's string conversion, `true` or
/// `false` (OneScript writes its locale's word, `Да` on a Russian system).
pub(crate) fn data_text(v: &Dynamic) -> Option<String> {
    text(v).or_else(|| v.as_bool().ok().map(|b| b.to_string()))
}

/// JSON text of a script value, as OPI's `JSONString` writes collections (walked without
/// recursion: see `nesting`).
pub(crate) fn json(v: &Dynamic, out: &mut String) {
    super::nesting::json(v.clone(), out, key, json_leaf);
}

fn key(k: &str, out: &mut String) {
    json_string(k, out);
    out.push(':');
}

fn json_leaf(v: &mut Dynamic, out: &mut String) {
    if let Some(s) = v.read_lock::<ImmutableString>() {
        json_string(&s, out);
    } else if let Ok(n) = v.as_int() {
        out.push_str(&n.to_string());
    } else if let Ok(f) = v.as_float() {
        out.push_str(&if f.is_finite() {
            f.to_string()
        } else {
            "null".into()
        });
    } else if let Ok(b) = v.as_bool() {
        out.push_str(if b { "true" } else { "false" });
    } else if v.is_unit() {
        out.push_str("null");
    } else if let Some(b) = v.read_lock::<Blob>() {
        json_string(&String::from_utf8_lossy(&b), out);
    } else {
        json_string(&v.to_string(), out);
    }
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_getnumber_reads_them() {
        for (v, want) in [
            (Dynamic::from(10_i64), Some(10)),
            (Dynamic::from("10"), Some(10)),
            (Dynamic::from(" 5000 "), Some(5000)),
            (Dynamic::from(1000.7_f64), Some(1000)),
            (Dynamic::from("2.5"), Some(2)),
            (Dynamic::from("ten"), None),
            (Dynamic::from(1e300_f64), None),
            (Dynamic::UNIT, None),
        ] {
            assert_eq!(number(&v), want, "{v:?}");
        }
    }

    #[test]
    fn booleans_in_both_languages() {
        for (v, want) in [
            (Dynamic::from("true"), Some(true)),
            (Dynamic::from("False"), Some(false)),
            (Dynamic::from("Истина"), Some(true)),
            (Dynamic::from("нет"), Some(false)),
            (Dynamic::from(0_i64), Some(false)),
            (Dynamic::from(2_i64), Some(true)),
            (Dynamic::from("maybe"), None),
        ] {
            assert_eq!(boolean(&v), want, "{v:?}");
        }
    }

    #[test]
    fn text_of_numbers_blobs_and_collections() {
        assert_eq!(text(&Dynamic::from(42_i64)).as_deref(), Some("42"));
        assert_eq!(
            text(&Dynamic::from_blob(b"hi".to_vec())).as_deref(),
            Some("hi")
        );
        let mut m = Map::new();
        m.insert("a".into(), Dynamic::from("x\"y"));
        m.insert(
            "b".into(),
            Dynamic::from(Array::from([Dynamic::from(1_i64), Dynamic::UNIT])),
        );
        assert_eq!(
            text(&m.into()).as_deref(),
            Some(r#"{"a":"x\"y","b":[1,null]}"#)
        );
        assert_eq!(text(&Dynamic::from(true)), None);
    }
}
