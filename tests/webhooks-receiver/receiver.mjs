// A webhook receiver as a user would write one: it verifies every delivery with the official Standard Webhooks
// package and prints one JSON line per request (what it verified, or why not). Configured by its environment:
// PORT (loopback), WEBHOOK_SECRET (whsec_…), FAIL_FIRST (answer 500 to that many requests first: a receiver
// that fails, then recovers), REDIRECT_FIRST and REDIRECT_TO (answer 307 to REDIRECT_TO to that many requests
// first, after any failures: a receiver that points the sender elsewhere).
import http from "node:http";
import { Webhook } from "standardwebhooks";

const webhook = new Webhook(process.env.WEBHOOK_SECRET);
let failFirst = Number(process.env.FAIL_FIRST ?? 0);
let redirectFirst = Number(process.env.REDIRECT_FIRST ?? 0);

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const line = { id: req.headers["webhook-id"], path: req.url };
    try {
      const payload = webhook.verify(body, req.headers);
      Object.assign(line, { verified: true, type: payload.type, session_id: payload.data.session_id, seq: payload.data.seq, body });
    } catch (e) {
      Object.assign(line, { verified: false, error: String(e) });
    }
    line.status = failFirst > 0 ? 500 : redirectFirst > 0 ? 307 : line.verified ? 204 : 400;
    if (failFirst > 0) failFirst--;
    else if (redirectFirst > 0) redirectFirst--;
    console.log(JSON.stringify(line));
    res.writeHead(line.status, line.status === 307 ? { location: process.env.REDIRECT_TO } : {}).end();
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log(JSON.stringify({ listening: server.address().port })));
