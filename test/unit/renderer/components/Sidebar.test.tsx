// @vitest-environment happy-dom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Sidebar } from '../../../../renderer/components/Sidebar';
import { disk, job, model, OpenDialog, renderWithStore, store } from './render-with-store';

const nav = () => screen.getByRole('navigation', { name: 'Main' });
const current = () =>
  within(nav())
    .getAllByRole('button')
    .find((b) => b.getAttribute('aria-current') === 'page')?.textContent;

describe('Sidebar', () => {
  it('marks the current view and switches views on click or Enter', async () => {
    const { user } = renderWithStore(<Sidebar />);
    expect(current()).toBe('Models');
    await user.click(within(nav()).getByRole('button', { name: 'Downloads' }));
    expect(current()).toBe('Downloads');
    within(nav()).getByRole('button', { name: 'Storage' }).focus();
    await user.keyboard('{Enter}');
    expect(current()).toBe('Storage');
  });

  it('counts the models and the active downloads', () => {
    renderWithStore(<Sidebar />);
    act(() => {
      store.getState().setModels([model('a@1'), model('b@1'), model('c@1')]);
      store.getState().setJobs([job('a@1'), job('b@1', { state: 'queued' }), job('c@1', { state: 'paused' })]);
    });
    expect(within(nav()).getByRole('button', { name: /^Models/ }).textContent).toBe('Models3');
    expect(within(nav()).getByLabelText('2 active').textContent).toBe('2');
  });

  it('shows the free space and opens the storage view from it', async () => {
    const { user } = renderWithStore(<Sidebar />);
    expect(screen.queryByRole('button', { name: 'Open storage' })).toBeNull();
    act(() => store.getState().setDisk(disk({ freeBytes: 250_000_000_000, totalBytes: 1_000_000_000_000 })));
    const mini = screen.getByRole('button', { name: 'Open storage' });
    expect(mini.textContent).toBe('Disk250 GB free');
    await user.click(mini);
    expect(current()).toBe('Storage');
  });

  it('says whether it is connected to the host', () => {
    renderWithStore(<Sidebar />);
    expect(screen.getByText('Connecting…')).toBeTruthy();
    act(() => store.getState().setConnection('live'));
    expect(screen.getByText('Connected')).toBeTruthy();
    act(() => store.getState().setConnection('lost'));
    expect(screen.getByText('Reconnecting…')).toBeTruthy();
  });

  it('cycles the theme system → light → dark → system, naming the next one', async () => {
    const { user } = renderWithStore(<Sidebar />);
    await user.click(screen.getByRole('button', { name: 'Theme: system. Switch to light' }));
    await user.click(screen.getByRole('button', { name: 'Theme: light. Switch to dark' }));
    await user.click(screen.getByRole('button', { name: 'Theme: dark. Switch to system' }));
    expect(screen.getByRole('button', { name: 'Theme: system. Switch to light' })).toBeTruthy();
  });

  it('opens the settings', async () => {
    const { user } = renderWithStore(
      <>
        <Sidebar />
        <OpenDialog />
      </>,
    );
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    expect(screen.getByRole('dialog', { name: 'Settings' })).toBeTruthy();
    // Closing puts the keyboard back where the user was.
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Settings' }));
  });
});
