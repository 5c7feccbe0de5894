/**
 * Every failure the orchestrator reports is an `OrchestratorError`: a stable code, a message
 * that says what happened and what the user can do, structured details, and whether trying
 * again may help. It travels as data (`toStructuredError`) across IPC, HTTP and the CLI.
 */

export const ERROR_CODES = [
  'INVALID_CONFIG',
  'MISSING_MANIFEST',
  'SCHEMA_VERSION_MISMATCH',
  'MANIFEST_VALIDATION_ERROR',
  'MODEL_NOT_FOUND',
  'VARIANT_NOT_FOUND',
  'INVALID_MODEL_ID',
  'PATH_TRAVERSAL_DETECTED',
  'CASE_COLLISION_DETECTED',
  'NO_SPACE',
  'PERMISSION_DENIED',
  'PATH_TOO_LONG',
  'FILESYSTEM_ERROR',
  'AUTH_FAIL',
  'RATE_LIMIT',
  'NETWORK_TIMEOUT',
  'SOURCE_UNAVAILABLE',
  'CHECKSUM_FAIL',
  'SIZE_MISMATCH',
  'INCOMPLETE_DOWNLOAD',
  'LOCK_TIMEOUT',
  'LOCK_ERROR',
  'CONCURRENT_MODIFICATION',
  'CANCELLED',
  'UNKNOWN_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface StructuredError {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
  retryable: boolean;
}

/** Codes where trying again later (same inputs) may succeed. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'RATE_LIMIT',
  'NETWORK_TIMEOUT',
  'SOURCE_UNAVAILABLE',
  'INCOMPLETE_DOWNLOAD',
  'LOCK_TIMEOUT',
  'CONCURRENT_MODIFICATION',
]);

export class OrchestratorError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OrchestratorError';
    this.code = code;
    this.details = details;
    this.retryable = options.retryable ?? RETRYABLE.has(code);
  }

  toJSON(): StructuredError {
    return toStructuredError(this);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Maps Node filesystem errors to our codes; anything unknown becomes UNKNOWN_ERROR. */
export function toOrchestratorError(error: unknown, context = ''): OrchestratorError {
  if (error instanceof OrchestratorError) return error;
  const prefix = context ? `${context}: ` : '';
  if (isAbortError(error)) {
    return new OrchestratorError('CANCELLED', `${prefix}cancelled by the user.`);
  }
  const err = error as NodeJS.ErrnoException | undefined;
  const path = typeof err?.path === 'string' ? err.path : undefined;
  const details: Record<string, unknown> = path ? { path } : {};
  switch (err?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new OrchestratorError(
        'NO_SPACE',
        `${prefix}the disk is full${path ? ` (${path})` : ''}. Free some space or run gc, then try again.`,
        details,
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new OrchestratorError(
        'PERMISSION_DENIED',
        `${prefix}permission denied${path ? ` on ${path}` : ''}. Check that the models folder is writable.`,
        details,
      );
    case 'ENAMETOOLONG':
      return new OrchestratorError(
        'PATH_TOO_LONG',
        `${prefix}a path is too long for this filesystem${path ? `: ${path}` : ''}. Choose a shorter models root.`,
        details,
      );
    case 'ENOENT':
    case 'EEXIST':
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EXDEV':
    case 'EIO':
    case 'EMLINK':
      return new OrchestratorError('FILESYSTEM_ERROR', `${prefix}${err.message}`, { ...details, errno: err.code });
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return new OrchestratorError('UNKNOWN_ERROR', `${prefix}${message}`, details);
    }
  }
}

export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as { name?: unknown }).name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR')
  );
}

/**
 * The error as data: details are copied into plain JSON values at this moment, so the result can
 * always be serialised and later changes to the error's details do not reach it.
 */
export function toStructuredError(error: unknown): StructuredError {
  const e = toOrchestratorError(error);
  return { code: e.code, message: e.message, details: plainDetails(e.details), retryable: e.retryable };
}

/**
 * A copy of `details` that is plain JSON data: errors inside become structured errors, a value
 * met again on its own path (a cycle) becomes the string '[circular]', and what JSON cannot hold
 * (functions, symbols, undefined) is left out.
 */
export function plainDetails(details: Record<string, unknown>): Record<string, unknown> {
  return plainValue(details, new Set()) as Record<string, unknown>;
}

function plainValue(value: unknown, path: Set<object>): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  if (path.has(value)) return '[circular]';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  path.add(value);
  try {
    if (value instanceof Error) {
      const e = toOrchestratorError(value);
      return { code: e.code, message: e.message, details: plainValue(e.details, path), retryable: e.retryable };
    }
    if (Array.isArray(value)) return value.map((v) => plainValue(v, path) ?? null);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const plain = plainValue(v, path);
      if (plain !== undefined) out[k] = plain;
    }
    return out;
  } finally {
    path.delete(value);
  }
}
