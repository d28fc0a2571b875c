//! Expect's search: which of several patterns (literal bytes or byte regexes) matches the bytes
//! that have arrived, pure and unit-tested without sockets; `conversation` feeds it.
//!
//! The match that starts earliest in the stream wins and a tie goes to the pattern listed first
//! (pexpect's rule). Each check resumes where the previous one ended, less a pattern's window
//! (a literal's length − 1, a regex's `max_span`), so the total cost stays linear in the bytes
//! received however they are split into chunks.

use std::fmt;

use memchr::memmem;
use regex::bytes::Regex;

/// How far back a regex search restarts by default: a regex match longer than this that began
/// before the previous check can be missed (`Pattern::regex_with_span` raises it).
pub const DEFAULT_MAX_SPAN: usize = 4096;

/// One thing to wait for.
#[derive(Clone)]
pub enum Pattern {
    /// These bytes (never empty).
    Literal(Box<memmem::Finder<'static>>),
    /// A byte regex (`regex::bytes`), and how long a match of it may be.
    Regex { re: Regex, max_span: usize },
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Literal(m) => write!(f, "Literal({:?})", String::from_utf8_lossy(m.needle())),
            Pattern::Regex { re, max_span } => write!(f, "Regex({:?}, {max_span})", re.as_str()),
        }
    }
}

/// A regex that does not compile; the text is `regex`'s, which points at the position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadPattern(String);

impl Pattern {
    /// Literal bytes; `None` for an empty literal, which would match everywhere.
    pub fn literal(bytes: &[u8]) -> Option<Pattern> {
        (!bytes.is_empty())
            .then(|| Pattern::Literal(Box::new(memmem::Finder::new(bytes).into_owned())))
    }

    /// A byte regex with the default window.
    pub fn regex(source: &str) -> Result<Pattern, BadPattern> {
        Pattern::regex_with_span(source, DEFAULT_MAX_SPAN)
    }

    /// A byte regex whose matches span at most `max_span` bytes.
    pub fn regex_with_span(source: &str, max_span: usize) -> Result<Pattern, BadPattern> {
        let re = Regex::new(source).map_err(|e| BadPattern(e.to_string()))?;
        Ok(Pattern::Regex {
            re,
            max_span: max_span.max(1),
        })
    }

    /// The regex text, or the literal's bytes shown as text.
    pub fn source(&self) -> String {
        match self {
            Pattern::Literal(m) => String::from_utf8_lossy(m.needle()).into_owned(),
            Pattern::Regex { re, .. } => re.as_str().to_string(),
        }
    }

    /// How many bytes before the end of the last search a match may have begun unseen.
    fn overlap(&self) -> usize {
        match self {
            Pattern::Literal(m) => m.needle().len() - 1,
            Pattern::Regex { max_span, .. } => *max_span,
        }
    }

    /// The earliest match starting at or after `from`.
    fn find(&self, buf: &[u8], from: usize) -> Option<Found> {
        match self {
            Pattern::Literal(m) => m.find(&buf[from..]).map(|at| Found {
                start: from + at,
                end: from + at + m.needle().len(),
                groups: Vec::new(),
            }),
            Pattern::Regex { re, .. } => {
                let caps = re.captures_at(buf, from)?;
                let whole = caps.get(0)?;
                Some(Found {
                    start: whole.start(),
                    end: whole.end(),
                    groups: caps
                        .iter()
                        .skip(1)
                        .map(|g| g.map(|g| (g.start(), g.end())))
                        .collect(),
                })
            }
        }
    }

    /// The names of a regex's groups, by group number (group 1 first); empty for a literal.
    pub fn group_names(&self) -> Vec<Option<String>> {
        match self {
            Pattern::Literal(_) => Vec::new(),
            Pattern::Regex { re, .. } => re
                .capture_names()
                .skip(1)
                .map(|n| n.map(str::to_string))
                .collect(),
        }
    }
}

/// Where one pattern matched, as offsets into the buffer searched.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    start: usize,
    end: usize,
    groups: Vec<Option<(usize, usize)>>,
}

/// The winning match: which pattern, and where (offsets into the buffer from its start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The pattern's position in the list.
    pub index: usize,
    pub start: usize,
    pub end: usize,
    /// Capture groups 1.., `None` for a group that did not take part.
    pub groups: Vec<Option<(usize, usize)>>,
}

/// Incremental search of a growing buffer for the earliest match of any pattern.
#[derive(Debug)]
pub struct Matcher {
    patterns: Vec<Pattern>,
    /// Bytes before this index were searched by every pattern without a match.
    scanned: usize,
}

impl Matcher {
    pub fn new(patterns: Vec<Pattern>) -> Matcher {
        Matcher {
            patterns,
            scanned: 0,
        }
    }

    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// The earliest match in `buf` (all bytes buffered, the same prefix every call, growing).
    pub fn check(&mut self, buf: &[u8]) -> Option<Match> {
        let mut best: Option<Match> = None;
        for (index, p) in self.patterns.iter().enumerate() {
            let from = self.scanned.saturating_sub(p.overlap()).min(buf.len());
            let Some(f) = p.find(buf, from) else { continue };
            // Strictly earlier only: on a tie the pattern listed first keeps it.
            if best.as_ref().is_none_or(|b| f.start < b.start) {
                best = Some(Match {
                    index,
                    start: f.start,
                    end: f.end,
                    groups: f.groups,
                });
            }
        }
        if best.is_none() {
            self.scanned = buf.len();
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Pattern {
        Pattern::literal(s.as_bytes()).unwrap()
    }

    /// Feeds `chunks` as a socket would, returning the match and the chunk it came in.
    fn feed(patterns: Vec<Pattern>, chunks: &[&str]) -> Option<(usize, Match)> {
        let mut m = Matcher::new(patterns);
        let mut buf = Vec::new();
        for (i, c) in chunks.iter().enumerate() {
            buf.extend_from_slice(c.as_bytes());
            if let Some(found) = m.check(&buf) {
                return Some((i, found));
            }
        }
        None
    }

    #[test]
    fn the_earliest_start_wins_whatever_the_order() {
        let (_, m) = feed(vec![lit("-ERR"), lit("+OK")], &["x+OK y-ERR"]).unwrap();
        assert_eq!((m.index, m.start, m.end), (1, 1, 4));
    }

    #[test]
    fn a_tie_goes_to_the_pattern_listed_first() {
        let (_, m) = feed(vec![lit("ab"), lit("abc")], &["zabc"]).unwrap();
        assert_eq!((m.index, m.start, m.end), (0, 1, 3));
        let (_, m) = feed(vec![lit("abc"), lit("ab")], &["zabc"]).unwrap();
        assert_eq!((m.index, m.start, m.end), (0, 1, 4));
    }

    #[test]
    fn a_literal_split_across_chunks_is_found() {
        let (i, m) = feed(vec![lit("MARKER")], &["xxMA", "R", "KERyy"]).unwrap();
        assert_eq!((i, m.start, m.end), (2, 2, 8));
    }

    #[test]
    fn a_regex_split_across_chunks_is_found_with_its_groups() {
        let re = Pattern::regex(r"\$(\d+)\r\n(?P<rest>x)?").unwrap();
        let (i, m) = feed(vec![re], &["ab$1", "2\r", "\n"]).unwrap();
        assert_eq!((i, m.start, m.end), (2, 2, 7));
        assert_eq!(m.groups, vec![Some((3, 5)), None]);
    }

    #[test]
    fn group_names_follow_group_numbers() {
        let re = Pattern::regex(r"(a)(?P<n>b)").unwrap();
        assert_eq!(re.group_names(), vec![None, Some("n".to_string())]);
    }

    #[test]
    fn a_bad_regex_says_where() {
        let e = Pattern::regex("a(b").unwrap_err().to_string();
        assert!(e.contains("a(b") && e.contains('^'), "{e}");
    }

    #[test]
    fn an_empty_literal_is_refused() {
        assert!(Pattern::literal(b"").is_none());
    }

    #[test]
    fn an_anchor_means_the_start_of_what_arrived_not_of_a_chunk() {
        let re = Pattern::regex(r"^b").unwrap();
        assert!(feed(vec![re], &["a", "b"]).is_none());
    }

    #[test]
    fn nothing_found_scans_each_byte_a_bounded_number_of_times() {
        // With 1-byte chunks, each check scans the new byte plus the literal's overlap.
        let mut m = Matcher::new(vec![lit("NEEDLE")]);
        let mut buf = Vec::new();
        for _ in 0..10_000 {
            buf.push(b'x');
            assert!(m.check(&buf).is_none());
        }
        assert_eq!(m.scanned, 10_000);
        buf.extend_from_slice(b"NEEDLE");
        assert_eq!(m.check(&buf).map(|f| f.start), Some(10_000));
    }

    /// The model: the earliest start over all patterns in the whole buffer, first listed on a tie.
    fn model(patterns: &[Vec<u8>], buf: &[u8]) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for (i, p) in patterns.iter().enumerate() {
            let at = buf.windows(p.len()).position(|w| w == &p[..]);
            if let Some(at) = at
                && best.is_none_or(|(_, b)| at < b)
            {
                best = Some((i, at));
            }
        }
        best
    }

    proptest::proptest! {
        /// However the bytes arrive, the incremental search answers as a search of everything
        /// at once would, at the first chunk that completes a match.
        #[test]
        fn literals_agree_with_a_whole_buffer_search_over_any_chunking(
            data in proptest::collection::vec(0u8..3, 0..300),
            cuts in proptest::collection::vec(1usize..25, 0..40),
            patterns in proptest::collection::vec(proptest::collection::vec(0u8..3, 1..5), 1..4),
        ) {
            let mut m = Matcher::new(patterns.iter().map(|p| lit_bytes(p)).collect());
            let mut buf = Vec::new();
            let mut rest = &data[..];
            for cut in cuts.iter().copied().chain(std::iter::repeat(usize::MAX)) {
                let (chunk, tail) = rest.split_at(cut.min(rest.len()));
                buf.extend_from_slice(chunk);
                rest = tail;
                let want = model(&patterns, &buf);
                match m.check(&buf) {
                    Some(got) => {
                        let (i, at) = want.expect("a match the model does not see");
                        proptest::prop_assert_eq!((got.index, got.start), (i, at));
                        proptest::prop_assert_eq!(got.end, at + patterns[i].len());
                        break;
                    }
                    None => proptest::prop_assert!(want.is_none(), "missed {:?} in {:?}", want, buf),
                }
                if rest.is_empty() {
                    break;
                }
            }
        }
    }

    fn lit_bytes(p: &[u8]) -> Pattern {
        Pattern::literal(p).unwrap()
    }
}
