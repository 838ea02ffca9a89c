/** HTML reports (`headroom-kit/report`): a generic self-contained page (uPlot inlined) and the load and limits pages. */

export type { FlameNode, FlameSpec } from './flame-graph.js';
export {
  type ChartSpec,
  type ReportPage,
  renderHtmlPage,
  type SeriesSpec,
  type TableSpec,
} from './html-page.js';
export { renderLimitsPage } from './limits-page.js';
export { renderLoadReport } from './load-report.js';
