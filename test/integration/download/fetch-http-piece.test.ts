/** One piece over HTTP against the fault server: what happens when the disk fails under a live body. */
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../../shared/errors';
import { AttemptError } from '../../../main/core/download/attempt-error';
import { fetchHttpPiece } from '../../../main/core/download/fetch-http-piece';
import { newPiece } from '../../../main/core/download/piece';
import { TokenBucket } from '../../../main/core/download/token-bucket';
import { systemClock } from '../../../main/core/system/system-clock';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { blob } from './download-fixture';

let server: FaultServer;
let agent: Agent;
beforeEach(async () => {
  server = await startFaultServer();
  agent = new Agent();
});
afterEach(async () => {
  await agent.close();
  await server.close();
});

describe('fetching one piece over HTTP', () => {
  it('a write that fails while the next bytes are awaited ends the piece with that failure, never as an unhandled rejection', async () => {
    const f = blob(50_000);
    server.serve('/a', f.data, { bytesPerSecond: 20_000 });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const full = new AttemptError('fatal', new OrchestratorError('NO_SPACE', 'the disk is full'));
    try {
      const piece = newPiece(0, f.size);
      const fetching = fetchHttpPiece(
        {
          dispatcher: agent,
          source: { kind: 'http', base: 'http://test', url: `${server.url}/a` },
          state: { noRanges: false },
          size: f.size,
          clock: systemClock,
          rate: new TokenBucket(systemClock, 0),
          sink: {
            // The disk fills while the body is still arriving: the write fails a moment later.
            write: () => new Promise((_, reject) => setTimeout(() => reject(full), 5)),
            received: () => undefined,
          },
          signal: new AbortController().signal,
          userAgent: 'test',
          writeChunkSize: 1024,
          writeFlushMs: 25,
          receiveBufferBytes: 1024 * 1024,
          redirectTtlMs: 60_000,
          maxRedirects: 3,
        },
        piece,
      );
      await expect(fetching).rejects.toBe(full);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
