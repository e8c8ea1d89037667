import { createHash } from 'node:crypto';

/**
 * The status page's only script, inlined and allowed by its hash (CSP): it follows /events and
 * updates the page in place. Every text from the server goes in through textContent, never as HTML.
 */
export const STATUS_PAGE_SCRIPT = `(() => {
  if (!('EventSource' in window)) return;
  const SYMBOL = { OK: '\\u2714', Unknown: '?', Warning: '!', Critical: '\\u2716' };
  const badge = (status) => {
    const b = document.createElement('span');
    b.className = 'badge s-' + status;
    b.textContent = (SYMBOL[status] || '?') + ' ' + status;
    return b;
  };
  const header = document.querySelector('header.host');
  const refreshHost = () =>
    fetch('/', { headers: { accept: 'application/json' } })
      .then((r) => r.json())
      .then((s) => {
        header.className = 'host s-' + s.status;
        header.querySelector('.hoststatus').replaceChildren(badge(s.status));
        header.querySelector('.msg').textContent = s.message;
        document.title = s.status + ' \\u00b7 ' + document.title.split(' \\u00b7 ').slice(1).join(' \\u00b7 ');
      })
      .catch(() => undefined);
  const updateCheck = (e) => {
    const row = [...document.querySelectorAll('li.check')].find((li) => li.dataset.id === e.check);
    if (!row) return;
    row.className = 'check s-' + e.to;
    row.querySelector('.head .badge').replaceWith(badge(e.to));
    row.querySelector('.msg').textContent = e.message;
  };
  const addTransition = (e) => {
    let list = document.querySelector('ul.recent');
    if (!list) {
      list = document.createElement('ul');
      list.className = 'recent';
      document.querySelector('#recent').replaceChildren(list);
    }
    const li = document.createElement('li');
    const when = document.createElement('time');
    when.dateTime = e.at;
    when.textContent = 'just now';
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = e.check === null ? 'host' : e.check;
    const msg = document.createElement('span');
    msg.className = 'msg';
    msg.textContent = e.message;
    li.append(when, ' ', who, ' ', badge(e.from), ' \\u2192 ', badge(e.to), ' ', msg);
    li.dataset.index = String(e.index);
    list.prepend(li);
    while (list.children.length > 20) list.lastElementChild.remove();
  };
  const stream = new EventSource('/events');
  stream.addEventListener('transition', (ev) => {
    const e = JSON.parse(ev.data);
    if (e.check !== null) updateCheck(e);
    addTransition(e);
    refreshHost();
    document.querySelector('#updated').textContent = new Date().toISOString();
  });
  document.querySelector('#live').textContent = 'updates live';
})();`;

/** The CSP source allowing exactly that script. */
export const STATUS_PAGE_SCRIPT_HASH = `'sha256-${createHash('sha256').update(STATUS_PAGE_SCRIPT).digest('base64')}'`;
