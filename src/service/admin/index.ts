/** The admin listener: probes, metrics, pprof, vars and log level. */
export { type AdminOptions, createAdminServer } from './admin-server.js';
export { type DebugVars, DebugVarsCollector } from './debug-vars.js';
export { startHeapProfiler } from './pprof.js';
export { type CheckResult, type ReadinessCheck, runChecks } from './probes.js';
