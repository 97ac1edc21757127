// The service the REST bench registers for lbrp's YANG until the real lbrp service exists: the
// tests' generic ConfigStore, plus a dataplane per cube (backends.c) whose `backends` hash map is
// written on every backend add and delete — so a bench request goes REST → gRPC → service →
// kernel map, as a real service's would.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigAnswer, ConfigRequest, ServiceHandler, ServiceKit } from '../../src/service-kit';
import { ConfigStore } from '../../test/fixtures/rest/config-store';
import { lbrpModule } from '../../test/fixtures/rest/rest-stack';

const PROGRAM = { 'backends.c': readFileSync(join(__dirname, 'backends.c'), 'utf8') };
const PROTOS: Record<string, number> = { TCP: 6, UDP: 17, ICMP: 1, ALL: 0 };

function ipv4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

/** `struct backend_key` of backends.c: vip, vport, proto, pad, ip (network byte order). */
function backendKey(keys: ConfigRequest['keys']): Buffer {
  const v = (name: string): string => keys.find((k) => k.name === name)?.value ?? '';
  const key = Buffer.alloc(12);
  ipv4(v('vip')).copy(key, 0);
  key.writeUInt16BE(Number(v('vport')), 4);
  key.writeUInt8(PROTOS[v('proto')] ?? 0, 6);
  ipv4(v('ip')).copy(key, 8);
  return key;
}

/** `struct backend_value`: port (be16), weight (host order, little-endian here). */
function backendValue(body: unknown): Buffer {
  const b = (body ?? {}) as { port?: number; weight?: number };
  const value = Buffer.alloc(4);
  value.writeUInt16BE(b.port ?? 0, 0);
  value.writeUInt16LE(b.weight ?? 1, 2);
  return value;
}

/** A handler for `kit` (set once the kit exists): store first, then the kernel. */
export function benchHandler(kitRef: () => ServiceKit): ServiceHandler {
  const store = new ConfigStore(lbrpModule(), { lowerCaseEnums: true });
  return {
    onConfig: async (req): Promise<ConfigAnswer> => {
      const answer = store.apply(req);
      if (answer.code !== undefined && answer.code !== 'OK') return answer;
      if (req.op === 'CREATE' && req.path === '/lbrp') {
        await kitRef().loadDataplane({ cube: req.cube, files: PROGRAM, entry: 'backends.c' });
      } else if (req.path === '/lbrp/service/backend' && !req.isCollection) {
        if (req.op === 'CREATE') {
          await kitRef().writeMaps(req.cube, [
            { map: 'backends', key: backendKey(req.keys), value: backendValue(req.body) },
          ]);
        } else if (req.op === 'DELETE') {
          await kitRef().writeMaps(req.cube, [{ map: 'backends', key: backendKey(req.keys), delete: true }]);
        }
      }
      return answer;
    },
  };
}
