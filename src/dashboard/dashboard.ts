/**
 * A live dashboard for one run: the page and its event stream on `host:port` (`startEventServer`), fed by the run
 * (`DashboardFeed`) and ended with the final report. The server never keeps the process alive: when the run's
 * process exits, the page keeps what it received (the final report included).
 */
import { renderDashboardPage } from './page.js';
import { startEventServer } from './sse-server.js';
import type { DashboardFeed, DashboardFinal, DashboardStart } from './types.js';

/** Where to serve the dashboard and what it shows first. */
export interface DashboardOptions {
  /** Interface to listen on. Default `127.0.0.1` (this machine only). */
  host?: string;
  /** Port; 0 (the default) picks a free one. */
  port?: number;
  start: DashboardStart;
}

/** A running dashboard. */
export interface Dashboard extends DashboardFeed {
  /** The page's address (`http://127.0.0.1:PORT/`). */
  url: string;
  /** Sends the final figures and report, then closes the streams and the server. */
  end(final: DashboardFinal): Promise<void>;
  /** Tells the page the run failed (`message`), then closes. */
  fail(message: string): Promise<void>;
  /** Closes without a final report (idempotent: after `end` or `fail` it does nothing). */
  close(): Promise<void>;
}

/**
 * Starts serving the live page.
 * @throws UsageError when `host:port` cannot be listened on.
 * @example
 * const dashboard = await startDashboard({ start: { kind: 'load', title: 'headroom load', subtitle: '', sloLines: [] } });
 * process.stderr.write(`dashboard: ${dashboard.url}\n`);
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const server = await startEventServer(
    options.host ?? '127.0.0.1',
    options.port ?? 0,
    renderDashboardPage(),
  );
  server.publish('start', options.start);
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= server.close();
    return closing;
  };
  return {
    url: server.url,
    second: (second) => server.publish('second', second),
    step: (step) => server.publish('step', step),
    end(final) {
      if (!closing) server.publish('end', final);
      return close();
    },
    fail(message) {
      if (!closing) server.publish('failed', { message });
      return close();
    },
    close,
  };
}
