namespace AgentCluster.Silo.A2a;

/// <summary>One event of a task's stream (<c>SendStreamingMessage</c>, <c>SubscribeToTask</c>).</summary>
public abstract record A2aEvent;

/// <summary>The task as it is: the first event of every stream.</summary>
public sealed record A2aTaskEvent(A2aTask Task) : A2aEvent;

/// <summary>The task changed state; <see cref="Final"/> on the last event of the stream (v0.3 says so on the wire).</summary>
public sealed record A2aStatusUpdate(string TaskId, string ContextId, A2aStatus Status, bool Final) : A2aEvent;

/// <summary>More of the task's answer: its one artifact, <see cref="Append"/>ed to after the first piece.</summary>
public sealed record A2aArtifactUpdate(string TaskId, string ContextId, string Text, bool Append, bool LastChunk) : A2aEvent;
