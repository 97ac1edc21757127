// Reconciling a service's reply that came after its request timed out. The client was told the
// request failed; whatever the service did meanwhile is never left applied silently: a cube
// created too late is deleted again at the service (polycubed had rolled its side back), a cube
// deleted too late is removed here too, and any other late change is persisted and logged.

import type { ConfigReplyMsg, ConfigRequestMsg } from '../../proto/polycube-types';
import type { CubeRecord, CubeRegistry } from './cube-registry';
import { ErrorCode, type ConfigOp, type ConfigResult, type LogLevel } from './types';

/** What reconciling needs from the daemon. */
export interface LateReplyContext {
  readonly cubes: CubeRegistry;
  /** Sends `op` to the owning service (ConfigRouter.forward without a body). */
  forward(op: ConfigOp): Promise<ConfigResult>;
  /** Removes a cube from the kernel and the registry (CubeLifecycle.destroy). */
  destroyCube(cube: CubeRecord): void;
  /** Refreshes the cube's service configuration and persists it. */
  afterChange(cube: string): Promise<unknown>;
  log(level: LogLevel, message: string): void;
}

/**
 * Brings polycubed and `service` back in agreement after `reply` came for the timed-out `req`.
 * The caller runs it in the operation queue, so no other change interleaves.
 */
export async function reconcileLateReply(
  ctx: LateReplyContext,
  service: string,
  req: ConfigRequestMsg,
  reply: ConfigReplyMsg,
): Promise<void> {
  const what = `${req.op} ${req.path} on cube ${req.cube}`;
  if (req.op === 'READ') return;
  if (reply.code !== ErrorCode.OK) {
    ctx.log(
      'INFO',
      `service ${service} refused ${what} after its timeout (${reply.message}): nothing applied`,
    );
    return;
  }
  const wholeCube = req.path.split('/').filter(Boolean).length === 1;
  const cube = ctx.cubes.get(req.cube);
  if (wholeCube && (req.op === 'CREATE' || req.op === 'REPLACE') && !cube) {
    const res = await ctx.forward({
      op: 'DELETE',
      service,
      cube: req.cube,
      path: req.path,
      keys: [],
      isCollection: false,
    });
    const outcome =
      res.code === ErrorCode.OK
        ? 'deleted it again'
        : `could not delete it again (${res.message ?? res.code})`;
    ctx.log(
      'WARN',
      `service ${service} applied ${what} after its timeout; polycubed had rolled the cube back, so it ${outcome}`,
    );
    return;
  }
  if (!cube) return;
  if (wholeCube && req.op === 'DELETE') {
    ctx.destroyCube(cube);
    await ctx.afterChange(cube.name);
    ctx.log(
      'WARN',
      `service ${service} applied ${what} after its timeout; the cube is removed and persisted`,
    );
    return;
  }
  await ctx.afterChange(cube.name);
  ctx.log('WARN', `service ${service} applied ${what} after its timeout; the change is persisted`);
}
