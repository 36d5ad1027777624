// The console's JSON API (/api/...), served by rill serve next to these pages.
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.error = body && body.error;
  }
}

/** The login session: its CSRF token goes with every state-changing call (the session id is an HttpOnly cookie). */
export const session = { csrfToken: null, principal: null, loginRequired: false, canAlterCluster: true, canDescribeCluster: true };

// The user's last click or key press: sent with every call, so that the pages' polling alone does not keep
// a login alive past rill.console.session.idle.timeout.ms.
let lastInput = Date.now();
for (const type of ['pointerdown', 'keydown']) window.addEventListener(type, () => { lastInput = Date.now(); }, true);

async function call(method, path, body) {
  const headers = body === undefined ? {} : { 'content-type': 'application/json' };
  headers['x-rill-idle-ms'] = String(Math.max(0, Date.now() - lastInput));
  if (method !== 'GET' && session.csrfToken) headers['x-rill-csrf'] = session.csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    // The session ended (expired, logged out elsewhere, broker restarted): back to the login page.
    if (response.status === 401 && data && data.error === 'NOT_AUTHENTICATED') window.dispatchEvent(new Event('rill-login-required'));
    throw new ApiError(response.status, data);
  }
  return data;
}

export const api = {
  get: (path) => call('GET', path),
  post: (path, body) => call('POST', path, body),
  put: (path, body) => call('PUT', path, body),
  del: (path) => call('DELETE', path),
};

export function qs(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
