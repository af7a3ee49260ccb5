/*
 * handoff console: the incidents list, an incident's page and the fleet view, drawn in the browser.
 * Live (handoff run, handoff demo --serve) it reads api/...; in an offline report the same data sits in
 * the script element #handoff-data and nothing is fetched. Heatmaps are SVG drawn here: no library.
 */
(function () {
  'use strict';

  var dataEl = document.getElementById('handoff-data');
  var REPORT = dataEl ? JSON.parse(dataEl.textContent) : null;
  var SVG = 'http://www.w3.org/2000/svg';
  var POLL_MS = 5000;

  // one colour per root cause, in taxonomy order (RootCause.avsc)
  var PALETTE = ['#d97706', '#7c3aed', '#dc2626', '#64748b', '#2563eb', '#0891b2', '#0d9488',
    '#db2777', '#9333ea', '#b91c1c', '#ea580c', '#a16207', '#4d7c0f', '#57534e', '#9ca3af'];
  var causes = [];
  function colour(cause) {
    var i = causes.indexOf(cause);
    return i < 0 ? '#9ca3af' : PALETTE[i % PALETTE.length];
  }
  function learnCauses(list) {
    if (list && list.length) { causes = list; }
  }

  // ------------------------------------------------------------------ DOM helpers

  function el(tag, attrs) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    for (var i = 2; i < arguments.length; i++) { add(e, arguments[i]); }
    return e;
  }
  function sv(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    setAttrs(e, attrs);
    for (var i = 2; i < arguments.length; i++) { add(e, arguments[i]); }
    return e;
  }
  function setAttrs(e, attrs) {
    if (!attrs) { return; }
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) { return; }
      if (k === 'text') { e.textContent = v; } else if (k === 'onclick') { e.addEventListener('click', v); } else { e.setAttribute(k, v); }
    });
  }
  function add(e, child) {
    if (child === null || child === undefined || child === false) { return; }
    if (Array.isArray(child)) { child.forEach(function (c) { add(e, c); }); return; }
    e.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  function chip(cause) {
    var c = el('span', { 'class': 'chip', 'data-testid': 'root-cause', text: cause });
    c.style.background = colour(cause);
    return c;
  }
  function badge(status) {
    return el('span', { 'class': 'badge ' + status, 'data-testid': 'status', text: status });
  }
  function time(iso) {
    if (!iso) { return ''; }
    return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, 'Z');
  }
  function counts(map) {
    var keys = Object.keys(map || {}).sort();
    if (!keys.length) { return 'none in the access log'; }
    return keys.map(function (k) { return map[k] + '\u00d7' + k; }).join(' ');
  }
  function pct(x) { return Math.round(x * 100) + '%'; }
  function app() { return document.getElementById('app'); }
  function show(node) {
    var a = app();
    while (a.firstChild) { a.removeChild(a.firstChild); }
    add(a, node);
  }
  function failure(err) {
    show(el('div', { 'class': 'error', 'data-testid': 'error', text: 'Could not load: ' + err.message }));
  }

  // ------------------------------------------------------------------ data

  function api(path) {
    return fetch(path, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) {
        return r.text().then(function (t) { throw new Error(path + ' answered ' + r.status + ': ' + t); });
      }
      return r.json();
    });
  }
  function matches(i, f) {
    return (!f.host || i.host === f.host) && (!f.fleet || i.fleet === f.fleet) && (!f.root_cause || i.root_cause === f.root_cause);
  }
  function loadIncidents(f) {
    if (REPORT) {
      var hit = REPORT.incidents.filter(function (i) { return matches(i, f); });
      return Promise.resolve({
        open: hit.filter(function (i) { return i.status === 'OPEN'; }),
        closed: hit.filter(function (i) { return i.status !== 'OPEN'; }),
        hosts: REPORT.hosts, fleets: REPORT.fleets, causes_seen: REPORT.causes_seen, root_causes: REPORT.root_causes
      });
    }
    var q = Object.keys(f).filter(function (k) { return f[k]; })
      .map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(f[k]); }).join('&');
    return api('api/incidents' + (q ? '?' + q : ''));
  }
  function loadIncident(id) {
    if (REPORT) {
      var found = REPORT.incidents.filter(function (i) { return i.id === id; })[0];
      return found ? Promise.resolve(found) : Promise.reject(new Error('no incident ' + id + ' in this report'));
    }
    return api('api/incidents/' + encodeURIComponent(id));
  }
  function loadFleet() {
    if (REPORT) {
      return Promise.resolve({ fleet_incidents: REPORT.fleet_incidents, marks: REPORT.marks, root_causes: REPORT.root_causes });
    }
    return api('api/fleet');
  }

  // ------------------------------------------------------------------ routing

  function parseHash() {
    var h = location.hash.replace(/^#/, '') || '/';
    var qi = h.indexOf('?');
    var path = qi < 0 ? h : h.substring(0, qi);
    var query = {};
    if (qi >= 0) {
      h.substring(qi + 1).split('&').forEach(function (p) {
        if (!p) { return; }
        var eq = p.indexOf('=');
        query[decodeURIComponent(eq < 0 ? p : p.substring(0, eq))] = eq < 0 ? '' : decodeURIComponent(p.substring(eq + 1));
      });
    }
    return { path: path, query: query };
  }
  function filterHash(f) {
    var q = ['host', 'fleet', 'root_cause'].filter(function (k) { return f[k]; })
      .map(function (k) { return k + '=' + encodeURIComponent(f[k]); }).join('&');
    return '#/' + (q ? '?' + q : '');
  }
  function incidentHash(id) { return '#/incident/' + encodeURIComponent(id); }

  var timer = null;
  var shownVersion = null;
  function poll(fn) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (!REPORT && fn) { timer = setTimeout(fn, POLL_MS); }
  }

  function route() {
    var r = parseHash();
    document.getElementById('nav-incidents').className = r.path.indexOf('/fleet') === 0 ? '' : 'active';
    document.getElementById('nav-fleet').className = r.path.indexOf('/fleet') === 0 ? 'active' : '';
    shownVersion = null;
    if (r.path.indexOf('/incident/') === 0) {
      incidentPage(decodeURIComponent(r.path.substring('/incident/'.length)));
    } else if (r.path.indexOf('/fleet') === 0) {
      fleetPage();
    } else {
      listPage({ host: r.query.host || '', fleet: r.query.fleet || '', root_cause: r.query.root_cause || '' });
    }
  }

  // ------------------------------------------------------------------ incidents list

  function listPage(f) {
    loadIncidents(f).then(function (d) {
      learnCauses(d.root_causes);
      if (shownVersion === null || d.version !== shownVersion) {
        shownVersion = d.version;
        show([
          el('h1', { text: 'Incidents' }),
          filters(f, d),
          el('h2', { text: 'Open (' + d.open.length + ')' }),
          d.open.length ? table(d.open, 'open-incidents') :
            el('div', { 'class': 'empty', 'data-testid': 'no-open', text: 'No incident is open' + (anyFilter(f) ? ' that matches the filters.' : '.') }),
          el('h2', { text: 'Recent closed (' + (d.closed_matching !== undefined ? d.closed_matching : d.closed.length) + ')' }),
          d.closed.length ? table(d.closed, 'closed-incidents') :
            el('div', { 'class': 'empty', 'data-testid': 'no-closed', text: 'No closed incident' + (anyFilter(f) ? ' matches the filters.' : ' yet.') })
        ]);
      }
      poll(function () { if (parseHash().path === '/') { listPage(f); } });
    }).catch(function (e) { failure(e); poll(function () { listPage(f); }); });
  }
  function anyFilter(f) { return !!(f.host || f.fleet || f.root_cause); }
  function filters(f, d) {
    function select(name, label, values) {
      var s = el('select', { name: name, 'data-testid': 'filter-' + name }, el('option', { value: '', text: 'any' }));
      values.forEach(function (v) {
        var o = el('option', { value: v, text: v });
        if (v === f[name]) { o.selected = true; }
        s.appendChild(o);
      });
      if (f[name] && values.indexOf(f[name]) < 0) {
        var o = el('option', { value: f[name], text: f[name] });
        o.selected = true;
        s.appendChild(o);
      }
      s.addEventListener('change', function () {
        var next = { host: f.host, fleet: f.fleet, root_cause: f.root_cause };
        next[name] = s.value;
        location.hash = filterHash(next);
      });
      return el('label', null, label, s);
    }
    return el('div', { 'class': 'filters' },
      select('host', 'host', d.hosts || []),
      select('fleet', 'fleet', d.fleets || []),
      select('root_cause', 'root cause', d.causes_seen || []),
      anyFilter(f) ? el('button', { 'data-testid': 'clear-filters', text: 'clear filters', onclick: function () { location.hash = '#/'; } }) : null);
  }
  function table(list, testid) {
    var head = el('tr', null, ['started (UTC)', 'host', 'fleet', 'root cause', 'status', 'gateway errors', 'requests', 'confidence', 'culprit']
      .map(function (h, n) { return el('th', { 'class': n === 5 || n === 6 || n === 7 ? 'num' : null, text: h }); }));
    var rows = list.map(function (i) {
      var tr = el('tr', { 'class': 'row', 'data-testid': 'incident-row', 'data-id': i.id },
        el('td', { 'class': 'time', text: time(i.started_at) }),
        el('td', null, el('a', { href: incidentHash(i.id), 'data-testid': 'incident-link', text: i.host })),
        el('td', { text: i.fleet }),
        el('td', null, chip(i.root_cause)),
        el('td', null, badge(i.status)),
        el('td', { 'class': 'num', text: counts(i.status_counts) }),
        el('td', { 'class': 'num', text: i.total_requests }),
        el('td', { 'class': 'num', text: pct(i.confidence) }),
        el('td', { text: i.culprit }));
      tr.addEventListener('click', function (ev) { if (ev.target.tagName !== 'A') { location.hash = incidentHash(i.id); } });
      return tr;
    });
    return el('table', { 'data-testid': testid }, el('thead', null, head), el('tbody', null, rows));
  }

  // ------------------------------------------------------------------ one incident

  function incidentPage(id) {
    loadIncident(id).then(function (i) {
      learnCauses(REPORT ? REPORT.root_causes : null);
      if (!causes.length) {
        return api('api/fleet').then(function (d) { learnCauses(d.root_causes); drawIncident(i); });
      }
      drawIncident(i);
      return null;
    }).catch(failure);
  }
  function drawIncident(i) {
    var key = i.revision + i.status;
    if (shownVersion !== key) {
      shownVersion = key;
      var dur = (Date.parse(i.ended_at) - Date.parse(i.started_at)) / 1000;
      var facts = el('dl', { 'class': 'facts', 'data-testid': 'facts' },
        fact('host', el('a', { href: filterHash({ host: i.host }), text: i.host })),
        fact('fleet', el('a', { href: filterHash({ fleet: i.fleet }), text: i.fleet })),
        fact('status', [badge(i.status), i.status === 'OPEN' ? ' provisional, revision ' + i.revision : ' final']),
        fact('started', time(i.started_at)),
        fact('ended', time(i.ended_at) + '  (' + dur + ' s)'),
        fact('gateway errors', el('span', { 'data-testid': 'counts', text: counts(i.status_counts) + ' of ' + i.total_requests + ' requests' })),
        fact('upstream errors by errno', counts(i.upstream_errors_by_errno)),
        fact('confidence', [el('span', { 'class': 'bar' }, bar(i.confidence)), el('span', { 'data-testid': 'confidence', text: pct(i.confidence) })]),
        fact('culprit', el('span', { 'data-testid': 'culprit', text: i.culprit || 'none named' })),
        fact('contributing causes', i.contributing_causes.length ? i.contributing_causes.map(chip) : 'none'),
        fact('evidence lines', i.evidence.length + ' shown of ' + i.evidence_total));
      show([
        el('p', null, el('a', { href: filterHash({}), text: '\u2190 all incidents' })),
        el('h1', { 'data-testid': 'incident-title' }, chip(i.root_cause), ' on ', i.host, ' ', badge(i.status)),
        el('p', { 'class': 'summary', 'data-testid': 'summary', text: i.summary }),
        el('div', { 'class': 'card' }, facts),
        el('h2', { text: 'Remedy' }),
        el('div', { 'class': 'card remedy', 'data-testid': 'remedy', text: i.remediation }),
        el('h2', { text: 'Causal chain' }),
        chain(i.causal_chain),
        el('h2', { text: 'Evidence' }),
        evidence(i.evidence)
      ]);
    }
    if (i.status === 'OPEN') {
      poll(function () { if (parseHash().path === '/incident/' + encodeURIComponent(i.id)) { incidentPage(i.id); } });
    } else {
      poll(null);
    }
  }
  function fact(name, value) { return [el('dt', { text: name }), el('dd', null, value)]; }
  function bar(x) {
    var s = el('span');
    s.style.width = Math.round(Math.max(0, Math.min(1, x)) * 100) + '%';
    return s;
  }
  function chain(steps) {
    if (!steps || !steps.length) {
      return el('div', { 'class': 'empty', 'data-testid': 'no-chain', text: 'This record carries no causal chain (it was written before chains existed).' });
    }
    return el('ol', { 'class': 'chain', 'data-testid': 'chain' }, steps.map(function (s) {
      var li = el('li', { 'data-testid': 'chain-step' },
        el('div', { 'class': 'step-head' },
          el('span', { 'class': 'kind', text: s.kind }),
          s.root_cause ? chip(s.root_cause) : null,
          el('span', { 'class': 'muted', text: time(s.at) + (s.count > 1 ? '  \u00b7  ' + s.count + ' lines' : '') })),
        el('div', { 'class': 'desc', text: s.description }),
        s.evidence ? el('pre', { 'class': 'line', text: s.evidence.source + ': ' + s.evidence.line }) : null);
      li.style.setProperty('--dot', s.root_cause ? colour(s.root_cause) : '#94a3b8');
      return li;
    }));
  }
  function evidence(list) {
    if (!list.length) { return el('div', { 'class': 'empty', text: 'No evidence lines.' }); }
    return el('table', { 'class': 'evidence', 'data-testid': 'evidence' },
      el('thead', null, el('tr', null, el('th', { text: 'time (UTC)' }), el('th', { text: 'source' }), el('th', { text: 'line' }), el('th', { text: 'signal' }))),
      el('tbody', null, list.map(function (e) {
        return el('tr', { 'data-testid': 'evidence-row' },
          el('td', { 'class': 'time', text: time(e.timestamp) }),
          el('td', { 'class': 'src', text: e.source }),
          el('td', { 'class': 'line', text: e.line }),
          el('td', { 'class': 'muted', text: e.signal || '' }));
      })));
  }

  // ------------------------------------------------------------------ fleet

  function fleetPage() {
    loadFleet().then(function (d) {
      learnCauses(d.root_causes);
      if (shownVersion === null || shownVersion !== d.version) {
        shownVersion = d.version;
        var marks = d.marks.map(function (m) {
          return { host: m[0], fleet: m[1], start: m[2], end: m[3], cause: m[4], errors: m[5], id: m[6] };
        });
        show([
          el('h1', { text: 'Fleet' }),
          legend(marks, d.fleet_incidents),
          el('h2', { text: 'Hosts \u00d7 time (UTC)' }),
          el('p', { 'class': 'muted', text: 'One row per host, grouped by fleet; a cell is coloured by the root cause with the most gateway errors in it. A spike on many hosts at once is a column; dotted lines are 00:00 UTC.' }),
          hostHeatmap(marks),
          el('h2', { text: 'Day \u00d7 time of day (UTC)' }),
          el('p', { 'class': 'muted', text: 'One row per day, one column per quarter hour; the darker, the more hosts. Something that happens every night at the same time is a stripe.' }),
          dayHeatmap(marks),
          el('h2', { text: 'Fleet incidents (' + d.fleet_incidents.length + ')' }),
          d.fleet_incidents.length ? el('div', { 'data-testid': 'fleet-incidents' }, d.fleet_incidents.map(fleetCard)) :
            el('div', { 'class': 'empty', 'data-testid': 'no-fleet', text: 'No fleet incident: no root cause has hit many hosts at once.' })
        ]);
      }
      poll(function () { if (parseHash().path.indexOf('/fleet') === 0) { fleetPage(); } });
    }).catch(function (e) { failure(e); poll(fleetPage); });
  }
  function legend(marks, fleet) {
    var seen = {};
    marks.forEach(function (m) { seen[m.cause] = true; });
    fleet.forEach(function (f) { seen[f.root_cause] = true; });
    var present = causes.filter(function (c) { return seen[c]; });
    return el('div', { 'class': 'legend', 'data-testid': 'legend' }, present.map(function (c) {
      var sw = el('span', { 'class': 'sw' });
      sw.style.background = colour(c);
      return el('span', null, sw, c);
    }));
  }
  var BUCKETS = [60e3, 300e3, 600e3, 900e3, 1800e3, 3600e3, 7200e3, 21600e3, 43200e3, 86400e3];
  function pickBucket(span, maxCols) {
    for (var i = 0; i < BUCKETS.length; i++) { if (span / BUCKETS[i] <= maxCols) { return BUCKETS[i]; } }
    return BUCKETS[BUCKETS.length - 1];
  }
  // buckets are centred on whole multiples of their width, so 00:00 UTC is the middle of a column
  function bucketOf(t, b) { return Math.floor((t + b / 2) / b); }
  function fmtTick(ms) { return new Date(ms).toISOString().substring(0, 16).replace('T', ' '); }
  function dominant(cell) {
    var best = null;
    Object.keys(cell.by).forEach(function (c) { if (best === null || cell.by[c] > cell.by[best]) { best = c; } });
    return best;
  }
  function hostHeatmap(marks) {
    if (!marks.length) { return el('div', { 'class': 'empty', 'data-testid': 'no-heatmap', text: 'No incidents yet.' }); }
    var min = Infinity, max = -Infinity;
    marks.forEach(function (m) { min = Math.min(min, m.start); max = Math.max(max, m.end); });
    var b = pickBucket(Math.max(max - min, 60e3), 160);
    var first = bucketOf(min, b) - 1, last = bucketOf(max, b) + 1, cols = last - first + 1;
    var rows = {}, order = [];
    marks.forEach(function (m) {
      var key = m.fleet + '\u0000' + m.host;
      if (!rows[key]) { rows[key] = { host: m.host, fleet: m.fleet, cells: {} }; order.push(key); }
      for (var k = bucketOf(m.start, b); k <= bucketOf(m.end, b); k++) {
        var c = rows[key].cells[k] || (rows[key].cells[k] = { by: {}, errors: 0, ids: [] });
        c.by[m.cause] = (c.by[m.cause] || 0) + Math.max(1, m.errors);
        c.errors += m.errors;
        c.ids.push(m.id);
      }
    });
    order.sort(function (x, y) {
      var a = rows[x], c = rows[y];
      return a.fleet === c.fleet ? (a.host < c.host ? -1 : a.host > c.host ? 1 : 0) : (a.fleet < c.fleet ? -1 : 1);
    });
    var cw = Math.max(4, Math.min(14, Math.floor(1100 / cols))), ch = 12, left = 150, top = 28;
    var width = left + cols * cw + 110, height = top + order.length * ch + 8; // room for the last date label
    var g = sv('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, 'data-testid': 'host-heatmap', role: 'img' });
    var maxErr = 1;
    order.forEach(function (key) { Object.keys(rows[key].cells).forEach(function (k) { maxErr = Math.max(maxErr, rows[key].cells[k].errors); }); });
    // day boundaries and ticks
    var day = 86400e3;
    for (var t = Math.ceil((first * b - b / 2) / day) * day; t <= last * b; t += day) {
      var x = left + ((t + b / 2) / b - first) * cw;
      g.appendChild(sv('line', { 'class': 'midnight', x1: x, x2: x, y1: top - 4, y2: height - 4 }));
      g.appendChild(sv('text', { x: x + 2, y: 12, text: fmtTick(t).substring(0, 10) + ' 00:00' }));
    }
    g.appendChild(sv('text', { x: 2, y: 24, text: 'bucket ' + (b >= 3600e3 ? b / 3600e3 + ' h' : b / 60e3 + ' min') }));
    var lastFleet = null;
    order.forEach(function (key, r) {
      var row = rows[key], y = top + r * ch;
      var label = row.fleet !== lastFleet ? row.fleet + '  ' + row.host : row.host;
      lastFleet = row.fleet;
      g.appendChild(sv('text', { x: left - 4, y: y + ch - 3, 'text-anchor': 'end', text: label }));
      Object.keys(row.cells).forEach(function (k) {
        var cell = row.cells[k], cause = dominant(cell);
        var rect = sv('rect', {
          'class': 'cell', 'data-testid': 'heat-cell', 'data-host': row.host, 'data-cause': cause,
          x: left + (k - first) * cw, y: y + 1, width: cw - 1, height: ch - 2, fill: colour(cause),
          'fill-opacity': (0.35 + 0.65 * Math.log(1 + cell.errors) / Math.log(1 + maxErr)).toFixed(2)
        }, sv('title', { text: row.host + ' (' + row.fleet + ')  ' + fmtTick(k * b - b / 2) + ' to ' + fmtTick(k * b + b / 2) + ' UTC\n' +
          Object.keys(cell.by).join(', ') + '\n' + cell.errors + ' gateway errors, ' + cell.ids.length + ' incident(s)' }));
        rect.addEventListener('click', function () {
          location.hash = cell.ids.length === 1 ? incidentHash(cell.ids[0]) : filterHash({ host: row.host });
        });
        g.appendChild(rect);
      });
    });
    return el('div', { 'class': 'heatmap' }, g);
  }
  function dayHeatmap(marks) {
    if (!marks.length) { return el('div', { 'class': 'empty', text: 'No incidents yet.' }); }
    var q = 900e3, day = 86400e3, slots = 96;
    var days = {}, dayKeys = [];
    marks.forEach(function (m) {
      var k = bucketOf(m.start, q); // a quarter hour centred on :00, :15, :30, :45
      var centre = k * q, d = Math.floor(centre / day) * day, slot = Math.round((centre - d) / q) % slots;
      if (!days[d]) { days[d] = {}; dayKeys.push(d); }
      var c = days[d][slot] || (days[d][slot] = { by: {}, hosts: {}, errors: 0 });
      c.by[m.cause] = (c.by[m.cause] || 0) + Math.max(1, m.errors);
      c.hosts[m.host] = true;
      c.errors += m.errors;
    });
    dayKeys.sort(function (a, b) { return a - b; });
    var cw = 11, ch = 16, left = 84, top = 22;
    var width = left + slots * cw + 10, height = top + dayKeys.length * ch + 6;
    var g = sv('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, 'data-testid': 'day-heatmap', role: 'img' });
    var maxHosts = 1;
    dayKeys.forEach(function (d) { Object.keys(days[d]).forEach(function (s) { maxHosts = Math.max(maxHosts, Object.keys(days[d][s].hosts).length); }); });
    for (var h = 0; h < 24; h += 3) {
      g.appendChild(sv('text', { x: left + h * 4 * cw, y: 12, text: (h < 10 ? '0' : '') + h + ':00' }));
    }
    g.appendChild(sv('line', { 'class': 'midnight', x1: left + cw / 2, x2: left + cw / 2, y1: top - 4, y2: height - 2 }));
    dayKeys.forEach(function (d, r) {
      var y = top + r * ch;
      g.appendChild(sv('text', { x: left - 6, y: y + ch - 4, 'text-anchor': 'end', text: new Date(d).toISOString().substring(0, 10) }));
      Object.keys(days[d]).forEach(function (s) {
        var c = days[d][s], n = Object.keys(c.hosts).length, cause = dominant(c);
        var hh = Math.floor(s / 4), mm = (s % 4) * 15;
        g.appendChild(sv('rect', {
          'class': 'cell', 'data-testid': 'day-cell', 'data-slot': (hh < 10 ? '0' : '') + hh + ':' + (mm < 10 ? '0' : '') + mm,
          'data-hosts': n, x: left + s * cw, y: y + 1, width: cw - 1, height: ch - 2, fill: colour(cause),
          'fill-opacity': (0.3 + 0.7 * n / maxHosts).toFixed(2)
        }, sv('title', { text: new Date(d).toISOString().substring(0, 10) + ' ' + (hh < 10 ? '0' : '') + hh + ':' + (mm < 10 ? '0' : '') + mm +
          ' UTC: ' + n + ' host(s), ' + c.errors + ' gateway errors\n' + Object.keys(c.by).join(', ') })));
      });
    });
    return el('div', { 'class': 'heatmap' }, g);
  }
  function fleetCard(f) {
    var rec = f.recurrence;
    var breakdown = Object.keys(f.causes || {}).length ? f.causes : (function () { var o = {}; o[f.root_cause] = f.hosts.length; return o; })();
    var total = Object.keys(breakdown).reduce(function (s, k) { return s + breakdown[k]; }, 0) || 1;
    var bar = el('div', { 'class': 'breakdown', 'data-testid': 'breakdown' }, Object.keys(breakdown).map(function (c) {
      var s = el('span', { title: c + ': ' + breakdown[c] + ' hosts' });
      s.style.background = colour(c);
      s.style.width = (100 * breakdown[c] / total) + '%';
      return s;
    }));
    var byHost = {};
    (f.incident_ids || []).forEach(function (id) { byHost[id.split('@')[0]] = id; });
    return el('div', { 'class': 'card fleet-card', 'data-testid': 'fleet-incident', 'data-id': f.id },
      el('h3', null, chip(f.root_cause),
        el('span', { 'data-testid': 'fleet-hosts', text: f.fleet + ': ' + f.hosts.length + ' of ' + f.active_hosts + ' hosts (' + pct(f.share_of_fleet) + ')' }),
        rec ? el('span', { 'class': 'badge recur', 'data-testid': 'recurrence',
          text: rec.period.toLowerCase() + ' at ' + rec.time_of_day_utc + ' UTC, ' + rec.occurrences + ' times' }) : null),
      el('div', { 'class': 'muted', text: time(f.window_start) + ' to ' + time(f.window_end) + '  \u00b7  ' + counts(f.status_counts) +
        ' of ' + f.total_requests + ' requests' + (f.common_trigger ? '  \u00b7  after ' + f.common_trigger : '') }),
      el('p', { 'class': 'summary', text: f.summary }),
      bar,
      el('div', { 'class': 'legend' }, Object.keys(breakdown).map(function (c) { return el('span', null, chip(c), ' ' + breakdown[c] + ' hosts'); })),
      el('div', { 'class': 'hosts' }, f.hosts.map(function (h) {
        return byHost[h] ? el('a', { href: incidentHash(byHost[h]), 'data-testid': 'fleet-host', text: h }) : el('a', { href: filterHash({ host: h }), text: h });
      })),
      rec ? el('div', { 'class': 'muted', 'data-testid': 'recurrence-detail', text: 'seen before: ' + rec.previous.map(time).join(', ') +
        (rec.likely_trigger ? '  \u00b7  likely trigger: ' + rec.likely_trigger : '') }) : null,
      el('div', { 'class': 'card remedy', text: f.remediation }));
  }

  // ------------------------------------------------------------------ header

  function status() {
    var s = document.getElementById('source');
    if (REPORT) {
      s.textContent = 'offline report \u00b7 ' + REPORT.incidents.length + ' incidents, ' + REPORT.fleet_incidents.length +
        ' fleet incidents \u00b7 generated ' + time(REPORT.generated_at);
      return;
    }
    api('api/status').then(function (st) {
      s.textContent = 'live \u00b7 ' + st.open + ' open, ' + st.incidents + ' incidents, ' + st.fleet_incidents + ' fleet incidents' +
        (st.caught_up ? '' : ' \u00b7 reading history\u2026');
    }).catch(function () { s.textContent = 'live \u00b7 not reachable'; });
    setTimeout(status, POLL_MS);
  }

  window.addEventListener('hashchange', route);
  status();
  route();
}());
