import { isTerminal, type RunStatus } from '@sweeplab/shared';
import type { Db } from './open-database.ts';
import type { Artifact, ArtifactFormat, ArtifactKind, MetricGoal } from './schema.ts';

/** What recording an artifact did. `replaced` names the file the row pointed at before, if any. */
export type RecordArtifactResult =
  | { outcome: 'inserted' | 'replaced'; previousSha256: string | null }
  | { outcome: 'duplicate' | 'fenced' | 'unknown' | 'refused'; previousSha256: null };

/**
 * Records an artifact whose file is already complete on disk, fenced like epochs: an attempt lower than
 * the run's, or than the stored artifact's, changes nothing; re-recording the same attempt and epoch is
 * a no-op (the stream is at-least-once). A run already finished (completed, failed, cancelled) takes no
 * new artifacts: a live run's artifacts always precede its terminal event in the stream, so only a
 * cancelled run's stragglers are refused.
 */
export function recordArtifact(db: Db, row: Artifact): RecordArtifactResult {
  const client = db.$client;
  return client
    .transaction((): RecordArtifactResult => {
      const run = client.prepare('SELECT status, attempt FROM runs WHERE id = ?').get(row.run_id) as
        | { status: RunStatus; attempt: number }
        | undefined;
      if (!run) return { outcome: 'unknown', previousSha256: null };
      if (row.attempt < run.attempt) return { outcome: 'fenced', previousSha256: null };
      if (isTerminal(run.status)) return { outcome: 'refused', previousSha256: null };
      const stored = client
        .prepare('SELECT attempt, epoch, sha256 FROM artifacts WHERE run_id = ? AND kind = ? AND format = ?')
        .get(row.run_id, row.kind, row.format) as
        | { attempt: number; epoch: number; sha256: string }
        | undefined;
      if (stored && stored.attempt > row.attempt) return { outcome: 'fenced', previousSha256: null };
      if (
        stored &&
        stored.attempt === row.attempt &&
        stored.epoch === row.epoch &&
        stored.sha256 === row.sha256
      )
        return { outcome: 'duplicate', previousSha256: null };
      client
        .prepare(
          `INSERT INTO artifacts (run_id, kind, format, epoch, attempt, metric_name, metric_value, val_acc, bytes,
             sha256, created_at)
           VALUES (@run_id, @kind, @format, @epoch, @attempt, @metric_name, @metric_value, @val_acc, @bytes,
             @sha256, @created_at)
           ON CONFLICT (run_id, kind, format) DO UPDATE SET epoch = excluded.epoch, attempt = excluded.attempt,
             metric_name = excluded.metric_name, metric_value = excluded.metric_value, val_acc = excluded.val_acc,
             bytes = excluded.bytes, sha256 = excluded.sha256, created_at = excluded.created_at`,
        )
        .run(row);
      return stored
        ? { outcome: 'replaced', previousSha256: stored.sha256 === row.sha256 ? null : stored.sha256 }
        : { outcome: 'inserted', previousSha256: null };
    })
    .immediate();
}

export function listArtifacts(db: Db, runId: string): Artifact[] {
  return db.$client
    .prepare(
      "SELECT * FROM artifacts WHERE run_id = ? ORDER BY CASE kind WHEN 'best' THEN 0 ELSE 1 END, format",
    )
    .all(runId) as Artifact[];
}

export function getArtifact(
  db: Db,
  runId: string,
  kind: ArtifactKind,
  format: ArtifactFormat = 'safetensors',
): Artifact | undefined {
  return db.$client
    .prepare('SELECT * FROM artifacts WHERE run_id = ? AND kind = ? AND format = ?')
    .get(runId, kind, format) as Artifact | undefined;
}

/** Whether any row still names the file (content-addressed files are shared between rows). */
export function isArtifactFileReferenced(db: Db, sha256: string): boolean {
  return db.$client.prepare('SELECT 1 FROM artifacts WHERE sha256 = ? LIMIT 1').get(sha256) !== undefined;
}

/** Every sha256 some row names, for sweeping files no row points at. */
export function referencedArtifactFiles(db: Db): Set<string> {
  const rows = db.$client.prepare('SELECT DISTINCT sha256 FROM artifacts').all() as { sha256: string }[];
  return new Set(rows.map((r) => r.sha256));
}

/**
 * Deletes the artifact rows of a sweep's runs (or of the given kinds only) and returns the files that no
 * row names any more, for the caller to remove after the commit.
 */
export function deleteArtifacts(
  db: Db,
  where: { sweepId?: string; runId?: string; kinds?: ArtifactKind[] },
): string[] {
  const client = db.$client;
  return client
    .transaction(() => {
      const conditions: string[] = [];
      const args: string[] = [];
      if (where.sweepId !== undefined) {
        conditions.push('run_id IN (SELECT id FROM runs WHERE sweep_id = ?)');
        args.push(where.sweepId);
      }
      if (where.runId !== undefined) {
        conditions.push('run_id = ?');
        args.push(where.runId);
      }
      if (where.kinds) {
        conditions.push(`kind IN (${where.kinds.map(() => '?').join(', ')})`);
        args.push(...where.kinds);
      }
      const filter = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
      const shas = (
        client.prepare(`SELECT DISTINCT sha256 FROM artifacts ${filter}`).all(...args) as { sha256: string }[]
      ).map((r) => r.sha256);
      client.prepare(`DELETE FROM artifacts ${filter}`).run(...args);
      return shas.filter((sha) => !isArtifactFileReferenced(db, sha));
    })
    .immediate();
}

/** Files and bytes on disk (each content-addressed file counted once). */
export function artifactDiskUsage(db: Db): { files: number; bytes: number; rows: number } {
  const files = db.$client
    .prepare(
      'SELECT count(*) AS files, coalesce(sum(bytes), 0) AS bytes FROM (SELECT sha256, max(bytes) AS bytes FROM artifacts GROUP BY sha256)',
    )
    .get() as { files: number; bytes: number };
  const rows = db.$client.prepare('SELECT count(*) AS n FROM artifacts').get() as { n: number };
  return { ...files, rows: rows.n };
}

/**
 * The sweep's best artifact by its metric (val_acc, maximised, when it set none): among `best`
 * artifacts, else (ARTIFACT_KEEP=final) among `final` ones. Ties go to the earlier run.
 */
export function bestArtifactOfSweep(db: Db, sweepId: string, goal: MetricGoal): Artifact | undefined {
  const order = goal === 'minimize' ? 'ASC' : 'DESC';
  for (const kind of ['best', 'final'] as const) {
    const row = db.$client
      .prepare(
        `SELECT a.* FROM artifacts a JOIN runs r ON r.id = a.run_id
         WHERE r.sweep_id = ? AND a.kind = ? AND a.format = 'safetensors'
         ORDER BY a.metric_value ${order}, r.queued_at, r.rowid LIMIT 1`,
      )
      .get(sweepId, kind) as Artifact | undefined;
    if (row) return row;
  }
  return undefined;
}
