// A line-based unified diff (`---`/`+++` headers, `@@` hunks with 3 lines of context) for golden
// tests and the generated-code staleness check. Exact LCS on the differing middle of the texts.

/** One line of an edit script: kept (' '), removed ('-') or added ('+'). */
interface Edit {
  op: ' ' | '-' | '+';
  line: string;
  /** 0-based line numbers in the old and new text at this point. */
  a: number;
  b: number;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Edit script turning `a` into `b`: common prefix and suffix trimmed, LCS table on the rest. */
function editScript(a: string[], b: string[]): Edit[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf])
    suf++;
  const n = a.length - pre - suf;
  const m = b.length - pre - suf;
  // lcs[i][j] = LCS length of a[pre+i..] and b[pre+j..], stored row-major.
  const lcs = new Int32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] =
        a[pre + i] === b[pre + j]
          ? lcs[(i + 1) * (m + 1) + j + 1] + 1
          : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
    }
  }
  const edits: Edit[] = [];
  for (let k = 0; k < pre; k++) edits.push({ op: ' ', line: a[k], a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[pre + i] === b[pre + j]) {
      edits.push({ op: ' ', line: a[pre + i], a: pre + i, b: pre + j });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1])) {
      edits.push({ op: '-', line: a[pre + i], a: pre + i, b: pre + j });
      i++;
    } else {
      edits.push({ op: '+', line: b[pre + j], a: pre + i, b: pre + j });
      j++;
    }
  }
  for (let k = 0; k < suf; k++) {
    edits.push({ op: ' ', line: a[pre + n + k], a: pre + n + k, b: pre + m + k });
  }
  return edits;
}

/**
 * Returns a unified diff from `oldText` to `newText` labelled `oldName` / `newName`, or "" when
 * the texts are equal. Lines are compared exactly; a missing final newline is not reported.
 */
export function unifiedDiff(
  oldText: string,
  newText: string,
  oldName: string,
  newName: string,
  context = 3,
): string {
  if (oldText === newText) return '';
  const edits = editScript(splitLines(oldText), splitLines(newText));
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  let k = 0;
  while (k < edits.length) {
    if (edits[k].op === ' ') {
      k++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is at most 2 * context kept lines away.
    const start = Math.max(0, k - context);
    let end = k;
    let kept = 0;
    for (let x = k; x < edits.length; x++) {
      if (edits[x].op === ' ') {
        kept++;
        if (kept > 2 * context) break;
      } else {
        kept = 0;
        end = x;
      }
    }
    const stop = Math.min(edits.length, end + context + 1);
    const hunk = edits.slice(start, stop);
    const aLen = hunk.filter((e) => e.op !== '+').length;
    const bLen = hunk.filter((e) => e.op !== '-').length;
    const aStart = aLen === 0 ? hunk[0].a : hunk[0].a + 1;
    const bStart = bLen === 0 ? hunk[0].b : hunk[0].b + 1;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const e of hunk) out.push(`${e.op}${e.line}`);
    k = stop;
  }
  return out.join('\n') + '\n';
}
