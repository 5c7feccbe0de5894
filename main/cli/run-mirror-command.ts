/**
 * `modelctl mirror push | pull-manifests | test`: the team mirror commands. They work on the
 * models root and the manifest directly (no download engine), with the same AWS settings as
 * s3:// sources.
 */
import type { ModelSpec } from '../../shared/manifest';
import type { ImportFromMirrorResult } from '../core/mirror/import-from-mirror';
import type { S3ClientOptions } from '../core/mirror/s3-client';
import type { MirrorPushResult, MirrorTestResult } from '../../shared/results';
import { OrchestratorError } from '../../shared/errors';
import { modelNotFound } from '../core/manifest/index';
import { createHttpDispatcher, type NetworkOptions } from '../core/net/http-dispatcher';
import { s3OptionsFromEnv } from '../core/sources/index';
import type { Command } from './parse-command-line';
import type { TerminalProgress } from './terminal-progress';
import { formatBytes } from './units';

type MirrorCommand = Extract<Command, { name: 'mirror' }>;

export interface MirrorCommandContext {
  root: string;
  models: ModelSpec[];
  manifestPath: string | null;
  env: NodeJS.ProcessEnv;
  /** Proxy and CA (--proxy, --ca-file and their variables), as downloads use them. */
  network?: NetworkOptions;
  signal?: AbortSignal;
  progress: TerminalProgress | null;
  print: (document: unknown, text: string) => void;
}

/** Returns exit status 0; a failure (a mirror test included) throws its structured error, which the CLI reports with exit 1. */
export async function runMirrorCommand(command: MirrorCommand, ctx: MirrorCommandContext): Promise<number> {
  // Eight connections per host, through the proxy and CA that downloads use.
  const dispatcher = createHttpDispatcher({ env: ctx.env, ...ctx.network, connections: 8, keepAliveTimeout: 10_000 });
  try {
    return await runWithDispatcher(command, ctx, { ...s3OptionsFromEnv(ctx.env), dispatcher });
  } finally {
    await dispatcher.close();
  }
}

async function runWithDispatcher(command: MirrorCommand, ctx: MirrorCommandContext, s3: S3ClientOptions): Promise<number> {
  switch (command.action) {
    case 'push': {
      const { pushToMirror } = await import('../core/mirror/push-to-mirror');
      const known = new Map(ctx.models.map((m) => [m.id, m]));
      const models = command.all
        ? ctx.models
        : command.ids.map((id) => {
            const model = known.get(id);
            if (!model) throw modelNotFound(id, [...known.keys()]);
            return model;
          });
      const result = await pushToMirror({
        root: ctx.root,
        models,
        to: command.to as string,
        s3,
        ...(command.variant !== undefined ? { variant: command.variant } : {}),
        ...(command.partSize !== undefined ? { partSize: command.partSize } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        onProgress: (p) => ctx.progress?.update(`Pushing to ${command.to}`, p.bytesDone, p.bytesTotal),
      });
      ctx.progress?.finish();
      ctx.print(pushDocument(result), pushText(result));
      return 0;
    }
    case 'pull-manifests': {
      if (ctx.manifestPath === null) {
        throw new OrchestratorError(
          'MISSING_MANIFEST',
          'mirror pull-manifests writes into a manifest: pass --manifest FILE (it is created when missing).',
          {},
        );
      }
      const { importFromMirror } = await import('../core/mirror/import-from-mirror');
      const result = await importFromMirror({
        from: command.from as string,
        ids: command.ids,
        manifest: ctx.manifestPath,
        s3,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      ctx.print(importDocument(result), importText(result));
      return 0;
    }
    case 'test': {
      const { testMirror } = await import('../core/mirror/test-mirror');
      const result = await testMirror(command.ids[0] as string, s3, ctx.signal);
      if (!result.ok && result.error) throw new OrchestratorError(result.error.code, result.error.message, result.error.details);
      ctx.print(testDocument(result), `${result.mirror}: ${result.message}`);
      return 0;
    }
  }
}

const pushDocument = ({ mirror, pushed, skipped, bytesUploaded }: MirrorPushResult) => ({ mirror, pushed, skipped, bytesUploaded });
const importDocument = ({ mirror, manifest, imported }: ImportFromMirrorResult) => ({
  mirror,
  manifest,
  imported: imported.map(({ id, version, variants }) => ({ id, version, variants })),
});
const testDocument = ({ mirror, ok, models, message }: MirrorTestResult) => ({ mirror, ok, models, message });

function pushText(result: MirrorPushResult): string {
  const lines = result.pushed.map((p) => `Pushed ${p.id} [${p.variant}]`);
  for (const s of result.skipped) {
    lines.push(
      `Skipped ${s.id} [${s.variant}]: ${s.reason === 'in-mirror' ? 'already in the mirror' : 'not complete here (run modelctl ensure first)'}`,
    );
  }
  lines.push(`${formatBytes(result.bytesUploaded)} uploaded to ${result.mirror}.`);
  return lines.join('\n');
}

function importText(result: ImportFromMirrorResult): string {
  const names = result.imported.map((m) => m.id).join(', ');
  return `Imported ${names || 'no models'} from ${result.mirror} into ${result.manifest}.`;
}
