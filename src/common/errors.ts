// The error catalogue: every expected failure of the project as a stable CUBE_ERR_* code with its
// message template, RESTCONF error-tag and HTTP status (STYLE §5). Layers return CubeError values;
// only src/polycubed/rest and src/polycubed/grpc turn them into HTTP or gRPC answers.
// docs/errors.md lists the same codes; test/unit/common/errors.test.ts keeps both in step.

/** RESTCONF `error-tag` values polycubed answers with (REST spec §5.1, RFC 8040 §7). */
export type RestconfTag =
  | 'invalid-value'
  | 'missing-attribute'
  | 'bad-attribute'
  | 'bad-element'
  | 'data-exists'
  | 'data-missing'
  | 'operation-not-supported'
  | 'malformed-message'
  | 'operation-failed';

/** How an error goes on the wire: a RESTCONF error document, the message as plain text, or nothing. */
export type ErrorBody = 'restconf' | 'text' | 'empty';

/** One catalogue entry. */
export interface ErrorDef {
  /** HTTP status polycubed answers with. */
  status: number;
  /** RESTCONF error-tag, for `restconf` bodies. */
  tag?: RestconfTag;
  body: ErrorBody;
  /**
   * Message template; `{name}` placeholders are filled from the params. For `text` bodies this is
   * the exact wire text the REST spec fixes (polycubectl users see it verbatim, so its case is the
   * spec's); for the others it is what the log line says.
   */
  message: string;
  /** RESTCONF entries of this code carry the filled message as `error-message` (RFC 8040 §7.1). */
  detail?: true;
}

/** The catalogue. Codes are stable: never renumber or reuse one; add new ones at the end of a group. */
const CATALOGUE = {
  // ---- request validation (REST spec §5.1–§5.2): RESTCONF documents, `info` = member or key name
  CUBE_ERR_INVALID_VALUE: {
    status: 400,
    tag: 'invalid-value',
    body: 'restconf',
    message: 'unknown, read-only or init-only member "{info}" at {path}',
  },
  CUBE_ERR_MISSING_ATTRIBUTE: {
    status: 400,
    tag: 'missing-attribute',
    body: 'restconf',
    message: 'missing member "{info}" at {path}',
  },
  CUBE_ERR_BAD_ATTRIBUTE: {
    status: 400,
    tag: 'bad-attribute',
    body: 'restconf',
    message: 'invalid value of "{info}" at {path}: wrong type, pattern, enum, range or length',
  },
  CUBE_ERR_BAD_ELEMENT: {
    status: 400,
    tag: 'bad-element',
    body: 'restconf',
    message: 'invalid list key "{info}" in path {path}',
  },
  CUBE_ERR_MALFORMED_BODY: {
    status: 400,
    tag: 'malformed-message',
    body: 'restconf',
    detail: true,
    message: 'the body is not valid JSON: {reason}',
  },
  CUBE_ERR_DUPLICATE_MEMBER: {
    status: 400,
    tag: 'malformed-message',
    body: 'restconf',
    detail: true,
    message: 'duplicate member "{info}" in the object at {pointer} of the body',
  },
  CUBE_ERR_BODY_TOO_DEEP: {
    status: 400,
    tag: 'malformed-message',
    body: 'restconf',
    detail: true,
    message: 'the body nests arrays and objects deeper than {depth} levels (at {pointer})',
  },
  CUBE_ERR_MORE_ERRORS: {
    status: 400,
    tag: 'operation-failed',
    body: 'restconf',
    detail: true,
    message: '{count} more errors not listed; only the first {shown} are',
  },
  CUBE_ERR_BAD_NAME: {
    status: 400,
    tag: 'bad-attribute',
    body: 'restconf',
    detail: true,
    message: '{message}',
  },
  CUBE_ERR_DATA_EXISTS: {
    status: 409,
    tag: 'data-exists',
    body: 'restconf',
    message: '{path} already exists',
  },
  CUBE_ERR_DATA_MISSING: {
    status: 409,
    tag: 'data-missing',
    body: 'restconf',
    message: '{path} does not exist',
  },
  CUBE_ERR_OPERATION_NOT_SUPPORTED: {
    status: 405,
    tag: 'operation-not-supported',
    body: 'restconf',
    message: 'operation not supported on {path}',
  },

  // ---- routing and transport (REST spec §1.3, §1.4, §5.1): plain text
  CUBE_ERR_NO_ROUTE: { status: 404, body: 'text', message: 'Cannot find a matching route.' },
  CUBE_ERR_NO_CUBE: { status: 404, body: 'text', message: 'No cube found named {cube}' },
  CUBE_ERR_METHOD_NOT_ALLOWED: { status: 405, body: 'text', message: 'Method Not Allowed' },
  CUBE_ERR_BODY_TOO_LARGE: { status: 413, body: 'text', message: 'Request exceeded maximum buffer size' },
  CUBE_ERR_HELP_REFUSED: { status: 400, body: 'empty', message: 'no help for {path}: {reason}' },

  // ---- access control and client limits (SECURITY.md): plain text, answered before routing
  CUBE_ERR_HOST_REFUSED: {
    status: 403,
    body: 'text',
    message:
      'host "{host}" is refused: the API answers to loopback names, the address it was reached on and --allowed-host names (DNS rebinding guard)',
  },
  CUBE_ERR_ORIGIN_REFUSED: {
    status: 403,
    body: 'text',
    message:
      'origin "{origin}" is refused: only --allowed-origin web origins may send requests (cross-site request guard)',
  },
  CUBE_ERR_CONTENT_TYPE: {
    status: 415,
    body: 'text',
    message:
      'content type "{type}" is refused: a request body must be JSON (application/json) or YAML (application/yaml, text/yaml, application/x-yaml)',
  },
  CUBE_ERR_WRITE_FORBIDDEN: {
    status: 403,
    body: 'text',
    message:
      'permission denied: {who} may not change the configuration (writers: root and members of group "{group}")',
  },
  CUBE_ERR_READ_FORBIDDEN: {
    status: 403,
    body: 'text',
    message:
      'permission denied: {who} may not read the configuration (--read-access writers: root and members of group "{group}")',
  },
  CUBE_ERR_PEER_UNKNOWN: {
    status: 403,
    body: 'text',
    message: 'permission denied: no local process holds the client socket {peer}, so its user is unknown',
  },
  CUBE_ERR_CERT_REFUSED: {
    status: 403,
    body: 'text',
    message: 'permission denied: the client certificate {why}',
  },
  CUBE_ERR_TOO_BUSY: {
    status: 503,
    body: 'text',
    message: 'too many requests in progress (limit {limit}): retry later',
  },

  // ---- service and daemon outcomes (REST spec §5.1, §6.2): plain text
  CUBE_ERR_SERVICE_FAILED: { status: 500, body: 'text', message: '{message}' },
  CUBE_ERR_SERVICE_UNAVAILABLE: { status: 503, body: 'text', message: '{message}' },
  CUBE_ERR_INTERNAL: { status: 500, body: 'text', message: 'internal error: {message}' },
  CUBE_ERR_KERNEL_MEMORY_BUDGET: {
    status: 500,
    body: 'text',
    message:
      'cube {cube} needs {need} bytes of kernel memory for its maps (largest: {maps}), but only {free} of the {budget}-byte kernel memory budget are free ({used} taken by other cubes; polycubed --kernel-memory-budget)',
  },

  // ---- framework endpoints (REST spec §4.5): plain text, status 400
  CUBE_ERR_BAD_REQUEST: { status: 400, body: 'text', message: '{message}' },
  CUBE_ERR_SERVICE_NOT_FOUND: { status: 400, body: 'text', message: 'Service Controller does not exist' },
  CUBE_ERR_SERVICE_EXISTS: { status: 400, body: 'text', message: 'Service Controller already exists' },
  CUBE_ERR_SERVICE_NOT_LOADABLE: {
    status: 400,
    body: 'text',
    message:
      'Cannot load service {name}: this polycubed has no library services; a service registers itself by connecting to the gRPC endpoint',
  },
  CUBE_ERR_SERVICE_NOT_REMOVABLE: {
    status: 400,
    body: 'text',
    message: 'Service {name} is a remote service: stop its process to unregister it',
  },
  CUBE_ERR_CUBE_NOT_FOUND: { status: 400, body: 'text', message: 'Cube does not exist' },
  CUBE_ERR_CUBE_CREATE: { status: 400, body: 'text', message: 'Error creating cube: {name}{messages}' },
  CUBE_ERR_NETDEV_NOT_FOUND: { status: 400, body: 'text', message: 'netdev {name} does not exist' },
  CUBE_ERR_FIELD_MISSING: { status: 400, body: 'text', message: '{field} is missing' },
  CUBE_ERR_ATTACH_OPTIONS: {
    status: 400,
    body: 'text',
    message: '{first} and {second} cannot be used together',
  },
  CUBE_ERR_NOT_TRANSPARENT: { status: 400, body: 'text', message: 'Cube {cube} is not transparent' },

  // ---- the lbrp service (runtime spec §5.4–§5.10, REST spec §5.3): plain text, status 500.
  // Texts of the C++ lbrp are kept verbatim (typos included: polycubectl users match on them).
  CUBE_ERR_LBRP_NO_CUBE: { status: 500, body: 'text', message: 'Cube {cube} does not exist' },
  CUBE_ERR_LBRP_MAX_PORTS: { status: 500, body: 'text', message: 'Reached maximum number of ports' },
  CUBE_ERR_LBRP_FRONTEND_EXISTS: {
    status: 500,
    body: 'text',
    message: 'There is already a FRONTEND port. Only a FRONTEND port is allowed in SINGLE port mode',
  },
  CUBE_ERR_LBRP_FRONTEND_IP_SINGLE: {
    status: 500,
    body: 'text',
    message: 'The ip address in not allow in SINGLE port mode for a FRONTEND port',
  },
  CUBE_ERR_LBRP_BACKEND_EXISTS: { status: 500, body: 'text', message: 'There is already a BACKEND port' },
  CUBE_ERR_LBRP_BACKEND_IP: {
    status: 500,
    body: 'text',
    message: 'The ip address in not allowed in BACKEND port',
  },
  CUBE_ERR_LBRP_FRONTEND_IP_MANDATORY: {
    status: 500,
    body: 'text',
    message: 'The IP address is mandatory in MULTI port mode for a FRONTEND port',
  },
  CUBE_ERR_LBRP_FRONTEND_IP_EXISTS: {
    status: 500,
    body: 'text',
    message: 'A FRONTEND port with the provided IP address ({ip}) already exist',
  },
  CUBE_ERR_LBRP_PORT_TYPE_CHANGE: {
    status: 500,
    body: 'text',
    message: 'Error: Port type cannot be changed at runtime.',
  },
  CUBE_ERR_LBRP_PORT_MODE_CHANGE: {
    status: 500,
    body: 'text',
    message: 'Port mode cannot be changed at runtime',
  },
  CUBE_ERR_LBRP_SERVICE_EXISTS: { status: 500, body: 'text', message: 'This service already exists' },
  CUBE_ERR_LBRP_NO_ENTRY: {
    status: 500,
    body: 'text',
    message: 'There are no entries associated with that key',
  },
  CUBE_ERR_LBRP_ICMP_VPORT: {
    status: 500,
    body: 'text',
    message: 'ICMP Service requires 0 as virtual port. Since this parameter is useless for ICMP services',
  },
  CUBE_ERR_LBRP_BACKEND_EXISTS_IN_SERVICE: {
    status: 500,
    body: 'text',
    message: 'Backend {ip} already exists in the service map',
  },
  CUBE_ERR_LBRP_WEIGHT_RANGE: {
    status: 500,
    body: 'text',
    message: 'Variable weight is in a wrong range. Supported range is from 0 to 65535',
  },
  CUBE_ERR_LBRP_REWRITE_MASKS: { status: 500, body: 'text', message: 'both masks have to be the same' },
  CUBE_ERR_LBRP_REWRITE_SAME_NETWORK: {
    status: 500,
    body: 'text',
    message: 'ip-range and new_ip_range must be different networks, both are {range}',
  },
  CUBE_ERR_LBRP_CAPACITY: {
    status: 500,
    body: 'text',
    message: 'cube {cube} is full: {detail}',
  },
  CUBE_ERR_LBRP_DATAPLANE: {
    status: 500,
    body: 'text',
    message: 'cannot load the dataplane of cube {cube}: {detail}',
  },
  CUBE_ERR_LBRP_UNSUPPORTED: { status: 500, body: 'text', message: 'Method not supported' },
  CUBE_ERR_LBRP_SESSION_TABLE_SIZE: {
    status: 500,
    body: 'text',
    message: 'session-table-size must be a power of two, got {value}',
  },
  CUBE_ERR_LBRP_KERNEL_MEMORY: {
    status: 500,
    body: 'text',
    message:
      'cube {cube} does not fit in the kernel memory budget: it needs {need} bytes, {free} of the {budget}-byte budget are free ({used} taken by other cubes); {field} = {value} takes {bytes} bytes of it ({sizes}): lower {field} or raise polycubed --kernel-memory-budget',
  },
  CUBE_ERR_LBRP_HEALTH_CHECK: {
    status: 400,
    tag: 'bad-attribute',
    body: 'restconf',
    detail: true,
    message: 'invalid health-check {info}: {message}',
  },
  CUBE_ERR_LBRP_ROUTED: {
    status: 400,
    tag: 'bad-attribute',
    body: 'restconf',
    detail: true,
    message: 'invalid {info} in ROUTED port mode: {message}',
  },
} as const satisfies Record<string, ErrorDef>;

/** A catalogue code. */
export type CubeErrorCode = keyof typeof CATALOGUE;

/** Every catalogue entry by code. */
export const ERRORS: Readonly<Record<CubeErrorCode, ErrorDef>> = CATALOGUE;

/**
 * The RESTCONF tags a configuration request can fail with, each with its catalogue code and its
 * name on the polycubed ⇄ service wire (proto `ErrorCode`): the one table the REST layer, the
 * daemon and services translate through, in every direction.
 */
export const REQUEST_TAGS = {
  'invalid-value': { code: 'CUBE_ERR_INVALID_VALUE', wire: 'INVALID_VALUE' },
  'missing-attribute': { code: 'CUBE_ERR_MISSING_ATTRIBUTE', wire: 'MISSING_ATTRIBUTE' },
  'bad-attribute': { code: 'CUBE_ERR_BAD_ATTRIBUTE', wire: 'BAD_ATTRIBUTE' },
  'bad-element': { code: 'CUBE_ERR_BAD_ELEMENT', wire: 'BAD_ELEMENT' },
  'data-exists': { code: 'CUBE_ERR_DATA_EXISTS', wire: 'DATA_EXISTS' },
  'data-missing': { code: 'CUBE_ERR_DATA_MISSING', wire: 'DATA_MISSING' },
  'operation-not-supported': { code: 'CUBE_ERR_OPERATION_NOT_SUPPORTED', wire: 'NOT_SUPPORTED' },
} as const satisfies Partial<Record<RestconfTag, { code: CubeErrorCode; wire: string }>>;

/** A tag of REQUEST_TAGS. */
export type RequestTag = keyof typeof REQUEST_TAGS;
/** The wire name of a request tag. */
export type RequestTagWire = (typeof REQUEST_TAGS)[RequestTag]['wire'];

/** The REQUEST_TAGS entry of a tag, or undefined for tags that are not request failures. */
export function requestTag(tag: RestconfTag): (typeof REQUEST_TAGS)[RequestTag] | undefined {
  return (REQUEST_TAGS as Partial<Record<RestconfTag, (typeof REQUEST_TAGS)[RequestTag]>>)[tag];
}

/** An expected failure, as a value. */
export interface CubeError {
  code: CubeErrorCode;
  /** The filled-in message template. */
  message: string;
  /** RESTCONF `error-info` (member or key name), when the error names one. */
  info?: string;
  /** RESTCONF `error-message`: set for `detail` codes, or the reason a service gave for a refusal. */
  detail?: string;
}

/** A value or the error that prevented it (STYLE §5: expected failures are values). */
export type Result<T> = { ok: true; value: T } | { ok: false; error: CubeError };

/** Fills `{name}` placeholders of `template`; unknown placeholders stay as written. */
export function formatMessage(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{([a-z]+)\}/gi, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/**
 * Returns the CubeError of `code` with its message filled from `params`; `params.info`, when
 * given, also becomes the error's RESTCONF `error-info`.
 */
export function cubeError(code: CubeErrorCode, params: Record<string, string | number> = {}): CubeError {
  const err: CubeError = { code, message: formatMessage(ERRORS[code].message, params) };
  if (params.info !== undefined) err.info = String(params.info);
  if (ERRORS[code].detail) err.detail = err.message;
  return err;
}

/** The catalogue entry of an error. */
export function errorDef(code: CubeErrorCode): ErrorDef {
  return ERRORS[code];
}
