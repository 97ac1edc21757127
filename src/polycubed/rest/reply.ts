// What a REST handler answers, before it reaches the socket: status, headers and body text; and
// the one place catalogue errors become HTTP answers (RESTCONF documents, plain text or empty,
// REST spec §5.1). http-transport.ts writes Replies; handlers only build them.

import { cubeError, ERRORS, type CubeError } from '../../common/errors';

/** An HTTP answer. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** Body text; "" for none. */
  body: string;
}

/** Content type of every answer of the YANG-generated resources (REST spec §5.1). */
export const YANG_JSON = 'application/yang.data+json; charset=utf-8';
/** Content type of the framework endpoints' JSON answers. */
export const PLAIN_JSON = 'application/json';
/** Content type of plain-text answers. */
export const PLAIN_TEXT = 'text/plain; charset=utf-8';

/** A JSON answer (`value` serialised compactly unless `indent` is given). */
export function jsonReply(status: number, value: unknown, contentType = YANG_JSON, indent?: number): Reply {
  return { status, headers: { 'Content-Type': contentType }, body: JSON.stringify(value, null, indent) };
}

/** A plain-text answer. */
export function textReply(status: number, text: string, contentType = PLAIN_TEXT): Reply {
  return { status, headers: { 'Content-Type': contentType }, body: text };
}

/** An answer without a body (`contentType` still sent when given, as polycubed does). */
export function emptyReply(status: number, contentType?: string): Reply {
  return { status, headers: contentType ? { 'Content-Type': contentType } : {}, body: '' };
}

/** One entry of a RESTCONF error document. */
export interface RestconfItem {
  tag: string;
  info?: string;
  /** `error-message` (RFC 8040 §7.1): why, in words; only our own checks set it. */
  message?: string;
}

/** Largest number of entries in one RESTCONF error document; the rest are counted in one more. */
export const MAX_ERROR_ITEMS = 20;

/**
 * The RESTCONF error document of REST spec §5.1: one entry per item in order, `error-info`
 * omitted when the item has none.
 */
export function restconfDocument(items: readonly RestconfItem[]): unknown {
  return {
    'ietf-restconf:errors': {
      error: items.map((i) => ({
        'error-type': 'application',
        'error-tag': i.tag,
        ...(i.info === undefined || i.info === '' ? {} : { 'error-info': i.info }),
        ...(i.message === undefined ? {} : { 'error-message': i.message }),
      })),
    },
  };
}

/**
 * Turns catalogue errors into one answer: the first error decides the status and body kind;
 * RESTCONF errors become one document holding the first MAX_ERROR_ITEMS RESTCONF errors given,
 * plus one `operation-failed` entry counting the rest and `omitted` (errors a stage already left
 * out), so a hostile body cannot amplify the reply. `contentType`, when
 * given, is sent whatever the body (YANG_JSON for generated resources, REST spec §5.1); otherwise
 * documents are YANG_JSON and texts PLAIN_TEXT.
 */
export function errorReply(errors: readonly CubeError[], contentType?: string, omitted = 0): Reply {
  const first = errors[0];
  const def = ERRORS[first.code];
  switch (def.body) {
    case 'restconf': {
      const restconf = errors.filter((e) => ERRORS[e.code].body === 'restconf');
      const items: RestconfItem[] = restconf.slice(0, MAX_ERROR_ITEMS).map((e) => ({
        tag: ERRORS[e.code].tag as string,
        ...(e.info !== undefined ? { info: e.info } : {}),
        ...(e.detail !== undefined ? { message: e.detail } : {}),
      }));
      const more = restconf.length - items.length + omitted;
      if (more > 0) {
        const summary = cubeError('CUBE_ERR_MORE_ERRORS', { count: more, shown: MAX_ERROR_ITEMS });
        items.push({ tag: ERRORS[summary.code].tag as string, message: summary.message });
      }
      return jsonReply(def.status, restconfDocument(items), contentType ?? YANG_JSON);
    }
    case 'text':
      return textReply(def.status, first.message, contentType ?? PLAIN_TEXT);
    case 'empty':
      return emptyReply(def.status, contentType);
  }
}
