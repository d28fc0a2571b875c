//! The real-protocol scripts against real servers: Redis and memcached (started by `.ci/run`
//! on 16379 and 11311) and the peers' Python `http.server` on 18080 (serving the `hello.txt`
//! that `.ci/run` puts in its directory).

use crate::common::{opi, require_peers};

pub const REDIS: &str = "127.0.0.1:16379";
pub const MEMCACHED: &str = "127.0.0.1:11311";
pub const HTTP: &str = "127.0.0.1:18080";

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peer_redis_rhai_against_redis() {
    require_peers();
    opi()
        .args(["scripts/redis.rhai", REDIS])
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "PONG\nOK\nпривет\n1\n\n[\"привет\", \"1\"]\nerror: ERR unknown command",
        ));
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peer_memcached_rhai_against_memcached() {
    require_peers();
    opi()
        .args(["scripts/memcached.rhai", MEMCACHED])
        .assert()
        .success()
        .stdout("greeting = привет, memcached\nmissing = \n");
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peer_http_get_rhai_against_python_http_server() {
    require_peers();
    opi()
        .args(["scripts/http_get.rhai", HTTP, "/hello.txt"])
        .assert()
        .success()
        .stdout("status 200, 23 bytes\nhello from http.server\n\n");
}
