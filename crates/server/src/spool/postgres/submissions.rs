//! Submissions on a shared database: the commit that makes a reference durable, the
//! records kept of them, and attachment downloads.

use super::*;

impl IntakeStore for PostgresSpool {
    fn commit(&self, submission: NewSubmission) -> SpoolFuture<'_, CommitOutcome> {
        Box::pin(async move {
            let (tx, rx) = oneshot::channel();
            self.commits
                .send((Box::new(submission), tx))
                .await
                .map_err(|_| SpoolError::Stopped)?;
            rx.await.map_err(|_| SpoolError::Stopped)?
        })
    }

    fn reference_for_token(&self, token_hash: [u8; 32]) -> SpoolFuture<'_, Option<Reference>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            Ok(commit::reference_for_token(&client, &token_hash).await?)
        })
    }

    fn probe_writable(&self) -> SpoolFuture<'_, ()> {
        if self.writable.fresh() {
            return Box::pin(std::future::ready(Ok(())));
        }
        let pool = self.pool.clone();
        let writable = Arc::clone(&self.writable);
        self.spawn(async move {
            let result: DbResult<()> = async {
                let client = pool.get().await?;
                let now = time::OffsetDateTime::now_utc()
                    .unix_timestamp_nanos()
                    .to_be_bytes()
                    .to_vec();
                db::exec(
                    &client,
                    "INSERT INTO settings (name, value) VALUES ('probe', $1)
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    &[&now],
                )
                .await?;
                Ok(())
            }
            .await;
            writable.record(result.is_ok());
            result
        })
    }

    fn next_reference(&self) -> Result<(u64, Reference), SpoolError> {
        let n = self.numbers.draw()?;
        Ok((n, self.cipher.reference(n)))
    }
}

impl RecordStore for PostgresSpool {
    fn submission(&self, reference: &Reference) -> SpoolFuture<'_, Option<SubmissionRecord>> {
        let (n, r) = self.number(reference);
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!(
                "SELECT reference, received_at, form_id, form_version, priority, reason_codes
                 FROM submissions WHERE id = {SUBMISSION_ID}"
            );
            let row = db::opt(&client, &sql, &[&n, &r]).await?;
            Ok(row.and_then(|row| {
                Some(SubmissionRecord {
                    reference: Reference::parse(row.get(0))?,
                    received_at: row.get(1),
                    form_id: row.get(2),
                    form_version: row.get::<_, i32>(3).max(0) as u32,
                    priority: Priority::parse(row.get(4))?,
                    reason_codes: serde_json::from_str(row.get(5)).unwrap_or_default(),
                })
            }))
        })
    }

    fn envelopes(&self, reference: &Reference) -> SpoolFuture<'_, Vec<StoredEnvelope>> {
        let (n, r) = self.number(reference);
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!(
                "SELECT route, view, body FROM envelopes WHERE submission = {SUBMISSION_ID}
                 ORDER BY route COLLATE \"C\""
            );
            let rows = db::rows(&client, &sql, &[&n, &r]).await?;
            Ok(rows
                .iter()
                .filter_map(|row| {
                    Some(StoredEnvelope {
                        route: row.get(0),
                        view: View::parse(row.get(1))?,
                        body: row.get(2),
                    })
                })
                .collect())
        })
    }

    fn deliveries(&self, reference: &Reference) -> SpoolFuture<'_, Vec<DeliveryRecord>> {
        let (n, r) = self.number(reference);
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!(
                "SELECT {} FROM deliveries d JOIN submissions s ON s.id = d.submission
                 WHERE d.submission = {SUBMISSION_ID} ORDER BY d.route COLLATE \"C\"",
                outbox::DELIVERY_COLUMNS
            );
            let rows = db::rows(&client, &sql, &[&n, &r]).await?;
            Ok(rows.iter().filter_map(outbox::delivery_row).collect())
        })
    }

    fn count_submissions(&self) -> SpoolFuture<'_, u64> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let row = db::one(&client, "SELECT COUNT(*) FROM submissions", &[]).await?;
            Ok(row.get::<_, i64>(0).max(0) as u64)
        })
    }
}

impl DownloadStore for PostgresSpool {
    fn download_open(
        &self,
        token_hash: [u8; 32],
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<(Reference, u32)>> {
        let pool = self.pool.clone();
        self.spawn(async move { lifecycle::download_open(&pool, &token_hash, issued_after).await })
    }

    fn take_download(
        &self,
        token_hash: [u8; 32],
        now: i64,
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<Download>> {
        let pool = self.pool.clone();
        self.spawn(
            async move { lifecycle::take_download(&pool, &token_hash, now, issued_after).await },
        )
    }
}
