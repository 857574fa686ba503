/**
 * The small pages the proxy answers with when it cannot forward: nothing
 * listening (retries by itself, since the dev server is usually still
 * starting), and a workspace that is not running (offers to start it).
 * Browsers get HTML; everything else gets the API's JSON error shape.
 */
import type { ServerResponse } from 'node:http';
import { errorBody, slipwayError, type SlipwayError } from '../core/errors.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string, refreshSeconds: number | null): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title>${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}code{background:#eee;padding:0 .25em}button{font:inherit;padding:.4em 1.2em}</style>
</head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

/** These pages need their inline style and a form posting to themselves, nothing else. */
const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'";

export interface PageTarget {
  workspaceId: string;
  port: number;
  workspaceUrl: string;
}

/** Answers with the error's status: the page for a browser, the one error body (errorBody) for anything else. */
export function sendPage(res: ServerResponse, wantsHtml: boolean, error: SlipwayError, html: string) {
  if (res.headersSent) return void res.destroy();
  const body = wantsHtml ? html : JSON.stringify(errorBody(error));
  res.writeHead(error.status, {
    'content-type': wantsHtml ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    // Slipway's own pages (not the app's): no sniffing, no scripts. Not frame-ancestors: the UI's port preview may frame them.
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'content-security-policy': PAGE_POLICY,
  });
  res.end(body);
}

export function sendUnreachable(res: ServerResponse, wantsHtml: boolean, target: PageTarget) {
  const message = `Nothing is listening on port ${target.port} in workspace ${target.workspaceId} (yet)`;
  const html = page(
    `Port ${target.port} is not answering`,
    `<p>${escape(message)}. If a task is starting a server there, this page will retry by itself.</p><p><a href="${escape(target.workspaceUrl)}">Open the workspace</a></p>`,
    3,
  );
  sendPage(res, wantsHtml, slipwayError('SLIPWAY_PORT_UNREACHABLE', message), html);
}

export function sendNotRunning(res: ServerResponse, wantsHtml: boolean, target: PageTarget & { status: string; canStart: boolean }) {
  const starting = ['pending', 'building', 'starting'].includes(target.status);
  const message = starting ? `Workspace ${target.workspaceId} is starting` : `Workspace ${target.workspaceId} is ${target.status}`;
  // The form posts to this same URL, so it works in both URL forms without cross-origin calls.
  const form =
    !starting && target.canStart && target.status === 'stopped'
      ? `<form method="post"><input type="hidden" name="slipway-action" value="start"><button type="submit">Start workspace</button></form>`
      : '';
  const html = page(
    starting ? 'The workspace is starting' : 'The workspace is not running',
    `<p>${escape(message)}.${starting ? ' This page will reload when it is up.' : ''}</p>${form}<p><a href="${escape(target.workspaceUrl)}">Open the workspace</a></p>`,
    starting ? 2 : null,
  );
  sendPage(res, wantsHtml, slipwayError('SLIPWAY_PORT_WORKSPACE_NOT_RUNNING', message), html);
}
