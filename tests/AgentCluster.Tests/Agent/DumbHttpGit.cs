using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace AgentCluster.Tests.Agent;

/// <summary>
/// Git's "dumb" HTTP protocol (plain files, after <c>git update-server-info</c>) on loopback, behind basic
/// auth: a remote that only a clone with the right credentials in its URL can read.
/// </summary>
public sealed class DumbHttpGit : FakeHttpServer
{
    private readonly string folder;
    private readonly string expected;

    private DumbHttpGit(string folder, string user, string password)
    {
        this.folder = folder;
        expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
    }

    /// <summary>Serves the bare repositories (<c>*.git</c>) of <paramref name="folder"/> at <see cref="FakeHttpServer.Url"/> (which ends with '/').</summary>
    public static async Task<DumbHttpGit> StartAsync(string folder, string user, string password)
    {
        foreach (var bare in Directory.EnumerateDirectories(folder, "*.git"))
        {
            using var info = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", ["update-server-info"]) { WorkingDirectory = bare })!;
            await info.WaitForExitAsync();
        }
        return await StartAsync(new DumbHttpGit(folder, user, password));
    }

    protected override void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.Authorization != expected)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"git\"";
                return;
            }
            await next(context);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(folder),
            ServeUnknownFileTypes = true,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
        });
    }
}
