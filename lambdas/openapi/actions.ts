// The OpenAPI paths of action links: the confirm page (GET) and the action itself (POST), public, the signed token their credential.
import { answer, failure, pathParameter, response } from './operations';
import type { JsonSchema } from './schemas';

const TAGS = ['Action links'];

const refusals = {
  401: failure('INVALID_ACTION_LINK: the token is malformed or was altered; nothing changed'),
  404: failure('NOT_FOUND: the alert no longer exists'),
  410: failure('ACTION_LINK_EXPIRED: the link is older than 24 hours, or its user was deleted; nothing changed'),
  default: response('UnexpectedError'),
};

const html = (description: string): JsonSchema => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });

const actionResult: JsonSchema = {
  type: 'object',
  required: ['alertId', 'action', 'status'],
  properties: {
    alertId: { type: 'string' },
    action: { type: 'string', enum: ['accept', 'resolve'] },
    status: { type: 'string', enum: ['PENDING', 'ACCEPTED', 'RESOLVED'], description: "The alert's status after the action" },
  },
};

export const ACTIONS_TAG = {
  name: 'Action links',
  description: 'The accept and resolve links sent with notifications: one alert, one action, one user, 24 hours',
};

export function actionPaths(): Record<string, JsonSchema> {
  return {
    '/api/actions/{token}': {
      parameters: [pathParameter('token', 'The signed token of the link, as sent in the notification')],
      get: {
        tags: TAGS,
        operationId: 'showActionLink',
        summary: 'The confirm page of an action link (changes nothing: mail scanners follow links)',
        description:
          'A small HTML page naming the alert and the action, with a button that POSTs to the same URL. A refused link answers an HTML page with the status below.',
        security: [],
        responses: {
          200: html('The confirm page'),
          401: html('The token is malformed or was altered'),
          404: html('The alert no longer exists'),
          410: html('The link has expired, or its user was deleted'),
          default: response('UnexpectedError'),
        },
      },
      post: {
        tags: TAGS,
        operationId: 'performActionLink',
        summary: "Accept or resolve the link's alert as the link's user",
        description:
          'The alert\'s log names the user and the channel ("Alert accepted by Uma Oncall via webhook link"). Accepting an accepted alert, or resolving a resolved one, answers its status unchanged. No body is read.',
        security: [],
        responses: {
          200: answer('Done, or already so', actionResult),
          409: failure('INVALID_STATE: a resolved alert cannot be accepted; or CONFLICT (retry)'),
          ...refusals,
        },
      },
    },
  };
}
