// The first start's demo alert source and its escalation policy, so that a new user has an integration key and a curl that works as printed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertSource } from '../lambdas/domain/alert-source';
import type { EscalationPolicy } from '../lambdas/domain/escalation-policy';
import { storeContextFromEnv } from '../lambdas/handlers/clients';
import { newId, newIntegrationKey } from '../lambdas/handlers/ids';
import { AlertSourceStore } from '../lambdas/store/alert-sources';
import type { StoreContext } from '../lambdas/store/client';
import { EscalationPolicyStore, RoutingKeyTakenError } from '../lambdas/store/escalation-policies';

export const DEMO_ROUTING_KEY = 'demo-team';

/** The demo policy: notify at once, no repeats. Found again by its routing key if an earlier start already made it. */
async function ensureDemoPolicy(ctx: StoreContext, now: string): Promise<EscalationPolicy> {
  const store = new EscalationPolicyStore(ctx);
  const policy: EscalationPolicy = {
    id: newId(),
    name: 'Demo escalation policy',
    routingKey: DEMO_ROUTING_KEY,
    escalationRules: [{ escalationTimeout: 0 }],
    repeating: false,
    frequency: 1,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await store.create(policy);
    return policy;
  } catch (error) {
    const existing = error instanceof RoutingKeyTakenError ? await store.getByRoutingKey(DEMO_ROUTING_KEY) : undefined;
    if (existing) return existing;
    throw error;
  }
}

/** Creates the demo source and its escalation policy on the first start; later starts find the source again (unless the user deleted it). */
export async function ensureDemoSource(dataDir: string): Promise<AlertSource | undefined> {
  const marker = join(dataDir, 'demo-source.json');
  const ctx = storeContextFromEnv();
  const store = new AlertSourceStore(ctx);
  if (existsSync(marker)) return store.get((JSON.parse(readFileSync(marker, 'utf8')) as { id: string }).id);
  const now = new Date().toISOString();
  const policy = await ensureDemoPolicy(ctx, now);
  const source: AlertSource = {
    id: newId(),
    name: 'Demo alert source',
    integrationKey: newIntegrationKey(),
    integrationType: 'API',
    active: true,
    escalationPolicy: { id: policy.id },
    alertCreation: 'ONE_OPEN_ALERT_ALLOWED',
    alertPriorityRule: 'HIGH',
    createdAt: now,
    updatedAt: now,
  };
  await store.create(source);
  writeFileSync(marker, JSON.stringify({ id: source.id }));
  return source;
}

export function demoCurl(url: string, integrationKey: string): string {
  const body = JSON.stringify({
    apiKey: integrationKey,
    eventType: 'ALERT',
    summary: 'Hey, this is a test alert from the shell!',
    alertKey: 'demo-disk-full',
    details: 'Disk **/var** is 95% full on db-1',
    priority: 'HIGH',
    images: [{ src: 'https://example.com/graph.png', alt: 'disk usage' }],
    links: [{ href: 'https://example.com/runbooks/disk', text: 'Runbook' }],
    customDetails: { host: 'db-1', usage: { percent: 95 } },
  });
  return `curl -sS -X POST ${url}/api/events -H 'Content-Type: application/json' -d '${body}'`;
}
