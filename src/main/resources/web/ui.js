// Small DOM helpers shared by the pages: no framework, text always set as text (never HTML).

/** Builds an element: h('a', {href: '/x', class: 'y'}, 'text', childElement). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

const FLAME = 'M12 2c1 3.5-1.5 5.2-1.5 7.6 0 1.4.9 2.4 2 2.4 1.6 0 2.3-1.5 1.9-3.6C17 10.4 19 13 19 15.6 19 19.7 15.9 22 12 22s-7-2.3-7-6.4C5 10.3 10.6 7.7 12 2z';

/** Five flames, the first `count` lit: how Infusionsoft shows a lead's score. */
export function flames(count, size = 18) {
  const lit = Math.max(0, Math.min(5, count));
  const el = svg('svg', { class: 'flames', viewBox: '0 0 120 24', width: size * 5, height: size,
    role: 'img', 'aria-label': `${lit} of 5 flames`, 'data-flames': lit });
  el.append(svg('title', {}, `${lit} of 5 flames`));
  for (let i = 0; i < 5; i++) {
    el.append(svg('path', { d: FLAME, transform: `translate(${i * 24} 0)`, class: i < lit ? 'lit' : 'unlit' }));
  }
  return el;
}

/**
 * A CSS colour as #rrggbb (alpha dropped), or null when the browser cannot draw it: ranges keep
 * their colour as written (#888, navy, #3b82f680), the colour picker and the ink need six digits.
 */
let colourCanvas;
export function hexOf(css) {
  colourCanvas ??= document.createElement('canvas').getContext('2d');
  const ctx = colourCanvas;
  if (!ctx || !css) return null;
  ctx.fillStyle = '#000001';
  ctx.fillStyle = css;
  const drawn = ctx.fillStyle;
  if (drawn === '#000001') return null;
  const rgba = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(drawn);
  if (rgba) return '#' + rgba.slice(1, 4).map((c) => Number(c).toString(16).padStart(2, '0')).join('');
  return /^#[0-9a-f]{6}$/i.test(drawn) ? drawn : null;
}

/** Black or white, whichever reads better on the CSS colour `css`. */
function inkOn(css) {
  const hex = hexOf(css);
  if (!hex) return '#000';
  const n = parseInt(hex.slice(1), 16);
  const luma = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return luma > 150 ? '#111' : '#fff';
}

/** A range as a coloured chip; a dash when there is none. */
export function rangeChip(range) {
  if (!range) return h('span', { class: 'chip none' }, '—');
  return h('span', { class: 'chip', style: `background:${range.color};color:${inkOn(range.color)}` }, range.name);
}

/** "3 min ago", "in 2 h", with the exact instant as a tooltip. */
export function relative(instant, now = Date.now()) {
  if (!instant) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: instant, title: new Date(instant).toLocaleString() },
    describeDelta(Date.parse(instant) - now));
}

export function describeDelta(ms) {
  const future = ms > 0;
  let s = Math.round(Math.abs(ms) / 1000);
  const units = [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]];
  let text = 'now';
  for (const [unit, size] of units) {
    if (s >= size) {
      const n = Math.floor(s / size);
      s -= n * size;
      const rest = unit === 'd' && s >= 3600 ? ` ${Math.floor(s / 3600)} h`
        : unit === 'h' && s >= 60 ? ` ${Math.floor(s / 60)} min` : '';
      text = `${n} ${unit}${rest}`;
      return future ? `in ${text}` : `${text} ago`;
    }
  }
  return text;
}

/** A countdown to `instant` that updates itself every second while it is in the page. */
export function countdown(instant) {
  if (!instant) return h('span', { class: 'muted' }, 'never');
  const el = h('time', { datetime: instant, title: new Date(instant).toLocaleString(), class: 'countdown' });
  const tick = () => {
    if (!el.isConnected && el.dataset.started) {
      clearInterval(timer);
      return;
    }
    el.dataset.started = '1';
    const ms = Date.parse(instant) - Date.now();
    el.textContent = ms <= 0 ? 'expired' : describeDelta(ms);
  };
  const timer = setInterval(tick, 1000);
  tick();
  return el;
}

/** Replaces the page's content. */
export function show(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** An error box for a failed request. */
export function errorBox(error) {
  return h('div', { class: 'error', role: 'alert' }, error.message ?? String(error));
}
