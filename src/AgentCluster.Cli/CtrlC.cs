using System.Runtime.InteropServices;

namespace AgentCluster.Cli;

/// <summary>
/// SIGINT (Ctrl-C, or a <c>kill -INT</c>), taken from the runtime so that the process is not simply ended: by default
/// it cancels <see cref="Token"/> (the command stops, exit 130); a command that follows a turn takes the presses
/// for itself (<see cref="Take"/>): the first interrupts the turn, the second detaches.
/// </summary>
internal sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource cancel = new();
    private readonly PosixSignalRegistration registration;
    private volatile Action? handler;

    public CtrlC() => registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

    /// <summary>Cancelled by a Ctrl-C that no command has taken.</summary>
    public CancellationToken Token => cancel.Token;

    /// <summary>Sends each press to <paramref name="onPress"/> until the result is disposed.</summary>
    public IDisposable Take(Action onPress)
    {
        handler = onPress;
        return new Release(this);
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (handler is { } taken) taken();
        else cancel.Cancel();
    }

    public void Dispose()
    {
        registration.Dispose();
        cancel.Dispose();
    }

    private sealed class Release(CtrlC owner) : IDisposable
    {
        public void Dispose() => owner.handler = null;
    }
}
