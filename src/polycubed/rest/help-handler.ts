// OPTIONS on the routes generated from a service's YANG (REST spec §3): `?help=<TYPE>` answers
// and `&completion` word lists, from codegen's help tables plus live entries (`elements`) read
// through Daemon.execute. Refusals are 400 with an empty body, as polycubectl expects.

import {
  HELP_TYPES,
  buildCompletion,
  buildCubeElements,
  buildElements,
  buildHelp,
  type HelpAnswer,
  type HelpElement,
  type HelpType,
  type IrList,
  type RouteRow,
} from 'yang-ts-codegen';
import { cubeError } from '../../common/errors';
import { readPathKeys } from './config-request';
import { decodeKeySegment, queryValue, type QueryParam } from './request-path';
import { YANG_JSON, errorReply, jsonReply, type Reply } from './reply';
import type { RestContext } from './rest-context';

/** The help request of a query: its type (NONE when absent) and whether completion was asked. */
export function helpRequest(query: readonly QueryParam[]): { type?: HelpType; completion: boolean } {
  const raw = (queryValue(query, 'help') ?? 'NONE').toUpperCase();
  const type = HELP_TYPES.find((t) => t === raw);
  return { type, completion: query.some((p) => p.name === 'completion') };
}

/** Reads the entries of `list` (the collection the route addresses) for `elements`; [] on failure. */
async function readEntries(
  ctx: RestContext,
  row: RouteRow,
  list: IrList,
  params: Record<string, string>,
  service: string,
): Promise<Record<string, unknown>[]> {
  const ancestors = { ...row, params: row.params.filter((p) => p.list !== list) } as RouteRow;
  const keys = readPathKeys(ancestors, params, false);
  if (!keys.ok) return [];
  const result = await ctx.daemon.execute({
    op: 'READ',
    service,
    cube: params.name ?? '',
    path: list.path,
    keys: keys.value.keys,
    isCollection: true,
  });
  if (result.code !== 'OK' || !Array.isArray(result.body)) return [];
  return result.body.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null);
}

/** Live entries of the collection a route addresses (cubes for the service), else []. */
async function elementsOf(
  ctx: RestContext,
  row: RouteRow,
  params: Record<string, string>,
  service: string,
): Promise<HelpElement[]> {
  switch (row.kind) {
    case 'service':
      return buildCubeElements(ctx.daemon.cubes(service).map((c) => c.name));
    case 'list':
    case 'key-prefix':
      return buildElements(row.node, await readEntries(ctx, row, row.node, params, service));
    default:
      return [];
  }
}

/** Key values already in the path of a key-prefix route, decoded, in key order. */
function prefixKeys(row: RouteRow, params: Record<string, string>): string[] {
  if (row.kind !== 'key-prefix') return [];
  return row.params
    .filter((p) => p.list === row.node)
    .map((p) => decodeKeySegment(params[p.param] ?? '') ?? '');
}

/**
 * `answer` with the members polycubectl dereferences without checking (REST spec §3.3 "required
 * members": ADD → params and optional-params, SET → params, DEL → params unless there are
 * elements) added as `{}` where missing — polycubed sends `{}` for `add ?` on a container and the
 * real client panics on it. Member order stays commands, params, optional-params, elements, actions.
 */
export function withRequiredMembers(type: HelpType, answer: HelpAnswer): HelpAnswer {
  const needParams = type === 'ADD' || type === 'SET' || (type === 'DEL' && !answer.elements?.length);
  const needOptional = type === 'ADD';
  if ((!needParams || answer.params) && (!needOptional || answer['optional-params'])) return answer;
  const out: HelpAnswer = {};
  if (answer.commands) out.commands = answer.commands;
  out.params = answer.params ?? {};
  if (needOptional || answer['optional-params']) out['optional-params'] = answer['optional-params'] ?? {};
  if (answer.elements) out.elements = answer.elements;
  if (answer.actions) out.actions = answer.actions;
  return out;
}

/** Answers OPTIONS on a generated route. */
export async function handleHelp(
  ctx: RestContext,
  row: RouteRow,
  params: Record<string, string>,
  query: readonly QueryParam[],
  service: string,
): Promise<Reply> {
  const { type, completion } = helpRequest(query);
  const refuse = (reason: string): Reply =>
    errorReply([cubeError('CUBE_ERR_HELP_REFUSED', { path: row.path, reason })], YANG_JSON);
  if (type === undefined) return refuse(`unknown help type "${queryValue(query, 'help')}"`);
  if (row.kind === 'leaf' && !completion) return refuse('leaves answer only completion requests');
  const elements = await elementsOf(ctx, row, params, service);
  if (completion) {
    return jsonReply(200, buildCompletion(row, type, { elements, pathKeys: prefixKeys(row, params) }));
  }
  const help = buildHelp(row, type, elements);
  return help.ok ? jsonReply(200, withRequiredMembers(type, help.answer)) : refuse(help.reason);
}
