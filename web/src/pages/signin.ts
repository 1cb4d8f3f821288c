// The sign-in page: checks an admin token against the API before keeping it in this tab's session storage.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiError, request, setToken } from '../api';
import { ErrorBanner, Field, asApiError } from '../ui';

export function SignInPage() {
  const { query, route } = useLocation();
  const [token, setTokenValue] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      // Any authenticated read proves the token; the alert sources list is small and always there.
      await request('GET', '/api/alert-sources', { token: token.trim() });
      setToken(token.trim());
      route('/alerts');
    } catch (failure) {
      const apiError = asApiError(failure);
      setError(apiError.status === 401 || apiError.status === 403 ? new ApiError(apiError.status, apiError.code, 'That token was refused.') : apiError);
      setBusy(false);
    }
  };

  return html`<section class="signin">
    <h1>Sign in to Alertline</h1>
    ${query.reason === 'expired' && !error && html`<p class="notice" role="status">Your session ended: sign in again.</p>`}
    <form onSubmit=${submit}>
      <${Field} id="admin-token" label="Admin token" path="token" type="password" autocomplete="off" required=${true} value=${token} onInput=${setTokenValue} />
      <${ErrorBanner} error=${error} />
      <button type="submit" disabled=${busy || !token.trim()}>Sign in</button>
    </form>
    <p class="hint">The token is printed by <code>npm start</code> (locally) or kept in AWS Secrets Manager.</p>
  </section>`;
}
