// Watches a transport's traffic before the SDK Client sees it: outgoing request ids, incoming progress.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCNotification,
  isJSONRPCRequest,
  type Progress,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

export interface TransportTaps {
  /** Every request as it is sent; Protocol.request() sends synchronously, so the caller is known. */
  onRequestSent(id: RequestId): void;
  /** Progress in arrival order: the SDK handles notifications a microtask late, after a response
   *  that follows at once, and then drops the call's last progress; this tap sees it first. */
  onProgress(token: unknown, progress: Progress): void;
}

/** Install before `client.connect()`: Protocol chains to an `onmessage` that is already set. */
export function tapTransport(transport: Transport, taps: TransportTaps): void {
  transport.onmessage = (message) => {
    if (!isJSONRPCNotification(message) || message.method !== 'notifications/progress') return;
    const { progressToken, ...progress } = (message.params ?? {}) as Record<string, unknown>;
    taps.onProgress(progressToken, progress as Progress);
  };
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if (isJSONRPCRequest(message)) taps.onRequestSent(message.id);
    return send(message, options);
  };
}
