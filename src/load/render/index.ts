/** Terminal renderers for `headroom load`: the summary and the live progress line. */
export { progressWriter } from './progress.js';
export { renderSummary } from './summary.js';
