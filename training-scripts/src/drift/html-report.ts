/**
 * The one-file HTML drift report (pure: returns the document). Everything is inline — CSS,
 * SVG charts, a few lines of JS for the "drifted only" filter — so the file opens offline,
 * from an artifact store or an e-mail, with no CDN.
 */
import type { ColumnDrift, ColumnHistogram } from '@wine/drift';
import { formatNumber, formatScore, resultRows, verdictLine } from './render-text';
import type { DriftOutcome } from './run-drift';

const REF = '#4c78a8';
const CUR = '#f58518';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const pct = (x: number, digits = 0): string => `${(100 * x).toFixed(digits)} %`;

function axisLabel(x: number): string {
  const a = Math.abs(x);
  if (a !== 0 && (a < 0.01 || a >= 1e5)) return x.toExponential(1);
  return String(Number(x.toPrecision(4)));
}

/** Overlaid (numerical) or grouped (categorical) bars: reference blue, current orange. */
export function histogramSvg(
  h: ColumnHistogram,
  width: number,
  height: number,
  axes: boolean,
): string {
  const pad = axes ? { l: 40, r: 8, t: 8, b: 30 } : { l: 1, r: 1, t: 1, b: 1 };
  const w = width - pad.l - pad.r;
  const hh = height - pad.t - pad.b;
  const max = Math.max(1e-12, ...h.reference, ...h.current);
  const y = (share: number): number => pad.t + hh - (share / max) * hh;
  const parts: string[] = [];
  const n = h.reference.length;
  const slot = w / Math.max(1, n);
  if (h.kind === 'numerical') {
    for (const [series, color] of [
      [h.reference, REF],
      [h.current, CUR],
    ] as const) {
      series.forEach((share, i) => {
        if (share <= 0) return;
        const x = pad.l + i * slot;
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y(share).toFixed(1)}" width="${Math.max(0.5, slot - 0.6).toFixed(1)}" height="${(pad.t + hh - y(share)).toFixed(1)}" fill="${color}" fill-opacity="0.55"/>`,
        );
      });
    }
  } else {
    h.labels.forEach((label, i) => {
      const x0 = pad.l + i * slot + slot * 0.15;
      const bw = slot * 0.35;
      parts.push(
        `<rect x="${x0.toFixed(1)}" y="${y(h.reference[i] ?? 0).toFixed(1)}" width="${bw.toFixed(1)}" height="${(pad.t + hh - y(h.reference[i] ?? 0)).toFixed(1)}" fill="${REF}" fill-opacity="0.8"/>`,
        `<rect x="${(x0 + bw).toFixed(1)}" y="${y(h.current[i] ?? 0).toFixed(1)}" width="${bw.toFixed(1)}" height="${(pad.t + hh - y(h.current[i] ?? 0)).toFixed(1)}" fill="${CUR}" fill-opacity="0.8"/>`,
      );
      if (axes) {
        parts.push(
          `<text x="${(pad.l + (i + 0.5) * slot).toFixed(1)}" y="${height - 10}" text-anchor="middle">${escapeHtml(label)}</text>`,
        );
      }
    });
  }
  if (axes) {
    const base = pad.t + hh;
    parts.push(
      `<line x1="${pad.l}" y1="${base}" x2="${pad.l + w}" y2="${base}" stroke="#9aa3ad"/>`,
      `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${base}" stroke="#9aa3ad"/>`,
      `<text x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end">${pct(max)}</text>`,
      `<text x="${pad.l - 4}" y="${base}" text-anchor="end">0</text>`,
    );
    if (h.kind === 'numerical') {
      const lo = h.edges[0] ?? 0;
      const hi = h.edges[h.edges.length - 1] ?? 0;
      parts.push(
        `<text x="${pad.l}" y="${height - 10}" text-anchor="start">${axisLabel(lo)}</text>`,
        `<text x="${pad.l + w / 2}" y="${height - 10}" text-anchor="middle">${axisLabel((lo + hi) / 2)}</text>`,
        `<text x="${pad.l + w}" y="${height - 10}" text-anchor="end">${axisLabel(hi)}</text>`,
      );
    }
  }
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">${parts.join('')}</svg>`;
}

function badge(c: ColumnDrift): string {
  if (c.score === null) return '<span class="badge muted">no verdict</span>';
  return c.drifted
    ? '<span class="badge drift">Drift</span>'
    : '<span class="badge ok">No drift</span>';
}

/** The data column behind a table row ("quality (target)" is the quality column). */
function columnOf(row: string): string {
  return row === 'quality (target)' ? 'quality' : row;
}

function anchor(name: string): string {
  return `col-${name.replace(/[^a-z0-9]+/gi, '-')}`;
}

function card(label: string, value: string, detail: string, tone: string): string {
  return `<div class="card ${tone}"><div class="label">${label}</div><div class="value">${value}</div><div class="detail">${detail}</div></div>`;
}

export interface HtmlReportMeta {
  readonly generatedAt: string;
}

export function renderDriftHtml(outcome: DriftOutcome, meta: HtmlReportMeta): string {
  const { report } = outcome;
  const rows = resultRows(outcome);
  // Evidently's order: drifted columns first, then by how far past (or short of) the threshold.
  const ordered = [...rows].sort(([, a], [, b]) => Number(b.drifted) - Number(a.drifted));
  const histogramOf = (name: string): ColumnHistogram | undefined =>
    outcome.histograms[columnOf(name)];
  const enough = report.status === 'ok';
  const datasetTone = !enough ? 'muted' : report.dataset_drift ? 'bad' : 'good';
  const prediction = report.prediction;
  const cards = [
    card(
      'Dataset drift',
      !enough ? 'Not enough data' : report.dataset_drift ? 'Detected' : 'Not detected',
      enough
        ? `${report.drifted_columns} of ${report.columns_tested} columns drifted`
        : `${report.rows_current} rows, ${report.min_rows} needed`,
      datasetTone,
    ),
    card(
      'Share of drifted columns',
      enough ? pct(report.drift_share, 1) : '—',
      `<div class="meter"><span style="width:${(100 * report.drift_share).toFixed(1)}%"></span><i style="left:${(100 * report.drift_share_threshold).toFixed(1)}%"></i></div>threshold ${pct(report.drift_share_threshold)}`,
      datasetTone,
    ),
    card(
      'Prediction drift',
      prediction === null
        ? '—'
        : prediction.score === null
          ? 'No verdict'
          : prediction.drifted
            ? 'Detected'
            : 'Not detected',
      prediction === null
        ? 'no predictions on one side'
        : `${prediction.method} ${formatScore(prediction)} (threshold ${prediction.threshold})`,
      prediction === null || prediction.score === null
        ? 'muted'
        : prediction.drifted
          ? 'bad'
          : 'good',
    ),
    card(
      'Rows',
      `${report.rows_current.toLocaleString('en-US')} <small>current</small>`,
      `${report.rows_reference.toLocaleString('en-US')} reference · ${escapeHtml(outcome.reference.kind)}`,
      'neutral',
    ),
  ].join('');

  const tableRows = ordered
    .map(([name, c]) => {
      const h = histogramOf(name);
      return `<tr class="${c.drifted ? 'drifted' : ''}" data-target="${anchor(name)}">
<td class="name">${escapeHtml(name)}</td>
<td>${outcome.kinds[columnOf(name)] ?? ''}</td>
<td class="spark">${h === undefined ? '' : histogramSvg(h, 140, 34, false)}</td>
<td>${c.method}</td>
<td class="num">${formatScore(c)}</td>
<td class="num">${c.threshold}</td>
<td class="num">${formatNumber(c.statistic)}</td>
<td>${badge(c)}</td></tr>`;
    })
    .join('\n');

  const details = ordered
    .map(([name, c]) => {
      const h = histogramOf(name);
      if (h === undefined) return '';
      return `<section class="chart" id="${anchor(name)}">
<header><h3>${escapeHtml(name)}</h3>${badge(c)}</header>
<p class="sub">${c.method} · score ${formatScore(c)} · threshold ${c.threshold}${c.statistic === null ? '' : ` · statistic ${formatNumber(c.statistic)}`}</p>
${histogramSvg(h, 540, 210, true)}
</section>`;
    })
    .join('\n');

  const warnings =
    report.warnings.length === 0
      ? ''
      : `<div class="warnings">${report.warnings.map((w) => `<p>⚠ ${escapeHtml(w)}</p>`).join('')}</div>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Data drift report — ${escapeHtml(outcome.current.path)}</title>
<style>
:root { --ref: ${REF}; --cur: ${CUR}; --bad: #c0392b; --good: #2e7d32; --muted: #6b7580; --line: #e3e7eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2933; background: #f5f7f9; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
h3 { font-size: 15px; margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.meta { color: var(--muted); margin: 0; }
.meta code { color: #1f2933; }
.verdict { margin: 14px 0 0; font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 14px; margin-top: 18px; }
.card { background: #fff; border: 1px solid var(--line); border-top: 4px solid var(--muted); border-radius: 8px; padding: 12px 14px; }
.card.bad { border-top-color: var(--bad); } .card.good { border-top-color: var(--good); } .card.neutral { border-top-color: var(--ref); }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 22px; font-weight: 650; margin: 2px 0; }
.card.bad .value { color: var(--bad); } .card.good .value { color: var(--good); }
.card .value small { font-size: 13px; font-weight: 400; color: var(--muted); }
.card .detail { color: var(--muted); font-size: 12.5px; }
.meter { position: relative; height: 6px; background: #e9edf1; border-radius: 3px; margin: 6px 0 4px; }
.meter span { position: absolute; left: 0; top: 0; bottom: 0; background: var(--bad); border-radius: 3px; }
.card.good .meter span { background: var(--good); }
.meter i { position: absolute; top: -3px; width: 2px; height: 12px; background: #1f2933; }
.warnings { background: #fff8e1; border: 1px solid #f3d98b; border-radius: 8px; padding: 8px 14px; margin-top: 16px; }
.warnings p { margin: 4px 0; }
.toolbar { display: flex; align-items: center; gap: 12px; }
.toolbar .legend { margin-left: auto; color: var(--muted); font-size: 12.5px; }
.legend b { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; }
button { font: 13px/1.4 system-ui, sans-serif; border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 3px 10px; cursor: pointer; }
button.on { background: #1f2933; color: #fff; border-color: #1f2933; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
th, td { text-align: left; padding: 6px 12px; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { background: #fafbfc; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
tr:last-child td { border-bottom: none; }
tbody tr { cursor: pointer; } tbody tr:hover { background: #f8fafc; }
tr.drifted td.name { font-weight: 650; }
td.name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
td.num { font-variant-numeric: tabular-nums; text-align: right; }
td.spark svg { display: block; }
.badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; }
.badge.drift { background: #fdecea; color: var(--bad); } .badge.ok { background: #e8f5e9; color: var(--good); } .badge.muted { background: #eef1f4; color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(2, 1fr); gap: 14px; }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.chart header { display: flex; align-items: center; justify-content: space-between; }
.chart .sub { color: var(--muted); margin: 2px 0 6px; font-size: 12.5px; }
.chart svg { width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #52606d; }
body.drifted-only tbody tr:not(.drifted), body.drifted-only .chart:not(.has-drift) { display: none; }
footer { color: var(--muted); font-size: 12px; margin-top: 28px; }
</style>
</head>
<body>
<main>
<h1>Data drift report</h1>
<p class="meta">Current <code>${escapeHtml(outcome.current.path)}</code> against reference <code>${escapeHtml(outcome.reference.path)}</code> · generated ${escapeHtml(meta.generatedAt)}</p>
<p class="verdict">${escapeHtml(verdictLine(outcome))}</p>
<div class="cards">${cards}</div>
${warnings}
<h2 class="toolbar">Columns <button id="all" class="on">All</button><button id="drifted">Drifted only</button>
<span class="legend"><b style="background:var(--ref)"></b>reference<b style="background:var(--cur)"></b>current</span></h2>
<table>
<thead><tr><th>Column</th><th>Type</th><th>Distribution</th><th>Method</th><th style="text-align:right">Score</th><th style="text-align:right">Threshold</th><th style="text-align:right">Statistic</th><th>Verdict</th></tr></thead>
<tbody>
${tableRows}
</tbody>
</table>
<h2>Reference vs current</h2>
<div class="charts">
${details}
</div>
<footer>Methods and defaults follow Evidently's data drift algorithm (KS and chi-square/Z-test up to 1,000 reference rows, normed Wasserstein and Jensen–Shannon above; dataset drift when ≥ ${pct(report.drift_share_threshold)} of columns drift). Score: p-value for a test (drift when below the threshold), distance otherwise (drift at or above it). Histograms span the 0.5–99.5 % quantiles of both samples (values beyond sit in the edge bins); columns with few values get one bar per value. Computed by @wine/drift in ${outcome.seconds.toFixed(2)} s.</footer>
</main>
<script>
(function () {
  var body = document.body;
  document.querySelectorAll('.chart').forEach(function (c) {
    if (c.querySelector('.badge.drift')) c.classList.add('has-drift');
  });
  function show(drifted) {
    body.classList.toggle('drifted-only', drifted);
    document.getElementById('all').classList.toggle('on', !drifted);
    document.getElementById('drifted').classList.toggle('on', drifted);
  }
  document.getElementById('all').onclick = function () { show(false); };
  document.getElementById('drifted').onclick = function () { show(true); };
  document.querySelectorAll('tbody tr').forEach(function (tr) {
    tr.onclick = function () {
      var el = document.getElementById(tr.getAttribute('data-target'));
      if (el) el.scrollIntoView({ behavior: 'smooth', block: 'center' });
    };
  });
})();
</script>
</body>
</html>
`;
}
