/**
 * One message out of several sources' failures that says each thing once: what happened at each
 * source, then each distinct piece of advice once (per-source messages are "what happened. What
 * to do." and several of them end with the same advice).
 */
import type { SourceFailure } from '../ports';

export interface FailureSummary {
  /** "a: what happened; b: what happened" (no final period); '' when there are no failures. */
  what: string;
  /** The distinct advice sentences of the failures, in order of first appearance. */
  advice: string[];
}

/** A sentence ends at . ! or ? followed by a space and a capital (URLs and versions have no space). */
const SENTENCE_END = /(?<=[.!?])\s+(?=[A-Z])/;

export function summarizeFailures(failures: readonly SourceFailure[]): FailureSummary {
  const what: string[] = [];
  const advice: string[] = [];
  for (const f of failures) {
    const [first = '', ...rest] = f.error.message.trim().split(SENTENCE_END);
    const happened = first.replace(/[.!]+$/, '');
    const line = happened.startsWith(f.source) ? happened : `${f.source}: ${happened}`;
    if (!what.includes(line)) what.push(line);
    for (const sentence of rest) if (!advice.includes(sentence)) advice.push(sentence);
  }
  return { what: what.join('; '), advice };
}

/** `what` then the failures' own advice, or `fallbackAdvice` when none of them gave any. */
export function failureMessage(prefix: string, failures: readonly SourceFailure[], fallbackAdvice: string): string {
  const { what, advice } = summarizeFailures(failures);
  const told = advice.length > 0 ? advice.join(' ') : fallbackAdvice;
  return `${prefix}${what ? ` — ${what}` : ''}. ${told}`;
}
