// @vitest-environment happy-dom
import { render, screen, cleanup } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { StatusBadge } from '../../../../renderer/components/StatusBadge';
import { displayStatus } from '../../../../renderer/store/selectors';
import { job, status } from './render-with-store';

afterEach(() => cleanup());

describe('StatusBadge', () => {
  it('says in words what state a model variant is in', () => {
    const cases: Array<[Parameters<typeof displayStatus>, string]> = [
      [[status('a'), undefined], 'Not downloaded'],
      [[status('a', { status: 'PARTIAL', bytesPresent: 1, bytesNeeded: 3 }), undefined], 'Partial 25%'],
      [[status('a', { status: 'COMPLETE' }), undefined], 'Ready'],
      [[status('a', { status: 'CORRUPT' }), undefined], 'Corrupt'],
      [[status('a'), job('a', { state: 'running', bytesDone: 1, bytesTotal: 2 })], 'Downloading 50%'],
      [[status('a'), job('a', { state: 'paused', bytesDone: 3, bytesTotal: 4 })], 'Paused 75%'],
      [[status('a'), job('a', { state: 'queued' })], 'Queued'],
      [[status('a'), job('a', { state: 'failed' })], 'Failed'],
      [[undefined, undefined], 'Checking…'],
    ];
    for (const [args, label] of cases) {
      const { unmount } = render(<StatusBadge status={displayStatus(...args)} />);
      expect(screen.getByTestId('status-badge').textContent).toBe(label);
      unmount();
    }
  });

  it('is not a live region, so frequent progress changes are not announced', () => {
    render(<StatusBadge status={displayStatus(status('a'), job('a'))} />);
    const badge = screen.getByTestId('status-badge');
    expect(badge.getAttribute('aria-live')).toBeNull();
    expect(badge.getAttribute('role')).toBeNull();
  });
});
