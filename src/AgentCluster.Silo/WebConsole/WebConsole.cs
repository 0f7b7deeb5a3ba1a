using Microsoft.Extensions.FileProviders;

namespace AgentCluster.Silo.WebConsole;

/// <summary>
/// The web console at <see cref="Prefix"/>: plain static files (WebConsole/ui) embedded in the node's assembly, so
/// every build and image serves them with no Node step and nothing beside the binary. The files need no API key
/// (they hold no data); the page calls the public API with the key the user gives it, as any client does.
/// A strict Content-Security-Policy (own scripts, styles and connections only) backs the page's own rule that
/// agent text is sanitised before it is shown.
/// </summary>
public static class WebConsole
{
    public const string Prefix = "/ui";

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseWebConsole(this WebApplication app)
    {
        var files = new ManifestEmbeddedFileProvider(typeof(WebConsole).Assembly, "WebConsole/ui");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Prefix }); // /ui/ is index.html; /ui redirects there
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = Prefix,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.CacheControl = "no-cache"; // revalidated by ETag: a new node version is seen at once
            },
        });
        return app;
    }
}
