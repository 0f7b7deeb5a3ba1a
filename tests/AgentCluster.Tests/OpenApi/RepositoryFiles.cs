namespace AgentCluster.Tests.OpenApi;

/// <summary>Files of the repository the tests run from (found upwards from the test binaries, by the solution file).</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.AgentCluster.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Orleans.AgentCluster.sln above {AppContext.BaseDirectory}");
    }
}
