using System.Security.Cryptography;
using System.Text;
using AgentCluster.Fly.Models;

namespace AgentCluster.FlyEmulator.State;

/// <summary>Splits an image reference the way a registry does: registry/repository:tag.</summary>
internal static class ImageRefs
{
    public static ImageRef? Parse(string? image)
    {
        if (string.IsNullOrEmpty(image)) return null;
        var rest = image.Split('@')[0];
        var registry = "registry-1.docker.io";
        var slash = rest.IndexOf('/');
        if (slash > 0 && (rest[..slash].Contains('.') || rest[..slash].Contains(':') || rest[..slash] == "localhost"))
        {
            registry = rest[..slash];
            rest = rest[(slash + 1)..];
        }
        var colon = rest.LastIndexOf(':');
        var (repository, tag) = colon > 0 ? (rest[..colon], rest[(colon + 1)..]) : (rest, "latest");
        if (registry == "registry-1.docker.io" && !repository.Contains('/')) repository = "library/" + repository;
        return new ImageRef
        {
            Registry = registry,
            Repository = repository,
            Tag = tag,
            Digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(image))),
            Labels = [],
        };
    }
}
