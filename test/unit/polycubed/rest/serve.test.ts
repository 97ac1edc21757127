// startRestServer checks its options like the command line does: a program embedding the REST
// server cannot open a routable listener without client certificates by accident.

import type { RestDaemon } from '../../../../src/polycubed/rest/rest-context';
import { startRestServer } from '../../../../src/polycubed/rest/serve';

describe('startRestServer', () => {
  it('refuses a non-loopback address without client certificates', async () => {
    await expect(startRestServer({} as RestDaemon, { addr: '0.0.0.0', port: 0 })).rejects.toThrow(
      /^refusing to listen on 0\.0\.0\.0 without client certificates/,
    );
  });
});
