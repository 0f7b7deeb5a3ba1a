using System.Text;

namespace AgentCluster.FlyEmulator.Processes;

/// <summary>
/// What a machine started that left its process group and its tree: a command the agent runs in a session of its own
/// (exec), orphaned once its parent died. On Fly it dies with the VM; here nothing else would find it, so the
/// emulator looks for the mark every machine's process carries in its environment from birth
/// (<c>/proc/&lt;pid&gt;/environ</c>: what it was started with, whatever it changed since), its
/// <c>FLY_MACHINE_ID</c>, and kills each process that has it. The stand-in for the VM's end (a cgroup would do it
/// exactly); a process started with its environment wiped (<c>env -i</c>) escapes it.
/// </summary>
public static class MachineStragglers
{
    public static void Kill(string machineId)
    {
        if (!OperatingSystem.IsLinux()) return;
        var mark = Encoding.UTF8.GetBytes($"FLY_MACHINE_ID={machineId}\0");
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (Carries(File.ReadAllBytes(Path.Combine(folder, "environ")), mark)) _ = Libc.kill(pid, PosixSignals.SIGKILL);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
    }

    /// <summary>The variable itself, not a value that ends with its text: at the start, or right after another's end.</summary>
    private static bool Carries(ReadOnlySpan<byte> environment, ReadOnlySpan<byte> mark)
    {
        while (true)
        {
            var at = environment.IndexOf(mark);
            if (at < 0) return false;
            if (at == 0 || environment[at - 1] == 0) return true;
            environment = environment[(at + 1)..];
        }
    }
}
