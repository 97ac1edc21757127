// Second half of `npm run coverage` (scripts/coverage.sh): merges jest's in-process V8 coverage
// with the raw V8 coverage of child processes (NODE_V8_COVERAGE, mapped back to the .ts sources
// through the source maps tsx emits), then writes per-folder line and branch figures to
// coverage/summary.md (also printed) and an HTML report to coverage/html/. Given several run
// directories (`coverage-report.ts out run2 run3`), merges them all into the first.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as libCoverage from 'istanbul-lib-coverage';
import * as libReport from 'istanbul-lib-report';
import * as reports from 'istanbul-reports';
import { perFolder, renderSummary } from './coverage-summary';

const ROOT = path.resolve(__dirname, '..');
/** Sources we measure: what `--collectCoverageFrom` names in coverage.sh. */
const MEASURED = ['src/', 'codegen/src/'].map((d) => pathToFileURL(path.join(ROOT, d)).href);

interface ScriptCov {
  url: string;
  functions: unknown[];
}
interface ProcessCov {
  result: ScriptCov[];
  'source-map-cache'?: Record<string, unknown>;
}

// c8 ships no type declarations; this is the part of its report factory we use.
const c8Report = require('c8/lib/report') as (opts: Record<string, unknown>) => {
  getCoverageMapFromAllCoverageFiles(): Promise<libCoverage.CoverageMap>;
};

/** True for the coverage file of a jest process: its .ts files ran in vm contexts jest measures itself. */
function isJestProcess(cov: ProcessCov): boolean {
  return cov.result.some((s) => /\/node_modules\/jest-(runtime|circus|worker)\//.test(s.url));
}

/**
 * Splits the child processes' coverage of our sources into groups in which every file was
 * compiled to the same code (same source map): V8 ranges of one file only merge within a group.
 * Writes group i to `<work>/<i>/` as one file per process; returns the group directories.
 */
function groupChildCoverage(rawDirs: string[], work: string): { dirs: string[]; processes: number } {
  const variants = new Map<string, string[]>(); // url → source map hashes seen, in order
  const dirs: string[] = [];
  let processes = 0;
  const files = rawDirs.flatMap((d) =>
    fs.existsSync(d) ? fs.readdirSync(d).map((n) => path.join(d, n)) : [],
  );
  for (const file of files.sort()) {
    const name = path.basename(file); // coverage-<pid>-<time>-<n>.json: unique across runs
    const cov = JSON.parse(fs.readFileSync(file, 'utf8')) as ProcessCov;
    if (isJestProcess(cov)) continue;
    const smc = cov['source-map-cache'] ?? {};
    const groups = new Map<number, ProcessCov>();
    for (const script of cov.result) {
      if (!MEASURED.some((m) => script.url.startsWith(m)) || smc[script.url] === undefined) continue;
      const hash = createHash('sha1').update(JSON.stringify(smc[script.url])).digest('hex');
      const seen = variants.get(script.url) ?? [];
      if (!seen.includes(hash)) seen.push(hash);
      variants.set(script.url, seen);
      const g = seen.indexOf(hash);
      const group = groups.get(g) ?? { result: [], 'source-map-cache': {} };
      group.result.push(script);
      (group['source-map-cache'] as Record<string, unknown>)[script.url] = smc[script.url];
      groups.set(g, group);
    }
    if (groups.size > 0) processes++;
    for (const [g, group] of groups) {
      const dir = path.join(work, String(g));
      if (!dirs.includes(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        dirs.push(dir);
      }
      fs.writeFileSync(path.join(dir, name), JSON.stringify(group));
    }
  }
  return { dirs, processes };
}

/** Istanbul coverage of the child processes, mapped to the .ts sources by c8. */
async function childCoverage(rawDirs: string[], work: string): Promise<libCoverage.CoverageMap> {
  const map = libCoverage.createCoverageMap({});
  fs.rmSync(work, { recursive: true, force: true });
  const { dirs, processes } = groupChildCoverage(rawDirs, work);
  for (const dir of dirs) {
    const report = c8Report({
      tempDirectory: dir,
      reporter: [],
      include: ['src/**', 'codegen/src/**'],
      exclude: [],
      excludeNodeModules: true,
      src: [ROOT],
    });
    map.merge(await report.getCoverageMapFromAllCoverageFiles());
  }
  console.log(
    `child processes with coverage of our sources: ${processes} (${dirs.length} compile variant(s))`,
  );
  return map;
}

/** jest's coverage-final.json of every project that ran, in every run directory. */
function jestCoverage(runs: string[]): libCoverage.CoverageMap {
  const map = libCoverage.createCoverageMap({});
  for (const run of runs) {
    for (const d of fs.readdirSync(run).filter((n) => n.startsWith('jest-'))) {
      const file = path.join(run, d, 'coverage-final.json');
      if (fs.existsSync(file))
        map.merge(JSON.parse(fs.readFileSync(file, 'utf8')) as libCoverage.CoverageMapData);
    }
  }
  return map;
}

async function main(): Promise<void> {
  const runs = (process.argv.length > 2 ? process.argv.slice(2) : ['coverage']).map((d) => path.resolve(d));
  const out = runs[0];
  const inProcess = jestCoverage(runs);
  if (inProcess.files().length === 0) throw new Error(`no jest coverage under ${runs.join(', ')} (jest-*/)`);
  const children = await childCoverage(
    runs.map((r) => path.join(r, 'v8')),
    path.join(out, 'v8-children'),
  );
  const all = jestCoverage(runs); // a second copy: merging changes the file coverages it holds
  all.merge(children);

  const rows = perFolder(all, inProcess, ROOT);
  const md = renderSummary(rows);
  fs.writeFileSync(path.join(out, 'summary.md'), md);
  fs.writeFileSync(path.join(out, 'summary.json'), JSON.stringify(rows, null, 2) + '\n');
  const context = libReport.createContext({ dir: path.join(out, 'html'), coverageMap: all });
  reports.create('html').execute(context);
  process.stdout.write(md);
  console.log(`written: ${path.relative(ROOT, out)}/summary.md, summary.json, html/index.html`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
