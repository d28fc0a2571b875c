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

use super::chars::{CharUnits, Walker};

/// How far back a regex search restarts by default: a regex match longer than this that began
/// before the previous check can be missed (`Pattern::regex_with_span` raises it).
pub const DEFAULT_MAX_SPAN: usize = 4096;

/// How many compiled regexes a thread keeps, by their text.
pub(crate) const REGEX_CACHE: usize = 256;

thread_local! {
    static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Regex>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

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

    /// A byte regex whose matches span at most `max_span` bytes. Compiled regexes are kept by
    /// their text (the last [`REGEX_CACHE`] of this thread): a script that calls `regex("…")`
    /// in its loop (one per reply) compiles it once, not each time (tens of microseconds).
    pub fn regex_with_span(source: &str, max_span: usize) -> Result<Pattern, BadPattern> {
        let re = COMPILED.with_borrow_mut(|cache| match cache.get(source) {
            Some(re) => Ok(re.clone()),
            None => {
                let re = Regex::new(source).map_err(|e| BadPattern(e.to_string()))?;
                if cache.len() >= REGEX_CACHE {
                    // Rarely reached (a script makes its patterns from a few texts): starting
                    // over is simpler than tracking use and costs one compile per pattern.
                    cache.clear();
                }
                cache.insert(source.to_string(), re.clone());
                Ok(re)
            }
        })?;
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

/// How many new bytes one search step covers: a step costs at most this plus a regex's
/// `max_span`, so a slow regex (a Unicode `\b` runs on the PikeVM, at tens of MB/s) over a large
/// backlog still yields to its deadline and to Ctrl-C between steps.
pub(crate) const SEARCH_STEP: usize = 256 * 1024;

/// What one search step found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The earliest match, as a search of all of the buffer would give it.
    Found(Match),
    /// No match in the buffer: wait for more bytes.
    Searched,
    /// The step's budget ran out with bytes still to search: call again.
    Partial,
}

/// Incremental search of a growing buffer for the earliest match of any pattern.
#[derive(Debug)]
pub struct Matcher {
    patterns: Vec<Pattern>,
    /// Per pattern: no match of it starts before this index.
    from: Vec<usize>,
    /// Per pattern: its earliest match, once no later bytes can change it.
    found: Vec<Option<Found>>,
    /// Per pattern: where characters begin, so that a literal is not found inside one.
    walkers: Vec<Walker>,
    /// The buffer up to here has been searched by every pattern.
    frontier: usize,
    step: usize,
}

impl Matcher {
    pub fn new(patterns: Vec<Pattern>) -> Matcher {
        Matcher::with_step(patterns, SEARCH_STEP)
    }

    /// A matcher whose steps cover `step` new bytes (tests use small ones).
    pub fn with_step(patterns: Vec<Pattern>, step: usize) -> Matcher {
        let n = patterns.len();
        Matcher {
            patterns,
            from: vec![0; n],
            found: vec![None; n],
            walkers: vec![Walker::new(CharUnits::Bytes); n],
            frontier: 0,
            step: step.max(1),
        }
    }

    /// Literals match only where a character of `units` begins (the encoding they were
    /// encoded in); regexes match bytes wherever they are.
    pub fn in_units(mut self, units: CharUnits) -> Matcher {
        self.walkers = vec![Walker::new(units); self.patterns.len()];
        self
    }

    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// The earliest match in `buf` (all bytes buffered, the same prefix every call, growing),
    /// searched to the end at once.
    pub fn check(&mut self, buf: &[u8]) -> Option<Match> {
        loop {
            match self.step(buf) {
                Step::Found(m) => return Some(m),
                Step::Searched => return None,
                Step::Partial => {}
            }
        }
    }

    /// One bounded step of the search of `buf` (the same prefix every call, growing): it
    /// searches up to [`SEARCH_STEP`] bytes past what earlier steps covered. The answer is the one
    /// a search of all of `buf` would give (the match starting earliest, the pattern listed first
    /// on a tie), given that no match spans more than its pattern's window.
    pub fn step(&mut self, buf: &[u8]) -> Step {
        let end = buf.len();
        let w = end.min(self.frontier.saturating_add(self.step));
        let hay = &buf[..w];
        for (i, p) in self.patterns.iter().enumerate() {
            if self.found[i].is_some() {
                continue;
            }
            let from = self.from[i].min(w);
            let unseen = w.saturating_sub(p.overlap());
            let walker = &mut self.walkers[i];
            let mut at = from;
            let found = loop {
                match (p.find(hay, at), p) {
                    // Inside a character of the encoding: not this text.
                    (Some(f), Pattern::Literal(m))
                        if !walker.may_begin(hay, f.start, m.needle()) =>
                    {
                        at = f.start + 1;
                    }
                    (found, _) => break found,
                }
            };
            match found {
                // Settled: every match it could have, or one starting earlier, lies in `hay`.
                Some(f) if w == end || f.start < unseen => self.found[i] = Some(f),
                // It may grow, or another may start before it, with the bytes past `w`.
                Some(f) => self.from[i] = f.start.min(unseen).max(from),
                None => self.from[i] = unseen.max(from),
            }
        }
        self.frontier = w;
        // The earliest settled match wins unless a pattern still searching could start a match
        // before it (or at it, listed first), with bytes the search has not reached yet.
        let mut best: Option<(usize, usize)> = None;
        for (i, f) in self.found.iter().enumerate() {
            let start = match f {
                Some(f) => f.start,
                None if w < end => self.from[i],
                None => continue,
            };
            if best.is_none_or(|(_, b)| start < b) {
                best = Some((i, start));
            }
        }
        if let Some((i, _)) = best
            && let Some(f) = &self.found[i]
        {
            return Step::Found(Match {
                index: i,
                start: f.start,
                end: f.end,
                groups: f.groups.clone(),
            });
        }
        if w < end {
            Step::Partial
        } else {
            Step::Searched
        }
    }
}

#[cfg(test)]
mod tests;
