// The one rule for URLs from alert data: only absolute http(s) URLs may become links or images (pure, node-tested).

/** The URL, normalised, when it is an absolute http: or https: URL; otherwise undefined (shown as text, never loaded). */
export function safeHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Browsers drop tabs and newlines inside URLs (`java\nscript:`); a URL with control characters is refused outright.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}
