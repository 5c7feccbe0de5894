// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgressBar } from '../../../../renderer/components/ProgressBar';

afterEach(() => cleanup());

describe('ProgressBar', () => {
  it('is a progress bar named by its label with the percentage done', () => {
    render(<ProgressBar value={1} max={3} label="wan download progress" />);
    const bar = screen.getByRole('progressbar', { name: 'wan download progress' });
    expect(bar.getAttribute('aria-valuemin')).toBe('0');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    expect(bar.getAttribute('aria-valuenow')).toBe('33');
  });

  it('never reads more than 100% and reads 0% when the total is unknown', () => {
    const { rerender } = render(<ProgressBar value={12} max={10} label="p" />);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    rerender(<ProgressBar value={5} max={0} label="p" />);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('0');
  });

  it('has no value while indeterminate (e.g. checking sha256)', () => {
    render(<ProgressBar value={5} max={10} label="verifying" indeterminate />);
    expect(screen.getByRole('progressbar', { name: 'verifying' }).hasAttribute('aria-valuenow')).toBe(false);
  });
});
