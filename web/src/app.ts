// The app shell: routes, the navigation bar, and the guard that sends a tab without a token to the sign-in page.
import { html } from 'htm/preact';
import { useEffect } from 'preact/hooks';
import { ErrorBoundary, LocationProvider, Route, Router, lazy, useLocation } from 'preact-iso';
import { clearToken, getToken, setUnauthorizedHandler } from './api';
import { AlertsPage } from './pages/alerts';
import { SignInPage } from './pages/signin';

// Pages beyond the alerts list load on first visit, keeping the initial script small.
// The management pages (W2) export: SourcesPage/SourcePage, PoliciesPage/PolicyPage, UsersPage/UserPage; the
// single-item page takes `id` from the route, which is 'new' for the create form.
const AlertPage = lazy(() => import('./pages/alert').then((m) => m.AlertPage));
const EventsPage = lazy(() => import('./pages/events').then((m) => m.EventsPage));
const SourcesPage = lazy(() => import('./pages/sources').then((m) => m.SourcesPage));
const SourcePage = lazy(() => import('./pages/sources').then((m) => m.SourcePage));
const PoliciesPage = lazy(() => import('./pages/policies').then((m) => m.PoliciesPage));
const PolicyPage = lazy(() => import('./pages/policies').then((m) => m.PolicyPage));
const UsersPage = lazy(() => import('./pages/users').then((m) => m.UsersPage));
const UserPage = lazy(() => import('./pages/users').then((m) => m.UserPage));

export const SIGNIN_EXPIRED = '/signin?reason=expired';

const NAV = [
  ['/alerts', 'Alerts'],
  ['/alert-sources', 'Alert sources'],
  ['/escalation-policies', 'Escalation policies'],
  ['/users', 'Users'],
  ['/events', 'Event lookup'],
] as const;

function Nav() {
  const { path, route } = useLocation();
  const signOut = () => {
    clearToken();
    route('/signin');
  };
  const current = (href: string) => path === href || path.startsWith(`${href}/`) || (href === '/alerts' && path === '/');
  return html`<header class="topbar">
    <nav aria-label="Main">
      <span class="brand">Alertline</span>
      <ul>
        ${NAV.map(([href, text]) => html`<li><a href=${href} aria-current=${current(href) ? 'page' : undefined}>${text}</a></li>`)}
      </ul>
      <button type="button" class="secondary" onClick=${signOut}>Sign out</button>
    </nav>
  </header>`;
}

function NotFound() {
  return html`<h1>Page not found</h1>
    <p><a href="/alerts">Go to the alerts</a></p>`;
}

/** Everything but the sign-in page needs a token; a 401 from the API also lands here, with a message. */
function Shell() {
  const { path, route } = useLocation();
  const signedIn = Boolean(getToken());
  useEffect(() => setUnauthorizedHandler(() => route(SIGNIN_EXPIRED)), [route]);
  useEffect(() => {
    if (!signedIn && path !== '/signin') route('/signin', true);
  }, [signedIn, path, route]);
  if (!signedIn && path !== '/signin') return null;
  return html`${path !== '/signin' && html`<${Nav} />`}
    <main id="main">
      <${ErrorBoundary}>
        <${Router}>
          <${Route} path="/signin" component=${SignInPage} />
          <${Route} path="/" component=${AlertsPage} />
          <${Route} path="/alerts" component=${AlertsPage} />
          <${Route} path="/alerts/:id" component=${AlertPage} />
          <${Route} path="/alert-sources" component=${SourcesPage} />
          <${Route} path="/alert-sources/:id" component=${SourcePage} />
          <${Route} path="/escalation-policies" component=${PoliciesPage} />
          <${Route} path="/escalation-policies/:id" component=${PolicyPage} />
          <${Route} path="/users" component=${UsersPage} />
          <${Route} path="/users/:id" component=${UserPage} />
          <${Route} path="/events" component=${EventsPage} />
          <${Route} path="/events/:id" component=${EventsPage} />
          <${Route} default component=${NotFound} />
        <//>
      <//>
    </main>`;
}

export function App() {
  return html`<${LocationProvider}><${Shell} /><//>`;
}
