/**
 * The check every failure path in the download, orchestrator and fault suites goes through: an
 * error the core reports is an OrchestratorError whose details are plain JSON data (no cycles,
 * no Error objects, nothing JSON drops), so the CLI, the web host and IPC can always send it.
 */
import { OrchestratorError, toStructuredError } from '../../shared/errors';

/** Throws unless `error` is an OrchestratorError with plain-data details; returns it. */
export function expectStructuredError(error: unknown): OrchestratorError {
  if (!(error instanceof OrchestratorError)) {
    throw new Error(`expected an OrchestratorError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  const problems: string[] = [];
  walk(error.details, 'details', new Set(), problems);
  if (problems.length > 0)
    throw new Error(`${error.code} "${error.message}" has details that are not plain data:\n- ${problems.join('\n- ')}`);
  const sent = JSON.stringify(toStructuredError(error));
  const back = JSON.parse(sent) as unknown;
  if (JSON.stringify(back) !== sent) throw new Error(`${error.code}: its structured form does not survive JSON`);
  return error;
}

/** The error `promise` rejects with, checked by expectStructuredError (a success fails the test). */
export async function structuredErrorOf(promise: Promise<unknown>): Promise<OrchestratorError> {
  try {
    await promise;
  } catch (error) {
    return expectStructuredError(error);
  }
  throw new Error('expected the operation to fail');
}

function walk(value: unknown, where: string, path: Set<object>, problems: string[]): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) problems.push(`${where} is ${value}`);
    return;
  }
  if (typeof value !== 'object') {
    problems.push(`${where} is a ${typeof value}`);
    return;
  }
  if (path.has(value)) {
    problems.push(`${where} refers back to itself (a cycle)`);
    return;
  }
  if (value instanceof Error) {
    problems.push(`${where} is an Error object (${value.name})`);
    return;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    problems.push(`${where} is a ${(value as object).constructor?.name ?? 'non-plain'} object`);
    return;
  }
  path.add(value);
  for (const [k, v] of Object.entries(value)) walk(v, Array.isArray(value) ? `${where}[${k}]` : `${where}.${k}`, path, problems);
  path.delete(value);
}
