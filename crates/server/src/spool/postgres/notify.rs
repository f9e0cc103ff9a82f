//! LISTEN on a connection of its own: a commit on any gateway (a submission, an escalation, a
//! re-queue) wakes this gateway's outbox at once. Notifications are best effort (a dropped
//! connection, a transaction-pooling proxy): the outbox polls as well, so one missed only
//! delays an email to the next poll.

use super::connect::Target;
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_postgres::AsyncMessage;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The outboxes this gateway wakes (in practice one).
#[derive(Clone, Default)]
pub(super) struct Listeners(Arc<std::sync::Mutex<Vec<Arc<Notify>>>>);

impl Listeners {
    pub(super) fn push(&self, wake: Arc<Notify>) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(wake);
    }

    fn wake(&self) {
        for w in self.0.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            w.notify_one();
        }
    }
}

/// Waits before reconnecting after the listening connection is lost.
const RETRY: Duration = Duration::from_secs(2);

pub(super) async fn listen(target: Target, tls: MakeRustlsConnect, wake: Listeners) {
    loop {
        match listen_once(&target, tls.clone(), &wake).await {
            Ok(()) => tracing::warn!("spool notifications ended; listening again"),
            Err(e) => {
                tracing::warn!(error = %e, "spool notifications unavailable; the outbox polls meanwhile")
            }
        }
        tokio::time::sleep(RETRY).await;
    }
}

async fn listen_once(
    target: &Target,
    tls: MakeRustlsConnect,
    wake: &Listeners,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = target.config.connect(tls).await?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    if tx.send(()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    });
    client.batch_execute("LISTEN pisg_outbox").await?;
    // Whatever was committed while nobody listened is looked for now.
    wake.wake();
    while rx.recv().await.is_some() {
        wake.wake();
    }
    drop(client);
    match driver.await {
        Ok(result) => result,
        Err(_) => Ok(()),
    }
}
