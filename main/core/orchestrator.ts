/**
 * The public entry of the orchestrator (what hosts and tests import). The parts live in
 * `orchestrator/`, one operation per file; this module only re-exports them.
 */
export { Orchestrator, type OrchestratorOptions } from './orchestrator/orchestrator';
export { createOrchestrator, type CreateOrchestratorOptions } from './orchestrator/create-orchestrator';
export { DEFAULT_SETTINGS, type OrchestratorSettings } from './orchestrator/orchestrator-settings';
export type { StatusListener } from './orchestrator/status-broadcaster';
