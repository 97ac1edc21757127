// src-ip-rewrite rules (runtime spec §5.8, fixed): both ranges must have the same prefix length
// ("both masks have to be the same") and be different networks; a refused change stores nothing.
// The ranges are kept as the user wrote them; the kernel entries use them masked to the network.

import type { Result } from '../../common/errors';
import { fail, ok, present, type CubeModel, type SrcIpRewriteModel } from './cube-model';
import { parsePrefix, type Ipv4Prefix } from './ipv4';

/** What a request says (the generated SrcIpRewrite class fits). */
export interface SrcIpRewriteInput {
  ipRange?: string;
  newIpRange?: string;
}

/** Both ranges, masked, when the rewrite is complete (set and valid); else undefined. */
export function activeRewrite(r: SrcIpRewriteModel): { from: Ipv4Prefix; to: Ipv4Prefix } | undefined {
  const from = r.ipRange === undefined ? undefined : parsePrefix(r.ipRange);
  const to = r.newIpRange === undefined ? undefined : parsePrefix(r.newIpRange);
  return from && to ? { from, to } : undefined;
}

function validate(r: SrcIpRewriteModel): Result<SrcIpRewriteModel> {
  for (const [member, value] of [
    ['ip-range', r.ipRange],
    ['new_ip_range', r.newIpRange],
  ] as const) {
    if (value !== undefined && !parsePrefix(value))
      return fail('CUBE_ERR_BAD_ATTRIBUTE', { info: member, path: '/lbrp/src-ip-rewrite' });
  }
  const both = activeRewrite(r);
  if (both && both.from.prefixLen !== both.to.prefixLen) return fail('CUBE_ERR_LBRP_REWRITE_MASKS');
  if (both && both.from.net === both.to.net)
    return fail('CUBE_ERR_LBRP_REWRITE_SAME_NETWORK', { range: `${both.from.net}/${both.from.prefixLen}` });
  return ok(r);
}

function build(ipRange: string | undefined, newIpRange: string | undefined): SrcIpRewriteModel {
  return {
    ...(ipRange !== undefined ? { ipRange } : {}),
    ...(newIpRange !== undefined ? { newIpRange } : {}),
  };
}

/** PATCH: the members given replace the stored ones ("" clears one). */
export function updateSrcIpRewrite(model: CubeModel, input: SrcIpRewriteInput): Result<CubeModel> {
  const cur = model.srcIpRewrite;
  const next = build(
    input.ipRange !== undefined ? present(input.ipRange) : cur.ipRange,
    input.newIpRange !== undefined ? present(input.newIpRange) : cur.newIpRange,
  );
  const r = validate(next);
  return r.ok ? ok({ ...model, srcIpRewrite: r.value }) : r;
}

/** POST/PUT: the container becomes exactly what is given. */
export function replaceSrcIpRewrite(model: CubeModel, input: SrcIpRewriteInput): Result<CubeModel> {
  const r = validate(build(present(input.ipRange), present(input.newIpRange)));
  return r.ok ? ok({ ...model, srcIpRewrite: r.value }) : r;
}

/** DELETE: no rewrite any more (its kernel entries go too — Polycube bug 5). */
export function deleteSrcIpRewrite(model: CubeModel): Result<CubeModel> {
  return ok({ ...model, srcIpRewrite: {} });
}
