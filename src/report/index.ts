/** HTML reports: a generic self-contained page (uPlot inlined) and the pages built on it. */
export {
  type ChartSpec,
  type ReportPage,
  renderHtmlPage,
  type SeriesSpec,
  type TableSpec,
} from './html-page.js';
export { renderLoadReport } from './load-report.js';
