// @ts-check
// Production orders in the header: a block for the line on screen when it runs an order (id, product, a
// progress bar, what is left, the ETA in plant time, shift and due verdicts), and for a login
// allowed to run orders (operator, supervisor, engineer) "Start order" and "Stop order". The
// blocks follow the line views the live feed sends; an action only asks the server, and the
// delta that follows moves the page, so the page never shows an order the core does not run.
import * as api from './actions.js';
import { $, el } from './dom.js';
import { claimedName, setSession } from './login.js';
import { agentNow } from './model.js';
import { orderFacts, plantTimeToIso } from './order-format.js';
import { currentLine, model, ui } from './page-state.js';
import { messageOf, toast } from './toast.js';

/** @import { LineView } from '../server/view-model.js' */

const NONE = '';

/** @type {Map<string, ReturnType<typeof createBlock>>} line id -> its block, made once and updated in place */
const blocks = new Map();

const mayRunOrders = () => ui.permissions.includes('runOrders');

/** @param {string} lineId */
function createBlock(lineId) {
  const root = el('div', 'order');
  root.setAttribute('role', 'group');
  root.dataset.line = lineId;
  const title = el('span', 'order-title');
  const id = el('strong', 'order-id');
  const product = el('span', 'order-product');
  title.append(id, product);
  const bar = el('div', 'order-bar');
  bar.setAttribute('role', 'progressbar');
  bar.setAttribute('aria-valuemin', '0');
  const fill = el('div', 'order-fill');
  bar.append(fill);
  const count = el('span', 'order-count');
  const remaining = el('span', 'order-remaining');
  const eta = el('span', 'order-eta');
  const estimate = el('span', 'order-estimate', 'estimate at the ideal rate');
  const shift = el('span', 'order-shift');
  const due = el('span', 'order-due');
  const stop = el('button', 'order-stop', 'Stop order');
  stop.type = 'button';
  stop.addEventListener('click', () => onStop(lineId, stop));
  root.append(title, bar, count, remaining, eta, estimate, shift, due, stop);
  return { root, id, product, bar, fill, count, remaining, eta, estimate, shift, due, stop };
}

/**
 * @param {HTMLElement} node
 * @param {{ text: string, cls: string } | undefined} verdict
 * @param {string} base
 */
function setVerdict(node, verdict, base) {
  node.hidden = verdict === undefined;
  node.textContent = verdict?.text ?? '';
  node.className = `${base}${verdict !== undefined ? ` ${verdict.cls}` : ''}`;
}

/** The header's order blocks and the start button, from the lines in the model. */
export function renderOrders() {
  const container = $('orders');
  const lines = [...model.lines.values()];
  const shown = currentLine();
  // The order of the line on screen (line-tabs.js shows the others).
  const running = lines.filter((l) => l.order !== undefined && l.id === shown?.id);
  const now = agentNow(model);
  const allowed = mayRunOrders();
  for (const [lineId, block] of blocks) {
    if (!running.some((l) => l.id === lineId)) {
      block.root.remove();
      blocks.delete(lineId);
    }
  }
  running.forEach((line, index) => {
    const order = /** @type {NonNullable<LineView['order']>} */ (line.order);
    let b = blocks.get(line.id);
    if (b === undefined) blocks.set(line.id, (b = createBlock(line.id)));
    if (container.children[index] !== b.root) container.insertBefore(b.root, container.children[index] ?? null);
    const productName = model.products.find((p) => p.id === order.product)?.name;
    const facts = orderFacts(order, { timezone: model.timezone, now, ...(productName ? { productName } : {}) });
    // With several lines, say which line an order runs on.
    const title = lines.length > 1 ? `${line.name} · ${facts.title}` : facts.title;
    b.root.setAttribute('aria-label', title);
    b.id.textContent = title;
    b.product.textContent = facts.product;
    b.product.hidden = facts.product === '';
    b.bar.setAttribute('aria-label', `${facts.title} progress`);
    b.bar.setAttribute('aria-valuemax', String(facts.quantity));
    b.bar.setAttribute('aria-valuenow', String(facts.good));
    b.bar.setAttribute('aria-valuetext', facts.progressText);
    // CSSOM, not a style attribute: the page's CSP allows no inline styles.
    b.fill.style.width = `${facts.percent}%`;
    b.count.textContent = facts.progress;
    b.remaining.textContent = facts.remaining;
    b.eta.textContent = facts.eta;
    b.estimate.hidden = !facts.estimate;
    setVerdict(b.shift, facts.shift, 'order-shift');
    setVerdict(b.due, facts.due, 'order-due');
    b.stop.hidden = !allowed;
    b.stop.setAttribute('aria-label', `Stop order ${order.id}`);
  });
  container.hidden = running.length === 0;
  $('order-start').hidden = !allowed || lines.length === 0;
}

/**
 * @param {string} lineId
 * @param {HTMLButtonElement} button
 */
async function onStop(lineId, button) {
  const line = model.lines.get(lineId);
  button.disabled = true;
  try {
    const { order } = await api.stopOrder(lineId, claimedName());
    toast(`Order ${order.id} stopped on ${line?.name ?? lineId}; start it again with the same number to resume`);
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) setSession(null);
    toast(`Order not stopped: ${messageOf(err)}`);
  } finally {
    button.disabled = false;
  }
}

/**
 * The product choices, the line's current product chosen: most orders continue what runs.
 * @param {LineView | undefined} line
 */
function fillProducts(line) {
  $('order-product', HTMLSelectElement).replaceChildren(
    new Option('No product', NONE),
    ...model.products.map((p) => new Option(p.name, p.id, false, p.id === line?.product?.id)),
  );
}

function openStartDialog() {
  const lines = [...model.lines.values()];
  // The line on screen first: that is the line the user means.
  const line = currentLine();
  if (line === undefined) return;
  $('order-error').textContent = '';
  const lineSelect = $('order-line', HTMLSelectElement);
  lineSelect.replaceChildren(...lines.map((l) => new Option(l.name, l.id, false, l.id === line.id)));
  $('order-line-row').hidden = lines.length < 2;
  fillProducts(line);
  $('order-product-row').hidden = model.products.length === 0;
  for (const id of ['order-id', 'order-quantity', 'order-due']) $(id, HTMLInputElement).value = '';
  $('order-dialog', HTMLDialogElement).showModal();
  $('order-id').focus();
}

/** @returns {api.OrderRequest | string} the request, or what is wrong with the form */
function readForm() {
  const id = $('order-id', HTMLInputElement).value.trim();
  const product = $('order-product', HTMLSelectElement).value;
  const quantity = $('order-quantity', HTMLInputElement).value.trim();
  const dueText = $('order-due', HTMLInputElement).value;
  const due = dueText === '' ? undefined : plantTimeToIso(dueText, model.timezone);
  if (dueText !== '' && due === undefined) return 'The due time is not a date and time';
  return {
    id,
    ...(product !== NONE ? { product } : {}),
    // Left empty: resume a stopped order; the server says so if the order is new.
    ...(quantity !== '' ? { quantity: Number(quantity) } : {}),
    ...(due !== undefined ? { due } : {}),
  };
}

/** @param {SubmitEvent} event */
async function onStart(event) {
  event.preventDefault();
  const lineId = $('order-line', HTMLSelectElement).value;
  const line = model.lines.get(lineId);
  const request = readForm();
  const error = $('order-error');
  if (typeof request === 'string') {
    error.textContent = request;
    return;
  }
  const submit = $('order-submit', HTMLButtonElement);
  submit.disabled = true;
  try {
    const { order } = await api.startOrder(lineId, request, claimedName());
    $('order-dialog', HTMLDialogElement).close();
    toast(`Order ${order.id} runs on ${line?.name ?? lineId}`);
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) setSession(null);
    // The dialog stays open with what was typed: the message says what to change.
    const message = messageOf(err);
    error.textContent = message;
    toast(`Order not started: ${message}`);
  } finally {
    submit.disabled = false;
  }
}

export function setupOrders() {
  $('order-start').addEventListener('click', openStartDialog);
  $('order-line').addEventListener('change', () =>
    fillProducts(model.lines.get($('order-line', HTMLSelectElement).value)),
  );
  $('order-cancel').addEventListener('click', () => $('order-dialog', HTMLDialogElement).close());
  $('order-form').addEventListener('submit', onStart);
}
