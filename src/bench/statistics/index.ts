/** Hand-written, reference-tested statistics for benchmark comparison. */
export { hodgesLehmann } from './hodges-lehmann.js';
export { holm } from './holm.js';
export { type MannWhitneyResult, mannWhitney } from './mann-whitney.js';
export { median, medianInterval } from './median-interval.js';
export { normalUpperTail } from './normal.js';
