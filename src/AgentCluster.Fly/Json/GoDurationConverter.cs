using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentCluster.Fly.Json;

/// <summary>
/// Fly encodes durations the way Go's <c>time.Duration</c> prints them ("5s", "1m30s", "250ms"),
/// but the live API also accepts a bare integer, read as nanoseconds (fly-go duration.go).
/// </summary>
public sealed class GoDurationConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number => TimeSpan.FromTicks(reader.GetInt64() / 100),
            JsonTokenType.String => GoDuration.Parse(reader.GetString()!),
            _ => throw new JsonException($"Expected a duration string or nanoseconds, got {reader.TokenType}."),
        };

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteStringValue(GoDuration.Format(value));
}

/// <summary>Parses and prints Go duration strings.</summary>
public static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("μs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        var negative = s.StartsWith('-');
        if (negative || s.StartsWith('+')) s = s[1..];
        if (s == "0") return true;
        // A plain number is what fly.toml users write for kill_timeout: seconds.
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            value = TimeSpan.FromSeconds(negative ? -seconds : seconds);
            return true;
        }

        double ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (start == i) return false;
            var number = double.Parse(s.AsSpan(start, i - start), CultureInfo.InvariantCulture);
            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            var unit = s[unitStart..i];
            var match = Array.Find(Units, u => u.Unit == unit);
            if (match.Unit is null) return false;
            ticks += number * match.Ticks;
        }
        value = TimeSpan.FromTicks((long)Math.Round(negative ? -ticks : ticks));
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a Go duration (e.g. \"5s\", \"1m30s\", \"250ms\").");

    /// <summary>Prints like Go: "0s", "250ms", "5s", "1m30s", "2h0m0s".</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0s";
        var sb = new StringBuilder();
        if (value < TimeSpan.Zero) { sb.Append('-'); value = value.Negate(); }
        if (value < TimeSpan.FromSeconds(1))
        {
            var ms = value.TotalMilliseconds;
            return sb.Append(ms >= 1
                ? ms.ToString("0.######", CultureInfo.InvariantCulture) + "ms"
                : (value.Ticks / 10.0).ToString("0.###", CultureInfo.InvariantCulture) + "µs").ToString();
        }
        var hours = (long)value.TotalHours;
        if (hours > 0) sb.Append(hours).Append('h');
        if (hours > 0 || value.Minutes > 0) sb.Append(value.Minutes).Append('m');
        var secs = value.Seconds + value.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond;
        return sb.Append(secs.ToString("0.#########", CultureInfo.InvariantCulture)).Append('s').ToString();
    }
}
