/** Terminal renderers for `headroom load`: the summary, the live view (a terminal) and the progress line (logs). */
export { type LiveViewOptions, renderLiveView } from './live-view.js';
export { renderProgress } from './progress.js';
export { renderSummary } from './summary.js';
