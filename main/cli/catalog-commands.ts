/**
 * modelctl add / adopt / export / remove: argument plumbing around the core's ModelCatalog, the
 * JSON documents of the CLI contract, and one-paragraph text for people.
 */
import type { ModelSpec } from '../../shared/manifest';
import type { AddModelResult, AdoptResult, ExportResult, ModelLink } from '../../shared/results';
import { formatBinaryBytes } from '../../shared/byte-sizes';
import type { ModelService } from '../core/ports';
import { ModelCatalog, type CatalogCredentials } from '../core/catalog/model-catalog';
import type { NetworkOptions } from '../core/net/http-dispatcher';
import { SharedFetch } from '../core/net/shared-fetch';
import { s3OptionsFromEnv } from '../core/sources/s3-source';
import type { CatalogCommand } from './parse-command-line';
import type { TerminalProgress } from './terminal-progress';

export interface CatalogCommandContext {
  root: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  models: ModelSpec[];
  /** Needed by adopt, export and remove; add works without one. */
  service?: ModelService;
  /** Where add writes (the --manifest file, created when missing). */
  manifestPath: string;
  progress: TerminalProgress | null;
  /** Proxy and CA for Hub and bucket requests (--proxy, --ca-file and their variables), as downloads use. */
  network?: NetworkOptions;
  signal?: AbortSignal;
  print(document: unknown, text: string): void;
}

export function credentialsFromEnv(env: NodeJS.ProcessEnv): CatalogCredentials {
  const hfToken = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN;
  return { ...(hfToken ? { hfToken } : {}), ...(env.HF_ENDPOINT ? { hfEndpoint: env.HF_ENDPOINT } : {}), s3: s3OptionsFromEnv(env) };
}

export async function runCatalogCommand(command: CatalogCommand, context: CatalogCommandContext): Promise<void> {
  const network = new SharedFetch();
  try {
    await runWithNetwork(command, context, network);
  } finally {
    await network.close();
  }
}

async function runWithNetwork(command: CatalogCommand, context: CatalogCommandContext, network: SharedFetch): Promise<void> {
  const { progress, print } = context;
  const unusable = () => {
    throw new Error(`${command.name}: no models service`);
  };
  const service = context.service;
  const catalog = new ModelCatalog({
    root: context.root,
    cwd: context.cwd,
    service: service ?? { ensure: unusable, status: unusable, getModel: unusable },
    models: () => context.models,
    credentials: () => ({ ...credentialsFromEnv(context.env), fetch: network.for(context.network ?? { env: context.env }) }),
    env: context.env,
  });
  const signal = context.signal ? { signal: context.signal } : {};
  switch (command.name) {
    case 'add': {
      const result = await catalog.add(
        context.manifestPath,
        {
          source: command.source,
          include: command.include,
          exclude: command.exclude,
          ...(command.variants.length ? { variants: command.variants } : {}),
          ...(command.id !== undefined ? { id: command.id } : {}),
          ...(command.revision !== undefined ? { revision: command.revision } : {}),
          ...(command.description !== undefined ? { description: command.description } : {}),
        },
        { onProgress: (p) => progress?.update(`Hashing ${p.currentFile ?? ''}`.trim(), p.hashedBytes, p.bytesToHash), ...signal },
      );
      progress?.finish();
      print(addDocument(result), addText(result));
      return;
    }
    case 'adopt': {
      const result = await catalog.adopt(command.dirs, {
        onProgress: (p) => {
          // Scanning is a walk of names and sizes: quick, and without a total to show a bar against.
          if (p.phase === 'hashing') progress?.update(`Hashing candidates`, p.hashedBytes, p.bytesToHash);
          else if (p.phase === 'linking') progress?.update('Completing models', p.bytesToHash, p.bytesToHash);
        },
        ...signal,
      });
      progress?.finish();
      print(adoptDocument(result), adoptText(result));
      return;
    }
    case 'export': {
      const result = await catalog.export({
        id: command.id,
        target: command.target,
        dir: command.dir,
        ...(command.variant !== undefined ? { variant: command.variant } : {}),
      });
      print(exportDocument(result), exportText(result, command.target));
      return;
    }
    case 'remove': {
      if (!service) unusable();
      const model = (service as ModelService).getModel(command.id);
      const variant = command.variant ?? model.defaultVariant;
      const links = await catalog.links(model.id, variant);
      const result = await (service as ModelService).remove(model.id, { variant });
      print(
        { id: result.id, variant: result.variant, bytesFreed: result.bytesFreed, links: links.map(linkDocument) },
        removeText(result, links),
      );
      return;
    }
  }
}

const addDocument = ({ id, variants, files, totalBytes, source, revision, manifest }: AddModelResult) => ({
  id,
  variants,
  files,
  totalBytes,
  source,
  revision,
  manifest,
});

const adoptDocument = ({ scannedFiles, hashedBytes, adoptedFiles, adoptedBytes, linked, copied, models }: AdoptResult) => ({
  scannedFiles,
  hashedBytes,
  adoptedFiles,
  adoptedBytes,
  linked,
  copied,
  models: models.map(({ id, variant, status }) => ({ id, variant, status })),
});

const exportDocument = ({ id, variant, dir, files, linked, copied }: ExportResult) => ({ id, variant, dir, files, linked, copied });

const linkDocument = ({ kind, dir, variant, createdAt }: ModelLink) => ({ kind, dir, variant, createdAt });

function addText(r: AddModelResult): string {
  const pinned = r.revision ? ` (pinned to commit ${r.revision.slice(0, 12)})` : '';
  return [
    `Added ${r.id}: ${r.files} file${r.files === 1 ? '' : 's'}, ${formatBinaryBytes(r.totalBytes)}, variant${r.variants.length === 1 ? '' : 's'} ${r.variants.join(', ')}.`,
    `Source ${r.source}${pinned}, written to ${r.manifest}.`,
    `Next: modelctl --manifest ${r.manifest} ensure ${r.id}`,
  ].join('\n');
}

function adoptText(r: AdoptResult): string {
  const lines = [
    `Scanned ${r.scannedFiles} files, hashed ${formatBinaryBytes(r.hashedBytes)}; adopted ${r.adoptedFiles} file${r.adoptedFiles === 1 ? '' : 's'} (${formatBinaryBytes(r.adoptedBytes)}).`,
  ];
  if (r.copied > 0)
    lines.push(
      `${r.copied} file${r.copied === 1 ? ' was' : 's were'} copied: the models folder is on another filesystem, so hard links were impossible.`,
    );
  const complete = r.models.filter((m) => m.status === 'COMPLETE');
  if (complete.length) lines.push(`Now complete: ${complete.map((m) => `${m.id} (${m.variant})`).join(', ')}.`);
  else lines.push('No model became complete.');
  return lines.join('\n');
}

function exportText(r: ExportResult, target: 'hf-cache' | 'folder'): string {
  const made =
    r.linked + r.copied === 0
      ? 'already in place'
      : `${r.linked} hard-linked${r.copied ? `, ${r.copied} ${target === 'folder' ? 'symlinked (another filesystem)' : 'copied (another filesystem)'}` : ''}`;
  return `Exported ${r.id} (${r.variant}): ${r.files} file${r.files === 1 ? '' : 's'} in ${r.dir} (${made}).`;
}

function removeText(r: { id: string; variant: string; bytesFreed: number }, links: ModelLink[]): string {
  const lines = [`Removed ${r.id} (${r.variant}); ${formatBinaryBytes(r.bytesFreed)} freed.`];
  if (links.length) {
    lines.push(
      `It is still exported to: ${links.map((l) => l.dir).join(', ')}. Those links keep their bytes on disk until you delete them.`,
    );
  }
  return lines.join('\n');
}
