import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A route handler; it must always answer. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServer {
  readonly port: number;
  readonly url: string;
  /** Adds a route, e.g. `route('POST', '/telegram/webhook', handler)`; later channels add theirs. */
  route(method: string, path: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

/** Sends a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The app's HTTP server: exact-path routes, 404 for unknown paths, 405 for a known path with
 * another method, 500 (without details) when a handler throws.
 * @example const http = await startHttpServer({ port: 3000, host: '0.0.0.0', onError });
 */
export async function startHttpServer(options: { port: number; host: string; onError: (error: unknown) => void }): Promise<HttpServer> {
  const routes = new Map<string, Map<string, RouteHandler>>();
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://local').pathname;
    const byMethod = routes.get(pathname);
    if (!byMethod) {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    const handler = byMethod.get(req.method ?? 'GET');
    if (!handler) {
      res.setHeader('allow', [...byMethod.keys()].join(', '));
      sendJson(res, 405, { error: 'method_not_allowed' });
      return;
    }
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        options.onError(error);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal' });
        else res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    port,
    url: `http://${shownHost}:${port}`,
    route(method, path, handler) {
      const byMethod = routes.get(path) ?? new Map<string, RouteHandler>();
      byMethod.set(method.toUpperCase(), handler);
      routes.set(path, byMethod);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
