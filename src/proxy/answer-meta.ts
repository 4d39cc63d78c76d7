import {
  anthropicMeta,
  openaiChatMeta,
  openaiResponsesMeta,
  type ResponseMeta,
} from "../../interceptors/_shared/response-meta.js";
import type { UsageShape } from "./routes.js";

/** A whole JSON answer's id and stop reasons, read with the interceptors' extractor for the route's shape. */
export function answerMeta(shape: UsageShape | null, body: unknown): ResponseMeta {
  switch (shape) {
    case "anthropic-messages":
      return anthropicMeta(body);
    case "openai-chat":
      return openaiChatMeta(body);
    case "openai-responses":
      return openaiResponsesMeta(body);
    default:
      return {};
  }
}
