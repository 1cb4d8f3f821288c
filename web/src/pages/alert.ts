// The alert page: what the alert says, its log and notifications, and Accept, Resolve and Reroute.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, get, getAll, put, seg } from '../api';
import type { Alert, AlertNotification, LogEntry, NamedResource } from '../types';
import { ErrorBanner, FactList, SelectField, asApiError, formatTime, useLoad } from '../ui';
import { CustomDetails, Details, Images, Links, Notifications, Timeline } from './alert-parts';

const POLL_MS = 5000;

export function AlertPage({ id }: { id: string }) {
  const alert = useLoad(() => get<Alert>(`/api/alerts/${seg(id)}`), [id]);
  // The status can change elsewhere (an event, an action link, the engine): keep the page current.
  useEffect(() => {
    const timer = setInterval(() => void alert.reload(), POLL_MS);
    return () => clearInterval(timer);
  }, [alert.reload]);
  const data = alert.data;
  if (!data)
    return alert.error
      ? html`<h1>Alert</h1>
          <${ErrorBanner} error=${alert.error} />`
      : html`<p role="status">Loading the alert…</p>`;
  return html`<article class="alert-page">
    <p><a href="/alerts">← All alerts</a></p>
    <h1>${data.summary}</h1>
    <${ErrorBanner} error=${alert.error} />
    <${Actions} alert=${data} onChanged=${alert.reload} />
    <${Facts} alert=${data} />
    <section aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      <${Details} markdown=${data.details} />
    </section>
    <section aria-labelledby="images-heading">
      <h2 id="images-heading">Images</h2>
      <${Images} images=${data.images} />
    </section>
    <section aria-labelledby="links-heading">
      <h2 id="links-heading">Links</h2>
      <${Links} links=${data.links} />
    </section>
    <section aria-labelledby="custom-heading">
      <h2 id="custom-heading">Custom details</h2>
      <${CustomDetails} value=${data.customDetails} />
    </section>
    <${History} id=${data.id} version=${data.updatedAt} />
  </article>`;
}

function Facts({ alert }: { alert: Alert }) {
  const source = useLoad(() => get<NamedResource>(`/api/alert-sources/${seg(alert.alertSourceId)}`), [alert.alertSourceId]);
  const policyId = alert.escalationPolicy?.id;
  const policy = useLoad(() => (policyId ? get<NamedResource>(`/api/escalation-policies/${seg(policyId)}`) : Promise.resolve(undefined)), [policyId]);
  const facts: [string, unknown][] = [
    ['Status', html`<span class=${`status status-${alert.status.toLowerCase()}`}>${alert.status}</span>`],
    ['Priority', alert.priority],
    ['Alert source', html`<a href=${`/alert-sources/${seg(alert.alertSourceId)}`}>${source.data?.name ?? alert.alertSourceId}</a>`],
    ['Alert key', alert.alertKey],
    ['Events', alert.eventCount],
    ['Escalation policy', policyId ? html`<a href=${`/escalation-policies/${seg(policyId)}`}>${policy.data?.name ?? policyId}</a>` : 'none'],
    ['Escalation level', alert.escalationLevel ?? '—'],
    ['Next escalation', alert.nextEscalationAt ? formatTime(alert.nextEscalationAt) : '—'],
    ['Created', formatTime(alert.createdAt)],
    ['Accepted', alert.acceptedAt ? formatTime(alert.acceptedAt) : '—'],
    ['Resolved', alert.resolvedAt ? formatTime(alert.resolvedAt) : '—'],
  ];
  return html`<${FactList} facts=${facts} />`;
}

function Actions({ alert, onChanged }: { alert: Alert; onChanged: () => Promise<void> }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const [rerouting, setRerouting] = useState(false);
  const run = async (action: () => Promise<unknown>, message: string) => {
    setBusy(true);
    setError(null);
    setDone('');
    try {
      await action();
      setDone(message);
      setRerouting(false);
      await onChanged();
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(false);
    }
  };
  const path = `/api/alerts/${seg(alert.id)}`;
  const open = alert.status !== 'RESOLVED';
  return html`<div class="actions">
    <div class="buttons">
      <button type="button" disabled=${busy || alert.status !== 'PENDING'} onClick=${() => run(() => put(`${path}/accept`), 'Accepted.')}>Accept</button>
      <button type="button" disabled=${busy || !open} onClick=${() => run(() => put(`${path}/resolve`), 'Resolved.')}>Resolve</button>
      <button type="button" class="secondary" disabled=${busy || !open} aria-expanded=${rerouting ? 'true' : 'false'} onClick=${() => setRerouting(!rerouting)}>
        Reroute
      </button>
    </div>
    ${
      rerouting &&
      html`<${RerouteForm}
        current=${alert.escalationPolicy?.id ?? ''}
        busy=${busy}
        error=${error}
        onSave=${(policyId: string) => run(() => put(`${path}/assign`, { escalationPolicy: { id: policyId } }), 'Rerouted.')}
      />`
    }
    <${ErrorBanner} error=${error} />
    <p role="status" class="done">${done}</p>
  </div>`;
}

function RerouteForm(props: { current: string; busy: boolean; error: ApiError | null; onSave: (policyId: string) => void }) {
  // A plain array (not paged), as ilert's list is.
  const policies = useLoad(() => get<NamedResource[]>('/api/escalation-policies'), []);
  const [policyId, setPolicyId] = useState(props.current);
  const options = [{ value: '', label: 'Choose a policy' }, ...(policies.data ?? []).map((p) => ({ value: p.id, label: p.name }))];
  return html`<form
    class="reroute"
    onSubmit=${(e: Event) => {
      e.preventDefault();
      props.onSave(policyId);
    }}
  >
    <${SelectField}
      id="reroute-policy"
      label="Escalation policy"
      path="escalationPolicy"
      value=${policyId}
      onInput=${setPolicyId}
      options=${options}
      error=${props.error}
    />
    <${ErrorBanner} error=${policies.error} />
    <button type="submit" disabled=${props.busy || !policyId}>Save</button>
  </form>`;
}

/** The log and the notifications, read again whenever the alert changes (`version` is its updatedAt). */
function History({ id, version }: { id: string; version: string }) {
  const log = useLoad(() => getAll<LogEntry>(`/api/alerts/${seg(id)}/log-entries`, { limit: 100 }), [id, version]);
  const notifications = useLoad(() => getAll<AlertNotification>(`/api/alerts/${seg(id)}/notifications`), [id, version]);
  return html`<section aria-labelledby="log-heading">
      <h2 id="log-heading">Log</h2>
      <${ErrorBanner} error=${log.error} />
      <${Timeline} entries=${log.data?.items ?? []} />
      ${log.data && !log.data.complete && html`<p class="muted">Showing the first ${log.data.items.length} entries.</p>`}
    </section>
    <section aria-labelledby="notifications-heading">
      <h2 id="notifications-heading">Notifications</h2>
      <${ErrorBanner} error=${notifications.error} />
      <${Notifications} items=${notifications.data?.items ?? []} />
    </section>`;
}
