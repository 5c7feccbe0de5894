import { describe, expect, it } from 'vitest';
import { ConnectionBudget } from '../../../main/core/download/connection-budget';

describe('connection budget', () => {
  it('caps connections globally and per host, granting waiters in turn', async () => {
    const budget = new ConnectionBudget(3, 2);
    const a1 = await budget.acquire('a');
    const a2 = await budget.acquire('a');
    let a3Granted = false;
    const a3 = budget.acquire('a').then((r) => ((a3Granted = true), r));
    const b1 = await budget.acquire('b');
    let b2Granted = false;
    void budget.acquire('b').then(() => (b2Granted = true));
    await Promise.resolve();
    expect([a3Granted, b2Granted]).toEqual([false, false]);
    a1();
    await a3;
    expect(a3Granted).toBe(true);
    expect(b2Granted).toBe(false);
    a2();
    await new Promise((r) => setImmediate(r));
    expect(b2Granted).toBe(true);
    b1();
  });

  it('gives up waiting when the signal aborts', async () => {
    const budget = new ConnectionBudget(1, 1);
    await budget.acquire('a');
    const ctl = new AbortController();
    const waiting = budget.acquire('a', ctl.signal);
    ctl.abort();
    await expect(waiting).rejects.toBeDefined();
  });
});
