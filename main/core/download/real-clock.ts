/** The wall clock, for when the caller supplies none. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../ports';

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await delay(Math.max(0, ms), undefined, signal ? { signal } : undefined);
  },
};
