//! The search against models: whole-buffer searches, over any chunking and any step size.

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
    assert_eq!(m.frontier, 10_000);
    assert_eq!(m.from, vec![10_000 - 5]);
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

proptest::proptest! {
    /// Small steps over any chunking answer as one search of everything would, regexes
    /// included (whose matches here span at most their window).
    #[test]
    fn steps_agree_with_a_whole_buffer_search(
        data in proptest::collection::vec(proptest::sample::select(b"ab\n ".to_vec()), 0..200),
        cuts in proptest::collection::vec(1usize..40, 0..20),
        step in 1usize..16,
    ) {
        let make = || vec![
            Pattern::regex_with_span(r"a{2,3}b", 4).unwrap(),
            lit("b\nb"),
            Pattern::regex_with_span(r"\bab\b", 2).unwrap(),
            Pattern::regex_with_span(r"(?m)^b+$", 8).unwrap(),
        ];
        let mut stepped = Matcher::with_step(make(), step);
        let mut buf = Vec::new();
        let mut rest = &data[..];
        for cut in cuts.iter().copied().chain(std::iter::repeat(usize::MAX)) {
            let (chunk, tail) = rest.split_at(cut.min(rest.len()));
            buf.extend_from_slice(chunk);
            rest = tail;
            let whole = Matcher::with_step(make(), usize::MAX).check(&buf);
            let mut steps = 0;
            let got = loop {
                steps += 1;
                match stepped.step(&buf) {
                    Step::Found(m) => break Some(m),
                    Step::Searched => break None,
                    Step::Partial => proptest::prop_assert!(steps <= buf.len() + 1),
                }
            };
            // The whole-buffer search runs once per growth too, so `$` at the end of what
            // has arrived matches alike in both.
            proptest::prop_assert_eq!(&got, &whole, "{:?}", String::from_utf8_lossy(&buf));
            if got.is_some() || rest.is_empty() {
                break;
            }
        }
    }
}

#[test]
fn a_step_covers_a_bounded_number_of_new_bytes() {
    let mut m = Matcher::with_step(vec![Pattern::regex("NEEDLE").unwrap()], 1000);
    let mut buf = vec![b'x'; 10_000];
    buf.extend_from_slice(b"NEEDLE");
    let mut partial = 0;
    let found = loop {
        match m.step(&buf) {
            Step::Partial => partial += 1,
            Step::Found(f) => break f,
            Step::Searched => panic!("missed"),
        }
    };
    assert_eq!((partial, found.start), (10, 10_000));
}

fn lit_bytes(p: &[u8]) -> Pattern {
    Pattern::literal(p).unwrap()
}

#[test]
fn regexes_are_compiled_once_per_text_and_the_cache_is_bounded() {
    COMPILED.with_borrow_mut(|c| c.clear());
    for _ in 0..3 {
        Pattern::regex(r"\$(\d+)\r\n").unwrap();
    }
    // The span is the pattern's, not the compiled regex's: both share one entry.
    Pattern::regex_with_span(r"\$(\d+)\r\n", 10).unwrap();
    assert_eq!(COMPILED.with_borrow(|c| c.len()), 1);
    for i in 0..REGEX_CACHE + 10 {
        Pattern::regex(&format!("x{i}")).unwrap();
    }
    assert!(COMPILED.with_borrow(|c| c.len()) <= REGEX_CACHE);
    // A bad regex is not kept, and still says where.
    assert!(Pattern::regex("a(b").is_err());
    assert!(COMPILED.with_borrow(|c| !c.contains_key("a(b")));
}
