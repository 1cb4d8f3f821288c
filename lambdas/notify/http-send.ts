// One outbound HTTP POST of a webhook or Slack message: the target checked before and after DNS, a hard timeout, no redirects.
import { lookup as dnsLookup } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isForbiddenAddress, targetProblem } from '../domain/outbound-address';
import { failed, SENT, type SendResult } from './result';

export const DEFAULT_TIMEOUT_MS = 5000;

export interface PostOptions {
  /** The contact's channel: the target rules are checked for it. */
  type: 'WEBHOOK' | 'SLACK';
  /** ALLOW_PRIVATE_WEBHOOK_TARGETS: admits http: and addresses inside the network. */
  allowPrivate: boolean;
  /** The whole attempt, connection to response headers. */
  timeoutMs?: number;
  /** The resolver to guard; tests inject one that answers what they need. */
  lookup?: LookupFunction;
}

/** Raised from inside the socket's lookup, so the connection never starts. */
class ForbiddenAddressError extends Error {
  constructor(readonly host: string) {
    super(`refused: ${host} resolves to a private address`);
  }
}

class AttemptTimeoutError extends Error {}

/**
 * Wraps a resolver so that every answer is checked before the socket uses it. The socket connects to the address
 * this callback hands back, so the address checked IS the address connected to: no second resolution an attacker's
 * DNS could answer differently. One forbidden answer refuses the whole name (a rebinding name mixes both kinds).
 */
export function guardedLookup(base: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    base(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const answers = Array.isArray(address) ? address.map((a) => a.address) : [address];
      if (answers.some((ip) => isForbiddenAddress(ip))) return callback(new ForbiddenAddressError(hostname), Array.isArray(address) ? [] : '', family);
      callback(null, address, family);
    });
  };
}

/** How a status code ends the attempt: 2xx sent; 408, 429 and 5xx worth a retry; a redirect or any other 4xx final. */
export function classifyStatus(status: number): SendResult {
  if (status >= 200 && status < 300) return SENT;
  if (status >= 300 && status < 400) return failed(false, `HTTP ${status}: redirects are not followed`);
  return failed(status === 408 || status === 429 || status >= 500, `HTTP ${status}`);
}

function classifyError(error: unknown, timeoutMs: number): SendResult {
  if (error instanceof ForbiddenAddressError) return failed(false, error.message);
  if (error instanceof AttemptTimeoutError) return failed(true, `timed out after ${timeoutMs / 1000} s`);
  // Only the error code: a message may quote the address, never needed to understand the failure.
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return failed(true, `network error (${code ?? 'unknown'})`);
}

/** Checks the literal target (an http: target or a private literal refused without allowPrivate), then sends. */
export async function postJson(target: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<SendResult> {
  const problem = targetProblem(options.type, target, options.allowPrivate);
  if (problem) return failed(false, `refused: target ${problem}`);
  return send(new URL(target), body, headers, options);
}

function send(url: URL, body: string, headers: Record<string, string>, options: PostOptions): Promise<SendResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const baseLookup = options.lookup ?? (dnsLookup as unknown as LookupFunction);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Alertline' },
      lookup: options.allowPrivate ? baseLookup : guardedLookup(baseLookup),
      // A connection of its own: a pooled socket would skip the lookup above.
      agent: false,
    });
    const timer = setTimeout(() => request.destroy(new AttemptTimeoutError()), timeoutMs);
    request.on('response', (response) => {
      settle(classifyStatus(response.statusCode ?? 0));
      // The receiver's answer body is of no use; drop it and the connection.
      response.resume();
      response.destroy();
    });
    request.on('error', (error) => settle(classifyError(error, timeoutMs)));
    request.end(body);
  });
}
