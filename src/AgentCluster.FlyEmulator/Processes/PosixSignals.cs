using System.Globalization;

namespace AgentCluster.FlyEmulator.Processes;

/// <summary>The signals Fly's API names, by Linux number.</summary>
public static class PosixSignals
{
    public const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGFPE = 8, SIGKILL = 9,
        SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15;

    private static readonly Dictionary<string, int> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SIGHUP"] = SIGHUP, ["SIGINT"] = SIGINT, ["SIGQUIT"] = SIGQUIT, ["SIGILL"] = SIGILL, ["SIGTRAP"] = SIGTRAP,
        ["SIGABRT"] = SIGABRT, ["SIGFPE"] = SIGFPE, ["SIGKILL"] = SIGKILL, ["SIGUSR1"] = SIGUSR1, ["SIGSEGV"] = SIGSEGV,
        ["SIGUSR2"] = SIGUSR2, ["SIGPIPE"] = SIGPIPE, ["SIGALRM"] = SIGALRM, ["SIGTERM"] = SIGTERM,
    };

    /// <summary>"SIGTERM", "term" or "15" (fly-go sends numbers).</summary>
    public static bool TryParse(string? nameOrNumber, out int signal)
    {
        signal = 0;
        if (string.IsNullOrWhiteSpace(nameOrNumber)) return false;
        var text = nameOrNumber.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            signal = number;
            return ByName.ContainsValue(number);
        }
        return ByName.TryGetValue(text.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? text : "SIG" + text, out signal);
    }

    public static string Name(int signal) => ByName.FirstOrDefault(kv => kv.Value == signal).Key ?? signal.ToString(CultureInfo.InvariantCulture);
}
