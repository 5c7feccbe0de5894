/**
 * The hash follower of a partial file: hashes the leading bytes while later ones still arrive, so
 * the digest is ready moments after the last byte lands. Without a following pool (or after a
 * reset that cannot follow) the file is hashed whole at the end.
 */
import type { HashPool } from '../ports';
import type { FileFollower, FollowingHashPool } from '../hash/hash-pool';

export class PartialHash {
  private follower: FileFollower | null = null;

  constructor(
    private readonly pool: HashPool | FollowingHashPool,
    private readonly path: string,
  ) {}

  /** Starts following from byte 0 again, the first `prefix` bytes already on disk. */
  restart(prefix: number): void {
    this.cancel();
    const pool = this.pool as Partial<FollowingHashPool>;
    if (typeof pool.follow === 'function') {
      this.follower = pool.follow.call(this.pool, this.path);
      this.follower.advance(prefix);
    }
  }

  /** The first `prefix` bytes of the file are written. */
  advance(prefix: number): void {
    this.follower?.advance(prefix);
  }

  /** The sha256 (hex) of the file's `size` bytes, once they are all written. */
  async digest(size: number, signal: AbortSignal): Promise<string> {
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
    this.follower?.cancel();
    this.follower = null;
  }
}
