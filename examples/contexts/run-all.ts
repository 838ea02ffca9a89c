/**
 * Runs the four context demos in turn: cancellation, not found, deadline (5s), values.
 * Run: `npx tsx examples/contexts/run-all.ts` (after `npm run build`).
 */
import { main as cancellation } from './cancellation.js';
import { main as deadline } from './deadline.js';
import { main as notFound } from './not-found.js';
import { main as values } from './values.js';

const args = process.argv.slice(2);
await cancellation(args);
console.log();
await notFound(args);
console.log();
await deadline();
console.log();
await values();
