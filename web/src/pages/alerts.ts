// The alerts list: status tabs, source filter and key search, newest first, paged with "Load more", live every 3 s.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { type ApiError, type Page, get } from '../api';
import type { Alert, NamedResource } from '../types';
import { ErrorBanner, asApiError, formatTime, useLoad } from '../ui';
import { type Rows, appendPage, mergeFirstPage } from '../alert-rows';

const POLL_MS = 3000;
const PAGE_SIZE = 50;
const TABS = [
  { id: 'pending', label: 'Pending', status: 'PENDING' },
  { id: 'accepted', label: 'Accepted', status: 'ACCEPTED' },
  { id: 'resolved', label: 'Resolved', status: 'RESOLVED' },
  { id: 'all', label: 'All', status: undefined },
] as const;
type Tab = (typeof TABS)[number];

interface Filters {
  tab: Tab;
  sourceId: string;
  key: string;
}

function useFilters(): [Filters, (change: Partial<Record<'status' | 'source' | 'key', string>>) => void] {
  const { path, query, route } = useLocation();
  const tab = TABS.find((t) => t.id === query.status) ?? TABS[0];
  const filters = { tab, sourceId: query.source ?? '', key: query.key ?? '' };
  // Filters live in the address, so a filtered list can be bookmarked and Back returns to it.
  const update = (change: Partial<Record<'status' | 'source' | 'key', string>>) => {
    const next = new URLSearchParams({ status: tab.id, source: filters.sourceId, key: filters.key, ...change });
    for (const [name, value] of [...next]) if (!value) next.delete(name);
    route(`${path}?${next}`, true);
  };
  return [filters, update];
}

export function AlertsPage() {
  const [filters, update] = useFilters();
  // The alert sources list is a plain array (not paged), as ilert's is.
  const sources = useLoad(() => get<NamedResource[]>('/api/alert-sources'), []);
  const sourceNames = new Map((sources.data ?? []).map((s) => [s.id, s.name]));
  return html`<h1>Alerts</h1>
    <div class="filters">
      <${StatusTabs} current=${filters.tab} onSelect=${(tab: Tab) => update({ status: tab.id })} />
      <div class="field">
        <label for="alert-source-filter">Alert source</label>
        <select id="alert-source-filter" onChange=${(e: Event) => update({ source: (e.currentTarget as HTMLSelectElement).value })}>
          <option value="" selected=${!filters.sourceId}>All alert sources</option>
          ${(sources.data ?? []).map((s) => html`<option value=${s.id} selected=${s.id === filters.sourceId}>${s.name}</option>`)}
        </select>
      </div>
      <${KeySearch} value=${filters.key} onSearch=${(key: string) => update({ key })} />
    </div>
    <div role="tabpanel" id="alerts-panel" aria-labelledby=${`tab-${filters.tab.id}`}>
      <${AlertTable} filters=${filters} sourceNames=${sourceNames} />
    </div>`;
}

function StatusTabs({ current, onSelect }: { current: Tab; onSelect: (tab: Tab) => void }) {
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern); Tab moves past the tab list.
  const onKeyDown = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = TABS[(TABS.indexOf(current) + step + TABS.length) % TABS.length];
    onSelect(next);
    document.getElementById(`tab-${next.id}`)?.focus();
  };
  return html`<div role="tablist" aria-label="Alert status" class="tabs" onKeyDown=${onKeyDown}>
    ${TABS.map(
      (tab) =>
        html`<button
          type="button"
          role="tab"
          id=${`tab-${tab.id}`}
          aria-selected=${tab === current ? 'true' : 'false'}
          aria-controls="alerts-panel"
          tabindex=${tab === current ? 0 : -1}
          onClick=${() => onSelect(tab)}
        >
          ${tab.label}
        </button>`,
    )}
  </div>`;
}

function KeySearch({ value, onSearch }: { value: string; onSearch: (key: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  // Searching as one types, but only once typing pauses, so each keystroke is not a request.
  useEffect(() => {
    if (text.trim() === value) return undefined;
    const timer = setTimeout(() => onSearch(text.trim()), 400);
    return () => clearTimeout(timer);
  }, [text]);
  return html`<form
    role="search"
    class="field"
    onSubmit=${(e: Event) => {
      e.preventDefault();
      onSearch(text.trim());
    }}
  >
    <label for="alert-key-search">Alert key</label>
    <input id="alert-key-search" type="search" value=${text} onInput=${(e: Event) => setText((e.currentTarget as HTMLInputElement).value)} />
  </form>`;
}

function useAlertRows(filters: Filters) {
  const [rows, setRows] = useState<Rows<Alert>>({ items: [], extended: false });
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const query = { status: filters.tab.status, alertSourceId: filters.sourceId || undefined, alertKey: filters.key || undefined, limit: PAGE_SIZE };
  const queryKey = JSON.stringify(query);
  const generation = useRef(0);

  useEffect(() => {
    const mine = ++generation.current;
    let busy = false;
    const refresh = async () => {
      if (busy) return;
      busy = true;
      try {
        const first = await get<Page<Alert>>('/api/alerts', query);
        if (mine !== generation.current) return;
        setRows((current) => mergeFirstPage(first, current));
        setError(null);
      } catch (failure) {
        if (mine === generation.current) setError(asApiError(failure));
      } finally {
        busy = false;
        if (mine === generation.current) setLoading(false);
      }
    };
    setRows({ items: [], extended: false });
    setLoading(true);
    void refresh();
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [queryKey]);

  const loadMore = async () => {
    if (!rows.cursor) return;
    const mine = generation.current;
    setLoadingMore(true);
    try {
      const next = await get<Page<Alert>>('/api/alerts', { ...query, nextCursor: rows.cursor });
      if (mine !== generation.current) return;
      setRows((current) => appendPage(next, current));
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setLoadingMore(false);
    }
  };
  return { rows, error, loading, loadingMore, loadMore };
}

function AlertTable({ filters, sourceNames }: { filters: Filters; sourceNames: Map<string, string> }) {
  const { rows, error, loading, loadingMore, loadMore } = useAlertRows(filters);
  return html`<${ErrorBanner} error=${error} />
    <table class="alerts">
      <caption class="visually-hidden">
        ${filters.tab.label} alerts, newest first
      </caption>
      <thead>
        <tr>
          <th scope="col">Summary</th>
          <th scope="col">Status</th>
          <th scope="col">Priority</th>
          <th scope="col">Alert source</th>
          <th scope="col">Alert key</th>
          <th scope="col">Created</th>
          <th scope="col">Events</th>
        </tr>
      </thead>
      <tbody>
        ${rows.items.map(
          (alert) =>
            html`<tr key=${alert.id}>
              <td><a href=${`/alerts/${encodeURIComponent(alert.id)}`}>${alert.summary}</a></td>
              <td><span class=${`status status-${alert.status.toLowerCase()}`}>${alert.status}</span></td>
              <td>${alert.priority}</td>
              <td>${sourceNames.get(alert.alertSourceId) ?? alert.alertSourceId}</td>
              <td>${alert.alertKey}</td>
              <td><time datetime=${alert.createdAt}>${formatTime(alert.createdAt)}</time></td>
              <td class="number">${alert.eventCount}</td>
            </tr>`,
        )}
        ${
          !loading &&
          rows.items.length === 0 &&
          html`<tr>
            <td colspan="7" class="empty">No alerts here.</td>
          </tr>`
        }
      </tbody>
    </table>
    ${loading && html`<p role="status">Loading alerts…</p>`}
    ${rows.cursor && html`<button type="button" class="secondary" disabled=${loadingMore} onClick=${loadMore}>${loadingMore ? 'Loading…' : 'Load more'}</button>`}`;
}
