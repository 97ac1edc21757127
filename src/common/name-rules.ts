// The one rule for user-chosen names: cube, port, lbrp service and backend names. A name becomes a
// bpffs directory (<pinRoot>/<cube>), a runtime-record file name (percent-encoded, plus suffixes),
// a log word and a URL segment, so it must be short, printable, and have one spelling only.
// Pure; used by polycubed core (cubes, ports) and the lbrp service (service and backend names).

/**
 * Longest name in UTF-8 bytes. The tightest place is the runtime record file
 * `<encodeURIComponent(name)>.runtime.json.tmp-<pid>`: every byte may become 3 characters, and
 * 3 × 64 + 13 + 12 = 217 ≤ 255 (NAME_MAX). The bpffs directory takes the name as is (64 ≤ 255).
 */
export const NAME_MAX_BYTES = 64;

/** Characters a name may hold: letters, marks, digits, punctuation and symbols (no spaces). */
const ALLOWED = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]*$/u;
// In `u` mode a well-formed pair is one code point, so this matches unpaired surrogates only.
const LONE_SURROGATE = /\p{Cs}/u;

/** What kind of name is checked: an identifier (cube, port) or a free label (lbrp service, backend). */
export type NameKind = 'identifier' | 'label';

/**
 * Why `name` breaks the name rule (a lower-case phrase), or undefined when it is a valid name.
 * A `label` (lbrp service and backend `name`: never a URL segment, path or peer) may also hold
 * inner ASCII spaces ("web frontend"), as printable ASCII allows; identifiers may not.
 */
export function nameProblem(name: string, kind: NameKind = 'identifier'): string | undefined {
  if (name === '') return 'is empty';
  if (kind === 'label') {
    if (name.startsWith(' ') || name.endsWith(' ')) return 'starts or ends with a space';
    return nameProblem(name.replace(/ /g, '_'), 'identifier');
  }
  if (LONE_SURROGATE.test(name))
    return `holds an unpaired surrogate (${describeFirst(name, isLoneSurrogate)})`;
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > NAME_MAX_BYTES) return `is ${bytes} bytes long in UTF-8; at most ${NAME_MAX_BYTES} are allowed`;
  if (!ALLOWED.test(name))
    return `holds ${describeFirst(name, (c) => !ALLOWED.test(c))}, which is not a printable character`;
  // U+FFFD stands for undecodable bytes: two different bad inputs would become one name.
  if (name.includes('\ufffd')) return 'holds U+FFFD (the replacement character)';
  if (name.includes('/')) return 'holds "/"';
  // `cube:port` names a peer port: a ':' inside either name would make that ambiguous.
  if (name.includes(':')) return 'holds ":"';
  if (name === '.' || name === '..') return `is "${name}"`;
  if (name.normalize('NFC') !== name)
    return `is not in Unicode normalisation form NFC (send ${JSON.stringify(name.normalize('NFC'))})`;
  return undefined;
}

/** The full message for a name of `field` that breaks the rule, or undefined when it is valid. */
export function nameError(field: string, name: string, kind: NameKind = 'identifier'): string | undefined {
  const problem = nameProblem(name, kind);
  if (problem === undefined) return undefined;
  return `invalid ${field}: the name ${problem}; ${kind === 'label' ? LABEL_RULE : NAME_RULE}`;
}

/** The rule in one sentence, for error messages and docs. */
export const NAME_RULE =
  `names are 1 to ${NAME_MAX_BYTES} bytes of NFC-normalised UTF-8: letters, marks, digits, ` +
  'punctuation and symbols; no spaces, control or format characters, no "/" or ":", not "." or ".."';

/** The label rule: the name rule, plus inner ASCII spaces. */
export const LABEL_RULE = `${NAME_RULE.replace('no spaces', 'no spaces but inner ASCII ones')}`;

const isLoneSurrogate = (c: string): boolean => LONE_SURROGATE.test(c);

/** `U+XXXX at position N` of the first code point matching `bad` (never the raw character). */
function describeFirst(name: string, bad: (c: string) => boolean): string {
  let i = 0;
  for (const c of name) {
    if (bad(c)) {
      const cp = c.codePointAt(0) as number;
      return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} at position ${i}`;
    }
    i++;
  }
  return 'a bad character';
}
