// The alert source pages: the list, and one source's form (create, edit, disable, delete) with its integration key and curl.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { del, get, post, put, seg } from '../api';
import { ErrorBanner, Field, FieldErrorText, SelectField, useLoad, type Option } from '../ui';
import { CheckboxField, DeleteButton, SavedNotice, useSubmit } from './forms';
import type { EscalationPolicy } from './policies';
import { ALERT_CREATION_MODES, ALERT_PRIORITY_RULES, GROUPING_WINDOWS, INTEGRATION_TYPES, type AlertCreation, type AlertPriorityRule } from '../options';

export interface AlertSource {
  id: string;
  name: string;
  integrationKey: string;
  integrationType: string;
  active: boolean;
  escalationPolicy?: { id: string };
  alertCreation: string;
  alertGroupingWindow?: string;
  alertPriorityRule: string;
  supportHours?: unknown;
  priorityTemplate?: unknown;
  rateLimitPerMinute?: number;
  allowedRoutingKeys?: string[];
}

// The server's choices (see ../options; a mode added there fails this file's type check until it has a label here).
const CREATION_LABELS: Record<AlertCreation, string> = {
  ONE_OPEN_ALERT_ALLOWED: 'One open alert per key',
  ONE_PENDING_ALERT_ALLOWED: 'One pending alert per key',
  ONE_ALERT_PER_EVENT: 'One alert per event',
  ONE_ALERT_GROUPED_PER_WINDOW: 'Group alerts per time window',
};
const PRIORITY_LABELS: Record<AlertPriorityRule, string> = {
  HIGH: 'High',
  LOW: 'Low',
  HIGH_DURING_SUPPORT_HOURS: 'High during support hours',
  LOW_DURING_SUPPORT_HOURS: 'Low during support hours',
};
const ALERT_CREATIONS: Option[] = ALERT_CREATION_MODES.map((value) => ({ value, label: CREATION_LABELS[value] }));
const PRIORITY_RULES: Option[] = ALERT_PRIORITY_RULES.map((value) => ({ value, label: PRIORITY_LABELS[value] }));
const asOptions = (values: readonly string[]): Option[] => values.map((value) => ({ value, label: value }));

const loadPolicies = () => get<EscalationPolicy[]>('/api/escalation-policies');

export function SourcesPage() {
  const loaded = useLoad(() => Promise.all([get<AlertSource[]>('/api/alert-sources'), loadPolicies()]), []);
  const [sources, policies] = loaded.data ?? [[], []];
  const policyName = (id?: string) => (id ? (policies.find((p) => p.id === id)?.name ?? id) : 'None');
  return html`<h1>Alert sources</h1>
    <p><a class="button" href="/alert-sources/new">New alert source</a></p>
    <${ErrorBanner} error=${loaded.error} />
    <table>
      <caption class="visually-hidden">
        Alert sources
      </caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Escalation policy</th>
          <th scope="col">Integration key</th>
        </tr>
      </thead>
      <tbody>
        ${sources.map(
          (s) =>
            html`<tr key=${s.id}>
              <td><a href=${`/alert-sources/${seg(s.id)}`}>${s.name}</a></td>
              <td>${s.active ? 'Active' : 'Disabled'}</td>
              <td>${policyName(s.escalationPolicy?.id)}</td>
              <td><code>${s.integrationKey}</code></td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${loaded.loading ? html`<p role="status">Loading…</p>` : !sources.length && html`<p>No alert sources yet.</p>`}`;
}

/** One alert source; `id` is 'new' for the create form. */
export function SourcePage({ id }: { id: string }) {
  const loaded = useLoad(() => Promise.all([id === 'new' ? undefined : get<AlertSource>(`/api/alert-sources/${seg(id)}`), loadPolicies()]), [id]);
  if (!loaded.data)
    return html`<h1>Alert source</h1>
      ${loaded.error ? html`<${ErrorBanner} error=${loaded.error} />` : html`<p role="status">Loading…</p>`}`;
  const [source, policies] = loaded.data;
  return html`<${SourceForm} key=${id} source=${source} policies=${policies} />`;
}

function draftOf(source?: AlertSource) {
  return {
    name: source?.name ?? '',
    integrationType: source?.integrationType ?? 'API',
    policyId: source?.escalationPolicy?.id ?? '',
    active: source?.active ?? true,
    alertCreation: source?.alertCreation ?? 'ONE_OPEN_ALERT_ALLOWED',
    alertGroupingWindow: source?.alertGroupingWindow ?? 'PT5M',
    alertPriorityRule: source?.alertPriorityRule ?? 'HIGH',
  };
}
type Draft = ReturnType<typeof draftOf>;

/** The body of a POST or PUT: the fields the form edits (PUT merges them over the rest of the stored settings). */
function bodyOf(draft: Draft, editing: boolean) {
  const grouped = draft.alertCreation === 'ONE_ALERT_GROUPED_PER_WINDOW';
  return {
    name: draft.name,
    integrationType: draft.integrationType,
    active: draft.active,
    escalationPolicy: draft.policyId ? { id: draft.policyId } : editing ? null : undefined,
    alertCreation: draft.alertCreation,
    alertGroupingWindow: grouped ? draft.alertGroupingWindow : undefined,
    alertPriorityRule: draft.alertPriorityRule,
  };
}

function SourceForm({ source: initial, policies }: { source?: AlertSource; policies: EscalationPolicy[] }) {
  const { route } = useLocation();
  const [source, setSource] = useState(initial);
  const [draft, setDraft] = useState(() => draftOf(initial));
  const submit = useSubmit();
  const set = (field: keyof Draft) => (value: string | boolean) => setDraft({ ...draft, [field]: value });
  const policyOptions = [{ value: '', label: 'None' }, ...policies.map((p) => ({ value: p.id, label: p.name }))];

  const save = async (e: Event) => {
    e.preventDefault();
    if (!source) {
      const created = await submit.run(() => post<AlertSource>('/api/alert-sources', bodyOf(draft, false)));
      if (created) route(`/alert-sources/${seg(created.id)}`, true);
      return;
    }
    const updated = await submit.run(() => put<AlertSource>(`/api/alert-sources/${seg(source.id)}`, bodyOf(draft, true)), 'Saved.');
    if (updated) setSource(updated);
  };
  const remove = async () => {
    const deleted = source && (await submit.run(() => del(`/api/alert-sources/${seg(source.id)}`).then(() => true)));
    if (deleted) route('/alert-sources');
  };

  const common = { error: submit.error };
  return html`<p><a href="/alert-sources">All alert sources</a></p>
    <h1>${source ? source.name : 'New alert source'}</h1>
    ${source && html`<${IntegrationKey} source=${source} />`}
    <form class="manage-form" onSubmit=${save}>
      <h2>Settings</h2>
      <${Field} ...${common} id="source-name" label="Name" path="name" required=${true} value=${draft.name} onInput=${set('name')} />
      <${SelectField}
        ...${common}
        id="source-type"
        label="Integration type"
        path="integrationType"
        value=${draft.integrationType}
        options=${asOptions(INTEGRATION_TYPES)}
        onInput=${set('integrationType')}
      />
      <${SelectField}
        ...${common}
        id="source-policy"
        label="Escalation policy"
        path="escalationPolicy"
        value=${draft.policyId}
        options=${policyOptions}
        onInput=${set('policyId')}
      />
      <${CheckboxField} ...${common} id="source-active" label="Active (accepts events)" path="active" checked=${draft.active} onChange=${set('active')} />
      <${SelectField}
        ...${common}
        id="source-creation"
        label="Alert creation"
        path="alertCreation"
        value=${draft.alertCreation}
        options=${ALERT_CREATIONS}
        onInput=${set('alertCreation')}
      />
      ${
        draft.alertCreation === 'ONE_ALERT_GROUPED_PER_WINDOW' &&
        html`<${SelectField}
          ...${common}
          id="source-window"
          label="Grouping window"
          path="alertGroupingWindow"
          value=${draft.alertGroupingWindow}
          options=${asOptions(GROUPING_WINDOWS)}
          onInput=${set('alertGroupingWindow')}
        />`
      }
      <${SelectField}
        ...${common}
        id="source-priority"
        label="Alert priority"
        path="alertPriorityRule"
        value=${draft.alertPriorityRule}
        options=${PRIORITY_RULES}
        onInput=${set('alertPriorityRule')}
      />
      ${source && html`<${OtherSettings} source=${source} error=${submit.error} />`}
      <${ErrorBanner} error=${submit.error} />
      ${submit.saved && html`<${SavedNotice} text=${submit.saved} />`}
      <div class="manage-buttons">
        <button type="submit" disabled=${submit.busy}>${source ? 'Save' : 'Create'}</button>
        ${source && html`<${DeleteButton} what=${`the alert source ${source.name}`} busy=${submit.busy} onDelete=${remove} />`}
      </div>
    </form>`;
}

/** Settings the API has but this form does not edit (set them with the API, see the README): shown, not changed. */
function OtherSettings({ source, error }: { source: AlertSource; error: ReturnType<typeof useSubmit>['error'] }) {
  const rows: [string, string, unknown][] = [
    ['supportHours', 'Support hours', source.supportHours],
    ['priorityTemplate', 'Priority template', source.priorityTemplate],
    ['allowedRoutingKeys', 'Allowed routing keys', source.allowedRoutingKeys],
    ['rateLimitPerMinute', 'Events per minute', source.rateLimitPerMinute],
  ];
  return html`<h3>Other settings (read-only here; change them through the API)</h3>
    <dl class="readonly">
      ${rows.map(
        ([path, label, value]) =>
          html`<dt id=${`source-${path}`}>${label}</dt>
            <dd>
              ${value === undefined || value === null ? 'Not set' : html`<code>${JSON.stringify(value)}</code>`}
              <${FieldErrorText} id=${`source-${path}-value`} error=${error} path=${path} />
            </dd>`,
      )}
    </dl>`;
}

/** The key an integration sends events with, and a curl that sends one from a shell as it is shown. */
function IntegrationKey({ source }: { source: AlertSource }) {
  const body = JSON.stringify({ apiKey: source.integrationKey, eventType: 'ALERT', summary: 'Test alert from curl', alertKey: 'test' });
  const curl = `curl -X POST '${window.location.origin}/api/events' -H 'Content-Type: application/json' -d '${body}'`;
  return html`<section aria-labelledby="integration-key-heading">
    <h2 id="integration-key-heading">Integration key</h2>
    <${CopyText} id="integration-key" label="Copy" text=${source.integrationKey} />
    <h3>Send a test event</h3>
    <${CopyText} id="source-curl" label="Copy curl" text=${curl} block=${true} />
  </section>`;
}

/** A text with a copy button; without the clipboard API (an http: origin) it selects the text for Ctrl+C instead. */
function CopyText({ id, label, text, block }: { id: string; label: string; text: string; block?: boolean }) {
  const [status, setStatus] = useState('');
  const select = () => {
    const element = document.getElementById(id);
    if (element) window.getSelection()?.selectAllChildren(element);
    setStatus('Selected: press Ctrl+C (⌘C) to copy.');
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setStatus('Copied.');
    } catch {
      select();
    }
  };
  const code = html`<code id=${id}>${text}</code>`;
  return html`<div class="copy">
    ${block ? html`<pre>${code}</pre>` : code}
    <button type="button" class="secondary" aria-describedby=${id} onClick=${copy}>${label}</button>
    <span role="status">${status}</span>
  </div>`;
}
