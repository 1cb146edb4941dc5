// The tenant's accounts, hottest first, as its model rolls contacts up (GET /accounts), kept
// live: the score's changes reload the accounts shown.
import { get, query, stream } from '../api.js';
import { errorBox, h, show } from '../ui.js';
import { pageScore, scoreBase, scoreQuery, scoreSwitcher } from './scores.js';

export async function accountsPage(tenant) {
  document.title = `Accounts · ${tenant} · Leadflame`;
  let score;
  let scores;
  try {
    ({ score, scores } = await pageScore(tenant));
  } catch (e) {
    show(h('h1', {}, 'Accounts'), errorBox(e));
    return;
  }
  const heading = h('div', { class: 'toolbar' }, h('h1', {}, 'Accounts'), ...scoreSwitcher(scores, score));
  const body = h('tbody');
  const more = h('button', { type: 'button', id: 'more-accounts', hidden: true }, 'More accounts');
  const partial = h('p', { class: 'notice', role: 'status', hidden: true });
  const table = h('table', { class: 'leads accounts' },
    h('caption', { class: 'sr-only' }, 'Accounts, hottest first'),
    h('thead', {}, h('tr', {}, ['Account', 'Score', 'Contacts', 'Hottest contacts']
      .map((t) => h('th', { scope: 'col' }, t)))),
    body);
  let next = null;
  let shown = false;
  const base = scoreBase(score);
  const accountRow = (a) => h('tr', { dataset: { account: a.account } },
    h('th', { scope: 'row' }, a.account),
    h('td', { class: 'score' }, String(a.score)),
    h('td', {}, String(a.contacts)),
    h('td', {}, ...a.hottest.flatMap((c, i) => [i > 0 ? ', ' : '',
      h('a', { href: `/t/${tenant}/contacts/${encodeURIComponent(c.contactId)}${scoreQuery(score)}` }, c.contactId),
      ` (${c.score})`])));
  const showPage = (page) => {
    next = page.next;
    more.hidden = next === null;
    partial.hidden = !page.partial;
    partial.textContent = page.partial ? 'Partial: some contacts or accounts are not counted in this list yet.' : '';
  };
  const load = async () => {
    more.disabled = true;
    let page;
    try {
      page = await get(tenant, `${base}/accounts${query({ limit: 50, after: next })}`);
    } catch (e) {
      more.disabled = false;
      if (shown) {
        // A later page failed: the accounts shown stay, the error goes above the button.
        more.before(errorBox(e));
      } else {
        show(heading, e.status === 409
          ? h('p', { class: 'notice' }, 'This score\'s model rolls no contacts up into accounts. Add ',
            h('code', {}, '"accounts": {"field": "company", "score": "sum"}'), ' to the model to list them here.')
          : errorBox(e));
      }
      return false;
    }
    more.disabled = false;
    page.accounts.forEach((a) => body.append(accountRow(a)));
    showPage(page);
    return true;
  };
  more.addEventListener('click', load);
  if (await load()) {
    shown = true;
    show(heading, partial, h('div', { class: 'scroll' }, table), more);
    live(tenant, base, async () => {
      // As many accounts as are shown, again (a list is a pass over every contact on the server).
      const page = await get(tenant, `${base}/accounts${query({ limit: Math.min(1000, Math.max(50, body.children.length)) })}`);
      body.replaceChildren(...page.accounts.map(accountRow));
      showPage(page);
    }, (open) => { table.dataset.live = open ? 'on' : 'off'; });
  }
}

/**
 * Calls `reload` after the score's changes, no sooner than twice the last reload's time and never
 * two at once; a dropped stream is opened again a few seconds later. `connected(open)` follows
 * the stream.
 */
function live(tenant, base, reload, connected) {
  let running = false;
  let lastMs = 0;
  let timer = null;
  let source = null;
  let retry = null;
  const fire = async () => {
    if (running) { timer = setTimeout(fire, 250); return; }
    timer = null;
    running = true;
    const started = performance.now();
    try {
      await reload();
    } catch {
      // The accounts shown stay; the next change tries again.
    } finally {
      running = false;
      lastMs = performance.now() - started;
    }
  };
  const connect = () => {
    source = stream(tenant, base + '/score-changes', {
      onOpen: () => connected(true),
      onMessage: (data, type) => {
        if (type && type !== 'reload') return;
        if (!timer) timer = setTimeout(fire, Math.max(250, 2 * lastMs));
      },
      onClose: () => { connected(false); retry = setTimeout(connect, 5000); },
    });
  };
  window.addEventListener('pagehide', () => { clearTimeout(retry); clearTimeout(timer); source?.close(); });
  connect();
}
