/**
 * Shared set-up of the mirror tests: an S3 store (s3rver behind the SigV4 + checksum checker),
 * an origin HTTP server that counts requests, a manifest of one model with a multipart-sized
 * file and small files, and a root where that model was ensured from the origin.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { startMirrorStore, type MirrorStore } from '../../helpers/s3-mirror-store';
import { generateFiles, jsonOf, runCli, writeManifest, type GeneratedFile } from '../cli/cli-harness';

export const BUCKET = 'team-models';
export const MiB = 1024 * 1024;
export const PART = 5 * MiB;

export interface MirrorFixture {
  tmp: string;
  store: MirrorStore;
  origin: FaultServer;
  files: GeneratedFile[];
  manifest: string;
  id: string;
  /** A models root holding the model, ensured from the origin. */
  pushRoot: string;
  close(): Promise<void>;
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export async function startMirrorFixture(options: { bigFile?: number; id?: string } = {}): Promise<MirrorFixture> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'mirror-'));
  const store = await startMirrorStore(path.join(tmp, 's3'), [BUCKET]);
  const origin = await startFaultServer();
  const id = options.id ?? 'team-llm@1.0';
  const files = generateFiles([
    { path: 'config.json', size: 700 },
    { path: 'tokenizer/vocab.txt', size: 300 * 1024 },
    { path: 'weights/model.safetensors', size: options.bigFile ?? 3 * PART + 1234 },
  ]);
  for (const f of files) origin.serve(`/origin/${f.path}`, f.data);
  const manifest = writeManifest([{ id, files, sources: [`${origin.url}/origin`] }], await mkdtemp(path.join(tmp, 'manifest-')));
  const pushRoot = path.join(tmp, 'push-root');
  const ensured = await runCli(['--json', '--manifest', manifest, '--root', pushRoot, 'ensure', id]);
  if (ensured.code !== 0) throw new Error(`fixture ensure failed: ${ensured.stdout} ${ensured.stderr}`);
  jsonOf(ensured);
  origin.requests.length = 0;
  return {
    tmp,
    store,
    origin,
    files,
    manifest,
    id,
    pushRoot,
    close: async () => {
      await store.close();
      await origin.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
