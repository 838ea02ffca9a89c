/**
 * The process-wide registry of what a service waits on: its connection pools (`instrumentPool`) and its outbound
 * HTTP calls (`watchOutboundRequests`). Every service's `/metrics` includes it; `headroom limits` reads it.
 */
import { Registry } from 'prom-client';

/** Pool and outbound-call metrics, shared by every service in the process. */
export const dependencyMetrics = new Registry();
