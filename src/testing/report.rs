//! How outcomes are told: the line per test on the terminal, the record a `--jobs` child sends
//! its parent, and the JUnit XML report.

use std::fmt::Write as _;
use std::time::Duration;

use super::{Outcome, Verdict};

/// The human report of one test: `ok` or `FAILED` with the time, then for a failure its message
/// and what the test printed, indented (and with `show_output`, a pass's output too).
pub(crate) fn line(o: &Outcome, show_output: bool) {
    let ms = o.elapsed.as_millis();
    match o.verdict.message() {
        None => outln!("ok      {}::{} ({ms} ms)", o.file, o.name),
        Some(msg) => {
            outln!("FAILED  {}::{} ({ms} ms)", o.file, o.name);
            for line in msg.lines() {
                outln!("        {line}");
            }
        }
    }
    if !o.output.is_empty() && (show_output || o.verdict.message().is_some()) {
        outln!("        output:");
        for line in o.output.lines() {
            outln!("          {line}");
        }
    }
}

/// The first field of a child's record; any other line of its stdout is not one.
const RECORD: &str = "opi-tcp-test";

/// One outcome as one line, tab-separated, for the parent of a `--jobs` run.
pub(crate) fn encode(o: &Outcome) -> String {
    let (verdict, message) = match &o.verdict {
        Verdict::Passed => ("passed", ""),
        Verdict::Failed(m) => ("failed", m.as_str()),
        Verdict::Error(m) => ("error", m.as_str()),
        Verdict::Interrupted => ("interrupted", ""),
    };
    let ms = o.elapsed.as_micros().to_string();
    [RECORD, &o.file, &o.name, &ms, verdict, message, &o.output]
        .map(escape)
        .join("\t")
}

/// The outcome a child's line carries, if it is a record.
pub(crate) fn decode(line: &str) -> Option<Outcome> {
    let fields: Vec<String> = line.split('\t').map(unescape).collect();
    let [record, file, name, us, verdict, message, output] = fields.try_into().ok()?;
    if record != RECORD {
        return None;
    }
    let verdict = match verdict.as_str() {
        "passed" => Verdict::Passed,
        "failed" => Verdict::Failed(message),
        "error" => Verdict::Error(message),
        "interrupted" => Verdict::Interrupted,
        _ => return None,
    };
    Some(Outcome {
        file,
        name,
        elapsed: Duration::from_micros(us.parse().ok()?),
        verdict,
        output,
    })
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => {}
            },
            (c, false) => out.push(c),
        }
    }
    out
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .fold(String::new(), |mut out, c| {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                c => out.push(c),
            }
            out
        })
}

fn count(cases: &[&Outcome], f: fn(&Verdict) -> bool) -> usize {
    cases.iter().filter(|o| f(&o.verdict)).count()
}

fn is_failure(v: &Verdict) -> bool {
    matches!(v, Verdict::Failed(_))
}

fn is_error(v: &Verdict) -> bool {
    matches!(v, Verdict::Error(_) | Verdict::Interrupted)
}

/// A JUnit XML report: one `testsuite` per file. A failed assertion is a `<failure>`; any other
/// error, a deadline included, is an `<error>`; what a test printed is its `<system-out>`.
pub(crate) fn junit(outcomes: &[Outcome]) -> String {
    let all: Vec<&Outcome> = outcomes.iter().collect();
    let mut files: Vec<&str> = outcomes.iter().map(|o| o.file.as_str()).collect();
    files.dedup();
    let time = |cases: &[&Outcome]| -> f64 { cases.iter().map(|o| o.elapsed.as_secs_f64()).sum() };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"opi-tcp\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3}\">",
        all.len(),
        count(&all, is_failure),
        count(&all, is_error),
        time(&all)
    );
    for file in files {
        let cases: Vec<&Outcome> = outcomes.iter().filter(|o| o.file == file).collect();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3}\">",
            xml(file),
            cases.len(),
            count(&cases, is_failure),
            count(&cases, is_error),
            time(&cases)
        );
        for c in cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                xml(file),
                xml(&c.name),
                c.elapsed.as_secs_f64()
            );
            let tag = match &c.verdict {
                Verdict::Failed(_) => "failure",
                _ => "error",
            };
            match c.verdict.message() {
                None if c.output.is_empty() => {
                    out.push_str("/>\n");
                    continue;
                }
                None => out.push_str(">\n"),
                Some(msg) => {
                    let first = msg.lines().next().unwrap_or_default();
                    let _ = writeln!(
                        out,
                        ">\n      <{tag} message=\"{}\">{}</{tag}>",
                        xml(first),
                        xml(msg)
                    );
                }
            }
            if !c.output.is_empty() {
                let _ = writeln!(out, "      <system-out>{}</system-out>", xml(&c.output));
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_carries_every_field_through_tabs_and_newlines() {
        let o = Outcome {
            file: "a\tb.rhai".into(),
            name: "test_x".into(),
            elapsed: Duration::from_micros(1234),
            verdict: Verdict::Failed("line 1\nline\\2\r".into()),
            output: "printed\n".into(),
        };
        let line = encode(&o);
        assert!(!line.contains('\n'), "{line}");
        let back = decode(&line).unwrap();
        assert_eq!(
            (back.file, back.name, back.elapsed, back.output),
            (o.file, o.name, o.elapsed, o.output)
        );
        assert!(matches!(back.verdict, Verdict::Failed(m) if m == "line 1\nline\\2\r"));
        assert!(decode("printed by a script").is_none());
    }
}
