/**
 * The hash worker's code, kept as a plain string so it runs with `new Worker(code, { eval: true })`
 * under tsx, vitest, plain Node and an esbuild bundle alike (no TS loader, no file to locate).
 *
 * One worker serves several jobs at once: whole-file hashes and "followers" that hash a file
 * while another thread is still writing it. Reads are synchronous on the worker thread (page
 * cache copies, no libuv pool contention with the downloader's writes and fsyncs) and the loop
 * yields between chunks so cancel messages and other jobs get their turn.
 */
export const HASH_WORKER_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');

// 512 KiB: the chunk just read is still in the L2 cache when it is hashed (2 MiB measured ~3-8 % slower).
const CHUNK = 512 * 1024;
const PROGRESS_EVERY = 32 * 1024 * 1024;
const jobs = new Map();
// One read buffer for every job of this worker: a chunk is read and hashed without yielding,
// so jobs never overlap on it, and finished jobs leave no buffers for a lazy GC to find.
const buf = Buffer.allocUnsafe(CHUNK);
const yieldTurn = () => new Promise((resolve) => setImmediate(resolve));

function fail(id, error) {
  const job = jobs.get(id);
  if (job) closeJob(job);
  jobs.delete(id);
  parentPort.postMessage({ id, type: 'error', message: String(error && error.message || error), code: error && error.code, path: error && error.path });
}

function closeJob(job) {
  if (job.fd !== null) {
    try { fs.closeSync(job.fd); } catch {}
    job.fd = null;
  }
}

async function pump(job) {
  if (job.running) return;
  job.running = true;
  try {
    while (!job.cancelled) {
      const limit = job.kind === 'hash' ? job.size : job.target;
      if (job.pos >= limit) break;
      const want = Math.min(CHUNK, limit - job.pos);
      const n = fs.readSync(job.fd, buf, 0, want, job.pos);
      if (n === 0) {
        if (job.kind === 'hash') { job.size = job.pos; break; }
        throw Object.assign(new Error('the file ended at byte ' + job.pos + ' while ' + limit + ' bytes were expected'), { code: 'ESHORT' });
      }
      job.hash.update(buf.subarray(0, n));
      job.pos += n;
      if (job.pos - job.reported >= PROGRESS_EVERY) {
        job.reported = job.pos;
        parentPort.postMessage({ id: job.id, type: 'progress', bytes: job.pos });
      }
      await yieldTurn();
    }
    if (job.cancelled) {
      closeJob(job);
      jobs.delete(job.id);
      parentPort.postMessage({ id: job.id, type: 'cancelled' });
      return;
    }
    const complete = job.kind === 'hash' ? true : job.finishSize !== null && job.pos >= job.finishSize;
    if (complete) {
      if (job.kind === 'follow' && job.pos !== job.finishSize) throw new Error('hashed ' + job.pos + ' bytes but the file should have ' + job.finishSize);
      closeJob(job);
      jobs.delete(job.id);
      parentPort.postMessage({ id: job.id, type: 'done', digest: job.hash.digest('hex'), bytes: job.pos });
    }
  } catch (error) {
    fail(job.id, error);
  } finally {
    job.running = false;
  }
  // A message may have raised the target while the last read was running.
  const again = jobs.get(job.id);
  if (again && !again.cancelled && again.pos < (again.kind === 'hash' ? again.size : again.target)) void pump(again);
  else if (again && again.kind === 'follow' && again.finishSize !== null && again.pos >= again.finishSize) void pump(again);
}

parentPort.on('message', (msg) => {
  try {
    if (msg.op === 'hash' || msg.op === 'follow') {
      const fd = fs.openSync(msg.path, 'r');
      const size = msg.op === 'hash' ? fs.fstatSync(fd).size : 0;
      const job = { id: msg.id, kind: msg.op, fd, size, pos: 0, target: 0, finishSize: null, reported: 0,
        hash: crypto.createHash('sha256'), running: false, cancelled: false };
      jobs.set(msg.id, job);
      if (msg.op === 'hash') void pump(job);
      return;
    }
    const job = jobs.get(msg.id);
    if (!job) return;
    if (msg.op === 'advance') {
      if (msg.upTo > job.target) job.target = msg.upTo;
      void pump(job);
    } else if (msg.op === 'finish') {
      job.finishSize = msg.size;
      if (msg.size > job.target) job.target = msg.size;
      void pump(job);
    } else if (msg.op === 'cancel') {
      job.cancelled = true;
      if (!job.running) void pump(job);
    }
  } catch (error) {
    fail(msg.id, error);
  }
});
`;
