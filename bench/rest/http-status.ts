// One request on a keep-alive agent to polycubed's REST API on 127.0.0.1; resolves with the status
// once the body is drained. Shared by the REST bench's rows.

import * as http from 'node:http';

/** `body`: a string as it is, anything else as JSON; none for undefined. */
export function requestStatus(
  agent: http.Agent,
  port: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}
