/** The place for ACLs and users: Rill's authorization work (other branches) fills it in. */
export function securityPage(view) {
  view.innerHTML = `<h1>ACLs &amp; users</h1>
    <div class="panel"><p>This broker does not serve ACLs or SCRAM users to the console yet.</p>
    <p class="muted">When Rill's authorizer lands, this page lists ACL bindings (DescribeAcls) and SCRAM credentials
    (DescribeUserScramCredentials) and lets an authorized operator create and delete them; the console's API answers
    <code>501 NOT_IMPLEMENTED</code> on <code>/api/acls</code> and <code>/api/users</code> until then.</p></div>`;
  window.rillLoaded('security');
  return {};
}
