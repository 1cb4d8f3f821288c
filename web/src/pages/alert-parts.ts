// The parts of the alert page that show alert data: details, images, links, custom details, log, notifications.
// Every value from alert data is text here, except the details, which are sanitized markdown (safe.ts).
import { html } from 'htm/preact';
import { useMemo } from 'preact/hooks';
import { renderMarkdown, safeHttpUrl } from '../safe';
import type { Alert, AlertNotification, LogEntry } from '../types';
import { formatTime } from '../ui';

export function Details({ markdown }: { markdown?: string }) {
  // Sanitized once per text, not on every poll of the alert.
  const safeHtml = useMemo(() => (markdown ? renderMarkdown(markdown) : ''), [markdown]);
  if (!markdown) return html`<p class="muted">No details.</p>`;
  // The only HTML the UI ever injects: DOMPurify's output, with non-http(s) URLs already removed.
  return html`<div class="markdown" dangerouslySetInnerHTML=${{ __html: safeHtml }}></div>`;
}

export function Images({ images }: { images: Alert['images'] }) {
  if (!images.length) return html`<p class="muted">No images.</p>`;
  return html`<ul class="images">
    ${images.map((image) => {
      const src = safeHttpUrl(image.src);
      if (!src) return html`<li>Image not shown (not an http(s) address): <code>${image.src}</code></li>`;
      const img = html`<img src=${src} alt=${image.alt ?? ''} loading="lazy" referrerpolicy="no-referrer" />`;
      const href = safeHttpUrl(image.href);
      return html`<li>${href ? html`<a href=${href} target="_blank" rel="noopener noreferrer">${img}</a>` : img}</li>`;
    })}
  </ul>`;
}

export function Links({ links }: { links: Alert['links'] }) {
  if (!links.length) return html`<p class="muted">No links.</p>`;
  return html`<ul class="links">
    ${links.map((link) => {
      const href = safeHttpUrl(link.href);
      const text = link.text || link.href;
      // A link with any other scheme stays text, with its address shown so nothing is hidden.
      if (!href) return html`<li>${text}${link.text ? html` <code>${link.href}</code>` : null}</li>`;
      return html`<li><a href=${href} target="_blank" rel="noopener noreferrer">${text}</a></li>`;
    })}
  </ul>`;
}

const MAX_DEPTH = 12;

function Tree({ value, depth }: { value: Record<string, unknown> | unknown[]; depth: number }) {
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return html`<ul>
    ${entries.map(([key, child]) => {
      const nested = child !== null && typeof child === 'object';
      if (nested && depth < MAX_DEPTH) {
        return html`<li><span class="tree-key">${key}</span><${Tree} value=${child} depth=${depth + 1} /></li>`;
      }
      const text = nested ? JSON.stringify(child) : String(child);
      return html`<li><span class="tree-key">${key}</span>: <span class="tree-value">${text}</span></li>`;
    })}
  </ul>`;
}

export function CustomDetails({ value }: { value: Record<string, unknown> }) {
  if (!Object.keys(value).length) return html`<p class="muted">No custom details.</p>`;
  return html`<div class="tree"><${Tree} value=${value} depth=${0} /></div>`;
}

export function Timeline({ entries }: { entries: LogEntry[] }) {
  if (!entries.length) return html`<p class="muted">No log entries yet.</p>`;
  return html`<ol class="timeline">
    ${entries.map(
      (entry) =>
        html`<li key=${entry.id}>
          <time datetime=${entry.createdAt}>${formatTime(entry.createdAt)}</time>
          <span class="log-type">${entry.type}</span>
          <span>${entry.text}</span>
        </li>`,
    )}
  </ol>`;
}

export function Notifications({ items }: { items: AlertNotification[] }) {
  return html`<table class="notifications">
    <thead>
      <tr>
        <th scope="col">Created</th>
        <th scope="col">User</th>
        <th scope="col">Channel</th>
        <th scope="col">Target</th>
        <th scope="col">Reason</th>
        <th scope="col">Level</th>
        <th scope="col">Status</th>
        <th scope="col">Attempts</th>
        <th scope="col">Last error</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (n) =>
          html`<tr key=${n.id}>
            <td><time datetime=${n.createdAt}>${formatTime(n.createdAt)}</time></td>
            <td><a href=${`/users/${encodeURIComponent(n.userId)}`}>${n.userId}</a></td>
            <td>${n.contactType}</td>
            <td>${n.target}</td>
            <td>${n.reason}</td>
            <td class="number">${n.level}</td>
            <td>${n.status}</td>
            <td class="number">${n.attempts}</td>
            <td>${n.lastError ?? ''}</td>
          </tr>`,
      )}
      ${
        items.length === 0 &&
        html`<tr>
          <td colspan="9" class="empty">No notifications.</td>
        </tr>`
      }
    </tbody>
  </table>`;
}
