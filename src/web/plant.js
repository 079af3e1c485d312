// @ts-check
// The plant page: the plant's figures on top, one tile per line ranked by hours lost, live over
// /ws (a snapshot, then the whole view whenever it changes; it is a few KiB). Data is written with
// textContent only: a line or reason id never becomes markup.

/** @import { PlantLineView, PlantView } from '../plant/view.js' */
import { clockTime, count, duration, hours, oeeClass, pct } from './plant-format.js';

/** @param {string} id @returns {HTMLElement} */
function byId(id) {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} missing`);
  return el;
}

/**
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElement}
 */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className !== undefined) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @param {PlantView} view */
function renderPlant(view) {
  const p = view.plant;
  if (p.name !== undefined) {
    byId('plant-name').textContent = p.name;
    document.title = `${p.name} – Lineside plant`;
  }
  const oee = byId('plant-oee');
  oee.textContent = pct(p.linesInFigures > 0 ? p.oee.oee : null);
  oee.className = `p-big ${oeeClass(p.linesInFigures > 0 ? p.oee.oee : null, p.plannedMs)}`;
  byId('plant-apq').textContent =
    p.linesInFigures > 0
      ? `A ${pct(p.oee.availability)} · P ${pct(p.oee.performance)} · Q ${pct(p.oee.quality)}`
      : 'no shift ledger yet';
  byId('plant-teep').textContent = pct(p.linesInFigures > 0 ? p.teep : null);
  byId('plant-lost').textContent = hours(p.linesInFigures > 0 ? p.hoursLost : null);
  byId('plant-good').textContent = `${count(p.good)} / ${count(p.total)}`;
  byId('plant-online').textContent = `${p.linesOnline} / ${p.linesTotal}`;
}

/** The plant's zone for every time shown (the page's clock too). */
let timeZone = 'UTC';

/** @param {PlantLineView} line @param {number} rank @returns {HTMLElement} */
function tile(line, rank) {
  const t = el(line.url !== undefined ? 'a' : 'article', 'p-tile');
  if (line.url !== undefined) {
    // A link to the line agent's own live page (plant.yaml lines[].url).
    t.setAttribute('href', line.url);
    t.title = `Open ${line.line}'s own dashboard`;
  }
  t.dataset.line = `${line.site}/${line.line}`;
  t.dataset.rank = String(rank);
  if (!line.online) t.classList.add('p-offline');

  const head = el('div', 'p-tile-head');
  head.append(el('span', 'p-rank', `${rank}`), el('h2', 'p-line-name', line.line), el('span', 'p-site', line.site));
  const badge = el('span', `p-badge p-badge-${line.status}`, line.status === 'unknown' ? 'no status' : line.status);
  if (line.status === 'offline' && line.statusSince !== null)
    badge.textContent = `offline since ${clockTime(line.statusSince, timeZone)}`;
  head.append(badge);
  t.append(head);

  const body = el('div', 'p-tile-body');
  const oee = el('div', `p-tile-oee ${oeeClass(line.oee?.oee, line.plannedMs)}`, pct(line.oee?.oee));
  const apq = el(
    'div',
    'p-tile-apq',
    line.oee === null
      ? ''
      : `A ${pct(line.oee.availability)} · P ${pct(line.oee.performance)} · Q ${pct(line.oee.quality)}`,
  );
  const left = el('div', 'p-tile-left');
  left.append(oee, apq);
  const lost = el('div', 'p-tile-lost');
  lost.append(el('div', 'p-label', 'Hours lost'), el('div', 'p-mid', hours(line.hoursLost)));
  body.append(left, lost);
  t.append(body);

  const facts = el('dl', 'p-facts');
  /** @param {string} name @param {string} value */
  const fact = (name, value) => facts.append(el('dt', undefined, name), el('dd', undefined, value));
  const target = line.target === null ? '' : ` of ${count(line.target)}`;
  const behind =
    line.behindBy === null
      ? ''
      : line.behindBy > 0
        ? ` · behind by ${count(line.behindBy)}`
        : line.behindBy < 0
          ? ` · ahead by ${count(-line.behindBy)}`
          : ' · on plan';
  fact('Good', `${count(line.good)}${target}${behind}`);
  fact('Worst station', line.worstStation ?? '–');
  fact(
    'Top loss',
    line.topLoss === null ? '–' : `${line.topLoss.reason} at ${line.topLoss.station} · ${duration(line.topLoss.ms)}`,
  );
  if (line.stationsDown.length > 0) fact('Down now', line.stationsDown.join(', '));
  const shift = line.shift === null ? '' : `${line.shift}${line.final ? ' (ended)' : ''}`;
  if (shift !== '') fact('Shift', line.asOf === null ? shift : `${shift} · as of ${clockTime(line.asOf, timeZone)}`);
  if (line.source === 'oee') fact('Note', 'no ledger from this agent yet: not in the plant figures');
  t.append(facts);
  return t;
}

/** @param {PlantView} view */
function render(view) {
  timeZone = view.plant.timezone;
  tick();
  renderPlant(view);
  const lines = byId('lines');
  lines.replaceChildren(...view.lines.map((line, i) => tile(line, i + 1)));
  if (view.lines.length === 0) lines.append(el('p', 'p-note', 'No line has published yet.'));
  byId('main').classList.remove('p-stale');
}

/** @param {'live' | 'connecting' | 'offline'} status */
function showConnection(status) {
  const conn = byId('conn');
  conn.textContent = status;
  conn.className = `p-conn p-conn-${status}`;
  if (status !== 'live') byId('main').classList.add('p-stale');
}

function connect() {
  let attempt = 0;
  const open = () => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    ws.onopen = () => {
      attempt = 0;
    };
    ws.onmessage = (event) => {
      /** @type {{ type: string, data: PlantView }} */
      const message = JSON.parse(String(event.data));
      if (message.type === 'snapshot' || message.type === 'delta') {
        render(message.data);
        showConnection('live');
      }
    };
    ws.onclose = () => {
      showConnection(attempt === 0 ? 'connecting' : 'offline');
      attempt++;
      setTimeout(open, Math.min(10_000, 500 * 2 ** Math.min(attempt, 5)));
    };
  };
  open();
}

function tick() {
  byId('clock').textContent = clockTime(Date.now(), timeZone);
}

tick();
setInterval(tick, 10_000);
connect();
