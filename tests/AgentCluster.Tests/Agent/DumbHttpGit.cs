using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Tests.Agent;

/// <summary>
/// Git's "dumb" HTTP protocol (plain files, after <c>git update-server-info</c>) on loopback, behind basic
/// auth: a remote that only a clone with the right credentials in its URL can read.
/// </summary>
public sealed class DumbHttpGit : IAsyncDisposable
{
    private readonly WebApplication app;

    private DumbHttpGit(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    /// <summary>Ends with '/'.</summary>
    public string Url { get; }

    public static async Task<DumbHttpGit> StartAsync(string folder, string user, string password)
    {
        foreach (var bare in Directory.EnumerateDirectories(folder, "*.git"))
        {
            using var info = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", ["update-server-info"]) { WorkingDirectory = bare })!;
            await info.WaitForExitAsync();
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
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
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DumbHttpGit(app, address.TrimEnd('/') + "/");
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
