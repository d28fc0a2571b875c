//! The bracket a source leaves open. Rhai reports a missing `}` where the input ends, a line
//! that does not exist; the useful place to show is the `{` that was never closed.
//!
//! A plain scan, not a parse: it skips strings, characters and comments, and pairs `{ [ (` with
//! their closers. It runs only after Rhai has rejected the source, to choose what to point at.

/// The line and column (1-based, counted in characters as Rhai counts them) and the character of
/// the innermost bracket still open at the end of `text`, if any.
pub(crate) fn unclosed(text: &str) -> Option<(usize, usize, char)> {
    let mut open: Vec<(usize, usize, char)> = Vec::new();
    let (mut line, mut col) = (1, 0);
    let mut chars = text.chars().peekable();
    // Advances past one character, keeping the position of the last one taken.
    let mut next = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        let c = chars.next()?;
        if c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += 1;
        }
        Some((c, line, col))
    };
    while let Some((c, l, k)) = next(&mut chars) {
        match c {
            '{' | '[' | '(' => open.push((l, k, c)),
            // A stray closer is Rhai's to report; keep scanning for the open one.
            '}' | ']' | ')' if open.last().is_some_and(|&(_, _, o)| closer(o) == c) => {
                open.pop();
            }
            '"' | '`' | '\'' => {
                while let Some((s, _, _)) = next(&mut chars) {
                    if s == '\\' && c != '`' {
                        next(&mut chars);
                    } else if s == c {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                while chars.peek().is_some_and(|&s| s != '\n') {
                    next(&mut chars);
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                next(&mut chars);
                // Rhai's block comments nest.
                let mut depth = 1;
                while depth > 0 {
                    match next(&mut chars) {
                        Some(('*', _, _)) if chars.peek() == Some(&'/') => {
                            next(&mut chars);
                            depth -= 1;
                        }
                        Some(('/', _, _)) if chars.peek() == Some(&'*') => {
                            next(&mut chars);
                            depth += 1;
                        }
                        Some(_) => {}
                        None => break,
                    }
                }
            }
            _ => {}
        }
    }
    open.pop()
}

fn closer(open: char) -> char {
    match open {
        '{' => '}',
        '[' => ']',
        _ => ')',
    }
}

#[cfg(test)]
mod tests {
    use super::unclosed;

    #[test]
    fn finds_the_innermost_open_bracket() {
        assert_eq!(unclosed("let x = 1;\nif x {\n  f(1);\n"), Some((2, 6, '{')));
        assert_eq!(unclosed("fn f() {\n  [1, (2\n}"), Some((2, 7, '(')));
        assert_eq!(unclosed("fn f() { [1, 2] }"), None);
    }

    #[test]
    fn skips_strings_characters_and_comments() {
        let text = "let a = \"{\\\"\"; let b = `{`; let c = '{';\n// {\n/* { /* { */ */ {";
        assert_eq!(unclosed(text), Some((3, 17, '{')));
    }

    #[test]
    fn counts_columns_in_characters() {
        assert_eq!(unclosed("let é = \"ж\"; {"), Some((1, 14, '{')));
    }
}
