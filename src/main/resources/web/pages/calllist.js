// The call list: the tenant's hottest leads, filtered and paged, kept live by the
// score-changes stream (a changed lead's row is updated or moved and briefly highlighted).
// A tenant with named scores gets a switcher (?score=); "heating up fastest" sorts by the
// score's change over the last 7 days (?sort=velocity).
import { get, query, stream } from '../api.js';
import { errorBox, flames, h, rangeChip, relative, show } from '../ui.js';
import { pageScore, scoreBase, scoreQuery, scoreSwitcher } from './scores.js';

const PAGE_SIZE = 25;
/** Columns a phone leaves out (style.css): the percent repeats the flames, the last event is on the contact page. */
const OPTIONAL = [null, null, null, 'optional', null, null, 'optional'];
/** Changes arriving together are applied with one reload of the page's rows. */
const SETTLE_MS = 250;

export async function callList(tenant) {
  document.title = `Call list · ${tenant} · Leadflame`;
  const params = new URLSearchParams(location.search);
  const state = {
    minFlames: params.get('minFlames') ?? '',
    range: params.get('range') ?? '',
    sort: params.get('sort') === 'velocity' ? 'velocity' : 'score',
    cursors: [null], // the cursor of each page seen, to go back
    changed: new Set(),
    timer: null,
    loading: false,
    lastLoadMs: 0,
  };
  let ranges = [];
  let scores = [];
  try {
    ({ score: state.score, scores } = await pageScore(tenant));
    ranges = (await get(tenant, scoreBase(state.score) + '/model')).ranges;
  } catch (e) {
    show(errorBox(e));
    return;
  }
  const base = scoreBase(state.score);

  const minFlames = h('select', { id: 'minFlames', name: 'minFlames' },
    h('option', { value: '' }, 'any'),
    [1, 2, 3, 4, 5].map((n) => h('option', { value: n, selected: String(n) === state.minFlames }, `${n}+`)));
  const range = h('select', { id: 'range', name: 'range' },
    h('option', { value: '' }, 'any'),
    ranges.map((r) => h('option', { value: r.name, selected: r.name === state.range }, r.name)));
  // A range the model no longer has (an old link) is not filtered on.
  state.range = range.value;
  const sort = h('select', { id: 'sort', name: 'sort' },
    h('option', { value: 'score', selected: state.sort === 'score' }, 'hottest'),
    h('option', { value: 'velocity', selected: state.sort === 'velocity' }, 'heating up fastest'));
  // Another score is another page: its ranges and its list.
  const scoreSwitch = scoreSwitcher(scores, state.score, { sort: state.sort === 'score' ? '' : state.sort });
  const live = h('span', { class: 'live', role: 'status' }, 'connecting…');
  const body = h('tbody');
  const pager = h('div', { class: 'pager' });
  const table = h('table', { class: 'leads' },
    h('caption', { class: 'sr-only' }, 'Leads, hottest first'),
    h('thead', {}, h('tr', {},
      ['Flames', 'Contact', 'Score', '%', 'Range', 'Top reasons', 'Last event'].map((t, i) =>
        h('th', { scope: 'col', class: OPTIONAL[i] }, t)))),
    body);

  // After a restart the contacts come back from the journal over a while: the list says so.
  const partial = h('p', { class: 'notice', role: 'status', hidden: true });

  show(
    h('div', { class: 'toolbar' },
      h('h1', {}, 'Call list'),
      ...scoreSwitch,
      h('label', { for: 'minFlames' }, 'Flames'), minFlames,
      h('label', { for: 'range' }, 'Range'), range,
      h('label', { for: 'sort' }, 'Sort'), sort,
      live),
    partial,
    h('div', { class: 'scroll' }, table),
    pager);

  // Only the answer to the latest request is shown: loads overlap (filters, paging, live changes).
  let latest = 0;
  // How long loads take: a named score's list or the velocity order is a scoring pass over every
  // contact on the server, so live changes reload it no sooner than twice that, never two at once.
  const load = async () => {
    const started = performance.now();
    state.loading = true;
    try {
      await loadOnce();
    } finally {
      state.loading = false;
      state.lastLoadMs = performance.now() - started;
    }
  };
  const loadOnce = async () => {
    const request = ++latest;
    const cursor = state.cursors[state.cursors.length - 1];
    const changed = new Set(state.changed);
    state.changed.clear();
    pager.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    let page;
    try {
      page = await get(tenant, base + '/leads' + query({
        limit: PAGE_SIZE, minFlames: state.minFlames, range: state.range, after: cursor,
        sort: state.sort === 'score' ? '' : state.sort,
      }));
    } catch (e) {
      if (request === latest) body.replaceChildren(h('tr', {}, h('td', { colspan: 7 }, errorBox(e))));
      return;
    }
    if (request !== latest) {
      changed.forEach((id) => state.changed.add(id));
      return;
    }
    showPartial(page);
    // A keyboard user's focus stays on the contact it was on.
    const focused = document.activeElement?.closest?.('tr[data-contact]')?.dataset.contact;
    body.replaceChildren(...page.leads.map((lead) => row(tenant, lead, changed.has(lead.contactId), state.score)));
    if (page.leads.length === 0) {
      body.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' },
        'No lead here yet: send events, or loosen the filters.')));
    }
    if (focused) body.querySelector(`tr[data-contact="${CSS.escape(focused)}"] a`)?.focus();
    pager.replaceChildren(
      h('button', { type: 'button', disabled: state.cursors.length === 1,
        onclick: () => { state.cursors.pop(); load(); } }, '← Previous'),
      h('span', { class: 'muted' }, `Page ${state.cursors.length}`),
      h('button', { type: 'button', disabled: !page.next,
        onclick: () => { state.cursors.push(page.next); load(); } }, 'Next →'));
  };

  let recheck = null;
  const showPartial = (page) => {
    clearTimeout(recheck);
    partial.hidden = !page.partial;
    if (page.partial) {
      const { contactsLive, contactsStored } = page.recovery;
      partial.textContent = 'Contacts are still coming back after a restart ('
        + `${contactsLive.toLocaleString()} of ${contactsStored === null ? '…' : contactsStored.toLocaleString()}`
        + '): this list may miss some of them for now.';
      recheck = setTimeout(load, 5000);
    }
  };

  const filtersChanged = () => {
    state.minFlames = minFlames.value;
    state.range = range.value;
    state.sort = sort.value;
    state.cursors = [null];
    history.replaceState(null, '', location.pathname + scoreQuery(state.score,
      { minFlames: state.minFlames, range: state.range, sort: state.sort === 'score' ? '' : state.sort }));
    connect();
    load();
  };
  minFlames.addEventListener('change', filtersChanged);
  range.addEventListener('change', filtersChanged);
  sort.addEventListener('change', filtersChanged);

  let source = null;
  let retry = null;
  let backoff = 1000;
  const connect = () => {
    clearTimeout(retry);
    source?.close();
    // The changes of the score shown (a named score has a stream of its own), with the same filters.
    source = stream(tenant, base + '/score-changes' + query({ minFlames: state.minFlames, range: state.range }), {
      // Every (re)connection reloads the list: changes made while disconnected were not kept.
      onOpen: () => {
        backoff = 1000;
        live.textContent = '● live';
        live.classList.add('on');
        load();
      },
      onMessage: (data, type) => {
        // Changes were missed (a resumed stream whose gap is no longer kept): the list is reloaded.
        if (type === 'reload') { load(); return; }
        if (type) return;
        state.changed.add(JSON.parse(data).contactId);
        // At most one reload per SETTLE_MS (or twice the last load's time), however steadily
        // changes arrive, and none while one runs.
        if (!state.timer) {
          const fire = () => {
            if (state.loading) { state.timer = setTimeout(fire, SETTLE_MS); return; }
            state.timer = null;
            load();
          };
          state.timer = setTimeout(fire, Math.max(SETTLE_MS, 2 * state.lastLoadMs));
        }
      },
      // Refused or dropped: try again later, waiting longer each time.
      onClose: () => {
        live.classList.remove('on');
        live.textContent = 'disconnected, retrying…';
        retry = setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, 30_000);
      },
    });
  };
  // Leaving the page closes the stream; coming back to it (the back button) opens it again.
  window.addEventListener('pagehide', () => { clearTimeout(retry); clearTimeout(recheck); source?.close(); });
  window.addEventListener('pageshow', (e) => { if (e.persisted) connect(); });
  connect();
  await load();
}

function row(tenant, lead, changed, score) {
  const velocity = lead.velocity7Days === undefined ? null
    : h('span', { class: 'velocity muted', title: 'change over the last 7 days' }, ` ${signed(lead.velocity7Days)} / 7 d`);
  return h('tr', { class: changed ? 'flash' : null, dataset: { contact: lead.contactId, flames: lead.flames } },
    h('td', {}, flames(lead.flames)),
    h('td', {}, h('a', { href: `/t/${tenant}/contacts/${encodeURIComponent(lead.contactId)}${scoreQuery(score)}` },
      lead.contactId)),
    h('td', { class: 'num' }, h('span', { class: 'score' }, lead.score), velocity),
    h('td', { class: 'num optional' }, `${lead.percent}%`),
    h('td', {}, rangeChip(lead.range)),
    h('td', {}, h('ul', { class: 'reasons' }, lead.reasons.map((r) =>
      h('li', {}, r.name, ' ', h('span', { class: r.points < 0 ? 'neg' : 'pos' }, signed(r.points)))))),
    h('td', { class: 'optional' }, relative(lead.lastEventAt)));
}

export function signed(points) {
  return points > 0 ? `+${points}` : String(points);
}

