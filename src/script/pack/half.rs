//! IEEE half-precision floats for the `e` letter of `pack` / `unpack`, converted from and to
//! `f64` directly (through `f32` would round twice).

/// A float in IEEE half precision, rounded to nearest even; `None` when it is too large.
pub(super) fn to_f16(x: f64) -> Option<u16> {
    let sign = if x.is_sign_negative() { 0x8000 } else { 0 };
    if x.is_nan() {
        return Some(sign | 0x7e00);
    }
    if x.is_infinite() {
        return Some(sign | 0x7c00);
    }
    let a = x.abs();
    if a < f64::MIN_POSITIVE {
        return Some(sign);
    }
    let exp = ((a.to_bits() >> 52) as i32) - 1023;
    // The result's unit in the last place: 2^-24 for subnormals, else 10 bits below the top.
    let ulp = exp.max(-14) - 10;
    let steps = (a / 2f64.powi(ulp)).round_ties_even();
    if ulp == -24 && steps < 1024.0 {
        return Some(sign | steps as u16);
    }
    let (exp, steps) = if steps >= 2048.0 {
        (exp.max(-14) + 1, 1024.0)
    } else {
        (exp.max(-14), steps)
    };
    let field = exp + 15;
    (field < 31).then(|| sign | ((field as u16) << 10) | (steps as u16 - 1024))
}

pub(super) fn from_f16(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let field = i32::from((h >> 10) & 0x1f);
    let frac = f64::from(h & 0x3ff);
    sign * match field {
        0 => frac * 2f64.powi(-24),
        31 if frac == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (1024.0 + frac) * 2f64.powi(field - 25),
    }
}

#[cfg(test)]
mod tests {
    use super::{from_f16, to_f16};

    /// Python's `struct.pack('<e', x)` for each value.
    #[test]
    fn half_floats_round_as_python_does() {
        for (x, bits) in [
            (1.5, 0x3e00),
            (65504.0, 0x7bff),
            (65519.99, 0x7bff),
            (1e-7, 0x0002),
            (5.960464477539063e-08, 0x0001),
            (-0.0, 0x8000),
            (0.1, 0x2e66),
            (f64::INFINITY, 0x7c00),
        ] {
            assert_eq!(to_f16(x), Some(bits), "{x}");
        }
        assert_eq!(to_f16(65520.0), None);
        assert_eq!(from_f16(0x7bff), 65504.0);
        assert_eq!(from_f16(0x0001), 5.960464477539063e-08);
        assert!(from_f16(0x7e00).is_nan());
    }
}
