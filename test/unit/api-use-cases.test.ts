// The API's use cases (lambdas/app/) on in-memory stores: operator actions and policy changes decided again after a
// lost race, the rules between alert sources and escalation policies, and refusals in the product's terms.
import { AlertSources } from '../../lambdas/app/alert-sources';
import { Alerts } from '../../lambdas/app/alerts';
import { EscalationPolicies } from '../../lambdas/app/escalation-policies';
import { ConflictError, NotFoundError, ValidationError } from '../../lambdas/app/errors';
import { Conflict } from '../../lambdas/store/errors';
import { fixedHost, MemoryAlerts, MemoryEvents, MemoryPolicies, MemorySources } from './support/memory-stores';

function setup() {
  const stores = { sources: new MemorySources(), policies: new MemoryPolicies(), alerts: new MemoryAlerts(), events: new MemoryEvents() };
  const host = fixedHost();
  return {
    ...stores,
    app: {
      sources: new AlertSources({ sources: stores.sources, policies: stores.policies, host }),
      policies: new EscalationPolicies({ policies: stores.policies, sources: stores.sources, users: knownUsers, host }),
      alerts: new Alerts({ alerts: stores.alerts, events: stores.events, host }),
    },
  };
}

const rules = [{ escalationTimeout: 0, users: [{ id: 'u1' }] }];
/** The users the rules name exist (their checks are tested over HTTP in test/integration/users.test.ts). */
const knownUsers = {
  get: async (id: string) => (id === 'u1' ? { id, firstName: 'U', lastName: 'One', contacts: [], createdAt: '', updatedAt: '' } : undefined),
};

describe('operator accept and resolve', () => {
  it('accepts a pending alert and logs who did it', async () => {
    const { app, alerts } = setup();
    alerts.add({ id: 'a1' });
    await expect(app.alerts.act('a1', 'accept')).resolves.toMatchObject({ id: 'a1', status: 'ACCEPTED' });
    expect(alerts.log).toEqual([expect.objectContaining({ alertId: 'a1', type: 'ACCEPTED', text: 'Alert accepted through the API' })]);
  });

  it('decides again on a fresh read when the alert changed under it: accepting what was resolved meanwhile is refused', async () => {
    const { app, alerts } = setup();
    alerts.add({ id: 'a1' });
    alerts.beforeWrite = (seen) => alerts.items.set(seen.id, { ...alerts.items.get(seen.id)!, status: 'RESOLVED' });
    const refusal = await app.alerts.act('a1', 'accept').catch((e) => e);
    expect(refusal).toBeInstanceOf(ConflictError);
    expect(refusal).toMatchObject({ code: 'INVALID_STATE', message: 'a resolved alert cannot be accepted' });
  });

  it('answers the alert unchanged when the race left it where the operator wanted it', async () => {
    const { app, alerts } = setup();
    alerts.add({ id: 'a1' });
    alerts.beforeWrite = (seen) => alerts.items.set(seen.id, { ...alerts.items.get(seen.id)!, status: 'RESOLVED' });
    await expect(app.alerts.act('a1', 'resolve')).resolves.toMatchObject({ status: 'RESOLVED' });
    expect(alerts.log).toEqual([]);
  });

  it('asks the caller to retry after losing the race five times', async () => {
    const { app, alerts } = setup();
    alerts.add({ id: 'a1' });
    let writes = 0;
    // The processor touches the alert at every attempt: the status stays PENDING, but the write's condition fails.
    alerts.beforeWrite = () => {
      writes++;
      throw new Conflict('changed');
    };
    await expect(app.alerts.act('a1', 'accept')).rejects.toMatchObject({ code: 'CONFLICT', message: 'The alert changed while it was being updated; retry' });
    expect(writes).toBe(5);
  });

  it('is a NotFoundError for an unknown alert', async () => {
    await expect(setup().app.alerts.act('nope', 'resolve')).rejects.toEqual(new NotFoundError('Alert'));
  });
});

describe('escalation policies', () => {
  it('refuses to delete a policy an alert source names, naming the sources', async () => {
    const { app } = setup();
    const policy = await app.policies.create({ name: 'Ops', escalationRules: rules });
    const source = await app.sources.create({ name: 'Grafana', escalationPolicy: { id: policy.id } });
    const refusal = await app.policies.delete(policy.id).catch((e) => e);
    expect(refusal).toBeInstanceOf(ConflictError);
    expect(refusal.code).toBe('POLICY_IN_USE');
    expect(refusal.message).toBe(`The escalation policy is used by 1 alert source(s): "Grafana" (${source.id}); point them elsewhere first`);
  });

  it('refuses a routing key another policy holds, with the field named, and does not retry it as a race', async () => {
    const { app, policies } = setup();
    await app.policies.create({ name: 'A', routingKey: 'db', escalationRules: rules });
    const b = await app.policies.create({ name: 'B', escalationRules: rules });
    let writes = 0;
    policies.beforeWrite = () => void writes++;
    const refusal = await app.policies.replace(b.id, { routingKey: 'db' }).catch((e) => e);
    expect(refusal).toMatchObject({ code: 'ROUTING_KEY_TAKEN', errors: [{ path: 'routingKey', message: 'is already used by another escalation policy' }] });
    expect(writes).toBe(1);
    await expect(app.policies.create({ name: 'C', routingKey: 'db', escalationRules: rules })).rejects.toMatchObject({ code: 'ROUTING_KEY_TAKEN' });
  });

  it('applies an update to the policy as it is after a concurrent change, and answers 404 once it is gone', async () => {
    const { app, policies } = setup();
    const policy = await app.policies.create({ name: 'Ops', escalationRules: rules });
    let raced = false;
    policies.beforeWrite = () => {
      if (raced) return;
      raced = true;
      policies.items.set(policy.id, { ...policies.items.get(policy.id)!, repeating: true, updatedAt: 'meanwhile' });
    };
    await expect(app.policies.replace(policy.id, { name: 'Operations' })).resolves.toMatchObject({ name: 'Operations', repeating: true });
    policies.beforeWrite = () => void policies.items.delete(policy.id);
    await expect(app.policies.replace(policy.id, { name: 'Gone' })).rejects.toEqual(new NotFoundError('Escalation policy'));
  });

  it('names every invalid field', async () => {
    const refusal = await setup()
      .app.policies.create({ name: '', escalationRules: [] })
      .catch((e) => e);
    expect(refusal).toBeInstanceOf(ValidationError);
    expect(refusal.errors.map((e: { path: string }) => e.path).sort()).toEqual(['escalationRules', 'name']);
  });
});

describe('alert sources', () => {
  it('refuses a source that names no existing escalation policy', async () => {
    const refusal = await setup()
      .app.sources.create({ name: 'Grafana', escalationPolicy: { id: 'missing' } })
      .catch((e) => e);
    expect(refusal).toBeInstanceOf(ValidationError);
    expect(refusal).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'Invalid alert source: escalationPolicy.id names no existing escalation policy: missing',
      errors: [{ path: 'escalationPolicy.id', message: 'names no existing escalation policy: missing' }],
    });
  });

  it('merges a partial update into the current settings and keeps the integration key', async () => {
    const { app } = setup();
    const source = await app.sources.create({ name: 'Grafana', integrationType: 'GRAFANA' });
    const updated = await app.sources.replace(source.id, { name: 'Grafana prod' });
    expect(updated).toMatchObject({ name: 'Grafana prod', integrationType: 'GRAFANA', integrationKey: source.integrationKey, createdAt: source.createdAt });
  });

  it('is a NotFoundError when the source was deleted between the read and the write, and on a second delete', async () => {
    const { app, sources } = setup();
    const source = await app.sources.create({ name: 'Grafana' });
    const replace = sources.replace.bind(sources);
    sources.replace = async (s) => (sources.items.delete(s.id), replace(s));
    await expect(app.sources.replace(source.id, { name: 'x' })).rejects.toEqual(new NotFoundError('Alert source'));
    await expect(app.sources.delete(source.id)).rejects.toEqual(new NotFoundError('Alert source'));
  });
});

describe('reads', () => {
  it('turns a cursor the store refuses into INVALID_CURSOR on nextCursor', async () => {
    const { app, alerts } = setup();
    alerts.add({ id: 'a1' });
    for (const read of [() => app.alerts.list({ limit: 10, cursor: 'altered' }), () => app.alerts.logEntries('a1', { limit: 10, cursor: 'altered' })]) {
      await expect(read()).rejects.toMatchObject({ code: 'INVALID_CURSOR', errors: [{ path: 'nextCursor', message: 'The cursor is not valid' }] });
    }
  });

  it('answers NotFoundError for the log of an unknown alert and for an unknown event', async () => {
    const { app } = setup();
    await expect(app.alerts.logEntries('nope', { limit: 10 })).rejects.toEqual(new NotFoundError('Alert'));
    await expect(app.alerts.event('nope')).rejects.toEqual(new NotFoundError('Event'));
  });
});
