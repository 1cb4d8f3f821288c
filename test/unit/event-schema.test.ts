// The events API contract: what eventSchema accepts, how it normalises, and which path each error names.
import { eventSchema, integrationKeyOf, normalizeAlertKey, toAcceptedEvent, type EventInput } from '../../lambdas/domain/event';
import { fieldErrors, type FieldError } from '../../lambdas/domain/validation';

const IMAGE = { src: 'https://example.com/graph.png' };
const LINK = { href: 'https://example.com/runbook', text: 'Runbook' };

const alert = (fields: Record<string, unknown> = {}) => ({ eventType: 'ALERT', summary: 'Disk full on db-1', ...fields });

function parse(body: unknown): EventInput {
  const result = eventSchema.safeParse(body, { reportInput: true });
  if (!result.success) throw new Error(`expected valid, got ${JSON.stringify(fieldErrors(result.error))}`);
  return result.data;
}

function errorsOf(body: unknown): FieldError[] {
  const result = eventSchema.safeParse(body, { reportInput: true });
  if (result.success) throw new Error(`expected invalid, got ${JSON.stringify(result.data)}`);
  return fieldErrors(result.error);
}

/** The error list must name exactly these paths (order-free). */
const paths = (errors: FieldError[]) => errors.map((e) => e.path).sort();

/** An object exactly `levels` levels deep: 1 is {}, 2 is {a: {}}, ... */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

describe('eventSchema: eventType', () => {
  it.each(['ALERT', 'ACCEPT', 'RESOLVE', 'COMMENT'])('accepts %s', (eventType) => {
    expect(parse({ eventType, summary: 's', alertKey: 'k' }).eventType).toBe(eventType);
  });

  it('is required', () => {
    const errors = errorsOf({ summary: 'no type' });
    expect(errors).toEqual([{ path: 'eventType', message: 'is required' }]);
  });

  it.each(['alert', 'OPEN', 5, ''])('rejects %p naming the allowed values', (eventType) => {
    expect(errorsOf({ eventType, summary: 's', alertKey: 'k' })).toEqual([{ path: 'eventType', message: 'must be one of ALERT, ACCEPT, RESOLVE, COMMENT' }]);
  });

  it.each(['not an object', null, [], 42])('rejects a body that is not an object (%p) at the body path', (body) => {
    expect(paths(errorsOf(body))).toEqual(['(body)']);
  });
});

describe('eventSchema: summary', () => {
  it('is required for ALERT', () => {
    const errors = errorsOf({ eventType: 'ALERT' });
    expect(paths(errors)).toEqual(['summary']);
    expect(errors[0].message).toMatch(/^is required/);
  });

  it.each(['ACCEPT', 'RESOLVE', 'COMMENT'])('is optional for %s', (eventType) => {
    expect(parse({ eventType, alertKey: 'k' }).summary).toBeUndefined();
  });

  it('is trimmed', () => {
    expect(parse(alert({ summary: '  CPU high \n' })).summary).toBe('CPU high');
  });

  it('must not be blank after trimming', () => {
    expect(errorsOf(alert({ summary: ' \t ' }))).toEqual([{ path: 'summary', message: 'must not be empty' }]);
  });

  it('accepts 1024 characters, counted after trimming', () => {
    const summary = 'x'.repeat(1024);
    expect(parse(alert({ summary })).summary).toBe(summary);
    expect(parse(alert({ summary: `   ${summary}   ` })).summary).toBe(summary);
  });

  it('rejects 1025 characters', () => {
    const errors = errorsOf(alert({ summary: 'x'.repeat(1025) }));
    expect(errors).toEqual([{ path: 'summary', message: 'must be at most 1024 characters' }]);
  });

  it('rejects a non-string summary', () => {
    expect(paths(errorsOf(alert({ summary: 12 })))).toEqual(['summary']);
  });
});

describe('eventSchema: alertKey', () => {
  it.each(['ACCEPT', 'RESOLVE', 'COMMENT'])('is required for %s', (eventType) => {
    const errors = errorsOf({ eventType, summary: 's' });
    expect(errors).toEqual([{ path: 'alertKey', message: `is required for ${eventType} events` }]);
  });

  it('is optional for ALERT', () => {
    expect(parse(alert()).alertKey).toBeUndefined();
  });

  it('is trimmed but keeps its case', () => {
    expect(parse(alert({ alertKey: '  Host-1/Disk  ' })).alertKey).toBe('Host-1/Disk');
  });

  it('must not be blank after trimming (so a blank key is not an absent one)', () => {
    expect(errorsOf({ eventType: 'RESOLVE', alertKey: '   ' })).toEqual([{ path: 'alertKey', message: 'must not be empty' }]);
  });

  it('accepts 255 characters and rejects 256', () => {
    expect(parse(alert({ alertKey: 'k'.repeat(255) })).alertKey).toHaveLength(255);
    expect(errorsOf(alert({ alertKey: 'k'.repeat(256) }))).toEqual([{ path: 'alertKey', message: 'must be at most 255 characters' }]);
  });

  it('counts the length after trimming', () => {
    expect(parse(alert({ alertKey: ` ${'k'.repeat(255)} ` })).alertKey).toHaveLength(255);
  });
});

describe('eventSchema: details', () => {
  it('is optional markdown, kept as sent (not trimmed)', () => {
    expect(parse(alert({ details: '  # Heading\n\n*bold*  ' })).details).toBe('  # Heading\n\n*bold*  ');
  });

  it('accepts exactly 64 KiB', () => {
    expect(parse(alert({ details: 'a'.repeat(64 * 1024) })).details).toHaveLength(65536);
  });

  it('rejects 64 KiB + 1 byte', () => {
    expect(errorsOf(alert({ details: 'a'.repeat(64 * 1024 + 1) }))).toEqual([{ path: 'details', message: 'must be at most 65536 bytes' }]);
  });

  it('counts UTF-8 bytes, not characters', () => {
    // '€' is 3 bytes: 21845 of them are 65535 bytes (ok), 21846 are 65538 bytes (too many) though only 21846 characters.
    expect(parse(alert({ details: '€'.repeat(21845) })).details).toHaveLength(21845);
    expect(paths(errorsOf(alert({ details: '€'.repeat(21846) })))).toEqual(['details']);
    // An emoji is 4 bytes (2 UTF-16 units): 16384 fit, 16385 do not.
    expect(parse(alert({ details: '🔥'.repeat(16384) })).details).toBeDefined();
    expect(paths(errorsOf(alert({ details: '🔥'.repeat(16385) })))).toEqual(['details']);
  });
});

describe('eventSchema: priority', () => {
  it.each(['HIGH', 'LOW'])('accepts %s', (priority) => {
    expect(parse(alert({ priority })).priority).toBe(priority);
  });

  it.each(['high', 'MEDIUM', 'CRITICAL', 1])('rejects %p', (priority) => {
    expect(errorsOf(alert({ priority }))).toEqual([{ path: 'priority', message: 'must be one of HIGH, LOW' }]);
  });
});

describe('eventSchema: images', () => {
  it('accepts up to 20 images with http and https URLs, href and alt optional', () => {
    const images = Array.from({ length: 20 }, (_, i) => ({ src: `http://example.com/${i}.png` }));
    images[0] = { src: 'https://example.com/a.png', href: 'https://example.com/dash', alt: 'graph' } as (typeof images)[0];
    expect(parse(alert({ images })).images).toHaveLength(20);
  });

  it('rejects 21 images on the images path', () => {
    const errors = errorsOf(alert({ images: Array.from({ length: 21 }, () => IMAGE) }));
    expect(errors).toEqual([{ path: 'images', message: 'must have at most 20 items' }]);
  });

  it.each([
    ['ftp:', 'ftp://example.com/a.png'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:image/png;base64,AAAA'],
    ['relative', '/images/a.png'],
    ['protocol-relative', '//example.com/a.png'],
    ['not a URL', 'graph.png'],
  ])('rejects a %s src, naming its index', (_kind, src) => {
    const errors = errorsOf(alert({ images: [IMAGE, { src }] }));
    expect(errors).toEqual([{ path: 'images.1.src', message: 'must be an absolute http: or https: URL' }]);
  });

  it.each([
    ['ftp:', 'ftp://example.com/'],
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['relative', 'dashboards/1'],
  ])('rejects a %s href', (_kind, href) => {
    expect(paths(errorsOf(alert({ images: [{ ...IMAGE, href }] })))).toEqual(['images.0.href']);
  });

  it('requires src, saying so', () => {
    expect(errorsOf(alert({ images: [IMAGE, IMAGE, { alt: 'no src' }] }))).toEqual([{ path: 'images.2.src', message: 'is required' }]);
  });

  it('reports every bad image, each on its own path', () => {
    const errors = errorsOf(alert({ images: [{ src: 'ftp://a/b' }, { src: 'https://ok.example', href: 'javascript:x' }] }));
    expect(paths(errors)).toEqual(['images.0.src', 'images.1.href']);
  });

  it('treats null href and alt as absent', () => {
    expect(parse(alert({ images: [{ src: IMAGE.src, href: null, alt: null }] })).images).toEqual([{ src: IMAGE.src }]);
  });

  it('rejects an images value that is not an array', () => {
    expect(paths(errorsOf(alert({ images: IMAGE })))).toEqual(['images']);
  });
});

describe('eventSchema: links', () => {
  it('accepts up to 20 links and rejects 21', () => {
    expect(parse(alert({ links: Array.from({ length: 20 }, () => LINK) })).links).toHaveLength(20);
    expect(errorsOf(alert({ links: Array.from({ length: 21 }, () => LINK) }))).toEqual([{ path: 'links', message: 'must have at most 20 items' }]);
  });

  it('keeps text optional', () => {
    expect(parse(alert({ links: [{ href: 'http://example.com' }] })).links).toEqual([{ href: 'http://example.com' }]);
  });

  it.each(['ftp://example.com', 'javascript:void(0)', '/runbooks/disk', 'mailto:ops@example.com'])('rejects href %p on its path', (href) => {
    expect(errorsOf(alert({ links: [LINK, LINK, LINK, { href }] }))).toEqual([{ path: 'links.3.href', message: 'must be an absolute http: or https: URL' }]);
  });

  it('requires href, saying so', () => {
    expect(errorsOf(alert({ links: [{ text: 'no href' }] }))).toEqual([{ path: 'links.0.href', message: 'is required' }]);
  });
});

describe('eventSchema: customDetails', () => {
  it('accepts a JSON object and keeps it as sent', () => {
    const customDetails = { severity: 'critical', tags: ['db', 'prod'], nested: { n: 1, ok: true, none: null } };
    expect(parse(alert({ customDetails })).customDetails).toEqual(customDetails);
  });

  it.each([
    ['an array', [{ a: 1 }]],
    ['a string', '{"a":1}'],
    ['a number', 7],
    ['a boolean', true],
  ])('rejects %s', (_kind, customDetails) => {
    expect(errorsOf(alert({ customDetails }))).toEqual([{ path: 'customDetails', message: 'must be a JSON object' }]);
  });

  it('accepts 32 levels of nesting', () => {
    expect(parse(alert({ customDetails: nested(32) })).customDetails).toEqual(nested(32));
  });

  it('rejects 33 levels of nesting', () => {
    expect(errorsOf(alert({ customDetails: nested(33) }))).toEqual([{ path: 'customDetails', message: 'must be at most 32 levels deep' }]);
  });

  it('counts arrays as levels too', () => {
    // 31 object levels + one array holding the innermost {} = 33 levels.
    let deep: unknown = [{}];
    for (let i = 0; i < 31; i++) deep = { a: deep };
    expect(paths(errorsOf(alert({ customDetails: deep })))).toEqual(['customDetails']);
  });
});

describe('eventSchema: routingKey', () => {
  it('is optional, trimmed, at most 255 characters', () => {
    expect(parse(alert()).routingKey).toBeUndefined();
    expect(parse(alert({ routingKey: ' team-db ' })).routingKey).toBe('team-db');
    expect(parse(alert({ routingKey: 'r'.repeat(255) })).routingKey).toHaveLength(255);
    expect(errorsOf(alert({ routingKey: 'r'.repeat(256) }))).toEqual([{ path: 'routingKey', message: 'must be at most 255 characters' }]);
  });
});

describe('eventSchema: absent, null and unknown fields', () => {
  it('treats null as absent for every optional field', () => {
    const data = parse({
      eventType: 'ALERT',
      summary: 's',
      apiKey: null,
      integrationKey: null,
      details: null,
      alertKey: null,
      priority: null,
      images: null,
      links: null,
      customDetails: null,
      routingKey: null,
    });
    for (const field of ['apiKey', 'integrationKey', 'details', 'alertKey', 'priority', 'images', 'links', 'customDetails', 'routingKey']) {
      expect((data as Record<string, unknown>)[field]).toBeUndefined();
    }
  });

  it('still requires summary for ALERT when it is null', () => {
    expect(paths(errorsOf({ eventType: 'ALERT', summary: null }))).toEqual(['summary']);
  });

  it('still requires alertKey for ACCEPT when it is null', () => {
    expect(errorsOf({ eventType: 'ACCEPT', alertKey: null })).toEqual([{ path: 'alertKey', message: 'is required for ACCEPT events' }]);
  });

  it('strips unknown fields', () => {
    const data = parse(alert({ apiKey: 'k', severity: 'critical', incident_key: 'x', __proto__x: 1 }));
    expect(Object.keys(data).sort()).toEqual(['apiKey', 'eventType', 'summary']);
  });

  it('trims apiKey and integrationKey', () => {
    const data = parse(alert({ apiKey: ' abc ', integrationKey: '\tdef\n' }));
    expect([data.apiKey, data.integrationKey]).toEqual(['abc', 'def']);
  });
});

describe('normalizeAlertKey', () => {
  it('lower-cases so that keys compare case-insensitively', () => {
    expect(normalizeAlertKey('Host-1/DISK')).toBe('host-1/disk');
    expect(normalizeAlertKey('host-1/disk')).toBe(normalizeAlertKey('HOST-1/Disk'));
    expect(normalizeAlertKey('a')).not.toBe(normalizeAlertKey('b'));
  });
});

describe('integrationKeyOf', () => {
  const input = (fields: Record<string, unknown>): EventInput => parse(alert(fields));

  it('prefers the path key over both body fields', () => {
    expect(integrationKeyOf(input({ apiKey: 'body', integrationKey: 'alias' }), 'path')).toBe('path');
  });

  it('prefers apiKey over integrationKey', () => {
    expect(integrationKeyOf(input({ apiKey: 'body', integrationKey: 'alias' }))).toBe('body');
  });

  it('falls back to integrationKey', () => {
    expect(integrationKeyOf(input({ integrationKey: 'alias' }))).toBe('alias');
  });

  it('is undefined when no key is given anywhere', () => {
    expect(integrationKeyOf(input({}))).toBeUndefined();
  });
});

describe('toAcceptedEvent', () => {
  const ids = { eventId: '01J0000000000000000000000', alertSourceId: 'src-1', receivedAt: '2025-01-02T03:04:05.000Z', generatedAlertKey: 'gen-key' };

  it('carries the fields, drops the integration key, and stamps the ids', () => {
    const input = parse({
      eventType: 'ALERT',
      apiKey: 'secret-key',
      integrationKey: 'other-key',
      summary: 'CPU',
      details: 'd',
      alertKey: 'My-Key',
      priority: 'LOW',
      images: [IMAGE],
      links: [LINK],
      customDetails: { a: 1 },
      routingKey: 'team',
    });
    const event = toAcceptedEvent(input, ids);
    expect(event).toEqual({
      eventId: ids.eventId,
      alertSourceId: 'src-1',
      receivedAt: ids.receivedAt,
      eventType: 'ALERT',
      summary: 'CPU',
      details: 'd',
      alertKey: 'My-Key',
      priority: 'LOW',
      images: [IMAGE],
      links: [LINK],
      customDetails: { a: 1 },
      routingKey: 'team',
    });
    expect(event).not.toHaveProperty('apiKey');
    expect(event).not.toHaveProperty('integrationKey');
  });

  it('uses the generated alert key only when the event has none', () => {
    expect(toAcceptedEvent(parse(alert()), ids).alertKey).toBe('gen-key');
    expect(toAcceptedEvent(parse(alert({ alertKey: 'given' })), ids).alertKey).toBe('given');
  });
});
