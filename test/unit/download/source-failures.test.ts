import { describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../../shared/errors';
import type { ResolvedSource } from '../../../main/core/ports';
import { SourceFailures } from '../../../main/core/download/source-failures';

const a: ResolvedSource = { kind: 'http', base: 'https://a', url: 'https://a/f' };
const b: ResolvedSource = { kind: 'http', base: 'https://b', url: 'https://b/f' };
const file = { path: 'f.bin', size: 1000 };
const err = (code: ConstructorParameters<typeof OrchestratorError>[0], msg: string) => new OrchestratorError(code, msg, { source: 'x' });

describe('source fallback and failure aggregation', () => {
  it('offers sources in priority order, skipping failed ones', () => {
    const f = new SourceFailures([a, b]);
    expect(f.next()).toBe(a);
    expect(f.isLast(a)).toBe(false);
    f.add(a, err('AUTH_FAIL', 'a: denied.'));
    expect(f.next()).toBe(b);
    expect(f.isLast(b)).toBe(true);
    expect(f.allFailed).toBe(false);
    f.add(b, err('AUTH_FAIL', 'b: denied.'));
    expect(f.next()).toBeUndefined();
    expect(f.allFailed).toBe(true);
    expect(f.list.map((x) => x.source)).toEqual(['https://a', 'https://b']);
    expect(f.list[0]?.error).toMatchObject({ code: 'AUTH_FAIL', message: 'a: denied.' });
  });

  it('reports the shared code when every source failed the same way', () => {
    const f = new SourceFailures([a, b]);
    f.add(a, err('AUTH_FAIL', 'https://a/f: access denied (HTTP 401). Check the token.'));
    f.add(b, err('AUTH_FAIL', 'https://b/f: access denied (HTTP 403). Check the token.'));
    const e = f.allFailedError(file, { bytesFetched: 0, bytesPresent: 0 });
    expect(e.code).toBe('AUTH_FAIL');
    expect(e.message).toBe(
      'Could not download f.bin from any source — https://a/f: access denied (HTTP 401); https://b/f: access denied (HTTP 403). Check the token.',
    );
    expect(e.details.failures).toHaveLength(2);
  });

  it('reports SOURCE_UNAVAILABLE for mixed failures', () => {
    const f = new SourceFailures([a, b]);
    f.add(a, err('AUTH_FAIL', 'a: denied.'));
    f.add(b, err('SIZE_MISMATCH', 'b: wrong size.'));
    expect(f.allFailedError(file, { bytesFetched: 0, bytesPresent: 0 }).code).toBe('SOURCE_UNAVAILABLE');
  });

  it('reports INCOMPLETE_DOWNLOAD with the bytes kept when transfers broke off after some arrived', () => {
    const f = new SourceFailures([a]);
    f.add(a, err('NETWORK_TIMEOUT', 'a: no data.'));
    const e = f.allFailedError(file, { bytesFetched: 400, bytesPresent: 300 });
    expect(e.code).toBe('INCOMPLETE_DOWNLOAD');
    expect(e.details).toMatchObject({ bytesPresent: 300, bytesExpected: 1000 });
  });
});
