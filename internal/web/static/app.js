// chainfix serve's page. It gathers what the admin gives, sends it to the
// chainfix program on this computer (the API of internal/web) and draws the
// answers. Every decision about a chain is the server's: this file only
// shows what it says. Text from certificates is always set as text, never
// as HTML.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const DAY = 86400000;
  const EXPIRING_DAYS = 30;

  // The token came in the address; the server now keeps it in a cookie
  // this script cannot read. Take it out of the address bar and history.
  if (location.search) history.replaceState(null, '', '/');

  const state = { files: [], certs: [], details: {}, at: null, bulk: null };

  // el makes an element; children are nodes or strings (set as text).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) {
      if (c !== null && c !== undefined) e.append(c);
    }
    return e;
  }

  function setStatus(id, text, isError) {
    const s = $(id);
    s.textContent = text;
    s.classList.toggle('error', !!isError);
  }

  function size(n) {
    if (n < 1024) return n + ' bytes';
    if (n < 1 << 20) return (n / 1024).toFixed(1) + ' KiB';
    return (n / (1 << 20)).toFixed(1) + ' MiB';
  }

  // ---- inputs -------------------------------------------------------------

  function addFiles(list) {
    for (const f of list) state.files.push(f);
    renderFiles();
  }

  function renderFiles() {
    const ul = $('file-list');
    ul.replaceChildren();
    state.files.forEach((f, i) => {
      ul.append(el('li', {},
        el('span', {}, f.name + ' (' + size(f.size) + ')'),
        el('button', { type: 'button', 'aria-label': 'Remove ' + f.name, onclick: () => { state.files.splice(i, 1); renderFiles(); } }, 'Remove')));
    });
  }

  const drop = $('drop');
  const fileInput = $('files');
  fileInput.addEventListener('change', () => { addFiles(fileInput.files); fileInput.value = ''; });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files.length) addFiles(e.dataTransfer.files);
  });
  // Files pasted anywhere on the page (copied in a file manager) are added.
  document.addEventListener('paste', (e) => {
    if (e.clipboardData && e.clipboardData.files.length && e.target.tagName !== 'TEXTAREA') {
      e.preventDefault();
      addFiles(e.clipboardData.files);
    }
  });

  // chainForm is the chain the admin gave: the host, or the files and the
  // pasted text; the key file; the input password under passwordField.
  function chainForm(passwordField) {
    const fd = new FormData();
    const host = $('host').value.trim();
    const pasted = $('paste').value.trim();
    if (host) {
      fd.append('host', host);
      const sni = $('sni').value.trim();
      if (sni) fd.append('servername', sni);
    } else {
      for (const f of state.files) fd.append('file', f, f.name);
      if (pasted) fd.append('file', new Blob([pasted + '\n'], { type: 'text/plain' }), 'pasted.pem');
      if (!state.files.length && !pasted) return null;
    }
    const key = $('key').files[0];
    if (key) fd.append('key', key, key.name);
    const pw = $('password').value;
    if (pw && passwordField) fd.append(passwordField, pw);
    return fd;
  }

  // post sends a form; a failure becomes an Error with the server's words.
  async function post(path, fd, method) {
    let res;
    try {
      res = await fetch(path, { method: method || 'POST', body: fd, credentials: 'same-origin', cache: 'no-store' });
    } catch (e) {
      throw new Error('chainfix serve does not answer: is it still running?');
    }
    if (!res.ok) {
      let msg = res.status + ' ' + res.statusText;
      try {
        const j = await res.json();
        if (j.error) msg = j.error;
      } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return res;
  }

  // ---- diagnosis ----------------------------------------------------------

  $('input-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const fd = chainForm('password');
    if (!fd) {
      setStatus('status', 'Give files, paste PEM text or type a host first.', true);
      return;
    }
    const target = $('for').value;
    if (target) fd.append('for', target);
    for (const n of $('names').value.split(/[\s,]+/)) {
      if (n) fd.append('name', n);
    }
    const button = $('diagnose');
    button.disabled = true;
    setStatus('status', 'Diagnosing…');
    try {
      const res = await post('/api/diagnose', fd);
      const d = await res.json();
      render(d);
      setStatus('status', d.check.ok ? 'Done: no problem found.' : 'Done: problems found, see below.');
      $('result').scrollIntoView({ block: 'start' });
    } catch (err) {
      setStatus('status', err.message, true);
    } finally {
      button.disabled = false;
    }
  });

  $('clear').addEventListener('click', () => {
    state.files = [];
    renderFiles();
    for (const id of ['paste', 'password', 'host', 'sni', 'names']) $(id).value = '';
    $('key').value = '';
    $('for').value = '';
    $('result').hidden = true;
    $('downloads').hidden = true;
    setStatus('status', 'Cleared.');
  });

  const SEVERITIES = [['error', 'Errors'], ['warning', 'Warnings'], ['info', 'Information']];

  function render(d) {
    const rep = d.check;
    state.at = new Date(d.at);
    state.details = d.details || {};
    const verdict = $('verdict');
    verdict.className = 'verdict ' + (rep.ok ? 'ok' : 'bad');
    let v = (rep.ok ? 'No problem found in ' : 'Problems found in ') + rep.target;
    if (rep.address) v += ' (' + rep.address + ', ' + rep.tls_version + ')';
    if (rep.chain && rep.chain.length) v += rep.trusted ? '. The repaired chain reaches a trusted root.' : '. The chain reaches no trusted root.';
    verdict.textContent = v;

    const box = $('findings');
    box.replaceChildren();
    for (const [sev, title] of SEVERITIES) {
      const fs = rep.findings.filter((f) => f.severity === sev);
      if (!fs.length) continue;
      const group = el('section', { class: 'group', 'aria-label': title }, el('h3', {}, title + ' (' + fs.length + ')'));
      for (const f of fs) {
        group.append(el('div', { class: 'finding ' + sev },
          el('p', {}, f.message),
          f.fix ? el('p', { class: 'fix' }, f.fix) : null,
          el('p', { class: 'id' }, f.id + (f.subject ? ' · ' + f.subject : ''))));
      }
      box.append(group);
    }

    const chain = rep.chain && rep.chain.length ? rep.chain : [];
    state.certs = chain;
    const ol = $('chain');
    ol.replaceChildren();
    chain.forEach((c, i) => ol.append(certItem(c, role(chain, i), i)));
    if (!chain.length) ol.append(el('li', {}, 'No chain could be built; see the findings.'));

    const given = $('given');
    given.replaceChildren();
    (rep.served || []).forEach((c) => given.append(el('li', {}, c.subject + ', issued by ' + c.issuer)));
    $('given-count').textContent = String((rep.served || []).length);

    const sum = $('summary');
    sum.replaceChildren();
    for (const line of d.summary) sum.append(el('li', {}, line));
    if (!d.summary.length) sum.append(el('li', {}, 'Nothing: no chain was built.'));

    $('result').hidden = false;
    $('downloads').hidden = !chain.length;
  }

  // role names a certificate's place on the path the server chose; the
  // server says which one is self-signed.
  function role(chain, i) {
    if (i === 0) return 'Leaf';
    const d = state.details[chain[i].sha256];
    if (i === chain.length - 1 && d && d.self_signed) return 'Root';
    return 'Intermediate';
  }

  function certItem(c, roleName, i) {
    const nb = new Date(c.not_before), na = new Date(c.not_after), at = state.at;
    const total = Math.max(na - nb, 1);
    const elapsed = Math.min(Math.max(at - nb, 0), total);
    const days = Math.floor((na - at) / DAY);
    let cls = '', daysText;
    if (days < 0) { cls = 'expired'; daysText = 'expired ' + -days + ' days ago'; }
    else { if (days < EXPIRING_DAYS) cls = 'expiring'; daysText = days + ' days left'; }
    const fill = el('div', { class: 'fill ' + cls });
    fill.style.width = (100 * elapsed / total).toFixed(1) + '%';
    const bar = el('div', { class: 'bar', role: 'img', 'aria-label': 'Validity ' + ymd(nb) + ' to ' + ymd(na) + ', ' + daysText }, fill);
    return el('li', {},
      el('div', { class: 'role' }, roleName),
      el('div', { class: 'name' }, c.subject),
      el('div', { class: 'meta' },
        el('span', {}, 'issued by ' + c.issuer),
        el('span', {}, ymd(nb) + ' to ' + ymd(na)),
        el('span', { class: 'days ' + cls }, daysText)),
      bar,
      el('button', { type: 'button', onclick: () => showDetails(i) }, 'Details of ' + roleName.toLowerCase()));
  }

  function ymd(d) { return d.toISOString().slice(0, 10); }

  // ---- certificate details --------------------------------------------------

  // showDetails shows everything inspect shows of a certificate of the
  // chain (the server's details, by SHA-256), or the check report's fields.
  let detailsCert = null;
  function showDetails(i) {
    const c = state.certs[i];
    const d = state.details[c.sha256];
    detailsCert = c;
    const dl = $('details-list');
    dl.replaceChildren();
    const join = (xs) => (xs || []).join(', ');
    const oids = (xs) => (xs || []).map((o) => (o.name ? o.name + ' (' + o.oid + ')' : o.oid)).join(', ');
    let rows;
    if (d) {
      const sans = [].concat((d.dns_names || []).map((n) => 'DNS:' + n), (d.ip_addresses || []).map((n) => 'IP:' + n),
        (d.emails || []).map((n) => 'email:' + n), (d.uris || []).map((n) => 'URI:' + n));
      const key = d.public_key;
      rows = [
        ['Subject', d.subject], ['Issuer', d.issuer], ['Serial', d.serial],
        ['Valid from', d.not_before], ['Valid until', d.not_after + (d.days_left < 0 ? ' (expired ' + -d.days_left + ' days ago)' : ' (' + d.days_left + ' days left)')],
        ['Subject alternative names', sans.join(', ')],
        ['Public key', key.type + (key.curve ? ' ' + key.curve : '') + (key.bits ? ' (' + key.bits + ' bits)' : '')],
        ['Signature', d.signature_algorithm], ['Key usage', join(d.key_usage)], ['Extended key usage', oids(d.ext_key_usage)],
        ['Basic constraints', d.basic_constraints], ['Subject key id', d.subject_key_id], ['Authority key id', d.authority_key_id],
        ['AIA caIssuers', join(d.ca_issuers)], ['AIA OCSP', join(d.ocsp)], ['CRL', join(d.crl_distribution_points)],
        ['Policies', oids(d.policies) + (d.validation ? ' (' + d.validation + ')' : '')],
        ['Embedded SCTs', d.embedded_scts < 0 ? 'present but unreadable' : String(d.embedded_scts)],
        ['Self-signed', d.self_signed ? 'yes' : 'no'],
        ['SHA-1 thumbprint', d.sha1], ['SHA-256', d.sha256],
      ];
    } else {
      rows = [
        ['Subject', c.subject], ['Issuer', c.issuer], ['Serial (hex)', c.serial],
        ['Valid from', c.not_before], ['Valid until', c.not_after],
        ['DNS names', join(c.dns_names) || 'none'], ['CA', c.is_ca ? 'yes' : 'no'],
        ['SHA-1 thumbprint', c.sha1], ['SHA-256', c.sha256],
      ];
    }
    for (const [k, v] of rows) {
      if (!v) continue;
      const mono = /^(SHA|Serial|Subject key|Authority key)/.test(k);
      dl.append(el('dt', {}, k), el('dd', { class: mono ? 'mono' : '' }, v));
    }
    $('details-h').textContent = c.subject;
    setStatus('copy-status', '');
    $('details').showModal();
  }
  $('details-close').addEventListener('click', () => $('details').close());
  $('copy-sha1').addEventListener('click', async () => {
    if (!detailsCert) return;
    try {
      await navigator.clipboard.writeText(detailsCert.sha1);
      setStatus('copy-status', 'Copied ' + detailsCert.sha1);
    } catch (e) {
      setStatus('copy-status', 'Copying is not allowed here; select the thumbprint above instead.', true);
    }
  });

  // ---- downloads ----------------------------------------------------------

  async function download(path, fd) {
    setStatus('dl-status', 'Preparing…');
    try {
      const res = await post(path, fd);
      const blob = await res.blob();
      const m = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
      const name = m ? m[1] : 'chainfix-download';
      const a = el('a', { href: URL.createObjectURL(blob), download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
      setStatus('dl-status', 'Downloaded ' + name + ' (' + size(blob.size) + ').');
    } catch (err) {
      setStatus('dl-status', err.message, true);
    }
  }

  function bundleForm(extra) {
    const fd = chainForm('password');
    if (!fd) { setStatus('dl-status', 'Give the chain first.', true); return null; }
    if ($('include-root').checked) fd.append('include_root', '1');
    for (const [k, v] of Object.entries(extra)) fd.append(k, v);
    return fd;
  }

  $('dl-pem').addEventListener('click', () => {
    const fd = bundleForm($('crlf').checked ? { crlf: '1' } : {});
    if (fd) download('/api/build', fd);
  });
  $('dl-chain').addEventListener('click', () => {
    const fd = bundleForm(Object.assign({ chain_only: '1' }, $('crlf').checked ? { crlf: '1' } : {}));
    if (fd) download('/api/build', fd);
  });
  $('dl-p7b').addEventListener('click', () => {
    const fd = bundleForm({ format: 'p7b' });
    if (fd) download('/api/build', fd);
  });
  $('dl-pfx').addEventListener('click', () => {
    const pw = $('pfx-password').value;
    if (!pw) { setStatus('dl-status', 'Type a password for the new PFX first.', true); $('pfx-password').focus(); return; }
    const fd = chainForm('in_password');
    if (!fd) { setStatus('dl-status', 'Give the chain first.', true); return; }
    fd.append('password', pw);
    fd.append('encryption', $('encryption').value);
    if ($('include-root').checked) fd.append('include_root', '1');
    download('/api/pfx', fd);
  });
  $('dl-zip').addEventListener('click', () => {
    const fd = bundleForm({ for: $('dl-target').value });
    if (!fd) return;
    const pw = $('target-password').value;
    if (pw) fd.append('out_password', pw);
    download('/api/build', fd);
  });

  // ---- explain ------------------------------------------------------------

  $('explain-btn').addEventListener('click', async () => {
    const out = $('explain-out');
    const text = $('explain-text').value.trim();
    if (!text) { out.replaceChildren(el('p', { class: 'status error' }, 'Paste an error message first.')); return; }
    const fd = new FormData();
    fd.append('text', text);
    out.replaceChildren(el('p', {}, 'Looking it up…'));
    try {
      const res = await post('/api/explain', fd);
      out.replaceChildren(...explainView(await res.json()));
    } catch (err) {
      out.replaceChildren(el('p', { class: 'status error' }, err.message));
    }
  });

  // explainView shows explain's answer: each client error found in the
  // text, what it means and the findings that cause it.
  function explainView(e) {
    if (!e.matches.length) {
      return [el('p', {}, 'No client error chainfix knows is in that text. Diagnose the chain or the host above to see what is wrong.')];
    }
    const nodes = e.matches.map((m) => el('div', { class: 'finding info' },
      el('p', {}, el('strong', {}, m.error), ' (' + m.client + ')'),
      el('p', {}, m.meaning),
      el('p', {}, 'Caused by: ' + m.ids.join(', ')),
      el('p', { class: 'id' }, 'Source: ' + m.source)));
    nodes.push(el('p', {}, 'To see which one it is, diagnose the chain or the host above (or run: ' + e.confirm + ').'));
    return nodes;
  }

  // ---- bulk ---------------------------------------------------------------

  $('bulk-start').addEventListener('click', async () => {
    const text = $('hosts').value.trim();
    if (!text) { setStatus('bulk-status', 'Paste a list of hosts first.', true); return; }
    const fd = new FormData();
    fd.append('hosts', text);
    let run;
    try {
      run = await (await post('/api/bulk', fd)).json();
    } catch (err) {
      setStatus('bulk-status', err.message, true);
      return;
    }
    if (state.bulk && state.bulk.es) state.bulk.es.close();
    state.bulk = { id: run.id, rows: new Map(), es: new EventSource(run.events) };
    const tbody = $('bulk-table').querySelector('tbody');
    tbody.replaceChildren();
    $('bulk-table').hidden = false;
    const prog = $('bulk-progress');
    prog.hidden = false;
    prog.max = run.total;
    prog.value = 0;
    $('bulk-start').disabled = true;
    $('bulk-cancel').disabled = false;
    for (const a of ['bulk-csv', 'bulk-json']) $(a).hidden = true;
    setStatus('bulk-status', 'Checking ' + run.total + ' hosts…');
    const es = state.bulk.es;
    es.addEventListener('result', (e) => addRow(JSON.parse(e.data)));
    es.addEventListener('progress', (e) => {
      const p = JSON.parse(e.data);
      prog.value = p.done;
      setStatus('bulk-status', p.done + ' of ' + p.total + ' checked' + (p.failed ? ', ' + p.failed + ' not OK' : '') + '…');
    });
    es.addEventListener('done', (e) => {
      const c = JSON.parse(e.data);
      es.close();
      $('bulk-start').disabled = false;
      $('bulk-cancel').disabled = true;
      let s = 'Done: ' + c.ok + ' OK, ' + c.problems + ' with problems, ' + c.failed + ' could not be checked';
      if (c.not_started) s += ', ' + c.not_started + ' not started (stopped)';
      setStatus('bulk-status', s + '.');
      $('bulk-csv').href = run.csv;
      $('bulk-json').href = run.json;
      for (const a of ['bulk-csv', 'bulk-json']) $(a).hidden = false;
    });
  });

  function addRow(r) {
    const rows = state.bulk.rows;
    if (rows.has(r.index)) return; // a reconnected stream starts again
    const tr = el('tr', {},
      el('th', { scope: 'row' }, r.job),
      el('td', { class: 'v-' + r.verdict }, r.verdict),
      el('td', {}, r.worst || '-'),
      el('td', {}, r.days_left === null || r.days_left === undefined ? '-' : String(r.days_left)),
      el('td', {}, r.message ? r.message + (r.fix ? ' Fix: ' + r.fix : '') : ''));
    rows.set(r.index, tr);
    $('bulk-table').querySelector('tbody').append(tr);
  }

  $('bulk-cancel').addEventListener('click', async () => {
    if (!state.bulk) return;
    $('bulk-cancel').disabled = true;
    try {
      await post('/api/bulk/' + state.bulk.id, null, 'DELETE');
      setStatus('bulk-status', 'Stopping: no new host is started; the ones running finish.');
    } catch (err) {
      setStatus('bulk-status', err.message, true);
    }
  });
})();
