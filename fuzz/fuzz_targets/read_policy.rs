//! Reads against a model: a stream of bytes delivered in arbitrary chunks, read again and again
//! with one marker / max_size / cap until it is empty. Each read returns what the model says
//! (up to and including the first marker inside the bound, else the bound, else what is left),
//! and together the reads return every byte once, in order.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use opi_tcp::net::{self, Connection, ReadLimit};
use tokio::io::AsyncWriteExt;

/// What one read must return from `rest`, all of which has arrived and then the stream ended.
fn model(rest: &[u8], limit: &ReadLimit) -> usize {
    let bound = limit.max.map_or(limit.cap, |m| m.min(limit.cap));
    let window = &rest[..rest.len().min(bound)];
    if let Some(m) = limit.marker.as_deref() {
        if let Some(at) = window.windows(m.len()).position(|w| w == m) {
            return at + m.len();
        }
    }
    window.len()
}

fuzz_target!(|data: &[u8]| {
    let [marker_len, max, cap, step, rest @ ..] = data else {
        return;
    };
    let marker_len = usize::from(marker_len % 5).min(rest.len());
    let (marker, payload) = rest.split_at(marker_len);
    let limit = ReadLimit {
        max: (*max > 0).then_some(usize::from(*max)),
        marker: (!marker.is_empty()).then(|| marker.to_vec()),
        timeout: Some(Duration::from_secs(5)),
        cap: usize::from(*cap).max(1),
        // Single-byte units: the model below searches every byte offset.
        units: Default::default(),
    };
    let step = usize::from(step % 7) + 1;
    let got = net::block_on(async {
        let (ours, mut theirs) = tokio::io::duplex(16);
        let sender = async move {
            for chunk in payload.chunks(step) {
                if theirs.write_all(chunk).await.is_err() {
                    return;
                }
                tokio::task::yield_now().await;
            }
        };
        let reader = async {
            let mut conn = Connection::new(Box::new(ours), "fuzz:1");
            let mut reads = Vec::new();
            loop {
                let out = conn.read(&limit).await;
                if out.data.is_empty() {
                    return reads;
                }
                reads.push(out.data.to_vec());
            }
        };
        tokio::join!(sender, reader).1
    });
    let Ok(reads) = got else { return };
    let mut at = 0;
    for piece in &reads {
        // A read waits for its stop condition or the end of the stream, so however the bytes
        // were chunked, it returns exactly what the model says.
        assert_eq!(
            piece.len(),
            model(&payload[at..], &limit),
            "read stopped elsewhere"
        );
        assert_eq!(
            &payload[at..at + piece.len()],
            &piece[..],
            "bytes out of order"
        );
        at += piece.len();
    }
    assert_eq!(at, payload.len(), "bytes lost");
});
