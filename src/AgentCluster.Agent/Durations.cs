using System.Globalization;

namespace AgentCluster.Agent;

/// <summary>Durations as the environment gives them: plain seconds (<c>10</c>, <c>0.5</c>) or a TimeSpan (<c>00:00:10</c>).</summary>
internal static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return false;
        // Seconds first: TimeSpan.Parse would read a bare "10" as ten days.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (!double.IsFinite(seconds) || seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds) return false;
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }
        return text.Contains(':') && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value > TimeSpan.Zero;
    }
}
