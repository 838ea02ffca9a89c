/** Scenarios: a weighted mix of templated requests with variables, data files and per-VU setup. */
export { type LoadedScenario, loadScenario } from './load-scenario.js';
export { requestName, ScenarioSource } from './scenario-source.js';
export type { DataRow, Scenario, ScenarioRequest, VarSpec, VirtualUser, VuFetchInit } from './types.js';
export { createVirtualUser, runSetup, type VirtualUserRuntime } from './virtual-user.js';
