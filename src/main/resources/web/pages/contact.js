// A contact: its score and flames, fit and engagement, every reason with its expiry counting
// down, when the score next changes by itself, a projection N days ahead, its score over the
// last 30 days (a chart and the ledger of each change), tags and fields. Under a named score
// (?score=) all of it is that score's.
import { ApiError, get, query } from '../api.js';
import { stepChart } from '../charts.js';
import { countdown, errorBox, flames, h, rangeChip, relative, show } from '../ui.js';
import { signed } from './calllist.js';
import { pageScore, scoreBase } from './scores.js';

const HISTORY_DAYS = 30;

const DAY_MS = 86_400_000;

export async function contactPage(tenant, contactId) {
  document.title = `${contactId} · ${tenant} · Leadflame`;
  let score = 'default';
  if (new URLSearchParams(location.search).has('score')) {
    // A score the tenant no longer has (an old link) falls back to the default one.
    try {
      ({ score } = await pageScore(tenant));
    } catch (e) {
      show(h('h1', {}, contactId), errorBox(e));
      return;
    }
  }
  const path = `${scoreBase(score)}/contacts/${encodeURIComponent(contactId)}`;
  let contact;
  try {
    contact = await get(tenant, path);
  } catch (e) {
    show(h('h1', {}, contactId), e instanceof ApiError && e.status === 404
      ? h('p', { class: 'muted' }, 'No event was ever recorded for this contact.') : errorBox(e));
    return;
  }

  const days = h('input', { id: 'days', type: 'number', min: 1, max: 3650, value: 7, inputmode: 'numeric' });
  const projection = h('p', { id: 'projection', role: 'status' });
  const history = h('section', { id: 'history' }, h('p', { class: 'muted' }, 'Loading…'));
  const project = async () => {
    const n = Number(days.value);
    if (!Number.isInteger(n) || n < 1) {
      projection.textContent = 'Enter a whole number of days.';
      return;
    }
    const at = new Date(Date.now() + n * DAY_MS).toISOString();
    try {
      const later = await get(tenant, `${path}/score${query({ at })}`);
      projection.replaceChildren(`In ${n} days: score `, h('strong', { class: 'projected-score' }, later.score),
        ', ', flames(later.flames, 14), ' ', rangeChip(later.range),
        later.score === contact.score ? ' (unchanged)' : ` (${signed(later.score - contact.score)})`);
    } catch (e) {
      projection.replaceChildren(errorBox(e));
    }
  };

  show(
    h('div', { class: 'contact-head' },
      h('h1', {}, contact.contactId),
      flames(contact.flames, 28),
      h('span', { class: 'big score' }, contact.score), h('span', { class: 'muted' }, `${contact.percent}%`),
      rangeChip(contact.range)),
    contact.enabled ? null : h('p', { class: 'error' }, 'Scoring is disabled in this tenant\'s model.'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Fit'), h('dd', { class: 'fit' }, contact.fit),
      h('dt', {}, 'Engagement'), h('dd', { class: 'engagement' }, contact.engagement),
      h('dt', {}, 'Next change'), h('dd', {}, countdown(contact.nextChangeAt)),
      h('dt', {}, 'First seen'), h('dd', {}, relative(contact.firstSeen)),
      h('dt', {}, 'Last event'), h('dd', {}, relative(contact.lastEventAt)),
      ...(score === 'default' ? [] : [h('dt', {}, 'Score'), h('dd', { class: 'score-name' }, score)]),
      h('dt', {}, 'Model'), h('dd', {}, `version ${contact.modelVersion}`)),
    h('h2', {}, 'Why this score'),
    h('div', { class: 'scroll' }, h('table', { class: 'breakdown' },
      h('thead', {}, h('tr', {}, ['Reason', 'Category', 'Points', 'Matches', 'Expires'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, contact.breakdown.length === 0
        ? h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No rule gives points now.'))
        : contact.breakdown.map((b) => h('tr', { dataset: { rule: b.ruleId } },
          h('td', {}, b.name, ' ', h('code', { class: 'muted' }, b.ruleId)),
          h('td', {}, b.category),
          h('td', { class: `num ${b.points < 0 ? 'neg' : 'pos'}` }, signed(b.points)),
          h('td', { class: 'num' }, b.matches),
          h('td', {}, countdown(b.expiresAt))))))),
    h('h2', {}, `Over the last ${HISTORY_DAYS} days`),
    history,
    h('h2', {}, 'Projection'),
    h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); project(); } },
      h('label', { for: 'days' }, 'Score in'), days, h('span', {}, 'days'),
      h('button', { type: 'submit' }, 'Project')),
    projection,
    h('div', { class: 'two' },
      h('section', {}, h('h2', {}, 'Tags'), contact.tags.length === 0 ? h('p', { class: 'muted' }, 'None.')
        : h('ul', { class: 'tags' }, contact.tags.map((t) => h('li', {}, h('span', { class: 'tag' }, t.tag), ' ',
          relative(t.appliedAt))))),
      h('section', {}, h('h2', {}, 'Fields'), Object.keys(contact.fields).length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h('dl', { class: 'facts fields' }, Object.entries(contact.fields).flatMap(([k, v]) =>
          [h('dt', {}, k), h('dd', {}, typeof v === 'string' ? v : JSON.stringify(v))])))));
  await Promise.all([project(), showHistory(tenant, path, history)]);
}

/** The score over the last days as a chart, and each change with the rules that made it. */
async function showHistory(tenant, path, into) {
  let timeline;
  try {
    timeline = await get(tenant, `${path}/history${query({ days: HISTORY_DAYS })}`);
  } catch (e) {
    into.replaceChildren(errorBox(e));
    return;
  }
  const changes = timeline.changes;
  into.replaceChildren(
    h('p', { class: 'muted' }, `Change over the last 7 days: `,
      h('strong', { class: 'velocity7' }, signed(timeline.velocity7Days)),
      timeline.truncated ? ' (only the first changes of this window are shown)' : ''),
    stepChart('Score', timeline.from, timeline.to, timeline.scoreAtStart, changes),
    h('div', { class: 'scroll' }, h('table', { class: 'ledger' },
      h('thead', {}, h('tr', {}, ['When', 'Score', 'Change', 'Why', 'Rules'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, changes.length === 0
        ? h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No change in this window.'))
        : [...changes].reverse().map((c) => h('tr', { dataset: { at: c.at } },
          h('td', {}, relative(c.at)),
          h('td', { class: 'num' }, c.score),
          h('td', { class: `num ${c.change < 0 ? 'neg' : 'pos'}` }, signed(c.change)),
          h('td', {}, c.reason === 'event' ? 'an event' : 'time'),
          h('td', {}, h('ul', { class: 'reasons' }, c.rules.map((r) =>
            h('li', {}, r.name, ' ', h('span', { class: r.change < 0 ? 'neg' : 'pos' }, signed(r.change))))))))))));
}
