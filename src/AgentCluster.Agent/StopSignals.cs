using System.Runtime.InteropServices;

namespace AgentCluster.Agent;

/// <summary>
/// SIGTERM and SIGINT (how Fly stops a machine) as a cancellation token. The default would end the process at
/// once; handling them gives the running turn's report and the unsent events a moment to get out.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly PosixSignalRegistration sigterm;
    private readonly PosixSignalRegistration sigint;

    public StopSignals()
    {
        sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    public CancellationToken Token => stopping.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        stopping.Cancel();
    }

    public void Dispose()
    {
        sigterm.Dispose();
        sigint.Dispose();
        stopping.Dispose();
    }
}
