/**
 * Masks secrets in anything about to be logged: the values of the credential variables the
 * process was given (HF_TOKEN, AWS keys, ...), user:password in URLs, URL query strings (signed
 * URLs carry their signature there) and `Bearer`/`Basic` credentials. Applied to every string
 * of a log record, however deep.
 */
const SECRET_ENV = [
  'HF_TOKEN',
  'HUGGING_FACE_HUB_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ACCESS_KEY_ID',
  'MODELS_WEB_TOKEN',
] as const;

export const MASK = '***';

/** Secret values found in `env`, longest first (so a token containing another is masked whole). */
export function secretsFromEnv(env: Record<string, string | undefined>): string[] {
  return SECRET_ENV.map((name) => env[name])
    .filter((v): v is string => typeof v === 'string' && v.length >= 4)
    .sort((a, b) => b.length - a.length);
}

export function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return out
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@?#"']+@/gi, `$1${MASK}@`)
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s?#"']*)\?[^\s#"']*/gi, `$1?${MASK}`)
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${MASK}`);
}

/** A copy of `value` with every string masked (plain JSON data in, plain JSON data out). */
export function maskFields(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return maskText(value, secrets);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskFields(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = maskFields(v, secrets, depth + 1);
  return out;
}
