using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Hosting;

/// <summary>
/// Options checked by their own rules when the node starts, before it binds any port: each rule yields a
/// message naming the setting to fix, and a node with any of them refuses to start, listing them all.
/// </summary>
internal static class ValidatedOptions
{
    public static OptionsBuilder<T> ValidateRulesOnStart<T>(this OptionsBuilder<T> builder, Func<T, IEnumerable<string>> rules) where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new RulesValidator<T>(rules));
        return builder.ValidateOnStart();
    }

    private sealed class RulesValidator<T>(Func<T, IEnumerable<string>> rules) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var failures = rules(options).ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
