// Escalator Lambda: each scheduled tick runs the escalation jobs that are due; also builds the engine's dependencies.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { tick, type EscalationDeps } from '../app/escalation';
import { AlertStore } from '../store/alerts';
import { EscalationJobStore } from '../store/escalation-jobs';
import { EscalationPolicyStore } from '../store/escalation-policies';
import { NotificationStore } from '../store/notifications';
import { UserStore } from '../store/users';
import { logger, notificationQueueOf, storeContextOf } from './clients';
import type { EngineConfig, EscalatorConfig, StoreConfig } from './config';
import { newId } from './ids';
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

/** The tick itself, without Lambda's middlewares: the local runtime's timer and its tests call it. */
export function createTick(config: EscalatorConfig, deps: Partial<EscalationDeps> = {}) {
  const all: EscalationDeps = { ...engineDeps(config), ...deps };
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
