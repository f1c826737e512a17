import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Artifact,
  type ArtifactKind,
  type Db,
  getArtifact,
  isArtifactFileReferenced,
  recordArtifact,
  referencedArtifactFiles,
} from '@sweeplab/db';
import { checkpointToSafetensors } from '@sweeplab/models/export';
import type { Logger, RedisKeys, RunArtifactEvent } from '@sweeplab/shared';
import type { Redis } from 'ioredis';

export type ArtifactKeep = 'all' | 'best' | 'final';

export type ArtifactOutcome =
  | 'stored'
  | 'duplicate'
  | 'fenced'
  | 'unknown'
  | 'refused'
  | 'not-kept'
  | 'superseded'
  | 'missing'
  | 'invalid';

// The blob is deleted only if it is still the one this event named: a newer best may have replaced it.
const DELETE_IF_SAME = `
if redis.call('HGET', KEYS[1], 'attempt') == ARGV[1] and redis.call('HGET', KEYS[1], 'epoch') == ARGV[2] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** Test-only fault: the API kills itself (SIGKILL) half-way through writing an artifact file. */
export const ARTIFACT_WRITE_FAULT = 'kill-mid-write';

/**
 * Turns the weights workers leave in Redis into artifact files and rows. Files are content-addressed
 * (`<sha256>.safetensors`) and written as temp file → fsync → rename → fsync of the folder, and only
 * then is the row recorded, so a row always names a complete file. A crash can leave at most a temp
 * file or a file no row names; `init` removes both.
 */
export class ArtifactStore {
  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    readonly dir: string,
    private readonly keep: ArtifactKeep,
    private readonly logger: Logger,
    private readonly fault: string | undefined = undefined,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  pathOf(sha256: string): string {
    return join(this.dir, `${sha256}.safetensors`);
  }

  /** Removes leftovers of a crash: temp files, and files no row names (written, then no row). */
  async init(): Promise<{ removed: number }> {
    const referenced = referencedArtifactFiles(this.db);
    let removed = 0;
    for (const name of await readdir(this.dir)) {
      const sha = name.endsWith('.safetensors') ? name.slice(0, -'.safetensors'.length) : null;
      if (name.startsWith('.tmp-') || (sha !== null && !referenced.has(sha))) {
        await unlink(join(this.dir, name)).catch(() => {});
        removed++;
      }
    }
    if (removed > 0)
      this.logger.info({ removed, dir: this.dir }, 'removed unfinished or unreferenced artifact files');
    return { removed };
  }

  keeps(kind: ArtifactKind): boolean {
    return this.keep === 'all' || this.keep === kind;
  }

  /** Stores the artifact an event announces; safe to call again with the same event (at-least-once). */
  async ingest(event: RunArtifactEvent): Promise<ArtifactOutcome> {
    const log = this.logger.child({ runId: event.run_id, kind: event.kind, epoch: event.epoch });
    const blobKey = this.keys.artifactBlob(event.run_id, event.kind);
    if (!this.keeps(event.kind)) {
      await this.release(blobKey, event);
      return 'not-kept';
    }
    const [attempt, epoch, data] = await Promise.all([
      this.redis.hget(blobKey, 'attempt'),
      this.redis.hget(blobKey, 'epoch'),
      this.redis.hgetBuffer(blobKey, 'data'),
    ]);
    if (data === null || Number(attempt) !== event.attempt || Number(epoch) !== event.epoch) {
      const stored = getArtifact(this.db, event.run_id, event.kind);
      if (stored && stored.attempt === event.attempt && stored.epoch === event.epoch) return 'duplicate';
      // A later best replaced the blob (its own event follows), or the blob expired or is gone.
      if (data !== null) return 'superseded';
      log.warn('artifact weights are no longer in Redis; nothing to store');
      return 'missing';
    }
    let file: Uint8Array;
    try {
      file = checkpointToSafetensors(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
        runId: event.run_id,
        valAcc: event.val_acc,
        codeVersion: event.code_version,
      });
    } catch (err) {
      // Bytes that are not a checkpoint never become one: drop them rather than block the stream.
      log.error({ err }, 'artifact weights are not a readable checkpoint; dropped');
      await this.release(blobKey, event);
      return 'invalid';
    }
    const sha256 = createHash('sha256').update(file).digest('hex');
    const path = this.pathOf(sha256);
    const existed = await stat(path).then(
      (s) => s.size === file.length,
      () => false,
    );
    if (!existed) await this.writeAtomically(path, file);
    const row: Artifact = {
      run_id: event.run_id,
      kind: event.kind,
      format: 'safetensors',
      epoch: event.epoch,
      attempt: event.attempt,
      metric_name: event.metric_name,
      metric_value: event.metric_value,
      val_acc: event.val_acc,
      bytes: file.length,
      sha256,
      created_at: new Date(event.at).toISOString(),
    };
    const result = recordArtifact(this.db, row);
    if (result.previousSha256) await this.removeIfUnreferenced(result.previousSha256);
    if (result.outcome === 'inserted' || result.outcome === 'replaced' || result.outcome === 'duplicate') {
      await this.release(blobKey, event);
      if (result.outcome !== 'duplicate') log.info({ sha256, bytes: file.length }, 'artifact stored');
      return result.outcome === 'duplicate' ? 'duplicate' : 'stored';
    }
    if (!existed) await this.removeIfUnreferenced(sha256);
    if (result.outcome !== 'unknown') await this.release(blobKey, event);
    return result.outcome;
  }

  /** Deletes files no row names any more (after rows were deleted or replaced). */
  async removeIfUnreferenced(sha256: string): Promise<void> {
    if (isArtifactFileReferenced(this.db, sha256)) return;
    await unlink(this.pathOf(sha256)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') this.logger.warn({ err, sha256 }, 'could not remove artifact file');
    });
  }

  private async release(blobKey: string, event: RunArtifactEvent): Promise<void> {
    await this.redis.eval(DELETE_IF_SAME, 1, blobKey, event.attempt, event.epoch);
  }

  private async writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
    const temp = join(this.dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    const handle = await open(temp, 'wx', 0o644);
    try {
      try {
        if (this.fault === ARTIFACT_WRITE_FAULT) {
          await handle.write(bytes, 0, bytes.length >> 1);
          await handle.sync();
          process.kill(process.pid, 'SIGKILL');
        }
        await handle.write(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw new Error(`writing artifact ${path}: ${(err as Error).message}`, { cause: err });
    }
    // The rename itself must survive a power cut before the row that names the file is committed.
    const folder = await open(this.dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}
