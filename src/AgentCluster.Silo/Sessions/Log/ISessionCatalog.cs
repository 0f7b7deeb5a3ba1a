using System.Buffers.Text;
using System.Text;

namespace AgentCluster.Silo.Sessions;

/// <summary>Every session id by owner, newest first, for listing with a cursor: an owner lists only its own.</summary>
public interface ISessionCatalog
{
    Task AddAsync(string owner, string sessionId, DateTimeOffset createdAt);

    /// <summary>Up to <paramref name="limit"/> of the owner's ids older than <paramref name="cursor"/> (null: from the newest), and the next cursor.</summary>
    Task<CatalogPage> ListAsync(string owner, string? cursor, int limit);
}

public sealed record CatalogPage(IReadOnlyList<string> SessionIds, string? NextCursor)
{
    /// <summary>When each of <see cref="SessionIds"/> was made (same order), for readers that stop at a time (the webhooks' sweep).</summary>
    public IReadOnlyList<DateTimeOffset> CreatedAt { get; init; } = [];
}

/// <summary>
/// A catalog entry sorts by creation time, then id: <c>{unix ms, 15 digits}|{id}</c>. The cursor is the last
/// entry of a page, so paging is stable while new sessions arrive.
/// </summary>
internal static class CatalogEntry
{
    public static string Of(string sessionId, DateTimeOffset createdAt) => $"{createdAt.ToUnixTimeMilliseconds():D15}|{sessionId}";

    public static string IdOf(string entry) => entry[(entry.IndexOf('|') + 1)..];

    public static DateTimeOffset CreatedAtOf(string entry) => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(entry.AsSpan(0, entry.IndexOf('|')), System.Globalization.CultureInfo.InvariantCulture));

    public static string ToCursor(string entry) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(entry));

    public static string? FromCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        try
        {
            var entry = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return entry.Length > 16 && entry[15] == '|' ? entry : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new ArgumentException("cursor is not one this API gave out", nameof(cursor));
        }
    }
}
