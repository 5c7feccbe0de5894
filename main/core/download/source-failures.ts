/**
 * Source fallback and failure aggregation for one file: which sources have failed, why, which
 * one to try next, and the single error reported when every source has failed.
 */
import { OrchestratorError, toStructuredError, type ErrorCode } from '../../../shared/errors';
import type { ResolvedSource, SourceFailure } from '../ports';
import { failureMessage, summarizeFailures } from './failure-summary';

/** Codes that, when every source failed the same way, describe the whole download. */
const SHARED_CODES: readonly ErrorCode[] = [
  'AUTH_FAIL',
  'RATE_LIMIT',
  'SIZE_MISMATCH',
  'CHECKSUM_FAIL',
  'NETWORK_TIMEOUT',
  'INCOMPLETE_DOWNLOAD',
];
/** Codes of a transfer that broke off: bytes that arrived are kept for a retry. */
const BROKE_OFF: readonly ErrorCode[] = ['SOURCE_UNAVAILABLE', 'NETWORK_TIMEOUT', 'INCOMPLETE_DOWNLOAD'];

export class SourceFailures {
  private readonly failed = new Set<ResolvedSource>();
  /** In the order they happened; handed to the caller's negative cache. */
  readonly list: SourceFailure[] = [];

  constructor(private readonly sources: readonly ResolvedSource[]) {}

  /** Sets `source` aside for this file and records why. */
  add(source: ResolvedSource, error: unknown): void {
    this.failed.add(source);
    this.list.push({ source: source.base, error: toStructuredError(error) });
  }

  has(source: ResolvedSource): boolean {
    return this.failed.has(source);
  }

  /** The first source in priority order that has not failed, or undefined. */
  next(): ResolvedSource | undefined {
    return this.sources.find((s) => !this.failed.has(s));
  }

  get allFailed(): boolean {
    return this.sources.every((s) => this.failed.has(s));
  }

  /** True when every source other than `source` has failed. */
  isLast(source: ResolvedSource): boolean {
    return this.sources.every((s) => s === source || this.failed.has(s));
  }

  /**
   * The error for a file no source could deliver: the shared code when all failed alike,
   * INCOMPLETE_DOWNLOAD when bytes arrived and are kept, otherwise SOURCE_UNAVAILABLE.
   */
  allFailedError(file: { path: string; size: number }, progress: { bytesFetched: number; bytesPresent: number }): OrchestratorError {
    const codes = new Set(this.list.map((f) => f.error.code));
    const only = codes.size === 1 ? ([...codes][0] as ErrorCode) : null;
    const code: ErrorCode = only && SHARED_CODES.includes(only) ? only : 'SOURCE_UNAVAILABLE';
    const { bytesFetched, bytesPresent } = progress;
    if (bytesFetched > 0 && bytesPresent > 0 && BROKE_OFF.includes(code)) {
      // The failures' own advice (check the network, it resumes) is what this message says anyway.
      const { what } = summarizeFailures(this.list);
      return new OrchestratorError(
        'INCOMPLETE_DOWNLOAD',
        `Could not finish ${file.path}: ${bytesPresent} of ${file.size} bytes arrived before every source broke off (${what}). They are kept, so trying again resumes from there.`,
        { path: file.path, bytesPresent, bytesExpected: file.size, failures: this.list },
      );
    }
    return new OrchestratorError(
      code,
      failureMessage(`Could not download ${file.path} from any source`, this.list, 'Check the network and the sources in the manifest.'),
      { path: file.path, failures: this.list },
    );
  }
}
