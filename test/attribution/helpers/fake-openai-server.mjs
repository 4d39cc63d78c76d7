// A local server speaking OpenAI's Chat Completions wire format (JSON and SSE), run as its own process so its
// work does not share the test process's CPU. Prints its port on stdout. See fake-openai.ts.
import { Buffer } from "node:buffer";
import { createServer } from "node:http";
import process from "node:process";
import { setTimeout } from "node:timers";

let served = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    served++;
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    const model = `fake-${body.user ?? "anonymous"}`;
    const usage = {
      prompt_tokens: 10 + (body.messages?.[0]?.content?.length ?? 0),
      completion_tokens: 5,
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = `chatcmpl-${served}`;
    const created = 1_790_000_000;
    // A little jitter so concurrent requests finish out of order.
    setTimeout(() => {
      if (!body.stream) {
        res.writeHead(200, { "content-type": "application/json", "x-request-id": `req_${served}` });
        res.end(
          JSON.stringify({
            id,
            object: "chat.completion",
            created,
            model,
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: "hello" },
                finish_reason: "stop",
                logprobs: null,
              },
            ],
            usage,
          }),
        );
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "x-request-id": `req_${served}` });
      const send = (data) => res.write(`data: ${JSON.stringify(data)}\n\n`);
      const chunk = (delta, finish) => ({
        id,
        object: "chat.completion.chunk",
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      });
      send(chunk({ role: "assistant", content: "hel" }, null));
      setTimeout(() => {
        send(chunk({ content: "lo" }, "stop"));
        if (body.stream_options?.include_usage)
          send({ id, object: "chat.completion.chunk", created, model, choices: [], usage });
        res.end("data: [DONE]\n\n");
      }, Math.random() * 3);
    }, Math.random() * 3);
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
process.on("disconnect", () => process.exit(0));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
