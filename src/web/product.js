// @ts-check
// The product the line on screen runs, in the header: a chip with the product's name, which a login allowed
// to set the product (operator, supervisor, engineer) taps to choose another one.
import * as api from './actions.js';
import { $ } from './dom.js';
import { claimedName } from './login.js';
import { currentLine, model, ui } from './page-state.js';
import { messageOf, toast } from './toast.js';

/** @import { LineView } from '../server/view-model.js' */

const NONE = '';

/** @param {LineView | undefined} line */
export function renderProductChip(line) {
  const chip = $('line-product', HTMLButtonElement);
  chip.hidden = model.products.length === 0 || line === undefined;
  chip.textContent = line?.product?.name ?? 'No product set';
  const allowed = ui.permissions.includes('setProduct');
  chip.disabled = !allowed;
  chip.title = allowed ? 'Change the product this line runs' : 'The product this line runs';
}

function openProductDialog() {
  const line = currentLine();
  if (line === undefined) return;
  $('product-line').textContent = line.name;
  $('product-error').textContent = '';
  const select = $('product-select', HTMLSelectElement);
  select.replaceChildren(
    new Option('No product', NONE),
    ...model.products.map((p) => new Option(p.name, p.id, false, p.id === line.product?.id)),
  );
  $('product-dialog', HTMLDialogElement).showModal();
  select.focus();
}

export function setupProduct() {
  $('line-product').addEventListener('click', openProductDialog);
  $('product-cancel').addEventListener('click', () => $('product-dialog', HTMLDialogElement).close());
  $('product-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    // The line the dialog was opened for is still the one on screen: the dialog is modal.
    const line = currentLine();
    if (line === undefined) return;
    const value = $('product-select', HTMLSelectElement).value;
    try {
      await api.setProduct(line.id, value === NONE ? null : value, claimedName());
      $('product-dialog', HTMLDialogElement).close();
      const name = model.products.find((p) => p.id === value)?.name;
      toast(name === undefined ? `${line.name}: no product set` : `${line.name} now runs ${name}`);
    } catch (error) {
      $('product-error').textContent = messageOf(error);
    }
  });
}
