namespace AgentCluster.FlyEmulator.Lifecycle;

/// <summary>
/// An answer other than success, with the body Fly gives: <c>{"error": …, "status"?: …}</c>, or for the lease
/// family the envelope <c>{"status":"error","message": …}</c>.
/// </summary>
internal sealed class FlyError(int statusCode, string message, string? errorStatus = null, bool envelope = false)
    : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string? ErrorStatus { get; } = errorStatus;
    public bool Envelope { get; } = envelope;

    public static FlyError BadRequest(string message) => new(400, message);
    public static FlyError AppNotFound() => new(404, "app not found");
    public static FlyError MachineNotFound() => new(404, "machine not found");
    public static FlyError VolumeNotFound() => new(404, "volume not found");

    public static FlyError FailedPrecondition(string message) => new(412, "failed_precondition: " + message);

    public static FlyError CannotFrom(string verb, string state) =>
        FailedPrecondition($"unable to {verb} machine from current state: '{state}'");

    public static FlyError LeaseHeld(string machineId, string owner, DateTimeOffset expiresAt) =>
        new(409, $"machine ID {machineId} lease currently held by {owner}, expires at {expiresAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}", envelope: true);
}
