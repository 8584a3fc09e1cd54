// The dashboard shell: hash routes to pages, the admin-token form, the config banner, and live events handed to the visible page.
import { getJson, onUnauthorized, setToken } from './api.js';
import { h, replace } from './dom.js';
import { connectLive } from './live.js';
import { mountAgents } from './pages/agents.js';
import { mountBlocked } from './pages/blocked.js';
import { mountCalls } from './pages/calls.js';
import { configErrors, mountConfig } from './pages/config.js';
import { mountOutbound } from './pages/outbound.js';
import { mountOverview } from './pages/overview.js';
import { mountServers } from './pages/servers.js';

/** Each page: `mount(root) → {refresh(), events: [types that change it], onEvent?(type, data)}`. */
const PAGES = {
  overview: mountOverview,
  servers: mountServers,
  agents: mountAgents,
  calls: mountCalls,
  outbound: mountOutbound,
  blocked: mountBlocked,
  config: mountConfig,
};

const root = document.getElementById('page');
const banner = document.getElementById('banner');
const liveStatus = document.querySelector('[data-testid="live-status"]');
let current = null;
let refreshTimer = null;

function route() {
  const [name, query] = location.hash.replace(/^#\/?/, '').split('?');
  return {
    name: name && name in PAGES ? name : 'overview',
    params: new URLSearchParams(query ?? ''),
  };
}

function show() {
  const { name, params } = route();
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.route === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `Airlock · ${document.querySelector(`nav a[data-route="${name}"]`)?.textContent}`;
  replace(root);
  root.dataset.page = name;
  current = PAGES[name](root, params);
  refreshCurrent();
}

async function refreshCurrent() {
  const page = current;
  if (!page) return;
  try {
    await page.refresh();
    root.querySelector('.load-error')?.remove();
  } catch (error) {
    if (page !== current || error?.code === 'UNAUTHORIZED') return;
    root.querySelector('.load-error')?.remove();
    root.prepend(
      h(
        'p',
        { class: 'load-error', role: 'alert', 'data-testid': 'load-error' },
        `Could not load: ${error.message}`,
      ),
    );
  }
}

/** Bursts of events (a busy server) cost one reload of the page's data. */
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    refreshCurrent();
  }, 250);
}

async function refreshBanner() {
  try {
    const errors = configErrors(await getJson('/api/config'));
    banner.hidden = errors.length === 0;
    replace(
      banner,
      errors.length === 0
        ? ''
        : [
            h('strong', {}, 'The last config reload failed; the last good config keeps serving. '),
            errors.join(' · '),
          ],
    );
  } catch {
    // The page itself reports load errors; the banner stays as it was.
  }
}

function onEvent(type, data) {
  if (type === 'config') refreshBanner();
  if (!current) return;
  if (current.onEvent) current.onEvent(type, data);
  if (current.events.includes(type)) scheduleRefresh();
}

function setLiveStatus(state) {
  liveStatus.dataset.state = state;
  liveStatus.textContent = {
    live: '● live',
    connecting: 'connecting…',
    offline: 'offline, retrying',
  }[state];
}

let stopLive = null;
function startLive() {
  stopLive?.();
  stopLive = connectLive({ onEvent, onStatus: setLiveStatus });
}

const dialog = document.getElementById('token-dialog');
onUnauthorized(() => {
  if (!dialog.open) dialog.showModal();
});
document.getElementById('token-form').addEventListener('submit', () => {
  const input = document.getElementById('token-input');
  setToken(input.value.trim());
  input.value = '';
  startLive();
  refreshBanner();
  refreshCurrent();
});

window.addEventListener('hashchange', show);
show();
refreshBanner();
startLive();
