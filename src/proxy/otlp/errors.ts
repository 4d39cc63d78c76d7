/** A request the receiver refuses: the HTTP status and the message of the OTLP `Status` answer. */
export class OtlpRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "OtlpRequestError";
  }
}

/** google.rpc.Code values OTLP/HTTP error bodies use. */
export const RPC_INVALID_ARGUMENT = 3;
export const RPC_INTERNAL = 13;
export const RPC_UNAUTHENTICATED = 16;
