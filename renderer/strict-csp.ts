/**
 * Imported first by main.tsx. zod probes `new Function` while building object schemas (for its
 * JIT) unless `jitless` is set; under the app's strict CSP (no 'unsafe-eval') that caught probe
 * is still reported as a CSP violation. The renderer only validates small payloads, so the
 * interpreter is plenty. (Added by the Electron engineer with the CSP.)
 */
import { config } from 'zod';

config({ jitless: true });
