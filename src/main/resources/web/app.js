// The dashboard's router: one page per path, all built on the tenant API.
//   /                         choose a tenant
//   /t/{tenant}               the call list
//   /t/{tenant}/contacts/{id} a contact
//   /t/{tenant}/model         the scoring model
//   /t/{tenant}/distribution  flames and ranges of the tenant
//   /t/{tenant}/accounts      the tenant's accounts, hottest first
import { apiKey, setApiKey } from './api.js';
import { h, show } from './ui.js';
import { scoreQuery } from './pages/scores.js';
import { callList } from './pages/calllist.js';
import { contactPage } from './pages/contact.js';
import { modelPage } from './pages/model.js';
import { distributionPage } from './pages/distribution.js';
import { accountsPage } from './pages/accounts.js';

// Anything that goes wrong unhandled is also shown (and stays in the console).
window.addEventListener('unhandledrejection', (e) => {
  if (e.reason?.status === 401) return; // the key prompt says it
  document.getElementById('main').prepend(
    h('div', { class: 'error', role: 'alert' }, `Something went wrong: ${e.reason?.message ?? e.reason}`));
});

// A node with keys on answers 401 without a valid one: ask for it, keep it for this tab only.
window.addEventListener('leadflame:unauthorized', keyPrompt);

// The prompt stands in for the page, which is hidden (its requests, refused, change nothing).
function keyPrompt() {
  if (document.getElementById('key-prompt')) return;
  const main = document.getElementById('main');
  const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', required: true,
    autocomplete: 'off', placeholder: 'lf_…' });
  main.hidden = true;
  main.before(h('section', { id: 'key-prompt', class: 'card narrow' },
    h('h1', {}, 'API key'),
    h('p', {}, apiKey() ? 'This key is not valid here: it is unknown or was revoked. ' : 'This Leadflame asks for an API key. ',
      'A read key shows the call list, contacts and the model; changing the model needs an admin key. ',
      'The key stays in this browser tab only.'),
    h('form', { onsubmit: (e) => { e.preventDefault(); setApiKey(input.value.trim()); location.reload(); } },
      h('label', { for: 'api-key' }, 'Key'), ' ', input, ' ', h('button', { type: 'submit' }, 'Use this key'))));
  input.focus();
}

const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;

function nav(tenant, current) {
  const links = [['', 'Call list'], ['/accounts', 'Accounts'], ['/distribution', 'Distribution'],
    ['/model', 'Scoring model']];
  // The pages of a named score link to that score's pages.
  const score = scoreQuery(new URLSearchParams(location.search).get('score'));
  const forget = apiKey() ? [h('button', { type: 'button', class: 'small', id: 'forget-key',
    onclick: () => { setApiKey(null); location.reload(); } }, 'Forget key')] : [];
  document.getElementById('nav').replaceChildren(
    h('span', { class: 'tenant' }, tenant),
    ...links.map(([path, label]) => h('a', { href: `/t/${tenant}${path}${score}`,
      'aria-current': current === path ? 'page' : null }, label)),
    ...forget);
}

function tenantPicker() {
  document.getElementById('nav').replaceChildren();
  document.title = 'Leadflame';
  const input = h('input', { id: 'tenant', name: 'tenant', required: true, pattern: TENANT.source,
    placeholder: 'acme', autocomplete: 'off' });
  show(h('section', { class: 'card narrow' },
    h('h1', {}, 'Whose leads?'),
    h('form', { onsubmit: (e) => { e.preventDefault(); location.assign(`/t/${input.value.trim()}`); } },
      h('label', { for: 'tenant' }, 'Tenant'), ' ', input, ' ', h('button', { type: 'submit' }, 'Open'))));
  input.focus();
}

function route() {
  let parts;
  try {
    parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    parts = []; // a malformed %-escape: start over at the tenant picker
  }
  if (parts[0] !== 't' || !TENANT.test(parts[1] ?? '')) {
    tenantPicker();
    return;
  }
  const tenant = parts[1];
  const page = parts[2] ?? '';
  if (page === '') {
    nav(tenant, '');
    callList(tenant);
  } else if (page === 'contacts' && parts[3]) {
    nav(tenant, null);
    contactPage(tenant, parts[3]);
  } else if (page === 'model') {
    nav(tenant, '/model');
    modelPage(tenant);
  } else if (page === 'distribution') {
    nav(tenant, '/distribution');
    distributionPage(tenant);
  } else if (page === 'accounts') {
    nav(tenant, '/accounts');
    accountsPage(tenant);
  } else {
    nav(tenant, null);
    show(h('p', { class: 'error', role: 'alert' }, 'No such page.'));
  }
}

route();
