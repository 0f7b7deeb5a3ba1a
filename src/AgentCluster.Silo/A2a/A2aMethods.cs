namespace AgentCluster.Silo.A2a;

/// <summary>What a JSON-RPC method asks of the adapter.</summary>
public enum A2aOperation { Send, Stream, Get, Cancel, Subscribe }

/// <summary>
/// The methods of A2A's JSON-RPC binding the node answers, by their v1 names and their v0.3 ones (for older peers);
/// a request is answered in the version of the name it used.
/// </summary>
public static class A2aMethods
{
    private static readonly Dictionary<string, (A2aOperation, A2aVersion)> Known = new(StringComparer.Ordinal)
    {
        ["SendMessage"] = (A2aOperation.Send, A2aVersion.V1),
        ["SendStreamingMessage"] = (A2aOperation.Stream, A2aVersion.V1),
        ["GetTask"] = (A2aOperation.Get, A2aVersion.V1),
        ["CancelTask"] = (A2aOperation.Cancel, A2aVersion.V1),
        ["SubscribeToTask"] = (A2aOperation.Subscribe, A2aVersion.V1),
        ["message/send"] = (A2aOperation.Send, A2aVersion.V03),
        ["message/stream"] = (A2aOperation.Stream, A2aVersion.V03),
        ["tasks/get"] = (A2aOperation.Get, A2aVersion.V03),
        ["tasks/cancel"] = (A2aOperation.Cancel, A2aVersion.V03),
        ["tasks/resubscribe"] = (A2aOperation.Subscribe, A2aVersion.V03),
    };

    /// <exception cref="A2aException">-32003 for the push-notification methods (the card says there are none), -32601 for any other.</exception>
    public static (A2aOperation Operation, A2aVersion Version) Find(string method) =>
        Known.TryGetValue(method, out var found) ? found
        : method.Contains("PushNotificationConfig", StringComparison.OrdinalIgnoreCase)
            ? throw new A2aException(new JsonRpcError(JsonRpcError.PushNotificationNotSupported, "This agent sends no push notifications (capabilities.pushNotifications is false)."))
            : throw new A2aException(new JsonRpcError(JsonRpcError.MethodNotFound,
                $"There is no method '{method}'. The methods are {string.Join(", ", Known.Keys)}."));
}
