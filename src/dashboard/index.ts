/** The live dashboard of a run (`--dashboard`): a local web page fed by server-sent events. */
export { collectSecond, collectStart } from './collect-feed.js';
export { type Dashboard, type DashboardOptions, startDashboard } from './dashboard.js';
export { limitsFinal, limitsSeconds, limitsStart, limitsStep } from './limits-feed.js';
export { loadFinal, loadSecond, loadStart } from './load-feed.js';
export type * from './types.js';
