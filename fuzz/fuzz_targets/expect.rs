//! Expect's matcher against a model: literals and regexes (whose matches have a known longest
//! length, given as their span) fed the same bytes in arbitrary chunks must answer, at every
//! chunk, what one search of everything received so far answers: the match that starts
//! earliest, a tie to the pattern listed first, with the same end and groups.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opi_tcp::net::{Matcher, Pattern};
use regex::bytes::Regex;

/// The bytes of both patterns and data, few enough that matches are common.
const ALPHABET: &[u8] = b"abc\n";

/// Regex pieces that each match at most one byte, so a regex of n pieces spans at most n.
const PIECES: &[&str] = &[
    "a", "b", "c", ".", "[ab]", "(a|c)", "b?", "(?:\\n)", "[^a]", "\\b",
];

enum Model {
    Literal(Vec<u8>),
    Regex(Regex),
}

impl Model {
    /// The earliest match in all of `buf`: start, end and groups.
    fn find(&self, buf: &[u8]) -> Option<(usize, usize, Vec<Option<(usize, usize)>>)> {
        match self {
            Model::Literal(l) => buf
                .windows(l.len())
                .position(|w| w == &l[..])
                .map(|at| (at, at + l.len(), Vec::new())),
            Model::Regex(re) => re.captures(buf).map(|c| {
                let whole = c.get(0).expect("group 0 is the match");
                let groups = c.iter().skip(1).map(|g| g.map(|g| (g.start(), g.end())));
                (whole.start(), whole.end(), groups.collect())
            }),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [count, ncuts, rest @ ..] = data else {
        return;
    };
    let mut rest = rest;
    let mut patterns = Vec::new();
    let mut models = Vec::new();
    for _ in 0..usize::from(count % 4) + 1 {
        let [head, tail @ ..] = rest else { return };
        let len = usize::from(head >> 1) % 6 + 1;
        if tail.len() < len {
            return;
        }
        let (body, tail) = tail.split_at(len);
        rest = tail;
        if head & 1 == 0 {
            let bytes: Vec<u8> = body.iter().map(|b| ALPHABET[usize::from(*b) % 4]).collect();
            patterns.push(Pattern::literal(&bytes).expect("not empty"));
            models.push(Model::Literal(bytes));
        } else {
            let source: String = body
                .iter()
                .map(|b| PIECES[usize::from(*b) % PIECES.len()])
                .collect();
            patterns.push(Pattern::regex_with_span(&source, len).expect("pieces compile"));
            models.push(Model::Regex(Regex::new(&source).expect("pieces compile")));
        }
    }
    let ncuts = usize::from(ncuts % 8).min(rest.len());
    let (cuts, payload) = rest.split_at(ncuts);
    let payload: Vec<u8> = payload
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % 4])
        .collect();

    let mut matcher = Matcher::new(patterns);
    let mut at = 0;
    let mut cut = cuts.iter().map(|c| usize::from(c % 9) + 1).cycle();
    while at < payload.len() {
        at = (at + cut.next().unwrap_or(payload.len())).min(payload.len());
        let buf = &payload[..at];
        let want = models
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.find(buf).map(|f| (i, f)))
            // The earliest start; `min_by_key` keeps the first of equals, the pattern listed first.
            .min_by_key(|(_, f)| f.0);
        match (matcher.check(buf), want) {
            (None, None) => {}
            (Some(got), Some((i, (start, end, groups)))) => {
                assert_eq!(
                    (got.index, got.start, got.end),
                    (i, start, end),
                    "in {buf:?}"
                );
                assert_eq!(got.groups, groups, "groups in {buf:?}");
                return;
            }
            (got, want) => panic!("matcher {got:?}, model {want:?}, in {buf:?}"),
        }
    }
});
