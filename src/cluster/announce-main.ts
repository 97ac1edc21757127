// lbrp-announce: announces this node's VIPs through the local BIRD while its lbrp cubes serve them
// (see announcer.ts). Withdraws on SIGTERM/SIGINT before exiting; if it dies any other way
// (SIGKILL, a crash), its liveness link vanishes with it and BIRD withdraws the routes itself.
//
//   tsx src/cluster/announce-main.ts --rest http://127.0.0.1:9000/polycube/v1/ \
//     --bird-socket /run/bird/bird.ctl --include /etc/bird/lbrp-vips.conf [--cube lb0] [--interval 250] \
//     [--liveness-link NAME | --liveness-link none]

import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Announcer } from './announcer';
import { LINK_NAME } from './bird-include';
import { LivenessLink } from './liveness-link';

const { values } = parseArgs({
  options: {
    rest: { type: 'string', default: 'http://127.0.0.1:9000/polycube/v1/' },
    cube: { type: 'string', multiple: true, default: [] },
    'bird-socket': { type: 'string', default: '/run/bird/bird.ctl' },
    include: { type: 'string', default: '/etc/bird/lbrp-vips.conf' },
    interval: { type: 'string', default: '250' },
    'liveness-link': { type: 'string' },
  },
});

const interval = Number(values.interval);
if (!Number.isInteger(interval) || interval < 50 || interval > 60000) {
  console.error('--interval: milliseconds between 50 and 60000');
  process.exit(2);
}
// One link per include file: a second announcer for the same file finds the name taken (EBUSY).
const linkName =
  values['liveness-link'] ??
  `lbrpa${createHash('sha256').update(resolve(values.include)).digest('hex').slice(0, 8)}`;
if (linkName !== 'none' && !LINK_NAME.test(linkName)) {
  console.error('--liveness-link: an interface name of 1-15 characters [A-Za-z0-9_.-], or none');
  process.exit(2);
}
let link: LivenessLink | undefined;
if (linkName !== 'none') {
  try {
    link = LivenessLink.open(linkName);
  } catch (e) {
    console.error(`--liveness-link ${linkName}: ${(e as Error).message}`);
    console.error('(--liveness-link none announces blackhole routes, which outlive a killed announcer)');
    process.exit(1);
  }
}
const announcer = new Announcer({
  restUrl: values.rest.endsWith('/') ? values.rest : `${values.rest}/`,
  cubes: values.cube,
  birdSocket: values['bird-socket'],
  includeFile: values.include,
  intervalMs: interval,
  livenessLink: link?.name,
  onChange: (vips, reason) => console.log(`announce [${vips.join(' ')}] (${reason})`),
});
announcer.start();
console.log(
  `lbrp-announce: polling ${values.rest} every ${interval} ms; liveness link ${link?.name ?? 'none (blackhole routes)'}`,
);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  announcer
    .stop()
    .catch((e: Error) => console.error(`withdraw failed: ${e.message}`))
    .finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
