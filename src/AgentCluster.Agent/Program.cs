using System.Runtime.InteropServices;

// The in-machine agent. For now it announces itself and runs until the machine stops it
// (SIGINT/SIGTERM, Fly's stop signals); the session protocol and runtimes come with the session spine.
var machineId = Environment.GetEnvironmentVariable("FLY_MACHINE_ID") ?? "local";
var region = Environment.GetEnvironmentVariable("FLY_REGION") ?? "local";
Console.WriteLine($"agentcluster-agent started machine={machineId} region={region} pid={Environment.ProcessId}");

var stopped = new TaskCompletionSource<PosixSignal>(TaskCreationOptions.RunContinuationsAsynchronously);
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stopped.TrySetResult(context.Signal);
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

var signal = await stopped.Task;
Console.WriteLine($"agentcluster-agent stopping on {signal}");
return 0;
