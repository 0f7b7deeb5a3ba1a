using System.Text.Json.Serialization;

namespace AgentCluster.Abstractions.Control;

/// <summary>A folder of the workspace (<c>GET /sessions/{id}/files?path=dir</c>): <see cref="Path"/> relative to the workspace ("" for the workspace itself).</summary>
public sealed record FileList(string Path, IReadOnlyList<FileEntry> Entries);

/// <summary>One entry: <see cref="Type"/> is <c>file</c>, <c>directory</c>, <c>symlink</c> or <c>other</c>; <see cref="Size"/> in bytes (files only).</summary>
public sealed record FileEntry(string Name, string Type, long? Size, DateTimeOffset Modified);

/// <summary>A file written (<c>PUT /sessions/{id}/files/{path}</c>).</summary>
public sealed record FileWritten(string Path, long Size, [property: JsonPropertyName("etag")] string ETag);

/// <summary>An archive unpacked (<c>PUT /sessions/{id}/archive?path=dir</c>): how many files and bytes it wrote.</summary>
public sealed record ArchiveUnpacked(string Path, int Files, long Bytes);
