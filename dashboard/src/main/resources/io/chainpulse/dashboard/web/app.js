// ChainPulse live dashboard: reads what to draw from /api/catalog (the server's KPI catalog and chart list: no KPI is
// named here), then polls /api/kpis and /api/anomalies every second, draws uPlot charts and the feed.
// Each chart's element carries data-points (plotted values) and data-series (lines), the feed data-count (entries),
// and <body> data-updates (successful polls), so a browser test can assert what was drawn.
// The System view (#system) is built from the catalog's resource KPIs: one small chart per KPI with a line per node,
// grouped by unit, and a table of each node's latest reading (cells carry data-node and data-metric).
(function () {
  'use strict';

  const POLL_MS = 1000;
  const STALE_MS = 5 * 60 * 1000;
  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2',
                   '#db2777', '#65a30d', '#7c3aed', '#0d9488', '#b45309', '#4b5563'];
  const PERCENTILES = [
    {key: 'p50', color: '#93c5fd'},
    {key: 'p95', color: '#2563eb'},
    {key: 'p99', color: '#1e3a8a', dash: [6, 4]},
  ];

  const NETWORK_COLOR = '#111827';
  const RATE = 'rate_per_s'; // the point field of a rate window

  let catalog = null;  // /api/catalog: {kpis, charts}
  let CHARTS = [];     // built from catalog.charts: {id, unit, latest, lines(kpis, color)}
  let SYSTEM = [];     // the System view's charts, one per resource KPI of the catalog, grouped by unit
  let RESOURCES = [];  // the catalog's resource KPIs, in the System view's order
  const chosen = {};   // chart id -> the statistic its toggle shows (charts of mode CHOOSE)
  let lastKpis = null;
  let lastAnomalies = '';
  let lastSystemTable = ''; // what the System view's table shows, to redraw it only on a change
  let updates = 0;
  let xRange = null; // [first, last] window end in seconds over all charts, so their time axes line up

  const forMetric = (kpis, metric, scope) => kpis.series.filter(s => s.metric === metric && s.scope === scope);
  // While the series hold more than one chain, a node (or network) of a chain other than the default is named with it,
  // 'v1 · beta': two chains may share node ids. One chain alone (the simulator's, say) is named nowhere, as before.
  let manyChains = false;
  let feedManyChains = false; // manyChains when the feed was last drawn
  const inChain = (name, chain) => chain == null || !manyChains ? name : name + ' · ' + chain;
  const nodeKey = s => inChain(s.node_id, s.chain_id);
  const seriesLabel = s => inChain(s.node_id == null ? 'network' : s.node_id, s.chain_id);
  const STYLE = Object.fromEntries(PERCENTILES.map(q => [q.key, q]));

  // What a server-side chart draws: a list of lines {label, color, dash, series, value(point)}.
  function chartOf(c) {
    return {id: c.id, unit: c.unit, latest: c.latest, lines: (kpis, color) => forMetric(kpis, c.metric, c.scope)
        .flatMap(s => {
          const own = s.node_id == null ? PALETTE[0] : color(nodeKey(s));
          if (c.mode === 'CHOOSE') return [{label: seriesLabel(s), color: own, series: s, value: p => p[chosen[c.id]]}];
          if (c.statistics.length === 1) {
            return [{label: seriesLabel(s), color: own, series: s, value: p => p[c.statistics[0]]}];
          }
          return c.statistics.map((k, i) => ({
            label: s.node_id == null ? inChain(k, s.chain_id) : nodeKey(s) + ' ' + k,
            color: s.node_id == null ? (STYLE[k] || {color: PALETTE[i % PALETTE.length]}).color : own,
            dash: (STYLE[k] || {}).dash, series: s, value: p => p[k]}));
        })};
  }

  // The "any KPI" chart: every series of the selected catalog KPI, the network dashed, by the KPI's own statistic.
  const explorer = {id: 'kpi', unit: '', kpi: null, lines: (kpis, color) => explorer.kpi == null ? []
      : kpis.series.filter(s => s.metric === explorer.kpi.metric).map(s => ({
        label: seriesLabel(s), color: s.node_id == null ? NETWORK_COLOR : color(nodeKey(s)),
        dash: s.node_id == null ? [6, 4] : undefined, series: s, value: p => p[explorer.kpi.field]}))};
  const plots = {};

  function fmt(v) {
    if (v == null) return '–';
    const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
    return v.toLocaleString('en-US', {maximumFractionDigits: digits});
  }

  // Bytes with binary prefixes (1.5 GiB, 12 MiB/s); other units as they are.
  const PREFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  const isBytes = unit => unit === 'bytes' || unit === 'bytes/s';
  function scaled(v, unit) {
    let i = 0;
    while (Math.abs(v) >= 1024 && i < PREFIXES.length - 1) { v /= 1024; i++; }
    return [v, i === 0 ? unit : PREFIXES[i] + 'B' + unit.slice('bytes'.length)];
  }

  // Tick steps of a byte axis, so its labels are round in binary prefixes (256 Mi, 512 Mi, 768 Mi, 1 Gi).
  const BYTE_STEPS = PREFIXES.flatMap((p, k) => [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map(m => m * 1024 ** k));

  function fmtUnit(v, unit) {
    if (v == null) return '–';
    if (!isBytes(unit)) return fmt(v) + ' ' + unit;
    const [x, u] = scaled(v, unit);
    return fmt(x) + ' ' + u;
  }

  function axisValues(unit) {
    return (u, vals) => vals.map(v => v == null ? '' : isBytes(unit) ? fmtUnit(v, unit).replace(/ ?bytes(\/s)?$|B(\/s)?$/, '') : fmt(v));
  }

  function clock(ms) {
    return new Date(ms).toLocaleTimeString('en-GB', {hour12: false});
  }

  // One color per node, the same in every chart: by the node's rank among all nodes seen.
  function nodeColors(kpis) {
    const nodes = [...new Set(kpis.series.filter(s => s.node_id != null).map(nodeKey))].sort();
    return id => PALETTE[nodes.indexOf(id) % PALETTE.length];
  }

  // uPlot wants one x array shared by all lines, with null where a line has no value.
  function align(lines) {
    const xs = [...new Set(lines.flatMap(l => l.series.points.map(p => p.window_end_ms)))].sort((a, b) => a - b);
    const ys = lines.map(l => {
      const byEnd = new Map(l.series.points.map(p => [p.window_end_ms, l.value(p)]));
      return xs.map(x => (byEnd.has(x) && byEnd.get(x) != null) ? byEnd.get(x) : null);
    });
    return [xs.map(x => x / 1000), ...ys];
  }

  function draw(chart, lines) {
    const el = document.getElementById('chart-' + chart.id);
    const data = align(lines);
    const points = data.slice(1).reduce((n, ys) => n + ys.filter(y => y != null).length, 0);
    const signature = lines.map(l => l.label + l.color).join('|');
    let entry = plots[chart.id];
    if (!entry || entry.signature !== signature) {
      if (entry) entry.plot.destroy();
      const opts = {
        width: el.clientWidth || 400,
        height: chart.height || 250,
        scales: {x: {time: true, range: (u, min, max) => xRange || [min, max]}},
        series: [{}].concat(lines.map(l => ({
          label: l.label, stroke: l.color, width: 2, dash: l.dash, spanGaps: true,
          value: (u, v) => fmtUnit(v, chart.unit),
        }))),
        axes: [{}, isBytes(chart.unit) ? {size: 64, values: axisValues(chart.unit), incrs: BYTE_STEPS}
            : {size: 56, values: axisValues(chart.unit)}],
      };
      entry = plots[chart.id] = {plot: new uPlot(opts, data, el), signature, height: opts.height};
    } else {
      entry.plot.setData(data);
    }
    el.dataset.points = String(points);
    el.dataset.series = String(lines.length);
    el.classList.toggle('empty', points === 0);
  }

  function latest(lines, pick) {
    const pts = lines.length ? lines[0].series.points : [];
    return pts.length ? pick(pts[pts.length - 1]) : '';
  }

  function renderKpis(kpis) {
    manyChains = new Set(kpis.series.map(s => s.chain_id == null ? null : s.chain_id)).size > 1;
    const color = nodeColors(kpis);
    const drawn = {};
    const all = CHARTS.concat([explorer], SYSTEM);
    all.forEach(c => { drawn[c.id] = c.lines(kpis, color); });
    let lo = Infinity, hi = -Infinity; // a loop, not Math.min(...): a spread of ~10^5 values overflows the stack
    Object.values(drawn).flat().forEach(l => l.series.points.forEach(p => {
      lo = Math.min(lo, p.window_end_ms / 1000);
      hi = Math.max(hi, p.window_end_ms / 1000);
    }));
    xRange = lo === Infinity ? null : [lo === hi ? lo - 10 : lo, hi];
    all.forEach(c => draw(c, drawn[c.id]));
    renderSystemTable(kpis);
    CHARTS.filter(c => c.latest != null).forEach(c => {
      document.getElementById(c.id + '-latest').textContent =
          latest(drawn[c.id], p => (c.latest === RATE ? '' : c.latest + ' ') + fmt(p[c.latest]) + ' ' + c.unit);
    });
    if (explorer.kpi != null) {
      const field = explorer.kpi.field;
      document.getElementById('kpi-latest').textContent = latest(drawn.kpi.filter(l => l.series.node_id == null),
          p => (field === RATE ? '' : field + ' ') + fmt(p[field]) + ' ' + explorer.unit);
    }
    const status = document.getElementById('status');
    if (kpis.newest_window_end_ms == null) {
      status.className = 'status waiting';
      status.textContent = 'connected · waiting for KPI windows…';
    } else {
      const age = Date.now() - kpis.newest_window_end_ms;
      status.className = 'status ' + (age > STALE_MS ? 'waiting' : 'live');
      status.textContent = (age > STALE_MS ? 'no new windows · ' : 'live · ') + 'newest window ends '
          + clock(kpis.newest_window_end_ms) + (age > STALE_MS ? ' (' + Math.round(age / 60000) + ' min ago)' : '');
    }
  }

  // A node's newest reading of a resource KPI: a gauge's latest sample (last), else the plotted statistic.
  function newest(kpis, kpi, node) {
    const s = kpis.series.find(x => x.metric === kpi.metric && x.scope === 'node' && nodeKey(x) === node);
    if (!s || s.points.length === 0) return null;
    const p = s.points[s.points.length - 1];
    return p.last != null ? p.last : p[kpi.field];
  }

  function renderSystemTable(kpis) {
    const names = new Set(RESOURCES.map(k => k.metric));
    const nodes = [...new Set(kpis.series.filter(s => s.scope === 'node' && names.has(s.metric))
        .map(nodeKey))].sort();
    const table = document.getElementById('system-latest');
    const values = nodes.map(n => RESOURCES.map(k => newest(kpis, k, n)));
    // the node under the most pressure per column (the highest CPU, the fewest peers), when two or more report it
    const worst = RESOURCES.map((k, c) => {
      const reported = values.map((row, r) => [row[c], r]).filter(([v]) => v != null);
      if (reported.length < 2) return -1;
      const pick = reported.reduce((a, b) => (k.higher_is_worse ? b[0] > a[0] : b[0] < a[0]) ? b : a);
      return reported.every(([v]) => v === pick[0]) ? -1 : pick[1];
    });
    // redrawn only when a reading changed, like the feed: rows replaced every poll would undo an operator's selection
    const shown = JSON.stringify([nodes, values, worst]);
    if (shown === lastSystemTable) return;
    lastSystemTable = shown;
    const rows = nodes.map((n, r) => {
      const tr = el('tr');
      tr.dataset.node = n;
      tr.append(el('th', null, n));
      RESOURCES.forEach((k, c) => {
        const td = el('td', worst[c] === r ? 'worst' : null, fmtUnit(values[r][c], k.unit));
        td.dataset.node = n;
        td.dataset.metric = k.metric;
        tr.append(td);
      });
      return tr;
    });
    table.tBodies[0].replaceChildren(...rows);
    table.dataset.nodes = String(nodes.length);
    const under = nodes.filter((n, r) => worst.includes(r));
    document.getElementById('system-summary').textContent = nodes.length === 0 ? 'waiting for resource windows…'
        : nodes.length + ' node' + (nodes.length === 1 ? '' : 's')
          + (under.length ? ' · most pressure: ' + under.join(', ') : '');
  }

  // The System view from the catalog: its resource KPIs grouped by unit (in catalog order of each unit's first KPI),
  // a group spanning as many of the four columns as it has charts.
  function buildSystem() {
    const groups = new Map();
    catalog.kpis.filter(k => k.resource).forEach(k => {
      if (!groups.has(k.unit)) groups.set(k.unit, []);
      groups.get(k.unit).push(k);
    });
    RESOURCES = [...groups.values()].flat();
    lastSystemTable = ''; // new columns: the next poll redraws the rows
    document.getElementById('view-system').dataset.kpis = String(RESOURCES.length);
    const head = el('tr');
    head.append(el('th', null, 'node'));
    RESOURCES.forEach(k => {
      const th = el('th', null, k.label);
      th.title = k.human;
      th.append(el('span', 'unit', k.unit));
      head.append(th);
    });
    const table = document.getElementById('system-latest');
    table.tHead.replaceChildren(head);
    const container = document.getElementById('system-groups');
    groups.forEach((kpis, unit) => {
      const group = el('article', 'card system-group');
      group.dataset.unit = unit;
      group.style.gridColumn = 'span ' + Math.min(kpis.length, 4);
      group.append(el('h2', null, kpis.map(k => k.label).join(' · ') + ' (' + unit + ')'));
      const charts = el('div', 'group-charts');
      kpis.forEach(k => {
        const box = el('div');
        box.append(el('h3', null, k.human + (k.field === RATE ? '' : ' · ' + k.field + ' per window')));
        const chart = el('div', 'chart');
        chart.id = 'chart-sys-' + k.metric;
        chart.dataset.metric = k.metric;
        chart.dataset.points = '0';
        chart.dataset.series = '0';
        box.append(chart);
        charts.append(box);
        SYSTEM.push({id: 'sys-' + k.metric, unit: k.unit, height: 160, lines: (kpis, color) =>
            forMetric(kpis, k.metric, 'node').map(s => ({label: nodeKey(s), color: color(nodeKey(s)), series: s,
                value: p => p[k.field]}))});
      });
      group.append(charts);
      container.append(group);
    });
  }

  function resizeAll() {
    Object.keys(plots).forEach(id => {
      const e = document.getElementById('chart-' + id);
      if (e.clientWidth > 0) plots[id].plot.setSize({width: e.clientWidth, height: plots[id].height});
    });
  }

  function show(view) {
    document.querySelectorAll('#views button').forEach(b => b.classList.toggle('on', b.dataset.view === view));
    document.getElementById('view-overview').hidden = view !== 'overview';
    document.getElementById('view-system').hidden = view !== 'system';
    document.body.dataset.view = view;
    history.replaceState(null, '', view === 'overview' ? location.pathname : '#' + view);
    resizeAll();
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text; // never innerHTML: descriptions come from Kafka
    return e;
  }

  function renderFeed(anomalies) {
    const feed = document.getElementById('feed');
    feed.replaceChildren();
    if (anomalies.length === 0) feed.append(el('li', 'empty', 'No anomalies in the last transitions read.'));
    for (const a of anomalies) {
      const li = el('li');
      li.dataset.anomalyId = a.anomaly_id;
      li.dataset.node = a.node_id == null ? '' : a.node_id;
      li.dataset.state = a.state;
      const row = el('div', 'row');
      row.append(el('span', 'sev sev-' + a.severity, a.severity), el('span', 'state ' + a.state, a.state),
                 el('span', 'node', seriesLabel(a)), el('span', 'metric', a.metric),
                 el('span', 'time', clock(a.window_start_ms)));
      li.append(row, el('p', 'desc', a.description));
      a.suggested_actions.forEach(s => li.append(el('p', 'action', s)));
      feed.append(li);
    }
    feed.dataset.count = String(anomalies.length);
    const firing = anomalies.filter(a => a.state === 'FIRING').length;
    document.getElementById('anomaly-count').textContent =
        anomalies.length ? anomalies.length + ' transitions · ' + firing + ' firing' : '';
  }

  async function getJson(path) {
    const response = await fetch(path, {cache: 'no-store'});
    if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
    return response.text();
  }

  async function tick() {
    try {
      const [kpisText, anomaliesText] = await Promise.all([getJson('/api/kpis'), getJson('/api/anomalies')]);
      lastKpis = JSON.parse(kpisText);
      renderKpis(lastKpis);
      // the feed names chains as the charts do: redrawn too when a second chain appears or the last but one goes
      if (anomaliesText !== lastAnomalies || manyChains !== feedManyChains) {
        renderFeed(JSON.parse(anomaliesText).anomalies);
        lastAnomalies = anomaliesText;
        feedManyChains = manyChains;
      }
      document.body.dataset.updates = String(++updates);
    } catch (e) {
      const status = document.getElementById('status');
      status.className = 'status down';
      status.textContent = 'dashboard server unreachable · retrying (' + e.message + ')';
    } finally {
      setTimeout(tick, POLL_MS);
    }
  }

  // A card for a server-side chart the page does not have yet (the page's own cards keep their ids).
  function card(c) {
    const article = el('article', 'card');
    const h2 = el('h2', null, c.title + ' ');
    if (c.latest != null) {
      const span = el('span', 'latest');
      span.id = c.id + '-latest';
      h2.append(span);
    }
    if (c.mode === 'CHOOSE') {
      const toggle = el('span', 'toggle');
      toggle.id = c.id + '-pct';
      c.statistics.forEach(k => {
        const b = el('button', k === c.selected ? 'on' : null, k);
        b.type = 'button';
        b.dataset.pct = k;
        toggle.append(b);
      });
      h2.append(toggle);
    }
    const chart = el('div', 'chart');
    chart.id = 'chart-' + c.id;
    chart.dataset.points = '0';
    chart.dataset.series = '0';
    article.append(h2, chart);
    document.getElementById('kpi-card').before(article);
  }

  // Inline code of a catalog definition (its Markdown backticks) as <code>, the rest as text.
  function definition(markdown) {
    const p = document.getElementById('kpi-definition');
    p.replaceChildren(...markdown.split('\u0060').map((part, i) => i % 2 ? el('code', null, part) : part));
  }

  function select(kpi) {
    explorer.kpi = kpi;
    explorer.unit = kpi.unit;
    const chart = document.getElementById('chart-kpi');
    chart.dataset.metric = kpi.metric;
    definition(kpi.definition + ' (' + kpi.kind.toLowerCase() + ', ' + (kpi.field === RATE ? 'rate' : kpi.field)
        + ' in ' + kpi.unit + ')');
    if (lastKpis) renderKpis(lastKpis);
  }

  function useCatalog(json) {
    catalog = json;
    catalog.charts.forEach(c => {
      if (!document.getElementById('chart-' + c.id)) card(c);
      if (c.mode === 'CHOOSE') {
        chosen[c.id] = c.selected;
        document.querySelectorAll('#' + c.id + '-pct button').forEach(b => b.addEventListener('click', () => {
          chosen[c.id] = b.dataset.pct;
          document.querySelectorAll('#' + c.id + '-pct button').forEach(o => o.classList.toggle('on', o === b));
          if (lastKpis) renderKpis(lastKpis);
        }));
      }
    });
    CHARTS = catalog.charts.map(chartOf);
    buildSystem();
    const picker = document.getElementById('kpi-select');
    catalog.kpis.forEach(k => {
      const option = el('option', null, k.human + ' (' + k.unit + ')');
      option.value = k.metric;
      picker.append(option);
    });
    const charted = new Set(catalog.charts.map(c => c.metric));
    const first = catalog.kpis.find(k => !charted.has(k.metric)) || catalog.kpis[0];
    picker.value = first.metric;
    picker.addEventListener('change', () => select(catalog.kpis.find(k => k.metric === picker.value)));
    select(first);
  }

  async function start() {
    try {
      useCatalog(JSON.parse(await getJson('/api/catalog')));
      tick();
    } catch (e) {
      const status = document.getElementById('status');
      status.className = 'status down';
      status.textContent = 'dashboard server unreachable · retrying (' + e.message + ')';
      setTimeout(start, POLL_MS);
    }
  }

  window.addEventListener('resize', resizeAll);
  document.querySelectorAll('#views button').forEach(b => b.addEventListener('click', () => show(b.dataset.view)));
  show(location.hash === '#system' ? 'system' : 'overview');
  start();
})();
