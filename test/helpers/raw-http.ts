/**
 * node:http requests for tests that need what fetch will not send: raw
 * (un-normalized) paths, a chosen local address (127.0.0.x, so that one test
 * process can be several clients), streamed bodies, any header.
 */
import http from 'node:http';
import type { Readable } from 'node:stream';

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
  ms: number;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer | Readable;
  localAddress?: string;
}

export function rawRequest(baseUrl: string, path: string, options: RawRequest = {}): Promise<RawReply> {
  const url = new URL(baseUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode!, headers: res.headers, text, json, ms: Date.now() - started });
        });
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      // A server that answers early (413) may close before the whole stream is written.
      body.on('error', () => {});
      req.on('error', () => {});
      body.pipe(req);
    }
  });
}
