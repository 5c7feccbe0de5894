/**
 * Rules for the names that become folders and files under the models root: model ids,
 * variant names and manifest file paths. A manifest is untrusted input, so anything that
 * could escape the model folder, address a Windows device or collide on a case-insensitive
 * filesystem is refused here, before any code touches the disk.
 */
import type { ErrorCode } from '../../../shared/errors';

export interface NameProblem {
  message: string;
  code: ErrorCode;
}

const MAX_ID_LENGTH = 128;
const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_LENGTH = 1024;
const ID_PATTERN = /^[A-Za-z0-9._\-@+]+$/;

/** CON, PRN, AUX, NUL, COM1-9, LPT1-9 open devices on Windows, whatever the extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

/**
 * Keys that are legal by the character rule but dangerous when some consumer stores models
 * in a plain object keyed by id (prototype pollution); refused so nobody has to remember.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Characters Windows refuses in file names (besides `/`, `\` and `:` which get their own messages). */
const WINDOWS_FORBIDDEN_CHARS = /[<>"|?*]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0001-\u001f\u007f]/;

/** Checks a model id or a variant name (both become folder names). `kind` goes into the message. */
export function checkFolderName(name: string, kind: 'model id' | 'variant'): NameProblem | null {
  const code: ErrorCode = kind === 'model id' ? 'INVALID_MODEL_ID' : 'INVALID_CONFIG';
  if (name.length === 0) return { code, message: `${kind} must not be empty` };
  if (name.length > MAX_ID_LENGTH) return { code, message: `${kind} must be at most ${MAX_ID_LENGTH} characters (it has ${name.length})` };
  if (!ID_PATTERN.test(name)) {
    return { code, message: `${kind} may only contain letters, digits and . _ - @ + (got ${JSON.stringify(name)})` };
  }
  if (name === '.' || name === '..') return { code, message: `${kind} must not be "." or ".."` };
  if (WINDOWS_RESERVED.test(name)) return { code, message: `${kind} ${JSON.stringify(name)} is a reserved device name on Windows` };
  if (PROTOTYPE_KEYS.has(name)) return { code, message: `${kind} ${JSON.stringify(name)} is a reserved name` };
  return null;
}

/**
 * Checks a file path from a manifest: relative, POSIX separators, no `.`/`..`/empty
 * segments, no drive letters or other colons, no NUL or control characters, no Windows
 * reserved names, no trailing dots or spaces (Windows silently strips them, making two
 * different paths the same file).
 */
export function checkRelativePath(path: string): NameProblem | null {
  const traversal = (message: string): NameProblem => ({ code: 'PATH_TRAVERSAL_DETECTED', message });
  if (path.length === 0) return { code: 'INVALID_CONFIG', message: 'must not be empty' };
  if (path.includes('\0')) return traversal('must not contain NUL characters');
  if (path.includes('\\')) return traversal(`must use "/" as separator, not backslashes (got ${JSON.stringify(path)})`);
  if (path.startsWith('/')) return traversal(`must be relative, not absolute (got ${JSON.stringify(path)})`);
  if (/^[A-Za-z]:/.test(path)) return traversal(`must not start with a drive letter (got ${JSON.stringify(path)})`);
  if (path.includes(':'))
    return traversal(`must not contain ":" (drive letters and alternate data streams are refused; got ${JSON.stringify(path)})`);
  if (CONTROL_CHARS.test(path)) return traversal('must not contain control characters');
  if (path.length > MAX_PATH_LENGTH)
    return { code: 'PATH_TOO_LONG', message: `must be at most ${MAX_PATH_LENGTH} characters (it has ${path.length})` };
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '..') return traversal(`must not contain ".." segments (got ${JSON.stringify(path)})`);
    if (segment === '') return traversal(`must not contain empty segments ("//" or a trailing "/"; got ${JSON.stringify(path)})`);
    if (segment === '.') return traversal(`must not contain "." segments (got ${JSON.stringify(path)})`);
    if (WINDOWS_RESERVED.test(segment)) return traversal(`${JSON.stringify(segment)} is a reserved device name on Windows`);
    if (WINDOWS_FORBIDDEN_CHARS.test(segment)) return traversal(`must not contain any of < > " | ? * (got ${JSON.stringify(path)})`);
    if (/[. ]$/.test(segment)) return traversal(`segments must not end with a dot or a space (got ${JSON.stringify(path)})`);
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      return {
        code: 'PATH_TOO_LONG',
        message: `each segment must be at most ${MAX_SEGMENT_BYTES} bytes (${JSON.stringify(segment.slice(0, 40))}… is longer)`,
      };
    }
  }
  return null;
}

/**
 * The key two names share when a case-insensitive or normalising filesystem (Windows, macOS)
 * would treat them as the same entry.
 */
export function collisionKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}
