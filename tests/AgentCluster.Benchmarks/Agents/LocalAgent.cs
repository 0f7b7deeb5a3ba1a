namespace AgentCluster.Benchmarks.Agents;

/// <summary>
/// The agent build the emulator's default image runs (its MachineLauncher, from the folder the harness and
/// the emulator share): a native (AOT) build published into native-agent/, when there is one, else the IL
/// build run by dotnet. A scenario measures the same build as its baseline and says which one it was.
/// </summary>
public static class LocalAgent
{
    private static string NativePath => Path.Combine(AppContext.BaseDirectory, "native-agent", "AgentCluster.Agent");

    public static bool IsNative => File.Exists(NativePath);

    public static string Kind => IsNative ? "native (AOT)" : "JIT (dotnet AgentCluster.Agent.dll)";

    public static (string File, IReadOnlyList<string> Args) Command =>
        IsNative ? (NativePath, []) : ("dotnet", [Path.Combine(AppContext.BaseDirectory, "AgentCluster.Agent.dll")]);
}
