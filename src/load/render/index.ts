/** Terminal renderers for `headroom load`: the summary and the live progress line. */
export { renderProgress } from './progress.js';
export { renderSummary } from './summary.js';
