/**
 * A second process working on the same models root, for cross-process tests. Run with
 * `node --import tsx orchestrator-child.ts '<json>'`:
 *   {"action":"ensure","root":...,"models":[...],"id":...}  -> prints "ready", then the EnsureResult (or {"error"}) as JSON
 *   {"action":"hold-lock","root":...,"key":...,"purpose":...} -> prints "locked" and holds it until killed
 */
import { z } from 'zod';
import { Downloader } from '../../../../main/core/download/downloader';
import { createHashPool } from '../../../../main/core/hash/hash-pool';
import { Orchestrator } from '../../../../main/core/orchestrator';
import { createSourceResolver } from '../../../../main/core/sources/index';
import { ModelLocks } from '../../../../main/core/store/model-locks';
import { ModelsRoot } from '../../../../main/core/store/models-root';
import { systemClock } from '../../../../main/core/system/system-clock';
import { toStructuredError } from '../../../../shared/errors';
import type { ModelSpec } from '../../../../shared/manifest';

const input = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('ensure'), root: z.string(), models: z.array(z.unknown()), id: z.string() }),
    z.object({ action: z.literal('hold-lock'), root: z.string(), key: z.string(), purpose: z.enum(['ensure', 'verify']) }),
  ])
  .parse(JSON.parse(process.argv[2] ?? '{}') as unknown);

if (input.action === 'hold-lock') {
  const layout = new ModelsRoot(input.root);
  await layout.prepare();
  const lock = await new ModelLocks(layout.locksDir, systemClock).tryAcquire(input.key, input.purpose);
  process.stdout.write(lock ? 'locked\n' : 'busy\n');
  setInterval(() => undefined, 60_000);
} else {
  const layout = new ModelsRoot(input.root);
  const hashPool = createHashPool(1);
  const downloader = new Downloader({ partialDir: layout.partialDir, hashPool, retries: 1, retryBaseDelayMs: 10 });
  const orchestrator = new Orchestrator({
    root: input.root,
    models: input.models as ModelSpec[],
    hashPool,
    downloader,
    sourceResolver: createSourceResolver(),
    diskProbe: { space: async () => ({ free: 1e13, size: 2e13 }) },
    settings: { safetyMarginBytes: 0 },
  });
  let code = 0;
  process.stdout.write('ready\n'); // the parent starts its own ensure now, so the two overlap
  try {
    process.stdout.write(`${JSON.stringify(await orchestrator.ensure(input.id))}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: toStructuredError(error) })}\n`);
    code = 1;
  }
  await orchestrator.close();
  await downloader.close();
  await hashPool.close();
  process.exit(code);
}
