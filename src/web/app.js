// @ts-check
// Lineside dashboard: wires the live connection, the model and the renderers. Rendering is
// batched per animation frame and only touches what changed (render-queue.js, render.js); charts
// redraw when their data changed, on resize, and every 30 s (so the "now" line and open spans move on).
import * as api from './actions.js';
import { $ } from './dom.js';
import { formatTime } from './format.js';
import { setConnection, setupLegend } from './header.js';
import { setupLineTabs } from './line-tabs.js';
import { connectLive } from './live.js';
import { setSession, setupLogin } from './login.js';
import { agentNow, applyDelta, applySnapshot } from './model.js';
import { model } from './page-state.js';
import { tickDowntime } from './panels.js';
import { setupOrders } from './order.js';
import { setupProduct } from './product.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { render } from './render.js';
import { invalidate, setRenderer } from './render-queue.js';
import { setupScrap } from './scrap.js';
import { cycleChartLoaded, loadCycleChart, reloadCycleChart } from './selected-station.js';
import { tickTiles } from './tiles.js';

/** @import { Live } from './live.js' */

/** @type {Live | null} */
let live = null;

function start() {
  setRenderer(render);
  setupLegend();
  setupLineTabs();
  setupLogin();
  setupProduct();
  setupOrders();
  setupScrap();
  api
    .session()
    .then(setSession)
    .catch(() => undefined);

  live = connectLive({
    onSnapshot(data) {
      if (data.protocol !== PROTOCOL_VERSION) {
        // The agent was upgraded: load the matching page.
        setTimeout(() => location.reload(), 1000);
        return;
      }
      const windowMoved = model.window.from !== data.window.from;
      applySnapshot(model, data);
      if (!cycleChartLoaded() || windowMoved) loadCycleChart();
      invalidate('all');
    },
    onDelta(delta) {
      if (!model.ready) return;
      const { changed, resync } = applyDelta(model, delta);
      if (resync) live?.resync();
      invalidate(...changed);
    },
    onStatus: setConnection,
    onAuthLost() {
      location.reload();
    },
  });

  setInterval(() => {
    const now = agentNow(model);
    $('clock').textContent = formatTime(now, model.timezone);
    if (!model.ready) return;
    tickTiles(now);
    tickDowntime(now);
  }, 1000);
  // The "now" line, open spans and the shift countdown move on.
  setInterval(() => invalidate('charts', 'lines'), 30_000);
  setInterval(loadCycleChart, 5 * 60_000);
  // Charts follow their boxes (a layout change that is not a window resize: fonts, lists).
  const observer = new window.ResizeObserver(() => invalidate('stations', 'charts'));
  for (const id of ['gantt', 'cycles', 'pareto']) observer.observe($(id));
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      reloadCycleChart();
      invalidate('all');
    }, 200);
  });
}

start();
