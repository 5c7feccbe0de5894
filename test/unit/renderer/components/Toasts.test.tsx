// @vitest-environment happy-dom
import { act, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Toasts } from '../../../../renderer/components/Toasts';
import { renderWithStore, store } from './render-with-store';

afterEach(() => vi.useRealTimers());

const toastTexts = () => screen.queryAllByTestId('toast').map((t) => t.textContent);

describe('Toasts', () => {
  it('shows each message with its title and body in a polite live region', () => {
    renderWithStore(<Toasts />);
    act(() => {
      store.getState().pushToast({ tone: 'success', title: 'wan@2.2 is ready', body: '3 files verified.' });
    });
    const region = screen.getByRole('status', { name: 'Notifications' });
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(within(region).getByText('wan@2.2 is ready')).toBeTruthy();
    expect(within(region).getByText('3 files verified.')).toBeTruthy();
  });

  it('dismisses a message with its close button', async () => {
    const { user } = renderWithStore(<Toasts />);
    act(() => {
      store.getState().pushToast({ tone: 'info', title: 'Path copied' });
    });
    await user.click(screen.getByRole('button', { name: 'Dismiss notification' }));
    expect(screen.queryAllByTestId('toast')).toHaveLength(0);
  });

  it('keeps at most three, and a newer message about the same model replaces the older one', () => {
    renderWithStore(<Toasts />);
    act(() => {
      const s = store.getState();
      s.pushToast({ tone: 'info', title: 'one' });
      s.pushToast({ tone: 'success', key: 'model:a', title: 'a is ready' });
      s.pushToast({ tone: 'info', title: 'two' });
      s.pushToast({ tone: 'info', key: 'model:a', title: 'Removed a' });
    });
    expect(toastTexts()).toEqual(['one', 'two', 'Removed a']);
    act(() => {
      store.getState().pushToast({ tone: 'info', title: 'three' });
    });
    expect(toastTexts()).toEqual(['two', 'Removed a', 'three']);
  });

  it('goes away by itself, errors staying longer than good news', () => {
    vi.useFakeTimers();
    renderWithStore(<Toasts />);
    act(() => {
      store.getState().pushToast({ tone: 'success', title: 'done' });
      store
        .getState()
        .pushToast({ tone: 'error', title: 'failed', body: 'NETWORK_TIMEOUT: the server did not answer in 30 s. Check the connection.' });
    });
    act(() => {
      vi.advanceTimersByTime(6000);
    });
    expect(toastTexts()).toEqual(['failedNETWORK_TIMEOUT: the server did not answer in 30 s. Check the connection.']);
    act(() => {
      vi.advanceTimersByTime(9000);
    });
    expect(toastTexts()).toEqual([]);
  });
});
