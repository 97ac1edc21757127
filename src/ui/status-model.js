// The status page's pure logic, with no DOM: Prometheus text parsing, drop counters of a cube,
// per-backend rows (weight share, observed share of new sessions, rates) from successive REST
// snapshots, the time series, number formatting. A classic browser script (it sets
// globalThis.LbrpStatusModel) that node can also require (module.exports), so jest tests it.
'use strict';

(function (root) {
  /** Leaves of a backend the table shows in columns of their own (the rest appear as extras). */
  var KNOWN_BACKEND_LEAVES = [
    'ip',
    'port',
    'name',
    'weight',
    'packets',
    'bytes',
    'active-sessions',
    'total-sessions',
    'health',
  ];

  /** Backend weight when the API leaves it out (the lbrp default). */
  var DEFAULT_WEIGHT = 1;

  /** One `name{label="v",…} value` line → sample; comments and malformed lines are skipped. */
  function parsePrometheus(text) {
    var out = [];
    var lines = String(text).split('\n');
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].trim();
      if (line === '' || line.charAt(0) === '#') continue;
      var m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
      if (!m) continue;
      var value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
      if (isNaN(value)) continue;
      out.push({ name: m[1], labels: parseLabels(m[3] || ''), value: value });
    }
    return out;
  }

  /** `a="x",b="y \"q\""` → {a: 'x', b: 'y "q"'} (escapes \\, \", \n as in the exposition format). */
  function parseLabels(text) {
    var labels = {};
    var re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    var m;
    while ((m = re.exec(text)) !== null) {
      labels[m[1]] = m[2].replace(/\\(.)/g, function (_all, c) {
        return c === 'n' ? '\n' : c;
      });
    }
    return labels;
  }

  /**
   * Drop counters of `cube` among `samples`: every metric whose name says "drop" with that cube
   * label, one row per reason label (or per metric when it has none), summed, largest first.
   * An empty list means the API exposes none: the page says so rather than inventing zeros.
   */
  function dropsOfCube(samples, cube) {
    var byReason = {};
    for (var i = 0; i < samples.length; i++) {
      var s = samples[i];
      if (!/drop/i.test(s.name) || s.labels.cube !== cube) continue;
      var reason = s.labels.reason || s.name;
      byReason[reason] = (byReason[reason] || 0) + s.value;
    }
    return Object.keys(byReason)
      .map(function (r) {
        return { reason: r, value: byReason[r] };
      })
      .sort(function (a, b) {
        return b.value - a.value || (a.reason < b.reason ? -1 : 1);
      });
  }

  /** Numeric members of `obj` that are not in `known` and not objects, sorted by name. */
  function extraNumbers(obj, known) {
    return Object.keys(obj || {})
      .filter(function (k) {
        return typeof obj[k] === 'number' && known.indexOf(k) < 0;
      })
      .sort();
  }

  /** `vip:vport/proto` of a service, the key the page uses for it. */
  function serviceKey(svc) {
    return svc.vip + ':' + svc.vport + '/' + String(svc.proto).toUpperCase();
  }

  function num(v) {
    return typeof v === 'number' && isFinite(v) ? v : 0;
  }

  /** Increase of a counter, or null when unknown or reset (a restart or a re-created backend). */
  function delta(now, before) {
    if (typeof now !== 'number' || typeof before !== 'number' || now < before) return null;
    return now - before;
  }

  /**
   * Rows of one service's backends. `svc` is the service as the REST API returns it now; `old`
   * the same service `seconds` ago (or undefined). Weight share is the weight over the sum of
   * weights; observed share is the backend's new sessions over all new sessions in that time
   * (null when none were made or no earlier snapshot exists); rates are per second.
   */
  function backendRows(svc, old, seconds) {
    var backends = svc.backend || [];
    var before = {};
    ((old && old.backend) || []).forEach(function (b) {
      before[b.ip] = b;
    });
    var weights = backends.map(function (b) {
      return typeof b.weight === 'number' ? b.weight : DEFAULT_WEIGHT;
    });
    var weightSum = weights.reduce(function (a, w) {
      return a + w;
    }, 0);
    var fresh = backends.map(function (b) {
      return old && seconds > 0 ? delta(b['total-sessions'], (before[b.ip] || {})['total-sessions']) : null;
    });
    var freshSum = fresh.reduce(function (a, n) {
      return a + (n || 0);
    }, 0);
    return backends.map(function (b, i) {
      var prev = before[b.ip];
      var rate = function (leaf) {
        var d = prev && seconds > 0 ? delta(b[leaf], prev[leaf]) : null;
        return d === null ? null : d / seconds;
      };
      return {
        ip: b.ip,
        port: b.port,
        name: b.name || '',
        weight: weights[i],
        weightShare: weightSum > 0 ? weights[i] / weightSum : 0,
        newSessions: fresh[i],
        observedShare: fresh[i] !== null && freshSum > 0 ? fresh[i] / freshSum : null,
        packetsPerSecond: rate('packets'),
        bytesPerSecond: rate('bytes'),
        activeSessions: typeof b['active-sessions'] === 'number' ? b['active-sessions'] : null,
        totalSessions: typeof b['total-sessions'] === 'number' ? b['total-sessions'] : null,
        health: b.health === undefined ? null : String(b.health),
        extras: extraNumbers(b, KNOWN_BACKEND_LEAVES).map(function (k) {
          return { name: k, value: num(b[k]) };
        }),
      };
    });
  }

  /**
   * Snapshots kept over time; `windowSeconds` is the interval the shares and rates are taken over
   * (the kernel counters are read at most once a second, so one refresh apart can show 0 or 2 s).
   */
  function createHistory(windowSeconds, maxPoints) {
    return { windowSeconds: windowSeconds, maxPoints: maxPoints, snapshots: [], series: [] };
  }

  /**
   * Records the cube JSON read at `t` (seconds) and returns the snapshot to compare it with (the
   * newest one at least the window old, else the oldest), and the seconds between them. Also
   * appends one point per backend to the series: new sessions per second since the last snapshot.
   */
  function recordSnapshot(history, t, cube) {
    var snaps = history.snapshots;
    var last = snaps[snaps.length - 1];
    if (last && last.cube === cube) return compareWith(history, t);
    var point = { t: t, values: {} };
    if (last && t > last.t) {
      servicesOf(cube).forEach(function (svc) {
        var oldSvc = findService(last.cube, serviceKey(svc));
        backendRows(svc, oldSvc, t - last.t).forEach(function (r) {
          if (r.newSessions !== null)
            point.values[serviceKey(svc) + ' ' + r.ip] = r.newSessions / (t - last.t);
        });
      });
      history.series.push(point);
      if (history.series.length > history.maxPoints) history.series.shift();
    }
    snaps.push({ t: t, cube: cube });
    while (snaps.length > 2 && t - snaps[1].t >= history.windowSeconds) snaps.shift();
    return compareWith(history, t);
  }

  function compareWith(history, t) {
    var snaps = history.snapshots;
    if (snaps.length < 2) return { old: undefined, seconds: 0 };
    var base = snaps[0];
    return { old: base.cube, seconds: t - base.t };
  }

  function servicesOf(cube) {
    return (cube && Array.isArray(cube.service) && cube.service) || [];
  }

  function findService(cube, key) {
    var list = servicesOf(cube);
    for (var i = 0; i < list.length; i++) if (serviceKey(list[i]) === key) return list[i];
    return undefined;
  }

  /**
   * SVG path data (`M x y L …`) of each series key, scaled into width × height with the largest
   * value at the top; returns the paths and that largest value. With `slots` (the points a full
   * plot holds) the newest point is at the right edge and time runs at one slot per point, so a
   * young history fills only the right part; without it the points span the whole width.
   */
  function plotPaths(series, keys, width, height, slots) {
    var max = 0;
    series.forEach(function (p) {
      keys.forEach(function (k) {
        if (typeof p.values[k] === 'number') max = Math.max(max, p.values[k]);
      });
    });
    var top = max > 0 ? max : 1;
    var n = series.length;
    var span = slots && slots > n ? slots : n;
    var paths = {};
    keys.forEach(function (k) {
      var d = '';
      series.forEach(function (p, i) {
        var v = p.values[k];
        if (typeof v !== 'number') return;
        var x = span > 1 ? ((span - n + i) / (span - 1)) * width : width;
        var y = height - (v / top) * height;
        d += (d === '' ? 'M' : ' L') + x.toFixed(1) + ' ' + y.toFixed(1);
      });
      paths[k] = d;
    });
    return { paths: paths, max: max };
  }

  /** 1234567 → "1,234,567"; fractions kept to `digits`. Null → "–". */
  function formatNumber(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    var d = digits === undefined ? 0 : digits;
    var fixed = Number(v).toFixed(d);
    var parts = fixed.split('.');
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return parts.join('.');
  }

  /** 0.3333 → "33.3 %". Null → "–". */
  function formatPercent(v) {
    return v === null || v === undefined || !isFinite(v) ? '–' : (v * 100).toFixed(1) + ' %';
  }

  /** Bytes per second in B/s, kB/s, MB/s, GB/s (powers of 1000). */
  function formatByteRate(v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    var units = ['B/s', 'kB/s', 'MB/s', 'GB/s'];
    var i = 0;
    while (v >= 1000 && i < units.length - 1) {
      v /= 1000;
      i++;
    }
    return (i === 0 ? v.toFixed(0) : v.toFixed(1)) + ' ' + units[i];
  }

  var api = {
    KNOWN_BACKEND_LEAVES: KNOWN_BACKEND_LEAVES,
    parsePrometheus: parsePrometheus,
    dropsOfCube: dropsOfCube,
    extraNumbers: extraNumbers,
    serviceKey: serviceKey,
    backendRows: backendRows,
    createHistory: createHistory,
    recordSnapshot: recordSnapshot,
    plotPaths: plotPaths,
    formatNumber: formatNumber,
    formatPercent: formatPercent,
    formatByteRate: formatByteRate,
  };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.LbrpStatusModel = api;
})(typeof globalThis === 'object' ? globalThis : this);
