// The official @a2a-js/sdk client against a node's A2A endpoint: a blocking message, a streamed follow-up in the same
// context, GetTask, a long turn canceled mid-stream, and an unknown task. Prints one JSON object for A2aJsClientTests
// to check. AGENTCLUSTER_URL, AGENTCLUSTER_API_KEY.
import { Role, TaskState } from '@a2a-js/sdk';
import { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { randomUUID } from 'node:crypto';

const key = process.env.AGENTCLUSTER_API_KEY;
const authorized = (url, init = {}) => fetch(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${key}` } });
const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
  transports: [new JsonRpcTransportFactory({ fetchImpl: authorized })],
}));
const client = await factory.createFromUrl(process.env.AGENTCLUSTER_URL);

const message = (text, contextId) => ({
  messageId: randomUUID(), role: Role.ROLE_USER, contextId,
  parts: [{ content: { $case: 'text', value: text } }], metadata: { runtime: 'shell' },
});
const text = (parts) => parts.map((p) => p.content?.value ?? '').join('');
const state = (s) => TaskState[s];

// A blocking send: the completed task, its answer as the artifact and the status message.
const blocking = await client.sendMessage({ message: message('echo a2a-blocking') });

// The same context's next message, streamed: the task, working, the answer in pieces, then completed.
const events = [];
for await (const event of client.sendMessageStream({ message: message('echo one; echo two', blocking.contextId) })) {
  const { $case, value } = event.payload;
  events.push($case === 'artifactUpdate' ? { kind: $case, text: text(value.artifact.parts), append: value.append, lastChunk: value.lastChunk }
    : { kind: $case, id: value.id ?? value.taskId, contextId: value.contextId, state: state(value.status.state) });
}
const streamedId = events[0].id;
const got = await client.getTask({ id: streamedId });

// A long turn, canceled once it is under way: CancelTask interrupts it, and the stream ends canceled.
const long = client.sendMessageStream({ message: message('echo started; sleep 120') });
let canceled = null, longFinal = null;
for await (const event of long) {
  const { $case, value } = event.payload;
  if ($case === 'artifactUpdate' && text(value.artifact.parts).includes('started') && !canceled)
    canceled = await client.cancelTask({ id: value.taskId });
  if ($case === 'statusUpdate') longFinal = state(value.status.state);
}
const afterCancel = await client.getTask({ id: canceled.id });

let missing = null;
try { await client.getTask({ id: 'no-such-session-t1' }); } catch (e) { missing = { name: e.name, message: e.message }; }

console.log(JSON.stringify({
  blocking: { id: blocking.id, contextId: blocking.contextId, state: state(blocking.status.state),
    artifact: text(blocking.artifacts[0].parts), status: text(blocking.status.message.parts) },
  streamed: { events },
  got: { id: got.id, contextId: got.contextId, state: state(got.status.state), artifact: text(got.artifacts[0].parts) },
  canceled: { id: canceled.id, state: state(canceled.status.state), streamFinal: longFinal, after: state(afterCancel.status.state) },
  missing,
}));
