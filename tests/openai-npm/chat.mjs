// The official openai npm client against a node's /v1: a whole answer, a streamed one, and a refused session id.
// Prints one JSON object for OpenAiNpmClientTests to check. AGENTCLUSTER_URL, AGENTCLUSTER_API_KEY.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: `${process.env.AGENTCLUSTER_URL}/v1`, apiKey: process.env.AGENTCLUSTER_API_KEY, maxRetries: 0 });

const whole = await client.chat.completions.create({ model: 'shell', messages: [{ role: 'user', content: 'echo npm-whole' }] });

const stream = await client.chat.completions.create({
  model: 'shell', stream: true, stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'echo npm-one; echo npm-two' }],
});
let streamed = '', deltas = 0, finish = null, usage = null;
for await (const chunk of stream) {
  const choice = chunk.choices[0];
  if (choice?.delta?.content) { streamed += choice.delta.content; deltas++; }
  if (choice?.finish_reason) finish = choice.finish_reason;
  if (chunk.usage) usage = chunk.usage;
}

let refused = null;
try {
  await client.chat.completions.create(
    { model: 'shell', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'X-Session-ID': 'no-such-session' } });
} catch (e) {
  refused = { status: e.status, code: e.code, type: e.type, isNotFound: e instanceof OpenAI.NotFoundError };
}

console.log(JSON.stringify({
  whole: { object: whole.object, content: whole.choices[0].message.content, finish: whole.choices[0].finish_reason },
  streamed: { content: streamed, deltas, finish, usage },
  refused,
}));
