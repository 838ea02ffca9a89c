/** Test servers for the load generator: real sockets on ephemeral ports, closed after each test. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from '../support/temp-dir.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(ROOT, 'dist/cli/main.js');

/** A running server and its URL. */
export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/** Starts a node:http server on 127.0.0.1:0. */
export async function httpServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, handler);
  return listen(server);
}

/** Starts a raw TCP server (for malformed answers and resets). */
export async function tcpServer(onConnection: (socket: net.Socket) => void): Promise<TestServer> {
  return listen(net.createServer(onConnection));
}

async function listen(server: net.Server): Promise<TestServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        (server as http.Server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** A closed port (listened on, then closed). */
export async function closedPortUrl(): Promise<string> {
  const s = await tcpServer(() => {});
  await s.close();
  return s.url;
}

/** Writes a JSON scenario (or any file, given `name`) into a fresh temporary folder; returns its path. */
export function writeScenario(content: unknown, name = 'scenario.json'): string {
  const file = path.join(tempDir('scenario'), name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** Runs the built CLI; resolves with exit code, stdout and stderr. */
export function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
