// Escalator Lambda: each scheduled tick runs the escalation jobs that are due; also builds the engine's dependencies.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { Alerts } from '../app/alerts';
import { tick, type EscalationDeps } from '../app/escalation';
import { timedJobRunner, type TimedJobDeps } from '../app/timed-jobs';
import { AlertSourceStore } from '../store/alert-sources';
import { AlertStore } from '../store/alerts';
import { EscalationJobStore } from '../store/escalation-jobs';
import { EscalationPolicyStore } from '../store/escalation-policies';
import { EventStore } from '../store/events';
import { HeartbeatMonitorStore } from '../store/heartbeat-monitors';
import { NotificationStore } from '../store/notifications';
import { UserStore } from '../store/users';
import { logger, notificationQueueOf, storeContextOf } from './clients';
import type { EngineConfig, EscalatorConfig, StoreConfig } from './config';
import { newId } from './ids';
import { systemEventsOf } from './system-events';
import { withUsage } from './usage';

/** What the engine works with, from a configuration: the stores, the notification queue, the clock. */
export function engineDeps(config: StoreConfig & EngineConfig): EscalationDeps {
  const ctx = storeContextOf(config);
  const queue = notificationQueueOf(config);
  if (!queue) throw new Error('The escalation engine needs the notification queue: set NOTIFICATION_QUEUE_URL');
  return {
    jobs: new EscalationJobStore(ctx),
    alerts: new AlertStore(ctx),
    policies: new EscalationPolicyStore(ctx),
    users: new UserStore(ctx),
    notifications: new NotificationStore(ctx),
    queue,
    now: config.clock ?? Date.now,
    newId,
    logger,
  };
}

/** The tick's other jobs (heartbeat checks, auto-resolution), from the engine's stores and the event queue. */
function timedDeps(config: EscalatorConfig, engine: EscalationDeps): TimedJobDeps {
  const ctx = storeContextOf(config);
  const alerts = new AlertStore(ctx);
  const now = () => new Date(engine.now()).toISOString();
  return {
    monitors: new HeartbeatMonitorStore(ctx),
    sources: new AlertSourceStore(ctx),
    alerts,
    resolver: new Alerts({ alerts, events: new EventStore(ctx), host: { now, newId }, queue: notificationQueueOf(config) }),
    jobs: new EscalationJobStore(ctx),
    systemEvents: systemEventsOf(config, ctx, engine.now),
    now: engine.now,
  };
}

/** The tick itself, without Lambda's middlewares: the local runtime's timer and its tests call it. */
export function createTick(config: EscalatorConfig, deps: Partial<EscalationDeps> = {}) {
  const engine: EscalationDeps = { ...engineDeps(config), ...deps };
  const all: EscalationDeps = { timed: timedJobRunner(timedDeps(config, engine)), ...engine };
  // Measured without metrics: the escalator flushes none.
  return withUsage(
    'escalator',
    async () => {
      const result = await tick(all);
      if (result.ran > 0) logger.info('escalation tick', result);
      return result;
    },
    false,
  );
}

/**
 * The escalator Lambda handler (an EventBridge schedule's event carries nothing it needs). A tick in which a job failed
 * fails the invocation once all jobs ran, so that the escalator's errors alarm fires: a failed job is retried next
 * minute and given up after MAX_JOB_FAILURES, and someone should look before then.
 */
export const createEscalatorHandler = (config: EscalatorConfig, deps: Partial<EscalationDeps> = {}) => {
  const run = createTick(config, deps);
  return middy(async () => {
    const result = await run();
    if (result.failed > 0) throw new Error(`${result.failed} of ${result.ran} escalation jobs failed; each is retried next minute (see the errors above)`);
    return result;
  }).use(injectLambdaContext(logger));
};
