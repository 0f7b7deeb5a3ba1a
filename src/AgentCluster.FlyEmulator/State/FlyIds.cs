using System.Security.Cryptography;

namespace AgentCluster.FlyEmulator.State;

/// <summary>Identifiers in the formats Fly uses, so clients that parse or log them see what they would see on Fly.</summary>
internal static class FlyIds
{
    private const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static readonly Lock UlidSync = new();
    private static long lastUlidMs;
    private static UInt128 lastUlidRandom;

    private static readonly string[] Adjectives =
        ["aged", "bold", "calm", "dark", "eager", "fancy", "green", "hidden", "icy", "jolly", "lively", "misty", "noisy", "old", "proud", "quiet", "red", "small", "twilight", "wild"];
    private static readonly string[] Nouns =
        ["thunder", "river", "forest", "meadow", "sun", "moon", "field", "frost", "lake", "leaf", "mountain", "night", "pine", "rain", "sea", "shadow", "sky", "snow", "star", "wave"];

    /// <summary>14 lowercase hex characters, e.g. <c>1857156b526dd8</c>.</summary>
    public static string MachineId() => Hex(7);

    /// <summary>12 lowercase hex characters, e.g. <c>5c35f65c9f95</c>.</summary>
    public static string LeaseNonce() => Hex(6);

    /// <summary>16 lowercase alphanumerics, e.g. <c>jlyv9r5d56v18xrg</c>.</summary>
    public static string AppId() => RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 16);

    /// <summary><c>vol_</c> and 16 lowercase alphanumerics, e.g. <c>vol_vjeylkgg6gll7j94</c>.</summary>
    public static string VolumeId() => "vol_" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 16);

    /// <summary>adjective-noun-number, e.g. <c>aged-thunder-7371</c>.</summary>
    public static string MachineName() =>
        $"{Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)]}-{Nouns[RandomNumberGenerator.GetInt32(Nouns.Length)]}-{RandomNumberGenerator.GetInt32(1000, 10000)}";

    /// <summary>
    /// A 26-character ULID (versions, instance ids, event ids). Monotonic within a millisecond so that ids
    /// compare in creation order, which <c>from_event_id</c> relies on.
    /// </summary>
    public static string Ulid(DateTimeOffset now)
    {
        var ms = Math.Max(now.ToUnixTimeMilliseconds(), 0);
        UInt128 random;
        lock (UlidSync)
        {
            if (ms <= lastUlidMs)
            {
                ms = lastUlidMs;
                random = ++lastUlidRandom;
            }
            else
            {
                Span<byte> bytes = stackalloc byte[16];
                RandomNumberGenerator.Fill(bytes);
                random = new UInt128(BitConverter.ToUInt64(bytes[..8]) & 0xFFFF, BitConverter.ToUInt64(bytes[8..])) >> 1;
                lastUlidMs = ms;
                lastUlidRandom = random;
            }
        }
        var value = ((UInt128)(ulong)ms << 80) | (random & ((UInt128.One << 80) - 1));
        Span<char> chars = stackalloc char[26];
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Crockford[(int)(value & 31)];
            value >>= 5;
        }
        return new string(chars);
    }

    private static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
