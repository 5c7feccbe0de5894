/**
 * Every response body is read through this guard, which holds it to the length that was asked
 * for from both sides:
 * - too long (a chunked body that never ends, a server sending another file): the source fails
 *   with SIZE_MISMATCH as soon as one byte too many arrives, and the caller closes the connection;
 * - too short (the connection ended early): a transient INCOMPLETE_DOWNLOAD, so the rest is asked
 *   for again by range, or by the next source once this one is out of retries.
 */
import { OrchestratorError } from '../../../shared/errors';
import { AttemptError } from './attempt-error';

export class ResponseLengthGuard {
  private bytes = 0;

  /** `expected`: body bytes the request asked for; `fileSize`: the manifest's size, for the message. */
  constructor(
    private readonly where: string,
    private readonly expected: number,
    private readonly fileSize: number,
  ) {}

  /** Counts `n` more body bytes; throws once there are more than expected. */
  received(n: number): void {
    this.bytes += n;
    if (this.bytes > this.expected) {
      throw new AttemptError(
        'source',
        new OrchestratorError(
          'SIZE_MISMATCH',
          `${this.where}: the server sent more than the ${this.expected} bytes asked for (the manifest says the file has ${this.fileSize}). The source holds a different file or its server is broken; check the source.`,
          { source: this.where, expected: this.expected, actual: this.bytes },
        ),
      );
    }
  }

  /**
   * The body ended with the piece written up to `written` where `needed` was due; throws when it
   * fell short. `cut`: we cut the body ourselves to bound memory, so asking for the rest is free.
   */
  ended(written: number, needed: number, cut: boolean): void {
    if (written >= needed) return;
    throw new AttemptError(
      'transient',
      new OrchestratorError(
        'INCOMPLETE_DOWNLOAD',
        `${this.where}: the connection ended early (at byte ${written} of ${needed}). Retrying from there.`,
        {
          source: this.where,
        },
      ),
      undefined,
      cut,
    );
  }
}
