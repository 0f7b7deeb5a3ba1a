using System.Reflection;
using Refit;

namespace AgentCluster.Fly.Api;

/// <summary>Query booleans as Go writes them ("true"), not .NET's "True".</summary>
internal sealed class FlyUrlParameterFormatter : DefaultUrlParameterFormatter
{
    public override string? Format(object? value, ICustomAttributeProvider attributeProvider, Type type) =>
        value is bool b ? (b ? "true" : "false") : base.Format(value, attributeProvider, type);
}
