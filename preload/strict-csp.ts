/**
 * Imported first by the preload: zod probes `new Function` while building schemas unless
 * `jitless` is set, and the page's strict CSP (no 'unsafe-eval') would report that probe.
 */
import { config } from 'zod';

config({ jitless: true });
