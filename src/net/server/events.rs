//! What `WaitAny` asks a server: has something happened that the script has not been told of
//! (a new client, data on some connection), and a way to wait for the next change.

use tokio::sync::futures::Notified;

use super::Server;
use super::state::lock;

/// Something a server has for the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerEvent {
    /// A client connected that was not reported yet.
    Connection(u64),
    /// Connection `id` has unread data (the one that has waited longest, past held ones).
    Data(u64),
}

impl Server {
    /// The next event past `seen` (the last connection id reported), if any; a new connection
    /// is reported before data, since its data cannot come first. `seen` moves past what is
    /// reported.
    pub fn next_event(&self, seen: &mut u64) -> Option<ServerEvent> {
        let state = lock(&self.shared);
        if let Some((&id, _)) = state.conns.range(*seen + 1..).next() {
            *seen = id;
            return Some(ServerEvent::Connection(id));
        }
        // Ids of connections that came and went before anyone asked are not announced.
        *seen = (*seen).max(state.next_id);
        self.shared
            .next_ready(&state)
            .and_then(|p| state.ready.get(p))
            .map(|&id| ServerEvent::Data(id))
    }

    /// A wait for the next change of the server's state; enable it before checking the state,
    /// so that a change in between is not missed.
    pub fn changed(&self) -> Notified<'_> {
        self.shared.changed.notified()
    }
}
