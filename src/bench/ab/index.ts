/** `bench ab`: base vs head, alternating, in one job. */
export { type AbOptions, type AbResult, runAb } from './run-ab.js';
