/**
 * Label values for the Prometheus metrics: bounded in length and characters, so a hostile or
 * odd manifest cannot blow up a scrape, and never holding a credential, a query string or a
 * signature (a source label is the source base with user:password, query and fragment cut).
 */
import { redactSource } from '../manifest/index';

const MAX_LABEL_LENGTH = 128;

/** Keeps letters, digits and `. _ - @ + : /`; anything else becomes `_`; at most 128 characters. */
export function labelValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._@+:/-]/g, '_');
  return cleaned.length > MAX_LABEL_LENGTH ? `${cleaned.slice(0, MAX_LABEL_LENGTH - 1)}~` : cleaned;
}

/**
 * The source of a download as a label: `https://mirror.example/models`, `s3://bucket/prefix`,
 * `hf://org/repo`, `local://wan22`. Mirror and origin stay distinguishable; secrets do not survive.
 */
export function sourceLabel(source: string | null): string {
  if (source === null || source === '') return 'none';
  return labelValue(redactSource(source));
}
