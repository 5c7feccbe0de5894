import { describe, expect, it } from 'vitest';
import { failureMessage, summarizeFailures } from '../../../main/core/download/failure-summary';
import type { SourceFailure } from '../../../main/core/ports';

const failure = (source: string, message: string): SourceFailure => ({
  source,
  error: { code: 'SOURCE_UNAVAILABLE', message, details: {}, retryable: true },
});
const refused = (host: string) =>
  failure(
    `http://${host}`,
    `http://${host}/f.bin: the connection failed (ECONNREFUSED). Check the network; the download resumes where it stopped.`,
  );

describe('one message out of several failures', () => {
  it('lists what happened at each source and says shared advice once', () => {
    const message = failureMessage('No source could provide f.bin', [refused('a'), refused('b')], 'Check the sources, then try again.');
    expect(message).toBe(
      'No source could provide f.bin — http://a/f.bin: the connection failed (ECONNREFUSED); http://b/f.bin: the connection failed (ECONNREFUSED). Check the network; the download resumes where it stopped.',
    );
  });

  it('keeps distinct advice of each source, and names the source when the message does not', () => {
    const s = summarizeFailures([
      refused('a'),
      failure('hf://o/r', 'access denied (HTTP 401). Set HF_TOKEN to a token that can read o/r.'),
    ]);
    expect(s.what).toBe('http://a/f.bin: the connection failed (ECONNREFUSED); hf://o/r: access denied (HTTP 401)');
    expect(s.advice).toEqual(['Check the network; the download resumes where it stopped.', 'Set HF_TOKEN to a token that can read o/r.']);
  });

  it('does not cut sentences at dots inside URLs, versions or sizes', () => {
    const s = summarizeFailures([
      failure('http://h.example', 'http://h.example/v1.2/f: the file has 1.5 MiB but the manifest says 2 MiB. Check the manifest.'),
    ]);
    expect(s.what).toBe('http://h.example/v1.2/f: the file has 1.5 MiB but the manifest says 2 MiB');
    expect(s.advice).toEqual(['Check the manifest.']);
  });

  it('falls back to its own advice when the failures give none', () => {
    expect(failureMessage('Could not download f', [failure('s3://b', 's3://b: gone')], 'Check the sources.')).toBe(
      'Could not download f — s3://b: gone. Check the sources.',
    );
    expect(failureMessage('Could not download f', [], 'Add a source.')).toBe('Could not download f. Add a source.');
  });
});
