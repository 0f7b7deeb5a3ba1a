using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Silo.A2a;

/// <summary>The two versions of A2A's JSON-RPC binding a node speaks: each request is answered in its method's.</summary>
public enum A2aVersion
{
    /// <summary>The current specification: ProtoJSON shapes (<c>TASK_STATE_COMPLETED</c>, <c>ROLE_AGENT</c>, parts without <c>kind</c>), stream results wrapped by their kind.</summary>
    V1,

    /// <summary>v0.3 (older peers): <c>kind</c> discriminators, lower-case states and roles, <c>final</c> on the last status update.</summary>
    V03,
}

/// <summary>
/// A task and its stream events as JSON, in one version of A2A (see <see cref="A2aVersion"/>): the shapes are the
/// specification's own, written field by field since the two versions differ in small ways throughout.
/// </summary>
public sealed class A2aWire(A2aVersion version)
{
    /// <summary>How the adapter writes its JSON: text as it is (no \u0027 for a quote), as the other APIs of the node do.</summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public A2aVersion Version => version;

    /// <summary><c>SendMessage</c>'s result: v1 wraps the task (<c>{"task": …}</c>, since it could be a message); v0.3 is the task.</summary>
    public JsonObject SendResult(A2aTask task) => version == A2aVersion.V1 ? new JsonObject { ["task"] = Task(task) } : Task(task);

    /// <summary>A stream frame's result: v1 wraps each event by its kind (a <c>StreamResponse</c>); v0.3 tags it with <c>kind</c>.</summary>
    public JsonObject StreamResult(A2aEvent e) => (e, version) switch
    {
        (A2aTaskEvent t, _) when version == A2aVersion.V1 => new JsonObject { ["task"] = Task(t.Task) },
        (A2aTaskEvent t, _) => Task(t.Task),
        (A2aStatusUpdate s, A2aVersion.V1) => new JsonObject { ["statusUpdate"] = StatusUpdate(s) },
        (A2aStatusUpdate s, _) => StatusUpdate(s),
        (A2aArtifactUpdate a, A2aVersion.V1) => new JsonObject { ["artifactUpdate"] = ArtifactUpdate(a) },
        (A2aArtifactUpdate a, _) => ArtifactUpdate(a),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "An A2A event this writer does not know."),
    };

    public JsonObject Task(A2aTask task)
    {
        var json = Kind("task");
        json["id"] = task.Id;
        json["contextId"] = task.ContextId;
        json["status"] = Status(task.Status, task.Id, task.ContextId);
        if (task.Result is { } result)
            json["artifacts"] = new JsonArray(Artifact(result));
        return json;
    }

    private JsonObject StatusUpdate(A2aStatusUpdate update)
    {
        var json = Kind("status-update");
        json["taskId"] = update.TaskId;
        json["contextId"] = update.ContextId;
        json["status"] = Status(update.Status, update.TaskId, update.ContextId);
        if (version == A2aVersion.V03) json["final"] = update.Final; // v1 ends the stream instead
        return json;
    }

    private JsonObject ArtifactUpdate(A2aArtifactUpdate update)
    {
        var json = Kind("artifact-update");
        json["taskId"] = update.TaskId;
        json["contextId"] = update.ContextId;
        json["artifact"] = Artifact(update.Text);
        json["append"] = update.Append;
        json["lastChunk"] = update.LastChunk;
        return json;
    }

    private JsonObject Status(A2aStatus status, string taskId, string contextId)
    {
        var json = new JsonObject
        {
            ["state"] = State(status.State),
            ["timestamp"] = status.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        };
        if (status.Message is { } said)
        {
            var message = Kind("message");
            message["messageId"] = $"{taskId}-{status.State.ToString().ToLowerInvariant()}";
            message["contextId"] = contextId;
            message["taskId"] = taskId;
            message["role"] = version == A2aVersion.V1 ? "ROLE_AGENT" : "agent";
            message["parts"] = new JsonArray(TextPart(said));
            json["message"] = message;
        }
        return json;
    }

    private JsonObject Artifact(string text) => new()
    {
        ["artifactId"] = A2aTaskTranslator.ArtifactId,
        ["name"] = "answer",
        ["parts"] = new JsonArray(TextPart(text)),
    };

    private JsonObject TextPart(string text)
    {
        var part = Kind("text");
        part["text"] = text;
        return part;
    }

    private string State(A2aTaskState state) => version == A2aVersion.V1
        ? "TASK_STATE_" + state.ToString().ToUpperInvariant()
        : state.ToString().ToLowerInvariant();

    /// <summary>An object that v0.3 tags with its <c>kind</c> (its discriminator); v1 tells kinds apart by field name.</summary>
    private JsonObject Kind(string kind) => version == A2aVersion.V03 ? new JsonObject { ["kind"] = kind } : new JsonObject();
}
