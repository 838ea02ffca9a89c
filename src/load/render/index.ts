/**
 * Terminal renderers for `headroom load`: the summary, the live view (a terminal) and the progress line (logs);
 * and `headroom collect`'s live view of the merged run.
 */
export { renderCollectLiveView, renderCollectProgress } from './collect-view.js';
export { type LiveViewOptions, renderLiveView } from './live-view.js';
export { renderProgress } from './progress.js';
export { renderSummary } from './summary.js';
