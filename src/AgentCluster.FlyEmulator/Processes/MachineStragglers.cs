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
    /// <summary>SIGKILL to each process carrying the machine's mark; the ones it was sent to.</summary>
    public static IReadOnlyList<int> Kill(string machineId)
    {
        if (!OperatingSystem.IsLinux()) return [];
        var killed = new List<int>();
        var mark = Encoding.UTF8.GetBytes($"FLY_MACHINE_ID={machineId}\0");
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (Carries(File.ReadAllBytes(Path.Combine(folder, "environ")), mark) && Libc.kill(pid, PosixSignals.SIGKILL) == 0) killed.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        return killed;
    }

    /// <summary>
    /// Waits (at most <paramref name="deadline"/>) until the killed processes have ended: the kernel ends a SIGKILLed
    /// process soon, not at once, and a machine reported stopped has nothing of its own left running.
    /// </summary>
    public static async Task WaitGoneAsync(IReadOnlyList<int> pids, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (pids.Any(Running) && DateTime.UtcNow < until) await Task.Delay(TimeSpan.FromMilliseconds(5));
    }

    /// <summary>Neither gone nor a zombie (ended, waiting for its parent to reap it).</summary>
    private static bool Running(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart();
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
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
