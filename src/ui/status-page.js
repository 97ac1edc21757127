// The status page's DOM side: every second it reads the public REST API (GET only: the cube list,
// the chosen cube, /metrics), keeps snapshots in a history (status-model.js) and redraws the cube
// list, ports, per-service backend tables, the new-sessions plot and the drops. Builds elements
// with textContent only (names come from the API), never innerHTML.
'use strict';

(function () {
  var M = globalThis.LbrpStatusModel;
  var API = '/polycube/v1/';
  var REFRESH_MS = 1000;
  /** Shares and rates are taken over this many seconds (counters are read at most once a second). */
  var WINDOW_S = 5;
  /** Points of the plot: one minute at one a second. */
  var PLOT_POINTS = 60;
  var PLOT_W = 600;
  var PLOT_H = 160;
  var SVG_NS = 'http://www.w3.org/2000/svg';
  /** Service leaves shown in the service's heading line rather than as extras. */
  var SERVICE_LEAVES = ['vip', 'vport', 'proto', 'name', 'backend'];
  /** Leaves of cubes and ports not worth a column (identifiers no operator reads). */
  var HIDDEN_LEAVES = ['uuid'];

  var histories = {};
  var refreshes = 0;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c) e.appendChild(c);
    });
    return e;
  }

  /** A table cell; numbers are right-aligned and keep their raw value in data-value (tests read it). */
  function cell(col, text, raw) {
    var attrs = { 'data-col': col, text: text };
    if (raw !== undefined && raw !== null) {
      attrs['data-value'] = String(raw);
      attrs['class'] = 'num';
    }
    return el('td', attrs);
  }

  function getJson(path) {
    return fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error('GET ' + path + ' → ' + r.status);
      return r.json();
    });
  }

  function getText(path) {
    return fetch(path, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error('GET ' + path + ' → ' + r.status);
      return r.text();
    });
  }

  /** `{service: [{name, …}]}` of /cubes → [{service, name}] sorted. */
  function cubeList(answer) {
    var out = [];
    Object.keys(answer || {}).forEach(function (service) {
      (Array.isArray(answer[service]) ? answer[service] : []).forEach(function (c) {
        if (c && typeof c.name === 'string') out.push({ service: service, name: c.name });
      });
    });
    return out.sort(function (a, b) {
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
  }

  function chosenCube(cubes) {
    var want = decodeURIComponent(location.hash.replace(/^#/, ''));
    for (var i = 0; i < cubes.length; i++) {
      if (cubes[i].service + '/' + cubes[i].name === want) return cubes[i];
    }
    return cubes[0];
  }

  function renderCubes(cubes, chosen) {
    var list = document.getElementById('cubes');
    list.replaceChildren.apply(
      list,
      cubes.map(function (c) {
        var a = el('a', { href: '#' + encodeURIComponent(c.service + '/' + c.name), text: c.name });
        if (chosen && c.service === chosen.service && c.name === chosen.name)
          a.setAttribute('aria-current', 'page');
        return el('li', {}, [a, el('span', { class: 'service', text: ' ' + c.service })]);
      }),
    );
    if (cubes.length === 0) list.replaceChildren(el('li', { text: 'no cubes yet' }));
  }

  function scalarText(v) {
    return typeof v === 'number' ? M.formatNumber(v) : String(v);
  }

  /** The cube's own scalar leaves (type, mode, and any numeric leaf the service adds). */
  function renderFacts(cube) {
    var facts = document.getElementById('cube-facts');
    var items = [];
    Object.keys(cube)
      .sort()
      .forEach(function (k) {
        var v = cube[k];
        if (v === null || typeof v === 'object' || HIDDEN_LEAVES.indexOf(k) >= 0) return;
        var dd = el('dd', { 'data-leaf': k, text: scalarText(v) });
        if (typeof v === 'number') dd.setAttribute('data-value', String(v));
        items.push(el('div', {}, [el('dt', { text: k }), dd]));
      });
    facts.replaceChildren.apply(facts, items);
  }

  function renderPorts(ports) {
    var table = document.getElementById('ports');
    var cols = ['name'];
    ports.forEach(function (p) {
      Object.keys(p).forEach(function (k) {
        if (
          cols.indexOf(k) < 0 &&
          HIDDEN_LEAVES.indexOf(k) < 0 &&
          (p[k] === null || typeof p[k] !== 'object')
        )
          cols.push(k);
      });
    });
    var head = el(
      'tr',
      {},
      cols.map(function (c) {
        return el('th', { scope: 'col', text: c });
      }),
    );
    var rows = ports.map(function (p) {
      return el(
        'tr',
        { 'data-port': p.name },
        cols.map(function (c) {
          var v = p[c];
          if (typeof v === 'number') return cell(c, M.formatNumber(v), v);
          var td = cell(c, v === undefined ? '' : String(v));
          if (c === 'status') td.className = 'status-' + String(v).toLowerCase();
          return td;
        }),
      );
    });
    table.replaceChildren(el('thead', {}, [head]), el('tbody', {}, rows));
    if (ports.length === 0) table.replaceChildren(el('caption', { text: 'no ports' }));
  }

  /** Two bars: the weight's share and the share of new sessions the backend actually got. */
  function splitBars(row) {
    var wrap = el('span', { class: 'split', 'aria-hidden': 'true' });
    var w = el('span', { class: 'bar weight' });
    w.style.width = (row.weightShare * 100).toFixed(1) + '%';
    var o = el('span', { class: 'bar observed' });
    o.style.width = ((row.observedShare || 0) * 100).toFixed(1) + '%';
    wrap.appendChild(w);
    wrap.appendChild(o);
    return wrap;
  }

  function serviceTable(svc, rows, seconds, seriesIndex) {
    var extras = [];
    rows.forEach(function (r) {
      r.extras.forEach(function (x) {
        if (extras.indexOf(x.name) < 0) extras.push(x.name);
      });
    });
    var withHealth = rows.some(function (r) {
      return r.health !== null;
    });
    var windowText = seconds > 0 ? ' (' + seconds.toFixed(0) + ' s)' : '';
    /** Column heads: short text, and what it means on hover. */
    var heads = [
      ['backend', 'ip:port and name'],
      ['weight', 'configured weight'],
      ['share', 'weight over the sum of weights'],
      ['observed' + windowText, 'share of the new sessions over the last seconds'],
      ['split', 'grey: weight share; blue: observed share'],
      ['new/s', 'new sessions per second'],
      ['packets/s', 'frames per second, both directions'],
      ['bytes/s', 'bytes per second, both directions'],
      ['active', 'sessions in the connection table now'],
      ['total', 'sessions created since the backend was configured'],
    ];
    if (withHealth) heads.push(['health', 'health state']);
    heads = heads.concat(
      extras.map(function (x) {
        return [x, x];
      }),
    );
    var head = el(
      'tr',
      {},
      heads.map(function (h) {
        return el('th', { scope: 'col', title: h[1], text: h[0] });
      }),
    );
    var body = rows.map(function (r) {
      var key = M.serviceKey(svc) + ' ' + r.ip;
      var swatch = el('span', { class: 'swatch series-' + (seriesIndex[key] % 8) });
      var label = el('td', { 'data-col': 'backend' }, [
        swatch,
        document.createTextNode(r.ip + ':' + r.port + (r.name ? ' ' + r.name : '')),
      ]);
      var cells = [
        label,
        cell('weight', M.formatNumber(r.weight), r.weight),
        cell('weight-share', M.formatPercent(r.weightShare), r.weightShare),
        cell('observed-share', M.formatPercent(r.observedShare), r.observedShare),
        el('td', { 'data-col': 'split' }, [splitBars(r)]),
        cell(
          'new-sessions',
          M.formatNumber(r.newSessions === null || seconds <= 0 ? null : r.newSessions / seconds, 1),
          r.newSessions,
        ),
        cell('packets', M.formatNumber(r.packetsPerSecond, 0), r.packetsPerSecond),
        cell('bytes', M.formatByteRate(r.bytesPerSecond), r.bytesPerSecond),
        cell('active-sessions', M.formatNumber(r.activeSessions), r.activeSessions),
        cell('total-sessions', M.formatNumber(r.totalSessions), r.totalSessions),
      ];
      if (withHealth) cells.push(cell('health', r.health === null ? '' : r.health));
      extras.forEach(function (x) {
        var found = r.extras.filter(function (e) {
          return e.name === x;
        })[0];
        cells.push(found ? cell(x, M.formatNumber(found.value), found.value) : cell(x, ''));
      });
      return el('tr', { 'data-backend': r.ip }, cells);
    });
    var summary = Object.keys(svc)
      .filter(function (k) {
        return SERVICE_LEAVES.indexOf(k) < 0 && svc[k] !== null && typeof svc[k] !== 'object';
      })
      .sort()
      .map(function (k) {
        return el('span', { class: 'fact', 'data-leaf': k, text: k + ' ' + scalarText(svc[k]) });
      });
    var title = (svc.name ? svc.name + ' ' : '') + M.serviceKey(svc);
    return el('section', { class: 'service', 'data-service': M.serviceKey(svc) }, [
      el('h3', { text: title }),
      el('p', { class: 'facts' }, summary),
      el('div', { class: 'scroll' }, [el('table', {}, [el('thead', {}, [head]), el('tbody', {}, body)])]),
    ]);
  }

  function renderServices(cube, old, seconds, seriesIndex) {
    var box = document.getElementById('services');
    var services = Array.isArray(cube.service) ? cube.service : [];
    var oldByKey = {};
    ((old && Array.isArray(old.service) && old.service) || []).forEach(function (s) {
      oldByKey[M.serviceKey(s)] = s;
    });
    box.replaceChildren.apply(
      box,
      services.map(function (svc) {
        return serviceTable(
          svc,
          M.backendRows(svc, oldByKey[M.serviceKey(svc)], seconds),
          seconds,
          seriesIndex,
        );
      }),
    );
    if (services.length === 0) box.replaceChildren(el('p', { text: 'no services' }));
  }

  function svg(tag, attrs) {
    var e = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs).forEach(function (k) {
      e.setAttribute(k, attrs[k]);
    });
    return e;
  }

  function renderPlot(history, keys, seriesIndex) {
    var plot = document.getElementById('plot');
    var drawn = M.plotPaths(history.series, keys, PLOT_W, PLOT_H, PLOT_POINTS);
    var nodes = [svg('line', { x1: 0, y1: PLOT_H, x2: PLOT_W, y2: PLOT_H, class: 'axis' })];
    keys.forEach(function (k) {
      if (drawn.paths[k])
        nodes.push(svg('path', { d: drawn.paths[k], class: 'line series-' + (seriesIndex[k] % 8) }));
    });
    plot.replaceChildren.apply(plot, nodes);
    document.getElementById('plot-max').textContent = M.formatNumber(drawn.max, 1) + ' new sessions/s';
    var legend = document.getElementById('plot-legend');
    legend.replaceChildren.apply(
      legend,
      keys.map(function (k) {
        return el('li', {}, [
          el('span', { class: 'swatch series-' + (seriesIndex[k] % 8) }),
          document.createTextNode(k),
        ]);
      }),
    );
  }

  function renderDrops(samples, cube) {
    var box = document.getElementById('drops');
    var drops = M.dropsOfCube(samples, cube);
    if (drops.length === 0) {
      box.replaceChildren(
        el('p', { class: 'muted', text: 'not exposed: /metrics has no drop counter for this cube' }),
      );
      return;
    }
    var rows = drops.map(function (d) {
      return el('tr', { 'data-reason': d.reason }, [
        el('td', { text: d.reason }),
        cell('drops', M.formatNumber(d.value), d.value),
      ]);
    });
    var head = el('tr', {}, [
      el('th', { scope: 'col', text: 'reason' }),
      el('th', { scope: 'col', text: 'frames' }),
    ]);
    box.replaceChildren(el('table', {}, [el('thead', {}, [head]), el('tbody', {}, rows)]));
  }

  function setState(text, bad) {
    var s = document.getElementById('state');
    s.textContent = text;
    s.className = bad ? 'bad' : '';
    // Only a failure is announced to screen readers; the once-a-second "updated" is not.
    if (bad) s.setAttribute('role', 'alert');
    else s.removeAttribute('role');
  }

  function refresh() {
    return getJson(API + 'cubes/')
      .then(function (answer) {
        var cubes = cubeList(answer);
        var chosen = chosenCube(cubes);
        renderCubes(cubes, chosen);
        if (!chosen) {
          document.getElementById('cube-title').textContent = 'no cube';
          return undefined;
        }
        var base = API + encodeURIComponent(chosen.service) + '/' + encodeURIComponent(chosen.name) + '/';
        return Promise.all([
          getJson(base),
          getText('/metrics').catch(function () {
            return '';
          }),
        ]).then(function (got) {
          var cube = got[0];
          var id = chosen.service + '/' + chosen.name;
          var history = histories[id] || (histories[id] = M.createHistory(WINDOW_S, PLOT_POINTS));
          var cmp = M.recordSnapshot(history, performance.now() / 1000, cube);
          var keys = [];
          (Array.isArray(cube.service) ? cube.service : []).forEach(function (svc) {
            (svc.backend || []).forEach(function (b) {
              keys.push(M.serviceKey(svc) + ' ' + b.ip);
            });
          });
          // A backend keeps its colour while the page is open, whatever comes and goes around it.
          var seriesIndex = history.colours || (history.colours = {});
          keys.forEach(function (k) {
            if (seriesIndex[k] === undefined) seriesIndex[k] = Object.keys(seriesIndex).length;
          });
          document.getElementById('cube-title').textContent = chosen.name + ' (' + chosen.service + ')';
          renderFacts(cube);
          renderPorts(Array.isArray(cube.ports) ? cube.ports : []);
          renderServices(cube, cmp.old, cmp.seconds, seriesIndex);
          renderPlot(history, keys, seriesIndex);
          renderDrops(M.parsePrometheus(got[1]), chosen.name);
        });
      })
      .then(
        function () {
          refreshes++;
          document.body.setAttribute('data-refreshes', String(refreshes));
          setState('updated ' + new Date().toLocaleTimeString());
        },
        function (e) {
          setState('cannot read the API: ' + e.message, true);
        },
      );
  }

  function loop() {
    refresh().then(function () {
      setTimeout(loop, REFRESH_MS);
    });
  }

  window.addEventListener('hashchange', refresh);
  loop();
})();
