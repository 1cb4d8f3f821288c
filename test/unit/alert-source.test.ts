// Alert source settings: defaults, the ilert alias, enum errors naming the field, and how a PUT merges.
import { alertSourceSettingsSchema, mergeSettings, type AlertSource } from '../../lambdas/domain/alert-source';
import { fieldErrors } from '../../lambdas/domain/validation';

const parse = (body: unknown) => alertSourceSettingsSchema.safeParse(body, { reportInput: true });

function errorsOf(body: unknown) {
  const result = parse(body);
  if (result.success) throw new Error(`expected invalid, got ${JSON.stringify(result.data)}`);
  return fieldErrors(result.error);
}

describe('alertSourceSettingsSchema', () => {
  it('takes a rate limit per minute from 1 to 1000000, naming the field otherwise', () => {
    expect(parse({ name: 'x', rateLimitPerMinute: 60 }).data?.rateLimitPerMinute).toBe(60);
    for (const bad of [0, 1.5, 1_000_001, '60']) expect(errorsOf({ name: 'x', rateLimitPerMinute: bad }).map((e) => e.path)).toEqual(['rateLimitPerMinute']);
  });

  it('fills the defaults: API, active, one open alert, rule HIGH', () => {
    expect(parse({ name: 'Grafana prod' }).data).toEqual({
      name: 'Grafana prod',
      integrationType: 'API',
      active: true,
      alertCreation: 'ONE_OPEN_ALERT_ALLOWED',
      alertPriorityRule: 'HIGH',
      rateLimitPerMinute: 1000,
    });
  });

  it('keeps given values over the defaults', () => {
    const data = parse({
      name: 'x',
      integrationType: 'GRAFANA',
      active: false,
      alertCreation: 'ONE_PENDING_ALERT_ALLOWED',
      alertPriorityRule: 'LOW_DURING_SUPPORT_HOURS',
      supportHours: { timezone: 'Europe/Berlin', supportDays: { MONDAY: { start: '08:00', end: '18:00' } } },
      escalationPolicy: { id: 'ep-1' },
    }).data;
    expect(data).toEqual({
      name: 'x',
      integrationType: 'GRAFANA',
      active: false,
      alertCreation: 'ONE_PENDING_ALERT_ALLOWED',
      alertPriorityRule: 'LOW_DURING_SUPPORT_HOURS',
      supportHours: { timezone: 'Europe/Berlin', supportDays: { MONDAY: { start: '08:00', end: '18:00' } } },
      escalationPolicy: { id: 'ep-1' },
      rateLimitPerMinute: 1000,
    });
  });

  it('accepts ilert ONE_ALERT_PER_EMAIL as an alias of ONE_ALERT_PER_EVENT', () => {
    expect(parse({ name: 'x', alertCreation: 'ONE_ALERT_PER_EMAIL' }).data?.alertCreation).toBe('ONE_ALERT_PER_EVENT');
    expect(parse({ name: 'x', alertCreation: 'ONE_ALERT_PER_EVENT' }).data?.alertCreation).toBe('ONE_ALERT_PER_EVENT');
  });

  it.each([
    ['integrationType', 'PAGERDUTY'],
    ['alertCreation', 'ONE_ALERT_PER_DAY'],
    ['alertPriorityRule', 'MEDIUM'],
    ['integrationType', 'api'],
  ])('rejects an unknown %s (%p) naming the field and the allowed values', (field, value) => {
    const errors = errorsOf({ name: 'x', [field]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toBe(field);
    expect(errors[0].message).toMatch(/^must be one of /);
  });

  it('lists every bad field at once', () => {
    const errors = errorsOf({ name: 'x', integrationType: 'X', alertCreation: 'Y', alertPriorityRule: 'Z', active: 'yes' });
    expect(errors.map((e) => e.path).sort()).toEqual(['active', 'alertCreation', 'alertPriorityRule', 'integrationType']);
  });

  it('requires a non-blank name', () => {
    expect(errorsOf({})).toEqual([{ path: 'name', message: 'is required' }]);
    expect(errorsOf({ name: '   ' })).toEqual([{ path: 'name', message: 'must not be empty' }]);
  });

  it('treats a null escalation policy as none, and rejects one without id', () => {
    expect(parse({ name: 'x', escalationPolicy: null }).data?.escalationPolicy).toBeUndefined();
    expect(errorsOf({ name: 'x', escalationPolicy: { id: '' } }).map((e) => e.path)).toEqual(['escalationPolicy.id']);
  });

  it('does not let a client write the server-owned fields', () => {
    const data = parse({ name: 'x', id: 'mine', integrationKey: 'chosen', apiKey: 'chosen', createdAt: 'then' }).data;
    expect(data).toBeDefined();
    for (const field of ['id', 'integrationKey', 'apiKey', 'createdAt']) expect(data).not.toHaveProperty(field);
  });
});

describe('allowedRoutingKeys', () => {
  it('is absent unless given: every routing key is then followed', () => {
    expect(parse({ name: 'x' }).data).not.toHaveProperty('allowedRoutingKeys');
    expect(parse({ name: 'x', allowedRoutingKeys: null }).data?.allowedRoutingKeys).toBeUndefined();
  });

  it('keeps the list trimmed, without duplicates; an empty list allows no routing key', () => {
    expect(parse({ name: 'x', allowedRoutingKeys: [' team-a ', 'team-b', 'team-a'] }).data?.allowedRoutingKeys).toEqual(['team-a', 'team-b']);
    expect(parse({ name: 'x', allowedRoutingKeys: [] }).data?.allowedRoutingKeys).toEqual([]);
  });

  it.each([
    ['a string instead of a list', 'team-a', 'allowedRoutingKeys', 'must be an array'],
    ['a blank key', ['team-a', '  '], 'allowedRoutingKeys.1', 'must not be empty'],
    ['a key that is not a string', [42], 'allowedRoutingKeys.0', 'must be a string'],
    ["a key longer than an event's routing key may be", ['k'.repeat(256)], 'allowedRoutingKeys.0', 'must be at most 255 characters'],
    ['more than 100 keys', Array.from({ length: 101 }, (_, i) => `team-${i}`), 'allowedRoutingKeys', 'must have at most 100 routing keys'],
  ])('refuses %s, naming the field', (_case, value, path, message) => {
    expect(errorsOf({ name: 'x', allowedRoutingKeys: value })).toEqual([{ path, message }]);
  });

  it('is kept by a PUT that does not name it, and removed by one that sets it to null', () => {
    const stored: AlertSource = {
      id: 'src-1',
      name: 'x',
      integrationKey: 'k',
      integrationType: 'API',
      active: true,
      alertCreation: 'ONE_OPEN_ALERT_ALLOWED',
      alertPriorityRule: 'HIGH',
      allowedRoutingKeys: ['team-a'],
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
    };
    expect(parse(mergeSettings(stored, { name: 'y' })).data?.allowedRoutingKeys).toEqual(['team-a']);
    expect(parse(mergeSettings(stored, { allowedRoutingKeys: null })).data?.allowedRoutingKeys).toBeUndefined();
    expect(parse(mergeSettings(stored, { allowedRoutingKeys: ['team-b'] })).data?.allowedRoutingKeys).toEqual(['team-b']);
  });
});

describe('mergeSettings', () => {
  const current: AlertSource = {
    id: 'src-1',
    name: 'Old name',
    integrationKey: 'al1-secret',
    integrationType: 'GRAFANA',
    active: true,
    escalationPolicy: { id: 'ep-1' },
    alertCreation: 'ONE_PENDING_ALERT_ALLOWED',
    alertPriorityRule: 'LOW',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-02T00:00:00.000Z',
  };

  it('keeps id, integrationKey, apiKey and timestamps out of the merged settings', () => {
    const merged = mergeSettings(current, {});
    for (const field of ['id', 'integrationKey', 'apiKey', 'createdAt', 'updatedAt']) expect(merged).not.toHaveProperty(field);
  });

  it('keeps the stored settings the patch does not name', () => {
    expect(mergeSettings(current, { name: 'New name' })).toEqual({
      name: 'New name',
      integrationType: 'GRAFANA',
      active: true,
      escalationPolicy: { id: 'ep-1' },
      alertCreation: 'ONE_PENDING_ALERT_ALLOWED',
      alertPriorityRule: 'LOW',
    });
  });

  it('lets the patch override stored settings', () => {
    const merged = mergeSettings(current, { active: false, alertPriorityRule: 'HIGH', escalationPolicy: null });
    expect(merged).toMatchObject({ active: false, alertPriorityRule: 'HIGH', escalationPolicy: null });
  });

  it('validates as a whole: the merge of a valid source and a valid patch parses, keeping the stored values', () => {
    const result = parse(mergeSettings(current, { alertCreation: 'ONE_ALERT_PER_EMAIL' }));
    expect(result.data).toEqual({
      name: 'Old name',
      integrationType: 'GRAFANA',
      active: true,
      escalationPolicy: { id: 'ep-1' },
      alertCreation: 'ONE_ALERT_PER_EVENT',
      alertPriorityRule: 'LOW',
      rateLimitPerMinute: 1000,
    });
  });

  it('a patch that names server-owned fields cannot change them once validated', () => {
    const result = parse(mergeSettings(current, { id: 'other', integrationKey: 'stolen' }));
    expect(result.success).toBe(true);
    expect(result.data).not.toHaveProperty('id');
    expect(result.data).not.toHaveProperty('integrationKey');
  });

  it('does not modify the stored source', () => {
    const before = structuredClone(current);
    mergeSettings(current, { name: 'changed', active: false });
    expect(current).toEqual(before);
  });
});
