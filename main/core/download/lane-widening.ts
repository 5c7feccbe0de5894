/**
 * Start narrow, widen when one connection is not enough. A file's first lane fetches a probe
 * window alone (one piece, at most what `enoughBytesPerSecond` delivers in `afterMs`); the
 * decision falls when that window is done or the time is up, whichever comes first:
 * - fast enough (a team mirror on the LAN, loopback): the first lane takes the rest of the file in
 *   one more request and the others never start. One stream fills such a link, and keeping to it
 *   saves the CPU of more sockets and of an out-of-order file: the hash follows right behind the
 *   writer and is ready moments after the last byte;
 * - too slow (latency, loss, a far server): the rest is cut into pieces in file order and every
 *   lane joins, as without the probe.
 * Only queued ranges are re-cut, never one in flight, so the decision costs no byte twice.
 */
import { cutPieces, type Piece } from './piece';

export interface WidenTuning {
  /** How long the first lane runs alone at most before its speed is judged. */
  afterMs: number;
  /** A first lane at least this fast keeps the file to itself. */
  enoughBytesPerSecond: number;
  /** Size of the pieces the rest is cut into when the other lanes join. */
  pieceSize: number;
}

/** The decision lanes 2…n wait for: true to join, false to leave the file to the first lane. */
export interface WidenGate {
  readonly decided: Promise<boolean>;
  /** Judges the first lane's speed now (it finished the probe window); later calls do nothing. */
  decide(): void;
  /** Nobody needs to join any more (the first lane is out of work, or everything stopped). */
  settle(): void;
}

/** The probe window: the first `enoughBytesPerSecond × afterMs` bytes of the gaps. */
export function probeWindowBytes(tuning: Pick<WidenTuning, 'afterMs' | 'enoughBytesPerSecond'>): number {
  return Math.max(1, Math.floor((tuning.enoughBytesPerSecond * tuning.afterMs) / 1000));
}

/** The gaps as the first lane fetches them alone: the probe window, then one piece per gap. */
export function probeQueue(gaps: ReadonlyArray<readonly [number, number]>, windowBytes: number): Piece[] {
  const out: Piece[] = [];
  let left = windowBytes;
  for (const [s, e] of gaps) {
    const cut = left > 0 ? Math.min(e, s + left) : s;
    if (cut > s) out.push(...cutPieces([[s, cut]], Number.MAX_SAFE_INTEGER));
    if (e > cut) out.push(...cutPieces([[cut, e]], Number.MAX_SAFE_INTEGER));
    left -= cut - s;
  }
  return out;
}

/**
 * `received()`: the bytes the file has received so far; `queue`: the pieces not yet taken, re-cut
 * into `pieceSize` pieces when the other lanes join.
 */
export function startWidenGate(tuning: WidenTuning, received: () => number, queue: Piece[]): WidenGate {
  const from = received();
  const startedAt = Date.now();
  let resolve!: (join: boolean) => void;
  let settled = false;
  const decided = new Promise<boolean>((r) => (resolve = r));
  const finish = (join: boolean) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (join) {
      const rest = queue.splice(0).map((p) => [p.received, p.end] as const);
      queue.push(...cutPieces(rest, tuning.pieceSize));
    }
    resolve(join);
  };
  const decide = () => {
    const elapsed = Math.max(1, Date.now() - startedAt);
    finish(((received() - from) * 1000) / elapsed < tuning.enoughBytesPerSecond);
  };
  const timer = setTimeout(decide, tuning.afterMs);
  return { decided, decide, settle: () => finish(false) };
}
