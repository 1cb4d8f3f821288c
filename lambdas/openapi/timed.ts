// The OpenAPI part of SPEC 9 and 11's time-driven settings: heartbeat monitors and their pings, and maintenance windows.
import { z } from 'zod';
import { HEARTBEAT_STATUSES, heartbeatMonitorView, heartbeatSettingsSchema } from '../domain/heartbeat';
import { maintenanceWindowSettingsSchema, type MaintenanceWindow } from '../domain/maintenance-window';
import { answer, failure, header, managed, pathParameter, PAGE_PARAMETERS, response, schema } from './operations';
import { asUpdate, type JsonSchema } from './schemas';

const HEARTBEATS = 'Heartbeat monitors';
const WINDOWS = 'Maintenance windows';

export const TIMED_TAGS = [
  { name: HEARTBEATS, description: 'Jobs that ping Alertline; silence for intervalSec + graceSec opens an alert on the monitor’s alert source' },
  { name: WINDOWS, description: 'While a window covers an alert source, its ALERT events are recorded as SUPPRESSED and open nothing' },
];

// A private registry, as in schemas.ts: nothing leaks into zod's global one.
const docs = z.registry<{ id?: string; description?: string; format?: string }>();
const described = <T extends z.ZodType>(s: T, meta: { id?: string; description?: string; format?: string }): T => (docs.add(s, meta), s);
const timestamp = () => described(z.string(), { format: 'date-time', description: 'ISO 8601 UTC timestamp' });

const monitor = described(
  z.object({
    id: z.string(),
    name: z.string(),
    intervalSec: z.number().int(),
    graceSec: z.number().int(),
    alertSource: z.object({ id: z.string() }),
    key: described(z.string(), { description: 'The secret of the ping URL /api/heartbeats/{key}' }),
    status: z.enum(HEARTBEAT_STATUSES),
    lastPingAt: timestamp().nullable(),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  }),
  { id: 'HeartbeatMonitor' },
);
described(z.object({ items: z.array(monitor), nextCursor: z.string().optional() }), {
  id: 'HeartbeatMonitorList',
  description: 'A page of heartbeat monitors, newest first; follow nextCursor until it is absent',
});
described(heartbeatSettingsSchema, {
  id: 'HeartbeatMonitorSettings',
  description: "A new monitor's settings; id, key, status and timestamps are the server's. The alert source must exist.",
});

const window = described(
  z.object({
    id: z.string(),
    summary: z.string(),
    start: timestamp(),
    end: timestamp(),
    alertSources: z.array(z.object({ id: z.string() })),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  }),
  { id: 'MaintenanceWindow' },
);
described(z.object({ items: z.array(window), nextCursor: z.string().optional() }), {
  id: 'MaintenanceWindowList',
  description: 'A page of maintenance windows, newest first; follow nextCursor until it is absent',
});
described(maintenanceWindowSettingsSchema, {
  id: 'MaintenanceWindowSettings',
  description: 'start and end are date-times with a zone (stored in UTC), end after start; the alert sources must exist',
});

/** Compile-time guard: the documented shapes have exactly the fields the handlers answer. */
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
export const timedMatchViews: [
  SameKeys<ReturnType<typeof heartbeatMonitorView>, z.output<typeof monitor>>,
  SameKeys<MaintenanceWindow, z.output<typeof window>>,
] = [true, true];

/** The component schemas of this part, with the updates (every field optional). */
export function timedSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(docs, { target: 'draft-2020-12', io: 'input', metadata: docs, uri: (id) => `#/components/schemas/${id}` });
  const out: Record<string, JsonSchema> = {};
  for (const [name, s] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s as JsonSchema;
    out[name] = rest;
  }
  out.HeartbeatMonitorUpdate = asUpdate(
    out.HeartbeatMonitorSettings,
    'Fields to change; the others keep their values, and the result is validated as on create',
  );
  out.MaintenanceWindowUpdate = asUpdate(
    out.MaintenanceWindowSettings,
    'Fields to change; the others keep their values, and the result is validated as on create',
  );
  return out;
}

const pageFailure = failure('VALIDATION_FAILED: a bad limit (errors names it); INVALID_CURSOR: a nextCursor altered');

/** The five management operations of a resource, the same for monitors and windows. */
function crud(tag: string, base: string, what: string, name: string): Record<string, JsonSchema> {
  return {
    [base]: {
      get: managed({
        tags: [tag],
        operationId: `list${name}s`,
        summary: `List ${what}s, newest first`,
        parameters: PAGE_PARAMETERS,
        responses: { 200: answer(`A page of ${what}s`, schema(`${name}List`)), 400: pageFailure },
      }),
      post: managed({
        tags: [tag],
        operationId: `create${name}`,
        summary: `Create a ${what}`,
        body: `${name}Settings`,
        responses: { 201: answer('Created', schema(name), { Location: header(`${base}/{id}`) }) },
      }),
    },
    [`${base}/{id}`]: {
      parameters: [pathParameter('id', `The ${what}'s id`)],
      get: managed({ tags: [tag], operationId: `get${name}`, summary: `Get a ${what}`, withId: true, responses: { 200: answer(`The ${what}`, schema(name)) } }),
      put: managed({
        tags: [tag],
        operationId: `update${name}`,
        summary: `Change a ${what} (merged over the current settings)`,
        body: `${name}Update`,
        withId: true,
        responses: { 200: answer(`The updated ${what}`, schema(name)), 409: failure('CONFLICT: it kept changing meanwhile (retry)') },
      }),
      delete: managed({ tags: [tag], operationId: `delete${name}`, summary: `Delete a ${what}`, withId: true, responses: { 204: answer('Deleted') } }),
    },
  };
}

const pingStatus = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['UP'] } } };

function ping(method: string): JsonSchema {
  return {
    tags: [HEARTBEATS],
    operationId: `${method}Heartbeat`,
    summary: `Ping a heartbeat monitor (${method.toUpperCase()})`,
    description:
      'No token: the key is the credential. Marks the monitor UP; the first ping after OVERDUE resolves its alert. ' +
      'GET, HEAD and POST do the same (HEAD answers no body), so that curl, wget or any HTTP client in a cron job works.',
    security: [],
    responses: {
      202: method === 'head' ? answer('Marked up') : answer('Marked up', pingStatus),
      404: failure('NOT_FOUND: no heartbeat monitor has this key'),
      503: failure('STORE_UNAVAILABLE: retry (the next ping does)'),
      default: response('UnexpectedError'),
    },
  };
}

export function timedPaths(): Record<string, JsonSchema> {
  return {
    ...crud(HEARTBEATS, '/api/heartbeat-monitors', 'heartbeat monitor', 'HeartbeatMonitor'),
    '/api/heartbeats/{key}': {
      parameters: [pathParameter('key', "The monitor's key")],
      get: ping('get'),
      head: ping('head'),
      post: ping('post'),
    },
    ...crud(WINDOWS, '/api/maintenance-windows', 'maintenance window', 'MaintenanceWindow'),
  };
}
