// The escalation part of the OpenAPI document: reroute (PUT /api/alerts/{id}/assign) and an alert's notifications.
import { z } from 'zod';
import type { NotificationRecord } from '../app/ports';
import { CONTACT_TYPES } from '../domain/user';
import { answer, failure, managed, pathParameter, schema } from './operations';
import type { JsonSchema } from './schemas';

// A private registry, as in schemas.ts: nothing leaks into zod's global one.
const docs = z.registry<{ id?: string; description?: string; format?: string }>();
const described = <T extends z.ZodType>(s: T, meta: { id?: string; description?: string; format?: string }): T => (docs.add(s, meta), s);
const timestamp = () => described(z.string(), { format: 'date-time', description: 'ISO 8601 UTC timestamp' });

const notification = described(
  z.object({
    id: z.string(),
    alertId: z.string(),
    userId: z.string(),
    contactType: z.enum(CONTACT_TYPES),
    target: described(z.string(), { description: 'An email address, or only the scheme and host of a URL' }),
    reason: z.enum(['ESCALATION', 'ACCEPTED', 'RESOLVED']),
    level: z.number().int(),
    status: z.enum(['PENDING', 'SENT', 'FAILED']),
    attempts: z.number().int().min(0),
    lastError: z.string().optional(),
    createdAt: timestamp(),
    sentAt: timestamp().optional(),
  }),
  { id: 'Notification' },
);

described(z.object({ items: z.array(notification) }), { id: 'NotificationList', description: "An alert's notifications, oldest first" });

described(z.object({ escalationPolicy: z.object({ id: z.string() }) }), {
  id: 'AlertAssignment',
  description: 'The escalation policy the alert is rerouted to',
});

/** Compile-time guard: the documented Notification has the fields answered (sk and contactIndex are the store's). */
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
export const notificationMatchesRecord: SameKeys<Omit<NotificationRecord, 'sk' | 'contactIndex'>, z.output<typeof notification>> = true;

/** The component schemas of this part (Notification, NotificationList, AlertAssignment). */
export function escalationSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(docs, { target: 'draft-2020-12', io: 'input', metadata: docs, uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(
    Object.entries(schemas).map(([name, s]) => {
      const { $schema: _s, $id: _i, ...rest } = s as JsonSchema;
      return [name, rest];
    }),
  );
}

export function escalationPaths(): Record<string, JsonSchema> {
  const withId = { parameters: [pathParameter('id', "The alert's id")] };
  return {
    '/api/alerts/{id}/assign': {
      ...withId,
      put: managed({
        tags: ['Alerts'],
        operationId: 'assignAlert',
        summary: 'Reroute an open alert to another escalation policy, restarting at level 1',
        description: 'A PENDING alert escalates on through the new policy; an ACCEPTED one notifies its level 1 once.',
        body: 'AlertAssignment',
        withId: true,
        responses: {
          200: answer('The alert', schema('Alert')),
          400: failure('VALIDATION_FAILED: escalationPolicy.id missing or naming no existing policy (errors names it)'),
          409: failure('ALERT_NOT_OPEN: a resolved alert cannot be rerouted; or CONFLICT (retry)'),
        },
      }),
    },
    '/api/alerts/{id}/notifications': {
      ...withId,
      get: managed({
        tags: ['Alerts'],
        operationId: 'listAlertNotifications',
        summary: "An alert's notifications, oldest first, each with its status",
        withId: true,
        responses: { 200: answer('The notifications', schema('NotificationList')) },
      }),
    },
  };
}
