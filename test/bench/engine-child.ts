/**
 * Our engine as a child process for the bench: ensures one model with the real Orchestrator
 * (download, verify, promote into the models root) from an HTTP source, then prints a JSON
 * line with the outcome and its own peak RSS. Falls back to Downloader + rename when the
 * orchestrator is not available.
 * With action 'verify' it re-hashes the ensured model instead (`modelctl verify`'s path).
 * Usage: node --import tsx engine-child.ts <spec.json>
 *   spec: { root, model: ModelSpec, orchestrator: boolean, action?: 'ensure' | 'verify' }
 */
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelSpec } from '../../shared/manifest';

interface Spec {
  root: string;
  model: ModelSpec;
  /** Use the Orchestrator (main/core/orchestrator.ts); otherwise Downloader + rename. */
  orchestrator: boolean;
  action?: 'ensure' | 'verify';
}

const spec = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as Spec;
const peak = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
const started = performance.now();
// BENCH_MEM=1: sample where memory goes (heap, external buffers) for tuning.
const memPeak = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
if (process.env.BENCH_MEM) {
  setInterval(() => {
    const m = process.memoryUsage();
    for (const k of Object.keys(memPeak) as Array<keyof typeof memPeak>) memPeak[k] = Math.max(memPeak[k], Math.round(m[k] / 1024 ** 2));
  }, 20).unref();
}
let downloaded = 0;

const useOrchestrator = spec.orchestrator && process.env.BENCH_ENGINE !== 'downloader';
if (useOrchestrator) {
  const { createOrchestrator } = await import('../../main/core/orchestrator');
  const orchestrator = createOrchestrator({ root: spec.root, models: [spec.model] });
  try {
    if (spec.action === 'verify') {
      const result = await orchestrator.verify(spec.model.id);
      if (!result.success) throw new Error(`verify failed: ${JSON.stringify(result.problems)}`);
    } else {
      const result = await orchestrator.ensure(spec.model.id);
      downloaded = result.downloadedBytes;
    }
  } finally {
    await orchestrator.close();
  }
} else {
  const { Downloader } = await import('../../main/core/download/downloader');
  const { createHashPool } = await import('../../main/core/hash/hash-pool');
  const { createSourceResolver } = await import('../../main/core/sources');
  const pool = createHashPool();
  const tuning = process.env.BENCH_TUNING ? (JSON.parse(process.env.BENCH_TUNING) as Record<string, unknown>) : {};
  const d = new Downloader({ partialDir: join(spec.root, '.partial'), hashPool: pool, ...tuning });
  const resolver = createSourceResolver();
  // Four files at a time, like the orchestrator's default.
  const queue = [...spec.model.files];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const out = await d.download({ file: f, sources: resolver.resolve(spec.model, f.path) });
      const dest = join(spec.root, 'models', spec.model.id, spec.model.defaultVariant, f.path);
      mkdirSync(dirname(dest), { recursive: true });
      renameSync(out.filePath, dest);
      downloaded += out.bytesFetched;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  await d.close();
  await pool.close();
}
process.stdout.write(
  `${JSON.stringify({ ms: performance.now() - started, downloaded, peakRss: peak(), cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000, ...(process.env.BENCH_MEM ? { memPeakMB: memPeak } : {}) })}\n`,
);
