// Action links: what a signed link names (one alert, one action, one user, one channel), shown on GET and performed on POST.
import { actionLogText, verifyActionToken, type ActionClaims } from '../domain/action-token';
import type { Alert } from '../domain/alert';
import { displayName, type User } from '../domain/user';
import type { Alerts } from './alerts';
import type { UsersPort } from './ports';

export interface ActionDeps {
  /** The operator use case: an action link accepts or resolves exactly as the API does. */
  alerts: Pick<Alerts, 'get' | 'act'>;
  users: Pick<UsersPort, 'get'>;
  /** The secret that signs the links (read from Secrets Manager in AWS, hence a reader). */
  actionSecret: () => Promise<string>;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** Why a link is refused: altered or malformed (`invalid`), past its expiry, or its user deleted since (`revoked`). */
export class ActionLinkError extends Error {
  override readonly name = 'ActionLinkError';
  constructor(readonly reason: 'invalid' | 'expired' | 'revoked') {
    super(
      reason === 'invalid'
        ? 'The action link is malformed or was altered'
        : reason === 'expired'
          ? 'The action link has expired'
          : 'The user this action link was sent to no longer exists',
    );
  }
}

/** What a link offers, for the confirm page. */
export interface ActionOffer {
  claims: ActionClaims;
  alert: Alert;
  user: User;
}

export interface ActionResult {
  alertId: string;
  action: ActionClaims['action'];
  status: Alert['status'];
}

export class ActionLinks {
  constructor(private readonly deps: ActionDeps) {}

  /** GET: what the link would do; changes nothing (mail scanners follow links). */
  async show(token: string): Promise<ActionOffer> {
    const claims = await this.verify(token);
    const [alert, user] = await Promise.all([this.deps.alerts.get(claims.alertId), this.userOf(claims)]);
    return { claims, alert, user };
  }

  /** POST: performs the action as the link's user; the alert's log names the user and the channel. */
  async perform(token: string): Promise<ActionResult> {
    const claims = await this.verify(token);
    const user = await this.userOf(claims);
    const alert = await this.deps.alerts.act(claims.alertId, claims.action, `Alert ${actionLogText(claims.action, displayName(user), claims.channel)}`);
    return { alertId: alert.id, action: claims.action, status: alert.status };
  }

  private async verify(token: string): Promise<ActionClaims> {
    const verified = verifyActionToken(await this.deps.actionSecret(), token, this.deps.now());
    if (!verified.ok) throw new ActionLinkError(verified.reason);
    return verified.claims;
  }

  private async userOf(claims: ActionClaims): Promise<User> {
    const user = await this.deps.users.get(claims.userId);
    if (!user) throw new ActionLinkError('revoked');
    return user;
  }
}
