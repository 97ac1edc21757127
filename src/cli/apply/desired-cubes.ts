// Reads the desired configuration of `polycubectl apply`: YAML or JSON text holding one cube
// object, an array of cube objects, or several YAML documents of either. Every cube names its
// service (`service-name`) and itself (`name`), as in `polycubectl <cube> show -yaml` output and
// in polycubed's cubes dump. Pure (the caller reads the files).

import { parseAllDocuments } from 'yaml';

/** A JSON object as read from the file. */
export type JsonObject = { [member: string]: unknown };

/** One cube of the file. */
export interface DesiredCube {
  service: string;
  name: string;
  /** Every member of the cube object, as written (service-name and name included). */
  config: JsonObject;
  /** Where it came from, for messages ("lb.yaml, document 1"). */
  origin: string;
}

/** Result of reading: cubes, or every problem found. */
export type DesiredResult = { ok: true; cubes: DesiredCube[] } | { ok: false; errors: string[] };

export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses the texts of the given files (`source` names each in messages); cube names must be unique. */
export function readDesiredCubes(inputs: readonly { text: string; source: string }[]): DesiredResult {
  const errors: string[] = [];
  const cubes: DesiredCube[] = [];
  for (const { text, source } of inputs) readOne(text, source, cubes, errors);
  const seen = new Map<string, string>();
  for (const c of cubes) {
    const first = seen.get(c.name);
    if (first !== undefined) errors.push(`${c.origin}: cube "${c.name}" is also defined in ${first}`);
    else seen.set(c.name, c.origin);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, cubes };
}

function readOne(text: string, source: string, cubes: DesiredCube[], errors: string[]): void {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, d) => {
    const where = list.length > 1 ? `${source}, document ${d + 1}` : source;
    if (doc.errors.length > 0) {
      errors.push(...doc.errors.map((e) => `${where}: ${e.message.split('\n')[0]}`));
      return;
    }
    let value: unknown;
    try {
      // The yaml package refuses (throws) past 100 weighted alias expansions: an alias bomb.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      errors.push(`${where}: ${(e as Error).message}`);
      return;
    }
    if (value === null || value === undefined) return;
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      const at = Array.isArray(value) ? `${where}, item ${i + 1}` : where;
      if (!isJsonObject(item)) {
        errors.push(`${at}: expected a cube object, found ${Array.isArray(item) ? 'an array' : typeof item}`);
        return;
      }
      const service = item['service-name'];
      const name = item.name;
      if (typeof service !== 'string' || service === '')
        errors.push(`${at}: "service-name" is required (the cube's service, e.g. lbrp)`);
      if (typeof name !== 'string' || name === '') errors.push(`${at}: "name" is required (the cube's name)`);
      if (typeof service === 'string' && service !== '' && typeof name === 'string' && name !== '')
        cubes.push({ service, name, config: item, origin: at });
    });
  });
}
