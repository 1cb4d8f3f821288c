// The users part of the OpenAPI document: the /api/users paths and the User, UserList, UserSettings and UserUpdate schemas.
import { z } from 'zod';
import { PRIORITIES } from '../domain/event';
import { CONTACT_TYPES, USER_LIMITS, userSettingsSchema, type UserView } from '../domain/user';
import { answer, failure, header, managed, pathParameter, PAGE_PARAMETERS, schema } from './operations';
import { asUpdate, type JsonSchema } from './schemas';

const TAG = 'Users';

export const USERS_TAG = { name: TAG, description: 'The people escalation rules notify, and their contacts (email, webhook, Slack)' };

const SECRET_RULE =
  'A contact given without a `secret` field keeps the secret stored for the contact with the same type and target, so a client ' +
  'can save a user without re-entering secrets it was never shown; `"secret": null` removes it.';

const TARGET_RULES =
  'EMAIL: an email address. WEBHOOK and SLACK: an https: URL without credentials whose host is not localhost nor a ' +
  'loopback, private, link-local, unique-local or unspecified address (checked again after DNS when sending); ' +
  'ALLOW_PRIVATE_WEBHOOK_TARGETS=true allows http: and such addresses. A secret is for WEBHOOK contacts only.';

// A private registry, as in schemas.ts: nothing leaks into zod's global one.
const docs = z.registry<{ id?: string; description?: string; format?: string }>();
const described = <T extends z.ZodType>(s: T, meta: { id?: string; description?: string; format?: string }): T => (docs.add(s, meta), s);
const timestamp = () => described(z.string(), { format: 'date-time', description: 'ISO 8601 UTC timestamp' });

const contact = z.object({
  type: z.enum(CONTACT_TYPES),
  target: z.string(),
  priorities: z.array(z.enum(PRIORITIES)),
  hasSecret: described(z.boolean(), { description: 'Whether deliveries are signed; the secret itself is write-only' }),
});

const user = described(
  z.object({
    id: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    email: z.string().optional(),
    timezone: z.string().optional(),
    contacts: z.array(contact),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  }),
  { id: 'User' },
);

described(z.object({ items: z.array(user), nextCursor: z.string().optional() }), {
  id: 'UserList',
  description: 'A page of users, newest first; follow nextCursor until it is absent',
});

described(userSettingsSchema({ allowPrivateTargets: false }), {
  id: 'UserSettings',
  description: `The settings of a new user; id and timestamps are the server's. Contacts' targets: ${TARGET_RULES}`,
});

/** Compile-time guard: the documented User has exactly the fields of the view the handler answers. */
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
export const userMatchesView: [SameKeys<UserView, z.output<typeof user>>, SameKeys<UserView['contacts'][number], z.output<typeof contact>>] = [true, true];

/** The users' component schemas (User, UserList, UserSettings, UserUpdate). */
export function userSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(docs, { target: 'draft-2020-12', io: 'input', metadata: docs, uri: (id) => `#/components/schemas/${id}` });
  const out: Record<string, JsonSchema> = {};
  for (const [name, s] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s as JsonSchema;
    out[name] = rest;
  }
  out.UserUpdate = asUpdate(out.UserSettings, `Fields to change; the others keep their values, and the result is validated as on create. ${SECRET_RULE}`);
  return out;
}

export function userPaths(): Record<string, JsonSchema> {
  const withId = { parameters: [pathParameter('id', "The user's id")] };
  return {
    '/api/users': {
      get: managed({
        tags: [TAG],
        operationId: 'listUsers',
        summary: 'List users, newest first',
        parameters: PAGE_PARAMETERS,
        responses: {
          200: answer('A page of users', schema('UserList')),
          400: failure('VALIDATION_FAILED: a bad limit (errors names it); INVALID_CURSOR: a nextCursor altered'),
        },
      }),
      post: managed({
        tags: [TAG],
        operationId: 'createUser',
        summary: `Create a user with up to ${USER_LIMITS.contacts} contacts`,
        description: `${TARGET_RULES} Answers show hasSecret, never the secret.`,
        body: 'UserSettings',
        responses: { 201: answer('Created', schema('User'), { Location: header('/api/users/{id}') }) },
      }),
    },
    '/api/users/{id}': {
      ...withId,
      get: managed({ tags: [TAG], operationId: 'getUser', summary: 'Get a user', withId: true, responses: { 200: answer('The user', schema('User')) } }),
      put: managed({
        tags: [TAG],
        operationId: 'updateUser',
        summary: "Change a user's settings (merged over the current ones)",
        description: SECRET_RULE,
        body: 'UserUpdate',
        withId: true,
        responses: { 200: answer('The updated user', schema('User')), 409: failure('CONFLICT: it kept changing meanwhile (retry)') },
      }),
      delete: managed({
        tags: [TAG],
        operationId: 'deleteUser',
        summary: 'Delete a user no escalation policy names',
        withId: true,
        responses: { 204: answer('Deleted'), 409: failure('USER_IN_USE: escalation rules still name the user; or CONFLICT (retry)') },
      }),
    },
  };
}
