/**
 * One HTTP request through undici's dispatch(), its body handed out as a pull queue with our own
 * bounded buffering.
 *
 * Why not request() streams: undici 7 pauses its HTTP/1 parser when a body is not read fast
 * enough (bandwidth limit, slow disk). If the server then closes a connection it does not keep
 * alive (`Connection: close`, HTTP/1.0) the socket 'end' handler asserts on the paused parser and
 * the process dies with an uncatchable AssertionError (undici #5360, fixed only in undici 8).
 * So the parser is paused only where a server that behaves cannot end the socket under it:
 * - a kept-alive connection: a socket end there is an ordinary, catchable socket error;
 * - a closing connection while body bytes are still due (only whole-file streams, which cannot
 *   be resumed by range): a well-behaved server cannot send its FIN before them. A server that
 *   dies exactly after the chunk we paused on could still hit the undici bug; no test run or
 *   fault test has shown it, but it is the one case left open.
 * Otherwise the bytes are queued, and a ranged response (206) on a closing connection whose queue
 * grows past `cutBytes` is cut by us (`cut` turns true): the caller keeps what it got and asks for
 * the rest with a new range request. Memory stays bounded by about `cutBytes` per response.
 */
import type { Dispatcher } from 'undici';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface HttpRequestOptions {
  origin: string;
  path: string;
  headers: Record<string, string>;
  signal: AbortSignal;
}

export interface BufferLimits {
  /** Queued bytes at which a pausable response is paused (resumed at half of it). */
  pauseBytes: number;
  /** Queued bytes at which a ranged response on a closing connection is cut. */
  cutBytes: number;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: ResponseHeaders;
  /** False when the server closes the connection after this response. */
  readonly keepAlive: boolean;
  /** True when the body was cut by us to bound memory: what was read is good, the rest is missing. */
  readonly cut: boolean;
  /** The next body chunk; null at the end of the body; rejects when the transfer failed. */
  read(): Promise<Buffer | null>;
  /** Every body chunk received so far (at least one); null at the end; rejects when the transfer failed. */
  readMany(): Promise<Buffer[] | null>;
  /** Stops the response and discards the rest of the body. */
  cancel(): void;
  /** Reads a short body to its end so the connection can be reused; cancels a longer one. */
  dump(limit?: number): Promise<void>;
}

class CutBody extends Error {}

function first(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Whether undici will keep the connection: only when the server says so and the body is length-delimited. */
function keptAlive(headers: ResponseHeaders): boolean {
  const connection = (first(headers, 'connection') ?? '').toLowerCase();
  if (!connection.split(',').some((t) => t.trim() === 'keep-alive')) return false;
  return first(headers, 'content-length') !== undefined || /chunked/i.test(first(headers, 'transfer-encoding') ?? '');
}

/**
 * Sends the request; resolves with the status and headers once they arrive. `expectedBody` is the
 * number of body bytes a 200/206 answer should carry (used to know when bytes are still due).
 */
export function sendHttpRequest(
  dispatcher: Dispatcher,
  options: HttpRequestOptions,
  limits: BufferLimits,
  expectedBody: (status: number, headers: ResponseHeaders) => number | undefined,
): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolveStart, rejectStart) => {
    let controller: Dispatcher.DispatchController | null = null;
    let started = false;
    const queue: Buffer[] = [];
    let queued = 0;
    let received = 0;
    let due: number | undefined;
    let ended = false;
    let failure: Error | null = null;
    let cut = false;
    let keepAlive = false;
    let ranged = false;
    let wake: (() => void) | null = null;
    const { signal } = options;

    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const onAbort = () => controller?.abort(signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
    const finish = () => signal.removeEventListener('abort', onAbort);

    const response: HttpResponse = {
      statusCode: 0,
      headers: {},
      get keepAlive() {
        return keepAlive;
      },
      get cut() {
        return cut;
      },
      async readMany() {
        for (;;) {
          if (queue.length > 0) {
            const chunks = queue.splice(0, queue.length);
            queued = 0;
            if (controller?.paused) controller.resume();
            return chunks;
          }
          if (failure) throw failure;
          if (ended) return null;
          await new Promise<void>((r) => (wake = r));
        }
      },
      async read() {
        for (;;) {
          const chunk = queue.shift();
          if (chunk) {
            queued -= chunk.length;
            if (controller?.paused && queued <= limits.pauseBytes / 2) controller.resume();
            return chunk;
          }
          if (failure) throw failure;
          if (ended) return null;
          await new Promise<void>((r) => (wake = r));
        }
      },
      cancel() {
        if (!ended && !failure) controller?.abort(new DOMException('response cancelled', 'AbortError'));
        queue.length = 0;
        queued = 0;
      },
      async dump(limit = 64 * 1024) {
        let seen = 0;
        try {
          for (;;) {
            const chunk = await response.read();
            if (!chunk) return;
            seen += chunk.length;
            if (seen > limit) return response.cancel();
          }
        } catch {
          // A failed error body only costs the connection.
        }
      },
    };

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (signal.aborted) onAbort();
      },
      onResponseStart(c, statusCode, headers) {
        if (statusCode < 200) return;
        started = true;
        keepAlive = keptAlive(headers as ResponseHeaders);
        ranged = statusCode === 206;
        due = expectedBody(statusCode, headers as ResponseHeaders);
        Object.assign(response, { statusCode, headers });
        resolveStart(response);
      },
      onResponseData(c, chunk) {
        queue.push(chunk);
        queued += chunk.length;
        received += chunk.length;
        notify();
        if (queued < limits.pauseBytes) return;
        // Never pause on bytes that may be the last before the server closes (see above).
        const stillDue = due !== undefined && received < due;
        if (keepAlive || (stillDue && !ranged)) c.pause();
        else if (ranged && stillDue && queued >= limits.cutBytes) {
          cut = true;
          c.abort(new CutBody('buffer full'));
        }
      },
      onResponseEnd() {
        ended = true;
        finish();
        notify();
      },
      onResponseError(c, error) {
        finish();
        if (cut) ended = true;
        else failure = error;
        if (!started) rejectStart(error);
        notify();
      },
    };

    signal.addEventListener('abort', onAbort, { once: true });
    try {
      dispatcher.dispatch({ origin: options.origin, path: options.path, method: 'GET', headers: options.headers }, handler);
    } catch (error) {
      finish();
      rejectStart(error);
    }
  });
}
