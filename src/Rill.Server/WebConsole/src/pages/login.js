import { api, session } from '../api.js';
import { errorText } from '../ui.js';

/**
 * The login page, shown when the broker has security (an authorizer or SASL listeners): the user name and
 * password of a SASL user of the broker (SCRAM credentials or PLAIN users), or an OAUTHBEARER token (a JWT the
 * broker's OAUTHBEARER listeners accept), checked by the broker itself.
 */
export function loginPage(view, onLoggedIn) {
  view.innerHTML = `<h1>Log in</h1>
    <form id="login" class="panel" autocomplete="on">
      <p class="muted">This broker requires authentication. Use a SASL user of the broker (SCRAM or PLAIN).</p>
      <label>User <input id="login-user" name="username" autocomplete="username" required></label>
      <label>Password <input id="login-password" name="password" type="password" autocomplete="current-password" required></label>
      <div class="actions"><button type="submit" id="login-submit">Log in</button></div>
      <p id="login-error" class="error-text"></p>
    </form>
    <form id="login-token" class="panel">
      <p class="muted">Or an OAUTHBEARER token (JWT) accepted by the broker's OAUTHBEARER listeners.</p>
      <label>Token <input id="login-token-value" name="token" type="password" autocomplete="off" required></label>
      <div class="actions"><button type="submit" id="login-token-submit">Log in with token</button></div>
      <p id="login-token-error" class="error-text"></p>
    </form>`;
  view.querySelector('#login-token').addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = view.querySelector('#login-token-error');
    error.textContent = '';
    try {
      Object.assign(session, await api.post('/api/login', { token: view.querySelector('#login-token-value').value }));
      await onLoggedIn();
    } catch (err) {
      error.textContent = errorText(err);
    }
  });
  view.querySelector('#login').addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = view.querySelector('#login-error');
    error.textContent = '';
    try {
      const answer = await api.post('/api/login', {
        username: view.querySelector('#login-user').value,
        password: view.querySelector('#login-password').value,
      });
      Object.assign(session, answer);
      await onLoggedIn();
    } catch (err) {
      error.textContent = errorText(err);
    }
  });
  window.rillLoaded('login');
}
