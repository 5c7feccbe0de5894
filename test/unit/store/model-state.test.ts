import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelStateStore } from '../../../main/core/store/model-state';
import { ModelsRoot } from '../../../main/core/store/models-root';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ModelStateStore', () => {
  it('keeps concurrent changes of one model variant (a pin is not lost to a last-use update)', async () => {
    const store = new ModelStateStore(new ModelsRoot(dir));
    await Promise.all([
      store.update('m', 'v', { pinned: true }),
      store.update('m', 'v', { lastUsed: 5 }),
      store.update('m', 'v', { corrupt: true, badFiles: ['a'] }),
    ]);
    expect(await new ModelStateStore(new ModelsRoot(dir)).read('m', 'v')).toEqual({
      pinned: true,
      lastUsed: 5,
      corrupt: true,
      badFiles: ['a'],
      lastVerifiedAt: null,
      fileSources: {},
    });
  });

  it('forgets everything but the pin when a model is removed', async () => {
    const store = new ModelStateStore(new ModelsRoot(dir));
    await store.update('m', 'v', { pinned: true, lastUsed: 7, corrupt: true });
    await store.update('n', 'v', { lastUsed: 7 });
    await store.forget('m', 'v');
    await store.forget('n', 'v');
    expect(await store.read('m', 'v')).toMatchObject({ pinned: true, lastUsed: null, corrupt: false });
    expect([...(await store.all()).keys()]).toEqual(['m~v']);
  });
});
