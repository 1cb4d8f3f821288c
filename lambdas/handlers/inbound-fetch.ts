// The HTTPS GET the inbound adapters may make (SNS certificates and SubscribeURL): https only, no redirects, 3 s, 64 KiB.
export const INBOUND_FETCH = { timeoutMs: 3000, maxBytes: 64 * 1024 } as const;

/** The body of a 2xx answer as text; throws for another scheme, a redirect, a non-2xx, a timeout or a larger body. */
export async function fetchText(url: string): Promise<string> {
  if (new URL(url).protocol !== 'https:') throw new Error(`refused to fetch ${url}: https only`);
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(INBOUND_FETCH.timeoutMs) });
  if (response.status < 200 || response.status > 299) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`GET ${url} answered ${response.status}`);
  }
  return readAtMost(response, INBOUND_FETCH.maxBytes);
}

async function readAtMost(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`the answer is over ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
