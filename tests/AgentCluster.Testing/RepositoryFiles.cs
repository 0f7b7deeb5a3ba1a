namespace AgentCluster.Testing;

/// <summary>Files of the repository the tests were built from (found upwards from the test binaries, by the solution file).</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(Path(relative));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Orleans.AgentCluster.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Orleans.AgentCluster.sln above {AppContext.BaseDirectory}");
    }
}
