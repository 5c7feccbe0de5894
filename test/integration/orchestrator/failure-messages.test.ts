/** What ensure says when no source can deliver: each source once, each piece of advice once. */
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { structuredErrorOf } from '../../helpers/structured-error';
import { bytes, spec, TestBed, type TestFile } from './helpers/harness';

let bed: TestBed;
beforeEach(async () => {
  bed = await TestBed.create();
});
afterEach(async () => {
  await bed.dispose();
});

async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/m`;
}

const count = (text: string, part: string) => text.split(part).length - 1;

describe('failure messages', () => {
  it('says "check the network" once when every source refuses the connection', async () => {
    const fs: TestFile[] = [{ path: 'a.bin', data: bytes(10_000, 'a') }];
    const [a, b] = [await deadUrl(), await deadUrl()];
    const orch = bed.orchestrator([spec('m1', fs, [a, b])]);
    const error = await structuredErrorOf(orch.ensure('m1'));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(count(error.message, 'Check the network')).toBe(1);
    expect(count(error.message, 'ECONNREFUSED')).toBe(2);
    expect(error.message).toContain(`${a}/a.bin`);
    expect(error.message).toContain(`${b}/a.bin`);
  });
});
