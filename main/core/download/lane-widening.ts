/**
 * Start narrow, widen when one connection is not enough. A file starts on one connection that
 * streams it in file order; after `afterMs` the other lanes join only if that connection is slower
 * than `enoughBytesPerSecond`. On a fast network (a team mirror on the LAN, loopback) one stream
 * already fills the link, and keeping to it saves the CPU that more sockets, more requests and an
 * out-of-order file cost: the hash follows right behind the writer and is ready moments after the
 * last byte. On a link with latency or loss, where one TCP stream falls short, the lanes join
 * after the probe as they always did, on pieces re-cut to the usual size so the in-order frontier
 * (and with it the hash) keeps moving.
 */
import { cutPieces, type Piece } from './piece';

export interface WidenTuning {
  /** How long the single connection runs before its speed is judged; 0 widens at once. */
  afterMs: number;
  /** One connection at least this fast keeps the file to itself. */
  enoughBytesPerSecond: number;
  /** Size of the pieces the remaining bytes are cut into when the other lanes join. */
  pieceSize: number;
  /** A piece is cut only when both parts reach this size. */
  minPieceSize: number;
}

/** The decision lanes 2…n wait for: true to join, false to leave the file to the first lane. */
export interface WidenGate {
  readonly decided: Promise<boolean>;
  /** The first lane ran out of work (or everything stopped): nobody needs to join any more. */
  settle(): void;
  /** Stops the probe timer. */
  dispose(): void;
}

export function startWidenGate(tuning: WidenTuning, active: ReadonlySet<Piece>, queue: Piece[], now: () => number): WidenGate {
  let resolve!: (join: boolean) => void;
  let settled = false;
  const decided = new Promise<boolean>((r) => (resolve = r));
  const finish = (join: boolean) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    resolve(join);
  };
  const timer = setTimeout(() => {
    const join = speedOf(active, now()) < tuning.enoughBytesPerSecond;
    if (join) recut(active, queue, tuning);
    finish(join);
  }, tuning.afterMs);
  return { decided, settle: () => finish(false), dispose: () => finish(false) };
}

/** Bytes per second the ranges in flight receive now (0 before any byte: a slow start joins). */
function speedOf(active: ReadonlySet<Piece>, at: number): number {
  let speed = 0;
  for (const p of active) {
    const elapsed = at - p.attemptStartedAt;
    if (elapsed > 0) speed += (p.attemptBytes * 1000) / elapsed;
  }
  return speed;
}

/**
 * Shortens the range in flight to about one piece past what it has received and cuts the rest,
 * with every queued range, into pieces in file order, so the joining lanes take the next bytes
 * of the file instead of its far end.
 */
export function recut(active: ReadonlySet<Piece>, queue: Piece[], tuning: Pick<WidenTuning, 'pieceSize' | 'minPieceSize'>): void {
  const gaps: Array<[number, number]> = [];
  for (const p of active) {
    const cut = p.received + tuning.pieceSize;
    if (p.end - cut < tuning.minPieceSize) continue;
    gaps.push([cut, p.end]);
    p.end = cut;
  }
  for (const p of queue.splice(0)) gaps.push([p.received, p.end]);
  gaps.sort((a, b) => a[0] - b[0]);
  queue.push(...cutPieces(gaps, tuning.pieceSize));
}
