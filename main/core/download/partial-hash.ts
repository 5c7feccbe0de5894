/**
 * The sha256 of a partial file, ready moments after the last byte lands. While the bytes arrive
 * in file order (one lane: small files, local copies, servers without ranges) they are hashed
 * from memory as they are written, so nothing is read back and no worker is involved. As soon as
 * the order breaks (several lanes, a resumed partial) a follower on the hash pool takes over and
 * hashes the leading bytes from the page cache while later ones still arrive. A large file goes
 * to the follower from the start: there the main thread, busy receiving, is the bottleneck, and
 * the page-cache read on the worker costs less than the hash on the main thread. Without a
 * following pool the file is hashed whole at the end.
 */
import { createHash, type Hash } from 'node:crypto';
import type { HashPool } from '../ports';
import type { FileFollower, FollowingHashPool } from '../hash/hash-pool';

export class PartialHash {
  private follower: FileFollower | null = null;
  /** The in-memory hash of bytes [0, pos) while they arrive in order; null once the order broke. */
  private arriving: Hash | null = null;
  private pos = 0;
  /** Bytes hashed from memory so far (tests and the bench read it). */
  hashedFromMemory = 0;

  constructor(
    private readonly pool: HashPool | FollowingHashPool,
    private readonly path: string,
    /** Hash on a worker following the writer even while the bytes arrive in order (large files). */
    private readonly options: { onWorker?: boolean } = {},
  ) {}

  /** Starts over from byte 0, the first `prefix` bytes already on disk. */
  restart(prefix: number): void {
    this.cancel();
    if (prefix === 0 && !(this.options.onWorker && this.canFollow())) {
      this.arriving = createHash('sha256');
      this.pos = 0;
    } else this.follow(prefix);
  }

  /** `length` bytes of `chunks` were written at `offset`: hashed here when they continue the in-order run. */
  wrote(offset: number, chunks: readonly Buffer[], length: number): void {
    const hash = this.arriving;
    if (!hash) return;
    if (offset !== this.pos) {
      this.follow(0);
      return;
    }
    let left = length;
    for (const chunk of chunks) {
      if (left <= 0) break;
      const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
      hash.update(part);
      left -= part.length;
    }
    this.pos += length;
    this.hashedFromMemory += length;
  }

  /** The first `prefix` bytes of the file are written. */
  advance(prefix: number): void {
    // The frontier moved past the in-order run: those bytes came another way, so read them back.
    if (this.arriving && prefix > this.pos) this.follow(prefix);
    this.follower?.advance(prefix);
  }

  /** The sha256 (hex) of the file's `size` bytes, once they are all written. */
  async digest(size: number, signal: AbortSignal): Promise<string> {
    if (this.arriving && this.pos === size) {
      const hex = this.arriving.digest('hex');
      this.arriving = null;
      return hex;
    }
    this.arriving = null;
    const follower = this.follower;
    if (!follower) return this.pool.hashFile(this.path, { signal });
    const onAbort = () => follower.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await follower.finish(size);
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.follower = null;
    }
  }

  cancel(): void {
    this.arriving = null;
    this.follower?.cancel();
    this.follower = null;
  }

  private canFollow(): boolean {
    return typeof (this.pool as Partial<FollowingHashPool>).follow === 'function';
  }

  /** Hands hashing to a follower reading the file from byte 0 (or to a whole-file hash at the end). */
  private follow(prefix: number): void {
    this.arriving = null;
    this.follower?.cancel();
    this.follower = null;
    const pool = this.pool as Partial<FollowingHashPool>;
    if (typeof pool.follow === 'function') {
      this.follower = pool.follow.call(this.pool, this.path);
      this.follower.advance(prefix);
    }
  }
}
