// The api's routes of SPEC 9 and 11's time-driven settings: heartbeat monitors and their pings, and maintenance windows.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HeartbeatMonitors } from '../app/heartbeats';
import type { MaintenanceWindows } from '../app/maintenance-windows';
import type { PageRequest } from '../app/ports';
import type { ApiRouteKey } from '../contract';
import { heartbeatMonitorView } from '../domain/heartbeat';
import type { EscalationJobStore } from '../store/escalation-jobs';
import { json, type HttpResponse } from './http';

type Params = Record<string, string>;
type RouteHandler = (req: APIGatewayProxyEventV2, params: Params) => Promise<HttpResponse>;

type TimedRouteKey = Extract<ApiRouteKey, `${string} /api/heartbeat${string}` | `${string} /api/maintenance-windows${string}`>;

export interface TimedUseCases {
  heartbeats: HeartbeatMonitors;
  windows: MaintenanceWindows;
  /** Where a source's new autoResolutionTimeout plans its open alerts' AUTO_RESOLVE jobs. */
  autoResolveJobs?: Pick<EscalationJobStore, 'plan'>;
}

/** How the api reads a JSON object body and a page's query (the same for every route). */
export interface RequestReaders {
  body: (req: APIGatewayProxyEventV2) => Record<string, unknown>;
  page: (req: APIGatewayProxyEventV2) => PageRequest;
}

const noContent = (): HttpResponse => ({ statusCode: 204, body: '' });

/** 202 and the monitor's status; HEAD answers the status code alone, as HEAD must. */
const pinged = (status: string, head = false): HttpResponse => (head ? { statusCode: 202, body: '' } : json(202, { status }));

export function timedRouteHandlers(app: TimedUseCases, read: RequestReaders): Record<TimedRouteKey, RouteHandler> {
  return {
    'GET /api/heartbeat-monitors': async (req) => {
      const page = await app.heartbeats.list(read.page(req));
      return json(200, { ...page, items: page.items.map(heartbeatMonitorView) });
    },
    'POST /api/heartbeat-monitors': async (req) => {
      const monitor = await app.heartbeats.create(read.body(req));
      return json(201, heartbeatMonitorView(monitor), { location: `/api/heartbeat-monitors/${monitor.id}` });
    },
    'GET /api/heartbeat-monitors/{id}': async (_req, p) => json(200, heartbeatMonitorView(await app.heartbeats.get(p.id))),
    'PUT /api/heartbeat-monitors/{id}': async (req, p) => json(200, heartbeatMonitorView(await app.heartbeats.replace(p.id, read.body(req)))),
    'DELETE /api/heartbeat-monitors/{id}': async (_req, p) => (await app.heartbeats.delete(p.id), noContent()),
    'GET /api/heartbeats/{key}': async (_req, p) => pinged((await app.heartbeats.ping(p.key)).status),
    'HEAD /api/heartbeats/{key}': async (_req, p) => pinged((await app.heartbeats.ping(p.key)).status, true),
    'POST /api/heartbeats/{key}': async (_req, p) => pinged((await app.heartbeats.ping(p.key)).status),
    'GET /api/maintenance-windows': async (req) => json(200, await app.windows.list(read.page(req))),
    'POST /api/maintenance-windows': async (req) => {
      const window = await app.windows.create(read.body(req));
      return json(201, window, { location: `/api/maintenance-windows/${window.id}` });
    },
    'GET /api/maintenance-windows/{id}': async (_req, p) => json(200, await app.windows.get(p.id)),
    'PUT /api/maintenance-windows/{id}': async (req, p) => json(200, await app.windows.replace(p.id, read.body(req))),
    'DELETE /api/maintenance-windows/{id}': async (_req, p) => (await app.windows.delete(p.id), noContent()),
  };
}
