/**
 * Builds what an orchestrator test needs: a temp models root, a real HTTP server on 127.0.0.1
 * (the fault-injecting one), model specs whose files are real bytes with real sha256s, and an
 * Orchestrator wired with the real hash pool and source resolver.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ModelSpec } from '../../../../shared/manifest';
import { createHashPool } from '../../../../main/core/hash/hash-pool';
import { Orchestrator, type OrchestratorSettings } from '../../../../main/core/orchestrator';
import type { Clock, DiskProbe, FileDownloader, HashPool, OrchestratorObserver } from '../../../../main/core/ports';
import { createSourceResolver } from '../../../../main/core/sources/index';
import { ModelsRoot } from '../../../../main/core/store/models-root';
import { startFaultServer, type FaultServer } from '../../../helpers/fault-server';
import { makeDownloader } from './downloader-factory';

export interface TestFile {
  path: string;
  data: Buffer;
  optional?: boolean;
  variants?: string[];
}

export function bytes(size: number, seed = randomBytes(8).toString('hex')): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < size; i += block.length) {
    block.copy(out, i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function spec(id: string, files: TestFile[], sources: string[], variants = ['fp16']): ModelSpec {
  return {
    id,
    version: '1.0.0',
    variants,
    defaultVariant: variants[0] as string,
    allowPatterns: ['*'],
    files: files.map((f) => ({
      path: f.path,
      size: f.data.length,
      sha256: sha256(f.data),
      optional: f.optional ?? false,
      ...(f.variants ? { variants: f.variants } : {}),
    })),
    sources,
  };
}

/** Plenty of space, so tests that are not about space never trip the preflight. */
export const roomyDisk: DiskProbe = { space: async () => ({ free: 1e13, size: 2e13 }) };

export class TestBed {
  readonly orchestrators: Orchestrator[] = [];
  readonly hashPools: HashPool[] = [];
  private constructor(
    readonly dir: string,
    readonly root: string,
    readonly server: FaultServer,
  ) {}

  static async create(): Promise<TestBed> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-'));
    return new TestBed(dir, path.join(dir, 'root'), await startFaultServer());
  }

  get layout(): ModelsRoot {
    return new ModelsRoot(this.root);
  }

  /** Serves every file of `files` under `/<prefix>/<path>` and returns the source base URL. */
  publish(prefix: string, files: TestFile[]): string {
    for (const f of files) this.server.serve(`/${prefix}/${f.path}`, f.data);
    return `${this.server.url}/${prefix}`;
  }

  /** Body bytes the server sent for one file (how often it was really downloaded). */
  sent(prefix: string, file: TestFile): number {
    return this.server.bytesSent(`/${prefix}/${file.path}`);
  }

  orchestrator(
    models: ModelSpec[] | (() => ModelSpec[]),
    options: {
      diskProbe?: DiskProbe;
      clock?: Clock;
      settings?: Partial<OrchestratorSettings>;
      downloader?: FileDownloader;
      hashPool?: HashPool;
      root?: string;
      onEvent?: OrchestratorObserver;
    } = {},
  ): Orchestrator {
    const root = options.root ?? this.root;
    const hashPool = options.hashPool ?? createHashPool(2);
    this.hashPools.push(hashPool);
    const layout = new ModelsRoot(root);
    const orchestrator = new Orchestrator({
      root,
      models,
      hashPool,
      downloader:
        options.downloader ??
        makeDownloader({ partialDir: layout.partialDir, hashPool, ...(options.clock ? { clock: options.clock } : {}) }),
      sourceResolver: createSourceResolver({ localMirrorRoot: this.dir }),
      diskProbe: options.diskProbe ?? roomyDisk,
      ...(options.clock ? { clock: options.clock } : {}),
      settings: { safetyMarginBytes: 0, ...options.settings },
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    this.orchestrators.push(orchestrator);
    return orchestrator;
  }

  async dispose(): Promise<void> {
    for (const o of this.orchestrators) await o.close();
    for (const p of this.hashPools) await p.close().catch(() => undefined);
    await this.server.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
