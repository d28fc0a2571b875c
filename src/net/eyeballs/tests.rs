//! The race against in-process listeners on 127.0.0.1: a silent first address (a listener that
//! never accepts, its backlog full) costs the stagger, a failure starts the next at once, and
//! the errors name every address.

use std::time::Instant;

use tokio::net::{TcpListener, TcpSocket};

use super::*;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

const QUIET: Seen<'static> = Seen {
    trace: None,
    role: "",
};

/// A listener that never accepts, with its backlog full: a connect to it is never answered (the
/// kernel drops its SYN). Keep the three alive for as long as the address must stay silent.
async fn unanswered() -> (SocketAddr, Vec<TcpStream>, TcpListener) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    for _ in 0..64 {
        match tokio::time::timeout(Duration::from_millis(500), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => queued.push(s),
            _ => return (addr, queued, listener),
        }
    }
    panic!("the backlog of {addr} never filled");
}

fn refused() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

#[test]
fn families_alternate_from_the_resolvers_first_and_duplicates_go() {
    let a: Vec<SocketAddr> = [
        "[::1]:1",
        "[::2]:1",
        "127.0.0.1:1",
        "127.0.0.2:1",
        "127.0.0.3:1",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    assert_eq!(
        interleave(&[a[0], a[1], a[2], a[3], a[0]]),
        [a[0], a[2], a[1], a[3]]
    );
    assert_eq!(
        interleave(&[a[2], a[3], a[4], a[0]]),
        [a[2], a[0], a[3], a[4]]
    );
    assert_eq!(interleave(&[]), Vec::<SocketAddr>::new());
}

#[test]
fn a_silent_first_address_costs_the_stagger_and_the_second_wins() {
    rt().block_on(async {
        let (silent, _queued, _listener) = unanswered().await;
        let live = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let live_addr = live.local_addr().unwrap();
        let deadline = Deadline::after(Duration::from_secs(20));
        let t = Instant::now();
        let won = race(&[silent, live_addr], &deadline, QUIET, "x:1", "x").await;
        let took = t.elapsed();
        let stream = won.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), live_addr);
        assert!(
            took >= STAGGER,
            "the second started before the stagger: {took:?}"
        );
        assert!(took < Duration::from_secs(5), "{took:?}");
    });
}

#[test]
fn a_failure_starts_the_next_attempt_at_once() {
    rt().block_on(async {
        let live = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut addrs: Vec<SocketAddr> = (0..5).map(|_| refused()).collect();
        addrs.push(live.local_addr().unwrap());
        let deadline = Deadline::after(Duration::from_secs(20));
        let t = Instant::now();
        race(&addrs, &deadline, QUIET, "x:1", "x").await.unwrap();
        // Five staggers would be 1.25 s.
        assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    });
}

#[test]
fn when_every_address_fails_the_error_names_each() {
    rt().block_on(async {
        let (a, b) = (refused(), refused());
        let deadline = Deadline::after(Duration::from_secs(20));
        let e = race(&[a, b], &deadline, QUIET, "x:1", "x")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Refused);
        let text = e.to_string();
        assert!(
            text.starts_with(&format!(
                "connect to x:1: every address failed: {a}: connection refused"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!("; {b}: connection refused")),
            "{text}"
        );
        // One address keeps its old words.
        let e = race(&[a], &deadline, QUIET, "x:1", "x").await.unwrap_err();
        assert!(e.to_string().ends_with(&format!(" ({a})")), "{e}");
    });
}

#[test]
fn a_timeout_says_what_became_of_each_address() {
    rt().block_on(async {
        let (silent, _queued, _listener) = unanswered().await;
        let gone = refused();
        let deadline = Deadline::after(Duration::from_millis(1500));
        let e = race(&[silent, gone], &deadline, QUIET, "x:1", "x").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert_eq!(
            e.to_string().split(" (os error").next().unwrap(),
            format!(
                "connect to x:1: timed out after 1.5s ({silent}: no answer; {gone}: connection refused"
            )
        );
        let live = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let live = live.local_addr().unwrap();
        let deadline = Deadline::after(Duration::from_millis(100));
        let e = race(&[silent, live], &deadline, QUIET, "x:1", "x").await.unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("connect to x:1: timed out after 100ms ({silent}: no answer; {live}: not tried)")
        );
    });
}
