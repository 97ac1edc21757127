// Defaults that more than one program relies on, each written once.

/** The unix socket polycubed serves gRPC on, and where the lbrp service looks for it. */
export const DEFAULT_GRPC_SOCKET = '/run/lbrp/polycubed.sock';
