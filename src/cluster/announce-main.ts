// lbrp-announce: announces this node's VIPs through the local BIRD while its lbrp cubes serve them
// (see announcer.ts). Withdraws on SIGTERM/SIGINT before exiting.
//
//   tsx src/cluster/announce-main.ts --rest http://127.0.0.1:9000/polycube/v1/ \
//     --bird-socket /run/bird/bird.ctl --include /etc/bird/lbrp-vips.conf [--cube lb0] [--interval 250]

import { parseArgs } from 'node:util';
import { Announcer } from './announcer';

const { values } = parseArgs({
  options: {
    rest: { type: 'string', default: 'http://127.0.0.1:9000/polycube/v1/' },
    cube: { type: 'string', multiple: true, default: [] },
    'bird-socket': { type: 'string', default: '/run/bird/bird.ctl' },
    include: { type: 'string', default: '/etc/bird/lbrp-vips.conf' },
    interval: { type: 'string', default: '250' },
  },
});

const interval = Number(values.interval);
if (!Number.isInteger(interval) || interval < 50 || interval > 60000) {
  console.error('--interval: milliseconds between 50 and 60000');
  process.exit(2);
}
const announcer = new Announcer({
  restUrl: values.rest.endsWith('/') ? values.rest : `${values.rest}/`,
  cubes: values.cube,
  birdSocket: values['bird-socket'],
  includeFile: values.include,
  intervalMs: interval,
  onChange: (vips, reason) => console.log(`announce [${vips.join(' ')}] (${reason})`),
});
announcer.start();
console.log(`lbrp-announce: polling ${values.rest} every ${interval} ms`);

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
