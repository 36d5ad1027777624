import 'uplot/dist/uPlot.min.css';
import './style.css';
import { api, session } from './api.js';
import { loginPage } from './pages/login.js';
import { overviewPage } from './pages/overview.js';
import { topicsPage } from './pages/topics.js';
import { topicPage } from './pages/topic.js';
import { groupsPage } from './pages/groups.js';
import { groupPage } from './pages/group.js';
import { brokerPage } from './pages/broker.js';
import { securityPage } from './pages/security.js';

// Hash routes: #/overview, #/topics, #/topics/NAME, #/groups, #/groups/ID, #/broker, #/security.
const routes = [
  [/^\/?$|^\/overview$/, 'overview', () => overviewPage],
  [/^\/topics$/, 'topics', () => topicsPage],
  [/^\/topics\/(.+)$/, 'topics', () => topicPage],
  [/^\/groups$/, 'groups', () => groupsPage],
  [/^\/groups\/(.+)$/, 'groups', () => groupPage],
  [/^\/broker$/, 'broker', () => brokerPage],
  [/^\/security$/, 'security', () => securityPage],
];

let current = null;

/** Each page calls this once its data is on screen: tests and bench/console-pages measure it. */
window.rillLoaded = (page) => {
  const view = document.getElementById('view');
  view.dataset.loaded = page;
  window.__rillLoadMs = performance.now() - (window.__rillNavStart ?? 0);
};

async function route() {
  window.__rillNavStart = current ? performance.now() : 0;
  const hash = decodeURIComponent(location.hash.replace(/^#/, '')).split('?')[0];
  const query = new URLSearchParams(location.hash.split('?')[1] || '');
  if (current && current.dispose) current.dispose();
  current = null;
  const view = document.getElementById('view');
  view.innerHTML = '';
  delete view.dataset.loaded;
  for (const [pattern, nav, page] of routes) {
    const m = hash.match(pattern);
    if (!m) continue;
    for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === nav);
    current = (await page())(view, m[1], query) || {};
    return;
  }
  view.innerHTML = '<p>Not found.</p>';
}

/** Who is logged in (GET /api/session); false when a login is needed first. */
async function loadSession() {
  const response = await fetch('/api/session', { credentials: 'same-origin' });
  const data = await response.json();
  Object.assign(session, data);
  const who = document.getElementById('whoami');
  const logout = document.getElementById('logout');
  who.textContent = data.authenticated && data.loginRequired ? data.principal : '';
  logout.hidden = !(data.authenticated && data.loginRequired);
  document.querySelector('header.top nav').hidden = !data.authenticated;
  return data.authenticated;
}

function showLogin() {
  if (current && current.dispose) current.dispose();
  current = null;
  document.querySelector('header.top nav').hidden = true;
  document.getElementById('whoami').textContent = '';
  document.getElementById('logout').hidden = true;
  loginPage(document.getElementById('view'), start);
}

async function start() {
  if (!(await loadSession())) {
    showLogin();
    return;
  }
  await route();
  api.get('/api/cluster').then((c) => {
    document.getElementById('cluster-name').textContent = `cluster ${c.clusterId} · Rill ${c.version}`;
  }).catch(() => {});
}

window.addEventListener('hashchange', () => { if (session.authenticated) route(); });
window.addEventListener('rill-login-required', () => { session.authenticated = false; session.csrfToken = null; showLogin(); });
document.getElementById('logout').addEventListener('click', async () => {
  await api.post('/api/logout').catch(() => {});
  session.authenticated = false;
  session.csrfToken = null;
  document.getElementById('cluster-name').textContent = '';
  showLogin();
});
start();
