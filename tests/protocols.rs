//! The real-protocol scripts (`scripts/{redis,memcached,http_get,smtp,pipe}.rhai`) against
//! in-process stand-ins that speak just enough of each protocol, split their answers across
//! packets, and keep connections open so that a script must frame its reads itself.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use crate::common::*;

fn run(script: &str, args: &[String]) -> assert_cmd::assert::Assert {
    opi()
        .arg(script)
        .args(args)
        .timeout(Duration::from_secs(30))
        .assert()
}

fn line(r: &mut BufReader<TcpStream>) -> Option<String> {
    let mut l = String::new();
    match r.read_line(&mut l) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(l.trim_end_matches(['\r', '\n']).to_string()),
    }
}

fn bulk(s: &str) -> String {
    format!("${}\r\n{s}\r\n", s.len())
}

/// A Redis stand-in: RESP arrays of bulk strings in; PING, SET, GET, DEL, INCR, MGET out.
fn redis() -> SocketAddr {
    let db: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    serve(move |s| {
        let mut w = s.try_clone().expect("clone");
        let mut r = BufReader::new(s);
        while let Some(head) = line(&mut r) {
            let n: usize = head.trim_start_matches('*').parse().unwrap_or(0);
            let mut args = Vec::new();
            for _ in 0..n {
                let len: usize = line(&mut r)
                    .and_then(|l| l.trim_start_matches('$').parse().ok())
                    .unwrap_or(0);
                let mut buf = vec![0; len + 2];
                if r.read_exact(&mut buf).is_err() {
                    return;
                }
                buf.truncate(len);
                args.push(String::from_utf8(buf).unwrap_or_default());
            }
            let mut db = db.lock().unwrap();
            let answer = match args.first().map(String::as_str) {
                Some("PING") => "+PONG\r\n".to_string(),
                Some("SET") => {
                    db.insert(args[1].clone(), args[2].clone());
                    "+OK\r\n".to_string()
                }
                Some("GET") => db.get(&args[1]).map_or("$-1\r\n".to_string(), |v| bulk(v)),
                Some("DEL") => format!(":{}\r\n", i32::from(db.remove(&args[1]).is_some())),
                Some("INCR") => {
                    let v = db
                        .get(&args[1])
                        .and_then(|v| v.parse::<i64>().ok())
                        .unwrap_or(0)
                        + 1;
                    db.insert(args[1].clone(), v.to_string());
                    format!(":{v}\r\n")
                }
                Some("MGET") => {
                    let items: String = args[1..]
                        .iter()
                        .map(|k| db.get(k).map_or("$-1\r\n".to_string(), |v| bulk(v)))
                        .collect();
                    format!("*{}\r\n{items}", args.len() - 1)
                }
                Some(other) => format!("-ERR unknown command '{other}'\r\n"),
                None => return,
            };
            // Two segments: the type line and the rest, so a reply is never one read.
            let bytes = answer.into_bytes();
            let cut = bytes.len().min(2);
            let _ = w.write_all(&bytes[..cut]);
            thread::sleep(Duration::from_millis(5));
            let _ = w.write_all(&bytes[cut..]);
        }
    })
}

#[test]
fn redis_rhai_against_a_resp_stand_in() {
    run("scripts/redis.rhai", &[redis().to_string()]).success().stdout(
        "PONG\nOK\nпривет\n1\n\n[\"привет\", \"1\"]\nerror: ERR unknown command 'NO-SUCH-COMMAND'\n",
    );
}

/// A memcached stand-in: `set` with its data block, `get` with VALUE … END.
fn memcached() -> SocketAddr {
    let db: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
    serve(move |s| {
        let mut w = s.try_clone().expect("clone");
        let mut r = BufReader::new(s);
        while let Some(cmd) = line(&mut r) {
            let words: Vec<&str> = cmd.split(' ').collect();
            let answer = match words.as_slice() {
                ["set", key, _, _, n] => {
                    let n: usize = n.parse().unwrap_or(0);
                    let mut data = vec![0; n + 2];
                    if r.read_exact(&mut data).is_err() {
                        return;
                    }
                    data.truncate(n);
                    db.lock().unwrap().insert(key.to_string(), data);
                    b"STORED\r\n".to_vec()
                }
                ["get", key] => match db.lock().unwrap().get(*key) {
                    Some(v) => {
                        let mut a = format!("VALUE {key} 0 {}\r\n", v.len()).into_bytes();
                        a.extend_from_slice(v);
                        a.extend_from_slice(b"\r\nEND\r\n");
                        a
                    }
                    None => b"END\r\n".to_vec(),
                },
                _ => b"ERROR\r\n".to_vec(),
            };
            let _ = w.write_all(&answer);
        }
    })
}

#[test]
fn memcached_rhai_against_a_text_protocol_stand_in() {
    run("scripts/memcached.rhai", &[memcached().to_string()])
        .success()
        .stdout("greeting = привет, memcached\nmissing = \n");
}

/// An HTTP/1.1 stand-in: the head, then the body in two packets, then the connection stays
/// open, so only Content-Length tells the client where the body ends.
fn http(body: &'static str) -> SocketAddr {
    serve(move |s| {
        let mut w = s.try_clone().expect("clone");
        let mut r = BufReader::new(s);
        while let Some(l) = line(&mut r) {
            if l.is_empty() {
                break;
            }
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCONTENT-LENGTH: {}\r\n\r\n",
            body.len()
        );
        let _ = w.write_all(head.as_bytes());
        let (a, b) = body.split_at(body.len() / 2);
        let _ = w.write_all(a.as_bytes());
        thread::sleep(Duration::from_millis(50));
        let _ = w.write_all(b.as_bytes());
        thread::sleep(Duration::from_secs(20));
    })
}

#[test]
fn http_get_rhai_reads_exactly_content_length() {
    let t = std::time::Instant::now();
    run(
        "scripts/http_get.rhai",
        &[http("hello\r\n\r\nworld").to_string(), "/x".into()],
    )
    .success()
    .stdout("status 200, 14 bytes\nhello\r\n\r\nworld\n");
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "waited for the close: {:?}",
        t.elapsed()
    );
}

/// An SMTP stand-in that reports the message it received.
fn smtp() -> (SocketAddr, mpsc::Receiver<String>) {
    let (tx, rx) = mpsc::channel();
    let addr = serve(move |s| {
        let mut w = s.try_clone().expect("clone");
        let mut r = BufReader::new(s);
        let _ = w.write_all(b"220 mini ESMTP ready\r\n");
        while let Some(cmd) = line(&mut r) {
            let answer: &[u8] = match cmd.split(' ').next().unwrap_or("") {
                "EHLO" => b"250-mini greets you\r\n250-SIZE 1000\r\n250 HELP\r\n",
                "MAIL" | "RCPT" => b"250 OK\r\n",
                "DATA" => {
                    let _ = w.write_all(b"354 end with <CRLF>.<CRLF>\r\n");
                    let mut msg = String::new();
                    while let Some(l) = line(&mut r) {
                        if l == "." {
                            break;
                        }
                        msg.push_str(&l);
                        msg.push('\n');
                    }
                    let _ = tx.send(msg);
                    b"250 queued as 1\r\n"
                }
                "QUIT" => {
                    let _ = w.write_all(b"221 bye\r\n");
                    return;
                }
                _ => b"502 unknown\r\n",
            };
            let _ = w.write_all(answer);
        }
    });
    (addr, rx)
}

#[test]
fn smtp_rhai_sends_each_command_after_its_reply() {
    let (a, got) = smtp();
    run("scripts/smtp.rhai", &[a.to_string()]).success().stdout(
        "220 mini ESMTP ready -> EHLO client.example\n\
         250 HELP -> MAIL FROM:<alice@example.org>\n\
         250 OK -> RCPT TO:<bob@example.org>\n\
         250 OK -> DATA\n\
         354 end with <CRLF>.<CRLF> -> Subject: hello\r\n\r\nHi Bob.\r\n.\n\
         250 queued as 1 -> QUIT\n\
         closed politely\n",
    );
    let msg = got
        .recv_timeout(Duration::from_secs(5))
        .expect("the message");
    assert_eq!(msg, "Subject: hello\n\nHi Bob.\n");
}

#[test]
fn smtp_rhai_stops_at_an_error_reply() {
    let a = serve(|mut s| {
        let _ = s.write_all(b"554 no service here\r\n");
        thread::sleep(Duration::from_secs(5));
    });
    run("scripts/smtp.rhai", &[a.to_string()])
        .code(1)
        .stderr(predicates::str::contains(
            "expected 220, got 554 no service here",
        ));
}
#[test]
fn pipe_rhai_is_a_byte_exact_filter() {
    let input: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let out = opi()
        .arg("scripts/pipe.rhai")
        .arg(echo().to_string())
        .write_stdin(input.clone())
        .timeout(Duration::from_secs(30))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(out.len(), input.len());
    assert!(out == input, "the bytes differ");
}
