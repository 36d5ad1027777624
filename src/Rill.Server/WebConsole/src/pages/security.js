import { api, session } from '../api.js';
import { esc } from '../format.js';
import { confirmModal, errorText, toast } from '../ui.js';

const OPERATIONS = ['ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS', 'IDEMPOTENT_WRITE'];
const options = (values) => values.map((v) => `<option>${v}</option>`).join('');

/**
 * ACLs (DescribeAcls / CreateAcls / DeleteAcls: DESCRIBE / ALTER on the cluster) and SCRAM users
 * (DescribeUserScramCredentials / AlterUserScramCredentials). The forms show only to principals that may ALTER the cluster.
 */
export function securityPage(view) {
  const canAlter = session.canAlterCluster;
  view.innerHTML = `<h1>ACLs &amp; users</h1>
    <h2>ACLs</h2>
    <div id="acls-note" class="muted"></div>
    <table class="grid" id="acls"><thead><tr><th>Resource</th><th>Name</th><th>Pattern</th><th>Principal</th><th>Host</th>
      <th>Operation</th><th>Permission</th><th></th></tr></thead><tbody></tbody></table>
    <form id="acl-create" class="panel" ${canAlter ? '' : 'hidden'}>
      <h3>Add an ACL</h3>
      <label>Principal <input id="acl-principal" value="User:" required></label>
      <label>Resource <select id="acl-type">${options(['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID'])}</select></label>
      <label>Name <input id="acl-name" required></label>
      <label>Pattern <select id="acl-pattern">${options(['LITERAL', 'PREFIXED'])}</select></label>
      <label>Operation <select id="acl-operation">${options(OPERATIONS)}</select></label>
      <label>Permission <select id="acl-permission">${options(['ALLOW', 'DENY'])}</select></label>
      <label>Host <input id="acl-host" value="*"></label>
      <div class="actions"><button type="submit" id="acl-submit">Add ACL</button></div>
    </form>
    <h2>SCRAM users</h2>
    <table class="grid" id="users"><thead><tr><th>User</th><th>Mechanisms</th><th></th></tr></thead><tbody></tbody></table>
    <form id="user-create" class="panel" ${canAlter ? '' : 'hidden'}>
      <h3>Set a user's password</h3>
      <label>User <input id="user-name" required></label>
      <label>Password <input id="user-password" type="password" autocomplete="new-password" required></label>
      <label>Mechanism <select id="user-mechanism">${options(['SCRAM-SHA-512', 'SCRAM-SHA-256'])}</select></label>
      <label>Iterations <input id="user-iterations" type="number" value="8192" min="4096" max="16384"></label>
      <div class="actions"><button type="submit" id="user-submit">Save user</button></div>
    </form>`;
  let acls = [];

  async function loadAcls() {
    const tbody = view.querySelector('#acls tbody');
    if (!session.authorizerEnabled) {
      view.querySelector('#acls-note').textContent = 'No authorizer is configured (authorizer.class.name): every request is allowed and there are no ACLs.';
      view.querySelector('#acls').hidden = true;
      view.querySelector('#acl-create').hidden = true;
      return;
    }
    try {
      acls = await api.get('/api/acls');
      tbody.innerHTML = acls.map((a, i) => `<tr data-acl="${i}"><td>${esc(a.resourceType)}</td><td>${esc(a.resourceName)}</td>
        <td>${esc(a.patternType)}</td><td>${esc(a.principal)}</td><td>${esc(a.host)}</td><td>${esc(a.operation)}</td>
        <td>${esc(a.permission)}</td><td>${canAlter ? `<button class="link danger" data-delete-acl="${i}">Delete</button>` : ''}</td></tr>`).join('')
        || '<tr><td colspan="8" class="muted">No ACLs.</td></tr>';
    } catch (e) {
      tbody.innerHTML = '';
      view.querySelector('#acls-note').textContent = errorText(e);
    }
  }

  async function loadUsers() {
    const tbody = view.querySelector('#users tbody');
    try {
      const users = await api.get('/api/users');
      tbody.innerHTML = users.map((u) => `<tr data-user="${esc(u.name)}"><td>${esc(u.name)}</td>
        <td>${u.mechanisms.map((m) => `${esc(m.mechanism)} (${m.iterations} iterations)`).join(', ')}</td>
        <td>${canAlter ? `<button class="link danger" data-delete-user="${esc(u.name)}">Delete</button>` : ''}</td></tr>`).join('')
        || '<tr><td colspan="3" class="muted">No SCRAM users.</td></tr>';
    } catch (e) {
      tbody.innerHTML = `<tr><td colspan="3" class="muted">${esc(errorText(e))}</td></tr>`;
    }
  }

  view.querySelector('#acl-create').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.post('/api/acls', {
        principal: view.querySelector('#acl-principal').value, resourceType: view.querySelector('#acl-type').value,
        resourceName: view.querySelector('#acl-name').value, patternType: view.querySelector('#acl-pattern').value,
        operation: view.querySelector('#acl-operation').value, permission: view.querySelector('#acl-permission').value,
        host: view.querySelector('#acl-host').value,
      });
      toast('ACL added');
      await loadAcls();
    } catch (err) { toast(errorText(err), true); }
  });
  view.querySelector('#user-create').addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = view.querySelector('#user-name').value;
    try {
      await api.put(`/api/users/${encodeURIComponent(name)}`, {
        password: view.querySelector('#user-password').value, mechanism: view.querySelector('#user-mechanism').value,
        iterations: Number(view.querySelector('#user-iterations').value),
      });
      view.querySelector('#user-password').value = '';
      toast(`Saved ${name}`);
      await loadUsers();
    } catch (err) { toast(errorText(err), true); }
  });
  view.addEventListener('click', async (e) => {
    const acl = e.target.dataset.deleteAcl;
    const user = e.target.dataset.deleteUser;
    try {
      if (acl !== undefined) {
        const a = acls[Number(acl)];
        if (!(await confirmModal('Delete ACL', `${esc(a.permission)} ${esc(a.principal)} ${esc(a.operation)} on ${esc(a.resourceType)} ${esc(a.resourceName)}?`, 'Delete'))) return;
        await api.post('/api/acls/delete', a);
        await loadAcls();
      } else if (user !== undefined) {
        if (!(await confirmModal('Delete user', `Remove every SCRAM credential of ${esc(user)}?`, 'Delete'))) return;
        await api.del(`/api/users/${encodeURIComponent(user)}`);
        await loadUsers();
      }
    } catch (err) { toast(errorText(err), true); }
  });

  Promise.all([loadAcls(), loadUsers()]).then(() => window.rillLoaded('security'));
  return {};
}
