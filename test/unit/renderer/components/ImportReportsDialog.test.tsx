// @vitest-environment happy-dom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ImportManifestResult } from '../../../../shared/api';
import { OpenDialog, renderWithStore, store } from './render-with-store';

const invalid: ImportManifestResult = {
  name: 'broken.toml',
  ok: false,
  added: [],
  conflicts: [],
  problems: [
    { path: 'models."wan@2.2".files[3].sha256', message: 'must be 64 hexadecimal characters' },
    { path: 'models."wan@2.2".default_variant', message: '"fp4" is not one of the variants (fp16, fp8)' },
  ],
  error: { code: 'MANIFEST_VALIDATION_ERROR', message: 'broken.toml has 2 problems.', details: {}, retryable: false },
};

const tooNew: ImportManifestResult = {
  name: 'future.json',
  ok: false,
  added: [],
  conflicts: [],
  problems: [],
  error: {
    code: 'SCHEMA_VERSION_MISMATCH',
    message: 'future.json uses schema_version 7; this app reads 1.',
    details: {},
    retryable: false,
  },
};

const partly: ImportManifestResult = {
  name: 'extra.toml',
  ok: true,
  added: ['a@1', 'b@1'],
  conflicts: [{ path: 'models."wan@2.2"', message: 'already defined by models.toml with other files; kept that one' }],
  problems: [],
  error: null,
};

function openReports(reports: ImportManifestResult[]) {
  const rendered = renderWithStore(<OpenDialog />);
  act(() => {
    store.getState().addImportReports(reports);
    store.getState().openDialog({ kind: 'imports' });
  });
  return rendered;
}

const report = (name: string) => screen.getAllByTestId('import-report').find((r) => r.textContent?.includes(name))!;

describe('ImportReportsDialog', () => {
  it('shows the error code, the message and what to do for a manifest that failed', () => {
    openReports([invalid, tooNew]);
    const dialog = screen.getByRole('dialog', { name: 'Manifest import' });
    expect(within(dialog).getByRole('heading', { name: 'broken.toml' })).toBeTruthy();
    const broken = within(report('broken.toml'));
    expect(broken.getByTestId('import-error-code').textContent).toBe('MANIFEST_VALIDATION_ERROR');
    expect(broken.getByTestId('import-error-message').textContent).toBe('broken.toml has 2 problems.');
    expect(broken.getByText('What to do: Fix each listed place in the file, save it, and drop it here again.')).toBeTruthy();

    const future = within(report('future.json'));
    expect(future.getByTestId('import-error-code').textContent).toBe('SCHEMA_VERSION_MISMATCH');
    expect(future.getByText('What to do: This app reads manifests with schema_version = 1. Update the file or the app.')).toBeTruthy();
  });

  it('lists every problem with its place in the file, in order', () => {
    openReports([invalid]);
    const items = within(report('broken.toml')).getAllByRole('listitem');
    expect(items.map((li) => [li.querySelector('code')?.textContent, li.textContent])).toEqual([
      ['models."wan@2.2".files[3].sha256', 'models."wan@2.2".files[3].sha256 must be 64 hexadecimal characters'],
      ['models."wan@2.2".default_variant', 'models."wan@2.2".default_variant "fp4" is not one of the variants (fp16, fp8)'],
    ]);
  });

  it('names the models added and the ones skipped because another manifest defines them', () => {
    openReports([partly]);
    const extra = within(report('extra.toml'));
    expect(extra.getByText('Added 2 model(s): a@1, b@1.')).toBeTruthy();
    expect(extra.getByText('Skipped 1 model(s) that another manifest already defines differently:')).toBeTruthy();
    expect(extra.getByTestId('import-conflicts').textContent).toBe(
      'models."wan@2.2" already defined by models.toml with other files; kept that one',
    );
    expect(extra.queryByTestId('import-error-code')).toBeNull();
  });

  it('closes with its Close button (focused first) and forgets the reports', async () => {
    const { user } = openReports([invalid]);
    const close = screen.getByRole('button', { name: 'Close' });
    expect(document.activeElement).toBe(close);
    await user.keyboard('{Enter}');
    expect(screen.queryByRole('dialog')).toBeNull();
    act(() => store.getState().openDialog({ kind: 'imports' }));
    expect(screen.queryAllByTestId('import-report')).toHaveLength(0);
  });

  it('closes on Escape', async () => {
    const { user } = openReports([tooNew]);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
