/**
 * `modelctl health`, `GET /api/health` and the Storage page's summary: the quick status (stats,
 * never a hash) of every model of the manifest, or of those named, within a time budget so a
 * root of thousands of models still answers fast. A model the budget did not reach is
 * UNCHECKED, which is never healthy. Overall, as the seed defines it: healthy when every model
 * is complete, degraded when any is missing, partial or corrupt, error when there are no models
 * or the models root cannot be read.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { OrchestratorError, toStructuredError } from '../../../shared/errors';
import type { HealthReport, HealthState, ModelHealth, ModelSummary, StatusReport } from '../../../shared/results';
import type { ModelService } from '../ports';

export interface HealthOptions {
  root: string;
  /** Only these model ids (default: every model of the manifest). */
  ids?: readonly string[];
  /** Time for all checks together (default 10 s). */
  budgetMs?: number;
  /** Checks run at the same time (default 16). */
  concurrency?: number;
  now?: () => number;
}

export const DEFAULT_HEALTH_BUDGET_MS = 10_000;

type HealthSource = Pick<ModelService, 'listModels' | 'status'>;

export async function checkHealth(service: HealthSource, options: HealthOptions): Promise<HealthReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const deadline = started + (options.budgetMs ?? DEFAULT_HEALTH_BUDGET_MS);
  const root = path.resolve(options.root);
  const models = pick(service.listModels(), options.ids);
  const report = (health: HealthState, problem: string | null, entries: ModelHealth[]): HealthReport => ({
    health,
    root,
    checkedAt: started,
    problem,
    counts: countsOf(entries),
    models: entries,
  });
  if (models.length === 0)
    return report(
      'error',
      'The manifest lists no models, so there is nothing to be healthy. Pass --manifest FILE or set MODELS_MANIFEST.',
      [],
    );
  const unreadable = await rootProblem(root);
  if (unreadable) return report('error', unreadable, []);

  const entries: ModelHealth[][] = new Array<ModelHealth[]>(models.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < models.length; i = next++) {
      const model = models[i] as ModelSummary;
      entries[i] = await checkModel(service, model, deadline, now);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, models.length) }, worker));
  const flat = entries.flat();
  const counts = countsOf(flat);
  const healthy = flat.length === counts.complete + counts.verifying;
  const problem =
    counts.unchecked > 0
      ? `${counts.unchecked} model(s) were not checked within the time budget; run health again with a larger --budget.`
      : null;
  return report(healthy ? 'healthy' : 'degraded', problem, flat);
}

/** The default variant, plus every other variant that is installed (a marker on disk). */
async function checkModel(service: HealthSource, model: ModelSummary, deadline: number, now: () => number): Promise<ModelHealth[]> {
  const out: ModelHealth[] = [];
  const variants = [model.defaultVariant, ...model.variants.filter((v) => v !== model.defaultVariant)];
  for (const variant of variants) {
    const isDefault = variant === model.defaultVariant;
    let status: StatusReport | null;
    try {
      status = await withinBudget(service.status(model.id, { variant }), deadline - now());
    } catch (error) {
      // One unreadable model folder says so in its entry; the others are still checked.
      if (isDefault) out.push({ ...unchecked(model.id, variant), problem: `Could not be checked: ${toStructuredError(error).message}` });
      continue;
    }
    if (status === null) {
      if (isDefault) out.push(unchecked(model.id, variant));
      continue;
    }
    if (isDefault || status.status === 'COMPLETE' || status.status === 'CORRUPT') out.push(healthOf(status));
  }
  return out;
}

function healthOf(report: StatusReport): ModelHealth {
  const base = {
    id: report.id,
    variant: report.variant,
    status: report.status,
    bytesNeeded: report.bytesNeeded,
    missingFiles: report.missingFiles,
  };
  switch (report.status) {
    case 'COMPLETE':
    case 'VERIFYING':
      return { ...base, problem: null, action: null };
    case 'NOT_PRESENT':
      return { ...base, problem: 'Not downloaded.', action: 'download' };
    case 'PARTIAL':
      return {
        ...base,
        problem:
          report.missingFiles.length === 0
            ? 'Not in place yet: every file is stored already, so downloading fetches nothing and only puts them in place.'
            : `Partly downloaded: ${report.missingFiles.length} file(s) still missing.`,
        action: 'download',
      };
    case 'CORRUPT': {
      const files =
        report.missingFiles.length > 0
          ? `: ${report.missingFiles.slice(0, 5).join(', ')}${report.missingFiles.length > 5 ? ', …' : ''}`
          : '';
      return { ...base, problem: `Damaged (a file is missing, has the wrong size or failed verification)${files}.`, action: 'repair' };
    }
  }
}

function unchecked(id: string, variant: string): ModelHealth {
  return {
    id,
    variant,
    status: 'UNCHECKED',
    bytesNeeded: null,
    missingFiles: [],
    problem: 'Not checked: the time budget ran out first.',
    action: 'check-again',
  };
}

/** Resolves with the status, or null when `ms` passes first (a hung network filesystem must not hang health). */
async function withinBudget(status: Promise<StatusReport>, ms: number): Promise<StatusReport | null> {
  if (ms <= 0) {
    status.catch(() => undefined);
    return null;
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
    timer.unref();
  });
  try {
    return await Promise.race([status, late]);
  } finally {
    clearTimeout(timer);
    status.catch(() => undefined);
  }
}

function pick(models: ModelSummary[], ids: readonly string[] | undefined): ModelSummary[] {
  if (!ids || ids.length === 0) return models;
  const byId = new Map(models.map((m) => [m.id, m]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    const known = models.map((m) => m.id);
    throw new OrchestratorError(
      'MODEL_NOT_FOUND',
      `health: ${unknown.map((id) => `"${id}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the manifest. Run "modelctl list" to see the models.`,
      { ids: unknown, known: known.slice(0, 100) },
    );
  }
  return [...new Set(ids)].map((id) => byId.get(id) as ModelSummary);
}

/** A missing root is fine (nothing downloaded yet: degraded); one that exists but cannot be listed is an error. */
async function rootProblem(root: string): Promise<string | null> {
  for (const dir of [root, path.join(root, 'models')]) {
    try {
      await readdir(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      return `The models root ${root} cannot be read (${code ?? String(error)}). Check the path (--root or MODELS_ROOT) and its permissions.`;
    }
  }
  return null;
}

function countsOf(entries: ModelHealth[]): HealthReport['counts'] {
  const count = (status: ModelHealth['status']) => entries.filter((e) => e.status === status).length;
  return {
    models: entries.length,
    complete: count('COMPLETE'),
    verifying: count('VERIFYING'),
    notPresent: count('NOT_PRESENT'),
    partial: count('PARTIAL'),
    corrupt: count('CORRUPT'),
    unchecked: count('UNCHECKED'),
  };
}
