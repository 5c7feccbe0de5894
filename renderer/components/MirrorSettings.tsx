/**
 * Settings › Team mirrors: the mirror roots tried before every model's own sources, each with a
 * Test button (a signed List on the prefix with the saved S3 keys, then its index).
 */
import { useState } from 'react';
import type { MirrorTestResult } from '../../shared/results';
import { useActions } from '../store/app-context';

export function MirrorSettings({ mirrors, onChange }: { mirrors: string[]; onChange: (mirrors: string[]) => void }) {
  const actions = useActions();
  const [results, setResults] = useState<Record<number, MirrorTestResult | 'testing'>>({});
  const set = (index: number, value: string) => {
    onChange(mirrors.map((m, i) => (i === index ? value : m)));
    setResults(({ [index]: _stale, ...rest }) => rest); // an edited mirror has not been tested
  };
  const test = async (index: number) => {
    setResults((r) => ({ ...r, [index]: 'testing' }));
    const result = await actions.testMirror((mirrors[index] ?? '').trim());
    setResults((r) => ({ ...r, [index]: result }));
  };
  return (
    <fieldset data-testid="mirror-settings">
      <legend>Team mirrors</legend>
      <small className="muted">
        Tried before every model&apos;s own sources, file by file by sha256; a file a mirror lacks comes from the model&apos;s source. Keys
        are the S3 ones below. Test uses the saved keys.
      </small>
      {mirrors.map((mirror, index) => {
        const result = results[index];
        return (
          <div className="mirror-row" key={index}>
            <label>
              <span>Mirror {index + 1}</span>
              <input
                value={mirror}
                onChange={(e) => set(index, e.target.value)}
                placeholder="s3://team-models/v1"
                spellCheck={false}
                data-testid="mirror-input"
              />
            </label>
            <button
              type="button"
              className="button"
              disabled={!mirror.trim() || result === 'testing'}
              onClick={() => void test(index)}
              data-testid="mirror-test"
            >
              {result === 'testing' ? 'Testing…' : 'Test'}
            </button>
            <button
              type="button"
              className="button button--ghost"
              onClick={() => {
                onChange(mirrors.filter((_, i) => i !== index));
                setResults({});
              }}
              aria-label={`Remove mirror ${index + 1}`}
            >
              Remove
            </button>
            {result && result !== 'testing' ? (
              <p className={result.ok ? 'inline-success' : 'inline-error'} role="status" data-testid="mirror-test-result">
                {result.ok ? result.message : `${result.error?.code ?? 'ERROR'}: ${result.message}`}
              </p>
            ) : null}
          </div>
        );
      })}
      <button type="button" className="button button--ghost" onClick={() => onChange([...mirrors, ''])} data-testid="mirror-add">
        Add mirror
      </button>
    </fieldset>
  );
}
