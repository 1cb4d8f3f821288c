// The web UI's pure rules: which URLs from alert data may become links or images, and how the alerts list refreshes.
import { appendPage, mergeFirstPage } from '../../web/src/alert-rows';
import { safeHttpUrl } from '../../web/src/safe-url';

describe('safeHttpUrl: only absolute http(s) URLs are clickable or loaded', () => {
  it.each(['https://example.com/a?b=1#c', 'http://grafana.local:3000/d/x', 'HTTPS://EXAMPLE.COM/'])('keeps %s', (url) => {
    expect(safeHttpUrl(url)).toBe(new URL(url).href);
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\nscript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'ftp://example.com/x',
    '//evil.example/x',
    '/relative/path',
    'not a url',
    '',
  ])('refuses %j', (url) => {
    expect(safeHttpUrl(url)).toBeUndefined();
  });

  it('refuses values that are not strings', () => {
    for (const value of [undefined, null, 42, { href: 'https://example.com' }]) expect(safeHttpUrl(value)).toBeUndefined();
  });
});

const row = (id: string, minute: number) => ({ id, createdAt: `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z` });

describe('alerts list refresh', () => {
  it('shows the first page as it is while only the first page is loaded', () => {
    const first = { items: [row('new', 9), row('a', 8)], nextCursor: 'c1' };
    expect(mergeFirstPage(first, { items: [row('a', 8), row('gone', 7)], cursor: 'c0', extended: false })).toEqual({
      items: first.items,
      cursor: 'c1',
      extended: false,
    });
  });

  it('keeps loaded older rows that new alerts pushed off the first page, and drops rows that left the filter', () => {
    // On screen (pages of 3): a, b, c, then a loaded page d, e, f.
    const current = { items: ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => row(id, 9 - i)), cursor: 'after-f', extended: true };
    // Now "n" is new and "b" was accepted (left the Pending filter): the first page is n, a, c and d was pushed down.
    const first = { items: [row('n', 10), row('a', 9), row('c', 7)], nextCursor: 'after-c' };
    const merged = mergeFirstPage(first, current);
    expect(merged.items.map((r) => r.id)).toEqual(['n', 'a', 'c', 'd', 'e', 'f']);
    expect(merged.cursor).toBe('after-f');
  });

  it('appends a further page without repeating a row that shifted across the page boundary', () => {
    const current = { items: [row('a', 9), row('b', 8)], cursor: 'after-b', extended: false };
    const next = appendPage({ items: [row('b', 8), row('c', 7)] }, current);
    expect(next).toEqual({ items: [row('a', 9), row('b', 8), row('c', 7)], cursor: undefined, extended: true });
  });
});
