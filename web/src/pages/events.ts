// Event lookup: what became of an event, by the id the events API answered with.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { get, seg } from '../api';
import type { EventRecord } from '../types';
import { ErrorBanner, FactList, Field, formatTime, useLoad } from '../ui';

const OUTCOMES: Record<string, string> = {
  QUEUED: 'Queued: not applied yet.',
  CREATED: 'Created a new alert.',
  APPENDED: 'Added to an open alert.',
  ACCEPTED: 'Accepted the alert.',
  ALREADY_ACCEPTED: 'The alert was already accepted.',
  RESOLVED: 'Resolved the alert.',
  COMMENTED: 'Added a comment to the alert.',
  NO_OPEN_ALERT: 'No open alert had this alert key: nothing changed.',
  SUPPRESSED: 'A maintenance window covered the alert source: recorded, nothing opened.',
  FAILED: 'Failed: parked in the dead-letter queue.',
};

export function EventsPage({ id }: { id?: string }) {
  const { route } = useLocation();
  const [text, setText] = useState(id ?? '');
  return html`<h1>Event lookup</h1>
    <form
      role="search"
      class="inline-form"
      onSubmit=${(e: Event) => {
        e.preventDefault();
        if (text.trim()) route(`/events/${seg(text.trim())}`);
      }}
    >
      <${Field} id="event-id" label="Event id" path="id" value=${text} onInput=${setText} required=${true} />
      <button type="submit">Look up</button>
    </form>
    ${id && html`<${EventRecordView} key=${id} id=${id} />`}`;
}

function EventRecordView({ id }: { id: string }) {
  const record = useLoad(() => get<EventRecord>(`/api/events/${seg(id)}`), [id]);
  if (record.error) return html`<${ErrorBanner} error=${record.error} />`;
  const event = record.data;
  if (!event) return html`<p role="status">Looking up the event…</p>`;
  const facts: [string, unknown][] = [
    ['Event id', event.eventId],
    ['Event type', event.eventType],
    ['Outcome', html`<strong>${event.outcome}</strong> ${OUTCOMES[event.outcome] ?? ''}`],
    ['Alert', event.alertId ? html`<a href=${`/alerts/${seg(event.alertId)}`}>Open the alert</a>` : '—'],
    ['Alert source', html`<a href=${`/alert-sources/${seg(event.alertSourceId)}`}>${event.alertSourceId}</a>`],
    ['Alert key', event.alertKey],
    ['Received', formatTime(event.receivedAt)],
    ['Processed', event.processedAt ? formatTime(event.processedAt) : '—'],
  ];
  if (event.error) facts.push(['Error', event.error]);
  return html`<section aria-labelledby="event-heading">
    <h2 id="event-heading">Event ${event.eventId}</h2>
    <${FactList} facts=${facts} />
    ${event.outcome === 'QUEUED' && html`<button type="button" class="secondary" onClick=${() => record.reload()}>Check again</button>`}
  </section>`;
}
