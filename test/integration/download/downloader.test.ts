import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../../shared/errors';
import type { ResolvedSource } from '../../../main/core/ports';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { blob, fixture, type Fixture } from './download-fixture';

let server: FaultServer;
let fx: Fixture;

beforeEach(async () => {
  server = await startFaultServer();
  fx = fixture();
});
afterEach(async () => {
  await fx.cleanup();
  await server.close();
});

const http = (path: string, base = 'http://test'): ResolvedSource => ({ kind: 'http', base, url: server.url + path });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof OrchestratorError ? e.code : `non-orchestrator: ${String(e)}`;
  }
}

describe('Downloader over HTTP', () => {
  it('downloads a file in parallel ranges and hands back the verified bytes', async () => {
    const f = blob(600_000);
    server.serve('/m/a.bin', f.data);
    const progress: number[] = [];
    const out = await fx.make().download({ file: { path: 'a.bin', size: f.size, sha256: f.sha256 }, sources: [http('/m/a.bin')], onProgress: (n) => progress.push(n) });
    expect(sha(readFileSync(out.filePath))).toBe(f.sha256);
    expect(out.filePath).toBe(`${fx.partialDir}/${f.sha256}.part`);
    expect(out.bytesFetched).toBe(f.size);
    expect(server.requests.filter((r) => r.status === 206).length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(f.size);
    expect(progress.every((n, i) => i === 0 || n >= (progress[i - 1] as number))).toBe(true);
    expect(fx.partialFiles()).toEqual([`${f.sha256}.part`]);
  });
});
