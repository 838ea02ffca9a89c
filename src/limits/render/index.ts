/** Terminal renderers for `headroom limits`, and the outcome and profile wording the HTML page shares. */
export { describeOutcome, type OutcomeText } from './describe-outcome.js';
export { formatStepLine, formatSummary } from './terminal.js';
