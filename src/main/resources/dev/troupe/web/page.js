// troupe's live page: follows the sections the server sends as the run goes (server-sent events), and posts the
// page's actions with the token the page was served with. No framework, nothing fetched from elsewhere.
(() => {
  'use strict';
  const token = document.querySelector('meta[name="troupe-token"]').content;
  const notice = document.getElementById('notice');
  const connection = document.getElementById('connection');

  function say(text, ok) {
    notice.textContent = text;
    notice.className = ok ? 'ok' : 'bad';
  }

  // Replaces a section's HTML, keeping which of its folds the reader opened or closed.
  function replace(element, html) {
    const folds = new Map();
    element.querySelectorAll('details[id]').forEach(d => folds.set(d.id, d.open));
    element.innerHTML = html;
    element.querySelectorAll('details[id]').forEach(d => {
      if (folds.has(d.id)) d.open = folds.get(d.id);
    });
  }

  const live = document.body.dataset.live;
  if (live) {
    const source = new EventSource(live);
    source.addEventListener('open', () => { connection.textContent = 'live'; connection.className = 'ok'; });
    source.addEventListener('error', () => {
      // The browser tries again by itself; once it gives up (troupe stopped serving, or the token is gone), say so.
      const closed = source.readyState === EventSource.CLOSED;
      connection.textContent = closed ? 'troupe stopped serving this page: reload it to try again' : 'reconnecting…';
      connection.className = 'bad';
    });
    source.addEventListener('sections', event => {
      const sections = JSON.parse(event.data);
      for (const [id, section] of Object.entries(sections)) {
        const element = document.getElementById(id);
        if (!element || element.dataset.hash === section.hash) continue;
        replace(element, section.html);
        element.dataset.hash = section.hash;
      }
      document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    });
    source.addEventListener('problem', event => say(event.data, false));
  }

  document.addEventListener('submit', async event => {
    const form = event.target.closest('form[data-post]');
    if (!form) return;
    event.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    const request = {};
    new FormData(form).forEach((value, name) => { request[name] = value; });
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const response = await fetch(form.dataset.post, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {'Content-Type': 'application/json', 'X-Troupe-Token': token},
        body: JSON.stringify(request),
      });
      const json = (response.headers.get('Content-Type') || '').startsWith('application/json');
      const answer = json ? await response.json()
        : {ok: false, message: 'troupe answered ' + response.status + ': ' + (await response.text()).trim()};
      say(answer.message, answer.ok);
      if (answer.ok) form.querySelectorAll('textarea').forEach(t => { t.value = ''; });
    } catch (error) {
      say('troupe did not answer: ' + error, false);
    } finally {
      button.disabled = false;
    }
  });
})();
