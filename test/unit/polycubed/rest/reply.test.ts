// Replies: JSON, text and empty answers with their content types, the RESTCONF error document
// (error-info only when there is one), and catalogue errors turned into HTTP answers, where the
// first error decides status and body kind.

import { cubeError } from '../../../../src/common/errors';
import {
  emptyReply,
  errorReply,
  jsonReply,
  PLAIN_JSON,
  PLAIN_TEXT,
  restconfDocument,
  textReply,
  YANG_JSON,
} from '../../../../src/polycubed/rest/reply';

describe('replies', () => {
  // JSON answers are compact unless asked to indent, and YANG JSON unless told otherwise.
  it('builds JSON, text and empty answers with their content types', () => {
    expect(jsonReply(200, { a: [1] })).toEqual({
      status: 200,
      headers: { 'Content-Type': 'application/yang.data+json; charset=utf-8' },
      body: '{"a":[1]}',
    });
    expect(jsonReply(201, { a: 1 }, PLAIN_JSON, 2)).toEqual({
      status: 201,
      headers: { 'Content-Type': 'application/json' },
      body: '{\n  "a": 1\n}',
    });
    expect(textReply(500, 'boom')).toEqual({
      status: 500,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: 'boom',
    });
    expect(textReply(400, 'x', YANG_JSON).headers).toEqual({ 'Content-Type': YANG_JSON });
    expect(emptyReply(204)).toEqual({ status: 204, headers: {}, body: '' });
    expect(emptyReply(400, PLAIN_TEXT)).toEqual({
      status: 400,
      headers: { 'Content-Type': PLAIN_TEXT },
      body: '',
    });
  });

  // One entry per item in order; an empty or absent info leaves error-info out.
  it('writes the RESTCONF error document', () => {
    expect(
      restconfDocument([{ tag: 'data-exists', info: '/x' }, { tag: 'bad-element', info: '' }, { tag: 'a' }]),
    ).toEqual({
      'ietf-restconf:errors': {
        error: [
          { 'error-type': 'application', 'error-tag': 'data-exists', 'error-info': '/x' },
          { 'error-type': 'application', 'error-tag': 'bad-element' },
          { 'error-type': 'application', 'error-tag': 'a' },
        ],
      },
    });
  });
});

describe('errorReply', () => {
  // Several RESTCONF errors share one document; text errors mixed in are not part of it.
  it('gathers every RESTCONF error into one document with the first error’s status', () => {
    const r = errorReply([
      cubeError('CUBE_ERR_DATA_MISSING', { path: '/a' }),
      cubeError('CUBE_ERR_NO_ROUTE'),
      cubeError('CUBE_ERR_DATA_EXISTS', { path: '/b', info: 'b' }),
    ]);
    expect(r.status).toBe(409);
    expect(r.headers).toEqual({ 'Content-Type': YANG_JSON });
    expect(JSON.parse(r.body)).toEqual({
      'ietf-restconf:errors': {
        error: [
          { 'error-type': 'application', 'error-tag': 'data-missing' },
          { 'error-type': 'application', 'error-tag': 'data-exists', 'error-info': 'b' },
        ],
      },
    });
    expect(errorReply([cubeError('CUBE_ERR_DATA_MISSING', { path: '/a' })], PLAIN_JSON).headers).toEqual({
      'Content-Type': PLAIN_JSON,
    });
  });

  // A text error answers its message as plain text (or the content type asked for).
  it('answers a text error with its message', () => {
    expect(
      errorReply([cubeError('CUBE_ERR_NO_CUBE', { cube: 'lb9' }), cubeError('CUBE_ERR_DATA_MISSING')]),
    ).toEqual({
      status: 404,
      headers: { 'Content-Type': PLAIN_TEXT },
      body: 'No cube found named lb9',
    });
    expect(errorReply([cubeError('CUBE_ERR_NO_ROUTE')], YANG_JSON).headers).toEqual({
      'Content-Type': YANG_JSON,
    });
  });

  // An empty-body error sends only its status, and the content type only when given.
  it('answers an empty-body error without a body', () => {
    const e = cubeError('CUBE_ERR_HELP_REFUSED', { path: '/x', reason: 'y' });
    expect(errorReply([e])).toEqual({ status: 400, headers: {}, body: '' });
    expect(errorReply([e], YANG_JSON)).toEqual({
      status: 400,
      headers: { 'Content-Type': YANG_JSON },
      body: '',
    });
  });
});
